package office

import (
	"cmp"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/survey"
)

// tally is one row of the progress table: a town, a village or an enumerator.
type tally struct {
	Name, Link                               string
	Roster, Done, NotStarted                 int
	HomeVisits                               int
	Outcomes                                 [len(outcomeCols) + 1]int // by outcomeCols, then the others
	Errors, Warned, Returned, Waiting, Final int
	WithLeader                               int
	noRoster                                 bool // an enumerator's row has no roster of its own
}

// outcomeCols are the outcomes the progress table gives a column each; the others
// (拒访, 迁出, 其他) share the last.
var outcomeCols = [...]int{survey.OutcomeInterviewed, survey.OutcomeDeceased, survey.OutcomeEmptyHome, survey.OutcomeNotFound}

func (t *tally) add(c *caseRow, j *journal, roster bool) {
	if roster {
		t.Roster++
	}
	r := c.rec
	if r == nil {
		if roster {
			t.NotStarted++
		}
		return
	}
	// Surveyed as every report counts it (survey.Surveyed): a record returned since
	// its completion still counts, by its method and outcome — the visit happened.
	if !survey.Surveyed(r.slim, time.Time{}) {
		if roster {
			t.NotStarted++
		}
		return
	}
	t.Done++
	if r.method == survey.HomeVisit {
		t.HomeVisits++
	}
	col := slices.Index(outcomeCols[:], r.outcome)
	if col < 0 {
		col = len(outcomeCols)
	}
	t.Outcomes[col]++
	if r.errors > 0 {
		t.Errors++
	}
	if r.warnings > 0 {
		t.Warned++
	}
	switch {
	case r.status == record.StatusReturned:
		t.Returned++
	case townApproved(j, r):
		t.Final++
	case r.status == record.StatusApproved:
		t.Waiting++
	default:
		t.WithLeader++
	}
}

func townApproved(j *journal, r *recRow) bool {
	a, ok := j.approvalOf(r.id)
	return ok && a.Head == r.head
}

// HomeRate is the share of home visits among the finished cases.
func (t *tally) HomeRate() float64 {
	if t.Done == 0 {
		return 0
	}
	return float64(t.HomeVisits) / float64(t.Done)
}

// HomeLow is a home-visit rate under the target.
func (t *tally) HomeLow() bool { return t.Done > 0 && t.HomeRate() < survey.HomeVisitTarget }

// Share is the share of the roster done.
func (t *tally) Share() float64 {
	if t.Roster == 0 {
		return 0
	}
	return float64(t.Done) / float64(t.Roster)
}

// NoRoster is an enumerator's row, which has no roster of its own.
func (t *tally) NoRoster() bool { return t.noRoster }

type deadlineView struct {
	Key       string
	Date      string
	Days      int
	Past      bool
	Remaining int
}

type progressData struct {
	Level        string // town, village, enumerator
	Town         string
	Village      string
	Rows         []*tally
	Total        *tally
	Deadlines    []deadlineView
	Chart        template.HTML
	ChartSummary string
	Sort, Dir    string
	Cols         []sortCol
	Pager        pager
	Orphans      int
	OutcomeCols  [len(outcomeCols)]int
}

type sortCol struct {
	Key, Label, Href string
	Active, Desc     bool
}

func (h *Handler) progress(c *call) {
	q := c.r.URL.Query()
	town, village := q.Get("town"), q.Get("village")
	h.ix.mu.RLock()
	defer h.ix.mu.RUnlock()
	cases := h.ix.scope(c.acc, town, village)
	if (town != "" || village != "") && len(cases) == 0 {
		// Another town's name in the URL is answered as a town that does not exist.
		h.notFound(c)
		return
	}
	d := progressData{Town: town, Village: village, Total: &tally{Name: text(c.lang, "c.total")}, Sort: q.Get("sort"), Dir: q.Get("dir"), OutcomeCols: outcomeCols}
	by := map[string]*tally{}
	var order []string
	key := func(cr *caseRow) []string {
		switch {
		case village != "":
			if cr.rec == nil || cr.rec.enumerator == "" {
				return nil
			}
			return []string{cr.rec.enumerator}
		case town != "":
			return []string{cr.row.Village}
		default:
			return []string{cr.town.Name}
		}
	}
	d.Level = "town"
	if town != "" {
		d.Level = "village"
	}
	if village != "" {
		d.Level = "enumerator"
	}
	for _, cr := range cases {
		d.Total.add(cr, h.journal, true)
		for _, k := range key(cr) {
			t := by[k]
			if t == nil {
				t = &tally{Name: k, noRoster: d.Level == "enumerator"}
				switch d.Level {
				case "town":
					t.Link = "/office/progress?" + url.Values{"town": {k}}.Encode()
				case "village":
					t.Link = "/office/progress?" + url.Values{"town": {town}, "village": {k}}.Encode()
				}
				by[k] = t
				order = append(order, k)
			}
			t.add(cr, h.journal, d.Level != "enumerator")
		}
	}
	for _, k := range order {
		d.Rows = append(d.Rows, by[k])
	}
	d.Cols = sortTable(c, d.Rows, []column[*tally]{
		{"name", byText(func(t *tally) string { return t.Name })},
		{"roster", byNumber(func(t *tally) int { return t.Roster })},
		{"done", byNumber(func(t *tally) int { return t.Done })},
		{"notstarted", byNumber(func(t *tally) int { return t.NotStarted })},
		{"share", byNumber((*tally).Share)},
		{"home", byNumber((*tally).HomeRate)},
		{"errors", byNumber(func(t *tally) int { return t.Errors })},
		{"returned", byNumber(func(t *tally) int { return t.Returned })},
		{"waiting", byNumber(func(t *tally) int { return t.Waiting })},
		{"final", byNumber(func(t *tally) int { return t.Final })},
	})
	d.Pager = paginate(c, len(d.Rows), 50)
	d.Rows = d.Rows[d.Pager.From:d.Pager.To]
	today := dayOf(h.o.Now(), h.o.Location)
	for _, dl := range h.o.Deadlines {
		days := int(dayOf(dl.Date, h.o.Location).Sub(today).Hours() / 24)
		d.Deadlines = append(d.Deadlines, deadlineView{Key: dl.Key, Date: dl.Date.Format("2006-01-02"), Days: max(days, -days), Past: days < 0,
			Remaining: d.Total.Roster - d.Total.Done})
	}
	d.Chart, d.ChartSummary = h.chart(c, cases, d.Total)
	if town == "" && village == "" && c.acc.Role == RoleDistrict {
		d.Orphans = len(h.ix.orphans)
	}
	h.render(c, 200, "progress", "progress", d)
}

func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// column is a table's column the reader may sort by: its key in ?sort= and how it
// orders two rows.
type column[T any] struct {
	key     string
	compare func(a, b T) int
}

// sortTable sorts rows by the column the request names (?sort=, ?dir=desc the other
// way), stably, so rows equal there keep their order (the roster's when none is named),
// and returns the columns' heading links.
func sortTable[T any](c *call, rows []T, cols []column[T]) []sortCol {
	q := c.r.URL.Query()
	by, dir := q.Get("sort"), q.Get("dir")
	keys := make([]string, len(cols))
	for i, col := range cols {
		keys[i] = col.key
		if col.key != by {
			continue
		}
		slices.SortStableFunc(rows, func(a, b T) int {
			if dir == "desc" {
				return -col.compare(a, b)
			}
			return col.compare(a, b)
		})
	}
	return sortCols(c, keys, by, dir)
}

// byText and byNumber order rows by a column of text or of numbers.
func byText[T any](f func(T) string) func(a, b T) int {
	return func(a, b T) int { return strings.Compare(f(a), f(b)) }
}

func byNumber[T any, N cmp.Ordered](f func(T) N) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(f(a), f(b)) }
}

// sortCols are the column headings' links: a heading sorts by its column, again the
// other way.
func sortCols(c *call, keys []string, by, dir string) []sortCol {
	var out []sortCol
	for _, k := range keys {
		q := c.r.URL.Query()
		q.Set("sort", k)
		q.Del("page")
		desc := by == k && dir != "desc"
		if desc {
			q.Set("dir", "desc")
		} else {
			q.Del("dir")
		}
		label := text(c.lang, colText[k])
		if k == "name" && c.r.URL.Path != "/office/progress" {
			label = text(c.lang, "person") // a list of persons, not of places
		}
		out = append(out, sortCol{Key: k, Label: label, Href: c.r.URL.Path + "?" + q.Encode(),
			Active: by == k, Desc: by == k && dir == "desc"})
	}
	return out
}

var colText = map[string]string{"name": "name", "roster": "c.roster", "done": "c.done", "notstarted": "c.notstarted",
	"share": "c.share", "home": "c.home", "errors": "c.errors", "returned": "c.returned", "waiting": "c.waiting", "final": "c.final",
	"village": "village", "town": "town", "enumerator": "enumerator", "status": "status", "completed": "completed", "outcome": "outcome", "sent": "sent"}

// pager is a table's page on the server.
type pager struct {
	Page, Pages, Rows, From, To int
	Prev, Next                  string
}

func paginate(c *call, n, size int) pager {
	p := pager{Rows: n, Pages: max(1, (n+size-1)/size)}
	p.Page, _ = strconv.Atoi(c.r.URL.Query().Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	p.From = (p.Page - 1) * size
	p.To = min(p.From+size, n)
	link := func(page int) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		return c.r.URL.Path + "?" + q.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	return p
}

// chart draws the cumulative completions day by day from the start of collection to
// its deadline, against the straight line that finishes the roster on the deadline: an
// SVG made here, readable without script, with its numbers said in words beside it.
func (h *Handler) chart(c *call, cases []*caseRow, total *tally) (template.HTML, string) {
	loc := h.o.Location
	start := dayOf(h.o.Start, loc)
	end := start.AddDate(0, 0, 35)
	if len(h.o.Deadlines) > 0 {
		end = dayOf(h.o.Deadlines[0].Date, loc)
	}
	days := int(end.Sub(start).Hours()/24) + 1
	if days < 2 || days > 400 {
		return "", ""
	}
	perDay := make([]int, days)
	for _, cr := range cases {
		if cr.rec == nil || cr.rec.completed.IsZero() {
			continue
		}
		i := int(dayOf(cr.rec.completed, loc).Sub(start).Hours() / 24)
		perDay[min(max(i, 0), days-1)]++
	}
	today := dayOf(h.o.Now(), loc)
	last := min(int(today.Sub(start).Hours()/24), days-1)
	const W, H, left, bottom, top, right = 720, 240, 56, 32, 12, 16
	pw, ph := float64(W-left-right), float64(H-top-bottom)
	ymax := float64((max(total.Roster, 1) + 3) / 4 * 4) // gridlines at whole quarters
	x := func(i int) float64 { return left + pw*float64(i)/float64(days-1) }
	y := func(v float64) float64 { return top + ph - ph*v/ymax }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, W, H)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(text(c.lang, "chart")))
	// Axes and gridlines at quarters of the roster.
	for q := 0; q <= 4; q++ {
		v := ymax * float64(q) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d0d4d9" stroke-width="1"/>`, left, W-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" font-size="12" fill="#333">%d</text>`, left-6, y(v)+4, int(v))
	}
	for i := 0; i < days; i += max(1, days/7) {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="12" fill="#333">%s</text>`, x(i), H-10, start.AddDate(0, 0, i).Format("01-02"))
	}
	// The line needed: from nothing on the first day to the whole roster on the last.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8a5a00" stroke-width="2" stroke-dasharray="6 4"/>`, x(0), y(0), x(days-1), y(float64(total.Roster)))
	cum := 0
	var pts []string
	for i := 0; i <= max(last, 0); i++ {
		cum += perDay[i]
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(float64(cum))))
	}
	if last < 0 {
		pts = nil
	}
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5cad" stroke-width="3"/>`, strings.Join(pts, " "))
	}
	if last >= 0 && last < days {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#555" stroke-width="1"/>`, x(last), x(last), top, H-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="#333">%s</text>`, x(last)+3, top+12, template.HTMLEscapeString(text(c.lang, "today")))
	}
	// The legend.
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#0b5cad" stroke-width="3"/><text x="%d" y="%d" font-size="12" fill="#333">%s</text>`,
		left+10, left+34, top+10, top+10, left+40, top+14, template.HTMLEscapeString(text(c.lang, "chart.done")))
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#8a5a00" stroke-width="2" stroke-dasharray="6 4"/><text x="%d" y="%d" font-size="12" fill="#333">%s</text>`,
		left+10, left+34, top+28, top+28, left+40, top+32, template.HTMLEscapeString(text(c.lang, "chart.needed")))
	b.WriteString(`</svg>`)
	left2 := days - 1 - last
	need := "—"
	if left2 > 0 {
		need = fmt.Sprintf("%.1f", float64(total.Roster-total.Done)/float64(left2))
	}
	return template.HTML(b.String()), fmt.Sprintf(text(c.lang, "chart.summary"), total.Done, total.Roster, need)
}
