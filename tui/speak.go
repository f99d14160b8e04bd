package tui

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/speech"
)

// Voice reads text aloud in "zh" or "en" until done or ctx is cancelled (the speech
// package's Voice). The screens start it from a command, so a voice never holds the
// screen, and stop it when they move on.
type Voice interface {
	Speak(ctx context.Context, text, lang string) error
}

// spokenMsg is the end of an utterance; err says why it could not be spoken.
type spokenMsg struct{ err error }

// errNoSpeech is a program built without speech (Env.Speech nil).
var errNoSpeech = errors.New("no speech")

// talker is a screen's voice: one utterance at a time, the newest cutting off the last.
type talker struct {
	stop     context.CancelFunc
	speaking bool
}

// say speaks text; the result comes back to the screen as a spokenMsg.
func (t *talker) say(c common, text, lang string) tea.Cmd {
	t.quiet()
	sp := c.env.Speech
	if sp == nil {
		return c.do(func() tea.Msg { return spokenMsg{err: errNoSpeech} })
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.stop, t.speaking = cancel, true
	return c.do(func() tea.Msg { return spokenMsg{err: sp.Speak(ctx, text, lang)} })
}

// quiet stops what is being said.
func (t *talker) quiet() {
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
	t.speaking = false
}

// done takes an utterance's end and returns what to show: nothing when it went well, the
// install hint the first time speech is found missing, a short line after that.
func (t *talker) done(msg spokenMsg) [2]string {
	t.speaking = false
	var missing *speech.MissingError
	switch {
	case msg.err == nil:
		return [2]string{}
	case errors.Is(msg.err, errNoSpeech):
		return both("speech.none")
	case errors.Is(msg.err, speech.ErrNoSound):
		return both("speech.nosound")
	case errors.As(msg.err, &missing) && missing.First:
		return missing.Install
	case errors.As(msg.err, &missing):
		return both("speech.missing")
	}
	return errText(msg.err)
}

// sectionSpeech is a section read back as one text to speak: its title, then each
// sentence.
func sectionSpeech(sec forms.ReadBackSection, lang string) string {
	stop := "。"
	if lang == "en" {
		stop = ". "
	}
	parts := []string{clean(sec.Title)}
	for _, l := range sec.Lines {
		parts = append(parts, clean(l.Text))
	}
	return strings.Join(parts, stop)
}
