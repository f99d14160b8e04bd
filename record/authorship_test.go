package record

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCheckAuthors(t *testing.T) {
	type key struct {
		code, role string
		priv       ed25519.PrivateKey
	}
	newKey := func(code, role string) key {
		_, priv, _ := ed25519.GenerateKey(nil)
		return key{code, role, priv}
	}
	e1, e2, l1, stranger := newKey("E001", "enumerator"), newKey("E002", "enumerator"), newKey("L001", "leader"), newKey("E001", "enumerator")
	district, forger := newKey("district", RoleDistrict), newKey("district", RoleDistrict)
	authors := Authors{}
	for _, k := range []key{e1, e2, l1, district} {
		authors[k.code] = append(authors[k.code], Author{Code: k.code, Name: k.code, Role: k.role, Key: k.priv.Public().(ed25519.PublicKey)})
	}
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		signer   *key   // nil: unsigned
		as       string // the author the entry names
		action   string
		newValue string
		at       time.Time
		needCard bool
		want     string // "" for accepted
	}{
		{"its author's key", &e1, "E001", ActionAnswer, `"x"`, since, true, ""},
		{"another's key", &e2, "E001", ActionAnswer, `"x"`, since, false, "says it is by E001 but was signed with the key of E002"},
		{"a key kept for nobody, from a bundle", &stranger, "E001", ActionAnswer, `"x"`, since, true, "not signed with a key of E001 kept here"},
		{"a key kept for nobody, from the server", &stranger, "E001", ActionAnswer, `"x"`, since, false, ""},
		{"unsigned since signatures began", nil, "E001", ActionAnswer, `"x"`, since, false, "says it is by E001 but is not signed"},
		{"unsigned from before", nil, "E001", ActionAnswer, `"x"`, since.Add(-time.Hour), false, ""},
		{"an enumerator's approval", &e1, "E001", ActionStatus, `"approved"`, since, true, "E001 approved the record, but E001 is not a team leader"},
		{"a leader's approval", &l1, "L001", ActionStatus, `"approved"`, since, true, ""},
		{"a return by an enumerator", &e2, "E002", ActionReturn, `[]`, since, true, "E002 returned the record"},
		{"completed by another", &e2, "E002", ActionStatus, `"completed"`, since, true, "E002 completed a record of E001"},
		{"a signature binding another key", &e1, "E001", ActionSign, `{"enumerator_key":"` + EnumeratorKeyText(e2.priv.Public().(ed25519.PublicKey)) + `"}`, since, true, "does not bind the key of E001"},
		{"the district office's return, signed by the district", &district, "office:qu", ActionReturn, `[]`, since, true, ""},
		{"the district office's return, forged with another key", &forger, "office:qu", ActionReturn, `[]`, since, true, "not signed with the district's key: forged"},
		{"the district office's return, signed by a leader", &l1, "office:qu", ActionReturn, `[]`, since, false, "signed with the key of L001"},
		{"the district office's return, unsigned", nil, "office:qu", ActionReturn, `[]`, since, false, "by office:qu but is not signed"},
		{"the district office's return forged, from the server", &forger, "office:qu", ActionReturn, `[]`, since, false, "not signed with the district's key: forged"},
		{"the district's key vouches only for the office", &district, "E001", ActionAnswer, `"x"`, since, false, "signed with the key of district"},
		{"a signature binding its key", &e1, "E001", ActionSign, `{"enumerator_key":"` + EnumeratorKeyText(e1.priv.Public().(ed25519.PublicKey)) + `"}`, since, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{ID: "r1", Enumerator: "E001"}
			e := AuditEntry{Seq: 1, User: tt.as, At: tt.at, Action: tt.action, New: json.RawMessage(tt.newValue)}
			e.Hash = e.ComputeHash()
			if tt.signer != nil {
				e.Sign(r.ID, tt.signer.priv)
			}
			msgs := CheckAuthors(r, []AuditEntry{e}, 0, authors, AuthorCheck{UnsignedBefore: since, NeedCard: tt.needCard})
			got := strings.Join(msgs, "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSignatureBindsRecord: an entry signed for one record does not verify in another.
func TestSignatureBindsRecord(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	authors := Authors{"E001": {{Code: "E001", Role: "enumerator", Key: pub}}}
	e := AuditEntry{Seq: 1, User: "E001", Action: ActionAnswer}
	e.Hash = e.ComputeHash()
	e.Sign("r1", priv)
	if msgs := CheckAuthors(&Record{ID: "r2", Enumerator: "E001"}, []AuditEntry{e}, 0, authors, AuthorCheck{NeedCard: true}); len(msgs) == 0 {
		t.Error("an entry moved to another record verified")
	}
	if e.ComputeHash() != e.Hash {
		t.Error("the signature changed the entry's hash")
	}
}

// TestCoveringSignature: a run of one author's entries is vouched for by its last
// signature; another author's signature covers nothing of it, and an entry changed
// inside a covered run breaks the signature that covers it.
func TestCoveringSignature(t *testing.T) {
	pub1, priv1, _ := ed25519.GenerateKey(nil)
	pub2, priv2, _ := ed25519.GenerateKey(nil)
	authors := Authors{"E001": {{Code: "E001", Role: "enumerator", Key: pub1}}, "L001": {{Code: "L001", Role: "leader", Key: pub2}}}
	r := &Record{ID: "r1", Enumerator: "E001"}
	chain := func(users ...string) []AuditEntry {
		var out []AuditEntry
		prev := ""
		for i, u := range users {
			e := AuditEntry{Seq: uint64(i + 1), User: u, Action: ActionAnswer, New: json.RawMessage(`1`), Prev: prev}
			e.Hash = e.ComputeHash()
			if u == "E001" {
				e.Sign(r.ID, priv1)
			} else {
				e.Sign(r.ID, priv2)
			}
			prev = e.Hash
			out = append(out, e)
		}
		return out
	}
	check := AuthorCheck{NeedCard: true}
	wire := Compact(chain("E001", "E001", "E001", "L001"))
	Relink(wire)
	if n := len(wire[0].Sig) + len(wire[1].Sig); n != 0 || len(wire[2].Sig) == 0 || len(wire[3].Sig) == 0 {
		t.Fatalf("the wire keeps %d signatures of the covered entries", n)
	}
	if msgs := CheckAuthors(r, wire, 0, authors, check); len(msgs) != 0 {
		t.Errorf("a covered run: %v", msgs)
	}
	// L001's signature does not cover an unsigned entry of E001 before it.
	mixed := chain("E001", "L001")
	mixed[0].Sig = nil
	if msgs := CheckAuthors(r, mixed, 0, authors, check); len(msgs) == 0 || !strings.Contains(msgs[0], "entry 1 says it is by E001 but is not signed") {
		t.Errorf("covered by another author: %v", msgs)
	}
	// An entry changed inside a covered run: the covering signature no longer holds.
	forged := Compact(chain("E001", "E001", "E001"))
	forged[1].New = json.RawMessage(`2`)
	Relink(forged)
	if msgs := CheckAuthors(r, forged, 0, authors, check); len(msgs) == 0 {
		t.Error("an entry changed inside a covered run passed")
	}
}
