package plainmode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
)

// community is the community form (社区登记表), one per village of the user's: the
// villages are read out numbered with the status of their form, and one is opened (started
// or continued) by its number. It returns when the user goes back.
func (p *plain) community() error {
	if p.o.CommunityForm == nil {
		p.say("village.noform")
		return nil
	}
	for {
		list, err := p.villageForms()
		if err != nil {
			return err
		}
		if len(list) == 0 {
			p.say("village.none")
			return nil
		}
		l, err := p.ask(func() string {
			lines := []string{p.t("village.list", c(p.o.CommunityForm.Title.In(p.lang)), len(list))}
			for i, v := range list {
				lines = append(lines, fmt.Sprintf("%d %s", i+1, p.t("village.line", c(v.Village), p.statusName(v.Status))))
			}
			return strings.Join(append(lines, p.t("village.pick")), "\n")
		}, func() string { return p.t("help.village") })
		if err != nil {
			return err
		}
		if l == "" || strings.EqualFold(l, "q") {
			return nil
		}
		n, nerr := strconv.Atoi(width.Narrow.String(l))
		if nerr != nil || n < 1 || n > len(list) {
			p.say("notoption", c(l))
			continue
		}
		if err := p.openVillage(list[n-1].Village); err != nil {
			return err
		}
	}
}

// villageForms are the villages the user fills the community form of, as the leader's
// screen lists them.
func (p *plain) villageForms() ([]steps.VillageForm, error) {
	cases, err := p.sess.Cases(localstore.CaseFilter{})
	if err != nil {
		return nil, err
	}
	recs, err := p.sess.Records()
	if err != nil {
		return nil, err
	}
	return steps.VillageForms(cases, recs, p.o.CommunityForm, p.sess.User().Villages), nil
}

// openVillage opens the village's community form where it was left; a completed one is
// only said.
func (p *plain) openVillage(village string) error {
	p.moveAsked = map[string]bool{}
	r, err := steps.OpenVillage(p.sess, p.o.Forms, p.o.CommunityForm, village)
	if err != nil {
		p.line(p.errText(err))
		return nil
	}
	p.say("village.open", c(r.Form.Title.In(p.lang)), c(village), p.statusName(r.Rec.Status))
	if r.Rec.Status.Locked() {
		p.say("village.locked")
		return nil
	}
	return p.form(target{village: village}, "")
}

// villageEnd is a village's form answered to the end: its answers read out, numbered, a
// number corrects one; then the one who filled it in signs with the passphrase, which
// completes it and queues it for the district. The form has no respondent: nothing is
// agreed section by section, as on the screens.
func (p *plain) villageEnd(village string) error {
	to := target{village: village}
	for {
		r, err := p.openForm(to)
		if err != nil {
			p.line(p.errText(err))
			return nil
		}
		f := r.Form
		if !f.Evaluate(r.Answers, r.Ctx).Complete {
			return p.form(to, "")
		}
		var qs []string // the question of each sentence read
		read := func() string {
			qs = qs[:0]
			lines := []string{p.t("village.readback", c(village))}
			for _, sec := range f.ReadBack(r.Answers, r.Ctx, p.lang) {
				lines = append(lines, p.t("section", c(sec.Title)))
				for _, l := range sec.Lines {
					qs = append(qs, l.Question)
					lines = append(lines, fmt.Sprintf("%d. %s", len(qs), c(l.Text)))
				}
			}
			return strings.Join(append(lines, p.t("village.end")), "\n")
		}
		l, err := p.ask(read, func() string { return p.t("help.villageend") })
		if err != nil {
			return err
		}
		switch n, nerr := strconv.Atoi(width.Narrow.String(l)); {
		case isYes(l):
			return p.signVillage(village, r.Rec.ID)
		case strings.EqualFold(l, "q") || l == "暂停":
			p.say("paused")
			return nil
		case nerr == nil && n >= 1 && n <= len(qs):
			if err := p.form(to, qs[n-1]); err != nil {
				return err
			}
		default:
			p.say("rb.what")
		}
	}
}

// signVillage takes the filler's passphrase: it signs the village's form as theirs and
// completes it; just enter pauses.
func (p *plain) signVillage(village, recordID string) error {
	user := p.sess.User()
	for {
		pass, err := p.askSecret(p.t("village.sign", c(user.Name)))
		if err != nil {
			return err
		}
		if pass == "" {
			p.say("paused")
			return nil
		}
		done, err := steps.FinishVillage(p.o.DB, p.sess, recordID, pass)
		if errors.Is(err, localstore.ErrWrongPassphrase) {
			p.say("wrongpassonly")
			continue
		}
		if err != nil {
			p.line(p.errText(err))
			return nil
		}
		n, _ := p.o.DB.OutboxLen()
		sig, _ := done.SignedBy(localstore.SignerEnumerator)
		p.say("village.done", c(village), c(sig.Name), n)
		return nil
	}
}
