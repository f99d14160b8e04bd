package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/forms"
)

// maxAnswersFileSize bounds ANSWERS.json: a person's answers are a few KB.
const maxAnswersFileSize = 32 << 20

func newFormsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "forms",
		Short: "List, show, lint and check form definitions",
	}
	cmd.AddCommand(newFormsListCmd(a), newFormsShowCmd(a), newFormsLintCmd(a), newFormsCheckCmd(a))
	return cmd
}

// loadForms returns the built-in forms and those of forms_dir, in that order. A file of
// forms_dir that does not load is said on stderr and left out: the others still serve.
func loadForms(a *app) ([]*forms.Form, error) {
	fs, err := loadRegistry(a.cfg)
	if err != nil {
		return nil, err
	}
	fs.warn(a.stderr)
	return fs.reg.All(), nil
}

// lookupForm finds a form by id, and version ("" for the highest).
func lookupForm(a *app, id, version string) (*forms.Form, error) {
	fs, err := loadRegistry(a.cfg)
	if err != nil {
		return nil, err
	}
	fs.warn(a.stderr)
	if version != "" {
		id += "@" + version
	}
	return fs.reg.Named(id)
}

func newFormsListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the forms this program knows: id, version, title, number of questions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := loadForms(a)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tVERSION\tQUESTIONS\tTITLE")
			for _, f := range all {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", f.ID, f.Version, len(f.Questions()), f.Title.In(a.cfg.Language))
			}
			return tw.Flush()
		},
	}
}

func newFormsShowCmd(a *app) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a form's questions, options, skip logic and checks",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := lookupForm(a, args[0], version)
			if err != nil {
				return err
			}
			return showForm(a.stdout, f, a.cfg.Language)
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "form version (default: the newest loaded)")
	return cmd
}

func showForm(w io.Writer, f *forms.Form, lang string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s — %s\n", f.ID, f.Version, f.Title.In(lang))
	fmt.Fprintf(&b, "reference date %s", f.ReferenceDate.Format("2006-01-02"))
	if f.Relevant != "" {
		fmt.Fprintf(&b, "; filled when %s", f.Relevant)
	}
	b.WriteString("\n")
	for _, s := range f.Sections {
		fmt.Fprintf(&b, "\n== %s ==\n", s.Title.In(lang))
		for _, q := range f.Questions() {
			if q.Section != s {
				continue
			}
			indent := ""
			for p := q.Parent; p != nil; p = p.Parent {
				indent += "  "
			}
			req := ""
			if !q.Required {
				req = ", optional"
			}
			fmt.Fprintf(&b, "%s%s  %s  (%s%s)\n", indent, q.ID, q.Label.In(lang), q.Type, req)
			if q.Relevant != "" {
				fmt.Fprintf(&b, "%s    asked when: %s\n", indent, q.Relevant)
			}
			if q.Min != nil || q.Max != nil {
				fmt.Fprintf(&b, "%s    range: %s\n", indent, rangeText(q))
			}
			if q.Constraint != "" {
				fmt.Fprintf(&b, "%s    must hold: %s\n", indent, q.Constraint)
			}
			for _, o := range q.Options {
				extra := ""
				if o.Exclusive {
					extra += " (exclusive)"
				}
				if o.Relevant != "" {
					extra += " when " + o.Relevant
				}
				fmt.Fprintf(&b, "%s    %d %s%s\n", indent, o.Code, o.Label.In(lang), extra)
			}
		}
	}
	if len(f.Checks) > 0 {
		b.WriteString("\n== checks ==\n")
		for _, c := range f.Checks {
			rule := c.When
			switch {
			case c.Invalid:
				rule = c.At + " is not valid"
			case c.Exclusive:
				rule = "an exclusive option is chosen with another"
			}
			at := c.At
			if at == "" {
				at = "*"
			}
			fmt.Fprintf(&b, "%s  at %s  %s  %s\n    %s\n", c.ID, at, c.Severity, rule, c.Message.In(lang))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func rangeText(q *forms.Question) string {
	lo, hi := "…", "…"
	if q.Min != nil {
		lo = fmt.Sprintf("%g", *q.Min)
	}
	if q.Max != nil {
		hi = fmt.Sprintf("%g", *q.Max)
	}
	return lo + " – " + hi
}

func newFormsLintCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE.yaml...",
		Short: "Check form files: exit 0 if every file loads, else 1 with file:line: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				f, err := forms.LoadFile(path)
				if err != nil {
					failed = true
					fmt.Fprintln(a.stdout, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s: ok: %s %s, %d questions, %d checks\n", path, f.ID, f.Version, len(f.Questions()), len(f.Checks))
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
}

// checkInput is the ANSWERS.json of `forms check`.
type checkInput struct {
	Answers map[string]any `json:"answers"`
	Context map[string]any `json:"context"`
}

type checkFinding struct {
	Check    string         `json:"check"`
	Question string         `json:"question"`
	Severity forms.Severity `json:"severity"`
	Message  string         `json:"message"`
}

type checkOutput struct {
	Relevant []string       `json:"relevant"`
	Missing  []string       `json:"missing"`
	Findings []checkFinding `json:"findings"`
	Cleared  []string       `json:"cleared"`
	Complete bool           `json:"complete"`
}

func newFormsCheckCmd(a *app) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "check ID ANSWERS.json",
		Short: "Evaluate answers against a form and print relevance, missing items and findings as JSON",
		Long: `Evaluate answers against a form. ANSWERS.json is
  {"answers": {"R2": "…", "R6": 2, "R12": [1, 2]}, "context": {"method": 1, "outcome": 1}}
context keys: method, outcome, age, sex, category, level, roster_count (outcome defaults to 1).
Prints one JSON object: relevant, missing, findings, cleared, complete.
Exit 0 when complete with no error, 1 when not, 2 when the input cannot be used.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := lookupForm(a, args[0], version)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			answers, ctx, err := readAnswersFile(f, args[1])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			res := f.Evaluate(answers, ctx)
			out := checkOutput{
				Relevant: nonNil(res.Relevant), Missing: nonNil(res.Missing),
				Cleared: nonNil(res.Cleared), Findings: []checkFinding{}, Complete: res.Complete,
			}
			for _, fd := range res.Findings {
				out.Findings = append(out.Findings, checkFinding{fd.Check, fd.Question, fd.Severity, fd.Message.In(a.cfg.Language)})
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(out); err != nil {
				return err
			}
			if !res.Complete {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "form version (default: the newest loaded)")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func readAnswersFile(f *forms.Form, path string) (forms.Answers, forms.Context, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxAnswersFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxAnswersFileSize {
		return nil, nil, fmt.Errorf("%s is larger than %d MB; answers of one case are a few KB", path, maxAnswersFileSize>>20)
	}
	return parseAnswersJSON(f, path, data)
}

func parseAnswersJSON(f *forms.Form, path string, data []byte) (forms.Answers, forms.Context, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, nil, fmt.Errorf("%s is not UTF-8 text (was it saved as GBK? save it as UTF-8)", path)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var in checkInput
	if err := dec.Decode(&in); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, describeJSONError(data, err))
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("%s: unexpected data after the JSON object", path)
	}
	ctx := forms.Context{"outcome": 1}
	var errs []error
	for k, v := range in.Context {
		if !slices.Contains(forms.ContextVars(), k) {
			errs = append(errs, fmt.Errorf("context: unknown key %q (known: %s)", k, strings.Join(forms.ContextVars(), ", ")))
			continue
		}
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			errs = append(errs, fmt.Errorf("context: %s must be a whole number", k))
			continue
		}
		ctx[k] = int(i)
	}
	answers, err := f.ParseAnswers(in.Answers)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("%s:\n%w", path, err)
	}
	return answers, ctx, nil
}

// describeJSONError adds the line to encoding/json's offset-only syntax errors.
func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d: %w", line, err)
	}
	return err
}
