package office

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"time"
)

// JournalFile is the office's audit log in the server's data folder: one JSON line per
// action (who, when, what, from where), appended and synced before the action is
// answered. The office's own decisions — a town's approval, a case marked as sent for
// cancellation — are read back from it at start: the log is their only copy, so what
// the district decided and the record of who decided it cannot disagree.
const JournalFile = "office-audit.jsonl"

// Entry is one line of the audit log.
type Entry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   Role      `json:"role,omitempty"`
	From   string    `json:"from"` // the client's address
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"` // a record id, a report, a user
	Detail string    `json:"detail,omitempty"`
}

// Actions that are decisions, replayed at start.
const (
	actApprove    = "approve"     // Target record id, Detail the audit head approved
	actCancelSent = "cancel-sent" // Target record id
)

// approval is a town's (or the district's) approval of one record as it stood.
type approval struct {
	By, Head string
	At       time.Time
}

type journal struct {
	log *slog.Logger

	mu        gosync.Mutex
	f         *os.File
	approvals map[string]approval  // record id → the last approval
	sent      map[string]time.Time // record id → marked as sent for cancellation
}

func openJournal(dir string, log *slog.Logger) (*journal, error) {
	path := filepath.Join(dir, JournalFile)
	j := &journal{log: log, approvals: map[string]approval{}, sent: map[string]time.Time{}}
	if rf, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(rf)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e Entry
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue // a line cut by a crash mid-write: the action was never answered
			}
			j.apply(e)
		}
		rf.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("office audit log: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("office audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("office audit log: %w", err)
	}
	j.f = f
	return j, nil
}

func (j *journal) apply(e Entry) {
	switch e.Action {
	case actApprove:
		j.approvals[e.Target] = approval{By: e.User, Head: e.Detail, At: e.At}
	case actCancelSent:
		j.sent[e.Target] = e.At
	}
}

// write appends an entry durably, then applies it.
func (j *journal) write(e Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("office audit log: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("office audit log: %w", err)
	}
	j.apply(e)
	j.log.Info("office", "user", e.User, "from", e.From, "action", e.Action, "target", e.Target, "detail", e.Detail)
	return nil
}

func (j *journal) approvalOf(id string) (approval, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	a, ok := j.approvals[id]
	return a, ok
}

func (j *journal) sentAt(id string) (time.Time, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	t, ok := j.sent[id]
	return t, ok
}

func (j *journal) close() error { return j.f.Close() }
