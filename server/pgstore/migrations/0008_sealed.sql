-- Version 8: personal data sealed at rest (seal.go). This step moves the columns into
-- their new shape, still plain; the server then seals them under its data key in one
-- transaction of its own (sealDatabase) and keeps the key's check value in
-- doorstep_meta ('keycheck'). After both, no column holds a name, an ID number or a
-- certificate number as text:
--   revisions.subject_blind  the subject's blind index (seal.Sealer.Blind), '' for a
--                            village's form; revisions.person the sealed
--                            {"subject", "name"}; revisions.data sealed;
--   records.person_key       ["blind index", "form"]; records.withdrawal sealed;
--   duplicates.person_key    as records'; duplicates.subject_sealed the sealed subject;
--   roster.key               the blind index of roster.Row.Key; roster.data sealed;
--   log.subject              a roster case's blind key;
--   review.item, data        sealed (withdrawal as records'), by record id "/" revision.
ALTER TABLE revisions ADD COLUMN subject_blind text, ADD COLUMN person bytea;
UPDATE revisions SET subject_blind = subject,
	person = convert_to(json_build_object('subject', subject, 'name', name)::text, 'UTF8');
ALTER TABLE revisions ALTER COLUMN subject_blind SET NOT NULL, ALTER COLUMN person SET NOT NULL;
DROP INDEX revisions_subject;
ALTER TABLE revisions DROP COLUMN subject, DROP COLUMN name;
CREATE INDEX revisions_subject ON revisions (subject_blind, seq);

ALTER TABLE duplicates ADD COLUMN subject_sealed bytea;
UPDATE duplicates SET subject_sealed = convert_to(subject, 'UTF8');
ALTER TABLE duplicates ALTER COLUMN subject_sealed SET NOT NULL, DROP COLUMN subject;

-- Records held for review: the item (store.ReviewItem, with the person's name and
-- number) as bytes, sealed with data and withdrawal by record id "/" revision.
ALTER TABLE review ALTER COLUMN item TYPE bytea USING convert_to(item::text, 'UTF8');
