package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/mozillazg/go-pinyin"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// caseEntry is a case prepared for the list: cleaned for the screen, and a search text
// computed once so a keystroke is one substring scan.
type caseEntry struct {
	c       localstore.Case
	name    string
	village string
	// haystack is the lower-case name, full pinyin, pinyin initials, certificate and ID
	// numbers, separated by NUL so no match spans two of them.
	haystack string
}

// casesMsg delivers the loaded list.
type casesMsg struct {
	entries []caseEntry
	err     error
}

func loadCases(s *localstore.Session) tea.Cmd {
	return func() tea.Msg {
		cases, err := s.Cases(localstore.CaseFilter{})
		if err != nil {
			return casesMsg{err: err}
		}
		return casesMsg{entries: prepareEntries(cases)}
	}
}

var pinyinArgs = pinyin.NewArgs()

func prepareEntries(cases []localstore.Case) []caseEntry {
	out := make([]caseEntry, len(cases))
	for i, c := range cases {
		name := cleantext.Line(c.Row.Name)
		syllables := pinyin.LazyPinyin(name, pinyinArgs)
		var initials strings.Builder
		for _, s := range syllables {
			if s != "" {
				initials.WriteByte(s[0])
			}
		}
		out[i] = caseEntry{
			c: c, name: name, village: cleantext.Line(c.Row.Village),
			haystack: strings.ToLower(strings.Join([]string{name, strings.Join(syllables, ""), initials.String(),
				c.Row.CertificateNumber, c.Row.IDNumber}, "\x00")),
		}
	}
	return out
}

type sortOrder int

const (
	sortRoster sortOrder = iota
	sortName
	sortStatus
	numSorts
)

var sortKeys = [numSorts]string{"sort.roster", "sort.name", "sort.status"}

// statusOrder is the order statuses are filtered and sorted in.
var statusOrder = []localstore.Status{"", localstore.StatusDraft, localstore.StatusReturned, localstore.StatusReadBack,
	localstore.StatusSigned, localstore.StatusCompleted, localstore.StatusSubmitted, localstore.StatusApproved}

// todayScreen is the day's work: counts by status and the case list with search and
// filters.
type todayScreen struct {
	env      *Env
	search   textinput.Model
	all      []caseEntry
	villages []string
	shown    []int // indexes into all, filtered and sorted
	village  int   // 0 = all, else villages[village-1]
	status   int   // 0 = all, else statusOrder[status-1]
	sort     sortOrder
	cursor   int
	top      int
	loaded   bool
	err      string
}

func newToday(env *Env) *todayScreen {
	s := &todayScreen{env: env, search: newInput(40)}
	return s
}

func (s *todayScreen) Init() tea.Cmd {
	return tea.Batch(s.search.Focus(), loadCases(s.env.Session))
}

// Refresh reloads the list, keeping the search, filters and the selected case.
func (s *todayScreen) Refresh() tea.Cmd { return loadCases(s.env.Session) }

func (s *todayScreen) Title(lang string) string { return tr(lang, "app") + " · " + tr(lang, "today") }
func (s *todayScreen) Typing() bool             { return true }
func (s *todayScreen) Keys() []key.Binding {
	k := s.env.Keys
	return []key.Binding{k.Up, k.Open, k.Village, k.Status, k.Sort}
}

func (s *todayScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case casesMsg:
		if msg.err != nil {
			s.err = cleantext.Line(msg.err.Error())
			return s, nil
		}
		selected := ""
		if s.cursor < len(s.shown) {
			selected = s.all[s.shown[s.cursor]].c.ID
		}
		s.all, s.loaded = msg.entries, true
		s.villages = s.villages[:0]
		for _, e := range s.all {
			if !slices.Contains(s.villages, e.village) {
				s.villages = append(s.villages, e.village)
			}
		}
		s.refilter()
		for i, idx := range s.shown {
			if s.all[idx].c.ID == selected {
				s.cursor = i
			}
		}
		return s, nil
	case tea.KeyPressMsg:
		k := s.env.Keys
		switch {
		case key.Matches(msg, k.Up):
			s.move(-1)
			return s, nil
		case key.Matches(msg, k.Down):
			s.move(1)
			return s, nil
		case key.Matches(msg, k.PageUp):
			s.move(-10)
			return s, nil
		case key.Matches(msg, k.PageDown):
			s.move(10)
			return s, nil
		case key.Matches(msg, k.Village):
			s.village = (s.village + 1) % (len(s.villages) + 1)
			s.refilter()
			return s, nil
		case key.Matches(msg, k.Status):
			s.status = (s.status + 1) % (len(statusOrder) + 1)
			s.refilter()
			return s, nil
		case key.Matches(msg, k.Sort):
			s.sort = (s.sort + 1) % numSorts
			s.refilter()
			return s, nil
		case key.Matches(msg, k.Open):
			if s.cursor < len(s.shown) {
				return s, navigate(Page{Kind: KindCase, ID: s.all[s.shown[s.cursor]].c.ID})
			}
			return s, nil
		case key.Matches(msg, k.Back):
			s.search.SetValue("")
			s.refilter()
			return s, nil
		}
		before := s.search.Value()
		var cmd tea.Cmd
		s.search, cmd = s.search.Update(msg)
		if s.search.Value() != before {
			s.refilter()
		}
		return s, cmd
	}
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	return s, cmd
}

func (s *todayScreen) move(d int) {
	s.cursor = max(0, min(s.cursor+d, len(s.shown)-1))
}

// refilter recomputes the shown list from the search text, filters and sort.
func (s *todayScreen) refilter() {
	q := strings.ToLower(strings.TrimSpace(s.search.Value()))
	s.shown = s.shown[:0]
	for i := range s.all {
		e := &s.all[i]
		if s.village > 0 && e.village != s.villages[s.village-1] {
			continue
		}
		if s.status > 0 && e.c.Status != statusOrder[s.status-1] {
			continue
		}
		if q != "" && !strings.Contains(e.haystack, q) {
			continue
		}
		s.shown = append(s.shown, i)
	}
	switch s.sort {
	case sortName:
		slices.SortStableFunc(s.shown, func(a, b int) int { return cmp.Compare(s.all[a].haystack, s.all[b].haystack) })
	case sortStatus:
		slices.SortStableFunc(s.shown, func(a, b int) int {
			return cmp.Compare(slices.Index(statusOrder, s.all[a].c.Status), slices.Index(statusOrder, s.all[b].c.Status))
		})
	}
	s.cursor, s.top = 0, 0
}

func statusName(lang string, st localstore.Status) string {
	if st == "" {
		return tr(lang, "st.new")
	}
	return tr(lang, "st."+string(st))
}

func (s *todayScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	if s.err != "" {
		return st.Error.Render(tr(lang, "err") + s.err)
	}
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	// Counts by status over the user's cases.
	counts := map[localstore.Status]int{}
	for _, e := range s.all {
		counts[e.c.Status]++
	}
	var parts []string
	for _, status := range statusOrder {
		if n := counts[status]; n > 0 {
			parts = append(parts, statusName(lang, status)+" "+st.Count.Render(fmt.Sprint(n)))
		}
	}
	summary := textwidth.Truncate(fmt.Sprintf("%d %s · ", len(s.all), tr(lang, "persons"))+strings.Join(parts, " · "), width)

	village, status := tr(lang, "allvillages"), tr(lang, "allstatus")
	if s.village > 0 {
		village = s.villages[s.village-1]
	}
	if s.status > 0 {
		status = statusName(lang, statusOrder[s.status-1])
	}
	s.search.SetWidth(20)
	searchLine := st.Label.Render(tr(lang, "search")+colon(lang)) + s.search.View()
	filters := textwidth.Truncate(fmt.Sprintf("%s │ %s │ %s │ %d", village, status, tr(lang, sortKeys[s.sort]), len(s.shown)), width-textwidth.Width(searchLine)-2)
	lines := []string{summary, searchLine + "  " + st.Faint.Render(filters)}
	if s.search.Value() == "" {
		lines = append(lines, st.Faint.Render(textwidth.Truncate(tr(lang, "searchhint"), width)))
	} else {
		lines = append(lines, "")
	}

	rows := height - len(lines)
	if len(s.shown) == 0 {
		return strings.Join(append(lines, st.Faint.Render(tr(lang, "nocases"))), "\n")
	}
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+rows {
		s.top = s.cursor - rows + 1
	}
	nameW, numW, statusW := 10, 22, 10
	villageW := width - nameW - numW - statusW - 8
	for i := s.top; i < len(s.shown) && i < s.top+rows; i++ {
		e := &s.all[s.shown[i]]
		line := fmt.Sprintf(" %s  %s  %s  %s ", textwidth.Pad(e.name, nameW), textwidth.Pad(maskNumber(e.c.Row.Key()), numW),
			textwidth.Pad(e.village, villageW), textwidth.Pad(statusName(lang, e.c.Status), statusW))
		if i == s.cursor {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// maskNumber hides the birth date and sequence of a number shown where others may see
// the screen.
func maskNumber(n string) string {
	if len(n) < 14 {
		return n
	}
	return n[:6] + "********" + n[14:]
}
