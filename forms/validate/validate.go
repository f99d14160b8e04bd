// Package validate checks the identity numbers and values an enumerator types:
// resident ID numbers (GB 11643), disability certificate numbers, phone
// numbers and dates. Each Parse function returns the value in one canonical
// form, so the store and the sync never see two spellings of one number.
//
// The package is pure: no I/O, no clock (callers pass the reference date), no
// mutable package state. It must never panic, whatever it is given: input comes
// from keyboards, rosters and fuzzers alike. Errors are *Error values that
// never quote the input, so a message is safe to put on screen even when the
// input held escape sequences.
package validate

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// maxInput bounds the work done on one value. The longest legitimate input, a
// 20-character certificate number typed in full-width characters, takes 60
// bytes; anything longer is refused before it is looked at, so a pasted
// megabyte costs nothing.
const maxInput = 64

// normalize undoes what Chinese input methods do to digits and letters
// (full-width ０-９, Ｘ, －, the ideographic space) and trims spaces. Case
// is left alone: only the ID parsers know where an x may stand.
func normalize(kind, s string) (string, *Error) {
	if len(s) > maxInput {
		return "", &Error{Kind: kind, Reason: BadLength}
	}
	if !isASCII(s) {
		s = width.Narrow.String(s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{Kind: kind, Reason: Empty}
	}
	return s, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi reads a short run of ASCII digits the caller has already checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validDate reports whether y-m-d is a day of the proleptic Gregorian
// calendar; time.Date would quietly turn 2021-02-30 into 2 March instead.
func validDate(y, m, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
