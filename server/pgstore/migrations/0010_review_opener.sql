-- Version 10: how many records a sender has held open for the district's review is
-- counted through an index (store.Held.OpenHeld, bounded by store.MaxOpenHeld), not by
-- reading the sealed queue. opener is the user code of the sender (district staff,
-- plain as revisions.from_user) on the revision that opened a record in the queue,
-- '' on its later revisions; the rows held before this version are filled in by the
-- server at its start (fillOpeners: their items are sealed, out of SQL's reach), NULL
-- until then.
ALTER TABLE review ADD COLUMN opener text;
CREATE INDEX review_open_opener ON review (opener) WHERE open;
