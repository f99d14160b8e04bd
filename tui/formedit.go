package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
)

// editor is the answer being given to the question on the form screen, before it is
// saved: the options chosen, or the text typed.
type editor struct {
	q       *forms.Question
	offered []*forms.Option // the options that apply now, in form order
	cursor  int             // the highlighted option
	chosen  []int           // option codes chosen, in form order
	digits  string          // digits typed towards a code with more than one digit
	input   textinput.Model
	// note says what a choice did besides itself: an exclusive option cleared the
	// others, or they cleared it.
	note [2]string
	// dirty is set once the enumerator has changed the answer shown.
	dirty bool
}

// newEditor opens q with its saved answer (nil when unanswered).
func newEditor(q *forms.Question, offered []*forms.Option, saved any, lang string) editor {
	e := editor{q: q, offered: offered}
	if q.Type.IsChoice() {
		switch v := saved.(type) {
		case int:
			e.chosen = []int{v}
		case []int:
			e.chosen = slices.Clone(v)
		}
		for i, o := range offered {
			if len(e.chosen) > 0 && o.Code == e.chosen[0] {
				e.cursor = i
			}
		}
		return e
	}
	e.input = newInput(q.InputLimit())
	if saved != nil {
		e.input.SetValue(q.EditText(saved, lang))
	}
	e.input.CursorEnd()
	return e
}

// typing reports whether printable keys are text for the field.
func (e *editor) typing() bool { return e.q.Editor() == forms.EditLine }

// focus starts the text field's cursor.
func (e *editor) focus() tea.Cmd {
	if e.typing() {
		return e.input.Focus()
	}
	return nil
}

// key handles a key meant for the answer; taken is false when the key is not the
// editor's (enter, navigation), and chose is true when a single-choice option was picked
// by its full code, so the screen may go on at once.
func (e *editor) key(msg tea.KeyPressMsg) (taken, chose bool, cmd tea.Cmd) {
	if e.typing() {
		switch msg.String() {
		case "enter", "tab", "shift+tab", "esc", "up", "down", "pgup", "pgdown", "f4", "f5":
			return false, false, nil
		}
		before := e.input.Value()
		e.input, cmd = e.input.Update(msg)
		if e.input.Value() != before {
			e.dirty = true
		}
		return true, false, cmd
	}
	switch msg.String() {
	case "up":
		e.cursor = max(0, e.cursor-1)
		e.digits = ""
		return true, false, nil
	case "down":
		e.cursor = min(len(e.offered)-1, e.cursor+1)
		e.digits = ""
		return true, false, nil
	case "space":
		if len(e.offered) > 0 {
			e.pick(e.offered[e.cursor].Code)
		}
		e.digits = ""
		return true, false, nil
	case "backspace", "delete":
		if len(e.chosen) > 0 {
			e.chosen, e.dirty, e.note = nil, true, [2]string{}
		}
		e.digits = ""
		return true, false, nil
	}
	if msg.Text != "" && msg.Text[0] >= '0' && msg.Text[0] <= '9' && len(msg.Text) == 1 {
		return true, e.digit(msg.Text), nil
	}
	return false, false, nil
}

// digit takes a typed digit towards an option code. A code is chosen as soon as it is
// typed whole and no longer code starts with it (with options 1 and 11, "1" waits for
// the next digit, and enter takes 1).
func (e *editor) digit(d string) bool {
	typed := e.digits + d
	if !e.prefixOfAny(typed) {
		typed = d // a new code starts
	}
	if !e.prefixOfAny(typed) {
		e.digits = ""
		e.note = e.validCodes(d)
		return false
	}
	e.digits = typed
	code, _ := strconv.Atoi(typed)
	exact := -1
	for i, o := range e.offered {
		if o.Code == code {
			exact = i
		}
	}
	if exact < 0 {
		return false
	}
	e.cursor = exact
	longer := false
	for _, o := range e.offered {
		s := strconv.Itoa(o.Code)
		if len(s) > len(typed) && strings.HasPrefix(s, typed) {
			longer = true
		}
	}
	if e.q.Editor() == forms.EditPick {
		e.pick(code)
		if !longer {
			e.digits = ""
		}
		return !longer
	}
	// Multiple choice: a code that a longer one starts with is only highlighted; space
	// toggles it, or the next digit goes on to the longer code.
	if !longer {
		e.pick(code)
		e.digits = ""
	}
	return false
}

// validCodes says that a typed digit is no option here, and which codes are.
func (e *editor) validCodes(typed string) [2]string {
	codes := make([]string, len(e.offered))
	for i, o := range e.offered {
		codes[i] = strconv.Itoa(o.Code)
	}
	return [2]string{fmt.Sprintf(tr("zh", "validcodes"), typed, strings.Join(codes, "、")),
		fmt.Sprintf(tr("en", "validcodes"), typed, strings.Join(codes, ", "))}
}

func (e *editor) prefixOfAny(typed string) bool {
	for _, o := range e.offered {
		if strings.HasPrefix(strconv.Itoa(o.Code), typed) {
			return true
		}
	}
	return false
}

// pick chooses code (single) or toggles it (multiple); an exclusive option clears the
// others, and another option clears an exclusive one, and the note says so.
func (e *editor) pick(code int) {
	e.dirty, e.note = true, [2]string{}
	if e.q.Editor() == forms.EditPick {
		e.chosen = []int{code}
		return
	}
	if i := slices.Index(e.chosen, code); i >= 0 {
		e.chosen = slices.Delete(e.chosen, i, i+1)
		return
	}
	o := e.q.Option(code)
	var dropped []*forms.Option
	keep := e.chosen[:0]
	for _, c := range e.chosen {
		other := e.q.Option(c)
		if other != nil && (o.Exclusive || other.Exclusive) {
			dropped = append(dropped, other)
			continue
		}
		keep = append(keep, c)
	}
	e.chosen = append(keep, code)
	// Kept in form order, as it is read back.
	slices.SortFunc(e.chosen, func(a, b int) int { return e.order(a) - e.order(b) })
	if len(dropped) == 0 {
		return
	}
	var zh, en []string
	for _, d := range dropped {
		zh = append(zh, fmt.Sprintf("%d %s", d.Code, d.Label.ZH))
		en = append(en, fmt.Sprintf("%d %s", d.Code, d.Label.In("en")))
	}
	if o.Exclusive {
		e.note = [2]string{fmt.Sprintf("“%s”不能与其他选项同选，已取消：%s", o.Label.ZH, strings.Join(zh, "、")),
			fmt.Sprintf("“%s” goes alone: cleared %s", o.Label.In("en"), strings.Join(en, ", "))}
		return
	}
	e.note = [2]string{fmt.Sprintf("已取消“%s”：它不能与其他选项同选", strings.Join(zh, "、")),
		fmt.Sprintf("cleared “%s”: it cannot go with other options", strings.Join(en, ", "))}
}

func (e *editor) order(code int) int {
	for i, o := range e.q.Options {
		if o.Code == code {
			return i
		}
	}
	return len(e.q.Options)
}

// isChosen reports whether the option is part of the answer.
func (e *editor) isChosen(code int) bool { return slices.Contains(e.chosen, code) }

// value is the answer as the form engine takes it: nil when there is none. An error
// means the text cannot be an answer of the question's type at all; everything else
// (a range, an invalid ID) is for the engine to judge.
func (e *editor) value(ref time.Time) (any, *[2]string) {
	switch e.q.Editor() {
	case forms.EditPick:
		if len(e.chosen) == 0 {
			return nil, nil
		}
		return e.chosen[0], nil
	case forms.EditPickMany:
		if len(e.chosen) == 0 {
			return nil, nil
		}
		return slices.Clone(e.chosen), nil
	}
	v, bad := e.q.Input(clean(e.input.Value()), ref)
	if bad != nil {
		return nil, &[2]string{bad.ZH, bad.In("en")}
	}
	return v, nil
}
