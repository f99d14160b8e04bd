// Package store is what the district server keeps, said once for every backend: the
// Store interface (bbolt in server/boltstore, PostgreSQL beside it), the types it reads
// and writes, and the rules that make sync exactly-once — Check and Decide, pure
// functions every backend calls, so that no backend can bend a rule.
//
// How a push is judged, for every backend:
//
//  1. The handler notes which photos each item names that the attachment folder does
//     not hold whole (Arrival.Missing): photos are files, not rows.
//  2. The backend runs Check on each arrival before it takes its write lock or opens its
//     transaction (hashing a chain is the costly part): is it whole, signed, a status
//     the district takes, of a village the sender works in.
//  3. Inside one transaction per batch, for each checked arrival, the backend reads what
//     it holds of that record (Held) and calls Decide. A Stored decision is written
//     with its log entry and receipt; a DuplicateOf list marks a duplicate interview.
//
// It must never:
//   - touch a disk, a socket or a clock itself (Check and Decide are pure: a table of
//     cases tests them whole);
//   - import a backend, the HTTP handler, localstore or anything of the laptop's screens.
package store
