package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// signedChain is a completed, signed record with n answers and its linked chain.
func signedChain(n int) record.Revision {
	r := record.Record{ID: "rec-1", Subject: "11010119800101001X11", FormID: "person-2021", FormVersion: "1",
		Enumerator: "E001", Outcome: record.OutcomeInterviewed, Answers: map[string]json.RawMessage{}}
	var audit []record.AuditEntry
	prev := ""
	add := func(e record.AuditEntry) {
		e.Seq, e.User, e.Prev = uint64(len(audit)+1), "E001", prev
		e.At = time.Date(2026, 10, 1, 9, 0, len(audit), 0, time.UTC)
		e.Hash = e.ComputeHash()
		prev = e.Hash
		audit = append(audit, e)
	}
	for i := range n {
		q := string(rune('A' + i))
		r.Answers[q] = json.RawMessage(`1`)
		add(record.AuditEntry{Action: record.ActionAnswer, Question: q, New: json.RawMessage(`1`)})
	}
	h := r.ContentHash()
	r.Signatures = []record.Signature{{Role: record.SignerRespondent, Name: "本人", ContentHash: h}, {Role: record.SignerEnumerator, Name: "李", ContentHash: h}}
	for _, sig := range r.Signatures {
		add(record.AuditEntry{Action: record.ActionSign, Question: string(sig.Role), New: json.RawMessage(`{"content_hash":"` + h + `"}`)})
	}
	add(record.AuditEntry{Action: record.ActionStatus, New: json.RawMessage(`"completed"`)})
	r.Status, r.AuditLen, r.AuditHead, r.Revision = record.StatusCompleted, uint64(len(audit)), prev, uint64(len(audit))
	return record.Revision{Record: r, Audit: audit}
}

func arrival(rev record.Revision) Arrival {
	return Arrival{Item: protocol.PushItem{Seq: 7, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Village: "王庄村"}}}
}

func TestCheck(t *testing.T) {
	e001 := protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"王庄村"}}
	tests := []struct {
		name   string
		from   protocol.User
		change func(a *Arrival)
		want   string // "" passes; else a part of the reason
		code   string
	}{
		{"whole", e001, func(a *Arrival) {}, "", ""},
		{"sent without hashes", e001, func(a *Arrival) { a.Item.Revision.Audit = record.Unlinked(a.Item.Revision.Audit) }, "", ""},
		{"no id", e001, func(a *Arrival) { a.Item.Revision.Record.ID = "" }, "does not say what it is", protocol.ReasonIncomplete},
		{"id another record's key", e001, func(a *Arrival) { a.Item.Revision.Record.ID = "rec-1/\x00\x00\x00\x00\x00\x00\x00\x01" }, "id is not one a laptop makes", protocol.ReasonIncomplete},
		{"id with a slash", e001, func(a *Arrival) { a.Item.Revision.Record.ID = "a/b" }, "id is not one a laptop makes", protocol.ReasonIncomplete},
		{"id with an escape", e001, func(a *Arrival) { a.Item.Revision.Record.ID = "rec\x1b[2J" }, "id is not one a laptop makes", protocol.ReasonIncomplete},
		{"id too long", e001, func(a *Arrival) { a.Item.Revision.Record.ID = strings.Repeat("a", 65) }, "id is not one a laptop makes", protocol.ReasonIncomplete},
		{"subject with a control character", e001, func(a *Arrival) {
			a.Item.Case.Subject, a.Item.Revision.Record.Subject = "\x01"+a.Item.Case.Subject, "\x01"+a.Item.Case.Subject
		}, "its subject holds a control character", protocol.ReasonIncomplete},
		{"no village", e001, func(a *Arrival) { a.Item.Case.Village = "" }, "does not say what it is", protocol.ReasonIncomplete},
		{"another village", e001, func(a *Arrival) { a.Item.Case.Village = "新华社区" }, "not one of E001's villages", protocol.ReasonWrongVillage},
		{"whole district", protocol.User{Code: "L9", Villages: []string{"*"}}, func(a *Arrival) { a.Item.Case.Village = "新华社区" }, "", ""},
		{"case not the record's", e001, func(a *Arrival) { a.Item.Case.Subject = "X" }, "does not match the case", protocol.ReasonCaseMismatch},
		{"village form elsewhere", e001, func(a *Arrival) {
			a.Item.Revision.Record.Village = "新华社区"
		}, "village does not match", protocol.ReasonCaseMismatch},
		{"draft", e001, func(a *Arrival) { a.Item.Revision.Record.Status = record.StatusDraft }, "a draft record is not sent", protocol.ReasonNotCompleted},
		{"no chain", e001, func(a *Arrival) { a.Item.Revision.Audit = nil }, "without its audit chain", protocol.ReasonNoAuditChain},
		{"answer forged", e001, func(a *Arrival) { a.Item.Revision.Record.Answers["A"] = json.RawMessage(`2`) }, "answer A is not the one", protocol.ReasonAuditChain},
		{"entry forged, sent without hashes", e001, func(a *Arrival) {
			w := record.Unlinked(a.Item.Revision.Audit)
			w[0].New = json.RawMessage(`2`)
			a.Item.Revision.Audit = w
		}, "does not end its audit chain", protocol.ReasonAuditChain},
		{"chain longer than the record says", e001, func(a *Arrival) { a.Item.Revision.Record.AuditLen-- }, "does not end", protocol.ReasonAuditChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := arrival(signedChain(3))
			tt.change(&a)
			res, ok := Check(tt.from, a)
			if tt.want == "" {
				if !ok {
					t.Fatalf("refused: %s", res.Reason)
				}
				return
			}
			if ok || res.Result != protocol.Rejected || !strings.Contains(res.Reason, tt.want) || res.Seq != 7 || res.Code != tt.code {
				t.Fatalf("Check = %+v, %v; want rejected with %q (%s)", res, ok, tt.want, tt.code)
			}
		})
	}
}

// The ids laptops make, and the tests' and the benchmarks' own, are taken.
func TestRecordIDOK(t *testing.T) {
	for _, id := range []string{"0f3c9a1be45d7788c2a1f0e9d8b7a6c5", "syn-000000000042", "person-2021", "r1", "s-7", "rec_1.2", strings.Repeat("f", 64)} {
		if !recordIDOK(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{"", "a/b", "a b", "李", "a\x00", strings.Repeat("f", 65)} {
		if recordIDOK(id) {
			t.Errorf("%q taken", id)
		}
	}
}

func TestDecide(t *testing.T) {
	full := signedChain(3) // 6 entries
	heads := record.Heads(full.Audit)
	other := signedChain(4) // parts from full at entry 4
	otherHeads := record.Heads(other.Audit)
	short := record.Revision{Record: full.Record, Audit: full.Audit[:4]}
	received := time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		held    Held
		arrives record.Revision
		missing []string
		want    Decision
	}{
		{"new", Held{}, full, nil, Decision{Result: protocol.Stored}},
		{"resent", Held{Latest: &HeldLatest{6, heads}, Same: &HeldRevision{heads[5], "s-1", received}}, full, nil,
			Decision{Result: protocol.Duplicate, Receipt: HeldRevision{heads[5], "s-1", received}}},
		{"same revision, another chain", Held{Latest: &HeldLatest{6, otherHeads[:6]}, Same: &HeldRevision{Head: otherHeads[5]}}, full, nil,
			Decision{Result: protocol.Rejected, Code: protocol.ReasonConflict, Reason: record.ErrConflict.Error()}},
		{"older than held", Held{Latest: &HeldLatest{6, heads}}, short, nil, Decision{Result: protocol.Stale}},
		{"shorter, parted", Held{Latest: &HeldLatest{7, otherHeads}}, full, nil,
			Decision{Result: protocol.Rejected, Code: protocol.ReasonConflict, Reason: record.ErrConflict.Error()}},
		{"extends held", Held{Latest: &HeldLatest{4, heads[:4]}}, full, nil, Decision{Result: protocol.Stored}},
		{"longer, parted", Held{Latest: &HeldLatest{2, []string{heads[0], "x"}}}, full, nil,
			Decision{Result: protocol.Rejected, Code: protocol.ReasonConflict, Reason: record.ErrConflict.Error()}},
		{"photo missing", Held{}, full, []string{"abcdef0123456789"}, Decision{Result: protocol.Rejected, Retry: true, Code: protocol.ReasonPhotoMissing, Args: []string{"abcdef01"}, Reason: "photo abcdef01 has not been uploaded"}},
		{"photo missing but resent", Held{Same: &HeldRevision{Head: heads[5]}}, full, []string{"abcdef01"}, Decision{Result: protocol.Duplicate, Receipt: HeldRevision{Head: heads[5]}}},
		{"second interview of the person", Held{Others: []string{"rec-0"}}, full, nil, Decision{Result: protocol.Stored, DuplicateOf: []string{"rec-0"}}},
		{"a later revision of a duplicate", Held{Latest: &HeldLatest{4, heads[:4]}, Others: []string{"rec-0"}}, full, nil, Decision{Result: protocol.Stored}},
		// The duplicate-reopen rule: a third record of the person comes with the other
		// two, whatever the district chose; a revision of the withdrawn one does not.
		{"a third interview of the person", Held{Others: []string{"rec-0", "rec-2"}}, full, nil, Decision{Result: protocol.Stored, DuplicateOf: []string{"rec-0", "rec-2"}}},
		{"a revision of the withdrawn record", Held{Latest: &HeldLatest{5, heads[:5]}, Others: []string{"rec-0", "rec-2"}}, full, nil, Decision{Result: protocol.Stored}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := arrival(tt.arrives)
			a.Missing = tt.missing
			got := Decide(tt.held, a)
			if got.Result != tt.want.Result || got.Reason != tt.want.Reason || got.Retry != tt.want.Retry ||
				got.Code != tt.want.Code || strings.Join(got.Args, ",") != strings.Join(tt.want.Args, ",") ||
				got.Receipt != tt.want.Receipt || strings.Join(got.DuplicateOf, ",") != strings.Join(tt.want.DuplicateOf, ",") {
				t.Errorf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDecideUnknownForm: a record of a form the district does not hold is held, named
// by its form, not refused; a revision stored before is still a duplicate.
func TestDecideUnknownForm(t *testing.T) {
	full := signedChain(3)
	a := arrival(full)
	a.UnknownForm = true
	got := Decide(Held{}, a)
	form := full.Record.FormID + "@" + full.Record.FormVersion
	if got.Result != protocol.Rejected || !got.Retry || got.Code != protocol.ReasonFormUnknown || len(got.Args) != 1 || got.Args[0] != form {
		t.Errorf("Decide = %+v", got)
	}
	heads := record.Heads(full.Audit)
	if got := Decide(Held{Latest: &HeldLatest{6, heads}, Same: &HeldRevision{Head: heads[5]}}, a); got.Result != protocol.Duplicate {
		t.Errorf("a resend of a stored revision: %+v", got)
	}
}

func TestPersonKey(t *testing.T) {
	if PersonKey("", "community-2021") != "" {
		t.Error("a village's form has a person key")
	}
	if PersonKey("A", "person-2021") == PersonKey("A", "person-2022") {
		t.Error("two years' forms share a key")
	}
}
