-- doorstep-server's tables, version 1. A database holds one district server's data and
-- nothing else: doorstep_meta says so, and a database with other tables is refused.

CREATE TABLE doorstep_meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);

-- Users and their devices. Codes and tokens are kept only as SHA-256 hashes: a copy of
-- the database gives no one a device.
CREATE TABLE users (
	code text PRIMARY KEY,
	data jsonb NOT NULL -- sync.User
);

CREATE TABLE enrolments (
	code_hash bytea PRIMARY KEY,
	user_code text NOT NULL,
	expires   timestamptz NOT NULL
);

CREATE TABLE tokens (
	token_hash bytea PRIMARY KEY,
	user_code  text NOT NULL,
	device     text NOT NULL,
	created    timestamptz NOT NULL,
	revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX tokens_user ON tokens (user_code);

-- The log: everything a laptop may pull, numbered in commit order (log.go). village is
-- what a pull filters on; from_user and enumerators decide which enumerators get an
-- entry (a leader gets every entry of the villages).
CREATE TABLE log (
	seq         bigint PRIMARY KEY,
	kind        text   NOT NULL, -- revision, roster or withdrawal
	village     text   NOT NULL,
	record_id   text,            -- a revision or a withdrawal: its record
	subject     text,            -- a roster case: its key
	from_user   text   NOT NULL DEFAULT '',
	enumerators text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX log_village ON log (village, seq);

-- Every stored revision, once; seq is its log position (and the server order), data the
-- record with its chain, packed (codec.go). The other columns are what listings read, so
-- a listing never decodes data. latest marks each record's latest revision.
CREATE TABLE revisions (
	seq        bigint PRIMARY KEY,
	record_id  text    NOT NULL,
	revision   bigint  NOT NULL,
	latest     boolean NOT NULL,
	server_id  text    NOT NULL,
	subject    text    NOT NULL,
	name       text    NOT NULL,
	village    text    NOT NULL,
	form_id    text    NOT NULL,
	enumerator text    NOT NULL,
	from_user  text    NOT NULL,
	device     text    NOT NULL,
	status     text    NOT NULL,
	photos     text[]  NOT NULL,
	head       text    NOT NULL, -- hash of the chain's last entry
	received   timestamptz NOT NULL,
	data       bytea   NOT NULL,
	UNIQUE (record_id, revision)
);
CREATE INDEX revisions_village ON revisions (village, seq);
CREATE INDEX revisions_enumerator ON revisions (enumerator, seq);
CREATE INDEX revisions_subject ON revisions (subject, seq);
CREATE INDEX revisions_latest ON revisions (seq) WHERE latest;

-- One row a record: the chain of its latest revision (to judge the next), the person it
-- is about, and the district's word on it.
CREATE TABLE records (
	record_id  text PRIMARY KEY,
	revision   bigint  NOT NULL,
	heads      text[]  NOT NULL,
	person_key text,            -- store.PersonKey; NULL for a village's form
	duplicate  boolean NOT NULL DEFAULT false,
	withdrawn  text    NOT NULL DEFAULT '', -- the district's reason; '' while it stands
	withdrawal bytea                         -- the sync.Withdrawal laptops pull, as JSON
);
CREATE INDEX records_person ON records (person_key) WHERE person_key IS NOT NULL;

-- Duplicate interviews: a person (subject and form) with more than one record.
CREATE TABLE duplicates (
	person_key  text PRIMARY KEY,
	subject     text NOT NULL,
	form_id     text NOT NULL,
	found       bigint NOT NULL, -- seq of the record that made it a duplicate, for order
	kept        text NOT NULL DEFAULT '',
	reason      text NOT NULL DEFAULT '',
	resolved_by text NOT NULL DEFAULT '',
	resolved_at timestamptz
);
CREATE INDEX duplicates_open ON duplicates (found) WHERE kept = '';

-- The district's roster, by roster.Row.Key, and the imports.
CREATE TABLE roster (
	key     text PRIMARY KEY,
	village text  NOT NULL,
	data    bytea NOT NULL -- roster.Row as JSON
);

CREATE TABLE roster_imports (
	id   bigserial PRIMARY KEY,
	data jsonb NOT NULL -- store.RosterImport
);
