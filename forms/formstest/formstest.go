// Package formstest helps the tests of the programs that take answers to forms. It must
// never be imported by a program.
package formstest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
)

// Typed is an answer as a person types it on a line, in the plain mode or a screen's
// editor: a number, a date as 2006-01-02, text, the codes of options separated by
// spaces. An answer of another type is a mistake of the test, and fails it.
func Typed(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case []int:
		s := make([]string, len(v))
		for i, c := range v {
			s[i] = strconv.Itoa(c)
		}
		return strings.Join(s, " ")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.Format("2006-01-02")
	case string:
		return v
	}
	panic(fmt.Sprintf("formstest.Typed: an answer of type %T", v))
}

// Person2021 is the built-in person form of 2021, the form most tests interview with.
func Person2021(t testing.TB) *forms.Form {
	t.Helper()
	f, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	return f
}
