// Package office is the district office's console in the browser, served by the district
// server under /office/: progress by town, village and enumerator against the deadlines,
// the town's review (the second check after the team leader), cancellations, the signed
// reports, the roster and the laptops.
//
// It is server-rendered HTML from embedded templates (standard library net/http and
// html/template) with a small embedded stylesheet; every page works without script.
// What it needs of the server's storage is the narrow Source interface (source.go): it
// reads the server's log of records and roster rows into an in-memory index of compact
// rows (index.go), so that no page decodes every stored record, and it stores a town's
// return as the record's next revision, which reaches the laptop as a leader's does.
// Its own state — office accounts (accounts.go), sessions (session.go) and the audit
// log, from which town approvals and cancellation marks are replayed (journal.go) — is
// in files of the server's data folder.
//
// It must never:
//   - show a record outside the account's towns (a town account asking for another
//     town's record gets 404, the same answer as a record that does not exist);
//   - change a record except by appending an audit entry to its chain, the same way a
//     team leader's return does;
//   - take a form post without the session's CSRF token, or print text from a roster,
//     a record or a note anywhere but through html/template's escaping;
//   - be served on the admin socket, or keep a passphrase other than as an argon2id hash.
//
// Adding a page: a handler method in its own file (progress.go, review.go, …), a
// template in templates/ named after it, a route in Handler.routes, its texts in
// texts.go in zh and en, and a test in handler_test.go that a town account sees only its
// towns there.
package office
