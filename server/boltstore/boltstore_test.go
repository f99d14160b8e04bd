package boltstore_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// keyed is the conformance suite's: sealed under a key of its own, as
// doorstep-server runs it, with the district's public signing key.
func keyed(t testing.TB, district ed25519.PublicKey) storetest.Opener {
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey())
	return func(now func() time.Time) (store.Store, error) {
		return boltstore.Open(dir, boltstore.Options{Now: now, Sealer: sealer, District: district})
	}
}

// backend is keyed without a district key.
func backend(t testing.TB) storetest.Opener { return keyed(t, nil) }

func TestConformance(t *testing.T) { storetest.Run(t, keyed) }

// TestServerRestartedMidway is the conformance case on its own, to run it many times:
// go test -count=500 -run TestServerRestartedMidway ./server/boltstore/
func TestServerRestartedMidway(t *testing.T) { storetest.ServerRestartedMidway(t, backend) }

// fixture is what the first server's file (made by its code, before the schema had a
// number) holds; testdata/v1-server.json says so.
type fixture struct {
	EnumeratorToken string   `json:"enumerator_token"`
	LeaderToken     string   `json:"leader_token"`
	Epoch           string   `json:"epoch"`
	ServerID        string   `json:"server_id"`
	Photo           string   `json:"photo"`
	PhotoSize       int64    `json:"photo_size"`
	Records         int      `json:"records"`
	Revisions       int      `json:"revisions"`
	Roster          int      `json:"roster"`
	Villages        []string `json:"villages"`
}

// openFixture copies a testdata file to a temporary data folder and opens it with a
// new key, as doorstep-server does: it is migrated and sealed.
func openFixture(t *testing.T, name string) (*boltstore.Store, *attachments.Dir, fixture) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil || json.Unmarshal(data, &fx) != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, boltstore.File), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	att, err := attachments.Open(filepath.Join(dir, "photos"))
	if err != nil {
		t.Fatal(err)
	}
	sealer := seal.New(seal.NewKey())
	att.Sealer = sealer // the photo moves out of the file sealed
	st, err := boltstore.Open(dir, boltstore.Options{Attachments: att, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, att, fx
}

// TestFirstServerFileOpens: a file the first server wrote opens, keeps its identity,
// devices, records, roster and photo, and answers through the indexes it gains.
func TestFirstServerFileOpens(t *testing.T) {
	ctx := context.Background()
	st, att, fx := openFixture(t, "v1-server")
	if st.ID() != fx.ServerID || st.Epoch() != fx.Epoch {
		t.Errorf("identity %s/%s, want %s/%s", st.ID(), st.Epoch(), fx.ServerID, fx.Epoch)
	}
	enum, err := st.Authenticate(ctx, fx.EnumeratorToken)
	if err != nil || enum.User.Code != "E001" {
		t.Fatalf("the enumerator's token: %+v %v", enum, err)
	}
	lead, err := st.Authenticate(ctx, fx.LeaderToken)
	if err != nil || lead.User.Role != "leader" {
		t.Fatalf("the leader's token: %+v %v", lead, err)
	}
	latest, _, err := st.Records(ctx, store.RecordFilter{})
	if err != nil || len(latest) != fx.Records {
		t.Errorf("%d records, want %d (%v)", len(latest), fx.Records, err)
	}
	all, _, _ := st.Records(ctx, store.RecordFilter{All: true})
	if len(all) != fx.Revisions {
		t.Errorf("%d revisions, want %d", len(all), fx.Revisions)
	}
	n := 0
	for _, v := range fx.Villages {
		rows, _, _ := st.Records(ctx, store.RecordFilter{Village: v})
		n += len(rows)
	}
	if n != fx.Records {
		t.Errorf("the village index holds %d records, want %d", n, fx.Records)
	}
	if !att.Has(fx.Photo) {
		t.Error("the photo did not move to the attachments folder")
	}
	if n, complete, _ := att.Offset(fx.Photo, "x"); !complete || n != fx.PhotoSize {
		t.Errorf("the photo has %d bytes", n)
	}
	// A new laptop of a village gets the roster; the enumerator gets the leader's
	// approval back; the leader, the team's records.
	cases := 0
	for _, v := range fx.Villages {
		resp, err := st.Pull(ctx, protocol.User{Code: "E009", Role: "enumerator", Villages: []string{v}}, 0, 1000)
		if err != nil || len(resp.Revisions) != 0 {
			t.Fatalf("a new laptop of %s pulled %d revisions (%v)", v, len(resp.Revisions), err)
		}
		for _, r := range resp.Roster {
			if r.Village != v {
				t.Errorf("a case of %s reached a laptop of %s", r.Village, v)
			}
		}
		cases += len(resp.Roster)
	}
	if cases != fx.Roster {
		t.Errorf("the villages' laptops pulled %d roster cases of %d", cases, fx.Roster)
	}
	if resp, _ := st.Pull(ctx, enum.User, 0, 1000); len(resp.Revisions) != 1 || resp.Revisions[0].Record.Status != "approved" {
		t.Errorf("the enumerator pulled %d revisions", len(resp.Revisions))
	}
	// The same enumerator with every village pulls through the log by enumerator,
	// which the migration to schema 4 built from the log.
	everywhere := protocol.User{Code: enum.User.Code, Role: "enumerator", Villages: []string{"*"}}
	if resp, _ := st.Pull(ctx, everywhere, 0, 1000); len(resp.Revisions) != 1 || len(resp.Roster) != fx.Roster {
		t.Errorf("the enumerator of every village pulled %d revisions and %d roster cases", len(resp.Revisions), len(resp.Roster))
	}
	if resp, _ := st.Pull(ctx, lead.User, 0, 1000); len(resp.Revisions) != fx.Records {
		t.Errorf("the leader pulled %d revisions, want %d", len(resp.Revisions), fx.Records)
	}
	// Everything it held is exported whole.
	count := 0
	err = st.Export(ctx, store.RecordFilter{All: true}, func(s store.StoredRevision) error {
		if len(s.Revision.Audit) == 0 || s.Revision.Record.AuditHead == "" {
			t.Errorf("revision %s exported without its chain", s.ServerID)
		}
		count++
		return nil
	})
	if err != nil || count != fx.Revisions {
		t.Errorf("exported %d, %v", count, err)
	}
}

// TestNewerFileRefused: a file of a newer schema is refused, named, and left as it was.
func TestNewerFileRefused(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	path := filepath.Join(dir, boltstore.File)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := make([]byte, 8)
		b[7] = byte(boltstore.SchemaVersion() + 1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), b)
	})
	db.Close()
	before, _ := os.ReadFile(path)
	_, err = boltstore.Open(dir, boltstore.Options{})
	if !errors.Is(err, boltstore.ErrNewerSchema) {
		t.Fatalf("a newer file: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the newer file was changed")
	}
}

// TestBusy: a second opener of a held file is told a running server holds it.
func TestBusy(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := boltstore.Open(dir, boltstore.Options{}); !errors.Is(err, store.ErrBusy) {
		t.Errorf("a held file: %v", err)
	}
}
