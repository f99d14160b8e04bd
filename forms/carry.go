package forms

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// rawCarries is a form's `carries` block: what a draft started on an earlier form keeps
// when it is moved to this one.
type rawCarries struct {
	From    []string               `yaml:"from"`
	Renamed map[string]string      `yaml:"renamed"`
	Recode  map[string]map[int]int `yaml:"recode"`
	Line    int                    `yaml:"-"`
}

// Carries says what a form takes over from earlier forms: the same question id is the
// same question unless Renamed says otherwise (old id → new id), and chosen codes are
// translated by Recode (by the new question id: old code → new code). What the new form
// does not have is dropped, and said.
type Carries struct {
	From    []string // ids of the earlier forms; a form always carries from its own id
	Renamed map[string]string
	Recode  map[string]map[int]int
	Line    int
}

func (b *builder) carries(r *rawCarries) {
	if r == nil {
		return
	}
	f := b.f
	c := Carries{From: r.From, Renamed: r.Renamed, Recode: r.Recode, Line: r.Line}
	for _, id := range r.From {
		if !formIDRE.MatchString(id) {
			b.errf(r.Line, "carries", "from: %q is not a form id", id)
		}
	}
	for _, old := range sortedMapKeys(r.Renamed) {
		if f.byID[r.Renamed[old]] == nil {
			b.errf(r.Line, "carries", "renamed: %s → %s, which is not a question of this form", old, r.Renamed[old])
		}
	}
	for _, id := range sortedMapKeys(r.Recode) {
		q := f.byID[id]
		switch {
		case q == nil:
			b.errf(r.Line, "carries", "recode: %s is not a question of this form", id)
		case !q.Type.IsChoice():
			b.errf(r.Line, "carries", "recode: %s is a %s question; only choices have codes", id, q.Type)
		default:
			for _, old := range sortedMapKeys(r.Recode[id]) {
				if to := r.Recode[id][old]; q.Option(to) == nil {
					b.errf(r.Line, "carries", "recode: %s %d → %d, which is not an option of %s (%s)", id, old, to, id, q.codeList())
				}
			}
		}
	}
	f.Carries = c
}

func sortedMapKeys[K int | string, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

// CarriesFrom reports whether a draft of the form old may be moved to f.
func (f *Form) CarriesFrom(old *Form) bool {
	return old != f && (old.ID == f.ID || slices.Contains(f.Carries.From, old.ID))
}

// Carried is what moving a draft did to its answers, question by question.
type Carried struct {
	Kept    []string  // new question ids whose answer is as it was
	Recoded []Recoded // answers whose codes (or question id) changed
	Dropped []Dropped // answers the new form has no place for
}

// Recoded is one answer taken over changed: renamed, or codes translated.
type Recoded struct {
	From, To string // old and new question id
	Old, New any
}

// Dropped is one answer left behind, and why.
type Dropped struct {
	Question string // the old question id
	Value    any
	Reason   Text
}

// Carry takes the answers of a draft of old over to f, by f's `carries` block. It does
// not change a. A mapping that names a code the old form does not have is an error
// naming f's file and the line of its `carries` block.
func (f *Form) Carry(old *Form, a Answers) (Answers, Carried, error) {
	if !f.CarriesFrom(old) {
		return nil, Carried{}, fmt.Errorf("form %s %s does not take drafts of %s %s (its carries: from lists %v)",
			f.ID, f.Version, old.ID, old.Version, f.Carries.From)
	}
	oldOf := map[string]string{} // new id → old id, for the recode table
	for o, n := range f.Carries.Renamed {
		oldOf[n] = o
	}
	for _, id := range sortedMapKeys(f.Carries.Recode) {
		oq := old.Question(cmpOr(oldOf[id], id))
		for _, code := range sortedMapKeys(f.Carries.Recode[id]) {
			if oq == nil || oq.Option(code) == nil {
				return nil, Carried{}, &LoadError{File: f.Source, Line: f.Carries.Line, Item: "carries",
					Msg: fmt.Sprintf("recode: %s: code %d is not an option of %s in %s %s", id, code, cmpOr(oldOf[id], id), old.ID, old.Version)}
			}
		}
	}
	out := Answers{}
	var c Carried
	for _, oq := range old.Questions() {
		v, ok := a[oq.ID]
		if !ok {
			continue
		}
		nid := cmpOr(f.Carries.Renamed[oq.ID], oq.ID)
		nq := f.Question(nid)
		switch {
		case nq == nil:
			c.Dropped = append(c.Dropped, Dropped{oq.ID, v, Text{ZH: "新表没有这一题", EN: "the new form has no such question"}})
			continue
		case nq.Type != oq.Type:
			c.Dropped = append(c.Dropped, Dropped{oq.ID, v, Text{
				ZH: fmt.Sprintf("题型由 %s 改为 %s", oq.Type, nq.Type), EN: fmt.Sprintf("its type changed from %s to %s", oq.Type, nq.Type)}})
			continue
		}
		nv, lost := recode(nq, f.Carries.Recode[nid], v)
		if nv == nil {
			c.Dropped = append(c.Dropped, Dropped{oq.ID, v, Text{
				ZH: "选项 " + lost + " 在新表中没有", EN: "option " + lost + " is not in the new form"}})
			continue
		}
		out[nid] = nv
		if lost != "" {
			c.Dropped = append(c.Dropped, Dropped{oq.ID, lost, Text{
				ZH: "选项 " + lost + " 在新表中没有", EN: "option " + lost + " is not in the new form"}})
		}
		if nid != oq.ID || !answerEqual(v, nv) {
			c.Recoded = append(c.Recoded, Recoded{From: oq.ID, To: nid, Old: v, New: nv})
		} else {
			c.Kept = append(c.Kept, nid)
		}
	}
	return out, c, nil
}

// recode translates chosen codes by table and keeps those q offers; lost lists the
// codes that had no place, for the message.
func recode(q *Question, table map[int]int, v any) (any, string) {
	tr := func(code int) int {
		if to, ok := table[code]; ok {
			return to
		}
		return code
	}
	switch x := v.(type) {
	case int:
		if q.Type.IsChoice() {
			if n := tr(x); q.Option(n) != nil {
				return n, ""
			}
			return nil, strconv.Itoa(x)
		}
	case []int:
		var keep []int
		var lost []string
		for _, code := range x {
			if n := tr(code); q.Option(n) != nil && !slices.Contains(keep, n) {
				keep = append(keep, n)
			} else if q.Option(n) == nil {
				lost = append(lost, strconv.Itoa(code))
			}
		}
		if len(keep) == 0 {
			return nil, strings.Join(lost, "、")
		}
		return keep, strings.Join(lost, "、")
	}
	return v, ""
}

func answerEqual(a, b any) bool {
	x, ok1 := a.([]int)
	y, ok2 := b.([]int)
	if ok1 && ok2 {
		return slices.Equal(x, y)
	}
	return a == b
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
