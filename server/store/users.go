package store

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
)

// EnrolmentValid is how long a one-time enrolment code works.
const EnrolmentValid = 7 * 24 * time.Hour

// ValidUser is the rule for a user the district enrols, for every backend.
func ValidUser(u protocol.User) error {
	if u.Code == "" || u.Name == "" || (u.Role != "enumerator" && u.Role != "leader") || len(u.Villages) == 0 {
		return errors.New("enrol: a user needs a code, a name, a role (enumerator or leader) and villages")
	}
	return nil
}

// NewEnrolmentCode is 20 characters of an alphabet without 0/O, 1/I/L, in groups of
// five: read over the phone, typed by hand. rand is crypto/rand.Reader.
func NewEnrolmentCode(rand io.Reader) string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	io.ReadFull(rand, b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:10]) + "-" + string(b[10:15]) + "-" + string(b[15:])
}

// NormalizeCode is a code as typed, as it is kept: case-blind, spaces trimmed.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }
