package forms_test

// Tests of the two built-in forms against their specifications
// (shared/forms/person-2021.md, shared/forms/community-2021.md): every skip rule and every
// check, on both sides of each boundary. They exercise the forms through the engine's public
// API (Builtin, Evaluate) and, for the static content (codes, labels, help), read the YAML.

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doorstep-survey/doorstep/forms"
)

const (
	sevError   = forms.Severity("error")
	sevWarning = forms.Severity("warning")
)

// ───────────────────────────────────────────────────────────── helpers

// withCheckChar appends the GB 11643 check character to the first 17 characters of an ID.
func withCheckChar(id17 string) string {
	if len(id17) != 17 {
		panic("withCheckChar: need 17 characters, got " + id17)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(id17[i]-'0') * w
	}
	return id17 + string("10X98765432"[sum%11])
}

// residentID builds a valid 18-character resident ID: region (6 digits), birth date
// (YYYYMMDD) and sequence (3 digits; the last odd for a man, even for a woman).
func residentID(region, birth, seq string) string {
	return withCheckChar(region + birth + seq)
}

// certificate builds a 20-character certificate number from an ID, a category and a level.
func certificate(id string, category, level int) string {
	return fmt.Sprintf("%s%d%d", id, category, level)
}

// breakCheckChar returns the ID with a wrong (but well-formed) check character.
func breakCheckChar(id string) string {
	const chars = "10X98765432"
	i := strings.IndexByte(chars, id[17])
	return id[:17] + string(chars[(i+1)%len(chars)]) + id[18:]
}

func loadForm(t *testing.T, id string) *forms.Form {
	t.Helper()
	f, err := forms.Builtin(id)
	if err != nil {
		t.Fatalf("Builtin(%q): %v", id, err)
	}
	if f == nil {
		t.Fatalf("Builtin(%q) returned nil", id)
	}
	return f
}

// personCtx is an interviewed (outcome 1), home-visit (method 1) case of a man with a
// level 3 physical disability, of the given age; over replaces or adds keys.
func personCtx(age int, over forms.Context) forms.Context {
	c := forms.Context{"method": 1, "outcome": 1, "age": age, "sex": 1, "category": 4, "level": 3}
	for k, v := range over {
		c[k] = v
	}
	return c
}

func without(c forms.Context, keys ...string) forms.Context {
	for _, k := range keys {
		delete(c, k)
	}
	return c
}

func findFinding(r forms.Result, check, question string) *forms.Finding {
	for i := range r.Findings {
		if r.Findings[i].Check == check && r.Findings[i].Question == question {
			return &r.Findings[i]
		}
	}
	return nil
}

func describe(r forms.Result) string {
	var fs []string
	for _, f := range r.Findings {
		fs = append(fs, fmt.Sprintf("%s@%s(%s)", f.Check, f.Question, f.Severity))
	}
	return fmt.Sprintf("relevant=%v missing=%v findings=%v cleared=%v complete=%v",
		r.Relevant, r.Missing, fs, r.Cleared, r.Complete)
}

func wantRelevant(t *testing.T, r forms.Result, yes, no []string) {
	t.Helper()
	for _, id := range yes {
		if !slices.Contains(r.Relevant, id) {
			t.Errorf("%s should be relevant; %s", id, describe(r))
		}
	}
	for _, id := range no {
		if slices.Contains(r.Relevant, id) {
			t.Errorf("%s should not be relevant; %s", id, describe(r))
		}
	}
}

// ───────────────────────────────────────────────────────────── person-2021: skip rules

func TestPersonSkipRules(t *testing.T) {
	f := loadForm(t, "person-2021")
	type tc struct {
		name    string
		ctx     forms.Context
		answers forms.Answers
		yes, no []string
	}
	cases := []tc{
		// rule 2: R6 = 1 skips R7, R9–R11, R19, R23–R25, R26–R27 (and their sub-questions),
		// even when the answers that would open the followers are present.
		{"rule2/R6=1 skips", personCtx(30, nil),
			forms.Answers{"R6": 1, "R7": 4, "R9": 2, "R19": 1, "R23": 1, "R26": 2},
			[]string{"R6", "R8", "R12", "R13", "R15", "R20", "R21", "R22", "HZ1", "HZ2"},
			[]string{"R7", "R7a", "R9", "R10", "R11", "R19", "R19a", "R19b", "R23", "R24", "R25", "R26", "R27"}},
		{"rule2/R6=1 keeps R17-R18", personCtx(65, forms.Context{"category": 5}),
			forms.Answers{"R6": 1},
			[]string{"R17", "R18"}, []string{"R19", "R23"}},
		{"rule2/R6=1 keeps R16", personCtx(30, forms.Context{"category": 5}),
			forms.Answers{"R6": 1},
			[]string{"R16"}, []string{"R9"}},
		{"rule2/R6=2 asks", personCtx(30, nil),
			forms.Answers{"R6": 2, "R7": 4, "R9": 2, "R19": 1, "R23": 1, "R26": 2},
			[]string{"R7", "R7a", "R9", "R10", "R11", "R19", "R19a", "R19b", "R23", "R24", "R25", "R26", "R27"}, nil},

		// rule 3: R9–R11 only 16 ≤ age ≤ 59
		{"rule3/age 15", personCtx(15, nil), forms.Answers{"R6": 2, "R9": 2}, nil, []string{"R9", "R10", "R11"}},
		{"rule3/age 16", personCtx(16, nil), forms.Answers{"R6": 2, "R9": 2}, []string{"R9", "R10", "R11"}, nil},
		{"rule3/age 59", personCtx(59, nil), forms.Answers{"R6": 2, "R9": 2}, []string{"R9", "R10", "R11"}, nil},
		{"rule3/age 60", personCtx(60, nil), forms.Answers{"R6": 2, "R9": 2}, nil, []string{"R9", "R10", "R11"}},
		{"rule3/age unknown", without(personCtx(30, nil), "age"), forms.Answers{"R6": 2, "R9": 2},
			[]string{"R6", "R8", "R13"}, []string{"R9", "R10", "R11", "R12", "R17", "R19", "R26"}},

		// rule 4: R10 only R9 = 2
		{"rule4/R9=2", personCtx(30, nil), forms.Answers{"R6": 2, "R9": 2}, []string{"R10"}, nil},
		{"rule4/R9=1", personCtx(30, nil), forms.Answers{"R6": 2, "R9": 1}, []string{"R11"}, []string{"R10"}},
		{"rule4/R9 unanswered", personCtx(30, nil), forms.Answers{"R6": 2}, []string{"R9"}, []string{"R10"}},

		// rule 5: R12 only age ≥ 16
		{"rule5/age 15", personCtx(15, nil), nil, nil, []string{"R12"}},
		{"rule5/age 16", personCtx(16, nil), nil, []string{"R12"}, nil},
		{"rule5/age 90", personCtx(90, nil), nil, []string{"R12"}, nil},

		// rule 6: R14 only R13 = 1
		{"rule6/R13=1", personCtx(30, nil), forms.Answers{"R13": 1}, []string{"R14"}, nil},
		{"rule6/R13=2", personCtx(30, nil), forms.Answers{"R13": 2}, nil, []string{"R14"}},
		{"rule6/R13 unanswered", personCtx(30, nil), nil, nil, []string{"R14"}},

		// rule 7: R16 only 16 ≤ age ≤ 59 and (category ∈ {5,6,7} or (category 4 and level ∈ {1,2}))
		{"rule7/age 15 intellectual", personCtx(15, forms.Context{"category": 5, "level": 4}), nil, nil, []string{"R16"}},
		{"rule7/age 16 intellectual", personCtx(16, forms.Context{"category": 5, "level": 4}), nil, []string{"R16"}, nil},
		{"rule7/age 59 intellectual", personCtx(59, forms.Context{"category": 5, "level": 4}), nil, []string{"R16"}, nil},
		{"rule7/age 60 intellectual", personCtx(60, forms.Context{"category": 5, "level": 4}), nil, nil, []string{"R16"}},
		{"rule7/visual level 1", personCtx(30, forms.Context{"category": 1, "level": 1}), nil, nil, []string{"R16"}},
		{"rule7/hearing level 1", personCtx(30, forms.Context{"category": 2, "level": 1}), nil, nil, []string{"R16"}},
		{"rule7/speech level 1", personCtx(30, forms.Context{"category": 3, "level": 1}), nil, nil, []string{"R16"}},
		{"rule7/physical level 1", personCtx(30, forms.Context{"category": 4, "level": 1}), nil, []string{"R16"}, nil},
		{"rule7/physical level 2", personCtx(30, forms.Context{"category": 4, "level": 2}), nil, []string{"R16"}, nil},
		{"rule7/physical level 3", personCtx(30, forms.Context{"category": 4, "level": 3}), nil, nil, []string{"R16"}},
		{"rule7/physical level 4", personCtx(30, forms.Context{"category": 4, "level": 4}), nil, nil, []string{"R16"}},
		{"rule7/intellectual level 4", personCtx(30, forms.Context{"category": 5, "level": 4}), nil, []string{"R16"}, nil},
		{"rule7/mental level 4", personCtx(30, forms.Context{"category": 6, "level": 4}), nil, []string{"R16"}, nil},
		{"rule7/multiple level 4", personCtx(30, forms.Context{"category": 7, "level": 4}), nil, []string{"R16"}, nil},
		{"rule7/category unknown", without(personCtx(30, nil), "category", "level"), nil, nil, []string{"R16"}},

		// rule 8: R17, R18 only age ≥ 60
		{"rule8/age 59", personCtx(59, nil), nil, nil, []string{"R17", "R18"}},
		{"rule8/age 60", personCtx(60, nil), nil, []string{"R17", "R18"}, nil},

		// rule 9: R19 only age ≥ 16; R19a, R19b only R19 = 1
		{"rule9/age 15", personCtx(15, nil), forms.Answers{"R6": 2, "R19": 1}, nil, []string{"R19", "R19a", "R19b"}},
		{"rule9/age 16", personCtx(16, nil), forms.Answers{"R6": 2}, []string{"R19"}, []string{"R19a", "R19b"}},
		{"rule9/R19=1", personCtx(30, nil), forms.Answers{"R6": 2, "R19": 1}, []string{"R19", "R19a", "R19b"}, nil},
		{"rule9/R19=2", personCtx(30, nil), forms.Answers{"R6": 2, "R19": 2}, []string{"R19"}, []string{"R19a", "R19b"}},

		// rule 10: R22d only R22 contains 4 (options by category: TestPersonR22dOptionsFollowCategory)
		{"rule10/R22 has 4", personCtx(30, nil), forms.Answers{"R22": []int{1, 4}}, []string{"R22d"}, nil},
		{"rule10/R22 only 4", personCtx(30, nil), forms.Answers{"R22": []int{4}}, []string{"R22d"}, nil},
		{"rule10/R22 without 4", personCtx(30, nil), forms.Answers{"R22": []int{1, 2}}, nil, []string{"R22d"}},
		{"rule10/R22 unanswered", personCtx(30, nil), nil, []string{"R22"}, []string{"R22d"}},

		// rule 11: R24 only R23 = 1
		{"rule11/R23=1", personCtx(30, nil), forms.Answers{"R6": 2, "R23": 1}, []string{"R24"}, nil},
		{"rule11/R23=2", personCtx(30, nil), forms.Answers{"R6": 2, "R23": 2}, []string{"R25"}, []string{"R24"}},

		// rule 12: R26, R27 only age ≥ 6; R27 only R26 = 2
		{"rule12/age 5", personCtx(5, nil), forms.Answers{"R6": 2, "R26": 2}, nil, []string{"R26", "R27"}},
		{"rule12/age 6", personCtx(6, nil), forms.Answers{"R6": 2, "R26": 2}, []string{"R26", "R27"}, nil},
		{"rule12/R26=1", personCtx(30, nil), forms.Answers{"R6": 2, "R26": 1}, []string{"R26"}, []string{"R27"}},

		// rule 13: R7a only R7 = 4
		{"rule13/R7=4", personCtx(30, nil), forms.Answers{"R6": 2, "R7": 4}, []string{"R7", "R7a"}, nil},
		{"rule13/R7=3", personCtx(30, nil), forms.Answers{"R6": 2, "R7": 3}, []string{"R7"}, []string{"R7a"}},
		{"rule13/R7=5", personCtx(30, nil), forms.Answers{"R6": 2, "R7": 5}, []string{"R7"}, []string{"R7a"}},

		// always asked of an interviewed case
		{"always asked", personCtx(3, nil), nil,
			[]string{"R1", "R2", "R2a", "R3", "R4", "R4a", "R5", "R6", "R7", "R8", "R13", "R15", "R20", "R21", "R22", "R23", "R25", "HZ1", "HZ2"},
			[]string{"R9", "R12", "R16", "R17", "R19", "R26"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Evaluate(c.answers, c.ctx)
			wantRelevant(t, r, c.yes, c.no)
		})
	}
}

// Rule 2 drops the answers of the questions it hides.
func TestPersonInstitutionClearsAnswers(t *testing.T) {
	f := loadForm(t, "person-2021")
	r := f.Evaluate(forms.Answers{"R6": 1, "R7": 4, "R7a": 1, "R9": 2, "R10": 4, "R19": 1, "R23": 1, "R24": []int{1}, "R26": 2, "R27": []int{1}},
		personCtx(30, nil))
	for _, id := range []string{"R7", "R7a", "R9", "R10", "R19", "R23", "R24", "R26", "R27"} {
		if !slices.Contains(r.Cleared, id) {
			t.Errorf("%s should be cleared; %s", id, describe(r))
		}
	}
	for _, id := range []string{"R7", "R9", "R10", "R11", "R19", "R23", "R24", "R25", "R26", "R27"} {
		if slices.Contains(r.Missing, id) {
			t.Errorf("%s should not be missing; %s", id, describe(r))
		}
	}
}

// Rule 1: only outcome 1 opens the form.
func TestPersonOutcomeOnlyInterviewOpensForm(t *testing.T) {
	f := loadForm(t, "person-2021")
	for _, outcome := range []int{2, 3, 4, 5, 6, 9} {
		t.Run(strconv.Itoa(outcome), func(t *testing.T) {
			r := f.Evaluate(forms.Answers{"R1": "张三"}, personCtx(30, forms.Context{"outcome": outcome}))
			if len(r.Relevant) != 0 || len(r.Missing) != 0 || len(r.Findings) != 0 || !r.Complete {
				t.Errorf("outcome %d: want nothing relevant, nothing missing, complete; %s", outcome, describe(r))
			}
			if !slices.Contains(r.Cleared, "R1") {
				t.Errorf("outcome %d: the R1 answer should be cleared; %s", outcome, describe(r))
			}
		})
	}
	t.Run("1", func(t *testing.T) {
		r := f.Evaluate(nil, personCtx(30, nil))
		if len(r.Relevant) == 0 || r.Complete {
			t.Errorf("outcome 1 with no answers: want relevant questions and not complete; %s", describe(r))
		}
	})
}

// Every relevant question is required except R4a, R5 and HZ2.
func TestPersonRequiredItems(t *testing.T) {
	f := loadForm(t, "person-2021")
	r := f.Evaluate(nil, personCtx(30, forms.Context{"category": 5}))
	for _, id := range []string{"R1", "R2", "R2a", "R3", "R4", "R6", "R7", "R8", "R9", "R11", "R12", "R13", "R15", "R16", "R19", "R20", "R21", "R22", "R23", "R25", "R26", "HZ1"} {
		if !slices.Contains(r.Missing, id) {
			t.Errorf("%s should be missing; %s", id, describe(r))
		}
	}
	for _, id := range []string{"R4a", "R5", "HZ2"} {
		if !slices.Contains(r.Relevant, id) {
			t.Errorf("%s should be relevant; %s", id, describe(r))
		}
		if slices.Contains(r.Missing, id) {
			t.Errorf("%s is optional and should not be missing; %s", id, describe(r))
		}
	}
	if r.Complete {
		t.Errorf("an empty form should not be complete")
	}
}

// Rule 10: the R22d options offered follow the category (7 多重: all; 6 精神: none, so the
// question is skipped). An option not offered is not accepted: the answer is dropped.
func TestPersonR22dOptionsFollowCategory(t *testing.T) {
	f := loadForm(t, "person-2021")
	codes := map[int][]int{
		1: {11, 12, 13, 14, 19},
		2: {21, 29},
		3: {31, 39},
		4: {41, 42, 43, 44, 45, 46, 49},
		5: {51, 59},
	}
	var all []int
	for cat := 1; cat <= 5; cat++ {
		all = append(all, codes[cat]...)
	}
	codes[7] = all
	for cat := 1; cat <= 7; cat++ {
		for _, code := range all {
			t.Run(fmt.Sprintf("category %d code %d", cat, code), func(t *testing.T) {
				r := f.Evaluate(forms.Answers{"R22": []int{4}, "R22d": []int{code}},
					personCtx(30, forms.Context{"category": cat, "level": 2}))
				if cat == 6 {
					if slices.Contains(r.Relevant, "R22d") || slices.Contains(r.Missing, "R22d") {
						t.Fatalf("mental disability: R22d offers no option and should be skipped; %s", describe(r))
					}
					if !slices.Contains(r.Cleared, "R22d") {
						t.Errorf("mental disability: the R22d answer should be cleared; %s", describe(r))
					}
					return
				}
				if !slices.Contains(r.Relevant, "R22d") {
					t.Fatalf("R22d should be relevant; %s", describe(r))
				}
				offered := slices.Contains(codes[cat], code)
				accepted := !slices.Contains(r.Cleared, "R22d") && !slices.Contains(r.Missing, "R22d")
				if offered != accepted {
					t.Errorf("category %d, code %d: offered=%v but accepted=%v; %s", cat, code, offered, accepted, describe(r))
				}
			})
		}
	}
}

// A valid certificate number (R2) is where age, sex, category and level come from; it wins
// over the case context. Without a valid one the context is used.
func TestPersonSubjectFromCertificate(t *testing.T) {
	f := loadForm(t, "person-2021")
	age16 := residentID("110101", "20050930", "123") // 16 on 30 September 2021 (birthday)
	age15 := residentID("110101", "20051001", "123") // 15 on 30 September 2021
	girl17 := residentID("110101", "20040301", "124")
	man30 := residentID("110101", "19910520", "131")
	cases := []struct {
		name    string
		ctx     forms.Context
		answers forms.Answers
		yes, no []string
	}{
		{"age 16 from certificate wins over context age 10",
			personCtx(10, nil), forms.Answers{"R2": certificate(age16, 4, 3), "R6": 2},
			[]string{"R9", "R12", "R19"}, []string{"R2b", "R2c"}},
		{"age 15 from certificate wins over context age 40",
			personCtx(40, nil), forms.Answers{"R2": certificate(age15, 4, 3), "R6": 2},
			[]string{"R26"}, []string{"R9", "R12", "R19"}},
		{"category 5 from certificate wins over context category 1",
			personCtx(30, forms.Context{"category": 1, "level": 4}), forms.Answers{"R2": certificate(man30, 5, 4)},
			[]string{"R16"}, nil},
		{"category 1 from certificate wins over context category 5",
			personCtx(30, forms.Context{"category": 5, "level": 4}), forms.Answers{"R2": certificate(man30, 1, 1)},
			nil, []string{"R16"}},
		{"invalid certificate falls back to context",
			personCtx(40, nil), forms.Answers{"R2": certificate(breakCheckChar(age15), 4, 3), "R6": 2},
			[]string{"R9", "R12"}, nil},
		{"no context, certificate only",
			forms.Context{"method": 1, "outcome": 1}, forms.Answers{"R2": certificate(girl17, 5, 2), "R6": 2},
			[]string{"R9", "R12", "R16", "R26"}, []string{"R17", "R2b", "R2c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRelevant(t, f.Evaluate(c.answers, c.ctx), c.yes, c.no)
		})
	}

	// Sex and age from the certificate drive C7 too: a married 17-year-old woman.
	r := f.Evaluate(forms.Answers{"R2": certificate(girl17, 5, 2), "R3": 2}, personCtx(30, forms.Context{"sex": 1}))
	if fd := findFinding(r, "C7", "R3"); fd == nil || fd.Severity != sevWarning {
		t.Errorf("C7 should warn for a married woman of 17 (from the certificate); %s", describe(r))
	}
}

// Legacy 18-character certificate numbers: R2b (category) and R2c (level) are asked, and
// their answers serve as category and level.
func TestPersonLegacyCertificate(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("320102", "19910312", "246") // a woman, 30 on 30 September 2021
	ctx := forms.Context{"method": 1, "outcome": 1}
	cases := []struct {
		name    string
		answers forms.Answers
		yes, no []string
	}{
		{"R2 unanswered", forms.Answers{}, nil, []string{"R2b", "R2c"}},
		{"20 characters", forms.Answers{"R2": certificate(id, 4, 1)}, nil, []string{"R2b", "R2c"}},
		{"18 characters", forms.Answers{"R2": id}, []string{"R2b", "R2c"}, nil},
		{"18 characters, category and level unanswered", forms.Answers{"R2": id}, []string{"R12"}, []string{"R16", "R22d"}},
		{"R2b intellectual", forms.Answers{"R2": id, "R2b": 5, "R2c": 4}, []string{"R2b", "R2c", "R16"}, nil},
		{"R2b visual", forms.Answers{"R2": id, "R2b": 1, "R2c": 1}, nil, []string{"R16"}},
		{"R2b physical, R2c level 2", forms.Answers{"R2": id, "R2b": 4, "R2c": 2}, []string{"R16"}, nil},
		{"R2b physical, R2c level 3", forms.Answers{"R2": id, "R2b": 4, "R2c": 3}, nil, []string{"R16"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRelevant(t, f.Evaluate(c.answers, ctx), c.yes, c.no)
		})
	}

	t.Run("R2b drives R22d options", func(t *testing.T) {
		r := f.Evaluate(forms.Answers{"R2": id, "R2b": 2, "R2c": 3, "R22": []int{4}, "R22d": []int{21}}, ctx)
		if !slices.Contains(r.Relevant, "R22d") || slices.Contains(r.Cleared, "R22d") {
			t.Errorf("hearing (R2b=2): code 21 should be accepted; %s", describe(r))
		}
		r = f.Evaluate(forms.Answers{"R2": id, "R2b": 2, "R2c": 3, "R22": []int{4}, "R22d": []int{11}}, ctx)
		if !slices.Contains(r.Cleared, "R22d") {
			t.Errorf("hearing (R2b=2): code 11 should be dropped; %s", describe(r))
		}
	})

	t.Run("R2 valid legacy number passes C1", func(t *testing.T) {
		r := f.Evaluate(forms.Answers{"R2": id}, ctx)
		if fd := findFinding(r, "C1", "R2"); fd != nil {
			t.Errorf("C1 should not fire for a valid 18-character number; %s", describe(r))
		}
	})
}

// ───────────────────────────────────────────────────────────── person-2021: checks

var personMessages = map[string]string{
	"C1":  "残疾人证号校验不通过",
	"C2":  "已参加职工医疗保险，不应再参加城乡居民基本医疗保险",
	"C3":  "农村危房改造仅适用于农业户口",
	"C4":  "“无”不能与其他选项同时选择",
	"C5":  "退休金（养老金）原则上应45岁以上填报",
	"C6":  "受教育程度与年龄不符，请核实",
	"C7":  "婚姻状况与年龄不符，请核实",
	"C8":  "电话调查须有联系电话",
	"C9":  "户主身份证号校验不通过",
	"C10": "城镇就业人员原则上应参加职工社会保险",
}

type checkCase struct {
	name     string
	ctx      forms.Context
	answers  forms.Answers
	check    string
	at       string
	severity forms.Severity
	fires    bool
}

func runCheckCases(t *testing.T, f *forms.Form, messages map[string]string, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Evaluate(c.answers, c.ctx)
			// The question the check is reported at must be asked, or "does not fire" means nothing.
			if !slices.Contains(r.Relevant, c.at) {
				t.Fatalf("%s should be relevant for this case; %s", c.at, describe(r))
			}
			fd := findFinding(r, c.check, c.at)
			if !c.fires {
				if fd != nil {
					t.Errorf("%s at %s should not fire; %s", c.check, c.at, describe(r))
				}
				return
			}
			if fd == nil {
				t.Fatalf("%s at %s should fire; %s", c.check, c.at, describe(r))
			}
			if fd.Severity != c.severity {
				t.Errorf("%s severity = %q, want %q", c.check, fd.Severity, c.severity)
			}
			// The declared message, verbatim (TestPersonFormContent checks the file); the engine
			// may append the validator's reason to an `invalid` check's message.
			if want, ok := messages[c.check]; ok && !strings.HasPrefix(fd.Message.ZH, want) {
				t.Errorf("%s message zh = %q, want %q", c.check, fd.Message.ZH, want)
			}
			if fd.Message.EN == "" {
				t.Errorf("%s has no English message", c.check)
			}
			if c.severity == sevError && r.Complete {
				t.Errorf("an error finding (%s) must keep the form from completing", c.check)
			}
		})
	}
}

func TestPersonChecks(t *testing.T) {
	f := loadForm(t, "person-2021")
	man30 := residentID("110101", "19910520", "131")
	headID := residentID("110105", "19650101", "112")
	cases := []checkCase{
		// C1: certificate number valid (check character, real date, category 1–7, level 1–4)
		{"C1/valid", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 4, 3)}, "C1", "R2", sevError, false},
		{"C1/valid category 7 level 1", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 7, 1)}, "C1", "R2", sevError, false},
		{"C1/wrong check character", personCtx(30, nil), forms.Answers{"R2": certificate(breakCheckChar(man30), 4, 3)}, "C1", "R2", sevError, true},
		{"C1/category 8", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 8, 3)}, "C1", "R2", sevError, true},
		{"C1/category 0", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 0, 3)}, "C1", "R2", sevError, true},
		{"C1/level 5", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 4, 5)}, "C1", "R2", sevError, true},
		{"C1/level 0", personCtx(30, nil), forms.Answers{"R2": certificate(man30, 4, 0)}, "C1", "R2", sevError, true},
		{"C1/no such date", personCtx(30, nil), forms.Answers{"R2": certificate(residentID("110101", "19910230", "131"), 4, 3)}, "C1", "R2", sevError, true},
		{"C1/19 characters", personCtx(30, nil), forms.Answers{"R2": man30 + "4"}, "C1", "R2", sevError, true},

		// C2: R13 = 1 while R12 contains 2
		{"C2/R12 has 2, R13=1", personCtx(30, nil), forms.Answers{"R12": []int{1, 2}, "R13": 1}, "C2", "R13", sevError, true},
		{"C2/R12 has 2, R13=2", personCtx(30, nil), forms.Answers{"R12": []int{2}, "R13": 2}, "C2", "R13", sevError, false},
		{"C2/R12 without 2, R13=1", personCtx(30, nil), forms.Answers{"R12": []int{1, 3}, "R13": 1}, "C2", "R13", sevError, false},

		// C3: R15 contains 5 while R2a = 2
		{"C3/non-agricultural", personCtx(30, nil), forms.Answers{"R2a": 2, "R15": []int{1, 5}}, "C3", "R15", sevError, true},
		{"C3/agricultural", personCtx(30, nil), forms.Answers{"R2a": 1, "R15": []int{1, 5}}, "C3", "R15", sevError, false},
		{"C3/non-agricultural without 5", personCtx(30, nil), forms.Answers{"R2a": 2, "R15": []int{1, 3}}, "C3", "R15", sevError, false},

		// C5: R10 = 1 and age < 45
		{"C5/age 44", personCtx(44, nil), forms.Answers{"R6": 2, "R9": 2, "R10": 1}, "C5", "R10", sevWarning, true},
		{"C5/age 45", personCtx(45, nil), forms.Answers{"R6": 2, "R9": 2, "R10": 1}, "C5", "R10", sevWarning, false},
		{"C5/age 30, other source", personCtx(30, nil), forms.Answers{"R6": 2, "R9": 2, "R10": 4}, "C5", "R10", sevWarning, false},

		// C6: R8 ≥ 5 and age < 18, or R8 ≥ 3 and age < 12
		{"C6/junior secondary at 11", personCtx(11, nil), forms.Answers{"R8": 3}, "C6", "R8", sevWarning, true},
		{"C6/junior secondary at 12", personCtx(12, nil), forms.Answers{"R8": 3}, "C6", "R8", sevWarning, false},
		{"C6/primary at 11", personCtx(11, nil), forms.Answers{"R8": 2}, "C6", "R8", sevWarning, false},
		{"C6/college at 17", personCtx(17, nil), forms.Answers{"R8": 5}, "C6", "R8", sevWarning, true},
		{"C6/college at 18", personCtx(18, nil), forms.Answers{"R8": 5}, "C6", "R8", sevWarning, false},
		{"C6/postgraduate at 17", personCtx(17, nil), forms.Answers{"R8": 7}, "C6", "R8", sevWarning, true},
		{"C6/senior secondary at 17", personCtx(17, nil), forms.Answers{"R8": 4}, "C6", "R8", sevWarning, false},
		{"C6/age unknown", without(personCtx(30, nil), "age"), forms.Answers{"R8": 7}, "C6", "R8", sevWarning, false},

		// C7: R3 ∈ {2,3,4} and age < 20 (male) / 18 (female)
		{"C7/married man 19", personCtx(19, forms.Context{"sex": 1}), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, true},
		{"C7/married man 20", personCtx(20, forms.Context{"sex": 1}), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, false},
		{"C7/divorced man 19", personCtx(19, forms.Context{"sex": 1}), forms.Answers{"R3": 3}, "C7", "R3", sevWarning, true},
		{"C7/never married man 19", personCtx(19, forms.Context{"sex": 1}), forms.Answers{"R3": 1}, "C7", "R3", sevWarning, false},
		{"C7/married woman 17", personCtx(17, forms.Context{"sex": 2}), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, true},
		{"C7/married woman 18", personCtx(18, forms.Context{"sex": 2}), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, false},
		{"C7/widowed woman 17", personCtx(17, forms.Context{"sex": 2}), forms.Answers{"R3": 4}, "C7", "R3", sevWarning, true},
		{"C7/married woman 19", personCtx(19, forms.Context{"sex": 2}), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, false},
		{"C7/never married woman 17", personCtx(17, forms.Context{"sex": 2}), forms.Answers{"R3": 1}, "C7", "R3", sevWarning, false},
		{"C7/sex unknown", without(personCtx(17, nil), "sex"), forms.Answers{"R3": 2}, "C7", "R3", sevWarning, false},

		// C8: R5 empty and method = 2
		{"C8/telephone, no phone", personCtx(30, forms.Context{"method": 2}), forms.Answers{}, "C8", "R5", sevWarning, true},
		{"C8/telephone, phone given", personCtx(30, forms.Context{"method": 2}), forms.Answers{"R5": "13812345678"}, "C8", "R5", sevWarning, false},
		{"C8/home visit, no phone", personCtx(30, forms.Context{"method": 1}), forms.Answers{}, "C8", "R5", sevWarning, false},
		{"C8/service window, no phone", personCtx(30, forms.Context{"method": 3}), forms.Answers{}, "C8", "R5", sevWarning, false},

		// C9: HZ2 given and not a valid resident ID
		{"C9/valid", personCtx(30, nil), forms.Answers{"HZ2": headID}, "C9", "HZ2", sevError, false},
		{"C9/unanswered", personCtx(30, nil), forms.Answers{}, "C9", "HZ2", sevError, false},
		{"C9/wrong check character", personCtx(30, nil), forms.Answers{"HZ2": breakCheckChar(headID)}, "C9", "HZ2", sevError, true},
		{"C9/no such date", personCtx(30, nil), forms.Answers{"HZ2": residentID("110105", "19650230", "112")}, "C9", "HZ2", sevError, true},
		{"C9/17 characters", personCtx(30, nil), forms.Answers{"HZ2": headID[:17]}, "C9", "HZ2", sevError, true},

		// C10: R9 = 1 and R12 contains 4 and R2a = 2
		{"C10/employed, not insured, non-agricultural", personCtx(30, nil), forms.Answers{"R2a": 2, "R6": 2, "R9": 1, "R12": []int{4}}, "C10", "R12", sevWarning, true},
		{"C10/agricultural", personCtx(30, nil), forms.Answers{"R2a": 1, "R6": 2, "R9": 1, "R12": []int{4}}, "C10", "R12", sevWarning, false},
		{"C10/not employed", personCtx(30, nil), forms.Answers{"R2a": 2, "R6": 2, "R9": 2, "R12": []int{4}}, "C10", "R12", sevWarning, false},
		{"C10/insured", personCtx(30, nil), forms.Answers{"R2a": 2, "R6": 2, "R9": 1, "R12": []int{1, 2}}, "C10", "R12", sevWarning, false},
	}
	runCheckCases(t, f, personMessages, cases)
}

// C1 is the declared check for R2's validator, so an invalid R2 raises C1 and no "format".
// R5 has no declared check: an invalid phone number raises "format".
func TestPersonFormatFindings(t *testing.T) {
	f := loadForm(t, "person-2021")
	man30 := residentID("110101", "19910520", "131")
	r := f.Evaluate(forms.Answers{"R2": certificate(breakCheckChar(man30), 4, 3)}, personCtx(30, nil))
	if findFinding(r, "format", "R2") != nil {
		t.Errorf("invalid R2 should be reported as C1 only; %s", describe(r))
	}
	r = f.Evaluate(forms.Answers{"R5": "12345"}, personCtx(30, nil))
	if fd := findFinding(r, "format", "R5"); fd == nil {
		t.Errorf("invalid phone number at R5 should raise a format finding; %s", describe(r))
	}
	r = f.Evaluate(forms.Answers{"R5": "13812345678"}, personCtx(30, nil))
	if fd := findFinding(r, "format", "R5"); fd != nil {
		t.Errorf("valid mobile number at R5 should not raise a format finding; %s", describe(r))
	}
}

// C4: an exclusive option chosen together with another, at every multiple-choice item that
// has one; R24, R27 and R22d have none.
func TestPersonExclusiveOptions(t *testing.T) {
	f := loadForm(t, "person-2021")
	young := personCtx(30, forms.Context{"category": 7})
	old := personCtx(65, forms.Context{"category": 7})
	type ex struct {
		question  string
		exclusive int
		other     int
		ctx       forms.Context
		base      forms.Answers
	}
	items := []ex{
		{"R11", 6, 1, young, forms.Answers{"R6": 2}},
		{"R12", 4, 1, young, nil},
		{"R15", 6, 1, young, nil},
		{"R17", 4, 1, old, nil},
		{"R18", 4, 3, old, nil},
		{"R21", 6, 2, young, nil},
		{"R22", 6, 1, young, nil},
		{"R25", 10, 9, young, forms.Answers{"R6": 2}},
	}
	var cases []checkCase
	for _, it := range items {
		with := func(v []int) forms.Answers {
			a := forms.Answers{it.question: v}
			for k, x := range it.base {
				a[k] = x
			}
			return a
		}
		cases = append(cases,
			checkCase{it.question + "/exclusive with another", it.ctx, with([]int{it.other, it.exclusive}), "C4", it.question, sevError, true},
			checkCase{it.question + "/exclusive alone", it.ctx, with([]int{it.exclusive}), "C4", it.question, sevError, false},
			checkCase{it.question + "/others only", it.ctx, with([]int{it.other}), "C4", it.question, sevError, false},
		)
	}
	cases = append(cases,
		checkCase{"R24/no exclusive option", young, forms.Answers{"R6": 2, "R23": 1, "R24": []int{1, 2, 3, 4, 5, 6, 7, 8, 9}}, "C4", "R24", sevError, false},
		checkCase{"R27/no exclusive option", young, forms.Answers{"R6": 2, "R26": 2, "R27": []int{1, 2, 3, 4}}, "C4", "R27", sevError, false},
		checkCase{"R22d/no exclusive option", young, forms.Answers{"R22": []int{4}, "R22d": []int{11, 19, 49, 59}}, "C4", "R22d", sevError, false},
	)
	runCheckCases(t, f, personMessages, cases)
}

// ───────────────────────────────────────────────────────────── person-2021: whole forms

func TestPersonFullForm30YearOldMan(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("110101", "19910520", "123") // a man, 30 on 30 September 2021
	answers := forms.Answers{
		"R1": "张三", "R2": certificate(id, 4, 3), "R2a": 2, "R3": 2, "R4": "张三", "R4a": 1,
		"R5": "13812345678", "R6": 2, "R7": 1, "R8": 4, "R9": 1, "R11": []int{1},
		"R12": []int{1, 2}, "R13": 2, "R15": []int{6}, "R19": 2, "R20": 1,
		"R21": []int{3}, "R22": []int{3, 4}, "R22d": []int{41}, "R23": 2, "R25": []int{1},
		"R26": 2, "R27": []int{2}, "HZ1": "张三", "HZ2": id,
	}
	r := f.Evaluate(answers, forms.Context{"method": 1, "outcome": 1})
	want := []string{"R1", "R2", "R2a", "R3", "R4", "R4a", "R5", "R6", "R7", "R8", "R9", "R11",
		"R12", "R13", "R15", "R19", "R20", "R21", "R22", "R22d", "R23", "R25", "R26", "R27", "HZ1", "HZ2"}
	if !slices.Equal(r.Relevant, want) {
		t.Errorf("Relevant =\n  %v\nwant\n  %v", r.Relevant, want)
	}
	if len(r.Missing) != 0 || len(r.Findings) != 0 || len(r.Cleared) != 0 || !r.Complete {
		t.Errorf("want nothing missing, no findings, nothing cleared, complete; %s", describe(r))
	}
}

func TestPersonFullForm70YearOldWomanLegacyCard(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("320102", "19510312", "246") // a woman, 70 on 30 September 2021
	answers := forms.Answers{
		"R1": "李梅", "R2": id, "R2b": 1, "R2c": 2, "R2a": 1, "R3": 4, "R4": "王强", "R4a": 4,
		"R6": 2, "R7": 4, "R7a": 1, "R8": 1, "R12": []int{4}, "R13": 1, "R14": 1,
		"R15": []int{1, 5}, "R17": []int{1}, "R18": []int{1, 2}, "R19": 2, "R20": 1,
		"R21": []int{4}, "R22": []int{4}, "R22d": []int{11, 12}, "R23": 1, "R24": []int{2, 6},
		"R25": []int{10}, "R26": 1, "HZ1": "王强",
	}
	r := f.Evaluate(answers, forms.Context{"method": 1, "outcome": 1})
	want := []string{"R1", "R2", "R2b", "R2c", "R2a", "R3", "R4", "R4a", "R5", "R6", "R7", "R7a",
		"R8", "R12", "R13", "R14", "R15", "R17", "R18", "R19", "R20", "R21", "R22", "R22d",
		"R23", "R24", "R25", "R26", "HZ1", "HZ2"}
	if !slices.Equal(r.Relevant, want) {
		t.Errorf("Relevant =\n  %v\nwant\n  %v", r.Relevant, want)
	}
	if len(r.Missing) != 0 || len(r.Findings) != 0 || len(r.Cleared) != 0 || !r.Complete {
		t.Errorf("want nothing missing, no findings, nothing cleared, complete; %s", describe(r))
	}
}

// ───────────────────────────────────────────────────────────── community-2021

func communityCtx(roster int) forms.Context { return forms.Context{"roster_count": roster} }

func communityAnswers() forms.Answers {
	return forms.Answers{
		"S1": "幸福村", "S1a": "110101001001", "S2": 1, "S3": 25, "S4": 1, "S5": 1, "S6": 2,
		"S7": 1, "S7a": 12, "S8": 1, "S9": 2, "S10": 1, "S11": []int{1, 2},
		"S12": "赵六", "S13": "13912345678", "S14": time.Date(2021, 10, 20, 0, 0, 0, 0, time.UTC),
	}
}

func withAnswers(a forms.Answers, kv forms.Answers) forms.Answers {
	for k, v := range kv {
		if v == nil {
			delete(a, k)
			continue
		}
		a[k] = v
	}
	return a
}

func TestCommunityFullForm(t *testing.T) {
	f := loadForm(t, "community-2021")
	r := f.Evaluate(communityAnswers(), communityCtx(25))
	want := []string{"S1", "S1a", "S2", "S3", "S4", "S5", "S6", "S7", "S7a", "S8", "S9", "S10", "S11", "S12", "S13", "S14"}
	if !slices.Equal(r.Relevant, want) {
		t.Errorf("Relevant =\n  %v\nwant\n  %v", r.Relevant, want)
	}
	if len(r.Missing) != 0 || len(r.Findings) != 0 || len(r.Cleared) != 0 || !r.Complete {
		t.Errorf("want nothing missing, no findings, nothing cleared, complete; %s", describe(r))
	}
}

func TestCommunityRequiredItems(t *testing.T) {
	f := loadForm(t, "community-2021")
	r := f.Evaluate(nil, communityCtx(25))
	for _, id := range []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13", "S14"} {
		if !slices.Contains(r.Missing, id) {
			t.Errorf("%s should be missing; %s", id, describe(r))
		}
	}
	if slices.Contains(r.Missing, "S1a") {
		t.Errorf("S1a is optional; %s", describe(r))
	}
	r = f.Evaluate(withAnswers(communityAnswers(), forms.Answers{"S1a": nil}), communityCtx(25))
	if !r.Complete || len(r.Findings) != 0 {
		t.Errorf("a form without S1a should complete; %s", describe(r))
	}
}

func TestCommunityS7aRelevance(t *testing.T) {
	f := loadForm(t, "community-2021")
	cases := []struct {
		name    string
		answers forms.Answers
		yes, no []string
	}{
		{"S7=1", forms.Answers{"S7": 1}, []string{"S7", "S7a"}, nil},
		{"S7=2", forms.Answers{"S7": 2}, []string{"S7"}, []string{"S7a"}},
		{"S7 unanswered", forms.Answers{}, []string{"S7"}, []string{"S7a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRelevant(t, f.Evaluate(c.answers, communityCtx(25)), c.yes, c.no)
		})
	}
	t.Run("S7=2 clears S7a", func(t *testing.T) {
		r := f.Evaluate(withAnswers(communityAnswers(), forms.Answers{"S7": 2}), communityCtx(25))
		if !slices.Contains(r.Cleared, "S7a") || slices.Contains(r.Missing, "S7a") || !r.Complete {
			t.Errorf("S7a should be cleared and the form complete; %s", describe(r))
		}
	})
}

var communityMessages = map[string]string{
	"K1": "持证残疾人数与底册人数不一致，请核实",
	"K2": "“均未改造”不能与其他选项同时选择",
	"K3": "有日间照料机构但未提供居家服务，请核实",
}

func TestCommunityChecks(t *testing.T) {
	f := loadForm(t, "community-2021")
	full := communityAnswers
	cases := []checkCase{
		// K1: S3 differs from the roster count
		{"K1/equal", communityCtx(25), withAnswers(full(), forms.Answers{"S3": 25}), "K1", "S3", sevWarning, false},
		{"K1/one fewer", communityCtx(25), withAnswers(full(), forms.Answers{"S3": 24}), "K1", "S3", sevWarning, true},
		{"K1/one more", communityCtx(25), withAnswers(full(), forms.Answers{"S3": 26}), "K1", "S3", sevWarning, true},
		{"K1/zero on both", communityCtx(0), withAnswers(full(), forms.Answers{"S3": 0}), "K1", "S3", sevWarning, false},
		{"K1/S3 unanswered", communityCtx(25), withAnswers(full(), forms.Answers{"S3": nil}), "K1", "S3", sevWarning, false},
		{"K1/roster count unknown", forms.Context{}, withAnswers(full(), forms.Answers{"S3": 24}), "K1", "S3", sevWarning, false},

		// K2: S11 exclusive option with another
		{"K2/none with another", communityCtx(25), withAnswers(full(), forms.Answers{"S11": []int{1, 7}}), "K2", "S11", sevError, true},
		{"K2/none alone", communityCtx(25), withAnswers(full(), forms.Answers{"S11": []int{7}}), "K2", "S11", sevError, false},
		{"K2/facilities only", communityCtx(25), withAnswers(full(), forms.Answers{"S11": []int{1, 2, 3, 4, 5, 6}}), "K2", "S11", sevError, false},

		// K3: S9 = 1 and S8 = 2
		{"K3/day care, no home services", communityCtx(25), withAnswers(full(), forms.Answers{"S9": 1, "S8": 2}), "K3", "S9", sevWarning, true},
		{"K3/day care and home services", communityCtx(25), withAnswers(full(), forms.Answers{"S9": 1, "S8": 1}), "K3", "S9", sevWarning, false},
		{"K3/neither", communityCtx(25), withAnswers(full(), forms.Answers{"S9": 2, "S8": 2}), "K3", "S9", sevWarning, false},
	}
	runCheckCases(t, f, communityMessages, cases)

	// A confirmed-able warning does not stop completion; an error does.
	r := f.Evaluate(withAnswers(full(), forms.Answers{"S3": 24}), communityCtx(25))
	if !r.Complete {
		t.Errorf("a K1 warning alone should not keep the form from completing; %s", describe(r))
	}
}

func TestCommunityConstraints(t *testing.T) {
	f := loadForm(t, "community-2021")
	day := func(m time.Month, d int) time.Time { return time.Date(2021, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name     string
		answers  forms.Answers
		question string
		fails    bool
	}{
		{"S3/-1", forms.Answers{"S3": -1}, "S3", true},
		{"S3/0", forms.Answers{"S3": 0}, "S3", false},
		{"S7a/0", forms.Answers{"S7": 1, "S7a": 0}, "S7a", true},
		{"S7a/1", forms.Answers{"S7": 1, "S7a": 1}, "S7a", false},
		{"S7a/365", forms.Answers{"S7": 1, "S7a": 365}, "S7a", false},
		{"S7a/366", forms.Answers{"S7": 1, "S7a": 366}, "S7a", true},
		{"S10/-1", forms.Answers{"S10": -1}, "S10", true},
		{"S10/0", forms.Answers{"S10": 0}, "S10", false},
		{"S10/50", forms.Answers{"S10": 50}, "S10", false},
		{"S10/51", forms.Answers{"S10": 51}, "S10", true},
		{"S1a/12 digits", forms.Answers{"S1a": "110101001001"}, "S1a", false},
		{"S1a/11 digits", forms.Answers{"S1a": "11010100100"}, "S1a", true},
		{"S1a/13 digits", forms.Answers{"S1a": "1101010010011"}, "S1a", true},
		{"S1a/letters", forms.Answers{"S1a": "11010100100A"}, "S1a", true},
		{"S14/day before the reference date", forms.Answers{"S14": day(9, 29)}, "S14", true},
		{"S14/the reference date", forms.Answers{"S14": day(9, 30)}, "S14", false},
		{"S14/after the reference date", forms.Answers{"S14": day(10, 1)}, "S14", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Evaluate(withAnswers(communityAnswers(), c.answers), communityCtx(25))
			var fd *forms.Finding
			for i := range r.Findings {
				if r.Findings[i].Question == c.question && r.Findings[i].Check == "constraint" {
					fd = &r.Findings[i]
				}
			}
			if !c.fails {
				if fd != nil {
					t.Errorf("%s: no constraint finding expected; %s", c.question, describe(r))
				}
				if !r.Complete {
					t.Errorf("form should be complete; %s", describe(r))
				}
				return
			}
			if fd == nil {
				t.Fatalf("%s: constraint finding expected; %s", c.question, describe(r))
			}
			if fd.Severity != sevError {
				t.Errorf("constraint severity = %q, want error", fd.Severity)
			}
			if fd.Message.ZH == "" || fd.Message.EN == "" {
				t.Errorf("constraint finding at %s lacks a message: %+v", c.question, fd.Message)
			}
			if r.Complete {
				t.Errorf("a failed constraint must keep the form from completing; %s", describe(r))
			}
		})
	}
}

func TestCommunityPhoneFormat(t *testing.T) {
	f := loadForm(t, "community-2021")
	r := f.Evaluate(withAnswers(communityAnswers(), forms.Answers{"S13": "12345"}), communityCtx(25))
	if findFinding(r, "format", "S13") == nil || r.Complete {
		t.Errorf("an invalid phone number at S13 should raise a format finding; %s", describe(r))
	}
}

// ───────────────────────────────────────────────────────────── static content of the files

type yText struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

type yOption struct {
	Code      int    `yaml:"code"`
	Label     yText  `yaml:"label"`
	Exclusive bool   `yaml:"exclusive"`
	Relevant  string `yaml:"relevant"`
}

type yQuestion struct {
	ID        string      `yaml:"id"`
	Type      string      `yaml:"type"`
	Label     yText       `yaml:"label"`
	Short     *yText      `yaml:"short"`
	Help      yText       `yaml:"help"`
	Required  *bool       `yaml:"required"`
	Relevant  string      `yaml:"relevant"`
	Prefill   string      `yaml:"prefill"`
	Min       *float64    `yaml:"min"`
	Max       *float64    `yaml:"max"`
	Options   []yOption   `yaml:"options"`
	Questions []yQuestion `yaml:"questions"`
}

type yCheck struct {
	ID        string `yaml:"id"`
	At        string `yaml:"at"`
	Severity  string `yaml:"severity"`
	Invalid   bool   `yaml:"invalid"`
	Exclusive bool   `yaml:"exclusive"`
	When      string `yaml:"when"`
	Message   yText  `yaml:"message"`
}

type yForm struct {
	ID       string `yaml:"id"`
	Version  string `yaml:"version"`
	Title    yText  `yaml:"title"`
	Relevant string `yaml:"relevant"`
	Subject  *struct {
		Certificate string `yaml:"certificate"`
		Category    string `yaml:"category"`
		Level       string `yaml:"level"`
	} `yaml:"subject"`
	Sections []struct {
		ID        string      `yaml:"id"`
		Title     yText       `yaml:"title"`
		Questions []yQuestion `yaml:"questions"`
	} `yaml:"sections"`
	Checks []yCheck `yaml:"checks"`
}

func readYAMLForm(t *testing.T, name string) (yForm, []yQuestion) {
	t.Helper()
	b, err := os.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f yForm
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var flat []yQuestion
	var walk func([]yQuestion)
	walk = func(qs []yQuestion) {
		for _, q := range qs {
			flat = append(flat, q)
			walk(q.Questions)
		}
	}
	for _, s := range f.Sections {
		if s.Title.ZH == "" || s.Title.EN == "" {
			t.Errorf("%s: section %s lacks a zh or en title", name, s.ID)
		}
		walk(s.Questions)
	}
	return f, flat
}

// options parses "1=未婚 2=有配偶 6=无!" (a trailing ! marks the exclusive option).
func parseOptions(spec string) []yOption {
	var out []yOption
	for _, field := range strings.Fields(spec) {
		code, label, _ := strings.Cut(field, "=")
		n, err := strconv.Atoi(code)
		if err != nil {
			panic(field)
		}
		o := yOption{Code: n, Label: yText{ZH: strings.TrimSuffix(label, "!")}}
		o.Exclusive = strings.HasSuffix(label, "!")
		out = append(out, o)
	}
	return out
}

func checkStatic(t *testing.T, name string, flat []yQuestion, order []string, opts map[string]string) {
	t.Helper()
	var got []string
	for _, q := range flat {
		got = append(got, q.ID+":"+q.Type)
		if q.Label.ZH == "" || q.Label.EN == "" {
			t.Errorf("%s %s: label needs zh and en", name, q.ID)
		}
		if q.Help.ZH == "" || q.Help.EN == "" {
			t.Errorf("%s %s: help (指标解释) needs zh and en", name, q.ID)
		}
		if q.Short != nil && (q.Short.ZH == "" || q.Short.EN == "") {
			t.Errorf("%s %s: short label needs zh and en", name, q.ID)
		}
		for _, o := range q.Options {
			if o.Label.ZH == "" || o.Label.EN == "" {
				t.Errorf("%s %s option %d: label needs zh and en", name, q.ID, o.Code)
			}
		}
		want, hasOpts := opts[q.ID]
		if (q.Type == "single" || q.Type == "multiple") != hasOpts {
			t.Errorf("%s %s: type %s, options expected in the test table: %v", name, q.ID, q.Type, hasOpts)
			continue
		}
		if !hasOpts {
			continue
		}
		wantOpts := parseOptions(want)
		if len(q.Options) != len(wantOpts) {
			t.Errorf("%s %s: %d options, want %d", name, q.ID, len(q.Options), len(wantOpts))
			continue
		}
		for i, w := range wantOpts {
			o := q.Options[i]
			if o.Code != w.Code || o.Label.ZH != w.Label.ZH || o.Exclusive != w.Exclusive {
				t.Errorf("%s %s option %d: got %d %q exclusive=%v, want %d %q exclusive=%v",
					name, q.ID, i, o.Code, o.Label.ZH, o.Exclusive, w.Code, w.Label.ZH, w.Exclusive)
			}
		}
	}
	if !slices.Equal(got, order) {
		t.Errorf("%s: questions =\n  %v\nwant\n  %v", name, got, order)
	}
}

func TestPersonFormContent(t *testing.T) {
	f, flat := readYAMLForm(t, "person-2021")
	if f.ID != "person-2021" || f.Version != "2021.1" || f.Relevant != "outcome == 1" {
		t.Errorf("header: id %q version %q relevant %q", f.ID, f.Version, f.Relevant)
	}
	if f.Subject == nil || f.Subject.Certificate != "R2" || f.Subject.Category != "R2b" || f.Subject.Level != "R2c" {
		t.Errorf("subject should be R2 / R2b / R2c: %+v", f.Subject)
	}
	var sections []string
	for _, s := range f.Sections {
		sections = append(sections, s.ID)
	}
	wantSections := []string{"basic", "housing", "education", "employment", "social_security", "care", "medical", "accessibility", "culture", "signature"}
	if !slices.Equal(sections, wantSections) {
		t.Errorf("sections = %v, want %v", sections, wantSections)
	}
	order := []string{
		"R1:text", "R2:certificate-number", "R2b:single", "R2c:single", "R2a:single", "R3:single",
		"R4:text", "R4a:single", "R5:phone", "R6:single",
		"R7:single", "R7a:single", "R8:single", "R9:single", "R10:single", "R11:multiple",
		"R12:multiple", "R13:single", "R14:single", "R15:multiple",
		"R16:single", "R17:multiple", "R18:multiple", "R19:single", "R19a:single", "R19b:single",
		"R20:single", "R21:multiple", "R22:multiple", "R22d:multiple",
		"R23:single", "R24:multiple", "R25:multiple", "R26:single", "R27:multiple",
		"HZ1:text", "HZ2:resident-id",
	}
	yesNo := "1=是 2=否"
	elder := "1=居家养老服务 2=社区（日间）养老服务 3=机构养老服务 4=无!"
	rehab := "1=手术 2=药物 3=功能训练 4=辅助器具 5=护理 6=无!"
	acc := "1=坡道 2=扶手 3=门（拓宽、改向） 4=卫生间 5=厨房 6=地面（防滑、平整） 7=闪光或可视门铃 8=盲道及提示装置 9=其他"
	opts := map[string]string{
		"R2b":  "1=视力 2=听力 3=言语 4=肢体 5=智力 6=精神 7=多重",
		"R2c":  "1=一级 2=二级 3=三级 4=四级",
		"R2a":  "1=农业 2=非农业",
		"R3":   "1=未婚 2=有配偶 3=离婚 4=丧偶",
		"R4a":  "1=本人 2=配偶 3=父母 4=子女 5=其他亲属 6=其他",
		"R6":   yesNo,
		"R7":   "1=自有住房，状况良好 2=享受住房保障（公租房、廉租房、租赁补贴） 3=租住或借住 4=危房 5=其他",
		"R7a":  "1=农村危房 2=城镇危旧房",
		"R8":   "1=未上学 2=小学 3=初中 4=高中（中专） 5=大专 6=本科 7=研究生",
		"R9":   yesNo,
		"R10":  "1=退休金（养老金） 2=财产性收入 3=社会救助与社会福利 4=家庭成员供养 5=其他",
		"R11":  "1=职业技能培训 2=职业介绍 3=农村实用技术培训 4=资金信贷扶持 5=其他帮扶 6=无!",
		"R12":  "1=养老保险 2=医疗保险 3=其他保险（失业、工伤、生育） 4=未参加!",
		"R13":  yesNo,
		"R14":  yesNo,
		"R15":  "1=最低生活保障 2=特困人员救助供养 3=医疗救助 4=其他救助 5=享受农村危房改造 6=无!",
		"R16":  "1=居家托养 2=日间照料 3=寄宿托养 4=无",
		"R17":  elder,
		"R18":  elder,
		"R19":  yesNo,
		"R19a": "1=60–69周岁 2=70周岁及以上",
		"R19b": "3=1人 4=2人及以上",
		"R20":  yesNo,
		"R21":  rehab,
		"R22":  rehab,
		"R22d": "11=助视器 12=盲杖 13=盲表 14=盲人书写用具 19=其他 21=助听器 29=其他 31=会话交流用具 39=其他 " +
			"41=轮椅 42=假肢 43=矫形器 44=拐杖、助行器 45=生活自助器具 46=辅助坐卧、翻身、站立器 49=其他 51=启智用具 59=其他",
		"R23": yesNo,
		"R24": acc,
		"R25": acc + " 10=无!",
		"R26": yesNo,
		"R27": "1=身体状况不允许 2=没有适合的场所和设施 3=没有人组织 4=其他",
	}
	checkStatic(t, "person-2021", flat, order, opts)

	byID := map[string]yQuestion{}
	for _, q := range flat {
		byID[q.ID] = q
	}
	for _, id := range []string{"R4a", "R5", "HZ2"} {
		if q := byID[id]; q.Required == nil || *q.Required {
			t.Errorf("%s should be required: false", id)
		}
	}
	for _, q := range flat {
		if q.Required != nil && !*q.Required && !slices.Contains([]string{"R4a", "R5", "HZ2"}, q.ID) {
			t.Errorf("%s should be required", q.ID)
		}
	}
	for id, field := range map[string]string{"R1": "name", "R2": "certificate", "R4": "guardian", "R5": "phone"} {
		if byID[id].Prefill != field {
			t.Errorf("%s prefill = %q, want %q", id, byID[id].Prefill, field)
		}
	}

	checks := map[string]string{}
	for _, c := range f.Checks {
		checks[c.ID] = c.At + "|" + c.Severity + "|" + c.Message.ZH
		if c.Message.EN == "" {
			t.Errorf("check %s lacks an English message", c.ID)
		}
	}
	wantChecks := map[string]string{
		"C1": "R2|error|", "C2": "R13|error|", "C3": "R15|error|", "C4": "|error|",
		"C5": "R10|warning|", "C6": "R8|warning|", "C7": "R3|warning|", "C8": "R5|warning|",
		"C9": "HZ2|error|", "C10": "R12|warning|",
	}
	for id, w := range wantChecks {
		if got := checks[id]; got != w+personMessages[id] {
			t.Errorf("check %s = %q, want %q", id, got, w+personMessages[id])
		}
	}
	if len(checks) != len(wantChecks) {
		t.Errorf("checks %v, want exactly C1–C10", checks)
	}
}

func TestCommunityFormContent(t *testing.T) {
	f, flat := readYAMLForm(t, "community-2021")
	if f.ID != "community-2021" || f.Version != "2021.1" || f.Relevant != "" || f.Subject != nil {
		t.Errorf("header: id %q version %q relevant %q subject %v", f.ID, f.Version, f.Relevant, f.Subject)
	}
	order := []string{
		"S1:text", "S1a:text", "S2:single", "S3:integer", "S4:single", "S5:single", "S6:single",
		"S7:single", "S7a:integer", "S8:single", "S9:single", "S10:integer", "S11:multiple",
		"S12:text", "S13:phone", "S14:date",
	}
	yesNo := "1=是 2=否"
	opts := map[string]string{
		"S2": "1=村 2=社区", "S4": yesNo, "S5": yesNo, "S6": yesNo, "S7": yesNo, "S8": yesNo, "S9": yesNo,
		"S11": "1=综合服务中心 2=卫生室（医院） 3=学校（幼儿园） 4=文体活动中心 5=商店（小卖部） 6=银行网点 7=均未改造!",
	}
	checkStatic(t, "community-2021", flat, order, opts)
	checks := map[string]string{}
	for _, c := range f.Checks {
		checks[c.ID] = c.At + "|" + c.Severity + "|" + c.Message.ZH
	}
	wantChecks := map[string]string{"K1": "S3|warning|", "K2": "|error|", "K3": "S9|warning|"}
	for id, w := range wantChecks {
		if got := checks[id]; got != w+communityMessages[id] {
			t.Errorf("check %s = %q, want %q", id, got, w+communityMessages[id])
		}
	}
	if len(checks) != len(wantChecks) {
		t.Errorf("checks %v, want exactly K1–K3", checks)
	}
}
