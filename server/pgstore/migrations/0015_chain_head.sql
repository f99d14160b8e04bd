-- Version 15: a record keeps its latest chain's length and last hash (chain, head), not
-- every hash: ~1.3 KB a person's record of forty entries, a quarter of the WAL of every
-- record stored and rewritten with each revision (the bbolt file did the same at its
-- schema 8). A push passing through that hash carries the held chain as its start —
-- each hash covers the one before it; any other (a stale resend, a conflict: rare) reads
-- the chain from the stored latest revision. The records stored before keep heads (and
-- no chain) until their next revision; heads is NULL on the others.
ALTER TABLE records ADD COLUMN chain integer, ADD COLUMN head bytea, ALTER COLUMN heads DROP NOT NULL;
