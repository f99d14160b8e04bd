-- Version 5: the user's key card on each device, as the laptop sent it at enrolment
-- (bundle.Card.String), whose fingerprint the district reads aloud to the enumerator.
-- NULL: none sent.
ALTER TABLE tokens ADD COLUMN card text;
