package storetest

import (
	"context"
	"testing"
	"time"
)

// testLastPush: the district sees when each laptop last pushed (the laptops page):
// the push a laptop's round makes is noted with its device, in the push's own
// transaction, and a laptop that never pushed has no time.
func testLastPush(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	at := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	d.Now = func() time.Time { return at }
	d.Restart()
	enum := Laptop(t, 2, "E001")
	Enrolled(t, d, Laptop(t, 0, "E001"), d.Enrol("E001", "李晓梅", "enumerator", "*")) // enrolled, never pushed
	sy := Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	if rep := Round(t, sy); rep.Pushed != 2 {
		t.Fatalf("the round: %+v", rep)
	}
	users, err := d.Store.Users(ctx)
	if err != nil || len(users) != 1 || len(users[0].Devices) != 2 {
		t.Fatalf("users %+v %v", users, err)
	}
	pushed := 0
	for _, dev := range users[0].Devices {
		switch {
		case dev.LastPush.IsZero():
		case !dev.LastPush.Equal(at):
			t.Errorf("device %q last pushed at %v, want %v", dev.Name, dev.LastPush, at)
		default:
			pushed++
		}
	}
	if pushed != 1 {
		t.Errorf("%d devices with a last push, want the one that pushed: %+v", pushed, users[0].Devices)
	}
}
