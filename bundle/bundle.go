// Package bundle is the offline hand-over between laptops on days without signal: one
// file on a USB stick carrying an enumerator's completed records to the team leader,
// or the leader's decisions back. The file is encrypted to its recipients (the
// district and the team members, with age's X25519 recipients) and signed inside the
// encryption by its sender (Ed25519), so a lost stick reveals nothing and a forged or
// altered file is refused.
//
// It knows keys, cards and bytes; what the payload means (records, decisions, the
// exactly-once rules) belongs to its callers. It must never write a key or a payload
// anywhere: callers keep private keys in the encrypted store.
package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
)

// Magic is the first line of a bundle file: a person (or `file`) can tell what it is
// without the key.
const Magic = "DOORSTEP-BUNDLE v1\n"

// MaxSize bounds a bundle: a team's week of records with photos fits many times over.
const MaxSize = 512 << 20

// Errors a caller tells apart.
var (
	ErrNotBundle    = errors.New("not a Doorstep bundle")
	ErrNotRecipient = errors.New("this bundle is not addressed to this user (or it is damaged)")
	ErrUntrusted    = errors.New("the bundle's sender is not a known member of the team")
	ErrBadSignature = errors.New("the bundle's signature does not verify: it was altered or forged")
)

// Keys are one user's private keys: the age identity that opens bundles sent to them,
// and the Ed25519 key that signs the bundles they send.
type Keys struct {
	Code     string
	Name     string
	Role     string
	Identity *age.X25519Identity
	Signing  ed25519.PrivateKey
}

// NewKeys makes fresh keys for a user.
func NewKeys(code, name, role string) (*Keys, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("new keys: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new keys: %w", err)
	}
	return &Keys{Code: code, Name: name, Role: role, Identity: id, Signing: priv}, nil
}

// Card is the public half of a user's keys, given to the other members of the team
// (and the district) so that they can send bundles to the user and trust theirs.
func (k *Keys) Card() Card {
	return Card{Code: k.Code, Name: k.Name, Role: k.Role, Recipient: k.Identity.Recipient().String(),
		Verify: k.Signing.Public().(ed25519.PublicKey)}
}

// Secret is the keys in a form to keep sealed in the store; ParseSecret reads it.
func (k *Keys) Secret() string {
	return k.Identity.String() + " " + base64.RawStdEncoding.EncodeToString(k.Signing.Seed())
}

// ParseSecret reads what Secret wrote.
func ParseSecret(code, name, role, s string) (*Keys, error) {
	idText, seedText, ok := strings.Cut(s, " ")
	if !ok {
		return nil, errors.New("keys: damaged secret")
	}
	id, err := age.ParseX25519Identity(idText)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	seed, err := base64.RawStdEncoding.DecodeString(seedText)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("keys: damaged signing key")
	}
	return &Keys{Code: code, Name: name, Role: role, Identity: id, Signing: ed25519.NewKeyFromSeed(seed)}, nil
}

// envelope is what is encrypted: the payload, who signed it and the signature.
type envelope struct {
	Version   int             `json:"version"`
	Kind      string          `json:"kind"`
	From      Card            `json:"from"`
	Created   time.Time       `json:"created"`
	Payload   json.RawMessage `json:"payload"`
	Signature []byte          `json:"signature"` // over signed(kind, from, created, payload)
}

// signed is the bytes the signature covers: everything in the envelope but itself.
func (e *envelope) signed() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "doorstep-bundle v1\n%s\n%s\n%s\n", e.Kind, e.From.String(), e.Created.UTC().Format(time.RFC3339Nano))
	b.Write(e.Payload)
	return b.Bytes()
}

// Seal writes a bundle of kind (e.g. "records", "decisions") carrying payload (JSON),
// signed by from and readable by each of to. from need not be among to.
func Seal(w io.Writer, kind string, payload json.RawMessage, from *Keys, to []Card, now time.Time) error {
	if len(to) == 0 {
		return errors.New("seal bundle: no recipients")
	}
	if !json.Valid(payload) {
		return errors.New("seal bundle: the payload is not JSON")
	}
	var recipients []age.Recipient
	for _, c := range to {
		r, err := age.ParseX25519Recipient(c.Recipient)
		if err != nil {
			return fmt.Errorf("seal bundle: card of %s: %w", c.Code, err)
		}
		recipients = append(recipients, r)
	}
	e := envelope{Version: 1, Kind: kind, From: from.Card(), Created: now.UTC(), Payload: payload}
	e.Signature = ed25519.Sign(from.Signing, e.signed())
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("seal bundle: %w", err)
	}
	if _, err := io.WriteString(w, Magic); err != nil {
		return fmt.Errorf("seal bundle: %w", err)
	}
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("seal bundle: %w", err)
	}
	if _, err := enc.Write(data); err != nil {
		return fmt.Errorf("seal bundle: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("seal bundle: %w", err)
	}
	return nil
}

// Opened is a bundle opened and verified.
type Opened struct {
	Kind    string
	From    Card // the sender, as the trusted card names them
	Created time.Time
	Payload json.RawMessage
}

// Open reads a bundle with the keys of its reader, and accepts it only if it was signed
// by one of trusted (matched by the signing key, not by the name the sender gives).
func Open(r io.Reader, reader *Keys, trusted []Card) (Opened, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxSize+1))
	head, err := br.Peek(len(Magic))
	if err != nil || string(head) != Magic {
		return Opened{}, ErrNotBundle
	}
	br.Discard(len(Magic))
	dec, err := age.Decrypt(br, reader.Identity)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return Opened{}, ErrNotRecipient
		}
		return Opened{}, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	data, err := io.ReadAll(dec)
	if err != nil {
		// age authenticates every chunk: a cut or altered file fails here.
		return Opened{}, fmt.Errorf("%w: the file is damaged or cut short (%v)", ErrBadSignature, err)
	}
	if len(data) > MaxSize {
		return Opened{}, fmt.Errorf("%w: larger than %d MB", ErrNotBundle, MaxSize>>20)
	}
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil || e.Version != 1 {
		return Opened{}, fmt.Errorf("%w: unreadable contents", ErrNotBundle)
	}
	var sender *Card
	for i := range trusted {
		if bytes.Equal(trusted[i].Verify, e.From.Verify) {
			sender = &trusted[i]
		}
	}
	if sender == nil {
		return Opened{}, fmt.Errorf("%w (it says it is from %s %s)", ErrUntrusted, e.From.Code, e.From.Name)
	}
	if len(e.From.Verify) != ed25519.PublicKeySize || !ed25519.Verify(e.From.Verify, e.signed(), e.Signature) {
		return Opened{}, ErrBadSignature
	}
	return Opened{Kind: e.Kind, From: *sender, Created: e.Created, Payload: e.Payload}, nil
}
