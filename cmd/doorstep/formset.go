package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/doorstep-survey/doorstep/config"
	"github.com/doorstep-survey/doorstep/forms"
)

// formSet is the forms resolved once from the configuration and handed down: every
// form the program has (a record is read with its own), and the two new records are
// started with.
type formSet struct {
	reg       *forms.Registry
	person    *forms.Form
	community *forms.Form
	// skipped are the files of forms_dir that did not load, each with why: the
	// program runs with the others and says so.
	skipped []error
}

// resolveForms loads the built-in forms and the files of forms_dir, and finds the forms
// person_form and community_form name. Two files with one id and version but other
// content, or a named form that is not there, stop the program: records would be
// started with the wrong form.
func resolveForms(cfg config.Config) (formSet, error) {
	fs, err := loadRegistry(cfg)
	if err != nil {
		return formSet{}, err
	}
	if fs.person, err = fs.reg.Named(cfg.PersonFormName()); err != nil {
		return formSet{}, fmt.Errorf("person_form: %w%s", err, fs.skippedHint())
	}
	if fs.community, err = fs.reg.Named(cfg.CommunityFormName()); err != nil {
		return formSet{}, fmt.Errorf("community_form: %w%s", err, fs.skippedHint())
	}
	return fs, nil
}

// personOr is the form a --form flag names ("" for person_form): the form a roster is
// imported for, or a draft moved to.
func (fs formSet) personOr(name string) (*forms.Form, error) {
	if name == "" {
		return fs.person, nil
	}
	return fs.reg.Named(name)
}

// loadRegistry is resolveForms without naming the forms for new records: what the
// forms subcommands list and check.
func loadRegistry(cfg config.Config) (formSet, error) {
	var fs formSet
	var err error
	fs.reg, fs.skipped, err = forms.LoadRegistry(cfg.FormsDir)
	return fs, err
}

// warn says on w which files of forms_dir were left out and why.
func (fs formSet) warn(w io.Writer) {
	for _, err := range fs.skipped {
		fmt.Fprintf(w, "form file not loaded (the program goes on without it): %v\n", err)
	}
}

// notice is the same for the screens, in both languages; empty when all loaded.
func (fs formSet) notice() [2]string {
	if len(fs.skipped) == 0 {
		return [2]string{}
	}
	var files []string
	for _, err := range fs.skipped {
		var le forms.LoadErrors
		if errors.As(err, &le) && len(le) > 0 {
			files = append(files, filepath.Base(le[0].File))
		} else {
			files = append(files, "forms_dir")
		}
	}
	list := strings.Join(files, ", ")
	return [2]string{
		fmt.Sprintf("表单文件没有载入：%s（原因见 doorstep forms list）", list),
		fmt.Sprintf("form files not loaded: %s (doorstep forms list says why)", list),
	}
}

func (fs formSet) skippedHint() string {
	if len(fs.skipped) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d files of forms_dir did not load: %v)", len(fs.skipped), errors.Join(fs.skipped...))
}
