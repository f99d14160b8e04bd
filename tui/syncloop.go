package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
)

// Syncer runs one round of sync with the district: push what is queued, pull
// assignments and decisions. The sync client implements it; the screens only show what
// it did.
type Syncer interface {
	Round(ctx context.Context) (SyncResult, error)
	// Next says how long to wait after a round that ended with err (nil: it went
	// through), or that sync waits for a person to ask for a round (stop: a security
	// failure). The sync package's one retry policy decides; the loop only follows it.
	Next(err error) (wait time.Duration, stop bool)
}

// SyncResult is what one round did.
type SyncResult struct {
	Pushed, Duplicates, Rejected, Pulled, Queued int
	// Refused are the records the server refused or held, by reason code.
	Refused []Refusal
	// Rejections are the round's other notes, in both languages (records pulled and
	// not kept, withdrawals, forms refused).
	Rejections []string
	// Forms, when not nil, are the program's forms from this round on: the district
	// sent forms, or named others for new records, and the program loaded its forms
	// again. The screens swap to them at once; a record already started keeps its own
	// form and version, which Forms.Forms still holds.
	Forms *FormSet
}

// FormSet is the forms a running program has: every one, by id and version (each
// record is read with its own), and the two new records are started with. It is made
// whole outside the model and never changed after it is sent.
type FormSet struct {
	Forms                     *forms.Registry
	PersonForm, CommunityForm *forms.Form
}

// Speaker is an error that can say what went wrong in the screen's language
// ("证书不受信任", "服务器拒绝了记录 …"). Errors without it are shown as they are.
type Speaker interface {
	Message(lang string) string
}

// SyncConfigMsg says whether the unlocked user's laptop is enrolled, and with which
// server ("" when it is not): the program sends it after SessionChanged.
type SyncConfigMsg struct{ Server string }

// syncStartedMsg and syncDoneMsg come from the sync loop, outside the model.
type syncStartedMsg struct{}

type syncDoneMsg struct {
	at     time.Time
	result SyncResult
	err    error
}

// syncState is what the status bar and the sync screen know of sync.
type syncState struct {
	running bool
	last    *syncDoneMsg
	lastOK  time.Time
	// newForms names the forms for new records that the last round brought
	// ("person-2022"), for the status bar and the sync screen; empty when it brought none.
	newForms []string
}

// SyncLoop runs rounds in the background until ctx ends: the first soon after start,
// one at once when now asks, and the next after the wait the Syncer's policy gives —
// none when it says stop, until a person asks. Each round has `every` as its deadline.
// It tells the program what happens with send (program.Send), so nothing of sync ever
// runs in the update loop, and typing is never held up by it.
func SyncLoop(ctx context.Context, s Syncer, every time.Duration, now <-chan struct{}, send func(tea.Msg)) {
	if every <= 0 {
		every = 5 * time.Minute
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-now:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		send(syncStartedMsg{})
		rctx, cancel := context.WithTimeout(ctx, every)
		res, err := s.Round(rctx)
		cancel()
		if ctx.Err() != nil {
			return // shutting down: a cancelled round is not a failure to show
		}
		send(syncDoneMsg{at: time.Now(), result: res, err: err})
		if wait, stop := s.Next(err); !stop {
			timer.Reset(wait)
		}
	}
}

// syncErrText is a sync failure in the screen's language.
func syncErrText(err error, lang string) string {
	var sp Speaker
	if errors.As(err, &sp) {
		return clean(sp.Message(lang))
	}
	return clean(err.Error())
}
