package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// prefillReason marks the audit entries of answers taken from the roster when a record
// is first opened: an auditor sees where they came from, and the form does not resume
// after them as if the enumerator had answered.
const prefillReason = steps.PrefillReason

// formScreen is the interview: one question at a time, with its section and progress.
// Every answer is saved (durably, by the store) before the next question shows; keys
// typed meanwhile are held and replayed.
type formScreen struct {
	common
	caseID string
	// village is set instead of caseID for a form filled once per village (the
	// community form): no read-back to a respondent, the filler signs and completes.
	village string
	done    bool // the village's form was completed here
	// at is the question to open at; fix is set when the read-back sent the enumerator
	// here to correct one answer, and going on returns there.
	at  string
	fix bool

	form    *forms.Form
	rec     *localstore.Record
	name    string
	answers forms.Answers
	ctx     forms.Context
	res     forms.Result
	loaded  bool
	loadErr [2]string

	cur     string // the question shown; "" is the end of the form
	ed      editor
	shownAt time.Time

	saving bool
	// heedUntil: keys before it are ignored (a returned record just opened at the
	// leader's comment).
	heedUntil time.Time
	// checkReads are the questions each check read, as asked (relatedTo).
	checkReads map[string][]string
	held       []tea.KeyPressMsg
	pending    move
	reason     string // why a confirmed section's answer changes, for the save in hand

	err     [2]string // why the answer cannot stay as it is (blocks going on)
	warn    [2]string // a warning to confirm with a note before going on
	warnKey string    // its check@question
	cleared [2]string // answers that no longer apply, cleared by the last save
	// restored says which answers cleared earlier came back with the last save.
	restored [2]string
	// stash keeps, for this interview, the answers other answers cleared: changing the
	// answer back restores them (the audit trail keeps them for good).
	stash map[string]any
	// moveOffered is set once the move of a draft to the newer form was offered.
	moveOffered bool
	// fromRoster are the questions whose answer is the roster's, untouched.
	fromRoster map[string]bool

	keys formKeys
}

type formKeys struct {
	next, prev, jump, readBack, leave, help key.Binding
	// method reopens the case's method and outcome; blank goes to the next question
	// not answered yet; related goes to the questions the shown error's check reads.
	method, blank, related key.Binding
}

// move is where to go once the answer in hand is saved.
type move struct {
	kind moveKind
	to   string
}

type moveKind int

const (
	moveNext  moveKind = iota // the next relevant question, unless this one has a problem
	movePrev                  // the previous relevant question
	moveTo                    // a question from the jump list
	moveLeave                 // back to the case (the draft stays)
	moveReadBack
	moveMethod // to the case's method and outcome
	moveBlank  // the next question not answered yet
)

// formLoadedMsg is the record opened for the interview, with the form it was started
// with.
type formLoadedMsg struct {
	form    *forms.Form
	rec     *localstore.Record
	name    string
	answers forms.Answers
	ctx     forms.Context
	resume  string // the last question the enumerator answered
	place   string // where the draft was paused, when nothing was answered since
	// fromRoster are the answers still as the roster prefilled them.
	fromRoster map[string]bool
	err        error
}

// answerSavedMsg is the store's word on a save; answers is what was saved.
type answerSavedMsg struct {
	rec     *localstore.Record
	answers forms.Answers
	err     error
}

// warningNotedMsg asks the form to keep a note confirming a warning.
type warningNotedMsg struct{ key, note string }

// warningSavedMsg is the store's word on it.
type warningSavedMsg struct {
	rec *localstore.Record
	err error
}

// reasonGivenMsg carries why a confirmed answer changes; empty when the change was
// abandoned.
type reasonGivenMsg struct{ reason string }

// jumpMsg opens a question chosen in the jump list.
type jumpMsg struct{ question string }

func newFormScreen(c common, caseID, at string, fix bool) *formScreen {
	s := &formScreen{common: c, caseID: caseID, at: at, fix: fix, form: c.env.PersonForm}
	s.keys = formKeys{
		next:     binding([]string{"enter", "tab"}, "enter", "key.next"),
		prev:     binding([]string{"shift+tab"}, "S-tab", "key.prevq"),
		jump:     binding([]string{"f4"}, "F4", "key.jump"),
		readBack: binding([]string{"f5"}, "F5", "key.readback"),
		leave:    binding([]string{"esc"}, "esc", "key.pause"),
		help:     binding([]string{"?"}, "?", "key.qhelp"),
		method:   binding([]string{"f3"}, "F3", "key.method"),
		blank:    binding([]string{"f6"}, "F6", "key.blank"),
		related:  binding([]string{"f7"}, "F7", "key.related"),
	}
	return s
}

// newCommunityForm is the community form of a village.
func newCommunityForm(c common, village string) *formScreen {
	s := newFormScreen(c, "", "", false)
	s.village, s.form = village, c.env.CommunityForm
	return s
}

func (s *formScreen) Init() tea.Cmd {
	sess, reg, f, caseID, village := s.env.Session, s.env.Forms, s.form, s.caseID, s.village
	if village != "" {
		return s.do(func() tea.Msg { return loadVillage(sess, reg, f, village) })
	}
	return s.do(func() tea.Msg { return loadInterview(sess, reg, f, caseID) })
}

func (s *formScreen) Title(lang string) string {
	t := tr(lang, "interview")
	if s.village != "" {
		t = clean(s.form.Title.In(lang))
	}
	if s.name != "" {
		t += " · " + s.name
	}
	return t
}

func (s *formScreen) Typing() bool { return s.loaded && s.cur != "" && s.ed.typing() }

func (s *formScreen) ShortHelp() []key.Binding {
	k := s.keys
	var keys []key.Binding
	if s.cur != "" && !s.ed.typing() {
		if s.ed.q.Editor() == forms.EditPickMany {
			keys = append(keys, binding([]string{"1", "space"}, "0-9/space", "key.toggle"))
		} else {
			keys = append(keys, binding([]string{"1"}, "0-9", "key.choose"))
		}
	}
	// ? shows the question's help as F1 does; the help line names F1 only, once.
	if s.village != "" {
		return append(keys, k.next, k.prev, k.jump, k.blank, k.leave)
	}
	if len(s.relatedTo()) > 0 {
		keys = append(keys, k.related)
	}
	return append(keys, k.next, k.prev, k.jump, k.blank, k.method, k.readBack, k.leave)
}

func (s *formScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// ContextHelp is the current question's 指标解释, which F1 shows instead of the handbook.
func (s *formScreen) ContextHelp() Overlay {
	if !s.loaded || s.cur == "" {
		return nil
	}
	return questionHelp(s.env, s.ed.q)
}

func questionHelp(env *Env, q *forms.Question) Overlay {
	help := q.Help
	if help.ZH == "" {
		help = forms.Text{ZH: "这一题没有指标解释。", EN: "This question has no help text."}
	}
	return newDialog(env, [2]string{q.ID + "  " + clean(q.Label.ZH), q.ID + "  " + clean(q.Label.In("en"))},
		[2]string{clean(help.ZH), clean(help.In("en"))}, false)
}

func (s *formScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case formLoadedMsg:
		cmd := s.loadedRecord(msg)
		if s.loadErr[0] != "" {
			s.held = nil
			return s, cmd
		}
		return s, tea.Batch(cmd, s.replay(), s.offerMove())
	case answerSavedMsg:
		return s.saved(msg)
	case draftMovedMsg:
		return s, s.moved(msg)
	case placeKeptMsg:
		s.saving, s.held = false, nil
		return s, msg.then
	case warningNotedMsg:
		sess, id := s.env.Session, s.rec.ID
		s.saving = true
		return s, s.do(func() tea.Msg {
			rec, err := sess.ConfirmWarning(id, msg.key, msg.note)
			return warningSavedMsg{rec, err}
		})
	case warningSavedMsg:
		s.saving = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, s.replay()
		}
		s.rec = msg.rec
		s.warn, s.warnKey = [2]string{}, ""
		return s, tea.Batch(s.proceed(move{kind: moveNext}), s.replay())
	case reasonGivenMsg:
		if msg.reason == "" {
			return s, nil
		}
		s.reason = msg.reason
		return s, s.commit(s.pending)
	case jumpMsg:
		return s, s.commit(move{kind: moveTo, to: msg.question})
	case villageSignMsg:
		return s, s.signVillage(msg.pass)
	case villageDoneMsg:
		s.saving = false
		if msg.err != nil {
			if errors.Is(msg.err, localstore.ErrWrongPassphrase) {
				s.err = both("wrongpassonly")
			} else {
				s.err = errText(msg.err)
			}
			return s, nil
		}
		s.rec, s.done, s.err = msg.rec, true, [2]string{}
		return s, nil
	case tea.KeyPressMsg:
		if !s.loaded {
			if key.Matches(msg, s.keys.leave) {
				return s, back
			}
			// Typed ahead while the record opens: kept for the first question.
			s.held = append(s.held, msg)
			return s, nil
		}
		if s.saving {
			s.held = append(s.held, msg)
			return s, nil
		}
		return s, s.key(msg)
	case tea.PasteMsg:
		if s.loaded && !s.saving && s.cur != "" && s.ed.typing() {
			var cmd tea.Cmd
			s.ed.input, cmd = s.ed.input.Update(msg)
			s.ed.dirty = true
			return s, cmd
		}
	}
	return s, nil
}

func (s *formScreen) loadedRecord(msg formLoadedMsg) tea.Cmd {
	s.loaded = true
	if msg.err != nil {
		s.loadErr = loadErrText(msg.err)
		return nil
	}
	s.form, s.rec, s.name, s.answers, s.ctx, s.fromRoster = msg.form, msg.rec, msg.name, msg.answers, msg.ctx, msg.fromRoster
	s.res = s.form.Evaluate(s.answers, s.ctx)
	switch {
	case s.at != "":
		return s.open(s.at)
	case s.rec.Status == localstore.StatusReturned:
		// Returned by the leader: the first question commented on, in form order.
		for _, id := range s.res.Relevant {
			if len(s.commentsAt(id)) > 0 {
				// Keys typed ahead (a habit of enters from opening a case) would walk
				// past the comment unread: they are let go for a moment.
				s.heedUntil = s.env.Now().Add(graceTime)
				s.held = nil
				return s.open(id)
			}
		}
		if len(s.res.Relevant) > 0 {
			return s.open(s.res.Relevant[0])
		}
	case msg.place != "" && slices.Contains(s.res.Relevant, msg.place):
		// Where it was paused, nothing saved since.
		return s.open(msg.place)
	case msg.resume != "":
		// Where it was left: after the last answer, or at it if it has a problem.
		if s.blocking(msg.resume) {
			return s.open(msg.resume)
		}
		return s.open(s.after(msg.resume))
	}
	if len(s.res.Relevant) > 0 {
		return s.open(s.res.Relevant[0])
	}
	return s.open("")
}

func (s *formScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.env.Now().Before(s.heedUntil) {
		return nil
	}
	k := s.keys
	if s.cur == "" {
		switch {
		case key.Matches(msg, k.next), key.Matches(msg, k.readBack):
			return s.toReadBack()
		case key.Matches(msg, k.prev):
			if n := len(s.res.Relevant); n > 0 {
				return s.open(s.res.Relevant[n-1])
			}
		case key.Matches(msg, k.jump):
			return showOverlay(newJumpList(s))
		case key.Matches(msg, k.blank):
			return s.open(s.nextBlank())
		case key.Matches(msg, k.method) && s.village == "":
			return s.proceed(move{kind: moveMethod})
		case key.Matches(msg, k.leave):
			return s.proceed(move{kind: moveLeave})
		}
		return nil
	}
	if !s.ed.typing() && msg.Text == "?" {
		return showOverlay(questionHelp(s.env, s.ed.q))
	}
	switch {
	case key.Matches(msg, k.next):
		if !s.ed.dirty && s.warnKey != "" {
			return showOverlay(newAsk(s.common, both("confirmwarn"), s.warn, both("warnnote"), func(note string) tea.Msg {
				return warningNotedMsg{s.warnKey, note}
			}))
		}
		if s.ed.digits != "" && !s.ed.typing() && s.ed.q.Editor() == forms.EditPickMany {
			s.ed.pick(s.ed.offered[s.ed.cursor].Code)
			s.ed.digits = ""
			return nil
		}
		s.ed.digits = ""
		if s.fix {
			return s.commit(move{kind: moveReadBack})
		}
		return s.commit(move{kind: moveNext})
	case key.Matches(msg, k.prev):
		return s.commit(move{kind: movePrev})
	case key.Matches(msg, k.jump):
		return showOverlay(newJumpList(s))
	case key.Matches(msg, k.readBack):
		return s.commit(move{kind: moveReadBack})
	case key.Matches(msg, k.leave):
		return s.commit(move{kind: moveLeave})
	case key.Matches(msg, k.blank):
		return s.commit(move{kind: moveBlank})
	case key.Matches(msg, k.method) && s.village == "":
		return s.commit(move{kind: moveMethod})
	case key.Matches(msg, k.related):
		if ids := s.relatedTo(); len(ids) > 0 {
			return s.commit(move{kind: moveTo, to: ids[0]})
		}
		return nil
	}
	taken, chose, cmd := s.ed.key(msg)
	if taken {
		s.err = [2]string{}
		if chose && !s.fix {
			return tea.Batch(cmd, s.commit(move{kind: moveNext}))
		}
	}
	return cmd
}

// commit saves the answer in hand if it changed, with any answers it makes
// irrelevant, then moves; the move waits for the store.
func (s *formScreen) commit(mv move) tea.Cmd {
	if s.cur == "" {
		return s.proceed(mv)
	}
	q := s.ed.q
	v, bad := s.ed.value(s.form.ReferenceDate)
	if bad != nil {
		if !s.ed.dirty && mv.kind != moveNext {
			return s.proceed(mv)
		}
		s.err = *bad
		return nil
	}
	_, had := s.answers[q.ID]
	if v == nil && q.Required && mv.kind == moveNext {
		s.err = both("required")
		return nil
	}
	if !s.ed.dirty || v == nil && !had {
		return s.proceed(mv)
	}
	if s.stash == nil {
		s.stash = map[string]any{}
	}
	edit := steps.Answer(s.form, s.rec, s.answers, s.ctx, s.stash, q, v, s.env.Now().Sub(s.shownAt))
	candidate, changes, confirmed := edit.Answers, edit.Changes, edit.Confirmed
	if confirmed && s.reason == "" && s.rec.Status == localstore.StatusReturned {
		// The leader's return is why: the comment is on the record.
		s.reason = returnedReason
	}
	if confirmed && s.reason == "" {
		s.pending = mv
		return showOverlay(newAsk(s.common, both("reasontitle"), both("reasonbody"), both("reason"), func(r string) tea.Msg {
			return reasonGivenMsg{r}
		}))
	}
	for i := range changes {
		changes[i].Reason = s.reason
	}
	s.reason = ""
	s.cleared, s.restored = s.clearedNote(edit.Cleared), s.restoredNote(edit.Restored)
	s.saving, s.pending = true, mv
	sess, id := s.env.Session, s.rec.ID
	return s.do(func() tea.Msg {
		rec, err := sess.SaveAnswers(id, changes...)
		return answerSavedMsg{rec: rec, answers: candidate, err: err}
	})
}

// clearedNote names the answers cleared that someone gave: an answer the roster
// prefilled and nobody saw goes unmentioned.
func (s *formScreen) clearedNote(ids []string) [2]string {
	var shown []string
	for _, id := range ids {
		if !s.fromRoster[id] {
			shown = append(shown, id)
		}
	}
	return s.questionsNote(shown, "form.cleared")
}

func (s *formScreen) restoredNote(ids []string) [2]string {
	return s.questionsNote(ids, "form.restored")
}

// questionsNote is a message naming questions by id and short label; empty for none.
func (s *formScreen) questionsNote(ids []string, key string) [2]string {
	if len(ids) == 0 {
		return [2]string{}
	}
	var zh, en []string
	for _, id := range ids {
		q := s.form.Question(id)
		zh = append(zh, id+" "+clean(q.ReadBackLabel().ZH))
		en = append(en, id+" "+clean(q.ReadBackLabel().In("en")))
	}
	return [2]string{tr("zh", key) + strings.Join(zh, "、"), tr("en", key) + strings.Join(en, ", ")}
}

func (s *formScreen) saved(msg answerSavedMsg) (Screen, tea.Cmd) {
	s.saving = false
	if msg.err != nil {
		s.cleared, s.restored = [2]string{}, [2]string{}
		if errors.Is(msg.err, localstore.ErrReasonRequired) {
			return s, showOverlay(newAsk(s.common, both("reasontitle"), both("reasonbody"), both("reason"), func(r string) tea.Msg {
				return reasonGivenMsg{r}
			}))
		}
		s.err = errText(msg.err)
		s.held = nil // what was typed after a failed save would go to the wrong question
		return s, nil
	}
	s.rec, s.answers = msg.rec, msg.answers
	s.res = s.form.Evaluate(s.answers, s.ctx)
	if s.cur != "" {
		delete(s.fromRoster, s.cur)
	}
	s.ed.dirty = false
	return s, tea.Batch(s.proceed(s.pending), s.replay())
}

// replay feeds the keys typed during a save to the screen, in order; one that starts
// another save holds the rest again.
func (s *formScreen) replay() tea.Cmd {
	held := s.held
	s.held = nil
	var cmds []tea.Cmd
	for i, k := range held {
		if s.saving {
			s.held = append(s.held, held[i:]...)
			break
		}
		cmds = append(cmds, s.key(k))
	}
	return tea.Batch(cmds...)
}

// proceed moves once the answer is safe. Going on stops at a question whose answer has
// an error, or a warning not yet confirmed.
func (s *formScreen) proceed(mv move) tea.Cmd {
	switch mv.kind {
	case moveNext:
		if s.cur == "" {
			return nil
		}
		if s.stopAt(s.cur) {
			return s.ed.focus()
		}
		return s.open(s.after(s.cur))
	case movePrev:
		i := slices.Index(s.res.Relevant, s.cur)
		if i > 0 {
			return s.open(s.res.Relevant[i-1])
		}
		return nil
	case moveTo:
		return s.open(mv.to)
	case moveLeave:
		return s.keepPlace(back)
	case moveMethod:
		return s.keepPlace(replace(Page{Kind: KindStart, ID: s.caseID}))
	case moveBlank:
		return s.open(s.nextBlank())
	case moveReadBack:
		if s.fix {
			if s.cur != "" && s.stopAt(s.cur) {
				return s.ed.focus()
			}
			return back
		}
		return s.toReadBack()
	}
	return nil
}

// stopAt shows the question's problem, if it has one, and reports whether it blocks.
func (s *formScreen) stopAt(id string) bool {
	s.err, s.warn, s.warnKey = [2]string{}, [2]string{}, ""
	switch stop := steps.StopAt(s.res, s.rec, s.answers, id); stop.Kind {
	case steps.GoOn:
		return false
	case steps.Required:
		s.err = both("required")
	case steps.Error:
		s.err = findingText(s.form, stop.Finding, s.answers, s.ctx)
	case steps.Warning:
		s.warn, s.warnKey = findingText(s.form, stop.Finding, s.answers, s.ctx), stop.NoteKey
	}
	s.reopen()
	return true
}

// findingText is a finding's message in both languages; a check judged on the age
// says the age it derived, which the enumerator can check against the card.
func findingText(f *forms.Form, fd forms.Finding, a forms.Answers, ctx forms.Context) [2]string {
	t := [2]string{clean(fd.Message.ZH), clean(fd.Message.In("en"))}
	if age, ok := f.Age(a, ctx); ok && f.CheckUsesAge(fd.Check) {
		t[0] += fmt.Sprintf(tr("zh", "derivedage"), age)
		t[1] += fmt.Sprintf(tr("en", "derivedage"), age)
	}
	return t
}

// returnedReason is kept with a change to an agreed answer of a returned record: the
// leader's comment asked for it.
const returnedReason = steps.ReturnedReason

// keepPlace keeps the question on screen, where the draft opens again, and then leaves
// with then: the place is written before anything can reopen the record.
func (s *formScreen) keepPlace(then tea.Cmd) tea.Cmd {
	if s.rec == nil || s.rec.Status.Locked() || s.cur == "" {
		return then
	}
	s.saving = true
	sess, id, p := s.env.Session, s.rec.ID, localstore.Place{Question: s.cur, AuditLen: s.rec.AuditLen}
	return s.do(func() tea.Msg {
		// A place not kept costs only where the draft opens: the answers are saved.
		_ = sess.SetPlace(id, p)
		return placeKeptMsg{then}
	})
}

// placeKeptMsg says the paused place is written; then leaves the form.
type placeKeptMsg struct{ then tea.Cmd }

// nextBlank is the first question after the one shown (then from the start) that must
// still be answered or has a problem to settle; "" (the end page) when there is none.
// An optional question left blank is not one: it may have been left so on purpose.
func (s *formScreen) nextBlank() string {
	rel := s.res.Relevant
	start := slices.Index(rel, s.cur) + 1
	for i := range rel {
		id := rel[(start+i)%len(rel)]
		if id == s.cur {
			continue
		}
		if s.blocking(id) {
			return id
		}
	}
	return ""
}

// relatedTo are the other questions the check of the error shown reads, in form order:
// where the answer that conflicts with this one may be the one to fix.
func (s *formScreen) relatedTo() []string {
	if s.cur == "" || s.err[0] == "" && s.warn[0] == "" {
		return nil
	}
	for _, fd := range s.res.Findings {
		if fd.Question != s.cur || fd.Severity != forms.SeverityError && s.rec.Notes[survey.NoteKey(fd)] != "" {
			continue
		}
		reads, ok := s.checkReads[fd.Check]
		if !ok {
			// Parsed once a check, not on every keystroke's help line.
			reads = s.form.CheckReads(fd.Check)
			if s.checkReads == nil {
				s.checkReads = map[string][]string{}
			}
			s.checkReads[fd.Check] = reads
		}
		var out []string
		for _, id := range reads {
			if id != s.cur && slices.Contains(s.res.Relevant, id) {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}

// blocking reports whether the question has a problem that stops going on.
func (s *formScreen) blocking(id string) bool {
	if slices.Contains(s.res.Missing, id) {
		return true
	}
	for _, fd := range s.res.Findings {
		if fd.Question == id && (fd.Severity == forms.SeverityError || s.rec.Notes[survey.NoteKey(fd)] == "") {
			return true
		}
	}
	return false
}

// reopen shows the saved answer of the current question again (the engine may have
// dropped options from it).
func (s *formScreen) reopen() {
	if s.cur == "" {
		return
	}
	q := s.form.Question(s.cur)
	s.ed = newEditor(q, s.form.Offered(s.answers, s.ctx, q.ID), s.answers[q.ID], s.env.Lang)
}

// after is the relevant question following id in form order ("" at the end). id may
// no longer be relevant: then the first relevant one after its place.
func (s *formScreen) after(id string) string {
	return steps.After(s.form, s.res, id)
}

// open shows a question ("" is the end of the form).
func (s *formScreen) open(id string) tea.Cmd {
	s.err, s.warn, s.warnKey = [2]string{}, [2]string{}, ""
	if id != "" && !slices.Contains(s.res.Relevant, id) {
		id = s.after(id)
	}
	s.cur = id
	s.shownAt = s.env.Now()
	if id == "" {
		return nil
	}
	s.reopen()
	s.stopAt(id) // an answer with a problem says so at once
	if _, answered := s.answers[id]; !answered {
		s.err = [2]string{}
	}
	return s.ed.focus()
}

// problems is what stands between the form and its read-back.
type problems struct {
	missing, errs, warns int
	first                string
}

func (s *formScreen) problems() problems {
	var p problems
	p.first, p.missing, p.errs, p.warns = steps.FirstProblem(s.res, s.rec)
	return p
}

// toReadBack goes to the read-back once nothing blocks it, else to the first problem.
// A village's form has no read-back: its filler signs with the passphrase and it is
// completed.
func (s *formScreen) toReadBack() tea.Cmd {
	p := s.problems()
	if p.first != "" {
		if s.cur == "" {
			return s.open(p.first)
		}
		s.cur = ""
		return nil // the end page lists what is left
	}
	if s.village != "" {
		if s.cur != "" {
			s.cur = ""
			return nil
		}
		if s.done || s.rec.Status.Locked() {
			return back
		}
		a := newAsk(s.common, both("villagesign"), both("villagesignbody"), both("passphrase"), func(pass string) tea.Msg {
			return villageSignMsg{pass}
		})
		a.secret()
		return showOverlay(a)
	}
	return replace(Page{Kind: KindReadBack, ID: s.caseID})
}

// villageSignMsg carries the passphrase that signs a village's form.
type villageSignMsg struct{ pass string }

// villageDoneMsg is the store's word on signing and completing it.
type villageDoneMsg struct {
	rec *localstore.Record
	err error
}

func (s *formScreen) signVillage(pass string) tea.Cmd {
	s.saving = true
	sess, db, id := s.env.Session, s.env.DB, s.rec.ID
	return s.do(func() tea.Msg {
		rec, err := steps.FinishVillage(db, sess, id, pass)
		return villageDoneMsg{rec, err}
	})
}

// commentsAt are the leader's comments of the last return on the question ("" for
// those on the whole record); earlier rounds were dealt with before.
func (s *formScreen) commentsAt(id string) []localstore.Comment {
	return latestComments(s.rec, id)
}

func latestComments(rec *localstore.Record, id string) []localstore.Comment {
	if rec == nil || rec.Status.Locked() {
		return nil
	}
	var out []localstore.Comment
	for _, c := range roundComments(rec) {
		if c.Question == id {
			out = append(out, c)
		}
	}
	return out
}

// roundComments are the comments of the record's last return. Each comment keeps the
// time it was written, so a round is told by its number (by the time of the return in
// records from before rounds were kept).
func roundComments(rec *localstore.Record) []localstore.Comment {
	if rec == nil || len(rec.Comments) == 0 {
		return nil
	}
	last := rec.Comments[len(rec.Comments)-1]
	var out []localstore.Comment
	for _, c := range rec.Comments {
		if last.Round > 0 && c.Round == last.Round || last.Round == 0 && c.At.Equal(last.At) {
			out = append(out, c)
		}
	}
	return out
}
