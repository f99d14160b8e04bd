package forms

import (
	"errors"
	"strings"
	"testing"
)

const goodHeader = `id: t
version: "1"
title: {zh: 表}
reference_date: 2021-09-30
sections:
  - id: s
    title: {zh: 节}
    questions:
`

// TestLoadErrors: each broken file gives an error naming the line, the item and the fault.
func TestLoadErrors(t *testing.T) {
	q := func(body string) string { return goodHeader + body }
	single := `      - id: A
        type: single
        label: {zh: 甲}
        options:
          - {code: 1, label: {zh: 是}}
          - {code: 2, label: {zh: 否}}
`
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error, in order: "file:line: item: message"
	}{
		{"yaml syntax", "id: [t\n", []string{"t.yaml:1: ", "did not find expected"}},
		{"empty file", "", []string{"file is empty"}},
		{"unknown top-level key", "idd: t\n", []string{"t.yaml:1: ", `unknown key "idd"`}},
		{"unknown question key", q(single + "        lable: {zh: x}\n"), []string{"t.yaml:15: question A: ", `unknown key "lable"`}},
		{"unknown text key", q(`      - id: A
        type: text
        label: {zh: 甲, fr: x}
`), []string{"t.yaml:11: question A: ", `unknown key "fr"`}},
		{"wrong value type", q(`      - id: A
        type: integer
        label: {zh: 甲}
        min: lots
`), []string{"t.yaml:12: question A: ", "cannot unmarshal text `lots` into float64"}},
		{"unknown type", q(`      - id: A
        type: choice
        label: {zh: 甲}
`), []string{"t.yaml:9: question A: ", `unknown type "choice"`}},
		{"duplicate id", q(single + strings.Replace(single, "甲", "乙", 1)), []string{"t.yaml:15: question A: ", "duplicate question id (first at line 9)"}},
		{"duplicate code", q(single + "          - {code: 2, label: {zh: 再}}\n"), []string{"t.yaml:15: question A: ", "duplicate option code 2"}},
		{"options on text", q(`      - id: A
        type: text
        label: {zh: 甲}
        options: [{code: 1, label: {zh: x}}]
`), []string{"t.yaml:9: question A: ", "only single and multiple questions have options"}},
		{"missing label", q("      - id: A\n        type: text\n"), []string{"t.yaml:9: question A: ", "label.zh is missing"}},
		{"unknown name in expression", q(single + "        relevant: \"B == 1\"\n"), []string{"t.yaml:9: question A: ", `relevant "B == 1"`, "unknown name B"}},
		{"mismatched types", q(single + "        relevant: \"age == \\\"x\\\"\"\n"), []string{"t.yaml:9: question A: ", "mismatched types int and string"}},
		{"not a bool", q(single + "        relevant: \"age + 1\"\n"), []string{"t.yaml:9: question A: ", "expected bool"}},
		{"expression syntax", q(single + "        relevant: \"age >\"\n"), []string{"t.yaml:9: question A: ", `relevant "age >"`}},
		{"forward reference", q(strings.Replace(single, "        options:", "        relevant: \"B == 1\"\n        options:", 1) +
			strings.NewReplacer("id: A", "id: B", "甲", "乙").Replace(single)),
			[]string{"t.yaml:9: question A: ", "uses B, which is not asked before it"}},
		{"answered names no question", q(single + "        constraint: 'answered(\"Z\")'\n        constraint_message: {zh: 错}\n"),
			[]string{"question A: ", `answered("Z") names no question`}},
		{"constraint without message", q(single + "        constraint: \"A == 1\"\n"), []string{"question A: ", "constraint_message.zh"}},
		{"form relevance uses an answer", strings.Replace(q(single), "sections:", "relevant: \"A == 1\"\nsections:", 1),
			[]string{"t.yaml: ", "only case variables"}},
		{"check at unknown question", q(single) + "checks:\n  - {id: K, at: Z, severity: error, when: \"true\", message: {zh: 错}}\n",
			[]string{"t.yaml:16: check K: ", `at names "Z"`}},
		{"check severity", q(single) + "checks:\n  - {id: K, at: A, severity: fatal, when: \"true\", message: {zh: 错}}\n",
			[]string{"t.yaml:16: check K: ", "severity must be error or warning"}},
		{"check of two kinds", q(single) + "checks:\n  - {id: K, at: A, severity: error, when: \"true\", invalid: true, message: {zh: 错}}\n",
			[]string{"check K: ", "exactly one of"}},
		{"invalid on a choice", q(single) + "checks:\n  - {id: K, at: A, severity: error, invalid: true, message: {zh: 错}}\n",
			[]string{"check K: ", "invalid: true needs"}},
		{"bad reference date", strings.Replace(q(single), "2021-09-30", "2021-02-30", 1), []string{"reference_date"}},
		{"reserved id", q(strings.Replace(single, "id: A", "id: age", 1)), []string{"question age: ", "reserved name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("loaded without error")
			}
			var les LoadErrors
			if !errors.As(err, &les) {
				t.Fatalf("error is %T, want LoadErrors: %v", err, err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load("t.yaml", []byte(goodHeader+`      - id: A
        type: text
      - id: B
        type: nope
        label: {zh: 乙}
`))
	var les LoadErrors
	if !errors.As(err, &les) || len(les) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
}

func TestLoadFileTooLarge(t *testing.T) {
	big := make([]byte, maxFormFileSize+1)
	if _, err := Load("big.yaml", big); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("err = %v", err)
	}
}
