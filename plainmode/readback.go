package plainmode

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/photo"
	"github.com/doorstep-survey/doorstep/survey"
)

// readBack reads the answers back section by section; the respondent agrees to each, or
// a sentence's question is corrected and the section read again. Then the signatures.
func (p *plain) readBack(caseID string) error {
	for {
		iv, err := steps.Open(p.sess, p.o.Forms, p.o.PersonForm, caseID)
		if err != nil {
			p.line(p.errText(err))
			return nil
		}
		f := iv.Form // the record's own form: a draft not moved keeps last year's
		if !f.Evaluate(iv.Answers, iv.Ctx).Complete {
			return p.form(target{caseID: caseID}, "")
		}
		secs := f.ReadBack(iv.Answers, iv.Ctx, p.lang)
		at := -1
		for i, s := range secs {
			if !slices.Contains(iv.Rec.Confirmed, s.ID) {
				at = i
				break
			}
		}
		if at < 0 {
			if _, err := p.sess.MarkReadBack(iv.Rec.ID); err != nil {
				p.line(p.errText(err))
				return nil
			}
			p.say("rb.done")
			return p.sign(caseID)
		}
		sec := secs[at]
		read := func() string {
			secs := f.ReadBack(iv.Answers, iv.Ctx, p.lang) // in the language in force
			s := secs[at]
			lines := []string{p.t("rb.section", at+1, len(secs), c(s.Title))}
			for i, l := range s.Lines {
				lines = append(lines, fmt.Sprintf("%d. %s", i+1, c(l.Text)))
			}
			return strings.Join(append(lines, p.t("rb.prompt")), "\n")
		}
		l, err := p.ask(read, func() string { return p.t("help.readback") })
		if err != nil {
			return err
		}
		switch n, nerr := strconv.Atoi(l); {
		case isYes(l):
			if _, err := p.sess.ConfirmSection(iv.Rec.ID, sec.ID); err != nil {
				p.line(p.errText(err))
			}
		case strings.EqualFold(l, "q") || l == "暂停":
			p.say("paused")
			return nil
		case nerr == nil && n >= 1 && n <= len(sec.Lines):
			if err := p.form(target{caseID: caseID}, sec.Lines[n-1].Question); err != nil {
				return err
			}
		default:
			p.say("rb.what")
		}
	}
}

// sign takes the respondent's or a proxy's signature (name, and a proxy's relation: shown
// as 王芳(代)) and the enumerator's, who signs by typing the passphrase again.
func (p *plain) sign(caseID string) error {
	iv, err := steps.Open(p.sess, p.o.Forms, p.o.PersonForm, caseID)
	if err != nil {
		p.line(p.errText(err))
		return nil
	}
	who, err := p.choose(p.t("sign.who"), []survey.Code{{Code: 1, Label: pair(text["sign.self"])}, {Code: 2, Label: pair(text["sign.proxy"])}}, "help.sign")
	if err != nil || who == 0 {
		return err
	}
	sig := localstore.Signature{Role: localstore.SignerRespondent}
	if who == 1 {
		name, err := p.ask(func() string { return p.t("sign.name", c(iv.Name)) }, nil)
		if err != nil {
			return err
		}
		if name == "" {
			name = iv.Name
		}
		sig.Name = c(name)
	} else {
		sig.Role = localstore.SignerProxy
		for sig.Name == "" {
			name, err := p.ask(func() string { return p.t("sign.proxyname") }, nil)
			if err != nil {
				return err
			}
			sig.Name = c(name)
		}
		for sig.Relation == "" {
			rel, err := p.ask(func() string { return p.t("sign.relation") }, nil)
			if err != nil {
				return err
			}
			sig.Relation = c(rel)
		}
		p.say("sign.shownas", sig.DisplayName())
	}
	user := p.sess.User()
	for {
		pass, err := p.askSecret(p.t("sign.enumerator", c(user.Name)))
		if err != nil {
			return err
		}
		if pass == "" {
			p.say("paused")
			return nil
		}
		if _, err := p.o.DB.Unlock(user.Code, pass); err != nil {
			if errors.Is(err, localstore.ErrWrongPassphrase) {
				p.say("wrongpassonly")
				continue
			}
			p.line(p.errText(err))
			return nil
		}
		break
	}
	if _, err := p.sess.Sign(iv.Rec.ID, sig); err != nil {
		p.line(p.errText(err))
		return nil
	}
	if _, err := p.sess.Sign(iv.Rec.ID, localstore.Signature{Role: localstore.SignerEnumerator, Name: user.Name}); err != nil {
		p.line(p.errText(err))
		return nil
	}
	p.say("signed", sig.DisplayName(), c(user.Name))
	return p.photo(caseID)
}

// photo attaches the photo of the visit from a path typed, then completes the case. A
// home visit without a photo asks once more.
func (p *plain) photo(caseID string) error {
	iv, err := steps.Open(p.sess, p.o.Forms, p.o.PersonForm, caseID)
	if err != nil {
		p.line(p.errText(err))
		return nil
	}
	rec := iv.Rec
	warned := false
	for {
		l, err := p.ask(func() string { return p.t("photo.prompt", len(rec.Photos)) }, func() string { return p.t("help.photo") })
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(l, "q") || l == "暂停":
			p.say("paused")
			return nil
		case l == "" || isYes(l):
			if len(rec.Photos) == 0 && rec.Method == survey.HomeVisit && !warned {
				warned = true
				p.say("photo.none")
				continue
			}
			done, err := p.sess.Complete(rec.ID)
			if err != nil {
				p.line(p.errText(err))
				return nil
			}
			n, _ := p.o.DB.OutboxLen()
			sig, _ := done.RespondentSignature()
			p.say("completed", c(iv.Name), sig.DisplayName(), len(done.Photos), n)
			return nil
		}
		path := strings.Trim(l, `"'`)
		fh, err := os.Open(path)
		if err != nil {
			p.say("photo.open", c(path))
			continue
		}
		prep, err := photo.Prepare(fh)
		fh.Close()
		if err != nil {
			switch {
			case errors.Is(err, photo.ErrNotPhoto):
				p.say("photo.notphoto")
			case errors.Is(err, photo.ErrTooLarge):
				p.say("photo.large")
			default:
				p.line(p.errText(err))
			}
			continue
		}
		if rec, err = p.sess.AddPhoto(rec.ID, prep.Data, prep.Type); err != nil {
			p.line(p.errText(err))
			continue
		}
		p.say("photo.added", prep.SourceWidth, prep.SourceHeight, prep.Width, prep.Height, (len(prep.Data)+512)/1024)
	}
}
