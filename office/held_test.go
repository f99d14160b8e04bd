package office

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestHeldForReview: records of persons the district's roster does not know are listed
// for the district, not counted; it files one under a village (it then counts) and
// refuses the other; a town's account sees none and cannot decide.
func TestHeldForReview(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	db := localstoretest.Open(t)
	if _, err := seed.Fill(db, seed.Options{Options: demo.Options{Seed: 99, Cases: 4, Villages: 1}, Form: personForm, Completed: 2}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	sy := f.enrolAs(s, "another laptop", protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if rep, err := sy.Round(context.Background()); err != nil || rep.Review != 2 {
		t.Fatalf("the other laptop's round: %+v %v", rep, err)
	}
	b := f.signedIn("qu")
	page := b.get("/office/held").body
	ids := regexp.MustCompile(`id="accept-([0-9a-f]{32})"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("the district sees %d held records, want 2: %.800s", len(ids), page)
	}
	if !strings.Contains(page, `id="held-bysender"`) || !strings.Contains(page, "E001 2") || strings.Contains(page, `id="held-next"`) {
		t.Errorf("the open records by sender, on one page: %.1500s", page)
	}
	if z := f.signedIn("zhen"); strings.Contains(z.get("/office/held").body, ids[0][1]) {
		t.Error("a town's account sees the district's held records")
	} else if res := z.post("/office/held", url.Values{"csrf": {z.csrf("/office/held")}, "id": {ids[0][1]}, "action": {"accept"}, "village": {"某村"}}); res.code != http.StatusNotFound {
		t.Errorf("a town's account decided: %d", res.code)
	}
	village := f.district.Villages[0].Name
	res := b.post("/office/held", url.Values{"csrf": {b.csrf("/office/held")}, "id": {ids[0][1]}, "action": {"accept"}, "village": {village}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("accept: %d %.400s", res.code, res.body)
	}
	res = b.post("/office/held", url.Values{"csrf": {b.csrf("/office/held")}, "id": {ids[1][1]}, "action": {"refuse"}, "reason": {"户籍不在本区"}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("refuse: %d %.400s", res.code, res.body)
	}
	// The page lists what the district must act on; what it decided, on request.
	page = b.get("/office/held").body
	if strings.Contains(page, ids[0][1]) || strings.Contains(page, ids[1][1]) || !strings.Contains(page, `id="held-none"`) {
		t.Errorf("the decided records are listed as the queue: %.1500s", page)
	}
	link := regexp.MustCompile(`href="([^"]+)" id="held-decided"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no link to the decided records: %.1500s", page)
	}
	if page := b.get(html.UnescapeString(link[1])).body; !strings.Contains(page, "已归入："+village) || !strings.Contains(page, "不予收录：户籍不在本区") || !strings.Contains(page, `id="held-open"`) {
		t.Errorf("the decided records, on request: %.1500s", page)
	}
	if rep, err := sy.Round(context.Background()); err != nil || rep.Withdrawn != 1 {
		t.Errorf("the refusal did not reach the laptop: %+v %v", rep, err)
	}
}

// TestHeldPaged: the district's page of held records reads the queue a page at a time
// (heldPageSize), with a link to the next, each page summing the whole queue by sender.
func TestHeldPaged(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	s := storetest.Laptop(t, 1, "E001")
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	f.enrolAs(s, "another laptop", u)
	items, _ := s.Outbox(0)
	base, err := s.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := storetest.SigningKey(t, s)
	const n = heldPageSize + 10
	push := make([]protocol.PushItem, n)
	for i := range push {
		push[i] = storetest.Synthetic(base, i, f.district.Villages[0].Name, key)
	}
	res, err := f.store.PutBatch(context.Background(), store.Caller{User: u, Device: "test"}, server.Arrivals(push, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.Review {
			t.Fatalf("not held for review: %+v", r)
		}
	}
	b := f.signedIn("qu")
	accept := regexp.MustCompile(`id="accept-([^"]+)"`)
	next := regexp.MustCompile(`href="([^"]+)" rel="next" id="held-next"`)
	page := b.get("/office/held").body
	first := accept.FindAllStringSubmatch(page, -1)
	m := next.FindStringSubmatch(page)
	if len(first) != heldPageSize || m == nil || m[1] == "" || !strings.Contains(page, fmt.Sprintf("E001 %d", n)) {
		t.Fatalf("the first page: %d records, next %v: %.600s", len(first), m, page)
	}
	page = b.get(html.UnescapeString(m[1])).body
	second := accept.FindAllStringSubmatch(page, -1)
	if len(second) != n-heldPageSize || next.MatchString(page) || !strings.Contains(page, fmt.Sprintf("E001 %d", n)) {
		t.Errorf("the second page: %d records, want %d and no next: %.600s", len(second), n-heldPageSize, page)
	}
	if len(second) > 0 && second[0][1] <= first[len(first)-1][1] {
		t.Errorf("the second page starts at %s, not after %s", second[0][1], first[len(first)-1][1])
	}
	// With the decided ones shown, the next page shows them too.
	if _, err := f.store.DecideReview(context.Background(), store.ReviewDecision{RecordID: first[0][1], Refuse: "查无此人"}); err != nil {
		t.Fatal(err)
	}
	page = b.get("/office/held").body
	if len(accept.FindAllStringSubmatch(page, -1)) != heldPageSize || strings.Contains(page, first[0][1]) {
		t.Errorf("the open queue after a decision: %.600s", page)
	}
	page = b.get("/office/held?all=1").body
	m = next.FindStringSubmatch(page)
	if !strings.Contains(page, first[0][1]) || m == nil || !strings.Contains(html.UnescapeString(m[1]), "all=1") {
		t.Errorf("every held record, paged: next %v: %.600s", m, page)
	}
}
