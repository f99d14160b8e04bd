package forms

import (
	"fmt"
	"maps"
	"strconv"
)

// ReadBackSection is one section's answers as sentences, for the enumerator to read aloud.
type ReadBackSection struct {
	ID    string
	Title string
	Lines []ReadBackLine
}

// ReadBackLine is one answer as a sentence, e.g. "婚姻状况：有配偶".
type ReadBackLine struct {
	Question string
	Text     string
}

// ReadBack renders every relevant answered question as one plain sentence in lang ("zh"
// or "en"), grouped by section in form order. Answers that the engine would clear are not
// read: the respondent hears only what will be kept.
func (f *Form) ReadBack(a Answers, c Context, lang string) []ReadBackSection {
	res := f.Evaluate(a, c)
	kept := a
	if len(res.Cleared) > 0 {
		kept = maps.Clone(a)
		res.Apply(kept)
	}
	relevant := make(map[string]bool, len(res.Relevant))
	for _, id := range res.Relevant {
		relevant[id] = true
	}
	var out []ReadBackSection
	for _, s := range f.Sections {
		sec := ReadBackSection{ID: s.ID, Title: s.Title.In(lang)}
		for _, q := range f.questions {
			if q.Section != s || !relevant[q.ID] {
				continue
			}
			v, ok := kept[q.ID]
			if !ok {
				continue
			}
			sec.Lines = append(sec.Lines, ReadBackLine{Question: q.ID, Text: q.Sentence(v, lang)})
		}
		if len(sec.Lines) > 0 {
			out = append(out, sec)
		}
	}
	return out
}

// Sentence renders one answer as "label：answer" (zh) or "label: answer" (en).
func (q *Question) Sentence(v any, lang string) string {
	sep := "："
	if lang == "en" {
		sep = ": "
	}
	return q.ReadBackLabel().In(lang) + sep + q.FormatAnswer(v, lang)
}

// FormatAnswer renders an answer's value in words: option labels, numbers with their unit,
// dates as people write them.
func (q *Question) FormatAnswer(v any, lang string) string {
	if !hasType(q.Type, v) {
		return fmt.Sprint(v)
	}
	if format := q.Type.spec().format; format != nil {
		return format(q, v, lang)
	}
	return v.(string)
}

func (q *Question) optionLabel(code int, lang string) string {
	if o := q.Option(code); o != nil {
		return o.Label.In(lang)
	}
	return strconv.Itoa(code)
}

func (q *Question) withUnit(n, lang string) string {
	u := q.Unit.In(lang)
	switch {
	case u == "":
		return n
	case lang == "en":
		return n + " " + u
	default:
		return n + u
	}
}
