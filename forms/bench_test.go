package forms

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"testing"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// exampleAnswers are the README's example: a 30-year-old's fully answered person form.
func exampleAnswers(tb testing.TB, f *Form) (Answers, Context) {
	tb.Helper()
	data, err := os.ReadFile("testdata/example-answers.json")
	if err != nil {
		tb.Fatal(err)
	}
	var in struct {
		Answers map[string]any `json:"answers"`
		Context map[string]int `json:"context"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		tb.Fatal(err)
	}
	a, err := f.ParseAnswers(in.Answers)
	if err != nil {
		tb.Fatal(err)
	}
	return a, Context(in.Context)
}

func TestExampleAnswersComplete(t *testing.T) {
	f, err := Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	a, c := exampleAnswers(t, f)
	res := f.Evaluate(a, c)
	if !res.Complete || len(res.Findings) != 0 || len(res.Cleared) != 0 {
		t.Fatalf("example not clean: missing %v findings %v cleared %v", res.Missing, findingKeys(res.Findings), res.Cleared)
	}
}

// BenchmarkEvaluatePerson is the target "evaluate all skip logic and checks of the person
// form after one answer" (< 50 µs), with no answers and with a full form, so allocations
// that grow with the answers show as a difference.
func BenchmarkEvaluatePerson(b *testing.B) {
	f, err := Builtin("person-2021")
	if err != nil {
		b.Fatal(err)
	}
	full, c := exampleAnswers(b, f)
	for _, bc := range []struct {
		name string
		a    Answers
	}{{"empty", Answers{}}, {"full", full}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Evaluate(bc.a, c)
			}
		})
	}
}

// BenchmarkLoadBuiltin is the target "load and compile both built-in forms" (< 20 ms).
func BenchmarkLoadBuiltin(b *testing.B) {
	var files [][]byte
	for _, p := range []string{"builtin/person-2021.yaml", "builtin/community-2021.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range files {
			if _, err := Load("f.yaml", data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkReadBackPerson(b *testing.B) {
	f, err := Builtin("person-2021")
	if err != nil {
		b.Fatal(err)
	}
	a, c := exampleAnswers(b, f)
	b.ReportAllocs()
	for b.Loop() {
		f.ReadBack(a, c, "zh")
	}
}
