package forms

import (
	"fmt"
	"strings"
	"testing"
)

// TestLoadRefusesAliasBombs: nested YAML aliases that expand exponentially ("billion
// laughs") are refused before decoding instead of eating the laptop's memory.
func TestLoadRefusesAliasBombs(t *testing.T) {
	var b strings.Builder
	b.WriteString(goodHeader)
	b.WriteString("      - &q0 {id: Q0, type: text, label: {zh: 甲}}\n")
	for i := 1; i < 10; i++ {
		ref := fmt.Sprintf("*q%d", i-1)
		fmt.Fprintf(&b, "      - &q%d {id: Q%d, type: text, label: {zh: 甲}, questions: [%s]}\n", i, i, strings.Repeat(ref+", ", 9)+ref)
	}
	_, err := Load("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "alias") {
		t.Fatalf("err = %v, want a refusal naming aliases", err)
	}
}

func TestLoadRefusesRecursiveAlias(t *testing.T) {
	_, err := Load("rec.yaml", []byte(goodHeader+"      - &a {id: A, type: text, label: {zh: 甲}, questions: [*a]}\n"))
	if err == nil {
		t.Fatal("recursive alias loaded")
	}
}
