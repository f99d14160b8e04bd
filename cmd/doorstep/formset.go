package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"

	"github.com/doorstep-survey/doorstep/config"
	"github.com/doorstep-survey/doorstep/forms"
	dsync "github.com/doorstep-survey/doorstep/sync"
	"github.com/doorstep-survey/doorstep/tui"
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
	person, community := cfg.PersonFormName(), cfg.CommunityFormName()
	// The district's choice (received at sync, signed) replaces the built-in default,
	// never the laptop's own setting: a person_form written in this laptop's config was
	// put there on purpose (a district trying next year's form on one laptop, an
	// office that must stay on last year's), and the config is the one place a person
	// at the laptop can see and change. A choice naming a form the laptop lacks is
	// passed over: sync took the choice only with its forms.
	if choice, ok, err := dsync.ReadDistrictChoice(receivedFormsDir(cfg)); err != nil {
		fs.skipped = append(fs.skipped, fmt.Errorf("the district's choice of forms: %w", err))
	} else if ok {
		if strings.TrimSpace(cfg.PersonForm) == "" && fs.has(choice.PersonForm) {
			person = choice.PersonForm
		}
		if strings.TrimSpace(cfg.CommunityForm) == "" && fs.has(choice.CommunityForm) {
			community = choice.CommunityForm
		}
	}
	if fs.person, err = fs.reg.Named(person); err != nil {
		return formSet{}, fmt.Errorf("person_form: %w%s", err, fs.skippedHint())
	}
	if fs.community, err = fs.reg.Named(community); err != nil {
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

func (fs formSet) has(name string) bool {
	_, err := fs.reg.Named(name)
	return name != "" && err == nil
}

// receivedFormsDir is where sync keeps the forms the district sent (sync.FormInbox):
// a folder of the data folder, read like forms_dir.
func receivedFormsDir(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, "forms-received")
}

// formInbox is where a sync round keeps the district's forms; reg is what the laptop
// has, so that a received form that clashes with one of them is refused.
func formInbox(cfg config.Config, reg *forms.Registry) *dsync.FormInbox {
	return &dsync.FormInbox{Dir: receivedFormsDir(cfg), Have: reg}
}

// liveForms loads the program's forms again after a round that received the district's
// forms or a new choice of them, for the running screens to take at once. It reads the
// same files a start would (resolveForms), so a running program and a restarted one
// use the same forms.
type liveForms struct {
	cfg config.Config
	mu  gosync.Mutex // rounds of an old and a new user's loop may overlap
	// choice is the district's choice as last loaded.
	choice dsync.DistrictChoice
}

func newLiveForms(cfg config.Config) *liveForms {
	l := &liveForms{cfg: cfg}
	l.choice, _, _ = dsync.ReadDistrictChoice(receivedFormsDir(cfg))
	return l
}

// after is the forms the screens use from this round on; nil when the round changed
// nothing. A set that does not load is said in the round's reasons: the screens go on
// with the forms they have, and the next start says why in full.
func (l *liveForms) after(rep *dsync.Report) *tui.FormSet {
	l.mu.Lock()
	defer l.mu.Unlock()
	choice, _, err := dsync.ReadDistrictChoice(receivedFormsDir(l.cfg))
	if rep.Forms == 0 && (err != nil || choice == l.choice) {
		return nil
	}
	l.choice = choice
	fs, err := resolveForms(l.cfg)
	if err != nil {
		rep.Reasons = append(rep.Reasons, "收到的表单要到下次启动才能使用："+err.Error()+" / the forms received are used from the next start: "+err.Error())
		return nil
	}
	return &tui.FormSet{Forms: fs.reg, PersonForm: fs.person, CommunityForm: fs.community}
}

// loadRegistry is resolveForms without naming the forms for new records: what the
// forms subcommands list and check. The laptop's forms are the built-in ones, then
// forms_dir's, then those the district sent at sync (verified then): a received form
// that clashes with an earlier one is left out and said, the earlier one stands.
func loadRegistry(cfg config.Config) (formSet, error) {
	var fs formSet
	var err error
	fs.reg, fs.skipped, err = forms.LoadRegistry(cfg.FormsDir)
	if err != nil || cfg.DataDir == "" {
		return fs, err
	}
	received, err := forms.LoadFS(os.DirFS(receivedFormsDir(cfg)), ".")
	if err != nil && !errors.Is(err, iofs.ErrNotExist) {
		fs.skipped = append(fs.skipped, splitErrs(err)...)
	}
	for _, f := range received {
		if err := fs.reg.Add(f); err != nil {
			fs.skipped = append(fs.skipped, fmt.Errorf("a form the district sent: %w", err))
		}
	}
	return fs, nil
}

// splitErrs undoes errors.Join: one error per file.
func splitErrs(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
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
