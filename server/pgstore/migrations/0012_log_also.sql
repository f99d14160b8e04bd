-- Version 12: a second village whose laptops pull a log entry (store.Decision.Filed):
-- a revision of a record the district accepted from its review into another village
-- than its laptop named is filed under the district's village and pulled by the
-- laptops of the village named too — the record's team, which was never told.
ALTER TABLE log ADD COLUMN also text;
CREATE INDEX log_also ON log (also, seq) WHERE also IS NOT NULL;
