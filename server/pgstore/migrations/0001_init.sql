-- doorstep-server's tables, version 1. A database holds one district server's data and
-- nothing else: doorstep_meta says so, and a database with other tables is refused.

CREATE TABLE doorstep_meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);

-- The log: everything a laptop may pull, in commit order (see log.go). village is
-- what a pull filters on; from_user and enumerator decide who gets a record back.
CREATE TABLE log (
	seq        bigint PRIMARY KEY,
	village    text   NOT NULL,
	record_id  text,            -- a record's revision, or
	revision   bigint,
	subject    text,            -- a roster case
	from_user  text   NOT NULL DEFAULT '',
	enumerator text   NOT NULL DEFAULT ''
);
CREATE INDEX log_village ON log (village, seq);
