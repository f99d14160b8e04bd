package store

import (
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// keyed is a completed chain of E001 (answers, then completed), each entry signed with
// key when key is not nil; more entries by other users follow, unsigned.
func keyed(key ed25519.PrivateKey, more ...string) record.Revision {
	r := record.Record{ID: "rec-1", Subject: "11010119800101001X11", FormID: "person-2021", Enumerator: "E001",
		Status: record.StatusCompleted, Answers: map[string]json.RawMessage{"A": json.RawMessage(`1`)}}
	var audit []record.AuditEntry
	add := func(user string, e record.AuditEntry, k ed25519.PrivateKey) {
		e.Seq, e.User = uint64(len(audit)+1), user
		e.At = time.Date(2026, 10, 1, 9, 0, len(audit), 0, time.UTC)
		if len(audit) > 0 {
			e.Prev = audit[len(audit)-1].Hash
		}
		e.Hash = e.ComputeHash()
		if k != nil {
			e.Sign(r.ID, k)
		}
		audit = append(audit, e)
	}
	add("E001", record.AuditEntry{Action: record.ActionAnswer, Question: "A", New: json.RawMessage(`1`)}, key)
	add("E001", record.AuditEntry{Action: record.ActionAnswer, Question: "A", New: json.RawMessage(`2`)}, key)
	add("E001", record.AuditEntry{Action: record.ActionStatus, New: json.RawMessage(`"completed"`)}, key)
	for _, u := range more {
		add(u, record.AuditEntry{Action: record.ActionStatus, New: json.RawMessage(`"approved"`)}, nil)
	}
	return record.Revision{Record: r, Audit: audit}
}

func TestSigned(t *testing.T) {
	pub1, key1, _ := ed25519.GenerateKey(nil)
	pub2, key2, _ := ed25519.GenerateKey(nil)
	enrolled := record.Authors{
		"E001": {{Code: "E001", Role: "enumerator", Key: pub1}},
		"E002": {{Code: "E002", Role: "enumerator", Key: pub2}},
	}
	tests := []struct {
		name string
		rev  record.Revision
		held Held
		want string // "" passes; else a part of the reason
	}{
		{"signed by its author", keyed(key1), Held{Keys: enrolled}, ""},
		{"signed with another user's key", keyed(key2), Held{Keys: enrolled}, "E002"},
		{"not signed", keyed(nil), Held{Keys: enrolled}, "by E001 but is not signed"},
		{"no key enrolled for the author", keyed(key1), Held{Keys: record.Authors{"E002": enrolled["E002"]}}, "enrol the laptop again"},
		{"a key not enrolled", keyed(key1), Held{Keys: record.Authors{"E001": enrolled["E002"]}}, "E001"},
		{"held entries are not judged again", keyed(nil), Held{Latest: &HeldLatest{Heads: record.Heads(keyed(nil).Audit)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := protocol.User{Code: "E001", Role: "enumerator"}
			checkSigned(t, from, tt.held, arrival(tt.rev), enrolled, tt.want)
		})
	}
}

// TestSignedRevoked: a lost laptop's key vouches for what it signed before its
// revocation, when the author's leader carries it; never for what it signed after,
// nor when the author sends it.
func TestSignedRevoked(t *testing.T) {
	pub1, key1, _ := ed25519.GenerateKey(nil)
	pubL, _, _ := ed25519.GenerateKey(nil)
	keys := record.Authors{"L001": {{Code: "L001", Role: "leader", Key: pubL}}}
	users := map[string]protocol.User{"E001": {Code: "E001", Name: "李晓梅", Role: "enumerator"}}
	signedAt := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC) // keyed's entries: 09:00:00–02
	leader := protocol.User{Code: "L001", Role: "leader"}
	e001 := protocol.User{Code: "E001", Role: "enumerator"}
	revoked := func(at time.Time) map[string][]RevokedKey {
		return map[string][]RevokedKey{"E001": {{Key: pub1, At: at, Device: "旧笔记本"}}}
	}
	tests := []struct {
		name string
		from protocol.User
		held Held
		want string
	}{
		{"carried by the leader, signed before the revocation", leader, Held{Keys: keys, Users: users, Revoked: revoked(signedAt.Add(time.Hour))}, ""},
		{"carried by the leader, signed after the revocation", leader, Held{Keys: keys, Users: users, Revoked: revoked(signedAt.Add(time.Second))}, "revoked"},
		{"revoked before keeping the time", leader, Held{Keys: keys, Users: users, Revoked: revoked(time.Time{})}, "revoked"},
		{"sent by the author", e001, Held{Keys: keys, Users: users, Revoked: revoked(signedAt.Add(time.Hour))}, "revoked"},
		{"no revocation: the key is not the district's", leader, Held{Keys: keys, Users: users}, "E001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSigned(t, tt.from, tt.held, arrival(keyed(key1)), keys, tt.want)
		})
	}
}

// TestSignedOffice: the district office console's decisions are signed by the district's
// key and checked against it like any other entry; an office entry unsigned, or signed
// by anyone else, is refused — there is no bypass for the office.
func TestSignedOffice(t *testing.T) {
	pub1, key1, _ := ed25519.GenerateKey(nil)
	dpub, dkey, _ := ed25519.GenerateKey(nil)
	pubL, keyL, _ := ed25519.GenerateKey(nil)
	enrolled := record.Authors{"E001": {{Code: "E001", Role: "enumerator", Key: pub1}}, "L001": {{Code: "L001", Role: "leader", Key: pubL}}}
	office := protocol.User{Code: "office:qu", Role: "leader", Villages: []string{"*"}}
	returned := func(key ed25519.PrivateKey) record.Revision {
		rev := keyed(key1, "office:qu")
		if key != nil {
			rev.Audit[len(rev.Audit)-1].Sign(rev.Record.ID, key)
		}
		return rev
	}
	tests := []struct {
		name string
		rev  record.Revision
		held Held
		want string
	}{
		{"signed by the district's key", returned(dkey), Held{Keys: enrolled, District: dpub}, ""},
		{"unsigned", returned(nil), Held{Keys: enrolled, District: dpub}, "office:qu but is not signed"},
		{"signed by a leader's key", returned(keyL), Held{Keys: enrolled, District: dpub}, "signed with the key of L001"},
		{"the server has no district key", returned(dkey), Held{Keys: enrolled}, "no district key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSigned(t, office, tt.held, arrival(tt.rev), enrolled, tt.want)
		})
	}
}

// checkSigned judges a by Signed and wants a refusal whose words hold want, with one of
// the protocol's codes ("" wants none); and the same judgement with the signatures
// verified before the lock (PreVerify) by the keys enrolled then, which may differ from
// those read under it.
func checkSigned(t *testing.T, from protocol.User, held Held, a Arrival, enrolled record.Authors, want string) {
	t.Helper()
	got := Signed(from, held, a)
	if want == "" && got.Code != "" || want != "" && !strings.Contains(got.Text, want) {
		t.Errorf("Signed = %+v, want %q", got, want)
	}
	if want != "" && !slices.Contains(protocol.ReasonCodes, got.Code) {
		t.Errorf("Signed refuses with code %q, which is not one of protocol.ReasonCodes", got.Code)
	}
	held.Verdicts = PreVerify([]Arrival{a}, []bool{true}, enrolled)
	if again := Signed(from, held, a); !reflect.DeepEqual(again, got) {
		t.Errorf("with verdicts worked out before: %+v, without: %+v", again, got)
	}
}

func TestVerdicts(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	a := arrival(keyed(key))
	v := PreVerify([]Arrival{a}, []bool{true}, record.Authors{"E001": {{Code: "E001", Key: other}, {Code: "E001", Key: pub}}})
	e := a.Item.Revision.Audit[0]
	msg := record.AuditMessage(a.Item.Revision.Record.ID, e.Hash)
	if len(v.ok) != 2*len(a.Item.Revision.Audit) {
		t.Errorf("%d verdicts, want both keys tried for each of %d signatures", len(v.ok), len(a.Item.Revision.Audit))
	}
	for _, tt := range []struct {
		key  ed25519.PublicKey
		sig  []byte
		want bool
	}{{pub, e.Sig, true}, {other, e.Sig, false}, {pub, append([]byte{1}, e.Sig[1:]...), false}} {
		if got := v.Verify(tt.key, msg, tt.sig); got != tt.want || (*Verdicts)(nil).Verify(tt.key, msg, tt.sig) != tt.want {
			t.Errorf("Verify = %v, want %v", got, tt.want)
		}
	}
	if PreVerify([]Arrival{a}, []bool{false}, record.Authors{"E001": {{Key: pub}}}).ok[verdictKey{string(pub), string(msg), string(e.Sig)}] {
		t.Error("an arrival Check refused was verified")
	}
}
