-- Version 3: records held for the district's review — a person the district's roster
-- does not know (store.ForReview). Kept whole, out of the log, until the district
-- accepts the record into a village (it then enters revisions and the log) or refuses
-- it (withdrawal: the sync.Withdrawal the sending laptop pulls, as JSON).
CREATE SEQUENCE review_seq;
CREATE TABLE review (
	record_id  text   NOT NULL,
	revision   bigint NOT NULL,
	head       text   NOT NULL, -- hash of the chain's last entry
	open       boolean NOT NULL DEFAULT true,
	item       jsonb  NOT NULL, -- store.ReviewItem
	data       bytea  NOT NULL, -- the revision, packed (codec.go)
	withdrawal bytea,
	PRIMARY KEY (record_id, revision)
);
