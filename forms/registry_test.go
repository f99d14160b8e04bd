package forms_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
)

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2021.1", "2021.1", 0}, {"2021.1", "2021.2", -1}, {"2021.2", "2021.10", -1},
		{"2022.1", "2021.10", 1}, {"2021", "2021.1", -1}, {"2021.01", "2021.1", 0},
	} {
		got := forms.CompareVersions(c.a, c.b)
		if got < 0 {
			got = -1
		} else if got > 0 {
			got = 1
		}
		if got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	data, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := forms.Load("a/mini.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	same, _ := forms.Load("b/mini.yaml", data)
	newer, err := forms.Load("c/mini.yaml", []byte(strings.Replace(string(data), `version: "1"`, `version: "2"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(v1, same, newer)
	if err != nil {
		t.Fatalf("the same file twice is one form: %v", err)
	}
	if n := len(reg.All()); n != 2 {
		t.Errorf("%d forms, want 2", n)
	}
	if f, err := reg.Named(v1.ID); err != nil || f != newer {
		t.Errorf("Named(%q) = %v, %v; want the newest version", v1.ID, f, err)
	}
	if f, err := reg.Named(v1.ID + "@" + v1.Version); err != nil || f != v1 {
		t.Errorf("Named with a version = %v, %v", f, err)
	}
	_, err = reg.Form(v1.ID, "9")
	var missing *forms.MissingFormError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), v1.ID+" version 9") {
		t.Errorf("a missing version: %v", err)
	}
	if _, err := reg.Named("nosuch"); err == nil || !strings.Contains(err.Error(), v1.ID+"@2") {
		t.Errorf("a missing form names what there is: %v", err)
	}

	changed, err := forms.Load("d/mini.yaml", append(data, []byte("\n# another file\n")...))
	if err != nil {
		t.Fatal(err)
	}
	err = reg.Add(changed)
	var conflict *forms.ConflictError
	if !errors.As(err, &conflict) || !strings.Contains(err.Error(), "a/mini.yaml") || !strings.Contains(err.Error(), "d/mini.yaml") {
		t.Errorf("same id and version, other content: %v", err)
	}
}

func TestLoadRegistrySaysWhichFilesFailed(t *testing.T) {
	dir := t.TempDir()
	mini, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/mini.yaml", mini, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/broken.yaml", []byte("id: broken\nversion: \"1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, skipped, err := forms.LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Named("mini"); err != nil {
		t.Errorf("the good file is not loaded: %v", err)
	}
	if _, err := reg.Named("person-2021"); err != nil {
		t.Errorf("the built-in forms are not there: %v", err)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "broken.yaml") {
		t.Errorf("skipped %v, want broken.yaml named", skipped)
	}
	if _, skipped, err := forms.LoadRegistry(dir + "/none"); err != nil || len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "forms_dir") {
		t.Errorf("a missing folder: %v, %v", skipped, err)
	}
}
