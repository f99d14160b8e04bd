package validate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// ref is the survey's reference date, 30 September 2021.
var ref = time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// withCheck appends the GB 11643 check character to 17 digits. It is derived
// here independently of the package: the weights are 2^(17-i) mod 11, and the
// check value c is what makes the weighted sum with c ≡ 1 (mod 11)
// (ISO 7064 MOD 11-2), 10 written as X.
func withCheck(t testing.TB, body string) string {
	t.Helper()
	if len(body) != 17 {
		t.Fatalf("withCheck(%q): need 17 digits", body)
	}
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(body[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return body + "X"
	}
	return body + string(rune('0'+c))
}

// wrongCheck is withCheck with a check character that is certainly wrong.
func wrongCheck(t testing.TB, body string) string {
	t.Helper()
	good := withCheck(t, body)
	bad := byte('0')
	if good[17] == '0' {
		bad = '1'
	}
	return body + string(rune(bad))
}

// idWith builds a valid ID from its parts.
func idWith(t testing.TB, region, birth, seq string) string {
	t.Helper()
	return withCheck(t, region+birth+seq)
}

// fullWidth spells ASCII digits, letters and '-' the way a Chinese input
// method in full-width mode does.
func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r <= '~' {
			r += 0xFF01 - '!'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wantErr fails unless err is an *Error of kind and reason.
func wantErr(t *testing.T, err error, kind string, reason Reason) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *Error %s/%s", err, err, kind, reason)
	}
	if e.Kind != kind || e.Reason != reason {
		t.Fatalf("error %s/%s (%v), want %s/%s", e.Kind, e.Reason, e, kind, reason)
	}
	return e
}

func TestWithCheckMatchesStandardExamples(t *testing.T) {
	// The two worked examples printed in GB 11643-1999, so that the test's
	// own generator cannot share a mistake with the package.
	for body, want := range map[string]string{
		"11010519491231002": "11010519491231002X",
		"44052418800101001": "440524188001010014",
	} {
		if got := withCheck(t, body); got != want {
			t.Errorf("withCheck(%s) = %s, want %s", body, got, want)
		}
	}
}
