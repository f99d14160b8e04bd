-- Version 2: the user's public signing key on each device, sent at enrolment. The
-- server takes an audit entry in a user's name only when a key enrolled for them (on a
-- device not revoked) signed it. NULL: a device enrolled before signatures, which must
-- enrol again.
ALTER TABLE tokens ADD COLUMN signing_key bytea;
