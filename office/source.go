package office

import (
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// Source is what the console needs of the server's storage, whichever backend holds it.
// One adapter per server store implements it (SyncSource for today's).
type Source interface {
	// Changes returns up to limit of what the server stored after cursor, in its log
	// order: roster rows imported or changed, and record revisions. Epoch names the
	// database: when it changes, every cursor before it is void.
	Changes(cursor uint64, limit int) (Changes, error)
	// Revision reads a record's latest revision in full.
	Revision(ref RecordRef) (localstore.Revision, error)
	// PutOffice stores an office decision (a town's return) as the record's next
	// revision, authored by the office user code, for the laptops to pull.
	PutOffice(officeUser string, rev localstore.Revision, c dsync.Case) error
	// ImportRoster keeps the district's roster and hands its changes to the laptops.
	ImportRoster(rows []roster.Row) error
	// AddEnrolment makes a one-time enrolment code for a laptop user.
	AddEnrolment(u dsync.User) (string, error)
	// Revoke revokes every device token of a laptop user.
	Revoke(user string) (int, error)
}

// Changes are a page of the server's log.
type Changes struct {
	Epoch  string
	Cursor uint64 // pass it back for the next page
	More   bool
	Items  []Change
}

// Change is one entry of the log: a roster row or a record revision.
type Change struct {
	Seq      uint64
	Roster   *roster.Row
	Revision *localstore.Revision
}

// RecordRef names a record's latest revision the ways a backend may look it up: by id,
// by its person (subject), or by where Changes listed it.
type RecordRef struct {
	ID, Subject string
	Seq         uint64
}
