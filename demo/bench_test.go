package demo

import (
	"testing"

	"github.com/doorstep-survey/doorstep/forms/formstest"
)

// BenchmarkGenerate20000 is a district the size of the store's benchmarks (20 000 cases).
func BenchmarkGenerate20000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if d := Generate(Options{Seed: 1, Cases: 20000}); len(d.Rows) != 20000 {
			b.Fatal(len(d.Rows))
		}
	}
}

// BenchmarkAnswer is one case: method, outcome and, mostly, the whole person form walked
// question by question with an evaluation after each answer.
func BenchmarkAnswer(b *testing.B) {
	f := formstest.Person2021(b)
	rows := Generate(Options{Seed: 1, Cases: 1000}).Rows
	rng := NewRand(2)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Answer(f, rows[i%len(rows)], rng, DefaultReference)
		i++
	}
}
