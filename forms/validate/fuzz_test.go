package validate

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// checkRefusal holds for every refusal: an *Error of the right kind, a known
// reason, and messages that do not echo the input.
func checkRefusal(t *testing.T, err error, kind string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Kind != kind {
		t.Fatalf("Kind = %q, want %q", e.Kind, kind)
	}
	if strings.HasPrefix(e.Reason.String(), "Reason(") {
		t.Fatalf("unknown reason %d", int(e.Reason))
	}
	if e.Reason == BadCheckDigit && (len(e.Want) != 1 || !strings.Contains("0123456789X", e.Want)) {
		t.Fatalf("BadCheckDigit with Want %q", e.Want)
	}
	for _, m := range []string{e.Error(), e.Message("zh"), e.Message("en")} {
		if m == "" || !utf8.ValidString(m) || strings.ContainsFunc(m, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Fatalf("bad message %q", m)
		}
	}
}

// checkID holds for every accepted ID, whatever the input was.
func checkID(t *testing.T, id ResidentID) {
	t.Helper()
	n := id.Number
	if len(n) != 18 || !allDigits(n[:17]) || !(isDigit(n[17]) || n[17] == 'X') {
		t.Fatalf("Number %q is not 17 digits and a check character", n)
	}
	if want := withCheck(t, n[:17]); n != want {
		t.Fatalf("Number %q accepted, but its check character should make it %q", n, want)
	}
	if id.Region != n[:6] {
		t.Fatalf("Region %q, Number %q", id.Region, n)
	}
	if birth, err := time.Parse("20060102", n[6:14]); err != nil || !birth.Equal(id.BirthDate) {
		t.Fatalf("BirthDate %v, Number %q (%v)", id.BirthDate, n, err)
	}
	if id.BirthDate.Location() != time.UTC || id.BirthDate.Before(day(1900, 1, 1)) || id.BirthDate.After(ref) {
		t.Fatalf("BirthDate %v out of range", id.BirthDate)
	}
	if want := 2 - int(n[16]-'0')%2; id.Sex != want {
		t.Fatalf("Sex %d, Number %q", id.Sex, n)
	}
	if again, err := ParseResidentID(n, ref); err != nil || again != id {
		t.Fatalf("canonical %q re-parses to %+v, %v; want %+v", n, again, err, id)
	}
	if again, err := ParseResidentID(fullWidth(strings.ToLower(n)), ref); err != nil || again != id {
		t.Fatalf("full-width %q re-parses to %+v, %v; want %+v", n, again, err, id)
	}
}

func FuzzParseResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "440524188001010014",
		"110101198001010010", "１１０１０５１９４９１２３１００２Ｘ", "",
		" 11010519491231002X ", "11010519491231002X1", "1101051949123100",
		"\x1b[31m", "\xff\xfe", "830000198001010011", "110101202102290011",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseResidentID(s, ref)
		if err != nil {
			checkRefusal(t, err, KindResidentID)
			return
		}
		checkID(t, id)
		c, err := ParseCertificate(s, ref)
		if err != nil || !c.Legacy || c.ID != id {
			t.Fatalf("ID %q accepted but as a certificate: %+v, %v", s, c, err)
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X11", "11010519491231002x74", "11010519491231002X",
		"11010519491231002X81", "11010519491231002X10", "11010519491231002X1",
		"11010519491231002X111", "１１０１０５１９４９１２３１００２Ｘ４２", "",
		"11010519491231002XX1", "\x00\x01", "11010519491231002X4\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCertificate(s, ref)
		if err != nil {
			checkRefusal(t, err, KindCertificate)
			return
		}
		checkID(t, c.ID)
		switch {
		case c.Legacy:
			if c.Number != c.ID.Number || c.Category != 0 || c.Level != 0 {
				t.Fatalf("legacy %+v", c)
			}
		default:
			if len(c.Number) != 20 || c.Number[:18] != c.ID.Number ||
				c.Category < 1 || c.Category > 7 || c.Level < 1 || c.Level > 4 ||
				int(c.Number[18]-'0') != c.Category || int(c.Number[19]-'0') != c.Level {
				t.Fatalf("certificate %+v", c)
			}
		}
		if again, err := ParseCertificate(c.Number, ref); err != nil || again != c {
			t.Fatalf("canonical %q re-parses to %+v, %v; want %+v", c.Number, again, err, c)
		}
	})
}

// isCanonicalPhone is the output shape, checked without the package's code.
func isCanonicalPhone(p string) bool {
	if len(p) == 11 && allDigits(p) && p[0] == '1' && p[1] >= '3' {
		return true
	}
	area, local, ok := strings.Cut(p, "-")
	if !ok || !allDigits(area) || !allDigits(local) || len(local) < 7 || len(local) > 8 || local[0] == '0' {
		return false
	}
	switch {
	case area == "010":
		return true
	case len(area) == 3 && area[:2] == "02":
		return area != "026"
	case len(area) == 4 && area[0] == '0':
		return area[1] >= '3'
	}
	return false
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{
		"13812345678", "+86 138 1234 5678", "008613812345678", "8613812345678",
		"013812345678", "010-12345678", "(0371) 6512 3456", "0371-65123456-123",
		"0371-65123456转123", "+86 10 6512 3456", "＋８６　１３８－１２３４－５６７８",
		"65123456", "026-65123456", "+852 2123 4567", "+", "+86", "0", "00",
		"\x1b[0m", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			checkRefusal(t, err, KindPhone)
			if p != "" {
				t.Fatalf("refused but returned %q", p)
			}
			return
		}
		if !isCanonicalPhone(p) {
			t.Fatalf("ParsePhone(%q) = %q, not canonical", s, p)
		}
		if again, err := ParsePhone(p); err != nil || again != p {
			t.Fatalf("canonical %q re-parses to %q, %v", p, again, err)
		}
		// The number is the input's digits, less a country code and a
		// trunk 0 in front ("0086 (0)20 …"): nothing is invented,
		// dropped from the middle or reordered.
		digits := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s)
		}
		in, out := digits(width.Narrow.String(s)), strings.TrimPrefix(digits(p), "0")
		prefix, ok := strings.CutSuffix(in, out)
		if !ok || !slices.Contains([]string{"", "0", "86", "860", "0086", "00860"}, prefix) {
			t.Fatalf("ParsePhone(%q) = %q: digits %s are not the input's %s", s, p, out, in)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2021-09-30", "2021/9/30", "20210930", "2021.09.30", "2021年9月30日",
		"2021。9。30", "２０２１年９月３０日", "2021-02-29", "1899-12-31",
		"2099-12-31", "2100-01-01", "2021-9", "年月日", "\xe5\xb9", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			checkRefusal(t, err, KindDate)
			if !d.IsZero() {
				t.Fatalf("refused but returned %v", d)
			}
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v, not UTC midnight", s, d)
		}
		if d.Year() < 1900 || d.Year() > 2099 {
			t.Fatalf("ParseDate(%q) = %v, out of range", s, d)
		}
		for _, layout := range []string{time.DateOnly, "20060102", "2006年1月2日"} {
			if again, err := ParseDate(d.Format(layout)); err != nil || !again.Equal(d) {
				t.Fatalf("%q re-parses to %v, %v; want %v", d.Format(layout), again, err, d)
			}
		}
	})
}
