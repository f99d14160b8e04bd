package tui

import (
	"fmt"
	"runtime/debug"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
	"github.com/doorstep-survey/doorstep/survey"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// todayScreen is the day's work: counts by status for the user's villages and the case
// list, searched as you type (name, pinyin, initials, certificate or ID number),
// filtered by village and status, sorted three ways.
type todayScreen struct {
	common
	search  textinput.Model
	ix      *caseIndex
	shown   []int32 // indexes into ix.entries, filtered and sorted
	village int     // 0 = all, else ix.villages[village-1]
	status  int     // 0 = all, else statusOrder[status-1]
	sort    sortOrder
	cursor  int
	top     int
	err     [2]string
}

// casesMsg delivers the prepared case list.
type casesMsg struct {
	ix  *caseIndex
	err error
}

func newToday(c common) *todayScreen {
	s := &todayScreen{common: c, search: newInput(40)}
	s.search.SetWidth(18)
	return s
}

func (s *todayScreen) Init() tea.Cmd { return tea.Batch(s.search.Focus(), s.load()) }

// Refresh reloads the list, keeping the search, the filters and the selected case.
func (s *todayScreen) Refresh() tea.Cmd { return s.load() }

func (s *todayScreen) load() tea.Cmd {
	sess, prev := s.env.Session, s.ix
	return s.do(func() tea.Msg {
		cases, err := sess.Cases(localstore.CaseFilter{})
		if err != nil {
			return casesMsg{err: err}
		}
		ix := buildIndex(cases, sess.User().Villages, prev)
		// Decrypting and decoding 20 000 cases leaves tens of MB of garbage behind the
		// index; a laptop that runs all day gives it back now.
		debug.FreeOSMemory()
		return casesMsg{ix: ix}
	})
}

func (s *todayScreen) Title(lang string) string { return tr(lang, "today") }
func (s *todayScreen) Typing() bool             { return true }

func (s *todayScreen) ShortHelp() []key.Binding {
	k := s.env.Keys
	clear := k.Clear
	clear.SetEnabled(s.search.Value() != "")
	community := k.Community
	community.SetEnabled(s.hasCommunity())
	return []key.Binding{k.Up, k.Open, clear, k.Village, k.Status, k.Sort, community, k.Import, k.Sync}
}

// hasCommunity is whether the user has villages whose community form they can fill
// here: an enumerator the leader names fills it as the leader would.
func (s *todayScreen) hasCommunity() bool {
	return s.env.CommunityForm != nil && s.ix != nil && len(s.ix.villages) > 0
}

func (s *todayScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *todayScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case casesMsg:
		if msg.err != nil {
			s.err = loadErrText(msg.err)
			return s, showOverlay(errorDialog(s.env, both("err.cases"), msg.err))
		}
		s.loaded(msg.ix)
		return s, nil
	case villageFormsMsg:
		if msg.err != nil {
			return s, showOverlay(errorDialog(s.env, both("err.villages"), msg.err))
		}
		if len(msg.villages) == 0 {
			return s, nil
		}
		return s, pickVillage(s.common, msg.villages)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.env.Keys.Import) {
			return s, navigate(Page{Kind: KindImport})
		}
		if key.Matches(msg, s.env.Keys.Sync) {
			return s, navigate(Page{Kind: KindSync})
		}
		if key.Matches(msg, s.env.Keys.Community) && s.hasCommunity() {
			// The statuses are read when asked: the list itself never reads records.
			sess, cf := s.env.Session, s.env.CommunityForm
			return s, s.do(func() tea.Msg { return loadVillageForms(sess, cf) })
		}
		if s.ix == nil {
			break
		}
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
			s.village = (s.village + 1) % (len(s.ix.villages) + 1)
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
				return s, navigate(Page{Kind: KindCase, ID: s.ix.entries[s.shown[s.cursor]].c.ID})
			}
			return s, nil
		case key.Matches(msg, k.Clear) && s.search.Value() == "":
			// Nothing to clear: back to where the list was opened from (a leader's
			// team screen); on an enumerator's home there is nothing behind it.
			return s, back
		case key.Matches(msg, k.Clear):
			s.search.SetValue("")
			s.refilter()
			return s, nil
		}
	}
	before := s.search.Value()
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	if s.ix != nil && s.search.Value() != before {
		s.refilter()
	}
	return s, cmd
}

// loaded takes a new index, keeping the filters and the selected case.
func (s *todayScreen) loaded(ix *caseIndex) {
	selected := ""
	if s.ix != nil && s.cursor < len(s.shown) {
		selected = s.ix.entries[s.shown[s.cursor]].c.ID
	}
	village := ""
	if s.ix != nil && s.village > 0 {
		village = s.ix.villages[s.village-1]
	}
	s.ix, s.err, s.village = ix, [2]string{}, 0
	for i, v := range ix.villages {
		if v == village {
			s.village = i + 1
		}
	}
	s.refilter()
	for i, idx := range s.shown {
		if ix.entries[idx].c.ID == selected {
			s.cursor = i
		}
	}
}

func (s *todayScreen) move(d int) {
	s.cursor = max(0, min(s.cursor+d, len(s.shown)-1))
}

// refilter recomputes the shown list from the search text, filters and sort: one pass
// over the prepared index.
func (s *todayScreen) refilter() {
	var status *localstore.Status
	if s.status > 0 {
		status = &statusOrder[s.status-1]
	}
	s.shown = s.ix.filter(s.shown[:0], namesearch.Query(s.search.Value()), s.villageName(), status, s.sort)
	s.cursor, s.top = 0, 0
}

func (s *todayScreen) villageName() string {
	if s.village == 0 {
		return ""
	}
	return s.ix.villages[s.village-1]
}

func statusName(lang string, st localstore.Status) string {
	if st == "" {
		return tr(lang, "st.new")
	}
	return tr(lang, "st."+string(st))
}

// The list's fixed columns, in cells: a Chinese name of up to eight characters (a
// minority name 阿依古丽·买买提 is fifteen cells) and a 20-digit number.
const (
	colName   = 16
	colNumber = 20
)

func (s *todayScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	if s.ix == nil {
		if s.err[0] != "" {
			return st.Error.Render(textwidth.Truncate(s.err[langIndex(lang)], width))
		}
		return st.Faint.Render(tr(lang, "loading"))
	}
	// The lines above the list start where the names do, after the cursor's column.
	var lines []string
	for _, l := range s.summary(width - 1) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, " "+s.filterLine(width-1))
	switch returned := s.ix.counts[""][localstore.StatusReturned]; {
	case s.ix.notMine:
		lines = append(lines, " "+st.Warning.Render(textwidth.Truncate(tr(lang, "notmine"), width-1)))
	case s.cursor < len(s.shown) && s.ix.entries[s.shown[s.cursor]].c.Withdrawn != "":
		// The selected case's record was withdrawn: the district's reason, in its words.
		why := tr(lang, "withdrawn.why") + clean(s.ix.entries[s.shown[s.cursor]].c.Withdrawn)
		lines = append(lines, " "+st.Warning.Render(textwidth.Truncate(why, width-1)))
	case returned > 0 && s.search.Value() == "":
		lines = append(lines, " "+st.Warning.Render(textwidth.Truncate(fmt.Sprintf(tr(lang, "returned.n"), returned), width-1)))
	case s.search.Value() == "":
		lines = append(lines, " "+st.Faint.Render(textwidth.Truncate(tr(lang, "searchhint"), width-1)))
	default:
		lines = append(lines, "")
	}
	if len(s.ix.entries) == 0 {
		return strings.Join(append(lines, "", "  "+st.Warning.Render(textwidth.Truncate(tr(lang, "noroster"), width-2))), "\n")
	}
	if len(s.shown) == 0 {
		return strings.Join(append(lines, "", "  "+st.Faint.Render(tr(lang, "nocases"))), "\n")
	}

	// Columns: name, number, village (what is left), status; from 100 cells on also
	// the category and level.
	li := langIndex(lang)
	statusW, kindW := statusWidth[li], 0
	if width >= 100 {
		kindW = kindWidth[li]
	}
	seps := 8 // the cursor mark, the spaces between columns and the last one
	if kindW > 0 {
		seps += 2
	}
	villageW := max(8, width-colName-colNumber-statusW-kindW-seps)
	row := func(mark, name, number, village, kind, status string) string {
		line := mark + textwidth.PadRight(name, colName) + "  " + textwidth.PadRight(number, colNumber) + "  " +
			textwidth.PadRight(village, villageW) + "  "
		if kindW > 0 {
			line += textwidth.PadRight(kind, kindW) + "  "
		}
		return line + textwidth.PadRight(status, statusW) + " "
	}
	lines = append(lines, st.Label.Render(row(" ", tr(lang, "name"), tr(lang, "cert"), tr(lang, "village"), tr(lang, "kind"), tr(lang, "status"))))

	// top is the scroll position; only View knows how many rows there are, and moving
	// it here is the same however often View is called.
	rows := height - len(lines)
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+rows {
		s.top = s.cursor - rows + 1
	}
	for i := s.top; i < len(s.shown) && i < s.top+rows; i++ {
		e := &s.ix.entries[s.shown[i]]
		kind := ""
		if kindW > 0 {
			kind = kindName(lang, e.c.Row.Category, e.c.Row.Level)
		}
		if i == s.cursor {
			lines = append(lines, st.Selected.Render(row("▸", e.name, e.number, e.village, kind, statusName(lang, e.status))))
		} else {
			lines = append(lines, row(" ", e.name, e.number, e.village, kind, statusName(lang, e.status)))
		}
	}
	return strings.Join(lines, "\n")
}

// kindName is a case's disability category and level, e.g. 肢体二级.
func kindName(lang string, category, level int) string {
	c, l := categoryName(lang, category), levelName(lang, level)
	if lang == "en" && c != "" && l != "" {
		return c + ", " + l
	}
	return c + l
}

// categoryName and levelName are survey's labels of the roster's codes; "" for a code
// the roster does not give, or gives wrong.
func categoryName(lang string, code int) string {
	c, _ := survey.Category(code)
	return c.Label.In(lang)
}

func levelName(lang string, code int) string {
	l, _ := survey.Level(code)
	return l.Label.In(lang)
}

// statusWidth and kindWidth are the widest status and category-level, per language:
// the columns are as wide as their longest entry.
var statusWidth, kindWidth = func() (sw, kw [2]int) {
	for li, lang := range []string{"zh", "en"} {
		for _, st := range statusOrder {
			sw[li] = max(sw[li], textwidth.Width(statusName(lang, st)))
		}
		sw[li] = max(sw[li], textwidth.Width(tr(lang, "status")))
		// 0 stands for a category or level the roster does not give.
		for c := range len(survey.Categories) + 1 {
			for l := range len(survey.Levels) + 1 {
				kw[li] = max(kw[li], textwidth.Width(kindName(lang, c, l)))
			}
		}
	}
	return sw, kw
}()

// summary counts the cases by status, for the village chosen or all of the user's: one
// line, or two where the counts do not fit (English words are long), never cut.
func (s *todayScreen) summary(width int) []string {
	lang, st := s.env.Lang, s.env.Styles
	counts := s.ix.counts[s.villageName()]
	total := 0
	var parts []string
	for _, status := range statusOrder {
		if n := counts[status]; n > 0 {
			total += n
			if status == statusWithdrawn {
				continue // rare, and no count of work: the list and its filter show them
			}
			parts = append(parts, statusName(lang, status)+" "+st.Count.Render(fmt.Sprint(n)))
		}
	}
	scope := tr(lang, "allvillages")
	if s.village > 0 {
		scope = s.villageName()
	} else if len(s.ix.villages) == 1 {
		scope = s.ix.villages[0]
	}
	lines := []string{st.Section.Render(scope) + colon(lang) + fmt.Sprintf(tr(lang, "persons.n"), total)}
	for _, p := range parts {
		last := &lines[len(lines)-1]
		if textwidth.Width(*last)+3+textwidth.Width(p) > width && len(lines) < 2 {
			lines = append(lines, "  "+p)
			continue
		}
		*last += " · " + p
	}
	for i := range lines {
		lines[i] = textwidth.Truncate(lines[i], width)
	}
	return lines
}

// filterLine is the search field, the filters in force and how many cases show.
func (s *todayScreen) filterLine(width int) string {
	lang, st := s.env.Lang, s.env.Styles
	village, status := tr(lang, "allvillages"), tr(lang, "allstatus")
	if s.village > 0 {
		village = s.villageName()
	}
	if s.status > 0 {
		status = statusName(lang, statusOrder[s.status-1])
	}
	search := st.Label.Render(tr(lang, "search")+colon(lang)) + textwidth.PadRight(fieldView(s.search), 19)
	filters := fmt.Sprintf("%s │ %s │ %s │ "+tr(lang, "shown.n"), village, status, tr(lang, sortKeys[s.sort]), len(s.shown))
	return search + " " + st.Faint.Render(textwidth.Truncate(filters, width-textwidth.Width(search)-1))
}
