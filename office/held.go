package office

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/server/store"
)

// heldRow is a record held for the district's review: a person the district's roster
// does not know, kept out of every village's count until the district decides.
type heldRow struct {
	ID, Number, Name, Village, Enumerator, From, Received, Reason string
	Accepted, Refused, DecidedBy                                  string
	Open                                                          bool
}

// heldPageSize is how many held revisions the page shows at once: the queue is read a
// page at a time, never whole.
const heldPageSize = 50

// heldData is the page's: its rows, the link to the next page, and the open records by
// sender over the whole queue. All says the decided records are shown too, on
// request: the page is first what the district must act on.
type heldData struct {
	Rows     []heldRow
	Next     string
	BySender []senderCount
	All      bool
}

type senderCount struct {
	From string
	N    int
}

// heldPage lists the records held for the district's review (a person not on its
// roster); the district accepts one into a village — the person joins the roster, the
// record the counts — or refuses it with a reason that reaches the enumerator's laptop.
// Only the district sees them: no town's roster holds these persons. The open ones
// are listed; ?all=1 lists the decided ones with them.
func (h *Handler) heldPage(c *call) {
	q := c.r.URL.Query()
	d := heldData{All: q.Get("all") == "1"}
	if c.acc.Role == RoleDistrict {
		page, err := h.o.Source.Held(store.ReviewFilter{All: d.All, After: q.Get("after"), Limit: heldPageSize})
		if err != nil {
			h.o.Log.Error("office: held for review", "err", err)
			h.fail(c, http.StatusInternalServerError, "err.server")
			return
		}
		if page.Next != "" {
			v := url.Values{"after": {page.Next}}
			if d.All {
				v.Set("all", "1")
			}
			d.Next = "/office/held?" + v.Encode()
		}
		for from, n := range page.OpenBySender {
			d.BySender = append(d.BySender, senderCount{from, n})
		}
		slices.SortFunc(d.BySender, func(a, b senderCount) int { return cmp.Or(b.N-a.N, strings.Compare(a.From, b.From)) })
		for _, it := range page.Items {
			d.Rows = append(d.Rows, heldRow{ID: it.RecordID, Number: h.number(c, it.Subject), Name: it.Name, Village: it.Village,
				Enumerator: it.Enumerator, From: it.From + " / " + it.Device, Reason: it.Reason,
				Received: it.ReceivedAt.In(h.o.Location).Format("2006-01-02 15:04"),
				Accepted: it.Accepted, Refused: it.Refused, DecidedBy: it.DecidedBy, Open: it.Open()})
		}
	}
	h.render(c, http.StatusOK, "held", "held", d)
}

// decideHeld is the district's decision on a held record.
func (h *Handler) decideHeld(c *call) {
	if c.acc.Role != RoleDistrict {
		h.notFound(c)
		return
	}
	d := store.ReviewDecision{RecordID: c.r.FormValue("id"), By: "office:" + c.acc.User, At: h.o.Now().UTC()}
	switch c.r.FormValue("action") {
	case "accept":
		d.Village = strings.TrimSpace(c.r.FormValue("village"))
	case "refuse":
		if d.Refuse = strings.TrimSpace(c.r.FormValue("reason")); d.Refuse == "" {
			d.Refuse = "区残联核实此人不在本区底册上"
		}
	}
	if err := h.o.Source.DecideHeld(d); err != nil {
		h.fail(c, http.StatusConflict, "err.decision", err)
		return
	}
	h.audit(c, "decide-held", d.RecordID, d.Village+d.Refuse)
	http.Redirect(c.w, c.r, "/office/held", http.StatusSeeOther)
}
