package office

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/report"
	"github.com/doorstep-survey/doorstep/survey"
)

type reportLink struct {
	Key, Label string
	XLSX, CSV  string
}

type reportsData struct {
	Towns   []string
	Town    string
	Scope   string
	Reports []reportLink
}

func (h *Handler) reportsPage(c *call) {
	town := c.r.URL.Query().Get("town")
	h.ix.mu.RLock()
	towns := h.ix.towns(c.acc)
	h.ix.mu.RUnlock()
	if town != "" && !slices.Contains(towns, town) {
		h.notFound(c)
		return
	}
	d := reportsData{Towns: towns, Town: town, Scope: h.scopeName(c, town)}
	q := ""
	if town != "" {
		q = "?" + url.Values{"town": {town}}.Encode()
	}
	for _, k := range report.Kinds {
		d.Reports = append(d.Reports, reportLink{Key: string(k), Label: text(c.lang, "r."+string(k)),
			XLSX: "/office/reports/" + string(k) + ".xlsx" + q, CSV: "/office/reports/" + string(k) + ".csv" + q})
	}
	h.render(c, http.StatusOK, "reports", "reports", d)
}

func (h *Handler) scopeName(c *call, town string) string {
	switch {
	case town != "":
		return town
	case c.acc.Role == RoleDistrict:
		return text(c.lang, "all")
	default:
		return strings.Join(c.acc.Towns, "、")
	}
}

// reportFile makes a report for the account's area (or one of its towns) with the same
// report package the laptops use.
func (h *Handler) reportFile(c *call) {
	name, ext, _ := strings.Cut(c.r.PathValue("file"), ".")
	kind, format := report.Kind(name), report.Format(ext)
	if !slices.Contains(report.Kinds, kind) || format != report.XLSX && format != report.CSV {
		h.notFound(c)
		return
	}
	town := c.r.URL.Query().Get("town")
	in, err := h.reportInput(c, town, kind == report.Validation)
	if err != nil {
		if err == errNotYours {
			h.notFound(c)
			return
		}
		h.o.Log.Error("office: report", "report", name, "err", err)
		h.fail(c, http.StatusInternalServerError, "err.server")
		return
	}
	var buf bytes.Buffer
	if err := report.Write(kind, format, in, &buf); err != nil {
		h.o.Log.Error("office: report", "report", name, "err", err)
		h.fail(c, http.StatusInternalServerError, "err.server")
		return
	}
	h.audit(c, "report", string(kind)+"."+string(format), h.scopeName(c, town))
	ctype := "text/csv; charset=utf-8"
	if format == report.XLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	c.w.Header().Set("Content-Type", ctype)
	file := fmt.Sprintf("%s-%s.%s", name, h.o.Now().In(h.o.Location).Format("20060102"), ext)
	c.w.Header().Set("Content-Disposition", "attachment; filename=\""+file+"\"")
	c.w.Write(buf.Bytes())
}

var errNotYours = fmt.Errorf("not in the account's area")

// reportInput is the report's input for the account's area: the cases in roster order
// with their records — the compact ones, or with full answers when the report checks
// them.
func (h *Handler) reportInput(c *call, town string, full bool) (report.Input, error) {
	h.ix.mu.RLock()
	cases := h.ix.scope(c.acc, town, "")
	if town != "" && len(cases) == 0 {
		h.ix.mu.RUnlock()
		return report.Input{}, errNotYours
	}
	in := report.Input{Unit: h.o.Unit, Forms: h.o.Forms, AsOf: h.o.Now().In(h.o.Location), Users: map[string]string{},
		Unmasked: c.sess.numbers && c.acc.SeeNumbers}
	type want struct {
		i   int
		ref RecordRef
	}
	var fetch []want
	in.Cases = make([]report.Case, len(cases))
	for i, cr := range cases {
		in.Cases[i].Row = cr.row
		if cr.rec != nil {
			in.Cases[i].Record = cr.rec.slim
			if full && cr.rec.outcome == survey.OutcomeInterviewed {
				fetch = append(fetch, want{i, RecordRef{ID: cr.rec.id, Subject: cr.rec.subject, Seq: cr.rec.seq}})
			}
		}
	}
	h.ix.mu.RUnlock()
	if town != "" {
		in.Unit = strings.TrimSpace(h.o.Unit + " " + town)
	}
	for _, f := range fetch {
		rev, err := h.o.Source.Revision(f.ref)
		if err != nil {
			return in, err
		}
		r := rev.Record
		in.Cases[f.i].Record = &r
	}
	return in, nil
}
