package office

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/survey"
)

type cancelRow struct {
	ID, Name, Number, Town, Village, Enumerator string
	Outcome, Note, Completed, Sent              string
	Photos                                      []string // hashes
}

type cancelData struct {
	Towns, Villages []string
	Town, Village   string
	Rows            []cancelRow
	Cols            []sortCol
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
			Enumerator: r.enumerator, Outcome: outcomeLabel(c.lang, r.outcome), Note: r.outcomeNote}
		for _, p := range r.photos {
			row.Photos = append(row.Photos, p.Hash)
		}
		if !r.completed.IsZero() {
			row.Completed = r.completed.In(h.o.Location).Format("2006-01-02")
		}
		if at, ok := h.journal.sentAt(r.id); ok {
			row.Sent = at.In(h.o.Location).Format("2006-01-02")
		}
		d.Rows = append(d.Rows, row)
	}
	d.Cols = sortTable(c, d.Rows, []column[cancelRow]{
		{"name", byText(func(r cancelRow) string { return r.Name })},
		{"village", func(a, b cancelRow) int {
			return cmp.Or(strings.Compare(a.Town, b.Town), strings.Compare(a.Village, b.Village))
		}},
		{"outcome", byText(func(r cancelRow) string { return r.Outcome })},
		{"completed", byText(func(r cancelRow) string { return r.Completed })},
		{"sent", byText(func(r cancelRow) string { return r.Sent })},
	})
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
	Name, Number, Town, Village string
	Subject                     string
	Records                     []dupRecord
	Kept, Reason, ResolvedBy    string
	ResolvedAt                  string
	// Earlier are the choices a new record reopened: history, oldest first.
	Earlier []dupChoice
}

type dupChoice struct{ Kept, Reason, By, At string }

type dupRecord struct {
	ID, Enumerator, Status, Outcome, Completed, Received string
	Errors                                               int
	Withdrawn                                            string
}

// duplicatesPage shows each person interviewed twice (the server's one-person-one-
// record rule), the records side by side; the district chooses which stands, and the
// other is withdrawn with the reason, which reaches both laptops.
func (h *Handler) duplicatesPage(c *call) {
	groups, err := h.o.Source.Duplicates()
	if err != nil {
		h.o.Log.Error("office: duplicates", "err", err)
		h.fail(c, http.StatusInternalServerError, "err.server")
		return
	}
	h.ix.mu.RLock()
	defer h.ix.mu.RUnlock()
	var out []dupGroup
	for _, g := range groups {
		cr := h.ix.cases[g.Subject]
		if cr == nil || !c.acc.MayTown(cr.town) {
			continue
		}
		dg := dupGroup{Name: cr.row.Name, Number: h.number(c, cr.row.Key()), Town: cr.town.Name, Village: cr.row.Village, Subject: g.Subject,
			Kept: g.Kept, Reason: g.Reason, ResolvedBy: g.ResolvedBy}
		if !g.ResolvedAt.IsZero() {
			dg.ResolvedAt = g.ResolvedAt.In(h.o.Location).Format("2006-01-02 15:04")
		}
		for _, e := range g.Earlier {
			dc := dupChoice{Kept: e.Kept, Reason: e.Reason, By: e.By}
			if !e.At.IsZero() {
				dc.At = e.At.In(h.o.Location).Format("2006-01-02 15:04")
			}
			dg.Earlier = append(dg.Earlier, dc)
		}
		for _, r := range g.Records {
			dr := dupRecord{ID: r.RecordID, Enumerator: r.Enumerator, Status: text(c.lang, "st."+r.Status), Withdrawn: r.Withdrawn,
				Received: r.ReceivedAt.In(h.o.Location).Format("2006-01-02 15:04")}
			if rr := h.ix.records[r.RecordID]; rr != nil {
				dr.Outcome, dr.Errors = outcomeLabel(c.lang, rr.outcome), rr.errors
				if !rr.completed.IsZero() {
					dr.Completed = rr.completed.In(h.o.Location).Format("2006-01-02 15:04")
				}
			}
			dg.Records = append(dg.Records, dr)
		}
		out = append(out, dg)
	}
	h.render(c, http.StatusOK, "duplicates", "duplicates", out)
}

// resolveDuplicate keeps one record of a duplicate interview: the district's choice.
func (h *Handler) resolveDuplicate(c *call) {
	keep, reason := c.r.FormValue("keep"), strings.TrimSpace(c.r.FormValue("reason"))
	h.ix.mu.RLock()
	cr := h.ix.caseOfRecord(c.acc, keep)
	if cr == nil {
		if rr := h.ix.records[keep]; rr != nil {
			if x := h.ix.cases[rr.subject]; x != nil && c.acc.MayTown(x.town) {
				cr = x
			}
		}
	}
	h.ix.mu.RUnlock()
	if cr == nil || c.acc.Role != RoleDistrict {
		h.notFound(c)
		return
	}
	if reason == "" {
		reason = "区残联保留另一份记录"
	}
	if err := h.o.Source.ResolveDuplicate(store.Resolution{Keep: keep, Reason: reason, By: "office:" + c.acc.User, At: h.o.Now().UTC()}); err != nil {
		h.fail(c, http.StatusConflict, "err.decision", err)
		return
	}
	h.audit(c, "resolve-duplicate", keep, reason)
	http.Redirect(c.w, c.r, "/office/duplicates", http.StatusSeeOther)
}

// recordLink is a record's page.
func recordLink(id string) string { return "/office/review/" + url.PathEscape(id) }
