// Package server is the district server's HTTP API (protocol/PROTOCOL.md), the admin
// socket through which the district office's commands reach a running server, and the
// development certificate. What it keeps is behind store.Store (server/store), with a
// bbolt backend (server/boltstore) and room for PostgreSQL beside it; photos are files
// (server/attachments). The district's forms are files too (forms.go: FormShelf, in
// forms/ of the data folder), signed with the district's key for the laptops; they
// stay outside store.Store so that every backend serves them alike.
//
// Adding a backend: implement store.Store, call store.Check and store.Decide in
// PutBatch as server/store's package comment says, seal what is personal with
// server/seal (each value bound to where it lives, certificate numbers in keys as
// blind indexes, the key's check value kept with the data), and run the conformance
// suite (server/storetest.Run) against it, sealed, from a test of the backend's
// package; storetest.Personal fills a district whose raw data the backend's test then
// searches for names and numbers.
//
// It must never:
//   - be linked into the laptop's binary (cmd/doorstep): the laptop imports sync, the
//     wire protocol and client, and nothing here;
//   - decide exactly-once or authority rules itself: they are store.Check and
//     store.Decide, one rule for every backend;
//   - answer a fault of the store as the laptop's fault: an unknown or revoked token is
//     401, a store that cannot answer is 503 with Retry-After;
//   - send a form unsigned, or sign one it has not loaded: a laptop takes a form only
//     with the district's signature of its exact bytes;
//   - expose admin actions on the network: they go through the admin socket (0600) in
//     the data folder, which only the server's machine reaches.
package server
