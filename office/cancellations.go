package office

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/doorstep-survey/doorstep/survey"
)

type cancelRow struct {
	ID, Name, Number, Town, Village, Enumerator string
	Outcome, Note, Completed, Sent              string
	Photos                                      int
}

type cancelData struct {
	Towns, Villages []string
	Town, Village   string
	Rows            []cancelRow
	Pager           pager
	Back            string
}

// cancellations lists the deaths, empty households and persons not found (核销名单),
// each with the enumerator's note; the district marks each as sent for cancellation.
func (h *Handler) cancellations(c *call) {
	q := c.r.URL.Query()
	d := cancelData{Town: q.Get("town"), Village: q.Get("village"), Back: c.r.URL.RequestURI()}
	h.ix.mu.RLock()
	defer h.ix.mu.RUnlock()
	d.Towns, d.Villages = h.ix.towns(c.acc), h.ix.villages(c.acc, d.Town)
	for _, cr := range h.ix.scope(c.acc, d.Town, d.Village) {
		r := cr.rec
		if r == nil || !r.done() || !survey.Cancelled(r.outcome) {
			continue
		}
		row := cancelRow{ID: r.id, Name: cr.row.Name, Number: h.number(c, cr.row.Key()), Town: cr.town.Name, Village: cr.row.Village,
			Enumerator: r.enumerator, Outcome: outcomeLabel(c.lang, r.outcome), Note: r.outcomeNote, Photos: len(r.photos)}
		if !r.completed.IsZero() {
			row.Completed = r.completed.In(h.o.Location).Format("2006-01-02")
		}
		if at, ok := h.journal.sentAt(r.id); ok {
			row.Sent = at.In(h.o.Location).Format("2006-01-02")
		}
		d.Rows = append(d.Rows, row)
	}
	d.Pager = paginate(c, len(d.Rows), 50)
	d.Rows = d.Rows[d.Pager.From:d.Pager.To]
	h.render(c, http.StatusOK, "cancellations", "cancellations", d)
}

// markSent marks a case as sent for cancellation: the district's step.
func (h *Handler) markSent(c *call) {
	id := c.r.PathValue("id")
	h.ix.mu.RLock()
	cr := h.ix.caseOfRecord(c.acc, id)
	h.ix.mu.RUnlock()
	if cr == nil || c.acc.Role != RoleDistrict || !survey.Cancelled(cr.rec.outcome) {
		h.notFound(c)
		return
	}
	if err := h.audit(c, actCancelSent, id, cr.row.Village); err != nil {
		h.fail(c, http.StatusInternalServerError, "err.server")
		return
	}
	back := c.r.FormValue("back")
	if !strings.HasPrefix(back, "/office/") || strings.HasPrefix(back, "//") {
		back = "/office/cancellations"
	}
	http.Redirect(c.w, c.r, back, http.StatusSeeOther)
}

type dupGroup struct {
	Name, Number, Village string
	Records               []dupRecord
}

type dupRecord struct {
	ID, Enumerator, Status, Outcome, Completed string
}

// duplicatesPage shows persons with more than one record, side by side. Choosing
// which stands belongs to the server's one-person-one-record rule (issue 11); until
// it is there, the page shows them and the first record stands for the case.
func (h *Handler) duplicatesPage(c *call) {
	h.ix.mu.RLock()
	defer h.ix.mu.RUnlock()
	var groups []dupGroup
	for _, cr := range h.ix.order {
		ids := h.ix.duplicates[cr.row.Key()]
		if len(ids) == 0 || !c.acc.MayTown(cr.town) {
			continue
		}
		g := dupGroup{Name: cr.row.Name, Number: h.number(c, cr.row.Key()), Village: cr.row.Village}
		for _, id := range ids {
			r := h.ix.records[id]
			if r == nil {
				continue
			}
			dr := dupRecord{ID: id, Enumerator: r.enumerator, Status: string(r.status), Outcome: outcomeLabel(c.lang, r.outcome)}
			if !r.completed.IsZero() {
				dr.Completed = r.completed.In(h.o.Location).Format("2006-01-02 15:04")
			}
			g.Records = append(g.Records, dr)
		}
		groups = append(groups, g)
	}
	h.render(c, http.StatusOK, "duplicates", "duplicates", groups)
}

// recordLink is a record's page.
func recordLink(id string) string { return "/office/review/" + url.PathEscape(id) }
