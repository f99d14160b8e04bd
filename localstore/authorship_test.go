package localstore

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
	"github.com/doorstep-survey/doorstep/record"
)

var enumerator2 = User{Code: "E002", Name: "赵冒名", Role: RoleEnumerator, Team: "一组", Villages: []string{"王庄村"}}

// team is three laptops of one team with the same roster, each keeping the others'
// cards: E001's, the leader L001's and E002's.
func team(t *testing.T) (e1, l1, e2 *Session, casesE1 []Case) {
	t.Helper()
	e1, l1, casesE1, _ = twoLaptops(t)
	e2, err := openTest(t, t.TempDir()).Setup(enumerator2, "enum-pass2")
	if err != nil {
		t.Fatal(err)
	}
	importTest(t, e2)
	exchangeCards(t, e1, l1, e2)
	return e1, l1, e2, casesE1
}

// reseal rewrites a chain from entry from on as its forger would: author as the
// entries say (or as, when set), hashes linked again, each entry signed with key.
func reseal(rev *Revision, from int, as string, key ed25519.PrivateKey) {
	prev := ""
	if from > 0 {
		prev = rev.Audit[from-1].Hash
	}
	for i := from; i < len(rev.Audit); i++ {
		e := &rev.Audit[i]
		if as != "" {
			e.User = as
		}
		e.Prev = prev
		e.Hash = e.ComputeHash()
		e.Sign(rev.Record.ID, key)
		prev = e.Hash
	}
	rev.Record.AuditLen, rev.Record.AuditHead = uint64(len(rev.Audit)), prev
}

// handOver seals revisions into a bundle from sender, as a USB stick carries it, and
// imports it on to.
func handOver(t *testing.T, sender, to *Session, revs ...Revision) []ReceivedItem {
	t.Helper()
	payload, err := json.Marshal(handoverPayload{Revisions: revs})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bundle.Seal(&buf, BundleKind, payload, sender.own, []bundle.Card{to.own.Card()}, sender.db.opts.Now()); err != nil {
		t.Fatal(err)
	}
	_, items, err := to.ImportBundle(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestEveryEntryIsSignedByItsAuthor(t *testing.T) {
	e1, l1, _, cases := team(t)
	done := completeRecord(t, e1, cases[0].ID)
	rev, err := e1.Revision(done.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := e1.own.Card().Verify
	for _, e := range rev.Audit {
		if !ed25519.Verify(key, record.AuditMessage(done.ID, e.Hash), e.Sig) {
			t.Fatalf("entry %d (%s) is not signed by E001's key", e.Seq, e.Action)
		}
	}
	for _, sig := range done.Signatures {
		if sig.EnumeratorKey != record.EnumeratorKeyText(key) {
			t.Errorf("the %s's signature binds key %q, not the enumerator's", sig.Role, sig.EnumeratorKey)
		}
	}
	if items := handOver(t, e1, l1, rev); items[0].Result != Received {
		t.Fatalf("a genuine record: %+v", items[0])
	}
	if _, err := l1.Approve(done.ID); err != nil {
		t.Fatal(err)
	}
	back, _ := l1.Revision(done.ID)
	if items := handOver(t, l1, e1, back); items[0].Result != Received {
		t.Fatalf("a genuine approval: %+v", items[0])
	}
	if probs, err := e1.Verify(); err != nil || len(probs) != 0 {
		t.Errorf("verify: %v %v", probs, err)
	}
}

// TestForgedAuthorRefused: E002 makes a record and hands it over as E001's — the
// leader's import and verify both refuse it, naming E001 and the key that signed.
func TestForgedAuthorRefused(t *testing.T) {
	e1, l1, e2, _ := team(t)
	cases, _ := e2.Cases(CaseFilter{})
	done := completeRecord(t, e2, cases[0].ID)
	rev, _ := e2.Revision(done.ID)
	rev.Record.Enumerator = "E001"
	e1Key := record.EnumeratorKeyText(e1.own.Card().Verify)
	for i := range rev.Record.Signatures {
		rev.Record.Signatures[i].EnumeratorKey = e1Key
	}
	for i, e := range rev.Audit {
		if e.Action == ActionSign {
			var v map[string]string
			_ = json.Unmarshal(e.New, &v)
			v["enumerator_key"] = e1Key
			rev.Audit[i].New = mustJSON(v)
		}
	}
	reseal(&rev, 0, "E001", e2.own.Signing)

	items := handOver(t, e2, l1, rev)
	if items[0].Result != Rejected || !strings.Contains(items[0].Reason, "says it is by E001") ||
		!strings.Contains(items[0].Reason, "E002") {
		t.Fatalf("a record forged as E001's: %+v", items[0])
	}
	if recs, _ := l1.Records(); len(recs) != 0 {
		t.Fatal("the forged record was kept")
	}

	// Written straight into the leader's file (as a pull from a server that believed
	// it would have), verify names the claimed author.
	plant(t, l1, rev)
	probs, err := l1.Verify()
	if err != nil || len(probs) == 0 || !strings.Contains(probs[0].Msg, "says it is by E001") {
		t.Fatalf("verify of a forged record: %v %v", probs, err)
	}
}

// TestSelfApprovalRefused: an enumerator approves their own record, as themselves or
// as the leader; the leader's import and verify refuse both.
func TestSelfApprovalRefused(t *testing.T) {
	tests := []struct {
		name, as, want string
	}{
		{"as themselves", "", "E001 approved the record, but E001 is not a team leader"},
		{"in the leader's name", "L001", "says it is by L001 but was signed with the key of E001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e1, l1, _, cases := team(t)
			done := completeRecord(t, e1, cases[0].ID)
			rev, _ := e1.Revision(done.ID)
			last := rev.Audit[len(rev.Audit)-1]
			rev.Audit = append(rev.Audit, AuditEntry{Seq: last.Seq + 1, User: "E001", At: last.At, Action: ActionStatus,
				Old: jsonString(string(StatusCompleted)), New: jsonString(string(StatusApproved))})
			rev.Record.Status = StatusApproved
			reseal(&rev, len(rev.Audit)-1, tt.as, e1.own.Signing)

			items := handOver(t, e1, l1, rev)
			if items[0].Result != Rejected || !strings.Contains(items[0].Reason, tt.want) {
				t.Fatalf("a self-approved record: %+v, want %q", items[0], tt.want)
			}
			plant(t, l1, rev)
			probs, _ := l1.Verify()
			if len(probs) == 0 || !strings.Contains(probs[0].Msg, tt.want) {
				t.Fatalf("verify of a self-approved record: %v", probs)
			}
		})
	}
}

// TestStatusNeedsItsEntry: an approval written into the record without an audit entry
// is seen.
func TestStatusNeedsItsEntry(t *testing.T) {
	e1, l1, _, cases := team(t)
	done := completeRecord(t, e1, cases[0].ID)
	rev, _ := e1.Revision(done.ID)
	rev.Record.Status = StatusApproved
	items := handOver(t, e1, l1, rev)
	if items[0].Result != Rejected || !strings.Contains(items[0].Reason, "says it is approved, but its audit chain last recorded completed") {
		t.Fatalf("%+v", items[0])
	}
}

// TestUnsignedEntriesRefused: an entry stripped of its signature (as an old Doorstep
// would have written it) is refused when it is dated after signatures began and no
// later signature of the same author covers it; one that is covered (as the wire
// sends a run of one author's entries) is taken.
func TestUnsignedEntriesRefused(t *testing.T) {
	e1, l1, _, cases := team(t)
	done := completeRecord(t, e1, cases[0].ID)
	rev, _ := e1.Revision(done.ID)
	last := len(rev.Audit) - 1
	stripped := rev
	stripped.Audit = slices.Clone(rev.Audit)
	stripped.Audit[last].Sig = nil
	items := handOver(t, e1, l1, stripped)
	if items[0].Result != Rejected || !strings.Contains(items[0].Reason, fmt.Sprintf("audit entry %d says it is by E001 but is not signed", last+1)) {
		t.Fatalf("the last entry unsigned: %+v", items[0])
	}
	wire := rev
	wire.Audit = record.Compact(rev.Audit)
	record.Relink(wire.Audit)
	if signed := slices.IndexFunc(wire.Audit, func(e AuditEntry) bool { return len(e.Sig) > 0 }); signed != last {
		t.Fatalf("the wire keeps the signature of entry %d, want only the last (%d)", signed+1, last+1)
	}
	if items := handOver(t, e1, l1, wire); items[0].Result != Received {
		t.Fatalf("a run covered by its last signature: %+v", items[0])
	}
	if probs, err := l1.Verify(); err != nil || len(probs) != 0 {
		t.Errorf("verify of a covered run: %v %v", probs, err)
	}
}

// TestUnknownAuthorNeedsCard: a bundle carrying entries of someone whose card is not
// kept is refused; the same record pulled from the server (which checks keys) is taken.
func TestUnknownAuthorNeedsCard(t *testing.T) {
	_, l1, e2, _ := team(t)
	stranger, err := openTest(t, t.TempDir()).Setup(User{Code: "E009", Name: "外人", Role: RoleEnumerator, Villages: []string{"王庄村"}}, "enum-pass9")
	if err != nil {
		t.Fatal(err)
	}
	importTest(t, stranger)
	sc, _ := stranger.Cases(CaseFilter{})
	done := completeRecord(t, stranger, sc[0].ID)
	rev, _ := stranger.Revision(done.ID)
	items := handOver(t, e2, l1, rev)
	if items[0].Result != Rejected || !strings.Contains(items[0].Reason, "E009, whose key card is not kept") {
		t.Fatalf("%+v", items[0])
	}
	receive(t, l1, rev, Received)
}

// TestKeysMoveUnderPassphrase: a user of a file from before schema 4 keeps the bundle
// keys their team knows, now wrapped under their passphrase, at their next unlock.
func TestKeysMoveUnderPassphrase(t *testing.T) {
	db, l1 := setupTest(t)
	card := l1.own.Card()
	// As schema 3 left it: the keys sealed under the data key, none in the user record.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := l1.keys.putSealed(tx.Bucket(bucketBundleKeys), string(bucketBundleKeys), []byte("L001"), l1.own.Secret()); err != nil {
			return err
		}
		var rec userRecord
		if _, err := getJSON(tx.Bucket(bucketUsers), []byte("L001"), &rec); err != nil {
			return err
		}
		rec.PrivateKeys, rec.SigningKey = nil, nil
		return putJSON(tx.Bucket(bucketUsers), []byte("L001"), &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock("L001", "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.own.Card(); got.String() != card.String() {
		t.Fatalf("the card changed: %s", got)
	}
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketBundleKeys).Get([]byte("L001")); v != nil {
			t.Error("the keys are still sealed under the data key, which every user holds")
		}
		var rec userRecord
		_, _ = getJSON(tx.Bucket(bucketUsers), []byte("L001"), &rec)
		if rec.PrivateKeys == nil || !bytes.Equal(rec.SigningKey, card.Verify) {
			t.Error("the keys are not in the user record")
		}
		return nil
	})
	again, err := db.Unlock("L001", "leader-pass")
	if err != nil || again.own.Card().String() != card.String() {
		t.Fatalf("second unlock: %v", err)
	}
}

// plant writes a revision into the file as it stands, bypassing every check.
func plant(t *testing.T, s *Session, rev Revision) {
	t.Helper()
	err := s.update(func(tx *bolt.Tx) error {
		c, err := s.caseBySubject(tx, rev.Record.Subject)
		if err != nil {
			return err
		}
		r := rev.Record
		r.CaseID = c.ID
		b, err := tx.Bucket(bucketAudit).CreateBucketIfNotExists([]byte(r.ID))
		if err != nil {
			return err
		}
		for _, e := range rev.Audit {
			if err := s.keys.putSealed(b, auditPath(r.ID), u64(e.Seq), &e); err != nil {
				return err
			}
		}
		return s.keys.putSealed(tx.Bucket(bucketRecords), string(bucketRecords), []byte(r.ID), &r)
	})
	if err != nil {
		t.Fatal(err)
	}
}
