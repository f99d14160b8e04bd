package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func keys(t testing.TB, code, name, role string) *Keys {
	t.Helper()
	k, err := NewKeys(code, name, role)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var now = time.Date(2021, 10, 12, 18, 0, 0, 0, time.UTC)

func TestSealOpen(t *testing.T) {
	enum, leader, district, stranger := keys(t, "E001", "李晓梅", "enumerator"), keys(t, "L001", "王建军", "leader"),
		keys(t, "D", "区残联", "district"), keys(t, "E999", "外人", "enumerator")
	payload := json.RawMessage(`{"records":[{"id":"r1","revision":3}]}`)
	var b bytes.Buffer
	if err := Seal(&b, "records", payload, enum, []Card{leader.Card(), district.Card()}, now); err != nil {
		t.Fatal(err)
	}
	// Looked for whole ("r1" alone turns up in random ciphertext about one run in
	// fifty: two bytes in a few kilobytes).
	if !strings.HasPrefix(b.String(), Magic) || bytes.Contains(b.Bytes(), []byte(`"id":"r1"`)) || bytes.Contains(b.Bytes(), []byte("李晓梅")) {
		t.Fatal("the bundle shows its contents")
	}
	sealed := b.Bytes()
	team := []Card{enum.Card(), leader.Card()}

	tests := []struct {
		name    string
		data    []byte
		reader  *Keys
		trusted []Card
		err     error
	}{
		{"the leader opens it", sealed, leader, team, nil},
		{"the district opens it", sealed, district, []Card{enum.Card()}, nil},
		{"the sender cannot: not a recipient", sealed, enum, team, ErrNotRecipient},
		{"a stranger cannot", sealed, stranger, team, ErrNotRecipient},
		{"a sender not on the team is refused", sealed, leader, []Card{leader.Card()}, ErrUntrusted},
		{"a flipped byte is refused", flip(sealed, len(sealed)-20), leader, team, ErrBadSignature},
		{"a cut file is refused", sealed[:len(sealed)-30], leader, team, ErrBadSignature},
		{"another file", []byte("PK\x03\x04 a zip"), leader, team, ErrNotBundle},
		{"empty", nil, leader, team, ErrNotBundle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(bytes.NewReader(tt.data), tt.reader, tt.trusted)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != "records" || got.From.Code != "E001" || !got.Created.Equal(now) || string(got.Payload) != string(payload) {
				t.Errorf("opened %+v", got)
			}
		})
	}
}

// TestForgedSender: a bundle signed by a stranger who writes a team member's code and
// name on it is refused; the sender is known by key, not by name.
func TestForgedSender(t *testing.T) {
	enum, leader, stranger := keys(t, "E001", "李晓梅", "enumerator"), keys(t, "L001", "王建军", "leader"), keys(t, "E001", "李晓梅", "enumerator")
	var b bytes.Buffer
	if err := Seal(&b, "records", json.RawMessage(`{}`), stranger, []Card{leader.Card()}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(&b, leader, []Card{enum.Card()}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("err = %v", err)
	}
}

func TestSecretRoundTrip(t *testing.T) {
	k := keys(t, "L001", "王建军", "leader")
	back, err := ParseSecret("L001", "王建军", "leader", k.Secret())
	if err != nil {
		t.Fatal(err)
	}
	if back.Card().String() != k.Card().String() {
		t.Errorf("card changed: %s / %s", back.Card(), k.Card())
	}
	for _, bad := range []string{"", "x y", k.Identity.String() + " AAAA", "AGE-SECRET-KEY-1XYZ " + strings.Repeat("A", 43)} {
		if _, err := ParseSecret("L001", "王建军", "leader", bad); err == nil {
			t.Errorf("ParseSecret(%q) took it", bad)
		}
	}
}

// TestFingerprintCoversTheWholeCard: any field changed changes the fingerprint, which
// is eight groups of five digits (over 128 bits) to read aloud.
func TestFingerprintCoversTheWholeCard(t *testing.T) {
	c := keys(t, "E001", "李晓梅", "enumerator").Card()
	other := keys(t, "E001", "李晓梅", "enumerator").Card()
	fp := c.Fingerprint()
	if !regexp.MustCompile(`^\d{5}( \d{5}){7}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q: want 8 groups of 5 digits", fp)
	}
	changes := map[string]func(c *Card){
		"code":           func(c *Card) { c.Code = "E002" },
		"name":           func(c *Card) { c.Name = "李晓海" },
		"role":           func(c *Card) { c.Role = "leader" },
		"signing key":    func(c *Card) { c.Verify = other.Verify },
		"encryption key": func(c *Card) { c.Recipient = other.Recipient },
	}
	for name, change := range changes {
		changed := c
		change(&changed)
		if changed.Fingerprint() == fp {
			t.Errorf("the %s changed and the fingerprint did not", name)
		}
	}
}

func TestCards(t *testing.T) {
	k := keys(t, "E001", "阿依古丽·买买提", "enumerator")
	line := k.Card().String()
	c, err := ParseCard(line)
	if err != nil || c.String() != line || c.Fingerprint() != k.Card().Fingerprint() {
		t.Fatalf("round trip: %v %q", err, c.String())
	}
	f := strings.Fields(line)
	bad := map[string]string{
		"not a card":        "hello",
		"missing field":     strings.Join(f[:5], " "),
		"bad code":          strings.Replace(line, " E001 ", " E 001x ", 1),
		"bad role":          strings.Replace(line, " enumerator ", " boss ", 1),
		"bad recipient":     strings.Replace(line, f[4], "age1nothing", 1),
		"bad signing key":   strings.Replace(line, f[5], "AAAA", 1),
		"escape in name":    line + "\x1b[31m",
		"bidi override too": line + "\u202e",
	}
	for name, l := range bad {
		if _, err := ParseCard(l); err == nil {
			t.Errorf("%s: accepted %q", name, l)
		}
	}
	text := "# team 一组\n\n" + line + "\n" + keys(t, "L001", "王建军", "leader").Card().String() + "\nrubbish\n"
	cards, err := ParseCards(text)
	if len(cards) != 2 || err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("ParseCards: %d cards, %v", len(cards), err)
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

func FuzzParseCard(f *testing.F) {
	k, _ := NewKeys("E001", "李晓梅", "enumerator")
	f.Add(k.Card().String())
	f.Add("doorstep-card v1 a b c d e")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseCard(line)
		if err != nil {
			return
		}
		again, err := ParseCard(c.String())
		if err != nil || again.String() != c.String() {
			t.Fatalf("a card does not survive its own line: %q → %q (%v)", line, c.String(), err)
		}
	})
}

func FuzzOpen(f *testing.F) {
	enum, _ := NewKeys("E001", "李晓梅", "enumerator")
	leader, _ := NewKeys("L001", "王建军", "leader")
	var b bytes.Buffer
	Seal(&b, "records", json.RawMessage(`{"a":1}`), enum, []Card{leader.Card()}, now)
	f.Add(b.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Open(bytes.NewReader(data), leader, []Card{enum.Card()})
		if err == nil && string(got.Payload) != `{"a":1}` {
			t.Fatalf("a changed bundle opened: %s", got.Payload)
		}
	})
}
