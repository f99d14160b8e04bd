package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxFormFileSize bounds what the loader reads: the person form is ~60 KB; a file far
// larger is a mistake (a pasted export), not a form.
const maxFormFileSize = 4 << 20

// The raw* types mirror the YAML. They record the line of each item so that every later
// error can point into the file.
type rawForm struct {
	ID            string       `yaml:"id"`
	Version       string       `yaml:"version"`
	Title         Text         `yaml:"title"`
	ReferenceDate string       `yaml:"reference_date"`
	Relevant      string       `yaml:"relevant"`
	Subject       Subject      `yaml:"subject"`
	Sections      []rawSection `yaml:"sections"`
	Checks        []rawCheck   `yaml:"checks"`
	Carries       *rawCarries  `yaml:"carries"`
}

type rawSection struct {
	ID        string        `yaml:"id"`
	Title     Text          `yaml:"title"`
	Questions []rawQuestion `yaml:"questions"`
	Line      int           `yaml:"-"`
}

type rawQuestion struct {
	ID                string        `yaml:"id"`
	Type              Type          `yaml:"type"`
	Label             Text          `yaml:"label"`
	Short             Text          `yaml:"short"`
	Help              Text          `yaml:"help"`
	Required          *bool         `yaml:"required"`
	Relevant          string        `yaml:"relevant"`
	Constraint        string        `yaml:"constraint"`
	ConstraintMessage Text          `yaml:"constraint_message"`
	Min               *float64      `yaml:"min"`
	Max               *float64      `yaml:"max"`
	MaxLength         int           `yaml:"max_length"`
	Unit              Text          `yaml:"unit"`
	Prefill           string        `yaml:"prefill"`
	Options           []rawOption   `yaml:"options"`
	Questions         []rawQuestion `yaml:"questions"`
	Line              int           `yaml:"-"`
}

type rawOption struct {
	Code      *int   `yaml:"code"`
	Label     Text   `yaml:"label"`
	Exclusive bool   `yaml:"exclusive"`
	Relevant  string `yaml:"relevant"`
	Line      int    `yaml:"-"`
}

type rawCheck struct {
	ID        string   `yaml:"id"`
	At        string   `yaml:"at"`
	Severity  Severity `yaml:"severity"`
	When      string   `yaml:"when"`
	Invalid   bool     `yaml:"invalid"`
	Exclusive bool     `yaml:"exclusive"`
	Message   Text     `yaml:"message"`
	Line      int      `yaml:"-"`
}

// Each raw type decodes strictly: yaml.v3's KnownFields does not reach through custom
// unmarshalers, so unknown keys are caught here, where the line is known.
func (r *rawForm) UnmarshalYAML(n *yaml.Node) error {
	type plain rawForm
	return decodeStrict(n, (*plain)(r))
}

func (r *rawSection) UnmarshalYAML(n *yaml.Node) error {
	type plain rawSection
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *rawQuestion) UnmarshalYAML(n *yaml.Node) error {
	type plain rawQuestion
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *rawOption) UnmarshalYAML(n *yaml.Node) error {
	type plain rawOption
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *rawCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCheck
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *rawCarries) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCarries
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	type plain Text
	return decodeStrict(n, (*plain)(t))
}

func (s *Subject) UnmarshalYAML(n *yaml.Node) error {
	type plain Subject
	return decodeStrict(n, (*plain)(s))
}

// positionedError carries a line through yaml.v3, which passes unmarshaler errors up as is.
type positionedError struct {
	line int
	msg  string
}

func (e *positionedError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func decodeStrict(n *yaml.Node, out any) error {
	if n.Kind != yaml.MappingNode {
		return &positionedError{n.Line, fmt.Sprintf("expected a mapping (key: value), found %s", nodeKindName(n))}
	}
	allowed := yamlKeys(reflect.TypeOf(out).Elem())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !allowed[k.Value] {
			return &positionedError{k.Line, fmt.Sprintf("unknown key %q (known: %s)", k.Value, sortedKeys(allowed))}
		}
	}
	return n.Decode(out)
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	default:
		return "something else"
	}
}

func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

func sortedKeys(m map[string]bool) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Load parses and compiles one form. name is used in messages (usually the file path).
// The error, if any, is LoadErrors.
func Load(name string, data []byte) (*Form, error) {
	if len(data) > maxFormFileSize {
		return nil, LoadErrors{{File: name, Msg: fmt.Sprintf("file is %d bytes; a form file is at most %d", len(data), maxFormFileSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlErrors(name, nil, err)
	}
	if len(root.Content) == 0 {
		return nil, LoadErrors{{File: name, Msg: "file is empty"}}
	}
	if n := expandedSize(&root, maxExpandedNodes); n > maxExpandedNodes {
		return nil, LoadErrors{{File: name, Msg: fmt.Sprintf("YAML aliases expand to more than %d items; a form uses aliases to share option lists, not to nest them", maxExpandedNodes)}}
	}
	spans := itemSpans(root.Content[0])
	var raw rawForm
	if err := root.Content[0].Decode(&raw); err != nil {
		return nil, yamlErrors(name, spans, err)
	}
	b := &builder{file: name}
	f := b.build(&raw)
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	sum := sha256.Sum256(data)
	f.Digest = hex.EncodeToString(sum[:])
	return f, nil
}

// LoadFile loads one form file from disk.
func LoadFile(path string) (*Form, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	if fi.Size() > maxFormFileSize {
		return nil, LoadErrors{{File: path, Msg: fmt.Sprintf("file is %d bytes; a form file is at most %d", fi.Size(), maxFormFileSize)}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	return Load(path, data)
}

// LoadFS loads every *.yaml and *.yml file of a folder (not recursive), in name order.
func LoadFS(fsys fs.FS, dir string) ([]*Form, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read forms folder: %w", err)
	}
	var forms []*Form
	var errs []error
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		p := e.Name()
		if dir != "." {
			p = dir + "/" + e.Name()
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read form: %w", err))
			continue
		}
		f, err := Load(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		forms = append(forms, f)
	}
	return forms, errors.Join(errs...)
}

// maxQuestions bounds a form: the person form has 45; a form of thousands is a mistake,
// and one that would make every keystroke slow.
const maxQuestions = 2000

// maxExpandedNodes bounds a file's size after alias expansion. The person form is about
// 6 000 nodes. Without a bound, aliases nested in aliases grow exponentially ("billion
// laughs"), and yaml.v3's own guard does not apply: every custom unmarshaler here decodes
// its node with a fresh decoder.
const maxExpandedNodes = 200_000

// expandedSize counts nodes with aliases expanded, stopping once past budget.
func expandedSize(n *yaml.Node, budget int) int {
	if n == nil {
		return 0
	}
	if budget <= 0 {
		return 1 // also ends a recursive alias
	}
	if n.Kind == yaml.AliasNode {
		return 1 + expandedSize(n.Alias, budget)
	}
	size := 1
	for _, c := range n.Content {
		size += expandedSize(c, budget-size)
		if size > budget {
			return size
		}
	}
	return size
}

// span is the lines a question or check occupies, so a YAML error on a line can say which
// item it is in.
type span struct {
	from, to int
	item     string
}

func itemSpans(doc *yaml.Node) []span {
	var spans []span
	var walkQuestions func(list *yaml.Node)
	walkQuestions = func(list *yaml.Node) {
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		for _, q := range list.Content {
			if id := mapValue(q, "id"); id != nil {
				spans = append(spans, span{q.Line, lastLine(q), "question " + id.Value})
			}
			walkQuestions(mapValue(q, "questions"))
		}
	}
	if secs := mapValue(doc, "sections"); secs != nil && secs.Kind == yaml.SequenceNode {
		for _, s := range secs.Content {
			walkQuestions(mapValue(s, "questions"))
		}
	}
	if checks := mapValue(doc, "checks"); checks != nil && checks.Kind == yaml.SequenceNode {
		for _, c := range checks.Content {
			if id := mapValue(c, "id"); id != nil {
				spans = append(spans, span{c.Line, lastLine(c), "check " + id.Value})
			}
		}
	}
	return spans
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		if l := lastLine(c); l > last {
			last = l
		}
	}
	return last
}

// itemAt names the innermost question or check containing the line.
func itemAt(spans []span, line int) string {
	best := ""
	bestSize := int(^uint(0) >> 1)
	for _, s := range spans {
		if line >= s.from && line <= s.to && s.to-s.from < bestSize {
			best, bestSize = s.item, s.to-s.from
		}
	}
	return best
}

func yamlErrors(file string, spans []span, err error) error {
	var msgs []string
	var te *yaml.TypeError
	var pe *positionedError
	switch {
	case errors.As(err, &te):
		msgs = te.Errors
	case errors.As(err, &pe):
		msgs = []string{pe.Error()}
	default:
		msgs = []string{err.Error()}
	}
	var out LoadErrors
	for _, m := range msgs {
		e := &LoadError{File: file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = sm[2]
			e.Item = itemAt(spans, e.Line)
		}
		e.Msg = strings.ReplaceAll(e.Msg, "!!str", "text")
		e.Msg = strings.ReplaceAll(e.Msg, "!!int", "a number")
		e.Msg = strings.ReplaceAll(e.Msg, "!!seq", "a list")
		e.Msg = strings.ReplaceAll(e.Msg, "!!map", "a mapping")
		out = append(out, e)
	}
	return out
}

var (
	formIDRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	questionIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// builder turns the raw YAML into a Form, collecting every error on the way.
type builder struct {
	file string
	errs LoadErrors
	f    *Form
}

func (b *builder) errf(line int, item, format string, args ...any) {
	b.errs = append(b.errs, &LoadError{File: b.file, Line: line, Item: item, Msg: fmt.Sprintf(format, args...)})
}

func (b *builder) build(r *rawForm) *Form {
	f := &Form{
		ID: r.ID, Version: r.Version, Title: r.Title, Relevant: r.Relevant, Subject: r.Subject,
		Source: b.file, byID: map[string]*Question{}, hasInvalidCheck: map[string]bool{},
	}
	b.f = f
	if !formIDRE.MatchString(r.ID) {
		b.errf(0, "", "id %q must be lower-case letters, digits and '-'", r.ID)
	}
	if r.Version == "" {
		b.errf(0, "", "version is missing")
	}
	if r.Title.ZH == "" {
		b.errf(0, "", "title.zh is missing")
	}
	if r.ReferenceDate == "" {
		b.errf(0, "", "reference_date is missing")
	} else if d, err := time.Parse(time.DateOnly, r.ReferenceDate); err != nil {
		b.errf(0, "", "reference_date %q is not a date like 2021-09-30", r.ReferenceDate)
	} else {
		f.ReferenceDate = d
	}
	if len(r.Sections) == 0 {
		b.errf(0, "", "the form has no sections")
	}
	sectionIDs := map[string]bool{}
	for i := range r.Sections {
		rs := &r.Sections[i]
		s := &Section{ID: rs.ID, Title: rs.Title}
		item := "section " + rs.ID
		switch {
		case rs.ID == "":
			b.errf(rs.Line, "", "a section has no id")
		case sectionIDs[rs.ID]:
			b.errf(rs.Line, item, "duplicate section id")
		}
		sectionIDs[rs.ID] = true
		if rs.Title.ZH == "" {
			b.errf(rs.Line, item, "title.zh is missing")
		}
		if len(rs.Questions) == 0 {
			b.errf(rs.Line, item, "the section has no questions")
		}
		for j := range rs.Questions {
			s.Questions = append(s.Questions, b.question(&rs.Questions[j], s, nil))
		}
		f.Sections = append(f.Sections, s)
	}
	if len(f.questions) > maxQuestions {
		b.errf(0, "", "the form has %d questions; at most %d", len(f.questions), maxQuestions)
		return f
	}
	b.subject()
	for i := range r.Checks {
		b.check(&r.Checks[i])
	}
	b.carries(r.Carries)
	if len(b.errs) > 0 {
		return f
	}
	b.compile()
	return f
}

func (b *builder) question(r *rawQuestion, s *Section, parent *Question) *Question {
	q := &Question{
		ID: r.ID, Type: r.Type, Label: r.Label, Short: r.Short, Help: r.Help, Required: true,
		Relevant: r.Relevant, Constraint: r.Constraint, ConstraintMessage: r.ConstraintMessage,
		Min: r.Min, Max: r.Max, MaxLength: r.MaxLength, Unit: r.Unit, Prefill: r.Prefill,
		Parent: parent, Section: s, Line: r.Line,
	}
	if r.Required != nil {
		q.Required = *r.Required
	}
	item := "question " + r.ID
	switch {
	case !questionIDRE.MatchString(r.ID):
		b.errf(r.Line, "", "question id %q must start with a letter and use letters, digits and _", r.ID)
	case b.f.byID[r.ID] != nil:
		b.errf(r.Line, item, "duplicate question id (first at line %d)", b.f.byID[r.ID].Line)
	case isContextVar(r.ID) || r.ID == "answered":
		b.errf(r.Line, item, "%q is a reserved name", r.ID)
	default:
		b.f.byID[r.ID] = q
	}
	q.index = len(b.f.questions)
	b.f.questions = append(b.f.questions, q)

	spec := r.Type.spec()
	if spec == nil {
		names := make([]string, 0, len(types))
		for _, t := range Types() {
			names = append(names, string(t))
		}
		b.errf(r.Line, item, "unknown type %q (%s)", r.Type, strings.Join(names, ", "))
		spec = &typeSpec{editor: EditLine} // checked as a line, so one mistake is one message
	}
	q.spec = spec
	if r.Label.ZH == "" {
		b.errf(r.Line, item, "label.zh is missing")
	}
	if r.Prefill != "" && !prefillFields[r.Prefill] {
		b.errf(r.Line, item, "unknown prefill field %q (known: %s)", r.Prefill, sortedKeys(prefillFields))
	}
	if (r.Min != nil || r.Max != nil) && !spec.bounds {
		b.errf(r.Line, item, "min and max apply to integer and decimal questions only")
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		b.errf(r.Line, item, "min %v is above max %v", *r.Min, *r.Max)
	}
	if r.MaxLength < 0 {
		b.errf(r.Line, item, "max_length must be positive")
	}
	if r.MaxLength != 0 && !spec.length {
		b.errf(r.Line, item, "max_length applies to text questions only")
	}
	if q.MaxLength == 0 {
		q.MaxLength = defaultMaxLength
	}
	if r.Constraint == "" && (r.ConstraintMessage.ZH != "" || r.ConstraintMessage.EN != "") {
		b.errf(r.Line, item, "constraint_message without a constraint")
	}
	if r.Constraint != "" && r.ConstraintMessage.ZH == "" {
		b.errf(r.Line, item, "a constraint needs constraint_message.zh, shown to the enumerator when it fails")
	}
	switch {
	case r.Type.IsChoice() && len(r.Options) == 0:
		b.errf(r.Line, item, "a %s question needs options", r.Type)
	case !r.Type.IsChoice() && len(r.Options) > 0:
		b.errf(r.Line, item, "only single and multiple questions have options")
	}
	codes := map[int]bool{}
	for i := range r.Options {
		ro := &r.Options[i]
		o := &Option{Label: ro.Label, Exclusive: ro.Exclusive, Relevant: ro.Relevant, Line: ro.Line}
		if ro.Code == nil {
			b.errf(ro.Line, item, "an option has no code")
		} else {
			o.Code = *ro.Code
			if codes[o.Code] {
				b.errf(ro.Line, item, "duplicate option code %d", o.Code)
			}
			codes[o.Code] = true
			if o.Code <= 0 {
				b.errf(ro.Line, item, "option code %d: codes are positive (0 means unanswered in expressions)", o.Code)
			}
		}
		if ro.Label.ZH == "" {
			b.errf(ro.Line, item, "option %d has no label.zh", o.Code)
		}
		if ro.Exclusive && spec.editor != EditPickMany {
			b.errf(ro.Line, item, "option %d: exclusive applies to multiple-choice questions only", o.Code)
		}
		q.Options = append(q.Options, o)
	}
	for i := range r.Questions {
		q.Questions = append(q.Questions, b.question(&r.Questions[i], s, q))
	}
	return q
}

func (b *builder) subject() {
	sub := b.f.Subject
	want := func(id string, t Type, role string) {
		if id == "" {
			return
		}
		q := b.f.byID[id]
		switch {
		case q == nil:
			b.errf(0, "", "subject.%s names %q, which is not a question of this form", role, id)
		case q.Type != t:
			b.errf(q.Line, "question "+id, "subject.%s must be a %s question, not %s", role, t, q.Type)
		}
	}
	want(sub.Certificate, TypeCertificate, "certificate")
	want(sub.Category, TypeSingle, "category")
	want(sub.Level, TypeSingle, "level")
	if sub.Certificate == "" && (sub.Category != "" || sub.Level != "") {
		b.errf(0, "", "subject.category and subject.level need subject.certificate")
	}
}

func (b *builder) check(r *rawCheck) {
	c := &Check{ID: r.ID, At: r.At, Severity: r.Severity, When: r.When, Invalid: r.Invalid,
		Exclusive: r.Exclusive, Message: r.Message, Line: r.Line}
	item := "check " + r.ID
	if r.ID == "" {
		b.errf(r.Line, "", "a check has no id")
	}
	if r.Severity != SeverityError && r.Severity != SeverityWarning {
		b.errf(r.Line, item, "severity must be error or warning, not %q", r.Severity)
	}
	if r.Message.ZH == "" {
		b.errf(r.Line, item, "message.zh is missing")
	}
	kinds := 0
	for _, set := range []bool{r.When != "", r.Invalid, r.Exclusive} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		b.errf(r.Line, item, "a check has exactly one of when, invalid: true or exclusive: true")
	}
	q := b.f.byID[r.At]
	switch {
	case r.Exclusive && r.At != "":
		b.errf(r.Line, item, "an exclusive check applies to every multiple-choice question; it has no at")
	case !r.Exclusive && r.At == "":
		b.errf(r.Line, item, "at is missing: the question the finding is shown at")
	case !r.Exclusive && q == nil:
		b.errf(r.Line, item, "at names %q, which is not a question of this form", r.At)
	case r.Invalid && !hasValidator(q.Type):
		b.errf(r.Line, item, "invalid: true needs a resident-id, certificate-number or phone question; %s is %s", r.At, q.Type)
	case r.Invalid:
		b.f.hasInvalidCheck[r.At] = true
	}
	b.f.Checks = append(b.f.Checks, c)
}

func hasValidator(t Type) bool {
	s := t.spec()
	return s != nil && s.validate != nil
}
