// Package formstest helps the tests of the programs that take answers to forms. It must
// never be imported by a program.
package formstest

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/builtin"
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

// Community2022 is next year's community form for the tests of a draft's move: 2021's
// with S2's code 1 recoded to 2, and S4 no longer asked (a new S4x in its place).
func Community2022(t testing.TB) *forms.Form {
	t.Helper()
	src, err := fs.ReadFile(builtin.Files, "community-2021.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(src), "id: community-2021\nversion: \"2021.1\"\n",
		"id: community-2022\nversion: \"2022.1\"\ncarries:\n  from: [community-2021]\n  recode:\n    S2: {1: 2}\n", 1)
	y = strings.Replace(y, "      - id: S4\n", "      - id: S4x\n", 1)
	f, err := forms.Load("community-2022.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
