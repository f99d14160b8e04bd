package localstore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"testing"

	"github.com/doorstep-survey/doorstep/bundle"
)

// teammate is another laptop's user whose card this laptop keeps.
func teammate(t *testing.T) bundle.Card {
	t.Helper()
	k, err := bundle.NewKeys("E207", "欧阳秀芝", "enumerator")
	if err != nil {
		t.Fatal(err)
	}
	return k.Card()
}

// TestKeyCardsNotInTheClear: what `strings` would find in the file holds nothing of a
// kept key card — not its name, its user's code, or either key, however written.
func TestKeyCardsNotInTheClear(t *testing.T) {
	db, s := setupTest(t)
	c := teammate(t)
	if err := s.TrustCard(c); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string][]byte{
		"name": []byte(c.Name), "user code": []byte(c.Code), "encryption key": []byte(c.Recipient),
		"signing key": c.Verify, "signing key (hex)": []byte(hex.EncodeToString(c.Verify)),
		"signing key (base64)": []byte(base64.RawStdEncoding.EncodeToString(c.Verify)),
	} {
		if bytes.Contains(data, secret) {
			t.Errorf("the card's %s is in the file in the clear", what)
		}
	}
}
