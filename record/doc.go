// Package record holds the rules of a survey record that every side must agree on: the
// record as it moves between laptops and the district server, its content hash (what a
// signature binds), its audit chain (each entry hashing the one before, and signed by
// its author's key: CheckAuthors proves who wrote it and that they may) and the checks
// that a chain links, replays to the record's answers and that its signatures bind its
// content. The laptop's store and the district server both import it, so both hold
// records to one rule, and neither is the other's domain model.
//
// A Revision is the wire form of a record: the record, its whole audit chain, and the
// photos it names (between laptops; the server takes photos apart, by hash).
//
// It must never:
//   - store anything or know where records are kept (bbolt, PostgreSQL, files): it is
//     pure functions over values, so a backend cannot bend a rule;
//   - import localstore, sync, the server or anything that shows a screen;
//   - change what ContentHash or AuditEntry.ComputeHash cover without a new field that
//     older records omit: every signature and chain already written depends on them.
package record
