package boltstore

import "testing"

// The in-transaction migrations end at schema 4: sealing is 5 and the count of open
// held records 6, so a step appended to migrations would be numbered 5 and skipped by
// every sealed file. A later step belongs after countOpenHeld.
func TestMigrationListIsClosed(t *testing.T) {
	if len(migrations) != 4 || sealedSchema() != 5 || SchemaVersion() != 6 {
		t.Fatalf("migrations %d, sealing %d, schema %d: a new step goes after countOpenHeld in migrate, not at the end of migrations",
			len(migrations), sealedSchema(), SchemaVersion())
	}
}
