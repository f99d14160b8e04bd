package forms_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
)

// Every question type round-trips: stored and decoded, typed back from its editor's
// text, and read back in words. A new entry in the table of types is covered here once
// it has a sample below.
func TestEveryTypeRoundTrips(t *testing.T) {
	id := residentID("110101", "19910520", "123")
	samples := map[forms.Type]any{
		forms.TypeSingle:      2,
		forms.TypeMultiple:    []int{1, 3},
		forms.TypeInteger:     42,
		forms.TypeDecimal:     2.5,
		forms.TypeDate:        time.Date(2021, 6, 15, 0, 0, 0, 0, time.UTC),
		forms.TypeText:        "张三",
		forms.TypeResidentID:  id,
		forms.TypeCertificate: certificate(id, 4, 3),
		forms.TypePhone:       "13812345678",
	}
	yaml := "id: types\nversion: \"1\"\ntitle: {zh: 类型}\nreference_date: 2021-09-30\nsections:\n  - id: s\n    title: {zh: 节}\n    questions:\n"
	for i, typ := range forms.Types() {
		yaml += "      - {id: Q" + string(rune('A'+i)) + ", type: " + string(typ) + ", label: {zh: 题}"
		if typ.IsChoice() {
			yaml += ", options: [{code: 1, label: {zh: 甲}}, {code: 2, label: {zh: 乙}}, {code: 3, label: {zh: 丙}}]"
		}
		yaml += "}\n"
	}
	f, err := forms.Load("types.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	ref := f.ReferenceDate
	for i, typ := range forms.Types() {
		q := f.Question("Q" + string(rune('A'+i)))
		v, ok := samples[typ]
		if !ok {
			t.Errorf("type %s has no sample here: add one", typ)
			continue
		}
		raw, err := forms.EncodeAnswer(v)
		if err != nil {
			t.Errorf("%s: encode %v: %v", typ, v, err)
			continue
		}
		back, err := f.DecodeAnswers(map[string]json.RawMessage{q.ID: raw})
		if err != nil || !reflect.DeepEqual(back[q.ID], v) {
			t.Errorf("%s: stored as %s, decoded %#v (%v), want %#v", typ, raw, back[q.ID], err, v)
		}
		if words := q.FormatAnswer(v, "zh"); words == "" {
			t.Errorf("%s: read back as nothing", typ)
		}
		if q.Editor() == forms.EditLine {
			typed, bad := q.Input(q.EditText(v, "zh"), ref)
			if bad != nil || !reflect.DeepEqual(typed, v) {
				t.Errorf("%s: edited as %q, read %#v (%v), want %#v", typ, q.EditText(v, "zh"), typed, bad, v)
			}
		}
		res := f.Evaluate(forms.Answers{q.ID: v}, nil)
		for _, fd := range res.Findings {
			if fd.Question == q.ID {
				t.Errorf("%s: a valid sample is flagged: %+v", typ, fd)
			}
		}
	}
}

func TestInputReadsFullWidthDigits(t *testing.T) {
	f := loadForm(t, "community-2021")
	for _, q := range f.Questions() {
		if q.Type != forms.TypeInteger {
			continue
		}
		v, bad := q.Input("１２", f.ReferenceDate)
		if bad != nil || v != 12 {
			t.Errorf("%s: full-width 12 read as %v, %v", q.ID, v, bad)
		}
		if _, bad := q.Input("12a", f.ReferenceDate); bad == nil || bad.ZH == "" {
			t.Errorf("%s: 12a is no whole number, and says so in Chinese", q.ID)
		}
		return
	}
	t.Fatal("the community form has no integer question")
}
