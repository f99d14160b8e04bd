// Package keycard is a user's key card: their public keys with who they are, as one
// line of text, and its fingerprint a person reads aloud. The laptop's bundles and the
// district server (which keeps the card each laptop sends at enrolment) both read it,
// so it lives apart from either: the server links no bundle code.
//
// It must never hold or touch a private key.
package keycard

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"filippo.io/age"
)

// Card is a user's public keys with who they are: what a team member (or the district)
// needs to send them a bundle and to trust theirs.
type Card struct {
	Code      string
	Name      string
	Role      string // enumerator, leader or district
	Recipient string // age X25519 recipient, "age1…"
	Verify    ed25519.PublicKey
}

// cardPrefix starts a card's one line.
const cardPrefix = "doorstep-card v1 "

var cardCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// String is the card as one line of text, to put in a file or read aloud:
// "doorstep-card v1 CODE ROLE age1… VERIFY-KEY NAME".
func (c Card) String() string {
	return cardPrefix + c.Code + " " + c.Role + " " + c.Recipient + " " +
		base64.RawStdEncoding.EncodeToString(c.Verify) + " " + c.Name
}

// Fingerprint is a digest of the whole card — code, role, both keys and the name — for
// two people to compare aloud: eight groups of five digits (132 bits), read as numbers
// in any language, e.g. "40316 88120 03527 91844 27765 10398 55203 67014". A card
// altered in any field, a name included, has another fingerprint.
func (c Card) Fingerprint() string {
	sum := sha512.Sum512([]byte("doorstep-card fingerprint v1\n" + c.String()))
	groups := make([]string, fingerprintGroups)
	for i := range groups {
		// Five bytes (40 bits) make each group of five digits: the bias of the
		// remainder is below one in ten million.
		var n uint64
		for _, b := range sum[i*5 : i*5+5] {
			n = n<<8 | uint64(b)
		}
		groups[i] = fmt.Sprintf("%05d", n%100000)
	}
	return strings.Join(groups, " ")
}

// fingerprintGroups of five digits carry 8 × log2(10⁵) ≈ 132.9 bits.
const fingerprintGroups = 8

// Parse reads one card line.
func Parse(line string) (Card, error) {
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, cardPrefix)
	if !ok {
		return Card{}, errors.New("not a Doorstep key card (it starts with “doorstep-card v1”)")
	}
	f := strings.SplitN(rest, " ", 5)
	if len(f) != 5 {
		return Card{}, errors.New("key card: a field is missing")
	}
	c := Card{Code: f[0], Role: f[1], Recipient: f[2], Name: strings.TrimSpace(f[4])}
	if !cardCode.MatchString(c.Code) {
		return Card{}, fmt.Errorf("key card: %q is not a user code", c.Code)
	}
	switch c.Role {
	case "enumerator", "leader", "district":
	default:
		return Card{}, fmt.Errorf("key card: unknown role %q", c.Role)
	}
	if _, err := age.ParseX25519Recipient(c.Recipient); err != nil {
		return Card{}, fmt.Errorf("key card: %w", err)
	}
	key, err := base64.RawStdEncoding.DecodeString(f[3])
	if err != nil || len(key) != ed25519.PublicKeySize {
		return Card{}, errors.New("key card: the signing key is damaged")
	}
	c.Verify = key
	if c.Name == "" || strings.IndexFunc(c.Name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return Card{}, errors.New("key card: the name is missing or holds control characters")
	}
	return c, nil
}

// ParseAll reads a file of cards, one a line; blank lines and lines starting with #
// are skipped. Every bad line is reported with its number.
func ParseAll(text string) ([]Card, error) {
	var out []Card
	var errs []error
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := Parse(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", i+1, err))
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}
