package interview

import (
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

func TestParseTyped(t *testing.T) {
	f, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	ref := f.ReferenceDate
	tests := []struct {
		typ  forms.Type
		in   string
		want any
		bad  bool
	}{
		{forms.TypeInteger, " ３ ", 3, false}, // full-width digits from an input method
		{forms.TypeInteger, "三", nil, true},
		{forms.TypeDate, "2021-06-15", time.Date(2021, 6, 15, 0, 0, 0, 0, time.UTC), false},
		{forms.TypeDate, "2021-02-30", nil, true},
		{forms.TypeText, "  何杰 ", "何杰", false},
		{forms.TypeText, "   ", nil, false},
		{forms.TypePhone, "13800138000", "13800138000", false},
		{forms.TypeResidentID, "110101", "110101", false}, // kept as typed: the engine says why it is wrong
	}
	for _, tt := range tests {
		q := &forms.Question{ID: "X", Type: tt.typ}
		got, bad := ParseTyped(q, tt.in, ref)
		if (bad != nil) != tt.bad {
			t.Errorf("%s %q: problem %v", tt.typ, tt.in, bad)
		}
		if bad != nil && (bad.ZH == "" || bad.EN == "") {
			t.Errorf("%s %q: a problem says it in both languages: %+v", tt.typ, tt.in, bad)
		}
		if d, ok := tt.want.(time.Time); ok {
			if g, _ := got.(time.Time); !g.Equal(d) {
				t.Errorf("%s %q = %v", tt.typ, tt.in, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s %q = %#v, want %#v", tt.typ, tt.in, got, tt.want)
		}
	}
}

func TestStopAt(t *testing.T) {
	res := forms.Result{
		Relevant: []string{"A", "B", "C", "D"},
		Missing:  []string{"D"},
		Findings: []forms.Finding{
			{Check: "C1", Question: "B", Severity: forms.SeverityError, Message: forms.Text{ZH: "错", EN: "wrong"}},
			{Check: "C2", Question: "C", Severity: forms.SeverityWarning, Message: forms.Text{ZH: "核实", EN: "check"}},
		},
	}
	rec := &localstore.Record{}
	answers := forms.Answers{"A": 1, "B": 1, "C": 1}
	for _, tt := range []struct {
		id   string
		kind StopKind
	}{{"A", GoOn}, {"B", Error}, {"C", Warning}, {"D", Required}} {
		if got := StopAt(res, rec, answers, tt.id); got.Kind != tt.kind {
			t.Errorf("%s: %v, want %v", tt.id, got.Kind, tt.kind)
		}
	}
	if s := StopAt(res, rec, answers, "C"); s.NoteKey != "C2@C" {
		t.Errorf("note key %q", s.NoteKey)
	}
	first, missing, errs, warns := FirstProblem(res, rec)
	if first != "B" || missing != 1 || errs != 1 || warns != 1 {
		t.Errorf("FirstProblem = %s %d %d %d", first, missing, errs, warns)
	}
	// A note confirms the warning: it no longer stops.
	rec.Notes = map[string]string{"C2@C": "已核实"}
	if s := StopAt(res, rec, answers, "C"); s.Kind != GoOn {
		t.Errorf("confirmed warning stops: %v", s.Kind)
	}
}
