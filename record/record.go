package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Status is where a record is in its life: draft → read_back → signed → completed →
// submitted → approved | returned; a returned record goes back to draft.
type Status string

// Record statuses.
const (
	StatusDraft     Status = "draft"
	StatusReadBack  Status = "read_back"
	StatusSigned    Status = "signed"
	StatusCompleted Status = "completed"
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusReturned  Status = "returned"
)

// Locked reports whether answers may no longer change (only a return reopens them).
func (s Status) Locked() bool {
	return s == StatusCompleted || s == StatusSubmitted || s == StatusApproved
}

// OutcomeInterviewed is the case outcome that opens the form (正常调查).
const OutcomeInterviewed = 1

// SignerRole says who signed.
type SignerRole string

// Signer roles.
const (
	SignerRespondent SignerRole = "respondent"
	SignerProxy      SignerRole = "proxy"
	SignerEnumerator SignerRole = "enumerator"
)

// ProxyMark follows a proxy's name wherever a signature is shown or printed.
const ProxyMark = "(代)"

// Point is one sample of a signature drawn with a mouse or on a touch screen, in terminal
// cells.
type Point struct {
	X, Y int
}

// Signature is one signature on a record, bound to the content it signs.
type Signature struct {
	Role     SignerRole `json:"role"`
	Name     string     `json:"name"`
	Relation string     `json:"relation,omitempty"` // a proxy's relation to the respondent
	At       time.Time  `json:"at"`
	Strokes  [][]Point  `json:"strokes,omitempty"`
	// ContentHash is Record.ContentHash() when signed: a later change to the content
	// makes the signature stale, visibly.
	ContentHash string `json:"content_hash"`
	// EnumeratorKey is the enumerator's public signing key (EnumeratorKeyText): the
	// respondent signed this content before this enumerator, and the audit entry that
	// records the signature is signed by the same key.
	EnumeratorKey string `json:"enumerator_key,omitempty"`
}

// DisplayName is the name as shown and printed: a proxy's carries “(代)”.
func (s Signature) DisplayName() string {
	if s.Role == SignerProxy {
		return s.Name + ProxyMark
	}
	return s.Name
}

// Attachment is a photo taken at the visit, named by the SHA-256 of its bytes; the
// bytes travel and are kept apart from the record.
type Attachment struct {
	Hash    string    `json:"hash"` // sha256 hex of the bytes
	Size    int       `json:"size"`
	Type    string    `json:"type"` // MIME type
	AddedAt time.Time `json:"added_at"`
}

// Comment is a team leader's note on a record or one question, made when returning it.
type Comment struct {
	By string `json:"by"`
	// At is when the leader wrote it (the time of the return when not given).
	At       time.Time `json:"at"`
	Question string    `json:"question,omitempty"`
	Text     string    `json:"text"`
	// Round counts the returns of the record, from 1: the comments of the last return
	// are what is still to fix. 0 in records returned before rounds were kept.
	Round int `json:"round,omitempty"`
}

// Record is one interview: one case, one form.
type Record struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"` // this laptop's id of the case; "" for a village's record
	// Subject is the case's certificate number (or ID number for a case without one):
	// the case as every laptop and the district know it, where CaseID is a keyed hash
	// of this laptop's. Set on records started since schema 1's.
	Subject string `json:"subject,omitempty"`
	// Village is set instead of CaseID on a form filled once per village (the
	// community form, 社区登记表).
	Village     string `json:"village,omitempty"`
	FormID      string `json:"form_id"`
	FormVersion string `json:"form_version"`
	Enumerator  string `json:"enumerator"` // user code of who started it
	Method      int    `json:"method"`
	Outcome     int    `json:"outcome"`
	OutcomeNote string `json:"outcome_note,omitempty"`
	// Answers are JSON values by question id, as forms.EncodeAnswer writes them.
	Answers map[string]json.RawMessage `json:"answers"`
	// Notes are the enumerator's notes confirming warnings, by "check@question".
	Notes map[string]string `json:"notes,omitempty"`
	// Confirmed are the sections the respondent agreed to at read-back.
	Confirmed   []string     `json:"confirmed,omitempty"`
	Status      Status       `json:"status"`
	Signatures  []Signature  `json:"signatures,omitempty"`
	Photos      []Attachment `json:"photos,omitempty"`
	Comments    []Comment    `json:"comments,omitempty"`
	Revision    uint64       `json:"revision"`
	AuditLen    uint64       `json:"audit_len"`
	AuditHead   string       `json:"audit_head"` // hash of the last audit entry
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	CompletedAt time.Time    `json:"completed_at,omitzero"`
	// Receipts are the district server's acknowledgements of revisions it stored: proof
	// of what the district has. Not content: they change no hash and no chain.
	Receipts []Receipt `json:"receipts,omitempty"`
	// Withdrawn is the district's word, kept on a laptop, that this record does not
	// stand: the person was interviewed twice for the same form and the district chose
	// the other record. Not content either, and only a laptop's own: it is never sent,
	// and a record received never brings it (the district says it in pull, by record
	// id). A withdrawn record counts nowhere (survey.Surveyed).
	Withdrawn *Withdrawal `json:"withdrawn,omitempty"`
}

// Withdrawal is why the district withdrew a record.
type Withdrawal struct {
	Kept   string    `json:"kept"` // the record that stands
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Receipt is the district server's word that it stored one revision of a record.
type Receipt struct {
	Revision   uint64    `json:"revision"`
	ServerID   string    `json:"server_id"` // the server's id of what it stored
	ReceivedAt time.Time `json:"received_at"`
}

// Received returns the receipt of the record's current revision, if the district has it.
func (r *Record) Received() (Receipt, bool) {
	for i := len(r.Receipts) - 1; i >= 0; i-- {
		if r.Receipts[i].Revision == r.Revision {
			return r.Receipts[i], true
		}
	}
	return Receipt{}, false
}

// ContentHash is the sha256 of the record's content in canonical JSON (map keys sorted,
// answers compacted): json.Marshal's bytes of content, written by hand
// (appendContentJSON); a record json.Marshal cannot write (an answer that is not JSON)
// hashes as no bytes, as it always has.
func (r *Record) ContentHash() string {
	var buf [4096]byte
	data, ok := appendContentJSON(buf[:0], r)
	if !ok {
		data = nil
	}
	sum := sha256.Sum256(data)
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], sum[:])
	return string(text[:])
}

// SignedBy returns the current (not stale) signature of the role, if any.
func (r *Record) SignedBy(role SignerRole) (Signature, bool) {
	return r.signedWith(r.ContentHash(), role)
}

// RespondentSignature returns the current signature of the respondent or their proxy.
func (r *Record) RespondentSignature() (Signature, bool) {
	return r.signedWith(r.ContentHash(), SignerRespondent, SignerProxy)
}

// signedWith returns the last signature of one of the roles over content hash.
func (r *Record) signedWith(hash string, roles ...SignerRole) (Signature, bool) {
	for i := len(r.Signatures) - 1; i >= 0; i-- {
		s := r.Signatures[i]
		if slices.Contains(roles, s.Role) && s.ContentHash == hash {
			return s, true
		}
	}
	return Signature{}, false
}

// MaxPhotoSize caps one photo: a phone or laptop camera's JPEG is 1–5 MB. Laptops
// and the server hold attachments to the same cap.
const MaxPhotoSize = 8 << 20
