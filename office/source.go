package office

import (
	"io"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Source is what the console needs of the server's storage, whichever backend holds it.
// StoreSource implements it for every store.Store.
type Source interface {
	// Changes returns up to limit of what the server stored after cursor, in its log
	// order: roster rows imported or changed, record revisions, withdrawals. Epoch
	// names the database: when it changes, every cursor before it is void.
	Changes(cursor uint64, limit int) (Changes, error)
	// Revision reads a record's latest revision in full.
	Revision(ref RecordRef) (record.Revision, error)
	// PutOffice stores an office decision (a town's return) as the record's next
	// revision, authored by the office user code, for the laptops to pull.
	PutOffice(officeUser string, rev record.Revision, c protocol.Case) error
	// ImportRoster keeps the district's roster and hands its changes to the laptops.
	ImportRoster(rows []roster.Row, by, file string) (store.RosterImport, error)
	// AddEnrolment makes a one-time enrolment code for a laptop user.
	AddEnrolment(u protocol.User) (string, error)
	// Revoke revokes every device token of a laptop user.
	Revoke(user string) (int, error)
	// Users lists the enrolled laptop users and their devices.
	Users() ([]store.UserRow, error)
	// Duplicates lists the duplicate interviews, resolved ones too.
	Duplicates() ([]store.DuplicateGroup, error)
	// ResolveDuplicate says which record of a duplicate interview stands.
	ResolveDuplicate(r store.Resolution) error
	// Held is a page of the records held for the district's review (persons its
	// roster does not know), as store.Store.Review gives it.
	Held(f store.ReviewFilter) (store.ReviewPage, error)
	// DecideHeld accepts a held record into a village or refuses it.
	DecideHeld(d store.ReviewDecision) error
	// Photo opens a photo by its SHA-256.
	Photo(hash string) (io.ReadCloser, error)
}

// Changes are a page of the server's log.
type Changes struct {
	Epoch  string
	Cursor uint64 // pass it back for the next page
	More   bool
	Items  []Change
}

// Change is one entry of the log: a roster row, a record revision or a withdrawal.
type Change struct {
	Seq       uint64 // where the log has it, when the backend says (else 0)
	Roster    *roster.Row
	Revision  *record.Revision
	Withdrawn *protocol.Withdrawal
}

// RecordRef names a record's latest revision the ways a backend may look it up: by id,
// by its person (subject), or by where Changes listed it.
type RecordRef struct {
	ID, Subject string
	Seq         uint64
}
