package demo

import (
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
)

// person2021 is the built-in 2021 person form, which the tests' records are started with.
func person2021(t testing.TB) *forms.Form {
	t.Helper()
	f, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	return f
}
