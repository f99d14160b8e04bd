-- Version 13: when the server last took in a push of each laptop (store.Device.LastPush),
-- noted in the push's own transaction, for the district's page of laptops.
ALTER TABLE tokens ADD COLUMN last_push timestamptz;
