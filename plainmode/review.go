package plainmode

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// leaderHome is a team leader's start: the records waiting for review, or the cases.
func (p *plain) leaderHome() error {
	for {
		waiting, err := p.waiting()
		if err != nil {
			return err
		}
		l, err := p.ask(func() string { return p.t("leader.prompt", len(waiting), p.communityHint("leader.community")) }, func() string { return p.t("help.leader") })
		if err != nil {
			return err
		}
		switch strings.ToLower(l) {
		case "1", "":
			if err := p.reviewList(); err != nil {
				return err
			}
		case "2":
			if err := p.cases(); err != errEnd {
				return err
			}
		case "3":
			if p.o.CommunityForm == nil {
				p.say("notoption", c(l))
				continue
			}
			if err := p.community(); err != nil {
				return err
			}
		case "q", "退出":
			return errEnd
		default:
			p.say("notoption", c(l))
		}
	}
}

// waitingRecord is a record for the leader to decide on, with its case.
type waitingRecord struct {
	rec *localstore.Record
	c   localstore.Case
}

// waiting are the completed or submitted person records of the leader's villages.
func (p *plain) waiting() ([]waitingRecord, error) {
	recs, err := p.sess.Records()
	if err != nil {
		return nil, err
	}
	villages := p.sess.User().Villages
	var out []waitingRecord
	for _, r := range recs {
		// A record completed on last year's form, before the district named this one,
		// waits for the leader as well.
		person := r.FormID == p.o.PersonForm.ID || slices.Contains(p.o.PersonForm.Carries.From, r.FormID)
		if r.CaseID == "" || !person || r.Status != localstore.StatusCompleted && r.Status != localstore.StatusSubmitted {
			continue
		}
		k, err := p.sess.Case(r.CaseID)
		if err != nil {
			continue
		}
		if len(villages) > 0 && !slices.Contains(villages, k.Row.Village) {
			continue
		}
		out = append(out, waitingRecord{r, k})
	}
	return out, nil
}

func (p *plain) reviewList() error {
	for {
		waiting, err := p.waiting()
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			p.say("review.none")
			return nil
		}
		l, err := p.ask(func() string {
			lines := []string{p.t("review.list", len(waiting))}
			for i, w := range waiting {
				lines = append(lines, fmt.Sprintf("%d %s", i+1, p.t("review.item", c(w.c.Row.Name), c(w.c.Row.Village), c(w.rec.Enumerator), p.statusName(w.rec.Status))))
			}
			return strings.Join(append(lines, p.t("review.pick")), "\n")
		}, func() string { return p.t("help.leader") })
		if err != nil {
			return err
		}
		if l == "" || strings.EqualFold(l, "q") {
			return nil
		}
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > len(waiting) {
			p.say("notoption", c(l))
			continue
		}
		if err := p.review(waiting[n-1]); err != nil {
			return err
		}
	}
}

// reviewText is the record as the leader hears it: the header, the signatures, every
// answer as read back with the engine's findings under it and the enumerator's notes,
// and what is missing.
func (p *plain) reviewText(w waitingRecord) string {
	rec := w.rec
	var lines []string
	label := func(c survey.Code, ok bool, code int) string {
		if !ok {
			return strconv.Itoa(code)
		}
		return c.Label.In(p.lang)
	}
	m, mok := survey.Method(rec.Method)
	o, ook := survey.Outcome(rec.Outcome)
	lines = append(lines, p.t("review.head", c(w.c.Row.Name), c(w.c.Row.Village), label(m, mok, rec.Method), label(o, ook, rec.Outcome), c(rec.Enumerator)))
	if rec.OutcomeNote != "" {
		lines = append(lines, p.t("review.note", c(rec.OutcomeNote)))
	}
	if sig, ok := rec.RespondentSignature(); ok {
		rel := ""
		if sig.Relation != "" {
			rel = p.t("review.relation", c(sig.Relation))
		}
		lines = append(lines, p.t("review.signed", c(sig.DisplayName()), rel))
	}
	if rec.Outcome != survey.OutcomeInterviewed {
		return strings.Join(lines, "\n")
	}
	// Read with the record's own form and version.
	rd, err := survey.Read(p.o.Forms, rec, survey.About{Row: w.c.Row})
	if err != nil {
		return strings.Join(append(lines, p.errText(err)), "\n")
	}
	f := rd.Form
	byQ := map[string][]forms.Finding{}
	for _, fd := range rd.Result.Findings {
		byQ[fd.Question] = append(byQ[fd.Question], fd)
	}
	for _, sec := range f.ReadBack(rd.Answers, rd.Context, p.lang) {
		lines = append(lines, p.t("section", c(sec.Title)))
		for _, l := range sec.Lines {
			lines = append(lines, l.Question+" "+c(l.Text))
			for _, fd := range byQ[l.Question] {
				if fd.Severity == forms.SeverityError {
					lines = append(lines, p.t("finding.error", c(fd.Message.In(p.lang))))
					continue
				}
				lines = append(lines, p.t("finding.warning", c(fd.Message.In(p.lang)))+p.t("review.notetext", c(rd.Note(fd))))
			}
		}
	}
	for _, id := range rd.Result.Missing {
		lines = append(lines, p.t("review.missing", id, c(f.Question(id).ReadBackLabel().In(p.lang))))
	}
	return strings.Join(lines, "\n")
}

// review is one record: approve it, or return it with comments on questions or on the
// whole record.
func (p *plain) review(w waitingRecord) error {
	var comments []localstore.Comment
	for {
		l, err := p.ask(func() string { return p.reviewText(w) + "\n" + p.t("review.prompt", len(comments)) },
			func() string { return p.t("help.review") })
		if err != nil {
			return err
		}
		lower := strings.ToLower(l)
		switch {
		case l == "" || lower == "q":
			if len(comments) > 0 {
				p.say("review.dropped", len(comments))
			}
			return nil
		case lower == "a":
			if len(comments) > 0 {
				p.say("review.hascomments")
				continue
			}
			if _, err := p.sess.Approve(w.rec.ID); err != nil {
				p.line(p.errText(err))
				continue
			}
			p.say("review.approved", c(w.c.Row.Name))
			return nil
		case lower == "x":
			for len(comments) == 0 {
				text, err := p.ask(func() string { return p.t("review.whole") }, nil)
				if err != nil {
					return err
				}
				if text == "" {
					break
				}
				comments = append(comments, localstore.Comment{Text: c(text)})
			}
			if len(comments) == 0 {
				continue
			}
			if _, err := p.sess.Return(w.rec.ID, comments); err != nil {
				p.line(p.errText(err))
				continue
			}
			p.say("review.returned", c(w.c.Row.Name), len(comments))
			return nil
		default:
			// "R3 text": a comment on a question.
			id, text, _ := strings.Cut(l, " ")
			id = strings.ToUpper(id)
			f, ferr := p.o.Forms.Form(w.rec.FormID, w.rec.FormVersion) // the record's own form
			if ferr != nil || f.Question(id) == nil || strings.TrimSpace(text) == "" {
				p.say("review.what")
				continue
			}
			comments = append(comments, localstore.Comment{Question: id, Text: c(strings.TrimSpace(text))})
			p.say("review.commented", id)
		}
	}
}
