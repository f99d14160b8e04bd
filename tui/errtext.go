package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/doorstep-survey/doorstep/localstore"
)

// knownErrors are the failures of the store a person may meet, each said in both
// languages by its kind (errors.Is), never by reading its English message: one table.
var knownErrors = []struct {
	err error
	key string
}{
	{localstore.ErrDiskFull, "diskfull"},
	{localstore.ErrRecordLocked, "isLocked"},
	{localstore.ErrConflict, "err.conflict"},
	{localstore.ErrReasonRequired, "err.reason"},
	{localstore.ErrNotAllowed, "err.notallowed"},
	{localstore.ErrNotReady, "err.notready"},
	{localstore.ErrNotFound, "err.notfound"},
	{localstore.ErrTooLarge, "err.toolarge"},
	{localstore.ErrCorrupt, "err.corrupt"},
	{localstore.ErrAlreadyOpen, "err.alreadyopen"},
	{localstore.ErrNewerSchema, "err.newer"},
	{localstore.ErrWrongPassphrase, "wrongpass"},
	{localstore.ErrTooManyTries, "toomany"},
	{localstore.ErrUserExists, "err.userexists"},
	{localstore.ErrNoCards, "err.nocards"},
}

// errReason is what went wrong, in both languages: a known kind's sentence, a sync
// failure's own words, else a sentence asking for help with the technical detail after
// it (the only English a Chinese screen may show, marked as such).
func errReason(err error) [2]string {
	for _, k := range knownErrors {
		if errors.Is(err, k.err) {
			return both(k.key)
		}
	}
	var sp Speaker
	if errors.As(err, &sp) {
		return [2]string{clean(sp.Message("zh")), clean(sp.Message("en"))}
	}
	detail := clean(err.Error())
	return [2]string{tr("zh", "err.unknown") + detail, tr("en", "err.unknown") + detail}
}

// errText is why something was not saved: whole sentences for a full disk and a locked
// record, which say so themselves.
func errText(err error) [2]string {
	if errors.Is(err, localstore.ErrDiskFull) || errors.Is(err, localstore.ErrRecordLocked) {
		return errReason(err)
	}
	r := errReason(err)
	return [2]string{tr("zh", "notsaved") + r[0], tr("en", "notsaved") + r[1]}
}

// loadErrText is why something could not be read.
func loadErrText(err error) [2]string {
	r := errReason(err)
	return [2]string{tr("zh", "err") + r[0], tr("en", "err") + r[1]}
}

// Refusal is a record the server refused or held, by the server's reason code
// (protocol.Reason*): the sync client fills it, the screens and the command line say it.
type Refusal struct {
	RecordID string
	Code     string
	Args     []string // the particulars the code's sentence names, in order
	Server   string   // the server's own words: said only for a code this laptop does not know
	Held     bool     // sent again next round, not moved aside
	Review   bool     // stored, and kept for the district's review: not refused
}

// Text is the refusal in lang: the record, then why — this laptop's sentence for the
// code, else the server's words marked as such. Everything from the server is cleaned.
func (r Refusal) Text(lang string) string {
	head := "refusal.refused"
	switch {
	case r.Review:
		head = "refusal.review"
	case r.Held:
		head = "refusal.held"
	}
	return fmt.Sprintf(tr(lang, head), clean(r.RecordID)) + reasonText(lang, r.Code, r.Args, r.Server)
}

// reasonText says a reason code in lang with its particulars; an unknown code, or one
// that came without the particulars its sentence names, is said in the server's words.
func reasonText(lang, code string, args []string, server string) string {
	t, ok := text["reason."+code]
	if !ok || code == "" || len(args) < argsNamed(t[0]) {
		if server == "" {
			server = code
		}
		return tr(lang, "refusal.unknown") + clean(server)
	}
	named := make([]any, argsNamed(t[0]))
	for i := range named {
		named[i] = clean(args[i])
	}
	return fmt.Sprintf(t[langIndex(lang)], named...)
}

// argsNamed is how many particulars a sentence names (%[1]s … %[n]s).
func argsNamed(format string) int {
	n := 0
	for i := 1; strings.Contains(format, fmt.Sprintf("%%[%d]s", i)); i++ {
		n = i
	}
	return n
}
