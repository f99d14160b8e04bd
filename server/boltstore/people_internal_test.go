package boltstore

import (
	"bytes"
	"testing"
)

// TestCompactKeys: what people/ keeps of a blind index and a record id reads back as
// it was, and no two differ only in how they are kept.
func TestCompactKeys(t *testing.T) {
	ids := []string{"0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF", "syn-000000000001",
		"0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0", "a", "x.y-z_1"}
	seen := map[string]string{}
	for _, id := range ids {
		c := compactID(id)
		if got := idOf(c); got != id {
			t.Errorf("%q kept as %x reads %q", id, c, got)
		}
		if other, ok := seen[string(c)]; ok {
			t.Errorf("%q and %q are both kept as %x", id, other, c)
		}
		seen[string(c)] = id
	}
	if c := compactID(ids[0]); len(c) != 17 {
		t.Errorf("a laptop's record id takes %d bytes", len(c))
	}
	blind := "~00112233445566778899aabbccddeeff"
	if c := compactBlind(blind); len(c) != 17 || !isCompactBlind(append(c, 0, 'f')) {
		t.Errorf("a blind index kept as %x", c)
	}
	for _, plain := range []string{"41018819500000000001", "~0011", "~00112233445566778899AABBCCDDEEFF"} {
		if c := compactBlind(plain); !bytes.Equal(c, []byte(plain)) {
			t.Errorf("%q is not a blind index, kept as %x", plain, c)
		}
	}
	// A person's prefix is no other person's or form's.
	a, b := peoplePrefix(blind+"\x00person-2021"), peoplePrefix(blind+"\x00person")
	if bytes.HasPrefix(a, b) || bytes.HasPrefix(b, a) {
		t.Errorf("%x and %x", a, b)
	}
}
