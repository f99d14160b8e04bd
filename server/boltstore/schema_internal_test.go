package boltstore

import "testing"

// The in-transaction migrations end at schema 4: sealing is 5, then the derived steps
// (the count of open held records 6, the open queue 7, revisions keyed by log
// position 8, the records' states keyed by log position 9, the village
// logs and indexes keyed by period 10, a person's
// records keyed compactly 11), so a step appended to
// migrations would be numbered 5 and skipped by every sealed file. A later step is
// appended to derived.
func TestMigrationListIsClosed(t *testing.T) {
	if len(migrations) != 4 || sealedSchema() != 5 || SchemaVersion() != 11 {
		t.Fatalf("migrations %d, sealing %d, schema %d: a new step goes at the end of derived, not of migrations",
			len(migrations), sealedSchema(), SchemaVersion())
	}
}
