// Package sync is the laptop's side of moving survey data to and from the district
// server: the push and pull client, over the wire protocol of package protocol
// (protocol/PROTOCOL.md). The server itself is in server/, which imports package
// protocol and never this one; this package never imports the server.
//
// Push sends the outbox in compressed batches over HTTPS; each record
// revision carries an id and a content hash, so the server stores it exactly
// once however often it is resent. Pull brings assignments (roster cases) and
// review decisions since a cursor; then the district's forms, each taken only
// with the district's signature (forms.go).
//
// It must never:
//   - block the interview: it runs in the background when there is a network
//     and reports what is queued, and nothing on the form waits for it;
//   - open the bbolt file itself: it reads the outbox and records what the
//     server acknowledged through localstore, in one transaction;
//   - retry a security failure (a certificate or pin mismatch, a revoked
//     device token) or accept less than TLS 1.2;
//   - keep a form the district did not sign, or one that clashes with a form the
//     laptop has (same id and version, other bytes);
//   - import the server's packages: the laptop's binary links no server code.
//
// The package shares its name with the standard library's sync. A file that
// needs both imports this one as dsync.
package sync
