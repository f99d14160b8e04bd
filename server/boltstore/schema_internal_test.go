package boltstore

import "testing"

// The in-transaction migrations end at schema 4: sealing is 5, the count of open held
// records 6 and revisions keyed by log position 7, so a step appended to migrations
// would be numbered 5 and skipped by every sealed file. A later step belongs after
// rekeyRevisions.
func TestMigrationListIsClosed(t *testing.T) {
	if len(migrations) != 4 || sealedSchema() != 5 || openHeldSchema() != 6 || SchemaVersion() != 7 {
		t.Fatalf("migrations %d, sealing %d, open held %d, schema %d: a new step goes after rekeyRevisions in migrate, not at the end of migrations",
			len(migrations), sealedSchema(), openHeldSchema(), SchemaVersion())
	}
}
