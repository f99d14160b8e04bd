package forms

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// idWithCheck appends the GB 11643 check character to 17 digits.
func idWithCheck(t testing.TB, first17 string) string {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("idWithCheck needs 17 digits, got %q", first17)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

func loadMini(t testing.TB) *Form {
	t.Helper()
	f, err := LoadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatalf("load mini: %v", err)
	}
	return f
}

func findingKeys(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, fd := range fs {
		out[i] = fmt.Sprintf("%s@%s:%s", fd.Check, fd.Question, fd.Severity)
	}
	return out
}

func TestMiniLoadsInOrder(t *testing.T) {
	f := loadMini(t)
	var ids []string
	for _, q := range f.Questions() {
		ids = append(ids, q.ID)
	}
	want := []string{"C", "CAT", "LVL", "WORK", "WHY", "AIDS", "ONLYBLIND", "N", "EVEN", "PHONE", "HEAD", "NAME", "DAY"}
	if !slices.Equal(ids, want) {
		t.Fatalf("questions = %v, want %v", ids, want)
	}
	if f.Question("WHY").Parent != f.Question("WORK") {
		t.Error("WHY's parent is not WORK")
	}
	if !f.ReferenceDate.Equal(time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("reference date = %v", f.ReferenceDate)
	}
}

func TestEvaluateMini(t *testing.T) {
	f := loadMini(t)
	ref := f.ReferenceDate
	// Born 1991-10-01: 29 on 2021-09-30, a day short of 30.
	cert20 := idWithCheck(t, "11010119911001123") + "41"
	cert18 := idWithCheck(t, "11010119911001124")
	base := func() Answers {
		return Answers{"N": 2, "NAME": "张三", "DAY": ref.AddDate(0, 0, 10)}
	}
	with := func(extra Answers) Answers {
		a := base()
		maps.Copy(a, extra)
		return a
	}
	ctx := func(kv ...int) Context {
		c := Context{"outcome": 1}
		for i := 0; i+1 < len(kv); i += 2 {
			c[contextVars[kv[i]]] = kv[i+1]
		}
		return c
	}
	const age, sex, category, level, method, outcome, roster = 0, 1, 2, 3, 4, 5, 6
	_ = sex
	_ = level
	_ = method
	_ = outcome

	tests := []struct {
		name        string
		a           Answers
		c           Context
		relevant    []string // must be relevant
		notRelevant []string // must not be relevant
		missing     []string // exact, when not nil
		findings    []string // exact "check@question:severity", when not nil
		cleared     []string // exact
		complete    bool
	}{
		{name: "outcome unknown: nothing asked", a: Answers{}, c: Context{},
			notRelevant: []string{"C", "N"}, missing: []string{}, findings: []string{}, complete: true},
		{name: "outcome 2: nothing asked, answers cleared", a: Answers{"N": 1}, c: Context{"outcome": 2},
			notRelevant: []string{"N"}, cleared: []string{"N"}, missing: []string{}, complete: true},
		{name: "age unknown hides age-gated items", a: base(), c: ctx(),
			notRelevant: []string{"WORK", "WHY"}, missing: []string{"C", "AIDS"}},
		{name: "age 15 not asked about work", a: base(), c: ctx(age, 15), notRelevant: []string{"WORK"}},
		{name: "age 16 asked about work", a: base(), c: ctx(age, 16), relevant: []string{"WORK"},
			missing: []string{"C", "WORK", "AIDS"}},
		{name: "age 59 asked about work", a: base(), c: ctx(age, 59), relevant: []string{"WORK"}},
		{name: "age 60 not asked about work", a: base(), c: ctx(age, 60), notRelevant: []string{"WORK"}},
		{name: "not working opens the reason", a: with(Answers{"WORK": 2}), c: ctx(age, 30),
			relevant: []string{"WORK", "WHY"}, missing: []string{"C", "WHY", "AIDS"}},
		{name: "retired at 44 is a warning", a: with(Answers{"WORK": 2, "WHY": 1}), c: ctx(age, 44),
			findings: []string{"K4@WHY:warning"}},
		{name: "retired at 45 is fine", a: with(Answers{"WORK": 2, "WHY": 1}), c: ctx(age, 45),
			findings: []string{}},
		{name: "working clears the reason", a: with(Answers{"WORK": 1, "WHY": 1}), c: ctx(age, 30),
			notRelevant: []string{"WHY"}, cleared: []string{"WHY"}, findings: []string{}},
		{name: "aged 60 clears work and, through it, the reason", a: with(Answers{"WORK": 2, "WHY": 1}), c: ctx(age, 60),
			cleared: []string{"WORK", "WHY"}},
		{name: "option not offered for the category is cleared", a: with(Answers{"AIDS": []int{41}}), c: ctx(category, 1),
			cleared: []string{"AIDS"}, missing: []string{"C", "AIDS"}},
		{name: "offered options are kept", a: with(Answers{"AIDS": []int{11, 41}}), c: ctx(category, 1),
			cleared: []string{"AIDS"}, missing: []string{"C"}},
		{name: "exclusive option with another", a: with(Answers{"AIDS": []int{11, 99}}), c: ctx(category, 1),
			findings: []string{"K2@AIDS:error"}},
		{name: "exclusive option alone", a: with(Answers{"AIDS": []int{99}}), c: ctx(category, 1), findings: []string{}},
		{name: "choice with no option offered is skipped", a: base(), c: ctx(category, 4), notRelevant: []string{"ONLYBLIND"}},
		{name: "choice with an option offered is asked", a: base(), c: ctx(category, 1), relevant: []string{"ONLYBLIND"}},
		{name: "count above max", a: with(Answers{"N": 11}), c: ctx(), findings: []string{"constraint@N:error"}},
		{name: "count at max", a: with(Answers{"N": 10}), c: ctx(), findings: []string{}},
		{name: "count below min", a: with(Answers{"N": -1}), c: ctx(), findings: []string{"constraint@N:error"}},
		{name: "roster count differs", a: with(Answers{"N": 3}), c: ctx(roster, 5), findings: []string{"K1@N:warning"}},
		{name: "roster count agrees", a: with(Answers{"N": 5}), c: ctx(roster, 5), findings: []string{}},
		{name: "roster count unknown: no check", a: with(Answers{"N": 3}), c: ctx(), findings: []string{}},
		{name: "constraint fails", a: with(Answers{"EVEN": 3}), c: ctx(), findings: []string{"constraint@EVEN:error"}},
		{name: "constraint holds", a: with(Answers{"EVEN": 4}), c: ctx(), findings: []string{}},
		{name: "bad phone has a format finding", a: with(Answers{"PHONE": "123"}), c: ctx(), findings: []string{"format@PHONE:error"}},
		{name: "good phone", a: with(Answers{"PHONE": "13912345678"}), c: ctx(), findings: []string{}},
		{name: "invalid head ID uses the declared check", a: with(Answers{"HEAD": "110101199110011235"}), c: ctx(),
			findings: []string{"K3@HEAD:error"}},
		{name: "text longer than max_length", a: with(Answers{"NAME": "张三丰五六"}), c: ctx(), findings: []string{"constraint@NAME:error"}},
		{name: "date before the reference date", a: with(Answers{"DAY": ref.AddDate(0, 0, -1)}), c: ctx(), findings: []string{"constraint@DAY:error"}},
		{name: "date on the reference date", a: with(Answers{"DAY": ref}), c: ctx(), findings: []string{}},
		{name: "answer of the wrong Go type", a: with(Answers{"N": "2"}), c: ctx(), findings: []string{"format@N:error"}, missing: []string{"C", "AIDS", "N"}},
		{name: "certificate gives age and category", a: with(Answers{"C": cert20}), c: ctx(age, 70, category, 1),
			relevant: []string{"WORK"}, notRelevant: []string{"CAT", "LVL", "ONLYBLIND"}},
		{name: "legacy certificate asks category and level", a: with(Answers{"C": cert18}), c: ctx(),
			relevant: []string{"CAT", "LVL", "WORK"}, missing: []string{"CAT", "LVL", "WORK", "AIDS"}},
		{name: "legacy certificate with category asked", a: with(Answers{"C": cert18, "CAT": 1, "LVL": 2}), c: ctx(),
			relevant: []string{"ONLYBLIND"}},
		{name: "invalid certificate is a format finding", a: with(Answers{"C": "12345"}), c: ctx(),
			findings: []string{"format@C:error"}},
		{name: "complete", a: with(Answers{"C": cert20, "WORK": 1, "AIDS": []int{41}}), c: ctx(roster, 2),
			missing: []string{}, findings: []string{}, complete: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.Evaluate(tt.a, tt.c)
			for _, id := range tt.relevant {
				if !slices.Contains(res.Relevant, id) {
					t.Errorf("%s not relevant; relevant = %v", id, res.Relevant)
				}
			}
			for _, id := range tt.notRelevant {
				if slices.Contains(res.Relevant, id) {
					t.Errorf("%s relevant; relevant = %v", id, res.Relevant)
				}
			}
			if tt.missing != nil && !slices.Equal(nonNil(res.Missing), tt.missing) {
				t.Errorf("missing = %v, want %v", res.Missing, tt.missing)
			}
			if got := findingKeys(res.Findings); tt.findings != nil && !slices.Equal(got, tt.findings) {
				t.Errorf("findings = %v, want %v", got, tt.findings)
			}
			if !slices.Equal(nonNil(res.Cleared), nonNil(tt.cleared)) {
				t.Errorf("cleared = %v, want %v", res.Cleared, tt.cleared)
			}
			if tt.complete != res.Complete {
				t.Errorf("complete = %v, want %v (missing %v, findings %v)", res.Complete, tt.complete, res.Missing, findingKeys(res.Findings))
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestApplyDropsWhatWasCleared(t *testing.T) {
	f := loadMini(t)
	a := Answers{"WORK": 1, "WHY": 2, "AIDS": []int{11, 41, 99}}
	res := f.Evaluate(a, Context{"outcome": 1, "age": 30, "category": 4})
	res.Apply(a)
	if _, ok := a["WHY"]; ok {
		t.Error("WHY kept after WORK = 1")
	}
	if got := a["AIDS"]; !slices.Equal(got.([]int), []int{41, 99}) {
		t.Errorf("AIDS = %v, want [41 99]", got)
	}
	again := f.Evaluate(a, Context{"outcome": 1, "age": 30, "category": 4})
	if len(again.Cleared) != 0 {
		t.Errorf("second evaluation cleared %v", again.Cleared)
	}
}

func TestEvaluateDoesNotChangeAnswers(t *testing.T) {
	f := loadMini(t)
	a := Answers{"WORK": 1, "WHY": 2, "AIDS": []int{11, 41}}
	before := fmt.Sprint(a)
	f.Evaluate(a, Context{"outcome": 1, "age": 30, "category": 4})
	if after := fmt.Sprint(a); after != before {
		t.Errorf("answers changed: %s → %s", before, after)
	}
}

func TestEvaluateConcurrently(t *testing.T) {
	f := loadMini(t)
	done := make(chan string)
	for g := range 8 {
		go func() {
			age := 10 + g*10
			want := age >= 16 && age <= 59
			for range 200 {
				res := f.Evaluate(Answers{"N": 1}, Context{"outcome": 1, "age": age})
				if slices.Contains(res.Relevant, "WORK") != want {
					done <- fmt.Sprintf("age %d: WORK relevant = %v", age, !want)
					return
				}
			}
			done <- ""
		}()
	}
	for range 8 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

func TestReadBack(t *testing.T) {
	f := loadMini(t)
	a := Answers{"WORK": 2, "WHY": 1, "AIDS": []int{41, 99}, "N": 3, "DAY": time.Date(2021, 10, 12, 0, 0, 0, 0, time.UTC)}
	c := Context{"outcome": 1, "age": 50, "category": 4}
	var lines []string
	for _, s := range f.ReadBack(a, c, "zh") {
		lines = append(lines, "["+s.Title+"]")
		for _, l := range s.Lines {
			lines = append(lines, l.Text)
		}
	}
	want := []string{"[第一部分]", "是否就业：否", "原因：退休", "需要的辅助器具：轮椅、无", "[第二部分]", "次数：3次", "填表日期：2021年10月12日"}
	if !slices.Equal(lines, want) {
		t.Errorf("zh read-back:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	en := f.ReadBack(a, c, "en")
	if got := en[1].Lines[0].Text; got != "Times: 3 times" {
		t.Errorf("en line = %q", got)
	}
	// An answer the engine clears is not read back.
	c["age"] = 70
	for _, s := range f.ReadBack(a, c, "zh") {
		for _, l := range s.Lines {
			if l.Question == "WORK" || l.Question == "WHY" {
				t.Errorf("cleared answer read back: %s", l.Text)
			}
		}
	}
}
