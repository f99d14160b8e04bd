package pgstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/server/pgtest"
)

// A database made before migration 0011 kept the reason of a duplicate interview a new
// record reopened: the interview reads as open after it, that reason its earlier
// choice; a resolved one stays as it was.
func TestReopenedBefore0011(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m Migration) bool { return strings.HasSuffix(m.Name, "duplicate_earlier") })
	if i < 0 {
		t.Fatal("no migration duplicate_earlier")
	}
	old, err := Open(ctx, url, Options{Migrations: ms[:i]})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	execSQL(t, url, `INSERT INTO duplicates (person_key, subject_sealed, form_id, found, kept, reason, resolved_by, resolved_at) VALUES
		('p1', 'subject-1', 'person-2021', 1, '', '重复入户', '', NULL),
		('p2', 'subject-2', 'person-2021', 2, 'r2', '保留先到的', 'office', now())`)
	s := openTest(t, url)
	groups, err := s.Duplicates(ctx, true)
	if err != nil || len(groups) != 2 {
		t.Fatalf("%+v %v", groups, err)
	}
	if g := groups[0]; g.Kept != "" || g.Reason != "" || len(g.Earlier) != 1 || g.Earlier[0].Reason != "重复入户" {
		t.Errorf("the interview reopened before 0011: %+v", g)
	}
	if g := groups[1]; g.Kept != "r2" || g.Reason != "保留先到的" || g.Earlier != nil {
		t.Errorf("a resolved interview changed: %+v", g)
	}
	if open, err := s.Duplicates(ctx, false); err != nil || len(open) != 1 || open[0].Subject != "subject-1" {
		t.Errorf("open: %+v %v", open, err)
	}
}
