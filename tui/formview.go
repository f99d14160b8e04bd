package tui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

func (s *formScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	if s.loadErr[0] != "" {
		return strings.Join(textwidth.Wrap(s.loadErr[li], width), "\n")
	}
	if s.cur == "" {
		return s.endView(width)
	}
	q := s.ed.q
	inner := width - 4
	var head []string
	pos := slices.Index(s.res.Relevant, q.ID) + 1
	progress := fmt.Sprintf(tr(lang, "progress"), pos, len(s.res.Relevant))
	section := clean(q.Section.Title.In(lang))
	gap := width - 2 - textwidth.Width(section) - textwidth.Width(progress)
	head = append(head, "  "+st.Section.Render(section)+strings.Repeat(" ", max(1, gap))+st.Faint.Render(progress))
	head = append(head, "  "+st.Faint.Render(textwidth.Rule(width-4)))
	if q.Parent != nil {
		for _, l := range textwidth.Wrap(q.Parent.ID+"  "+clean(q.Parent.Label.In(lang)), inner) {
			head = append(head, "  "+st.Faint.Render(l))
		}
	}
	for i, l := range textwidth.Wrap(clean(q.Label.In(lang)), inner-len(q.ID)-2) {
		prefix := strings.Repeat(" ", len(q.ID)+2)
		if i == 0 {
			prefix = q.ID + "  "
		}
		head = append(head, "  "+st.Count.Render(prefix)+st.Section.Render(l))
	}
	head = append(head, "  "+st.Faint.Render(textwidth.Truncate(s.typeHint(), inner)))
	head = append(head, "")

	var tail []string
	msg := func(style func(...string) string, text string) {
		for _, l := range textwidth.Wrap(text, inner) {
			tail = append(tail, "  "+style(l))
		}
	}
	for _, c := range s.commentsAt(q.ID) {
		msg(st.Warning.Render, tr(lang, "comment")+clean(c.Text))
	}
	if s.ed.note[li] != "" {
		msg(st.Warning.Render, s.ed.note[li])
	}
	if s.restored[li] != "" {
		msg(st.OK.Render, s.restored[li])
	}
	if s.cleared[li] != "" {
		msg(st.Faint.Render, s.cleared[li])
	}
	switch {
	case s.saving:
		msg(st.Faint.Render, tr(lang, "saving"))
	case s.err[li] != "":
		msg(st.Error.Render, "✗ "+s.err[li])
		s.relatedLine(msg)
	case s.warn[li] != "":
		msg(st.Warning.Render, "! "+s.warn[li])
		s.relatedLine(msg)
		msg(st.Faint.Render, tr(lang, "warnhint"))
	case s.ed.typing() && s.ed.dirty:
		if live := s.liveProblem(); live != "" {
			msg(st.Faint.Render, live)
		}
	case s.ed.digits != "":
		msg(st.Faint.Render, fmt.Sprintf(tr(lang, "digits"), s.ed.digits))
	}
	room := max(1, height-len(head)-len(tail)-1)
	body := s.answerLines(width, room)
	lines := append(head, body...)
	if len(tail) > 0 {
		lines = append(lines, "")
		lines = append(lines, tail...)
	}
	return strings.Join(lines, "\n")
}

// relatedLine names the other questions the shown problem's check reads, with their
// answers: the one to fix may be there, F7 away.
func (s *formScreen) relatedLine(msg func(func(...string) string, string)) {
	ids := s.relatedTo()
	if len(ids) == 0 {
		return
	}
	lang := s.env.Lang
	var parts []string
	for _, id := range ids {
		q := s.form.Question(id)
		part := id + " " + clean(q.ReadBackLabel().In(lang))
		if v, ok := s.answers[id]; ok {
			part += "=" + clean(q.FormatAnswer(v, lang))
		}
		parts = append(parts, part)
	}
	sep := "、"
	if lang == "en" {
		sep = "; "
	}
	msg(s.env.Styles.Faint.Render, fmt.Sprintf(tr(lang, "related.n"), strings.Join(parts, sep)))
}

// prefilled reports whether the answer is still the roster's, as the record was opened.
func (s *formScreen) prefilled(id string) bool { return s.fromRoster[id] }

// liveProblem is what the engine would say of the text typed so far, in the screen's
// language: shown faint while typing, as an error once enter is pressed.
func (s *formScreen) liveProblem() string {
	li := langIndex(s.env.Lang)
	v, bad := s.ed.value(s.form.ReferenceDate)
	if bad != nil {
		return bad[li]
	}
	if v == nil {
		return ""
	}
	candidate := maps.Clone(s.answers)
	candidate[s.cur] = v
	for _, fd := range s.form.Evaluate(candidate, s.ctx).Findings {
		if fd.Question == s.cur && fd.Severity == forms.SeverityError {
			return clean(fd.Message.In(s.env.Lang))
		}
	}
	return ""
}

func (s *formScreen) typeHint() string {
	q := s.ed.q
	lang := s.env.Lang
	hint := tr(lang, "type."+string(q.Type))
	if q.Unit.ZH != "" {
		hint += fmt.Sprintf(tr(lang, "unit"), clean(q.Unit.In(lang)))
	}
	if !q.Required {
		hint += tr(lang, "optional")
	}
	if _, ok := s.answers[q.ID]; ok && q.Prefill != "" && !s.ed.dirty && s.prefilled(q.ID) {
		hint += tr(lang, "prefilled")
	}
	return hint
}

// answerLines is the options (a window around the highlighted one when they do not fit)
// or the text field.
func (s *formScreen) answerLines(width, room int) []string {
	st, lang := s.env.Styles, s.env.Lang
	e := &s.ed
	if e.typing() {
		e.input.SetWidth(max(10, width-8))
		return []string{"  › " + fieldView(e.input)}
	}
	codeW := 1
	for _, o := range e.offered {
		codeW = max(codeW, len(fmt.Sprint(o.Code)))
	}
	first := 0
	if len(e.offered) > room {
		first = min(max(0, e.cursor-room/2), len(e.offered)-room)
	}
	var lines []string
	for i := first; i < len(e.offered) && len(lines) < room; i++ {
		o := e.offered[i]
		mark := "( )"
		if e.q.Editor() == forms.EditPickMany {
			mark = "[ ]"
		}
		if e.isChosen(o.Code) {
			mark = "(•)"
			if e.q.Editor() == forms.EditPickMany {
				mark = "[x]"
			}
		}
		head := "  "
		if i == e.cursor {
			head = "▸ "
		}
		label := clean(o.Label.In(lang))
		if o.Exclusive {
			label += tr(lang, "exclusive")
		}
		line := fmt.Sprintf("%s%s %*d  %s", head, mark, codeW, o.Code, label)
		line = textwidth.Truncate(line, width-2)
		if i == e.cursor {
			line = st.Selected.Render(line)
		} else if e.isChosen(o.Code) {
			line = st.OK.Render(line)
		}
		lines = append(lines, "  "+line)
	}
	if first > 0 || first+len(lines) < len(e.offered) {
		lines[len(lines)-1] = "  " + st.Faint.Render(fmt.Sprintf(tr(lang, "more"), len(e.offered)))
	}
	return lines
}

// endView is the end of the form: what is left to do, or the way to the read-back.
func (s *formScreen) endView(width int) string {
	lang, st := s.env.Lang, s.env.Styles
	p := s.problems()
	lines := []string{"", "  " + st.Section.Render(tr(lang, "formend")), ""}
	add := func(style func(...string) string, text string) {
		for _, l := range textwidth.Wrap(text, width-4) {
			lines = append(lines, "  "+style(l))
		}
	}
	add(st.Faint.Render, fmt.Sprintf(tr(lang, "answered.n"), len(s.answers), len(s.res.Relevant)))
	switch {
	case s.village != "" && (s.done || s.rec.Status.Locked()):
		add(st.OK.Render, "✓ "+fmt.Sprintf(tr(lang, "villagedone"), s.name))
		lines = append(lines, "")
		add(st.Faint.Render, tr(lang, "villageback"))
	case p.first == "" && s.village != "":
		add(st.OK.Render, "✓ "+tr(lang, "allgood"))
		lines = append(lines, "")
		add(st.Faint.Render, tr(lang, "tovillagesign"))
		if s.err[langIndex(lang)] != "" {
			add(st.Error.Render, "✗ "+s.err[langIndex(lang)])
		}
	case p.first == "":
		add(st.OK.Render, "✓ "+tr(lang, "allgood"))
		lines = append(lines, "")
		add(st.Faint.Render, tr(lang, "toreadback"))
	default:
		if p.missing > 0 {
			add(st.Error.Render, fmt.Sprintf(tr(lang, "missing.n"), p.missing))
		}
		if p.errs > 0 {
			add(st.Error.Render, fmt.Sprintf(tr(lang, "errors.n"), p.errs))
		}
		if p.warns > 0 {
			add(st.Warning.Render, fmt.Sprintf(tr(lang, "warns.n"), p.warns))
		}
		lines = append(lines, "")
		add(st.Faint.Render, fmt.Sprintf(tr(lang, "tofirst"), p.first))
	}
	for _, c := range s.commentsAt("") {
		add(st.Warning.Render, tr(lang, "comment")+clean(c.Text))
	}
	return strings.Join(lines, "\n")
}
