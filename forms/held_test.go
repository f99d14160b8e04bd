package forms_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
)

// A mistyped certificate number makes the age and category unknown for a while. The
// answers gated on them are held — kept, not shown, not counted, not checked — and come
// back as they were when the number is corrected.
func TestPersonAnswersHeldWhileCertificateInvalid(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("110101", "19910520", "123") // a man, 30 on 30 September 2021
	good := certificate(id, 4, 1)                 // physical, level 1: R16 applies
	answers := forms.Answers{
		"R1": "张三", "R2": good, "R2a": 2, "R3": 2, "R4": "张三", "R4a": 1,
		"R5": "13812345678", "R6": 2, "R7": 1, "R8": 4, "R9": 1, "R11": []int{1},
		"R12": []int{1, 2}, "R13": 2, "R15": []int{6}, "R16": 1, "R19": 2, "R20": 1,
		"R21": []int{3}, "R22": []int{3, 4}, "R22d": []int{41}, "R23": 2, "R25": []int{1},
		"R26": 2, "R27": []int{2}, "HZ1": "张三", "HZ2": id,
	}
	ctx := forms.Context{"method": 1, "outcome": 1}
	before := f.Evaluate(answers, ctx)
	if !before.Complete || len(before.Held) != 0 || len(before.Cleared) != 0 {
		t.Fatalf("the valid form: %s held=%v", describe(before), before.Held)
	}

	typo := maps.Clone(answers)
	typo["R2"] = breakCheckChar(good)
	r := f.Evaluate(typo, ctx)
	wantHeld := []string{"R9", "R11", "R12", "R16", "R22d", "R26", "R27"}
	for _, q := range wantHeld {
		if !slices.Contains(r.Held, q) {
			t.Errorf("%s should be held while R2 is invalid; held=%v", q, r.Held)
		}
		if slices.Contains(r.Relevant, q) || slices.Contains(r.Missing, q) {
			t.Errorf("a held %s must be neither shown nor missing; %s", q, describe(r))
		}
		for _, fd := range r.Findings {
			if fd.Question == q {
				t.Errorf("a held %s must not be checked: %+v", q, fd)
			}
		}
	}
	if len(r.Cleared) != 0 {
		t.Errorf("nothing may be cleared on a guess; cleared=%v", r.Cleared)
	}
	kept := maps.Clone(typo)
	r.Apply(kept) // what the form screen saves
	for _, q := range wantHeld {
		if _, ok := kept[q]; !ok {
			t.Errorf("Apply dropped the held answer %s", q)
		}
	}

	kept["R2"] = good
	after := f.Evaluate(kept, ctx)
	if !slices.Equal(after.Relevant, before.Relevant) || !after.Complete || len(after.Held) != 0 {
		t.Errorf("corrected: %s held=%v; want the form as before: %v", describe(after), after.Held, before.Relevant)
	}
}

// An answer that another answer makes irrelevant is still cleared: only a guess holds.
func TestPersonAnswerClearedByAnotherAnswerIsNotHeld(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("110101", "19910520", "123")
	a := forms.Answers{"R2": certificate(id, 4, 3), "R6": 1, "R9": 1, "R12": []int{1}}
	r := f.Evaluate(a, forms.Context{"method": 1, "outcome": 1})
	if !slices.Contains(r.Cleared, "R9") || slices.Contains(r.Held, "R9") {
		t.Errorf("R6 == 1 (institution) clears R9; cleared=%v held=%v", r.Cleared, r.Held)
	}
}

// An option offered only for some categories is held, not dropped, while the category is
// unknown; the rest of the answer is what the checks see.
func TestPersonOptionHeldWhileCategoryUnknown(t *testing.T) {
	f := loadForm(t, "person-2021")
	id := residentID("110101", "19910520", "123")
	a := forms.Answers{"R2": id, "R22": []int{4}, "R22d": []int{11, 41}} // legacy card, R2b not yet answered
	r := f.Evaluate(a, forms.Context{"method": 1, "outcome": 1})
	if !slices.Contains(r.Held, "R22d") || slices.Contains(r.Cleared, "R22d") {
		t.Errorf("R22d's category options should be held; held=%v cleared=%v", r.Held, r.Cleared)
	}
	r.Apply(a)
	if !slices.Equal(a["R22d"].([]int), []int{11, 41}) {
		t.Errorf("R22d = %v after Apply, want both codes kept", a["R22d"])
	}
	a["R2b"], a["R2c"] = 4, 2
	r = f.Evaluate(a, forms.Context{"method": 1, "outcome": 1})
	if !slices.Contains(r.Cleared, "R22d") {
		t.Errorf("with category 4 known, code 11 (visual) is cleared; cleared=%v", r.Cleared)
	}
}
