package forms

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/forms/validate"
)

// EditorKind is how a screen takes an answer of a type.
type EditorKind int

// The editors.
const (
	EditPick     EditorKind = iota // one option, by its code
	EditPickMany                   // several options
	EditLine                       // a line of text, read by the type's Input when left
)

// typeSpec is everything that differs by question type. Each type is one entry of
// types: adding a type is adding an entry (FORMAT.md, "Adding a question type").
type typeSpec struct {
	// zero is what an expression sees for an unanswered question; its Go type is the
	// type every answer of this type has, in Answers and in expressions.
	zero   any
	editor EditorKind
	// narrow: full-width characters typed are read as ASCII (digits from a Chinese
	// input method).
	narrow bool
	// bounds: the type takes min and max; length: it takes max_length.
	bounds, length bool
	// fromJSON normalises a value decoded from JSON (numbers as float64 or
	// json.Number, lists as []any, text as string); nil with no error is unanswered.
	fromJSON func(q *Question, v any, f *Form) (any, error)
	// input reads what a person typed (trimmed, full-width digits made narrow); a
	// non-nil Text says what is wrong. Nil for the choice types.
	input func(s string, ref time.Time) (any, *Text)
	// validate checks a text answer against the type's rules (nil: none); a failure is
	// a finding, not a refusal, so a mistyped number is kept and said.
	validate func(s string, ref time.Time) error
	// check is the type's own rule for an answer (min, max, length); nil Text: fine.
	check func(q *Question, v any) *Text
	// format renders an answer in words for the read-back.
	format func(q *Question, v any, lang string) string
	// edit is the text an editor of the answer starts from.
	edit func(q *Question, v any, lang string) string
}

var types = map[Type]*typeSpec{
	TypeSingle: {
		zero: 0, editor: EditPick,
		fromJSON: func(q *Question, v any, _ *Form) (any, error) {
			n, err := wholeNumber(v)
			if err != nil {
				return nil, err
			}
			if q.Option(n) == nil {
				return nil, fmt.Errorf("%d is not an option (%s)", n, q.codeList())
			}
			return n, nil
		},
		format: func(q *Question, v any, lang string) string { return q.optionLabel(v.(int), lang) },
	},
	TypeMultiple: {
		zero: []int(nil), editor: EditPickMany,
		fromJSON: parseCodes,
		format: func(q *Question, v any, lang string) string {
			x := v.([]int)
			labels := make([]string, len(x))
			for i, code := range x {
				labels[i] = q.optionLabel(code, lang)
			}
			if lang == "en" {
				return strings.Join(labels, ", ")
			}
			return strings.Join(labels, "、")
		},
	},
	TypeInteger: {
		zero: 0, editor: EditLine, bounds: true, narrow: true,
		fromJSON: func(_ *Question, v any, _ *Form) (any, error) { return wholeNumber(v) },
		input: func(s string, _ time.Time) (any, *Text) {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, &Text{ZH: "请输入整数，如 3", EN: "Enter a whole number, e.g. 3"}
			}
			return n, nil
		},
		check:  checkBounds,
		format: func(q *Question, v any, lang string) string { return q.withUnit(strconv.Itoa(v.(int)), lang) },
		edit:   func(_ *Question, v any, _ string) string { return strconv.Itoa(v.(int)) },
	},
	TypeDecimal: {
		zero: 0.0, editor: EditLine, bounds: true, narrow: true,
		fromJSON: func(_ *Question, v any, _ *Form) (any, error) {
			x, err := number(v)
			if err != nil {
				return nil, err
			}
			return x, nil
		},
		input: func(s string, _ time.Time) (any, *Text) {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || strings.ContainsAny(s, "eExXpP") {
				return nil, &Text{ZH: "请输入数字，如 2.5", EN: "Enter a number, e.g. 2.5"}
			}
			return x, nil
		},
		check:  checkBounds,
		format: func(q *Question, v any, lang string) string { return q.withUnit(decimalText(v), lang) },
		edit:   func(_ *Question, v any, _ string) string { return decimalText(v) },
	},
	TypeDate: {
		zero: time.Time{}, editor: EditLine, narrow: true,
		fromJSON: func(_ *Question, v any, _ *Form) (any, error) {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("expected a date in quotes, like \"2021-10-12\"")
			}
			if len(s) > maxIDLength {
				return nil, fmt.Errorf("%d bytes is too long for a date", len(s))
			}
			d, err := validate.ParseDate(s)
			if err != nil {
				return nil, err
			}
			return d, nil
		},
		input: func(s string, _ time.Time) (any, *Text) {
			d, err := validate.ParseDate(s)
			if err != nil {
				return nil, validationText(err, Text{ZH: "请输入日期，如 2021-06-15", EN: "Enter a date, e.g. 2021-06-15"})
			}
			return d, nil
		},
		format: func(_ *Question, v any, lang string) string {
			x := v.(time.Time)
			if lang == "en" {
				return x.Format("2 January 2006")
			}
			return fmt.Sprintf("%d年%d月%d日", x.Year(), x.Month(), x.Day())
		},
		edit: func(_ *Question, v any, _ string) string { return v.(time.Time).Format(time.DateOnly) },
	},
	TypeText: {
		zero: "", editor: EditLine, length: true,
		fromJSON: func(q *Question, v any, f *Form) (any, error) {
			s, err := textFromJSON(v)
			if s == "" || err != nil {
				return nil, err
			}
			if n := utf8.RuneCountInString(s); n > q.MaxLength {
				return nil, fmt.Errorf("text is %d characters long; at most %d", n, q.MaxLength)
			}
			return s, nil
		},
		input: func(s string, _ time.Time) (any, *Text) { return s, nil },
		check: func(q *Question, v any) *Text {
			if utf8.RuneCountInString(v.(string)) > q.MaxLength {
				return &Text{ZH: fmt.Sprintf("最多 %d 个字", q.MaxLength), EN: fmt.Sprintf("at most %d characters", q.MaxLength)}
			}
			return nil
		},
	},
	TypeResidentID: identityType(func(s string, ref time.Time) (string, error) {
		id, err := validate.ParseResidentID(s, ref)
		return id.Number, err
	}),
	TypeCertificate: identityType(func(s string, ref time.Time) (string, error) {
		c, err := validate.ParseCertificate(s, ref)
		return c.Number, err
	}),
	TypePhone: identityType(func(s string, _ time.Time) (string, error) { return validate.ParsePhone(s) }),
}

// identityType is a number with a validator (resident ID, certificate, phone): one that
// validates is kept in canonical form, one that does not as typed, so the form's
// checks can say what is wrong with it.
func identityType(canonical func(s string, ref time.Time) (string, error)) *typeSpec {
	keep := func(s string, ref time.Time) string {
		if c, err := canonical(s, ref); err == nil {
			return c
		}
		return s
	}
	return &typeSpec{
		zero: "", editor: EditLine,
		fromJSON: func(q *Question, v any, f *Form) (any, error) {
			s, err := textFromJSON(v)
			if s == "" || err != nil {
				return nil, err
			}
			if c, err := canonical(s, f.ReferenceDate); err == nil {
				return c, nil
			}
			if len(s) > maxIDLength {
				return nil, fmt.Errorf("%d bytes is far too long for a %s", len(s), q.Type)
			}
			return s, nil
		},
		input: func(s string, ref time.Time) (any, *Text) { return keep(s, ref), nil },
		validate: func(s string, ref time.Time) error {
			_, err := canonical(s, ref)
			return err
		},
	}
}

func (t Type) spec() *typeSpec { return types[t] }

// Types are the question types, in name order.
func Types() []Type {
	out := make([]Type, 0, len(types))
	for t := range types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// IsChoice reports whether the question is answered by picking options.
func (t Type) IsChoice() bool {
	s := t.spec()
	return s != nil && s.editor != EditLine
}

// hasType reports whether v is an answer of type t as Answers holds it.
func hasType(t Type, v any) bool {
	s := t.spec()
	return s != nil && reflect.TypeOf(v) == reflect.TypeOf(s.zero)
}

// zeroValue is what an expression sees for an unanswered question of the type.
func zeroValue(t Type) any { return t.spec().zero }

// Editor is how a screen takes an answer of the question's type.
func (q *Question) Editor() EditorKind { return q.spec.editor }

// Input reads what a person typed for a question edited as a line: the answer (nil for
// blank), or what is wrong with it in both languages. Full-width digits from a Chinese
// input method are read as digits.
func (q *Question) Input(typed string, ref time.Time) (any, *Text) {
	s := strings.TrimSpace(typed)
	if s == "" {
		return nil, nil
	}
	spec := q.Type.spec()
	if spec.narrow {
		s = width.Narrow.String(s)
	}
	in := spec.input
	if in == nil {
		return nil, &Text{ZH: "这一题要选择选项", EN: "this question is answered by choosing options"}
	}
	return in(s, ref)
}

// EditText is the text an editor of the answer starts from.
func (q *Question) EditText(v any, lang string) string {
	if e := q.Type.spec().edit; e != nil {
		return e(q, v, lang)
	}
	return q.FormatAnswer(v, lang)
}

func validationText(err error, fallback Text) *Text {
	if ve, ok := err.(*validate.Error); ok {
		return &Text{ZH: ve.Message("zh"), EN: ve.Message("en")}
	}
	return &fallback
}

func decimalText(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }

func checkBounds(q *Question, v any) *Text {
	n := toFloat(v)
	if (q.Min != nil && n < *q.Min) || (q.Max != nil && n > *q.Max) {
		m := rangeMessage(q)
		return &m
	}
	return nil
}

// textFromJSON is a text answer from outside, trimmed; "" is unanswered.
func textFromJSON(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expected text in quotes, not %s", jsonKind(v))
	}
	if err := checkText(s); err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

func parseCodes(q *Question, v any, _ *Form) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list of option codes, like [1, 2]")
	}
	if len(list) == 0 {
		return nil, nil
	}
	codes := make([]int, 0, len(list))
	for _, item := range list {
		n, err := wholeNumber(item)
		if err != nil {
			return nil, err
		}
		if q.Option(n) == nil {
			return nil, fmt.Errorf("%d is not an option (%s)", n, q.codeList())
		}
		for _, c := range codes {
			if c == n {
				return nil, fmt.Errorf("option %d is given twice", n)
			}
		}
		codes = append(codes, n)
	}
	return codes, nil
}

// lineLimit bounds what an editor takes for a number, a date or an identity number:
// room for any mistyped one, no room for a pasted document.
const lineLimit = 40

// InputLimit is how many characters an editor of the question takes.
func (q *Question) InputLimit() int {
	if q.spec.length {
		return max(q.MaxLength, 1)
	}
	return lineLimit
}
