package protocol

import (
	"crypto/sha256"
	"encoding/hex"
)

// SignedForm is one form file as the district keeps it: its bytes exactly, and the
// district's signature of them (FormMessage).
type SignedForm struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	YAML    []byte `json:"yaml"` // base64 on the wire
	Sig     []byte `json:"sig"`  // Ed25519 over FormMessage
}

// FormsResponse answers GET /v1/forms: the forms the district uses that the laptop
// did not say it has, and which the district names for new records.
type FormsResponse struct {
	Envelope
	// PersonForm and CommunityForm are "id@version"; ChoiceSig signs both
	// (ChoiceMessage), so a laptop is not steered to another form in transit.
	PersonForm    string `json:"person_form"`
	CommunityForm string `json:"community_form"`
	ChoiceSig     []byte `json:"choice_sig"`
	// Key is the district's public key (base64), as at enrolment: a laptop that kept
	// another is told its enrolment is of a key the server no longer has. It only
	// chooses the words; the signatures decide.
	Key   string       `json:"key,omitempty"`
	Forms []SignedForm `json:"forms,omitempty"`
}

// FormMessage is what the district signs for a form: its id, version and the SHA-256
// of its bytes. A form whose bytes, id or version changed after signing fails.
func FormMessage(id, version string, yaml []byte) []byte {
	sum := sha256.Sum256(yaml)
	return []byte("doorstep form v1\n" + id + "\n" + version + "\n" + hex.EncodeToString(sum[:]))
}

// ChoiceMessage is what the district signs for the forms it names for new records.
func ChoiceMessage(person, community string) []byte {
	return []byte("doorstep form choice v1\n" + person + "\n" + community)
}

// FormDigest is the hex SHA-256 of a form file, as forms.Form.Digest: what a laptop
// lists as have so that a form is sent once.
func FormDigest(yaml []byte) string {
	sum := sha256.Sum256(yaml)
	return hex.EncodeToString(sum[:])
}
