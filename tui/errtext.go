package tui

import (
	"errors"

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
