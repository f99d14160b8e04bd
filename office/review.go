package office

import (
	"cmp"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// reviewState is where a record stands for the town: with the leader (completed),
// waiting for the town (approved by the leader), returned, or final (the town approved
// it as it stands).
func (h *Handler) reviewState(r *recRow) string {
	switch {
	case r.status == record.StatusReturned:
		return "returned"
	case townApproved(h.journal, r):
		return "final"
	case r.status == record.StatusApproved:
		return "waiting"
	default:
		return "withleader"
	}
}

type reviewRow struct {
	ID, Name, Number, Town, Village, Enumerator string
	State, Outcome, Completed                   string
	Errors, Warnings                            int
}

type reviewListData struct {
	Towns, Villages       []string
	Town, Village, Status string
	Query                 string
	Rows                  []reviewRow
	Cols                  []sortCol
	Pager                 pager
	Numbers, MayNumbers   bool
	Back                  string
}

func (h *Handler) reviewList(c *call) {
	q := c.r.URL.Query()
	d := reviewListData{Town: q.Get("town"), Village: q.Get("village"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		Numbers: c.sess.numbers && c.acc.SeeNumbers, MayNumbers: c.acc.SeeNumbers, Back: c.r.URL.RequestURI()}
	h.ix.mu.RLock()
	defer h.ix.mu.RUnlock()
	d.Towns = h.ix.towns(c.acc)
	d.Villages = h.ix.villages(c.acc, d.Town)
	for _, cr := range h.ix.scope(c.acc, d.Town, d.Village) {
		r := cr.rec
		if r == nil {
			continue
		}
		st := h.reviewState(r)
		if d.Status != "" && st != d.Status || d.Query != "" && !strings.Contains(cr.row.Name, d.Query) {
			continue
		}
		row := reviewRow{ID: r.id, Name: cr.row.Name, Number: h.number(c, cr.row.Key()), Town: cr.town.Name, Village: cr.row.Village,
			Enumerator: r.enumerator, State: st, Outcome: outcomeLabel(c.lang, r.outcome), Errors: r.errors, Warnings: r.warnings}
		if !r.completed.IsZero() {
			row.Completed = r.completed.In(h.o.Location).Format("2006-01-02")
		}
		d.Rows = append(d.Rows, row)
	}
	d.Cols = sortTable(c, d.Rows, []column[reviewRow]{
		{"name", byText(func(r reviewRow) string { return r.Name })},
		{"village", func(a, b reviewRow) int {
			return cmp.Or(strings.Compare(a.Town, b.Town), strings.Compare(a.Village, b.Village))
		}},
		{"enumerator", byText(func(r reviewRow) string { return r.Enumerator })},
		{"status", byText(func(r reviewRow) string { return r.State })},
		{"completed", byText(func(r reviewRow) string { return r.Completed })},
		{"errors", byNumber(func(r reviewRow) int { return r.Errors })},
	})
	d.Pager = paginate(c, len(d.Rows), 50)
	d.Rows = d.Rows[d.Pager.From:d.Pager.To]
	h.render(c, http.StatusOK, "review", "review", d)
}

// number is a certificate number as this session may see it.
func (h *Handler) number(c *call, n string) string {
	if c.sess.numbers && c.acc.SeeNumbers {
		return n
	}
	return roster.Mask(n)
}

func outcomeLabel(lang string, o int) string {
	if c, ok := survey.Outcome(o); ok {
		return c.Label.In(lang)
	}
	return "—"
}

func methodLabel(lang string, m int) string {
	if c, ok := survey.Method(m); ok {
		return c.Label.In(lang)
	}
	return "—"
}

type finding struct {
	Question, Label, Kind, Message, Note string
}

type readSection struct {
	Title string
	Lines []readLine
}

type readLine struct {
	Question, Text string
	Flag           bool // a finding at this question
}

type reviewRecordData struct {
	ID, Name, Number, Town, Village, Enumerator string
	Method, Outcome, OutcomeNote, Completed     string
	Status                                      string
	State                                       string
	LeaderApproved                              bool
	TownApproval                                string
	ReadBack                                    []readSection
	Findings                                    []finding
	Notes                                       []finding
	Comments                                    []record.Comment
	Questions                                   []forms.ReadBackLine
	Photos                                      []record.Attachment
	CanApprove, CanReturn                       bool
	Error                                       string
}

// record finds a record the account may see, read in full; ok is false (and a 404
// sent) for a record that does not exist or is in another town.
func (h *Handler) record(c *call, id string) (*caseRow, record.Revision, bool) {
	h.ix.mu.RLock()
	cr := h.ix.caseOfRecord(c.acc, id)
	var ref RecordRef
	var cp caseRow
	if cr != nil {
		ref, cp = RecordRef{ID: id, Subject: cr.rec.subject, Seq: cr.rec.seq}, *cr
	}
	h.ix.mu.RUnlock()
	if cr == nil {
		h.notFound(c)
		return nil, record.Revision{}, false
	}
	rev, err := h.o.Source.Revision(ref)
	if err != nil {
		h.o.Log.Error("office: read record", "record", id, "err", err)
		h.fail(c, http.StatusInternalServerError, "err.server")
		return nil, record.Revision{}, false
	}
	return &cp, rev, true
}

func (h *Handler) reviewRecord(c *call) {
	id := c.r.PathValue("id")
	cr, rev, ok := h.record(c, id)
	if !ok {
		return
	}
	h.audit(c, "view", id, "")
	h.showRecord(c, http.StatusOK, cr, rev, "")
}

func (h *Handler) showRecord(c *call, status int, cr *caseRow, rev record.Revision, errMsg string) {
	r := rev.Record
	d := reviewRecordData{ID: r.ID, Name: cr.row.Name, Number: h.number(c, cr.row.Key()), Town: cr.town.Name, Village: cr.row.Village,
		Enumerator: r.Enumerator, Method: methodLabel(c.lang, r.Method), Outcome: outcomeLabel(c.lang, r.Outcome),
		OutcomeNote: r.OutcomeNote, Status: string(r.Status), Comments: r.Comments, Photos: r.Photos, Error: errMsg,
		LeaderApproved: r.Status == record.StatusApproved}
	if !r.CompletedAt.IsZero() {
		d.Completed = r.CompletedAt.In(h.o.Location).Format("2006-01-02 15:04")
	}
	rr := &recRow{id: r.ID, status: r.Status, head: r.AuditHead}
	d.State = h.reviewState(rr)
	if a, ok := h.journal.approvalOf(r.ID); ok && a.Head == r.AuditHead {
		d.TownApproval = fmt.Sprintf(text(c.lang, "town.approved"), a.By, a.At.In(h.o.Location).Format("2006-01-02 15:04"))
	}
	d.CanApprove = r.Status == record.StatusApproved && d.TownApproval == ""
	d.CanReturn = r.Status.Locked()
	unmasked := c.sess.numbers && c.acc.SeeNumbers
	if r.Outcome == survey.OutcomeInterviewed {
		if rd, err := survey.Read(h.o.Forms, &r, survey.About{Row: cr.row}); err != nil {
			d.Findings = append(d.Findings, finding{Kind: text(c.lang, "error"), Message: err.Error()})
		} else {
			f, res := rd.Form, rd.Result
			flagged := map[string]bool{}
			label := func(q string) string {
				if fq := f.Question(q); fq != nil {
					return fq.Label.In(c.lang)
				}
				return q
			}
			for _, q := range res.Missing {
				flagged[q] = true
				d.Findings = append(d.Findings, finding{Question: q, Label: label(q), Kind: text(c.lang, "missing")})
			}
			for _, fd := range res.Findings {
				flagged[fd.Question] = true
				kind := "error"
				if fd.Severity != forms.SeverityError {
					kind = "warning"
				}
				d.Findings = append(d.Findings, finding{Question: fd.Question, Label: label(fd.Question), Kind: text(c.lang, kind),
					Message: fd.Message.In(c.lang), Note: rd.Note(fd)})
			}
			for _, s := range f.ReadBack(rd.Answers, rd.Context, c.lang) {
				sec := readSection{Title: s.Title}
				for _, l := range s.Lines {
					if fq := f.Question(l.Question); fq != nil && !unmasked && (fq.Type == forms.TypeResidentID || fq.Type == forms.TypeCertificate) {
						// A person's numbers, read back, are masked as everywhere else.
						if v, ok := rd.Answers[l.Question].(string); ok {
							l.Text = fq.Sentence(roster.Mask(v), c.lang)
						}
					}
					sec.Lines = append(sec.Lines, readLine{Question: l.Question, Text: l.Text, Flag: flagged[l.Question]})
					d.Questions = append(d.Questions, forms.ReadBackLine{Question: l.Question, Text: label(l.Question)})
				}
				d.ReadBack = append(d.ReadBack, sec)
			}
		}
	}
	keys := make([]string, 0, len(r.Notes))
	for k := range r.Notes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		check, q, _ := strings.Cut(k, "@")
		d.Notes = append(d.Notes, finding{Question: q, Kind: check, Note: r.Notes[k]})
	}
	h.render(c, status, "record", "review", d)
}

// decide approves a record for the town, or returns it with a comment at a question:
// the return is the record's next revision, written as a team leader's return is, so
// the laptop that pulls it reopens the record at the question.
func (h *Handler) decide(c *call) {
	id := c.r.PathValue("id")
	cr, rev, ok := h.record(c, id)
	if !ok {
		return
	}
	r := rev.Record
	switch c.r.FormValue("action") {
	case "approve":
		if r.Status != record.StatusApproved {
			h.showRecord(c, http.StatusConflict, cr, rev, fmt.Sprintf(text(c.lang, "err.decision"), r.Status))
			return
		}
		if err := h.audit(c, actApprove, id, r.AuditHead); err != nil {
			h.fail(c, http.StatusInternalServerError, "err.server")
			return
		}
		http.Redirect(c.w, c.r, "/office/review/"+url.PathEscape(id)+"?notice=approved.ok", http.StatusSeeOther)
	case "return":
		comment := strings.TrimSpace(c.r.FormValue("comment"))
		question := c.r.FormValue("question")
		if comment == "" || len([]rune(comment)) > 2000 {
			h.showRecord(c, http.StatusBadRequest, cr, rev, text(c.lang, "err.comment"))
			return
		}
		if !r.Status.Locked() {
			h.showRecord(c, http.StatusConflict, cr, rev, fmt.Sprintf(text(c.lang, "err.decision"), r.Status))
			return
		}
		if question != "" {
			if _, ok := r.Answers[question]; !ok {
				question = ""
			}
		}
		next, err := returned(rev, record.OfficePrefix+c.acc.User, h.o.Now(), h.o.Signer, record.Comment{Question: question, Text: comment})
		if err == nil {
			err = h.o.Source.PutOffice(record.OfficePrefix+c.acc.User, next, protocol.Case{Subject: cr.row.Key(), Name: cr.row.Name, Village: cr.row.Village})
		}
		if err != nil {
			h.o.Log.Error("office: return", "record", id, "err", err)
			h.showRecord(c, http.StatusConflict, cr, rev, fmt.Sprintf(text(c.lang, "err.decision"), err))
			return
		}
		h.audit(c, "return", id, question+": "+comment)
		http.Redirect(c.w, c.r, "/office/review/"+url.PathEscape(id)+"?notice=returned.ok", http.StatusSeeOther)
	default:
		h.notFound(c)
	}
}

// returned is the revision after an office return: the leader's Return (localstore)
// done on the server's copy — the comments added, the status returned, the read-back
// to be done again — with its audit entry chained to the record's and signed with the
// district's key, as the laptops and the server check it.
func returned(rev record.Revision, by string, now time.Time, signer ed25519.PrivateKey, comments ...record.Comment) (record.Revision, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return rev, errors.New("the console has no district signing key to sign the return with")
	}
	r := rev.Record
	now = now.UTC()
	for i := range comments {
		comments[i].By, comments[i].At = by, now
	}
	r.Comments = append(slices.Clone(r.Comments), comments...)
	r.Status = record.StatusReturned
	r.Confirmed = nil
	r.Receipts = nil
	data, err := json.Marshal(comments)
	if err != nil {
		return rev, err
	}
	audit := append(slices.Clone(rev.Audit), record.AuditEntry{Seq: r.AuditLen + 1, User: by, At: now,
		Action: record.ActionReturn, New: data})
	record.Relink(audit)
	audit[len(audit)-1].Sign(r.ID, signer)
	r.AuditLen, r.AuditHead = uint64(len(audit)), audit[len(audit)-1].Hash
	r.Revision++
	r.UpdatedAt = now
	return record.Revision{Record: r, Audit: audit}, nil
}

// photo serves a photo a record the account may see names.
func (h *Handler) photo(c *call) {
	id, hash := c.r.PathValue("id"), c.r.PathValue("hash")
	h.ix.mu.RLock()
	cr := h.ix.caseOfRecord(c.acc, id)
	var att *record.Attachment
	if cr != nil {
		for _, p := range cr.rec.photos {
			if p.Hash == hash {
				att = &p
			}
		}
	}
	h.ix.mu.RUnlock()
	if att == nil {
		h.notFound(c)
		return
	}
	f, err := h.o.Source.Photo(hash)
	if err != nil {
		h.notFound(c)
		return
	}
	defer f.Close()
	ctype := "application/octet-stream"
	if att.Type == "image/jpeg" || att.Type == "image/png" {
		ctype = att.Type
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Cache-Control", "private, max-age=3600")
	h.audit(c, "photo", id, hash)
	io.Copy(c.w, f)
}
