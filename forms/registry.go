package forms

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Registry is the forms a program knows — the built-in ones and a district's files — by
// id and version. Every record names the form and version it was started with, and is
// read with exactly that form; the registry finds it, or says it is missing.
type Registry struct {
	forms []*Form
}

// MissingFormError is a record's form that this program does not have.
type MissingFormError struct {
	ID, Version string
}

func (e *MissingFormError) Error() string { return e.Message("en") }

// Message says it in lang ("zh" or "en"), for a screen.
func (e *MissingFormError) Message(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("form %s version %s is not installed here (ask the district for its file)", e.ID, e.Version)
	}
	return fmt.Sprintf("这台电脑没有表单 %s（版本 %s），请向区县索取这个表单文件", e.ID, e.Version)
}

// ConflictError is two different files that claim the same id and version.
type ConflictError struct {
	ID, Version   string
	First, Second string // their sources
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("form %s version %s is defined twice with different content: %s and %s; give the newer one a new version",
		e.ID, e.Version, e.First, e.Second)
}

// NewRegistry gathers forms, in order (the built-in ones first). The same form twice
// (same id, version and content) is kept once; the same id and version with other
// content is a ConflictError: records would be ambiguous.
func NewRegistry(forms ...*Form) (*Registry, error) {
	r := &Registry{}
	for _, f := range forms {
		if err := r.Add(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add adds one form; see NewRegistry.
func (r *Registry) Add(f *Form) error {
	for _, g := range r.forms {
		if g.ID == f.ID && g.Version == f.Version {
			if g.Digest != f.Digest {
				return &ConflictError{ID: f.ID, Version: f.Version, First: g.Source, Second: f.Source}
			}
			return nil
		}
	}
	r.forms = append(r.forms, f)
	return nil
}

// Form returns the form with the id and version, or a *MissingFormError.
func (r *Registry) Form(id, version string) (*Form, error) {
	for _, f := range r.forms {
		if f.ID == id && f.Version == version {
			return f, nil
		}
	}
	return nil, &MissingFormError{ID: id, Version: version}
}

// Named returns the form a setting names: "id" is its highest version, "id@version"
// that version. The error lists what there is.
func (r *Registry) Named(name string) (*Form, error) {
	id, version, exact := strings.Cut(name, "@")
	if exact {
		f, err := r.Form(id, version)
		if err != nil {
			return nil, fmt.Errorf("form %q: %w; have %s", name, err, r.list())
		}
		return f, nil
	}
	var best *Form
	for _, f := range r.forms {
		if f.ID == id && (best == nil || CompareVersions(f.Version, best.Version) > 0) {
			best = f
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no form %q; have %s", name, r.list())
	}
	return best, nil
}

// All returns every form, in the order added.
func (r *Registry) All() []*Form { return slices.Clone(r.forms) }

func (r *Registry) list() string {
	names := make([]string, len(r.forms))
	for i, f := range r.forms {
		names[i] = f.ID + "@" + f.Version
	}
	return strings.Join(names, ", ")
}

// CompareVersions orders version strings such as "2021.1" < "2021.10" < "2022.1": the
// runs of digits compare as numbers, the rest as text.
func CompareVersions(a, b string) int {
	for a != "" && b != "" {
		na, ra := leadingRun(a)
		nb, rb := leadingRun(b)
		if c := compareRun(na, nb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingRun splits off the first run of digits, or of non-digits.
func leadingRun(s string) (run, rest string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func compareRun(a, b string) int {
	if isDigit(a[0]) && isDigit(b[0]) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return len(a) - len(b)
		}
	}
	return strings.Compare(a, b)
}

// LoadRegistry is the built-in forms and those of dir ("" for none), in that order. A
// file of dir that does not load is returned in skipped, with why, and left out: the
// program runs with the others and says so. Two files with one id and version but
// different content are an error.
func LoadRegistry(dir string) (reg *Registry, skipped []error, err error) {
	builtin, err := BuiltinForms()
	if err != nil {
		return nil, nil, fmt.Errorf("built-in forms: %w", err)
	}
	if reg, err = NewRegistry(builtin...); err != nil {
		return nil, nil, err
	}
	if dir == "" {
		return reg, nil, nil
	}
	extra, err := LoadFS(os.DirFS(dir), ".")
	if err != nil {
		skipped = splitJoined(err)
		if len(extra) == 0 && len(skipped) == 1 {
			if _, ok := skipped[0].(LoadErrors); !ok {
				skipped[0] = fmt.Errorf("forms_dir %s: %w", dir, skipped[0]) // the folder itself
			}
		}
	}
	for _, f := range extra {
		if err := reg.Add(f); err != nil {
			return nil, nil, fmt.Errorf("forms_dir %s: %w", dir, err)
		}
	}
	return reg, skipped, nil
}

// splitJoined undoes errors.Join: one error per file.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
