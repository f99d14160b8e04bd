package forms

import (
	"slices"
	"testing"
)

func TestCheckReads(t *testing.T) {
	f, err := Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Checks {
		if c.At == "" {
			continue // an exclusive-option rule: every multiple choice's own
		}
		if reads := f.CheckReads(c.ID); !slices.Contains(reads, c.At) {
			t.Errorf("%s: reads %v without its own question %s", c.ID, reads, c.At)
		}
	}
	if got := f.CheckReads("C2"); !slices.Equal(got, []string{"R12", "R13"}) {
		t.Errorf("C2 reads %v, want R12 and R13", got)
	}
	// C5 reads the age: the certificate number it derives from.
	if got := f.CheckReads("C5"); !slices.Contains(got, f.Subject.Certificate) || !f.CheckUsesAge("C5") || f.CheckUsesAge("C2") {
		t.Errorf("C5 reads %v, uses age %v", got, f.CheckUsesAge("C5"))
	}
	if f.CheckReads("no-such-check") != nil {
		t.Error("an unknown check reads something")
	}
}

func TestAge(t *testing.T) {
	f, err := Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Age(Answers{}, Context{}); ok {
		t.Error("an age from nothing")
	}
	if age, ok := f.Age(Answers{}, Context{"age": 40}); !ok || age != 40 {
		t.Errorf("context age %d %v", age, ok)
	}
}
