// Package speech reads text aloud offline, for the read-back to a respondent who cannot
// read the screen: espeak-ng on Linux (its cmn-latn-pinyin voice for Chinese), the
// system's zh-CN SAPI voice through PowerShell on Windows. Long numbers (certificate, ID
// and phone numbers) are spaced so that they are read digit by digit, as people check
// them.
//
// Speaking is a child process that the caller's context stops: a screen starts it from a
// command and cancels it when it moves on, so nothing waits for a voice. It never
// touches a screen or the store, and a missing voice is an error that says how to
// install one, not a failure of anything else.
package speech

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync/atomic"
	"unicode"
)

// MissingError is speech not installed on this computer: what to install, in Chinese
// and English. First is set the first time a Voice reports it, so that the install hint
// is shown once and later attempts say less.
type MissingError struct {
	Install [2]string
	First   bool
}

func (e *MissingError) Error() string { return "speech is not installed: " + e.Install[1] }

// ErrMissing matches a *MissingError with errors.Is.
var ErrMissing = errors.New("speech is not installed")

// ErrNoSound is a voice that spoke to no sound device (none, or ALSA cannot open it):
// espeak-ng says so on its error output and still exits 0.
var ErrNoSound = errors.New("no sound device to speak on")

// Is makes errors.Is(err, ErrMissing) true for a *MissingError.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }

// Voice is the system's speech, found once.
type Voice struct {
	engine engine
	said   atomic.Bool // the install hint was given
}

// engine is one way of speaking: the command for text in a language, and where the text
// goes (an argument, or standard input).
type engine interface {
	// command is the process that speaks text in lang ("zh" or "en"), or writes it to
	// the WAV file wav when wav is not "".
	command(ctx context.Context, text, lang, wav string) (*exec.Cmd, error)
	install() [2]string
}

// New finds the system's speech. A Voice is returned even when nothing is installed:
// Speak then says how to install it.
func New() *Voice { return &Voice{engine: systemEngine()} }

// Speak reads text aloud in lang ("zh" or "en") and returns when it is done, or at once
// when ctx is cancelled (the voice stops mid-word). A cancelled context is not an error.
func (v *Voice) Speak(ctx context.Context, text, lang string) error {
	return v.run(ctx, text, lang, "")
}

// WriteWAV synthesises text into a WAV file instead of the speakers (espeak-ng only).
func (v *Voice) WriteWAV(ctx context.Context, text, lang, path string) error {
	return v.run(ctx, text, lang, path)
}

func (v *Voice) run(ctx context.Context, text, lang, wav string) error {
	cmd, err := v.engine.command(ctx, Prepare(text), lang, wav)
	if err != nil {
		return v.missing(err)
	}
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return nil
	case err == nil && wav == "" && noSound(string(out)):
		return ErrNoSound
	case err != nil && errors.Is(err, exec.ErrNotFound):
		return v.missing(err)
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == exitNoVoice {
			return v.missing(err)
		}
		return fmt.Errorf("speak: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// noSound recognises the sound system's complaint that there is no device to play on.
func noSound(out string) bool {
	return strings.Contains(out, "Unknown PCM") || strings.Contains(out, "cannot find card") ||
		strings.Contains(out, "audio_open") || strings.Contains(out, "Failed to open audio")
}

// exitNoVoice is the exit code of the Windows script when no zh-CN voice is installed.
const exitNoVoice = 3

func (v *Voice) missing(error) error {
	return &MissingError{Install: v.engine.install(), First: !v.said.Swap(true)}
}

// Prepare makes text ready for a voice: runs of five or more digits (certificate, ID and
// phone numbers) are spaced so they are read one digit at a time, and the check letter X
// of an ID number too. Shorter numbers (ages, years, counts) are left to be read as
// numbers.
func Prepare(text string) string {
	var b strings.Builder
	runes := []rune(text)
	for i := 0; i < len(runes); {
		j := i
		for j < len(runes) && (unicode.IsDigit(runes[j]) || j > i && (runes[j] == 'X' || runes[j] == 'x') && j-i >= 5) {
			j++
		}
		if j-i >= 5 {
			for k := i; k < j; k++ {
				if k > i {
					b.WriteByte(' ')
				}
				b.WriteRune(runes[k])
			}
			i = j
			continue
		}
		if j == i {
			j++
		}
		b.WriteString(string(runes[i:j]))
		i = j
	}
	return b.String()
}
