-- Version 3: audit-chain hashes as their 32 bytes, not 64 hex characters. records.heads
-- is a record's latest chain, each entry's hash in order, concatenated (as bbolt's
-- heads/ keeps it); revisions.head the hash of a revision's last entry (empty for a
-- revision without a chain). Hashes are written lower-case hex, which decode reads
-- back the same. About 2 KB less a record of thirty entries.
ALTER TABLE records ALTER COLUMN heads TYPE bytea USING decode(array_to_string(heads, ''), 'hex');
ALTER TABLE revisions ALTER COLUMN head TYPE bytea USING decode(head, 'hex');
