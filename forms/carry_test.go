package forms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
)

func nextYear(t testing.TB) *forms.Form {
	t.Helper()
	f, err := forms.LoadFile("testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The 2022 test form takes a 2021 draft: R3's 丧偶 recoded 4 → 5, R20 dropped, the rest
// kept as it was, and R0 (new) left to ask.
func TestCarryA2021DraftTo2022(t *testing.T) {
	old, f := loadForm(t, "person-2021"), nextYear(t)
	id := residentID("320102", "19510312", "246")
	draft := forms.Answers{"R1": "李梅", "R2": id, "R2b": 1, "R2c": 2, "R3": 4, "R6": 2, "R20": 1,
		"R21": []int{4}, "R12": []int{4}}
	got, c, err := f.Carry(old, draft)
	if err != nil {
		t.Fatal(err)
	}
	if got["R3"] != 5 {
		t.Errorf("R3 = %v, want 5 (丧偶 recoded)", got["R3"])
	}
	if len(c.Recoded) != 1 || c.Recoded[0].From != "R3" || c.Recoded[0].Old != 4 || c.Recoded[0].New != 5 {
		t.Errorf("recoded %+v", c.Recoded)
	}
	if _, ok := got["R20"]; ok || len(c.Dropped) != 1 || c.Dropped[0].Question != "R20" || !strings.Contains(c.Dropped[0].Reason.ZH, "新表没有") {
		t.Errorf("R20 dropped: %+v, answers %v", c.Dropped, got)
	}
	for _, q := range []string{"R1", "R2", "R2b", "R2c", "R6", "R21", "R12"} {
		if !slices.Contains(c.Kept, q) || got[q] == nil {
			t.Errorf("%s not kept: kept %v", q, c.Kept)
		}
	}
	if _, ok := got["R0"]; ok {
		t.Error("R0 is new: nobody answered it")
	}
	if draft["R3"] != 4 {
		t.Error("Carry changed the draft it was given")
	}
	if f.CarriesFrom(f) || !f.CarriesFrom(old) || old.CarriesFrom(f) {
		t.Error("CarriesFrom: 2022 takes 2021 drafts, not the other way round, nor its own")
	}
	res := f.Evaluate(got, forms.Context{"method": 1, "outcome": 1})
	if !slices.Contains(res.Missing, "R0") {
		t.Errorf("the moved draft should ask R0; missing %v", res.Missing)
	}
}

// The skip rule changed: R19 is asked from 18 in 2022, from 16 in 2021.
func TestNextYearSkipRuleChanged(t *testing.T) {
	old, f := loadForm(t, "person-2021"), nextYear(t)
	a := forms.Answers{"R6": 2}
	ctx := forms.Context{"method": 1, "outcome": 1, "age": 17}
	if r := old.Evaluate(a, ctx); !slices.Contains(r.Relevant, "R19") {
		t.Error("2021 asks R19 at 17")
	}
	if r := f.Evaluate(a, ctx); slices.Contains(r.Relevant, "R19") {
		t.Error("2022 does not ask R19 at 17")
	}
}

func TestCarriesMappingErrors(t *testing.T) {
	base := "id: x\nversion: \"2\"\ntitle: {zh: 表}\nreference_date: 2022-09-30\n%s\nsections:\n  - id: s\n    title: {zh: 节}\n    questions:\n      - {id: A, type: single, label: {zh: 甲}, options: [{code: 1, label: {zh: 是}}, {code: 2, label: {zh: 否}}]}\n"
	load := func(carries string) (*forms.Form, error) {
		return forms.Load("x.yaml", []byte(strings.Replace(base, "%s", carries, 1)))
	}
	for _, c := range []struct{ carries, want string }{
		{"carries: {from: [x], recode: {A: {1: 7}}}", "x.yaml:5: carries: recode: A 1 → 7, which is not an option of A (codes 1, 2)"},
		{"carries: {from: [x], recode: {B: {1: 2}}}", "recode: B is not a question of this form"},
		{"carries: {from: [x], renamed: {A0: Z}}", "renamed: A0 → Z, which is not a question of this form"},
		{"carries: {from: [X!]}", "from: \"X!\" is not a form id"},
		{"carries: {from: [x], bogus: 1}", "bogus"},
	} {
		if _, err := load(c.carries); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.carries, err, c.want)
		}
	}
	// A code the old form does not have is found when a draft moves, and names the file.
	old, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	f, err := forms.Load("x2.yaml", []byte(strings.Replace(strings.Replace(base, "%s", "carries: {from: [x], recode: {A: {9: 1}}}", 1), "version: \"2\"", "version: \"3\"", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Carry(old, forms.Answers{"A": 1}); err == nil || !strings.Contains(err.Error(), "x2.yaml:5") || !strings.Contains(err.Error(), "code 9 is not an option of A") {
		t.Errorf("an old code that is no option: %v", err)
	}
}
