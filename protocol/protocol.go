package protocol

import (
	"time"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
)

// Version is the protocol version; every path starts with /v1/.
const Version = 1

// MaxBody caps a request or an answer, decompressed: a batch of records or a page of
// pull.
const MaxBody = 16 << 20

// MaxChunk caps one PATCH of an attachment upload.
const MaxChunk = 1 << 20

// Envelope marks every JSON answer of the server: a 200 that lacks it is not ours (a
// captive portal's login page on village Wi-Fi) and counts as a failure.
type Envelope struct {
	Doorstep int    `json:"doorstep"` // = Version
	Error    string `json:"error,omitempty"`
	// Code is a machine-readable error: bad_token, revoked, bad_code, bad_request,
	// too_large, offset, rate_limited, unavailable (the server cannot reach its data:
	// try again after Retry-After).
	Code string `json:"code,omitempty"`
}

// EnrollRequest exchanges a one-time code for a device token.
type EnrollRequest struct {
	Code   string `json:"code"`
	Device string `json:"device"` // the laptop's name, for the district's list
	// SigningKey is the user's Ed25519 public key on this laptop (base64, standard
	// encoding): every audit entry the user writes here is signed by it, and the server
	// accepts an entry in the user's name only when one of their registered keys
	// signed it (record.CheckAuthors).
	SigningKey string `json:"signing_key,omitempty"`
	// Card is the user's whole key card on this laptop (bundle.Card.String: code, role,
	// encryption and signing keys, name), for the district to hand to the team.
	Card string `json:"card,omitempty"`
}

// EnrollResponse is the device token and who it belongs to.
type EnrollResponse struct {
	Envelope
	Token    string   `json:"token"`
	User     User     `json:"user"`
	ServerID string   `json:"server_id"`
	Epoch    string   `json:"epoch"`
	Cards    []string `json:"cards,omitempty"` // key cards of the team and district, for bundles
	// DistrictKey is the district's Ed25519 public key (base64), which signs the forms
	// it sends (GET /v1/forms). It comes over the pinned TLS of enrolment and is kept.
	DistrictKey string `json:"district_key,omitempty"`
}

// User is an enrolled user as the server knows them.
type User struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Role     string   `json:"role"` // enumerator or leader
	Team     string   `json:"team,omitempty"`
	Villages []string `json:"villages"` // ["*"] for the whole district
}

// AllVillages reports whether the user may send records of any village.
func (u User) AllVillages() bool {
	for _, v := range u.Villages {
		if v == "*" {
			return true
		}
	}
	return false
}

// MayVillage reports whether the user works in the village.
func (u User) MayVillage(v string) bool {
	if u.AllVillages() {
		return true
	}
	for _, x := range u.Villages {
		if x == v {
			return true
		}
	}
	return false
}

// PushItem is one record revision: the record with its whole audit chain (the same rules
// as between laptops), and the case it is about as the district names it.
// Photos are not in it: they are uploaded first, by content hash.
type PushItem struct {
	Seq      uint64          `json:"seq"` // the laptop's outbox number, echoed back
	Revision record.Revision `json:"revision"`
	Case     Case            `json:"case"`
}

// Case is a record's case as the district knows it; Subject is "" for a village's form.
type Case struct {
	Subject string `json:"subject,omitempty"`
	Name    string `json:"name,omitempty"`
	Village string `json:"village"`
}

// PushID is the header that names a push (16 to 64 lower-case hex characters, the
// laptop's choice): when the link drops before the answer arrives, GET /v1/push/ID
// answers what the server stored of it — what arrived whole of a body cut short, or
// the whole batch when only the answer was lost — so the laptop sends again only the
// rest.
const PushID = "Push-Id"

// PushRequest is a batch, sent gzip-compressed.
type PushRequest struct {
	Items []PushItem `json:"items"`
}

// Push results.
const (
	Stored    = "stored"
	Duplicate = "duplicate"
	Stale     = "stale"
	Rejected  = "rejected"
)

// PushResult answers one item.
type PushResult struct {
	Seq      uint64 `json:"seq"`
	RecordID string `json:"record_id"`
	Result   string `json:"result"`
	// Code says why a record was refused or held (Reason* in reasons.go), Args the
	// particulars the laptop names with it; Reason is the server's own sentence, for a
	// laptop that does not know the code.
	Code     string    `json:"code,omitempty"`
	Args     []string  `json:"args,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	ServerID string    `json:"server_id,omitempty"` // receipt: stored and duplicate
	Received time.Time `json:"received_at,omitzero"`
	// Retry is set on a rejection that is not the record's fault (a photo not yet
	// uploaded): send it again later.
	Retry bool `json:"retry,omitempty"`
	// Review, on stored, says the district holds the record for its review (a person
	// its roster does not know; Reason says so): kept, nothing to send again, and the
	// district's refusal, if it comes, arrives as a withdrawal.
	Review bool `json:"review,omitempty"`
}

// PushResponse answers a batch, item by item.
type PushResponse struct {
	Envelope
	Results []PushResult `json:"results"`
}

// PullResponse is what the server has for the user since a cursor: roster cases of
// their villages imported or changed, and record revisions others wrote (an enumerator: the leader's
// approvals and returns; a leader: the team's completed records).
type PullResponse struct {
	Envelope
	Epoch     string            `json:"epoch"`
	Cursor    uint64            `json:"cursor"`
	More      bool              `json:"more"` // call again with the new cursor
	Roster    []roster.Row      `json:"roster,omitempty"`
	Revisions []record.Revision `json:"revisions,omitempty"`
	// Withdrawn are records of the user's villages the district withdrew: another
	// record of the same person stands (a duplicate interview resolved).
	Withdrawn []Withdrawal `json:"withdrawn,omitempty"`
}

// Withdrawal is the district's word that a record does not stand: the same person was
// interviewed twice for the same form, and the district chose the other record (Kept);
// or, with Kept "", a record held for the district's review that it refused.
type Withdrawal struct {
	RecordID string    `json:"record_id"`
	Subject  string    `json:"subject"`
	FormID   string    `json:"form_id"`
	Kept     string    `json:"kept"` // the record that stands
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// UploadOffset is the header in which the server says how much of an attachment it has
// and the client says where its bytes start.
const UploadOffset = "Upload-Offset"
