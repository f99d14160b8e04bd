package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/doorstep-survey/doorstep/server/store"
)

// testKeyCardKept: the key card a laptop sends at enrolment is kept with the device,
// and its fingerprint is the one the laptop shows, for the district to read aloud. A
// card of another user is refused without spending the code.
func testKeyCardKept(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 0, "E001")
	other := Laptop(t, 0, "L001")
	code := d.Enrol("E001", "李晓梅", "enumerator", "*")
	keys, err := other.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Store.Enroll(ctx, code, "L001's laptop", keys.Card().Verify, keys.Card().String()); !errors.Is(err, store.ErrBadCard) {
		t.Errorf("E001's code with L001's key card: %v", err)
	}
	Enrolled(t, d, enum, code) // the code still works, with E001's own card
	mine, err := enum.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	users, err := d.Store.Users(ctx)
	if err != nil || len(users) != 1 || len(users[0].Devices) != 1 {
		t.Fatalf("users %+v %v", users, err)
	}
	dev := users[0].Devices[0]
	if dev.Card != mine.Card().String() || dev.Fingerprint() != mine.Card().Fingerprint() || dev.Fingerprint() == "" {
		t.Errorf("the device keeps card %q (fingerprint %q), want the laptop's, %q", dev.Card, dev.Fingerprint(), mine.Card().Fingerprint())
	}
}
