// Package plainmode is Doorstep for screen readers and braille displays: the same flows as
// the screens (unlock, the day's cases, the interview with its read-back, signatures and
// photo, the community form, a draft's move to next year's form, the team leader's
// review) as plain lines — a prompt is one line that says where you are, an answer is a
// line typed and enter, an error is a new line. Nothing is redrawn, nothing moves by
// itself: no alternate screen, no cursor movement, no box or braille characters, no
// spinner and no clock. Because it reads lines from an io.Reader and writes to an
// io.Writer it also works through a pipe, which is how it is tested.
//
// It runs over the same form engine (forms) and store (localstore) as the screens, and
// takes the interview's steps from interview: it must never decide a survey rule of its
// own, never import tui, and never write an escape sequence. Text from outside (roster
// names, answers, form files) passes through cleantext before it is written.
package plainmode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// Options is what plain mode runs on.
type Options struct {
	DB         *localstore.DB
	PersonForm *forms.Form
	// CommunityForm is the form filled once per village (社区登记表) that new ones start
	// with; nil offers none.
	CommunityForm *forms.Form
	// Forms has every form the program knows: a record is read with its own.
	Forms *forms.Registry
	Lang  string // "zh" or "en"
	In    io.Reader
	Out   io.Writer
	// ReadSecret reads a passphrase without echoing it, when the input is a terminal;
	// nil reads it as a line (a pipe).
	ReadSecret func() (string, error)
	Now        func() time.Time
}

// errEnd is the input ending (end of file, or the context cancelled): plain mode stops
// where it is, having saved everything already.
var errEnd = errors.New("end of input")

// plain is one run: where it reads and writes, the language, and who unlocked.
type plain struct {
	o Options
	// A line is read when asked for (reqs) and comes back on lines: nothing reads
	// ahead, so that a passphrase read without echo (ReadSecret) is not taken as a line.
	reqs  chan struct{}
	lines chan string
	eof   bool
	ctx   context.Context
	lang  string
	sess  *localstore.Session
	// find is the case search, with what it worked out before.
	find *finder
	// moveAsked are the records offered the move to the new form since the case or
	// village was opened: asked once each time, as the screens do.
	moveAsked map[string]bool
}

// Run reads lines until the input ends or the user quits. Everything typed is saved as
// it is answered, so an input that ends anywhere loses nothing.
func Run(ctx context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	p := &plain{o: o, ctx: ctx, lang: o.Lang, reqs: make(chan struct{}), lines: make(chan string), find: newFinder(), moveAsked: map[string]bool{}}
	if p.lang != "en" {
		p.lang = "zh"
	}
	// Lines are read in a goroutine so that a cancelled context stops a wait for input.
	go func() {
		sc := bufio.NewScanner(o.In)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for range p.reqs {
			if !sc.Scan() {
				close(p.lines)
				return
			}
			select {
			case p.lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	defer close(p.reqs)
	err := p.run()
	if errors.Is(err, errEnd) {
		p.say("bye")
		return nil
	}
	return err
}

func (p *plain) run() error {
	p.say("welcome")
	has, err := p.o.DB.HasUsers()
	if err != nil {
		return err
	}
	if !has {
		p.say("nousers")
		return nil
	}
	if err := p.unlock(); err != nil {
		return err
	}
	if p.sess.User().Role == localstore.RoleLeader {
		return p.leaderHome()
	}
	return p.cases()
}

// t is a text in the current language; with args, formatted.
func (p *plain) t(key string, args ...any) string {
	s := text[key][langIndex(p.lang)]
	if s == "" {
		s = text[key][0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// say writes one line of the text table.
func (p *plain) say(key string, args ...any) { p.line(p.t(key, args...)) }

// line writes s, each of its lines cleaned: nothing from outside may carry a control
// character.
func (p *plain) line(s string) {
	for l := range strings.SplitSeq(s, "\n") {
		fmt.Fprintln(p.o.Out, cleantext.Line(l))
	}
}

// pair is a text of the table as a forms.Text.
func pair(t [2]string) forms.Text { return forms.Text{ZH: t[0], EN: t[1]} }

// c cleans text from outside for a line.
func c(s string) string { return cleantext.Line(s) }

// read is the next line typed, trimmed.
func (p *plain) read() (string, error) {
	if p.eof {
		return "", errEnd
	}
	select {
	case p.reqs <- struct{}{}:
	case <-p.ctx.Done():
		return "", errEnd
	}
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.eof = true
			return "", errEnd
		}
		return strings.TrimSpace(strings.TrimSuffix(l, "\r")), nil
	case <-p.ctx.Done():
		return "", errEnd
	}
}

// ask writes the prompt and returns the answer line. The commands every prompt knows are
// handled here: ? reads the help, r repeats the prompt, lang zh|en switches language
// (and repeats the prompt in it). prompt and help are functions so that they speak the
// language in force.
func (p *plain) ask(prompt func() string, help func() string) (string, error) {
	return p.askAgain(prompt, help, true)
}

// askAgain is ask that says the prompt only when say is set: after an error the next
// line is the answer to the same prompt, which r repeats.
func (p *plain) askAgain(prompt func() string, help func() string, say bool) (string, error) {
	if say {
		p.line(prompt())
	}
	for {
		l, err := p.read()
		if err != nil {
			return "", err
		}
		switch lower := strings.ToLower(l); {
		case l == "?" || l == "？":
			if help != nil {
				p.line(help())
			}
			p.say("commands")
		case lower == "r":
			p.line(prompt())
		case lower == "lang en" || lower == "lang zh":
			p.lang = lower[5:]
			p.line(prompt())
		default:
			return l, nil
		}
	}
}

// askSecret asks for a passphrase: without echo at a terminal, as a line through a pipe.
func (p *plain) askSecret(prompt string) (string, error) {
	p.line(prompt)
	if p.o.ReadSecret != nil {
		s, err := p.o.ReadSecret()
		if err != nil {
			return "", errEnd
		}
		return s, nil
	}
	return p.read()
}

func (p *plain) unlock() error {
	for {
		code, err := p.ask(func() string { return p.t("usercode") }, func() string { return p.t("help.unlock") })
		if err != nil {
			return err
		}
		if code == "" {
			continue
		}
		pass, err := p.askSecret(p.t("passphrase"))
		if err != nil {
			return err
		}
		sess, err := p.o.DB.Unlock(strings.ToUpper(code), pass)
		if err != nil {
			p.line(p.errText(err))
			continue
		}
		p.sess = sess
		u := sess.User()
		p.say("unlocked", c(u.Name), p.roleName(u.Role))
		return nil
	}
}

func (p *plain) roleName(r localstore.Role) string {
	if r == localstore.RoleLeader {
		return p.t("role.leader")
	}
	return p.t("role.enumerator")
}

// errText is an error as a line in the current language.
func (p *plain) errText(err error) string {
	switch {
	case errors.Is(err, localstore.ErrWrongPassphrase):
		return p.t("wrongpass")
	case errors.Is(err, localstore.ErrDiskFull):
		return p.t("diskfull")
	case errors.Is(err, localstore.ErrRecordLocked):
		return p.t("locked")
	}
	return p.t("error") + c(err.Error())
}
