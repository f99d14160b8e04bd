package plainmode

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// maxListed is how many cases a search reads out: more than that is not a list anyone
// listens to; the search is narrowed instead.
const maxListed = 10

// cases is the day's cases: a search by name or number, a case opened by its number in
// the list read out. It returns when the user quits.
func (p *plain) cases() error {
	var listed []localstore.Case
	for {
		all, err := p.myCases()
		if err != nil {
			return err
		}
		todo := 0
		for _, k := range all {
			if !k.Status.Locked() {
				todo++
			}
		}
		l, err := p.ask(func() string { return p.t("cases.prompt", len(all), todo, p.communityHint("cases.community")) }, func() string { return p.t("help.cases") })
		if err != nil {
			return err
		}
		switch strings.ToLower(l) {
		case "q", "退出":
			return errEnd
		case "v", "社区":
			// No pinyin starts with v: it is never the start of a name.
			if p.o.CommunityForm != nil {
				if err := p.community(); err != nil {
					return err
				}
				listed = nil
				continue
			}
		}
		if n, err := strconv.Atoi(l); err == nil && len(l) <= 2 && n >= 1 && n <= len(listed) {
			if err := p.openCase(listed[n-1].ID); err != nil {
				return err
			}
			listed = nil
			continue
		}
		listed = p.find.match(all, l)
		switch len(listed) {
		case 0:
			p.say("cases.none", c(l))
		case 1:
			if err := p.openCase(listed[0].ID); err != nil {
				return err
			}
			listed = nil
		default:
			more := ""
			if len(listed) > maxListed {
				more = p.t("cases.more", len(listed)-maxListed)
				listed = listed[:maxListed]
			}
			p.say("cases.found", len(listed))
			for i, k := range listed {
				p.line(fmt.Sprintf("%d %s", i+1, p.caseLine(k)))
			}
			if more != "" {
				p.line(more)
			}
		}
	}
}

// myCases are the user's villages' cases (all of them when the user has no villages or
// none of theirs is on the roster), in roster order.
func (p *plain) myCases() ([]localstore.Case, error) {
	all, err := p.sess.Cases(localstore.CaseFilter{})
	if err != nil {
		return nil, err
	}
	villages := p.sess.User().Villages
	if len(villages) == 0 {
		return all, nil
	}
	var mine []localstore.Case
	for _, k := range all {
		if slices.Contains(villages, k.Row.Village) {
			mine = append(mine, k)
		}
	}
	if len(mine) == 0 {
		return all, nil
	}
	return mine, nil
}

// finder finds cases as the screens' search does (namesearch): part of the name, its
// pinyin whole or as initials (zhangsan, zs), part of the certificate or ID number. It
// keeps each case's search text while its roster row stays the same, so that a search
// after the first works out no pinyin.
type finder struct {
	sp  namesearch.Speller
	hay map[string]haystack
}

type haystack struct {
	row roster.Row
	hay string
}

func newFinder() *finder { return &finder{sp: namesearch.Speller{}, hay: map[string]haystack{}} }

// match finds the cases of all that q names; an empty query lists the cases not yet
// done, returned ones first.
func (f *finder) match(all []localstore.Case, q string) []localstore.Case {
	q = namesearch.Query(strings.TrimSpace(q))
	var out []localstore.Case
	if q == "" {
		for _, k := range all {
			if k.Status == localstore.StatusReturned {
				out = append(out, k)
			}
		}
		for _, k := range all {
			if !k.Status.Locked() && k.Status != localstore.StatusReturned {
				out = append(out, k)
			}
		}
		return out
	}
	for _, k := range all {
		h, ok := f.hay[k.ID]
		if !ok || h.row != k.Row {
			h.row = k.Row
			h.hay, _ = f.sp.Haystack(c(k.Row.Name), k.Row.CertificateNumber, k.Row.IDNumber)
			f.hay[k.ID] = h
		}
		if namesearch.Match(h.hay, q) {
			out = append(out, k)
		}
	}
	return out
}

// caseLine is a case in one line: name, sex, village, the number's last four digits, status.
func (p *plain) caseLine(k localstore.Case) string {
	num := k.Row.Key()
	if len(num) > 4 {
		num = num[len(num)-4:]
	}
	sex := ""
	switch k.Row.Sex {
	case 1:
		sex = p.t("male") + p.t("comma")
	case 2:
		sex = p.t("female") + p.t("comma")
	}
	status := p.statusName(k.Status)
	if k.Withdrawn != "" {
		// The district withdrew the case's record: said with its reason, whatever the
		// record's status.
		status = p.t("status.withdrawn", c(k.Withdrawn))
	}
	return p.t("case.line", c(k.Row.Name), sex, c(k.Row.Village), num, status)
}

// communityHint is the prompt's words for the community form, when there is one.
func (p *plain) communityHint(key string) string {
	if p.o.CommunityForm == nil {
		return ""
	}
	return p.t(key)
}

func (p *plain) statusName(s localstore.Status) string {
	if s == "" {
		return p.t("status.new")
	}
	return p.t("status." + string(s))
}

// openCase is one case: its collection method and outcome, then the step its record is
// at. It returns to the case list.
func (p *plain) openCase(id string) error {
	p.moveAsked = map[string]bool{}
	k, err := p.sess.Case(id)
	if err != nil {
		p.line(p.errText(err))
		return nil
	}
	p.say("case.open", p.caseLine(k))
	f := p.o.PersonForm
	rec, err := p.sess.RecordFor(id, f.ID, f.Carries.From...) // a draft of last year's form is this case's
	if err != nil && !errors.Is(err, localstore.ErrNotFound) {
		p.line(p.errText(err))
		return nil
	}
	if rec != nil && rec.Status.Locked() {
		p.say("locked")
		return nil
	}
	if rec != nil && rec.Status == localstore.StatusReturned {
		for _, cm := range rec.Comments {
			p.say("comment", c(cm.Question), c(cm.Text))
		}
	}
	if rec == nil || rec.Outcome == 0 || rec.Outcome != localstore.OutcomeInterviewed && !rec.Status.Locked() {
		rec, err = p.start(id, rec)
		if err != nil || rec == nil {
			return err
		}
	}
	return p.continueInterview(id, rec)
}

// continueInterview takes the record from where it is: the form, the signatures or the
// photo.
func (p *plain) continueInterview(caseID string, rec *localstore.Record) error {
	if rec.Outcome != localstore.OutcomeInterviewed || rec.Status.Locked() {
		return nil
	}
	switch rec.Status {
	case localstore.StatusReadBack:
		return p.sign(caseID)
	case localstore.StatusSigned:
		return p.photo(caseID)
	}
	return p.form(target{caseID: caseID}, "")
}

// choose asks for one of the official codes; "" goes back.
func (p *plain) choose(title string, list []survey.Code, helpKey string) (int, error) {
	for {
		l, err := p.ask(func() string {
			opts := make([]string, len(list))
			for i, ch := range list {
				opts[i] = fmt.Sprintf("%d %s", ch.Code, ch.Label.In(p.lang))
			}
			return title + p.t("period") + strings.Join(opts, p.t("comma")) + p.t("period") + p.t("back.hint")
		}, func() string { return p.t(helpKey) })
		if err != nil {
			return 0, err
		}
		if l == "" || strings.EqualFold(l, "q") {
			return 0, nil
		}
		n, _ := strconv.Atoi(width.Narrow.String(l))
		for _, ch := range list {
			if ch.Code == n {
				return n, nil
			}
		}
		p.say("notoption", c(l))
	}
}

// start records how the case is collected and what came of it; an outcome other than an
// interview completes the case, with a note and a confirmation. nil: gone back.
func (p *plain) start(caseID string, rec *localstore.Record) (*localstore.Record, error) {
	method, err := p.choose(p.t("method"), survey.Methods, "help.method")
	if err != nil || method == 0 {
		return nil, err
	}
	outcome, err := p.choose(p.t("outcome"), survey.Outcomes, "help.outcome")
	if err != nil || outcome == 0 {
		return nil, err
	}
	note := ""
	if outcome != localstore.OutcomeInterviewed {
		label := ""
		for _, o := range survey.Outcomes {
			if o.Code == outcome {
				label = o.Label.In(p.lang)
			}
		}
		for note == "" {
			if note, err = p.ask(func() string { return p.t("outcome.note") }, nil); err != nil {
				return nil, err
			}
		}
		yes, err := p.ask(func() string { return p.t("outcome.confirm", label) }, nil)
		if err != nil {
			return nil, err
		}
		if !isYes(yes) {
			p.say("notsaved.back")
			return nil, nil
		}
	}
	f := p.o.PersonForm
	r, err := p.sess.StartRecord(caseID, f.ID, f.Version)
	if err == nil {
		r, err = p.sess.SetCaseHeader(r.ID, method, outcome, note)
	}
	if err == nil && outcome != localstore.OutcomeInterviewed {
		if r, err = p.sess.Complete(r.ID); err == nil {
			n, _ := p.o.DB.OutboxLen()
			p.say("completed.nointerview", n)
			return nil, nil
		}
	}
	if err != nil {
		p.line(p.errText(err))
		return nil, nil
	}
	return r, nil
}

func isYes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "是", "对", "好", "同意":
		return true
	}
	return false
}
