package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/keycard"
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
	// laptop from before signatures, whose entries are then refused) and the user's
	// key card there (keycard.Card.String; "": none sent), whose fingerprint the
	// district reads aloud to the enumerator. A wrong, used or expired code is
	// ErrBadCode; a card of another user, or not carrying key, is refused (CardFor)
	// and the code is not spent. Only hashes of codes and tokens are kept.
	Enroll(ctx context.Context, code, device string, key ed25519.PublicKey, card string) (token string, u protocol.User, err error)
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

	// Review is a page of the records held for the district's review (ForReview):
	// persons the roster does not know, one row per held revision, by record id and
	// revision (a record's revisions together; a page stays put as the queue grows);
	// open ones only unless f.All. Pass the page's Next as f.After for the next page.
	// Every page carries the whole queue's open records by sender, from the count the
	// backend keeps for the bound (MaxOpenHeld), not by reading the queue.
	Review(ctx context.Context, f ReviewFilter) (ReviewPage, error)
	// DecideReview is the district's decision on a held record (every held revision of
	// it): accepted into a village, the person joins the roster there and the record
	// the pull log; refused, the reason reaches the sending laptop (as a withdrawal)
	// and the record stays out of the log, kept. ErrNotFound when the record is not
	// held open.
	DecideReview(ctx context.Context, d ReviewDecision) ([]ReviewItem, error)

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
	// ErrBadCard is a key card sent at enrolment that is damaged, another user's, or
	// without the laptop's signing key: the code is not spent.
	ErrBadCard = errors.New("the laptop's key card does not match")
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
	// Token is the device token's hash, as the store keeps it (Authenticate sets it):
	// a push notes its time there (Device.LastPush). nil: not a laptop (the office
	// console, a test), and nothing is noted.
	Token []byte
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
	// Card is the user's key card on the laptop, as sent at enrolment ("": none).
	Card string `json:"card,omitempty"`
	// LastPush is when the server last took in a push of the laptop (zero: never).
	LastPush time.Time `json:"last_push,omitzero"`
}

// Fingerprint is the fingerprint of the device's key card, for the district to read
// aloud to the enumerator, who compares it with the one their laptop shows ("": no
// card).
func (d Device) Fingerprint() string {
	c, err := keycard.Parse(d.Card)
	if err != nil {
		return ""
	}
	return c.Fingerprint()
}

// CardFor checks the key card a laptop sends at enrolment against the user the code
// was made for and the signing key it sends: a card of someone else, or with another
// key, would have the district read out a fingerprint that vouches for nothing.
func CardFor(card string, u protocol.User, key ed25519.PublicKey) error {
	if card == "" {
		return nil
	}
	c, err := keycard.Parse(card)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrBadCard, err)
	case c.Code != u.Code || c.Role != u.Role:
		return fmt.Errorf("%w: the card is of %s (%s), the code was made for %s (%s)", ErrBadCard, c.Code, c.Role, u.Code, u.Role)
	case key != nil && !c.Verify.Equal(key):
		return fmt.Errorf("%w: the card does not carry the laptop's signing key", ErrBadCard)
	}
	return nil
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
	// Earlier are the district's choices a new record of the person reopened
	// (Decision.DuplicateOf), oldest first: history, no longer the decision.
	Earlier []DuplicateChoice `json:"earlier,omitempty"`
}

// WithHistory is g as a server kept it before the earlier choices were history (bbolt
// schema 6, PostgreSQL 0010): reopening cleared what it kept but not its reason, which
// is all there is of the choice, and moves to Earlier.
func (g DuplicateGroup) WithHistory() DuplicateGroup {
	if g.Kept == "" && g.Reason != "" {
		g.Earlier = append([]DuplicateChoice{{Reason: g.Reason}}, g.Earlier...)
		g.Reason, g.ResolvedBy, g.ResolvedAt = "", "", time.Time{}
	}
	return g
}

// DuplicateChoice is a choice the district made in a duplicate interview.
type DuplicateChoice struct {
	Kept   string    `json:"kept"`
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Reopen is the group as a new record of the person leaves it: open again, its choice,
// if it had one, moved to Earlier.
func (g DuplicateGroup) Reopen() DuplicateGroup {
	if g.Kept != "" {
		g.Earlier = append(g.Earlier, DuplicateChoice{Kept: g.Kept, Reason: g.Reason, By: g.ResolvedBy, At: g.ResolvedAt})
	}
	g.Kept, g.Reason, g.ResolvedBy, g.ResolvedAt = "", "", "", time.Time{}
	return g
}

// Resolution is the district's choice in a duplicate interview.
type Resolution struct {
	Keep   string    `json:"keep"`   // the record id that stands
	Reason string    `json:"reason"` // why the others are withdrawn, for both laptops
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// ReviewItem is one revision held for the district's review.
type ReviewItem struct {
	RecordRow
	// Reason is why it is held, as the laptop was told.
	Reason string `json:"reason"`
	// Accepted is the village the district filed it under; Refused the district's
	// reason; both "" while open.
	Accepted  string    `json:"accepted,omitempty"`
	Refused   string    `json:"refused,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// ReviewFilter pages the review queue: All is decided revisions too; After is the
// position a previous page returned (Next); Limit caps the page (0 or past
// MaxReviewPage: MaxReviewPage).
type ReviewFilter struct {
	All   bool   `json:"all,omitempty"`
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// MaxReviewPage is the most rows one page of the review queue holds: a listing never
// loads the whole queue, however many persons senders invent.
const MaxReviewPage = 500

// PageLimit is f.Limit within (0, MaxReviewPage].
func (f ReviewFilter) PageLimit() int {
	if f.Limit <= 0 || f.Limit > MaxReviewPage {
		return MaxReviewPage
	}
	return f.Limit
}

// ReviewPage is one page of the review queue.
type ReviewPage struct {
	Items []ReviewItem `json:"items"`
	// Next is the position after the page's last row; "" after the last page.
	Next string `json:"next,omitempty"`
	// OpenBySender is how many records each sender has held open, over the whole
	// queue (each counted against the sender of its first open revision).
	OpenBySender map[string]int `json:"open_by_sender,omitempty"`
}

// ReviewPageOf is the page of items read in queue order from a position, at most
// limit+1 of them: one past limit says the page is not the last, and is left for the
// next page.
func ReviewPageOf(items []ReviewItem, limit int) ReviewPage {
	if len(items) <= limit {
		return ReviewPage{Items: items}
	}
	last := items[limit-1]
	return ReviewPage{Items: items[:limit], Next: ReviewCursor(last.RecordID, last.Revision)}
}

// ReviewCursor is the position of a held revision, as ReviewPage.Next gives it.
func ReviewCursor(recordID string, revision uint64) string {
	return fmt.Sprintf("%s/%d", recordID, revision)
}

// ParseReviewCursor reads a ReviewCursor ("": from the start).
func ParseReviewCursor(after string) (recordID string, revision uint64, err error) {
	if after == "" {
		return "", 0, nil
	}
	i := strings.LastIndexByte(after, '/')
	if i < 0 {
		return "", 0, fmt.Errorf("review: %q is not a position in the queue", after)
	}
	n, err := strconv.ParseUint(after[i+1:], 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("review: %q is not a position in the queue", after)
	}
	return after[:i], n, nil
}

// Open reports whether the district has not decided on the item yet.
func (r ReviewItem) Open() bool { return r.Accepted == "" && r.Refused == "" }

// ReviewDecision is the district's word on a held record: Village to accept it there,
// or Refuse with the reason for the sending laptop.
type ReviewDecision struct {
	RecordID string    `json:"record_id"`
	Village  string    `json:"village,omitempty"`
	Refuse   string    `json:"refuse,omitempty"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
}

// Valid says what is wrong with a decision, for the district's officer to read.
func (d ReviewDecision) Valid() error {
	switch {
	case d.RecordID == "":
		return errors.New("review: say which record (its id)")
	case (d.Village == "") == (strings.TrimSpace(d.Refuse) == ""):
		return errors.New("review: either accept the record into a village or refuse it with a reason the enumerator will read")
	}
	return nil
}

// Taken is the decision as a backend takes it: valid, at the time given or now.
func (d ReviewDecision) Taken(now func() time.Time) (ReviewDecision, error) {
	if err := d.Valid(); err != nil {
		return d, err
	}
	if d.At.IsZero() {
		d.At = now().UTC()
	}
	return d, nil
}

// Mark is a held revision as the decision leaves it.
func (d ReviewDecision) Mark(it ReviewItem) ReviewItem {
	it.DecidedBy, it.DecidedAt = d.By, d.At
	if d.Refuse != "" {
		it.Refused = d.Refuse
	} else {
		it.Accepted = d.Village
	}
	return it
}

// Withdrawal is what a refusal tells the sending laptop of the record whose latest held
// revision is last: withdrawn, no record kept in its place, with the district's reason.
func (d ReviewDecision) Withdrawal(last ReviewItem) protocol.Withdrawal {
	return protocol.Withdrawal{RecordID: d.RecordID, Subject: last.Subject, FormID: last.FormID, Reason: d.Refuse, At: d.At}
}

// RosterRowOf is the roster row an accepted record adds: the person as the record's
// case names them, in the village the district chose.
func RosterRowOf(row RecordRow, village string) roster.Row {
	return roster.Row{Name: row.Name, CertificateNumber: row.Subject, Village: village}
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
