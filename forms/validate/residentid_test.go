package validate

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseResidentID(t *testing.T) {
	standard := withCheck(t, "11010519491231002") // ends in X
	male := idWith(t, "320102", "19800101", "123")
	female := idWith(t, "320102", "19800101", "124")

	good := []struct {
		name  string
		in    string
		want  string
		birth time.Time
		sex   int
	}{
		{"X check character", standard, "11010519491231002X", day(1949, 12, 31), 2},
		{"lower-case x", strings.ToLower(standard), standard, day(1949, 12, 31), 2},
		{"full-width", fullWidth(standard), standard, day(1949, 12, 31), 2},
		{"full-width lower-case x", fullWidth(strings.ToLower(standard)), standard, day(1949, 12, 31), 2},
		{"spaces around", "  " + male + "\t", male, day(1980, 1, 1), 1},
		{"ideographic spaces around", "\u3000" + male + "\u3000", male, day(1980, 1, 1), 1},
		{"odd sequence is male", male, male, day(1980, 1, 1), 1},
		{"even sequence is female", female, female, day(1980, 1, 1), 2},
		{"born 1900-01-01", idWith(t, "110101", "19000101", "001"), "", day(1900, 1, 1), 1},
		{"born on the reference date", idWith(t, "110101", "20210930", "001"), "", ref, 1},
		{"29 Feb of a leap year", idWith(t, "110101", "20040229", "002"), "", day(2004, 2, 29), 2},
		{"29 Feb 2000, a leap century", idWith(t, "110101", "20000229", "002"), "", day(2000, 2, 29), 2},
		{"province 11", idWith(t, "110101", "19800101", "001"), "", day(1980, 1, 1), 1},
		{"province 65", idWith(t, "650102", "19800101", "001"), "", day(1980, 1, 1), 1},
		{"no zero digits", idWith(t, "371325", "19581127", "986"), "", day(1958, 11, 27), 2},
		{"province 71", idWith(t, "710000", "19800101", "001"), "", day(1980, 1, 1), 1},
		{"province 82", idWith(t, "820000", "19800101", "001"), "", day(1980, 1, 1), 1},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			id, err := ParseResidentID(tc.in, ref)
			if err != nil {
				t.Fatalf("ParseResidentID(%q): %v", tc.in, err)
			}
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if id.Number != want {
				t.Errorf("Number = %q, want %q", id.Number, want)
			}
			if id.Region != want[:6] {
				t.Errorf("Region = %q, want %q", id.Region, want[:6])
			}
			if !id.BirthDate.Equal(tc.birth) || id.BirthDate.Location() != time.UTC {
				t.Errorf("BirthDate = %v, want %v", id.BirthDate, tc.birth)
			}
			if id.Sex != tc.sex {
				t.Errorf("Sex = %d, want %d", id.Sex, tc.sex)
			}
		})
	}

	valid := idWith(t, "110101", "19800101", "001")
	bad := []struct {
		name   string
		in     string
		reason Reason
		want   string // expected Want, for BadCheckDigit
	}{
		{"empty", "", Empty, ""},
		{"only spaces", " \t\u3000 ", Empty, ""},
		{"17 characters", valid[:17], BadLength, ""},
		{"19 characters", valid + "1", BadLength, ""},
		{"15-digit first-generation number", "110101800101001", BadLength, ""},
		{"65 bytes", strings.Repeat("1", 65), BadLength, ""},
		{"10 MB", strings.Repeat("1", 10<<20), BadLength, ""},
		{"wrong check digit", wrongCheck(t, "11010119800101001"), BadCheckDigit, withCheck(t, "11010119800101001")[17:]},
		{"X where a digit is due", wrongCheck(t, "11010519491231003")[:17] + "X", BadCheckDigit, withCheck(t, "11010519491231003")[17:]},
		{"digit where X is due", standard[:17] + "0", BadCheckDigit, "X"},
		{"X inside", "X" + valid[1:], BadCharacter, ""},
		{"letter", valid[:17] + "Y", BadCharacter, ""},
		{"inner space", valid[:6] + " " + valid[6:], BadCharacter, ""},
		{"Chinese character", valid[:17] + "号", BadCharacter, ""},
		{"escape sequence", "\x1b[31m" + valid, BadCharacter, ""},
		{"NUL", valid[:9] + "\x00" + valid[10:], BadCharacter, ""},
		{"invalid UTF-8", valid[:17] + "\xff", BadCharacter, ""},
		{"Arabic-Indic digit", valid[:17] + "٣", BadCharacter, ""},
		{"province 10", idWith(t, "100101", "19800101", "001"), BadRegion, ""},
		{"province 16", idWith(t, "160101", "19800101", "001"), BadRegion, ""},
		{"province 83", idWith(t, "830000", "19800101", "001"), BadRegion, ""},
		{"province 00", idWith(t, "000000", "19800101", "001"), BadRegion, ""},
		{"born 1899-12-31", idWith(t, "110101", "18991231", "001"), EarlyBirthDate, ""},
		{"GB 11643 example born 1880", "440524188001010014", EarlyBirthDate, ""},
		{"born the day after the reference date", idWith(t, "110101", "20211001", "001"), FutureBirthDate, ""},
		{"29 Feb of a common year", idWith(t, "110101", "20210229", "001"), BadBirthDate, ""},
		{"29 Feb 1900, not a leap year", idWith(t, "110101", "19000229", "001"), BadBirthDate, ""},
		{"30 Feb", idWith(t, "110101", "20210230", "001"), BadBirthDate, ""},
		{"31 Apr", idWith(t, "110101", "19800431", "001"), BadBirthDate, ""},
		{"month 13", idWith(t, "110101", "19801301", "001"), BadBirthDate, ""},
		{"month 00", idWith(t, "110101", "19800001", "001"), BadBirthDate, ""},
		{"day 00", idWith(t, "110101", "19800100", "001"), BadBirthDate, ""},
		{"day 32", idWith(t, "110101", "19800132", "001"), BadBirthDate, ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			id, err := ParseResidentID(tc.in, ref)
			e := wantErr(t, err, KindResidentID, tc.reason)
			if e.Want != tc.want {
				t.Errorf("Want = %q, want %q", e.Want, tc.want)
			}
			if id != (ResidentID{}) {
				t.Errorf("refused input returned %+v", id)
			}
		})
	}
}

// The reference date is a calendar date in its own location: late evening of
// 30 September in Beijing is already 1 October in no time zone that matters.
func TestParseResidentIDRefIsACalendarDate(t *testing.T) {
	beijing := time.FixedZone("CST", 8*3600)
	born := idWith(t, "110101", "20211001", "001")
	if _, err := ParseResidentID(born, time.Date(2021, 10, 1, 0, 30, 0, 0, beijing)); err != nil {
		t.Errorf("born on ref's local date: %v", err)
	}
	_, err := ParseResidentID(born, time.Date(2021, 9, 30, 23, 30, 0, 0, beijing))
	wantErr(t, err, KindResidentID, FutureBirthDate)
}

// A mod-11 check with these weights catches every single wrong digit and
// every swap of two neighbours. If parseID ever accepted one, the check
// character computation would be broken.
func TestCheckCharacterCatchesTypos(t *testing.T) {
	ids := []string{
		withCheck(t, "11010519491231002"),
		idWith(t, "320102", "19800101", "123"),
		idWith(t, "440305", "20000229", "458"),
		idWith(t, "650102", "19631117", "907"),
		idWith(t, "371325", "19581127", "986"),
	}
	for _, id := range ids {
		if _, err := ParseResidentID(id, ref); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for i := 0; i < 17; i++ {
			for c := byte('0'); c <= '9'; c++ {
				if c == id[i] {
					continue
				}
				typo := id[:i] + string(rune(c)) + id[i+1:]
				if _, err := ParseResidentID(typo, ref); err == nil {
					t.Errorf("%s: typo %s at %d accepted", id, typo, i)
				}
			}
			if i < 16 && id[i] != id[i+1] {
				swap := id[:i] + id[i+1:i+2] + id[i:i+1] + id[i+2:]
				if _, err := ParseResidentID(swap, ref); err == nil {
					t.Errorf("%s: swap %s at %d accepted", id, swap, i)
				}
			}
		}
	}
}

func TestAgeAt(t *testing.T) {
	tests := []struct {
		name      string
		birth, at time.Time
		want      int
	}{
		{"day before the birthday", day(1980, 10, 1), day(2021, 9, 30), 40},
		{"on the birthday", day(1980, 9, 30), day(2021, 9, 30), 41},
		{"day after the birthday", day(1980, 9, 29), day(2021, 9, 30), 41},
		{"on the birth date", day(2021, 9, 30), day(2021, 9, 30), 0},
		{"day before birth", day(2021, 9, 30), day(2021, 9, 29), -1},
		{"29 Feb birth, 28 Feb of a common year", day(2004, 2, 29), day(2021, 2, 28), 16},
		{"29 Feb birth, 1 Mar of a common year", day(2004, 2, 29), day(2021, 3, 1), 17},
		{"29 Feb birth, 28 Feb of a leap year", day(2004, 2, 29), day(2024, 2, 28), 19},
		{"29 Feb birth, 29 Feb of a leap year", day(2004, 2, 29), day(2024, 2, 29), 20},
		{"turns 16 on the reference date", day(2005, 9, 30), ref, 16},
		{"turns 60 the day after", day(1961, 10, 1), ref, 59},
		// "at" is read in its own location: 00:30 on 1 Oct in Beijing is
		// 16:30 on 30 Sep in UTC, and the birthday is 1 Oct.
		{"at's own calendar date", day(1980, 10, 1), time.Date(2021, 10, 1, 0, 30, 0, 0, time.FixedZone("CST", 8*3600)), 41},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AgeAt(tc.birth, tc.at); got != tc.want {
				t.Errorf("AgeAt(%s, %s) = %d, want %d", tc.birth.Format(time.DateOnly), tc.at, got, tc.want)
			}
		})
	}
}

func TestResidentIDAgeAt(t *testing.T) {
	id, err := ParseResidentID(idWith(t, "110101", "20040229", "001"), ref)
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[time.Time]int{
		day(2021, 2, 28): 16,
		day(2021, 3, 1):  17,
		ref:              17,
	} {
		if got := id.AgeAt(at); got != want {
			t.Errorf("AgeAt(%s) = %d, want %d", at.Format(time.DateOnly), got, want)
		}
	}
}

// Every weight must be right, including those under digits that the IDs in
// these tests happen to have as 0: try each position alone, then a spread of
// pseudo-random numbers, against the independent withCheck.
func TestCheckCharacterAgreesWithIndependentDerivation(t *testing.T) {
	var bodies []string
	for i := 0; i < 17; i++ {
		for c := byte('1'); c <= '9'; c++ {
			b := []byte(strings.Repeat("0", 17))
			b[i] = c
			bodies = append(bodies, string(b))
		}
	}
	rng := rand.New(rand.NewPCG(2021, 930))
	for range 2000 {
		b := make([]byte, 17)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		bodies = append(bodies, string(b))
	}
	for _, body := range bodies {
		if got, want := checkChar(body), withCheck(t, body)[17]; got != want {
			t.Fatalf("checkChar(%s) = %c, want %c", body, got, want)
		}
	}
}

func TestCompleteID(t *testing.T) {
	// The GB 11643 worked example: 11010519491231002 → X.
	if got, err := CompleteID("11010519491231002"); err != nil || got != "11010519491231002X" {
		t.Errorf("CompleteID = %q, %v", got, err)
	}
	for _, bad := range []string{"", "1101051949123100", "1101051949123100a", "110105194912310021"} {
		if _, err := CompleteID(bad); err == nil {
			t.Errorf("CompleteID(%q) accepted", bad)
		}
	}
}
