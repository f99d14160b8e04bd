package tui

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Syncer runs one round of sync with the district: push what is queued, pull
// assignments and decisions. The sync client implements it; the screens only show what
// it did.
type Syncer interface {
	Round(ctx context.Context) (SyncResult, error)
}

// SyncResult is what one round did.
type SyncResult struct {
	Pushed, Duplicates, Rejected, Pulled, Queued int
	// Rejections are the server's reasons for the records it refused, in words.
	Rejections []string
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
}

// SyncLoop runs rounds in the background until ctx ends: every `every` while they
// succeed, sooner when now asks for one, and after a failure again with a backoff that
// doubles from 30 s up to `every`, with jitter so that a team's laptops coming back
// into signal together do not knock on the server at the same second. Each round has
// its own deadline. It tells the program what happens with send (program.Send), so
// nothing of sync ever runs in the update loop, and typing is never held up by it.
func SyncLoop(ctx context.Context, s Syncer, every time.Duration, now <-chan struct{}, send func(tea.Msg)) {
	if every <= 0 {
		every = 5 * time.Minute
	}
	wait := 5 * time.Second // the first round soon after start
	backoff := 30 * time.Second
	timer := time.NewTimer(wait)
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
		if err == nil {
			backoff = 30 * time.Second
			wait = every
		} else {
			wait = min(backoff, every)
			wait += time.Duration(rand.Int64N(int64(wait) / 4)) // up to a quarter more
			backoff = min(2*backoff, every)
		}
		timer.Reset(wait)
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
