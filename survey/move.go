package survey

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/record"
)

// ErrCompletedStays is a move asked of a record that was completed: it is read with
// the form it was completed on, always.
var ErrCompletedStays error = completedStays{}

type completedStays struct{}

func (completedStays) Error() string { return completedStays{}.Message("en") }

// Message says it in lang, for a screen.
func (completedStays) Message(lang string) string {
	if lang == "en" {
		return "a completed record keeps its form; only a draft moves"
	}
	return "已完成的记录保留原来的表单，只有草稿可以移到新表"
}

// MovePlan is a draft's move to another form, worked out: its answers as the new form
// has them, and what happened to each.
type MovePlan struct {
	From, To *forms.Form
	Answers  map[string]json.RawMessage // as the store keeps them
	Carried  forms.Carried
	// Withdraw are the notes confirming warnings about answers the move changed or
	// dropped: a note confirms one value.
	Withdraw []string
	Summary  json.RawMessage // Carried as the audit entry keeps it
}

// PlanMove works out moving a draft to the form to, by to's carries block. The answers
// the new form's skip logic no longer asks are dropped too, and listed; answers held for
// an unknown context stay held.
func PlanMove(reg *forms.Registry, rec *record.Record, about About, to *forms.Form) (*MovePlan, error) {
	if rec.Status.Locked() || rec.Status == record.StatusReturned {
		return nil, ErrCompletedStays
	}
	rd, err := Read(reg, rec, about)
	if err != nil {
		return nil, err
	}
	answers, carried, err := to.Carry(rd.Form, rd.Answers)
	if err != nil {
		return nil, err
	}
	res := to.Evaluate(answers, Context(rec, about))
	for _, id := range res.Cleared {
		if _, ok := answers[id]; ok {
			carried.Dropped = append(carried.Dropped, forms.Dropped{Question: id, Value: answers[id],
				Reason: forms.Text{ZH: "新表的跳问规则不再询问", EN: "the new form's skip rules no longer ask it"}})
		}
	}
	res.Apply(answers)
	carried.Kept = slices.DeleteFunc(carried.Kept, func(id string) bool { return slices.Contains(res.Cleared, id) })
	p := &MovePlan{From: rd.Form, To: to, Answers: map[string]json.RawMessage{}, Carried: carried}
	for id, v := range answers {
		if p.Answers[id], err = forms.EncodeAnswer(v); err != nil {
			return nil, fmt.Errorf("move %s: %w", id, err)
		}
	}
	changed := map[string]bool{}
	for _, r := range carried.Recoded {
		changed[r.From] = true
	}
	for _, d := range carried.Dropped {
		changed[d.Question] = true
	}
	for q := range changed {
		p.Withdraw = append(p.Withdraw, NotesAt(rec, q)...)
	}
	slices.Sort(p.Withdraw)
	p.Summary, err = json.Marshal(summary(carried))
	return p, err
}

type movedSummary struct {
	Kept    []string        `json:"kept"`
	Recoded []recodedAnswer `json:"recoded,omitempty"`
	Dropped []droppedAnswer `json:"dropped,omitempty"`
}

type recodedAnswer struct {
	From string `json:"from"`
	To   string `json:"to"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

type droppedAnswer struct {
	Question string `json:"question"`
	Value    any    `json:"value"`
	Reason   string `json:"reason"`
}

func summary(c forms.Carried) movedSummary {
	s := movedSummary{Kept: c.Kept}
	for _, r := range c.Recoded {
		s.Recoded = append(s.Recoded, recodedAnswer{r.From, r.To, r.Old, r.New})
	}
	for _, d := range c.Dropped {
		s.Dropped = append(s.Dropped, droppedAnswer{d.Question, d.Value, d.Reason.ZH})
	}
	return s
}
