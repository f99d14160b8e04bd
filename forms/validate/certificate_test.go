package validate

import (
	"strings"
	"testing"
)

func TestParseCertificate(t *testing.T) {
	id := idWith(t, "410102", "19750615", "237") // male
	xid := withCheck(t, "11010519491231002")     // ends in X, female

	good := []struct {
		name            string
		in              string
		want            string
		category, level int
		legacy          bool
	}{
		{"category 1 level 1", id + "11", id + "11", 1, 1, false},
		{"category 7 level 4", id + "74", id + "74", 7, 4, false},
		{"category 4 level 2", id + "42", id + "42", 4, 2, false},
		{"X check character", xid + "63", xid + "63", 6, 3, false},
		{"lower-case x", strings.ToLower(xid) + "63", xid + "63", 6, 3, false},
		{"full-width", fullWidth(strings.ToLower(xid) + "63"), xid + "63", 6, 3, false},
		{"spaces around", " " + id + "52 ", id + "52", 5, 2, false},
		{"legacy 18 characters", id, id, 0, 0, true},
		{"legacy with x", strings.ToLower(xid), xid, 0, 0, true},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCertificate(tc.in, ref)
			if err != nil {
				t.Fatalf("ParseCertificate(%q): %v", tc.in, err)
			}
			if c.Number != tc.want || c.Category != tc.category || c.Level != tc.level || c.Legacy != tc.legacy {
				t.Errorf("got %q cat %d level %d legacy %v, want %q cat %d level %d legacy %v",
					c.Number, c.Category, c.Level, c.Legacy, tc.want, tc.category, tc.level, tc.legacy)
			}
			wantID, err := ParseResidentID(tc.want[:18], ref)
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != wantID {
				t.Errorf("ID = %+v, want %+v", c.ID, wantID)
			}
		})
	}

	bad := []struct {
		name   string
		in     string
		reason Reason
	}{
		{"empty", "", Empty},
		{"17 characters", id[:17], BadLength},
		{"19 characters", id + "1", BadLength},
		{"21 characters", id + "111", BadLength},
		{"65 bytes", strings.Repeat("1", 65), BadLength},
		{"category 0", id + "01", BadCategory},
		{"category 8", id + "81", BadCategory},
		{"category 9", id + "91", BadCategory},
		{"level 0", id + "10", BadLevel},
		{"level 5", id + "15", BadLevel},
		{"category and level both wrong: category first", id + "85", BadCategory},
		{"X as category", id + "X1", BadCharacter},
		{"X as level", id + "1X", BadCharacter},
		{"letter", id + "1a", BadCharacter},
		{"inner hyphen", id + "-11", BadCharacter},
		{"escape sequence", id + "\x1b[2J", BadCharacter},
		{"invalid UTF-8", id + "\xc3\x28", BadCharacter},
		// The ID part is reported against the certificate: that is the
		// question the enumerator is answering.
		{"wrong check digit", wrongCheck(t, id[:17]) + "11", BadCheckDigit},
		{"legacy wrong check digit", wrongCheck(t, id[:17]), BadCheckDigit},
		{"province 83", idWith(t, "830000", "19800101", "001") + "11", BadRegion},
		{"30 Feb", idWith(t, "110101", "20210230", "001") + "11", BadBirthDate},
		{"born 1899-12-31", idWith(t, "110101", "18991231", "001") + "11", EarlyBirthDate},
		{"born after the reference date", idWith(t, "110101", "20211001", "001") + "11", FutureBirthDate},
		{"bad ID and bad category: ID first", wrongCheck(t, id[:17]) + "81", BadCheckDigit},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCertificate(tc.in, ref)
			wantErr(t, err, KindCertificate, tc.reason)
			if c != (Certificate{}) {
				t.Errorf("refused input returned %+v", c)
			}
		})
	}
}

func BenchmarkParseCertificate(b *testing.B) {
	in := idWith(b, "410102", "19750615", "237") + "42"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCertificate(in, ref); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCertificateFullWidth(b *testing.B) {
	in := fullWidth(strings.ToLower(withCheck(b, "11010519491231002")) + "42")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCertificate(in, ref); err != nil {
			b.Fatal(err)
		}
	}
}
