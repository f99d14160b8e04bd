package boltstore_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// fixture6 is what testdata/v6-records.db holds: a sealed file of schema 6, its key.
type fixture6 struct {
	Key       string   `json:"key"` // the data key of the fixture, seal.Key.Text
	Records   []string `json:"records"`
	Revisions int      `json:"revisions"`
	Approved  string   `json:"approved"` // the record with two revisions
}

// TestMakeFixture6 wrote testdata/v6-records.db with the server of schema 6 (the tree
// at commit a5cf07d, this file copied into it), and runs only there:
//
//	DOORSTEP_MAKE_FIXTURE=v6 go test -run TestMakeFixture6 ./server/boltstore/
func TestMakeFixture6(t *testing.T) {
	if os.Getenv("DOORSTEP_MAKE_FIXTURE") != "v6" {
		t.Skip("makes the fixture only when asked (DOORSTEP_MAKE_FIXTURE=v6)")
	}
	if boltstore.SchemaVersion() != 6 {
		t.Fatalf("this program writes schema %d: the fixture is schema 6's", boltstore.SchemaVersion())
	}
	dir := t.TempDir()
	key := seal.NewKey()
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now, Sealer: seal.New(key)})
		}
	}, nil)
	enum := storetest.Laptop(t, 3, "E001")
	lead := storetest.Laptop(t, 0, "L001")
	whole := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	d.EnrolKey(whole, enum)
	d.EnrolKey(leader, lead)
	fx := fixture6{Key: key.Text()}
	recs, _ := enum.Records()
	for _, r := range recs {
		if r.Status != localstore.StatusCompleted {
			continue
		}
		if res := pushOf(t, d, whole, enum, r.ID, uint64(len(fx.Records)+1)); res.Result != protocol.Stored {
			t.Fatalf("%+v", res)
		}
		fx.Records = append(fx.Records, r.ID)
	}
	fx.Approved = fx.Records[0]
	rev, _ := enum.Revision(fx.Approved)
	if res, reason, err := lead.Receive(rev); err != nil || res != localstore.Received {
		t.Fatalf("hand over: %s %s %v", res, reason, err)
	}
	if _, err := lead.Approve(fx.Approved); err != nil {
		t.Fatal(err)
	}
	if res := pushOf(t, d, leader, lead, fx.Approved, 9); res.Result != protocol.Stored {
		t.Fatalf("%+v", res)
	}
	fx.Revisions = len(fx.Records) + 1
	d.Stop()
	raw, err := os.ReadFile(filepath.Join(dir, boltstore.File))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.MarshalIndent(fx, "", "  ")
	if err := os.WriteFile(filepath.Join("testdata", "v6-records.db"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "v6-records.json"), append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pushOf pushes a laptop's record as u, as the laptop sends it.
func pushOf(t *testing.T, d *storetest.District, u protocol.User, s *localstore.Session, id string, seq uint64) protocol.PushResult {
	t.Helper()
	return d.Put(u, storetest.Item(t, s, id, seq))
}

// openFixture6 copies testdata/v6-records.db to a data folder; steps, when not nil,
// runs there before it is opened (an upgrade interrupted).
func openFixture6(t *testing.T, steps func(dir string, sealer *seal.Sealer)) (*boltstore.Store, fixture6) {
	t.Helper()
	var fx fixture6
	dir := copyFixture(t, "v6-records", &fx)
	key, err := seal.ParseKey(fx.Key)
	if err != nil {
		t.Fatal(err)
	}
	if steps != nil {
		steps(dir, seal.New(key))
	}
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: seal.New(key)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, fx
}

// checkFixture6 is what the fixture holds, read through this schema: every revision
// and every record's state by its log position, exported, listed and pulled.
func checkFixture6(t *testing.T, st *boltstore.Store, fx fixture6) {
	t.Helper()
	ctx := context.Background()
	if bySeq, byRecord, schema := st.RevisionKeys(); bySeq != fx.Revisions || byRecord != 0 || schema != boltstore.SchemaVersion() {
		t.Errorf("revisions/ keys: %d by log position, %d by record; schema %d", bySeq, byRecord, schema)
	}
	if states, records, _ := st.States(); states != len(fx.Records) || records != 0 {
		t.Errorf("%d states by log position, %d by record id; want %d, 0", states, records, len(fx.Records))
	}
	if n, err := st.StatesAstray(); n != 0 || err != nil {
		t.Errorf("%d states without their record's id or not where revseq/ says, %v", n, err)
	}
	revs := map[string]int{}
	err := st.Export(ctx, store.RecordFilter{All: true}, func(r store.StoredRevision) error {
		if err := record.VerifyRevision(r.Revision); len(err) > 0 {
			t.Errorf("exported %s: %v", r.Revision.Record.ID, err)
		}
		revs[r.Revision.Record.ID]++
		return nil
	})
	if err != nil || len(revs) != len(fx.Records) || revs[fx.Approved] != 2 {
		t.Errorf("exported %v, %v", revs, err)
	}
	rows, _, err := st.Records(ctx, store.RecordFilter{})
	if err != nil || len(rows) != len(fx.Records) {
		t.Errorf("listed %d records, %v", len(rows), err)
	}
	for _, r := range rows {
		if r.RecordID == fx.Approved && r.Status != string(localstore.StatusApproved) {
			t.Errorf("the approved record lists as %s", r.Status)
		}
	}
	// By village and enumerator (vlogp/ and idxp/ from schema 10).
	byVillage, pulled := map[string]int{}, 0
	for _, r := range rows {
		byVillage[r.Village]++
	}
	for v, n := range byVillage {
		if listed, _, err := st.Records(ctx, store.RecordFilter{Village: v}); err != nil || len(listed) != n {
			t.Errorf("village %s lists %d records, %v; want %d", v, len(listed), err, n)
		}
		p, err := st.Pull(ctx, protocol.User{Code: "L998", Role: "leader", Villages: []string{v}}, 0, 100)
		if err != nil {
			t.Error(err)
		}
		pulled += len(p.Revisions)
	}
	if pulled != fx.Revisions {
		t.Errorf("the leaders of each village pulled %d revisions in all, want %d", pulled, fx.Revisions)
	}
	if listed, _, err := st.Records(ctx, store.RecordFilter{Enumerator: "E001"}); err != nil || len(listed) != len(fx.Records) {
		t.Errorf("E001's records: %d listed, %v", len(listed), err)
	}
	someone := protocol.User{Code: "L999", Role: "leader", Villages: []string{"*"}}
	p, err := st.Pull(ctx, someone, 0, 100)
	if err != nil || len(p.Revisions) != fx.Revisions {
		t.Errorf("a leader's pull: %d revisions, %v", len(p.Revisions), err)
	}
}

// TestSchema6RecordsRekeyed: a file of schema 6 (sealed) is brought to schema 8 at open:
// its revisions keyed by log position, all of them read back.
func TestSchema6RecordsRekeyed(t *testing.T) {
	st, fx := openFixture6(t, nil)
	checkFixture6(t, st, fx)
}

// fx6Revisions and fx6Records are how many revisions and records
// testdata/v6-records.db holds.
const fx6Revisions, fx6Records = 4, 3

// TestRekeyResumes: keying revisions by log position, interrupted after each step,
// goes on where it stopped at the next open; nothing is lost or moved twice.
func TestRekeyResumes(t *testing.T) {
	st, fx := openFixture6(t, func(dir string, sealer *seal.Sealer) {
		for range 2 {
			if done, err := boltstore.RekeyStep(dir, sealer, 1); err != nil || done {
				t.Fatalf("one step: done %v, %v", done, err)
			}
		}
		if bySeq, byRecord, schema, err := boltstore.FileRevisionKeys(dir); bySeq != 2 || byRecord != fx6Revisions-2 || schema != 6 || err != nil {
			t.Fatalf("after two steps of one: %d by log position, %d by record, schema %d, %v", bySeq, byRecord, schema, err)
		}
	})
	checkFixture6(t, st, fx)
}

// TestStatesMoveResumes: moving the records' states to states/, interrupted after
// each step, goes on where it stopped at the next open; nothing is lost or moved twice,
// and a record moves at its latest revision (the approved one's second, last in the log).
func TestStatesMoveResumes(t *testing.T) {
	st, fx := openFixture6(t, func(dir string, sealer *seal.Sealer) {
		for range 2 {
			if done, err := boltstore.StatesStep(dir, sealer, 1); err != nil || done {
				t.Fatalf("one step: done %v, %v", done, err)
			}
		}
		if states, records, schema, err := boltstore.FileStates(dir); states != 1 || records != fx6Records-1 || schema != 6 || err != nil {
			t.Fatalf("after two steps of one log entry: %d states moved, %d left, schema %d, %v", states, records, schema, err)
		}
	})
	checkFixture6(t, st, fx)
}

// copyFixture puts a copy of testdata/NAME.db in a new data folder, and reads what
// testdata/NAME.json says of it into fx.
func copyFixture(t *testing.T, name string, fx any) (dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil || json.Unmarshal(data, fx) != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, boltstore.File), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPeriodsMoveResumes: keying the log and rows by village by period (schema 10),
// interrupted after each step, goes on where it stopped at the next open; every entry
// moves once, and the pulls and listings by village read them all.
func TestPeriodsMoveResumes(t *testing.T) {
	st, fx := openFixture6(t, func(dir string, sealer *seal.Sealer) {
		if err := boltstore.UpgradeTo(dir, sealer, 9); err != nil {
			t.Fatal(err)
		}
		keys, _, _ := boltstore.FileKeys(dir, "vlog", "idx")
		old := keys[0] + keys[1]
		for range 2 {
			if done, err := boltstore.PeriodStep(dir, sealer, 1); err != nil || done {
				t.Fatalf("one step: done %v, %v", done, err)
			}
		}
		keys, schema, err := boltstore.FileKeys(dir, "vlogp", "idxp", "vlog", "idx")
		if byPeriod, left := keys[0]+keys[1], keys[2]+keys[3]; byPeriod != 2 || left != old-2 || schema != 9 || err != nil {
			t.Fatalf("after two steps of one of %d entries: %d moved, %d left, schema %d, %v", old, byPeriod, left, schema, err)
		}
	})
	checkFixture6(t, st, fx)
	keys, schema := st.Keys("vlogp", "idxp", "vlog", "idx")
	if byPeriod, old := keys[0]+keys[1], keys[2]+keys[3]; old != 0 || byPeriod == 0 || schema != boltstore.SchemaVersion() {
		t.Errorf("opened: %d entries by period, %d not, schema %d", byPeriod, old, schema)
	}
}

// TestPeopleMoveResumes: keying a person's records compactly (schema 11), interrupted
// after each step, goes on where it stopped at the next open; every record is found by
// its person after it, and a second record of a person is still a duplicate interview.
func TestPeopleMoveResumes(t *testing.T) {
	var dir string
	st, fx := openFixture6(t, func(d string, sealer *seal.Sealer) {
		dir = d
		if err := boltstore.UpgradeTo(dir, sealer, 10); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if done, err := boltstore.PeopleStep(dir, sealer, 1); err != nil || done {
				t.Fatalf("one step: done %v, %v", done, err)
			}
		}
		keys, schema, err := boltstore.FileKeys(dir, "people", "persons")
		if people, persons := keys[0], keys[1]; people != 2 || persons != fx6Records-2 || schema != 10 || err != nil {
			t.Fatalf("after two steps of one: %d moved, %d left, schema %d, %v", people, persons, schema, err)
		}
	})
	checkFixture6(t, st, fx)
	keys, schema := st.Keys("people", "persons")
	if people, persons := keys[0], keys[1]; people != fx6Records || persons != 0 || schema != boltstore.SchemaVersion() {
		t.Errorf("opened: %d in people/, %d in persons/, schema %d", people, persons, schema)
	}
	ctx := context.Background()
	rows, _, err := st.Records(ctx, store.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Subject == "" {
			continue
		}
		if byPerson, _, err := st.Records(ctx, store.RecordFilter{Subject: r.Subject}); err != nil || len(byPerson) == 0 || byPerson[0].RecordID != r.RecordID {
			t.Errorf("record %s by its person %s: %+v, %v", r.RecordID, r.Subject, byPerson, err)
		}
	}
	// Another laptop of the enumerator interviews the same persons again (other record
	// ids): each is a duplicate interview of a record stored before the upgrade.
	other := storetest.Laptop(t, 3, "E001")
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	if err := storetest.EnrolKey(st, u, other); err != nil {
		t.Fatal(err)
	}
	recs, _ := other.Records()
	var push []protocol.PushItem
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			push = append(push, storetest.Item(t, other, r.ID, uint64(len(push)+1)))
		}
	}
	res, err := st.PutBatch(ctx, store.Caller{User: u, Device: "laptop of E001"}, server.Arrivals(push, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Result != protocol.Stored {
			t.Fatalf("the second laptop's record: %+v", r)
		}
	}
	groups, err := st.Duplicates(ctx, false)
	if err != nil || len(groups) != len(push) {
		t.Fatalf("%d duplicate interviews of %d records pushed again, %v", len(groups), len(push), err)
	}
	for _, g := range groups {
		if len(g.Records) != 2 || !slices.ContainsFunc(g.Records, func(r store.RecordRow) bool { return slices.Contains(fx.Records, r.RecordID) }) {
			t.Errorf("a duplicate interview of %+v", g.Records)
		}
	}
}
