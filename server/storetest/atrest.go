package storetest

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// KnownPerson is a roster case the at-rest tests import: her name and numbers must
// not be readable in a backend's raw data.
var KnownPerson = roster.Row{Name: "欧阳秀英", IDNumber: "110101195003071236", CertificateNumber: "11010119500307123643",
	Village: "王家庄村", CurrentAddress: "王家庄村三组十七号", Phone: "13912345678"}

// Personal fills a district the way a survey does — records pushed from two laptops of
// the same persons (a duplicate interview, resolved), a roster imported, records of
// persons it does not know held for review (one refused) — and returns
// what of it is personal: every name, 18-digit ID number and certificate number the
// district holds. A backend's test then reads its raw data (the file, a dump of the
// database) for them.
func Personal(t testing.TB, d *District) []string {
	t.Helper()
	ctx := context.Background()
	one, two := Laptop(t, 3, "E001"), Laptop(t, 3, "E001")
	Round(t, Enrolled(t, d, one, d.Enrol("E001", "李晓梅", "enumerator", "*")))
	Round(t, Enrolled(t, d, two, d.Enrol("E001", "李晓梅", "enumerator", "*")))
	if _, err := d.Store.ImportRoster(ctx, []roster.Row{KnownPerson}, store.RosterImport{File: "roster.xlsx"}); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	add := func(s string) {
		if len(s) >= 2 {
			secrets = append(secrets, s)
		}
	}
	add(KnownPerson.Name)
	add(KnownPerson.IDNumber)
	add(KnownPerson.CertificateNumber)
	add(KnownPerson.CurrentAddress)
	add(KnownPerson.Phone)
	err := d.Store.Export(ctx, store.RecordFilter{All: true}, func(st store.StoredRevision) error {
		add(st.Case.Name)
		add(st.Case.Subject)
		if len(st.Case.Subject) >= 18 {
			add(st.Case.Subject[:18])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A third laptop of the same persons, now that the roster knows only one other:
	// its records are held for the district's review, one refused.
	Round(t, Enrolled(t, d, Laptop(t, 3, "E001"), d.Enrol("E001", "李晓梅", "enumerator", "*")))
	held, err := HeldAll(ctx, d.Store, false)
	if err != nil || len(held) < 2 {
		t.Fatalf("held for review: %d %v", len(held), err)
	}
	for _, h := range held {
		add(h.Name)
		add(h.Subject)
	}
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: held[0].RecordID, Refuse: "不在底册", By: "office"}); err != nil {
		t.Fatal(err)
	}
	groups, err := d.Store.Duplicates(ctx, false)
	if err != nil || len(groups) == 0 {
		t.Fatalf("no duplicate interview to keep: %v", err)
	}
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: groups[0].Records[0].RecordID, Reason: "重复入户", By: "office"}); err != nil {
		t.Fatal(err)
	}
	return secrets
}
