// Package localstore is the laptop's one data file: a bbolt database holding
// the local users, the roster cases, the records, each record's audit chain
// and the outbox of revisions waiting to be sent.
//
// It knows records and bytes, not screens. It keeps the promises the rest of
// Doorstep relies on: an answer is committed (fsync) before the screen moves
// on, so a power cut loses nothing; personal data is sealed with a data key
// that each local user's passphrase unwraps, and lookup keys that would give
// away an ID number are keyed hashes; a second instance on the same file
// gets a clear message, not a hang.
//
// It must never:
//   - write personal data to disk in the clear, in values or in keys;
//   - change a record without appending to its audit chain (who, when, what,
//     old and new value, hash of the previous entry, signed by the key of who
//     made it), or change a completed record except through a recorded return;
//   - keep a user's private keys where another user of the laptop can open them:
//     they are wrapped under the user's own passphrase;
//   - take in a record whose entries are signed by a key that is not their author's;
//   - write a temporary file of personal data anywhere but its scratch folder
//     (tmp/, emptied at every Open) or beside its target with a note there;
//   - open a file written by a newer schema: it refuses it rather than
//     rewrite it;
//   - import tui or sync, or know how anything is shown: the interview
//     screens and the sync client both come to it.
package localstore
