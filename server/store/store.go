package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
)

// Store is the district server's data: users and their devices, the records laptops
// pushed (every revision, exactly once), the district's roster, the log laptops pull
// from, and the district's decisions on duplicate interviews. Photos are not in it:
// they are files (Attachments); a stored record names them by hash.
//
// Every method is safe for concurrent use. Errors: the sentinels below for what a
// caller acts on (ErrBadToken, ErrRevoked, ErrBadCode, ErrNotFound); any other error is
// a fault of the store (disk, database, closed) — the handler answers it with 503 and
// Retry-After, never as the caller's fault.
type Store interface {
	// ID names this server; Epoch names its database: a server restored from a backup
	// or started afresh gets a new epoch, and laptops then pull again from zero.
	ID() string
	Epoch() string

	// AddEnrolment keeps (or updates) the user and makes a one-time enrolment code for
	// one of their laptops, valid for a week.
	AddEnrolment(ctx context.Context, u protocol.User) (code string, err error)
	// Enroll spends a one-time code (case-blind, spaces trimmed) for a device token,
	// keeping with the device the user's public signing key on that laptop (nil: a
	// laptop from before signatures, whose entries are then refused). A wrong, used
	// or expired code is ErrBadCode. Only hashes of codes and tokens are kept.
	Enroll(ctx context.Context, code, device string, key ed25519.PublicKey) (token string, u protocol.User, err error)
	// Authenticate is the user of a device token: ErrBadToken when unknown,
	// ErrRevoked when revoked. Anything else is a fault, not a verdict on the token.
	Authenticate(ctx context.Context, token string) (Caller, error)
	// Revoke revokes every device token of a user and says how many.
	Revoke(ctx context.Context, user string) (int, error)
	// Users lists the enrolled users with their devices, by user code.
	Users(ctx context.Context) ([]UserRow, error)

	// PutBatch judges and stores a batch from one user, in one transaction: Check
	// each arrival first, then Decide each over what is held, in order (an item can
	// be decided against one stored earlier in the same batch). The results answer
	// the items in order. err is a fault: then nothing of the batch was stored.
	PutBatch(ctx context.Context, from Caller, items []Arrival) ([]protocol.PushResult, error)

	// Pull is what the user's laptop gets after cursor, in log order, at most limit
	// entries: revisions of the user's villages that others pushed (an enumerator:
	// only records they started, i.e. their leader's decisions; a leader: the
	// team's), roster cases of their villages imported or changed, and withdrawals
	// of records of their villages. It reads an index of the user's villages, never
	// the whole log. Cursor is the last log position returned; More says call again.
	Pull(ctx context.Context, u protocol.User, cursor uint64, limit int) (protocol.PullResponse, error)

	// ImportRoster keeps the district's roster rows (by roster.Row.Key): a row new or
	// changed goes into the pull log; an unchanged one is left alone. The import
	// itself is kept in the roster log.
	ImportRoster(ctx context.Context, rows []roster.Row, imp RosterImport) (RosterImport, error)
	// RosterLog lists the roster imports, oldest first.
	RosterLog(ctx context.Context) ([]RosterImport, error)

	// Records lists compact rows (no answers, no chain) in server order (ServerID),
	// filtered and paged: pass the returned next as f.After for the next page; next
	// is "" after the last. A filter on village, enumerator or subject reads an index.
	Records(ctx context.Context, f RecordFilter) (rows []RecordRow, next string, err error)
	// Export calls fn once per stored revision in full, in server order, one at a
	// time: memory stays flat however many records the district has. An error from
	// fn stops the export and is returned.
	Export(ctx context.Context, f RecordFilter, fn func(StoredRevision) error) error

	// Duplicates lists the duplicate interviews: persons (subject and form) with more
	// than one record; open ones only unless all.
	Duplicates(ctx context.Context, all bool) ([]DuplicateGroup, error)
	// ResolveDuplicate says which record of a duplicate interview stands; the others
	// are withdrawn with the reason, which goes into the pull log so that the laptops
	// of both enumerators (and their leaders) learn it. ErrNotFound when the record
	// is not part of an open duplicate interview.
	ResolveDuplicate(ctx context.Context, r Resolution) (DuplicateGroup, error)

	// Close releases the store; calls after it return errors (faults).
	Close() error
}

// Attachments are the photos laptops upload, kept as files named by their SHA-256,
// for every backend. An upload resumes from the offset the server holds; a partial
// upload belongs to the owner (a device) that started it.
type Attachments interface {
	// Offset is how many bytes of the attachment the owner has uploaded: its size
	// (and complete) when whole, whoever uploaded it.
	Offset(hash, owner string) (n int64, complete bool, err error)
	// Append adds data at offset to the owner's upload. An offset that is not where the
	// upload stands is ErrOffset (n says where it stands); when the bytes hash to the
	// name, the attachment is complete. An upload past max bytes is ErrTooLarge.
	Append(hash, owner string, offset int64, data []byte, max int64) (n int64, complete bool, err error)
	// Has reports whether the attachment is whole.
	Has(hash string) bool
}

// Errors of a store that callers act on.
var (
	ErrBadCode  = errors.New("the enrolment code is wrong, used or expired")
	ErrBadToken = errors.New("the device token is not known")
	ErrRevoked  = errors.New("the device token was revoked")
	ErrNotFound = errors.New("not found")
	// ErrBusy is a data file (or database) held by a running server.
	ErrBusy = errors.New("the server's data is in use by a running doorstep-server")
	// ErrOffset is an upload resumed at an offset that is not where it stands.
	ErrOffset = errors.New("upload offset does not match")
	// ErrTooLarge is an attachment past its size cap.
	ErrTooLarge = errors.New("attachment too large")
	// ErrMismatch is an upload that reached its largest size without its bytes
	// hashing to its name: dropped, to be sent again.
	ErrMismatch = errors.New("attachment bytes do not match its name")
	// ErrQuota is an owner whose unfinished uploads fill their share of the disk.
	ErrQuota = errors.New("too many unfinished uploads")
)

// Caller is who sent a request: the user of a device token, and that device.
type Caller struct {
	User   protocol.User
	Device string // the name the laptop gave at enrolment
	// Office is the district's own console, in the server's process (never a
	// token): the decisions it appends in its user's name carry no laptop's
	// signature, and are taken as the district's (Held.Office).
	Office bool
}

// UserRow is an enrolled user and their devices.
type UserRow struct {
	protocol.User
	Devices []Device `json:"devices,omitempty"`
}

// Device is one laptop's token as the district sees it (never the token).
type Device struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Revoked bool      `json:"revoked,omitempty"`
}

// RosterImport is one import of the district's roster.
type RosterImport struct {
	At        time.Time `json:"at"`
	By        string    `json:"by,omitempty"`   // who ran it (the office's login), free text
	File      string    `json:"file,omitempty"` // the file's base name
	Rows      int       `json:"rows"`
	New       int       `json:"new"`
	Changed   int       `json:"changed"`
	Unchanged int       `json:"unchanged"`
}

// RecordFilter narrows a listing or an export; its zero value is the latest revision
// of every record.
type RecordFilter struct {
	Village    string `json:"village,omitempty"`
	Enumerator string `json:"enumerator,omitempty"`
	Subject    string `json:"subject,omitempty"`
	Status     string `json:"status,omitempty"`
	// All is every revision, not only each record's latest.
	All bool `json:"all,omitempty"`
	// Standing leaves out records withdrawn as the losing side of a duplicate
	// interview: what counts each person once.
	Standing bool `json:"standing,omitempty"`
	// Duplicates is only records of a duplicate interview (open or resolved).
	Duplicates bool `json:"duplicates,omitempty"`
	// After is the opaque position a previous page returned; Limit caps the page
	// (0: no cap).
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// RecordRow is one stored revision, compact: what a listing shows.
type RecordRow struct {
	RecordID   string    `json:"record_id"`
	Revision   uint64    `json:"revision"`
	Subject    string    `json:"case"` // the certificate number; "" for a village's form
	Name       string    `json:"name,omitempty"`
	Village    string    `json:"village"`
	FormID     string    `json:"form_id"`
	Enumerator string    `json:"enumerator"`
	From       string    `json:"from"`   // the user who pushed this revision
	Device     string    `json:"device"` // and from which laptop
	Status     string    `json:"status"`
	Photos     []string  `json:"photos,omitempty"` // sha256 of each photo it names
	ServerID   string    `json:"server_id"`
	ReceivedAt time.Time `json:"received_at"`
	// Duplicate is set when another record of the same person and form exists.
	Duplicate bool `json:"duplicate,omitempty"`
	// Withdrawn is the district's reason when another record of the person stands.
	Withdrawn string `json:"withdrawn,omitempty"`
}

// StoredRevision is one revision in full, as exported.
type StoredRevision struct {
	Revision record.Revision `json:"revision"`
	Case     protocol.Case   `json:"case"`
	From     string          `json:"from"`
	Device   string          `json:"device,omitempty"`
	Received time.Time       `json:"received"`
	ServerID string          `json:"server_id"`
	Seq      uint64          `json:"seq"`
	// Withdrawn is the district's reason when another record of the person stands.
	Withdrawn string `json:"withdrawn,omitempty"`
}

// DuplicateGroup is one person (subject and form) with more than one record.
type DuplicateGroup struct {
	Subject string      `json:"subject"`
	FormID  string      `json:"form_id"`
	Records []RecordRow `json:"records"` // the latest revision of each
	// Kept is the record the district chose; "" while open.
	Kept       string    `json:"kept,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	ResolvedBy string    `json:"resolved_by,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Resolution is the district's choice in a duplicate interview.
type Resolution struct {
	Keep   string    `json:"keep"`   // the record id that stands
	Reason string    `json:"reason"` // why the others are withdrawn, for both laptops
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// PersonKey is how a duplicate interview is found: the same subject (certificate
// number) with the same form, which names its year (person-2021). A village's form has
// no person and no key.
func PersonKey(subject, formID string) string {
	if subject == "" {
		return ""
	}
	return subject + "\x00" + formID
}
