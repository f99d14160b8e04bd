package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
	"github.com/doorstep-survey/doorstep/survey"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// teamScreen is a team leader's home: the team's day by enumerator and village, the
// home-visit rate against the 96 % target, and the records waiting for review.
type teamScreen struct {
	common
	day    *teamDay
	err    [2]string
	cursor int // index into shown
	// search narrows the records waiting for review (name, pinyin, village, the
	// enumerator's code); shown are the indexes into day.waiting that match, and
	// hay what each is matched against.
	search textinput.Model
	shown  []int
	hay    []string
	keys   struct{ open, cases, users, reports key.Binding }
}

// teamLoadedMsg is the team's day, gathered from the store.
type teamLoadedMsg struct {
	day teamDay
	err error
}

func newTeam(c common) *teamScreen {
	s := &teamScreen{common: c, search: newInput(40)}
	s.search.SetWidth(18)
	s.keys.open = binding([]string{"enter"}, "enter", "key.review")
	s.keys.cases = binding([]string{"tab"}, "tab", "key.cases")
	s.keys.users = binding([]string{"f8"}, "F8", "key.users")
	s.keys.reports = binding([]string{"f9"}, "F9", "key.reports")
	return s
}

func (s *teamScreen) Init() tea.Cmd {
	sess, reg, cf, now := s.env.Session, s.env.Forms, s.env.CommunityForm, s.env.Now()
	return tea.Batch(s.search.Focus(), s.do(func() tea.Msg {
		cases, err := sess.Cases(localstore.CaseFilter{})
		if err != nil {
			return teamLoadedMsg{err: err}
		}
		records, err := sess.Records()
		if err != nil {
			return teamLoadedMsg{err: err}
		}
		users, err := sess.Users()
		if err != nil {
			return teamLoadedMsg{err: err}
		}
		day := buildTeamDay(reg, cases, records, users, sess.User().Villages, now)
		day.villages = steps.VillageForms(cases, records, cf, sess.User().Villages)
		return teamLoadedMsg{day: day}
	}))
}

// Refresh gathers the day again: a review changes it.
func (s *teamScreen) Refresh() tea.Cmd { return s.Init() }

func (s *teamScreen) Title(lang string) string { return tr(lang, "team") }
func (s *teamScreen) Typing() bool             { return true } // the search takes letters and digits

func (s *teamScreen) ShortHelp() []key.Binding {
	community := s.env.Keys.Community
	community.SetEnabled(s.env.CommunityForm != nil && s.day != nil && len(s.day.villages) > 0)
	clear := s.env.Keys.Clear
	clear.SetEnabled(s.search.Value() != "")
	return []key.Binding{s.env.Keys.Up, s.keys.open, clear, s.keys.cases, community, s.keys.reports, s.env.Keys.Import, s.keys.users, s.env.Keys.Sync}
}

func (s *teamScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *teamScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case teamLoadedMsg:
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.day = &msg.day
		s.hay = make([]string, len(s.day.waiting))
		sp := namesearch.Speller{}
		for i, w := range s.day.waiting {
			s.hay[i], _ = sp.Haystack(clean(w.name), clean(w.village), w.enumerator)
		}
		s.refilter()
	case tea.KeyPressMsg:
		k := s.env.Keys
		switch {
		case key.Matches(msg, s.keys.cases):
			return s, navigate(Page{Kind: KindToday})
		case key.Matches(msg, k.Import):
			return s, navigate(Page{Kind: KindImport})
		case key.Matches(msg, s.keys.users):
			return s, navigate(Page{Kind: KindUsers})
		case key.Matches(msg, s.keys.reports):
			return s, navigate(Page{Kind: KindReports})
		case key.Matches(msg, k.Sync):
			return s, navigate(Page{Kind: KindSync})
		case key.Matches(msg, k.Community) && s.day != nil && s.env.CommunityForm != nil && len(s.day.villages) > 0:
			return s, pickVillage(s.common, s.day.villages)
		case s.day == nil && (key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, s.keys.open) || msg.String() == "home" || msg.String() == "end"):
			// Nothing to move in yet; a search typed meanwhile is kept (below).
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = min(len(s.shown)-1, s.cursor+1)
		case key.Matches(msg, k.PageUp):
			s.cursor = max(0, s.cursor-10)
		case key.Matches(msg, k.PageDown):
			s.cursor = max(0, min(len(s.shown)-1, s.cursor+10))
		case msg.String() == "home":
			s.cursor = 0
		case msg.String() == "end":
			s.cursor = max(0, len(s.shown)-1)
		case key.Matches(msg, s.keys.open) && len(s.shown) > 0:
			return s, navigate(Page{Kind: KindReview, ID: s.day.waiting[s.shown[s.cursor]].recordID})
		case key.Matches(msg, k.Clear) && s.search.Value() != "":
			s.search.SetValue("")
			s.refilter()
		default:
			before := s.search.Value()
			var cmd tea.Cmd
			s.search, cmd = s.search.Update(msg)
			if s.search.Value() != before {
				s.refilter()
			}
			return s, cmd
		}
	case tea.PasteMsg:
		var cmd tea.Cmd
		s.search, cmd = s.search.Update(msg)
		s.refilter()
		return s, cmd
	}
	return s, nil
}

// refilter recomputes the waiting records shown from the search, keeping the cursor
// in range.
func (s *teamScreen) refilter() {
	if s.day == nil {
		return
	}
	q := namesearch.Query(s.search.Value())
	s.shown = s.shown[:0]
	for i := range s.day.waiting {
		if namesearch.Match(s.hay[i], q) {
			s.shown = append(s.shown, i)
		}
	}
	s.cursor = min(s.cursor, max(0, len(s.shown)-1))
}

func (s *teamScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if s.err[li] != "" {
		return strings.Join(textwidth.Wrap(s.err[li], width), "\n")
	}
	if s.day == nil {
		return st.Faint.Render(tr(lang, "loading"))
	}
	d := s.day
	rate := func(r teamRow) string {
		v, ok := r.homeRate()
		if !ok {
			return "—"
		}
		text := fmt.Sprintf("%.1f%%", v*100)
		if v < survey.HomeVisitTarget {
			return st.Error.Render(text)
		}
		return st.OK.Render(text)
	}
	summary := fmt.Sprintf(tr(lang, "teamsum"), st.Count.Render(fmt.Sprint(d.total.today)), rate(d.total),
		st.Count.Render(fmt.Sprint(d.total.waiting)), st.Count.Render(fmt.Sprint(d.total.flagged)))
	lines := []string{"", "  " + textwidth.Truncate(summary, width-2), ""}

	// The table: enumerator, village, done today, today's outcomes, home-visit rate,
	// flagged, waiting.
	nameW, villageW, numW, rateW := 8, 12, 6, 8
	outW := max(8, width-4-nameW-villageW-3*numW-rateW)
	head := textwidth.PadRight(tr(lang, "th.enum"), nameW) + textwidth.PadRight(tr(lang, "village"), villageW) +
		textwidth.PadLeft(tr(lang, "th.today"), numW) + "  " + textwidth.PadRight(tr(lang, "th.outcomes"), outW-2) +
		textwidth.PadLeft(tr(lang, "th.home"), rateW) + textwidth.PadLeft(tr(lang, "th.flagged"), numW) +
		textwidth.PadLeft(tr(lang, "th.waiting"), numW)
	// While searching, the table gives its room to the records found.
	var rows []teamRow
	if s.search.Value() == "" {
		lines = append(lines, "  "+st.Label.Render(textwidth.Truncate(head, width-2)))
		rows = d.rows
	}
	// The table keeps to a third of the window, or what the list to review leaves.
	maxRows := max(1, (height-10)/3, height-8-len(s.shown))
	for i, r := range rows {
		if i == maxRows {
			lines = append(lines, "  "+st.Faint.Render(fmt.Sprintf(tr(lang, "andmore.rows"), len(d.rows)-maxRows)))
			break
		}
		var outs []string
		codes := make([]int, 0, len(r.outcomes))
		for c := range r.outcomes {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			o, _ := survey.Outcome(c)
			if lang == "en" {
				outs = append(outs, fmt.Sprintf("%d %s", r.outcomes[c], o.Short.In(lang)))
			} else {
				outs = append(outs, fmt.Sprintf("%s%d", o.Short.In(lang), r.outcomes[c]))
			}
		}
		sep := " "
		if lang == "en" {
			sep = ", "
		}
		line := textwidth.PadRight(textwidth.Truncate(clean(r.name), nameW-1), nameW) +
			textwidth.PadRight(textwidth.Truncate(clean(r.village), villageW-1), villageW) +
			textwidth.PadLeft(fmt.Sprint(r.today), numW) + "  " +
			textwidth.PadRight(textwidth.Truncate(strings.Join(outs, sep), outW-3), outW-2) +
			textwidth.PadLeft(rate(r), rateW) + textwidth.PadLeft(fmt.Sprint(r.flagged), numW) +
			textwidth.PadLeft(fmt.Sprint(r.waiting), numW)
		lines = append(lines, "  "+textwidth.Truncate(line, width-2))
	}
	found := fmt.Sprintf(tr(lang, "waiting.n"), len(d.waiting))
	if s.search.Value() != "" {
		found = fmt.Sprintf(tr(lang, "waiting.found"), len(s.shown), len(d.waiting))
	}
	search := st.Label.Render(tr(lang, "search")+colon(lang)) + textwidth.PadRight(s.search.View(), 19)
	lines = append(lines, "", "  "+st.Section.Render(found)+"  "+search)
	lines = append(lines, "  "+st.Faint.Render(textwidth.Truncate(tr(lang, "waitlegend"), width-4)))
	gone := s.withdrawnLines(width, height-len(lines)-2)
	if len(s.shown) == 0 {
		key := "nowaiting"
		if len(d.waiting) > 0 {
			key = "nocases"
		}
		lines = append(lines, "  "+st.Faint.Render(tr(lang, key)))
		return strings.Join(append(lines, gone...), "\n")
	}
	room := max(1, height-len(lines)-len(gone))
	first := min(max(0, s.cursor-room/2), max(0, len(s.shown)-room))
	for i := first; i < len(s.shown) && i < first+room; i++ {
		w := d.waiting[s.shown[i]]
		mark := " "
		switch {
		case w.errors > 0:
			mark = st.Error.Render("✗")
		case w.notes > 0:
			mark = st.Warning.Render("!")
		}
		again := " "
		if w.round > 0 {
			again = st.Warning.Render("↺")
		}
		when := ""
		if !w.completed.IsZero() {
			when = w.completed.In(s.env.Now().Location()).Format("01-02 15:04")
		}
		line := textwidth.PadRight(textwidth.Truncate(clean(w.name), 11), 12) +
			textwidth.PadRight(textwidth.Truncate(clean(w.village), 13), 14) +
			textwidth.PadRight(w.enumerator, 8) + when
		head := "  "
		if i == s.cursor {
			head = "▸ "
			line = st.Selected.Render(textwidth.PadRight(textwidth.Truncate(line, width-6), width-6))
		}
		lines = append(lines, head+mark+again+" "+line)
	}
	return strings.Join(append(lines, gone...), "\n")
}

// withdrawnLines are the team's records the district withdrew, each with its reason,
// in at most room lines (none when there are none): below the records to review, which
// they are not.
func (s *teamScreen) withdrawnLines(width, room int) []string {
	d, lang, st := s.day, s.env.Lang, s.env.Styles
	if len(d.withdrawn) == 0 || room < 2 || s.search.Value() != "" {
		return nil
	}
	lines := []string{"", "  " + st.Section.Render(fmt.Sprintf(tr(lang, "withdrawn.n"), len(d.withdrawn)))}
	shown := min(len(d.withdrawn), min(room, 6)-len(lines))
	if shown < len(d.withdrawn) {
		shown-- // the last line says how many more
	}
	for _, w := range d.withdrawn[:max(0, shown)] {
		line := "⊘ " + textwidth.PadRight(textwidth.Truncate(clean(w.name), 11), 12) +
			textwidth.PadRight(textwidth.Truncate(clean(w.village), 13), 14) +
			textwidth.PadRight(clean(w.enumerator), 8) + clean(w.reason)
		lines = append(lines, "  "+st.Faint.Render(textwidth.Truncate(line, width-4)))
	}
	if rest := len(d.withdrawn) - max(0, shown); rest > 0 {
		lines = append(lines, "  "+st.Faint.Render(fmt.Sprintf(tr(lang, "andmore.rows"), rest)))
	}
	return lines
}
