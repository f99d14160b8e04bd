package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxIDLength bounds the raw text kept for an identity number that does not validate: long
// enough for any mistyped number, short enough that no document hides in it.
const maxIDLength = 64

// AnswerError is one answer from outside that cannot be used as it is.
type AnswerError struct {
	Question string
	Msg      string
}

func (e *AnswerError) Error() string { return e.Question + ": " + e.Msg }

// ParseAnswers turns answers decoded from JSON (numbers as float64 or json.Number, lists as
// []any) into normalised Answers. Identity numbers and phones that validate are stored in
// canonical form; ones that do not are kept as typed, so the form's checks can say what is
// wrong with them. Everything else that cannot be an answer — an unknown question, a code
// that is no option, a wrong type, control characters — is an error; all such errors are
// returned together (errors.Join of *AnswerError), in question order.
func (f *Form) ParseAnswers(raw map[string]any) (Answers, error) {
	out := make(Answers, len(raw))
	var errs []error
	var unknown []string
	for id := range raw {
		if f.byID[id] == nil {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	for _, id := range unknown {
		errs = append(errs, &AnswerError{Question: cleanForMessage(id), Msg: "no such question in " + f.ID})
	}
	for _, q := range f.questions {
		v, ok := raw[q.ID]
		if !ok || v == nil {
			continue
		}
		val, err := q.parse(v, f)
		if err != nil {
			errs = append(errs, &AnswerError{Question: q.ID, Msg: err.Error()})
			continue
		}
		if val != nil {
			out[q.ID] = val
		}
	}
	return out, errors.Join(errs...)
}

// parse normalises one answer; nil (with no error) means unanswered.
func (q *Question) parse(v any, f *Form) (any, error) {
	return q.Type.spec().fromJSON(q, v, f)
}

// checkText refuses what must never reach a screen or a report: invalid UTF-8, control
// characters (which carry terminal escape sequences) and bidirectional overrides (which
// make text read differently from what it is).
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("text is not valid UTF-8 (was the file saved as GBK?)")
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return fmt.Errorf("text contains control character %U (escape sequences are not allowed)", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return fmt.Errorf("text contains bidirectional control %U", r)
		}
	}
	return nil
}

// cleanForMessage makes a name from outside safe to print in an error.
func cleanForMessage(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

func (q *Question) codeList() string {
	codes := make([]string, len(q.Options))
	for i, o := range q.Options {
		codes[i] = strconv.Itoa(o.Code)
	}
	return "codes " + strings.Join(codes, ", ")
}

func number(v any) (float64, error) {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", n.String())
		}
		x = f
	case int:
		x = float64(n)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil {
			return 0, fmt.Errorf("%s is not a number", cleanForMessage(n))
		}
		x = f
	default:
		return 0, fmt.Errorf("expected a number, not %s", jsonKind(v))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("expected a number")
	}
	return x, nil
}

// wholeNumber accepts 3, 3.0 and "3", not 3.5: codes and counts are whole.
func wholeNumber(v any) (int, error) {
	x, err := number(v)
	if err != nil {
		return 0, err
	}
	if x != math.Trunc(x) || math.Abs(x) > 1e9 {
		return 0, fmt.Errorf("%v is not a whole number", x)
	}
	return int(x), nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "true/false"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case string:
		return "text"
	default:
		return "a number"
	}
}

// EncodeAnswer writes one normalised answer as JSON, the form the store keeps: numbers
// and code lists as JSON numbers, dates as "2006-01-02", text as strings.
func EncodeAnswer(v any) (json.RawMessage, error) {
	if d, ok := v.(time.Time); ok {
		return json.Marshal(d.Format(time.DateOnly))
	}
	switch v.(type) {
	case int, []int, float64, string:
		return json.Marshal(v)
	}
	return nil, fmt.Errorf("cannot store an answer of type %T", v)
}

// DecodeAnswers reads answers as the store keeps them (EncodeAnswer's JSON) back into
// normalised Answers, with the same checks as ParseAnswers.
func (f *Form) DecodeAnswers(stored map[string]json.RawMessage) (Answers, error) {
	raw := make(map[string]any, len(stored))
	for id, data := range stored {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, &AnswerError{Question: id, Msg: "stored value is not JSON: " + err.Error()}
		}
		raw[id] = v
	}
	return f.ParseAnswers(raw)
}
