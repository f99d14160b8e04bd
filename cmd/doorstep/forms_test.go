package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runDoorstep runs the command line with an empty environment and a data dir of its own.
func runDoorstep(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, map[string]string{"DOORSTEP_DATA": t.TempDir()}, "", args...)
}

// runIn runs the command line with exactly env as the environment and stdin as input.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, lookup, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFormsList(t *testing.T) {
	code, out, errOut := runDoorstep(t, "forms", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"person-2021", "community-2021", "残疾人登记表", "社区登记表"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

func TestFormsListWithFormsDir(t *testing.T) {
	dir := t.TempDir()
	mini, err := os.ReadFile("../../forms/testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mini.yaml"), mini, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runDoorstep(t, "--forms-dir", dir, "forms", "list")
	if code != 0 || !strings.Contains(out, "mini") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	// The same file twice is one form.
	if err := os.WriteFile(filepath.Join(dir, "mini2.yaml"), mini, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runDoorstep(t, "--forms-dir", dir, "forms", "list"); code != 0 || strings.Count(out, "mini") != 1 {
		t.Fatalf("the same file twice: exit %d, out %q, err %q", code, out, errOut)
	}
	// The same id and version with other content is refused, naming both files.
	if err := os.WriteFile(filepath.Join(dir, "mini2.yaml"), append(mini, "# changed\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runDoorstep(t, "--forms-dir", dir, "forms", "list")
	if code == 0 || !strings.Contains(errOut, "defined twice with different content") || !strings.Contains(errOut, "mini2.yaml") {
		t.Fatalf("exit %d, err %q", code, errOut)
	}
	// A file that does not load is said, and the others still serve.
	if err := os.WriteFile(filepath.Join(dir, "mini2.yaml"), []byte("id: broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runDoorstep(t, "--forms-dir", dir, "forms", "list")
	if code != 0 || !strings.Contains(out, "mini") || !strings.Contains(errOut, "mini2.yaml") || !strings.Contains(errOut, "not loaded") {
		t.Fatalf("a broken file: exit %d, out %q, err %q", code, out, errOut)
	}
	// A configured form that is not there stops the program, saying what there is.
	code, _, errOut = runDoorstep(t, "--forms-dir", dir, "--person-form", "person-2022", "demo", "--no-tui", "--data", t.TempDir())
	if code == 0 || !strings.Contains(errOut, `person_form: no form "person-2022"`) || !strings.Contains(errOut, "mini@1") {
		t.Fatalf("a missing person_form: exit %d, err %q", code, errOut)
	}
}

func TestFormsShow(t *testing.T) {
	code, out, errOut := runDoorstep(t, "forms", "show", "person-2021")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"R22d", "asked when: 4 in R22", "C2  at R13  error", "6 无 (exclusive)"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q", want)
		}
	}
	if code, _, errOut := runDoorstep(t, "forms", "show", "nope"); code == 0 || !strings.Contains(errOut, "no form \"nope\"") {
		t.Errorf("unknown form: exit %d, %q", code, errOut)
	}
}

func TestFormsLint(t *testing.T) {
	good := "../../forms/testdata/mini.yaml"
	bad := writeFile(t, "bad.yaml", "id: x\nversion: \"1\"\ntitle: {zh: 表}\nreference_date: 2021-09-30\nsections:\n  - id: s\n    title: {zh: 节}\n    questions:\n      - id: A\n        type: single\n        label: {zh: 甲}\n        relevant: \"B == 1\"\n        options: [{code: 1, label: {zh: 是}}]\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"good file", []string{good}, 0, "mini 1, 13 questions"},
		{"bad file", []string{bad}, 1, "bad.yaml:9: question A: relevant \"B == 1\""},
		{"good and bad", []string{good, bad}, 1, "unknown name B"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.yaml")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runDoorstep(t, append([]string{"forms", "lint"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d (want %d), output %q, want %q in it", code, tt.code, out+errOut, tt.want)
			}
		})
	}
}

type checkResult struct {
	Relevant []string `json:"relevant"`
	Missing  []string `json:"missing"`
	Findings []struct {
		Check, Question, Severity, Message string
	} `json:"findings"`
	Cleared  []string `json:"cleared"`
	Complete bool     `json:"complete"`
}

func TestFormsCheck(t *testing.T) {
	example := "../../forms/testdata/example-answers.json"
	tests := []struct {
		name    string
		form    string
		file    string // a path, or JSON content to write
		code    int
		check   func(t *testing.T, r checkResult)
		wantErr string
	}{
		{name: "complete example", form: "person-2021", file: example, code: 0, check: func(t *testing.T, r checkResult) {
			if !r.Complete || len(r.Missing) != 0 || len(r.Findings) != 0 || !slices.Contains(r.Relevant, "R22d") {
				t.Errorf("%+v", r)
			}
		}},
		{name: "C2 fires", form: "person-2021",
			file: `{"answers": {"R12": [2], "R13": 1}, "context": {"method": 1, "outcome": 1, "age": 30}}`, code: 1,
			check: func(t *testing.T, r checkResult) {
				if len(r.Findings) != 1 || r.Findings[0].Check != "C2" || r.Findings[0].Question != "R13" || r.Findings[0].Severity != "error" ||
					r.Findings[0].Message != "已参加职工医疗保险，不应再参加城乡居民基本医疗保险" {
					t.Errorf("findings %+v", r.Findings)
				}
				if r.Complete || !slices.Contains(r.Missing, "R1") {
					t.Errorf("%+v", r)
				}
			}},
		{name: "cleared listed", form: "person-2021",
			file: `{"answers": {"R6": 1, "R9": 1}, "context": {"age": 30}}`, code: 1,
			check: func(t *testing.T, r checkResult) {
				if !slices.Equal(r.Cleared, []string{"R9"}) {
					t.Errorf("cleared %v", r.Cleared)
				}
			}},
		{name: "outcome 2: nothing to ask", form: "person-2021", file: `{"answers": {}, "context": {"outcome": 2}}`, code: 0,
			check: func(t *testing.T, r checkResult) {
				if len(r.Relevant) != 0 || r.Relevant == nil || !r.Complete {
					t.Errorf("%+v", r)
				}
			}},
		{name: "code not an option", form: "person-2021", file: `{"answers": {"R6": 7}}`, code: 2, wantErr: "R6: 7 is not an option (codes 1, 2)"},
		{name: "wrong type", form: "person-2021", file: `{"answers": {"R12": 1}}`, code: 2, wantErr: "R12: expected a list"},
		{name: "unknown question", form: "person-2021", file: `{"answers": {"R99": 1}}`, code: 2, wantErr: `"R99": no such question`},
		{name: "unknown context key", form: "person-2021", file: `{"answers": {}, "context": {"agee": 3}}`, code: 2, wantErr: `unknown key "agee"`},
		{name: "unknown top-level key", form: "person-2021", file: `{"answer": {}}`, code: 2, wantErr: `unknown field "answer"`},
		{name: "syntax error with line", form: "person-2021", file: "{\n\"answers\": {\n\"R6\": 1,,\n}}", code: 2, wantErr: "line 3"},
		{name: "escape sequence in text", form: "person-2021", file: `{"answers": {"R1": "\u001b[2J张三"}}`, code: 2, wantErr: "control character U+001B"},
		{name: "GBK file", form: "person-2021", file: "{\"answers\": {\"R1\": \"\xd5\xc5\xc8\xfd\"}}", code: 2, wantErr: "not UTF-8"},
		{name: "BOM is fine", form: "person-2021", file: "\xef\xbb\xbf{\"answers\": {}}", code: 1},
		{name: "unknown form", form: "nope", file: example, code: 2, wantErr: `no form "nope"`},
		{name: "missing file", form: "person-2021", file: "/nonexistent/a.json", code: 2, wantErr: "no such file"},
		{name: "huge text", form: "person-2021", file: `{"answers": {"R1": "` + strings.Repeat("长", 10<<20/3) + `"}}`, code: 2, wantErr: "at most 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file
			if strings.HasPrefix(strings.TrimPrefix(tt.file, "\xef\xbb\xbf"), "{") {
				path = writeFile(t, "answers.json", tt.file)
			}
			code, out, errOut := runDoorstep(t, "forms", "check", tt.form, path)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q; stderr %q", code, tt.code, out, errOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.wantErr)
			}
			if tt.check != nil {
				var r checkResult
				if err := json.Unmarshal([]byte(out), &r); err != nil {
					t.Fatalf("output is not JSON: %v\n%s", err, out)
				}
				tt.check(t, r)
			}
		})
	}
}

func TestFormsCheckEnglish(t *testing.T) {
	p := writeFile(t, "a.json", `{"answers": {"R12": [2], "R13": 1}, "context": {"age": 30}}`)
	_, out, _ := runDoorstep(t, "--language", "en", "forms", "check", "person-2021", p)
	if !strings.Contains(out, "employee medical insurance") && !strings.Contains(strings.ToLower(out), "medical insurance") {
		t.Errorf("English message missing:\n%s", out)
	}
}

// Next year's form named in the configuration: new interviews are started on it, and a
// laptop without its file says so by name and version rather than reading them with
// another form.
func TestRecordsKeepTheirForm(t *testing.T) {
	formsDir := t.TempDir()
	next, err := os.ReadFile("../../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(formsDir, "person-2022.yaml"), next, 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "d")
	env := map[string]string{"DOORSTEP_USER": "L001", "DOORSTEP_PASSPHRASE": "demo1234", "DOORSTEP_DATA": data}
	if code, _, errOut := runIn(t, env, "", "--forms-dir", formsDir, "--person-form", "person-2022", "demo", "--no-tui", "--data", data, "--cases", "8", "--completed", "3"); code != 0 {
		t.Fatalf("demo on person-2022: exit %d: %s", code, errOut)
	}
	if code, out, errOut := runIn(t, env, "", "--forms-dir", formsDir, "verify"); code != 0 || !strings.Contains(out, "ok: 3 records") {
		t.Fatalf("verify with the form: exit %d, %s%s", code, out, errOut)
	}
	code, out, _ := runIn(t, env, "", "verify")
	if code != 1 || !strings.Contains(out, "form person-2022 version 2022.1 is not installed here") || strings.Count(out, "not installed") != 3 {
		t.Errorf("verify without the form: exit %d, %s", code, out)
	}
	code, out, errOut := runIn(t, env, "", "--forms-dir", formsDir, "report", "validation", "--out", filepath.Join(t.TempDir(), "v.csv"))
	if code != 0 {
		t.Errorf("a report of person-2022 records: exit %d, %s%s", code, out, errOut)
	}
}
