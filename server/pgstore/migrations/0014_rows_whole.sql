-- Version 14: a revision's row is kept whole in its page. revisions.data is deflated and
-- (sealed or not) does not compress again, but a row past ~2 KB — most of a person's
-- record: 1.6 KB of data and the columns — was handed to TOAST at every insert:
-- PostgreSQL tried to compress the data for nothing, then wrote it to the TOAST table
-- and its index, two more tuples and their WAL. Rows up to a page are now kept as they
-- are (toast_tuple_target), and data and records.heads (a chain's hashes) are never
-- compressed (EXTERNAL), past a page too. Rows stored before stay where they are.
ALTER TABLE revisions SET (toast_tuple_target = 8160);
ALTER TABLE revisions ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE records ALTER COLUMN heads SET STORAGE EXTERNAL;
