-- Version 4: when a device was revoked. What its key signed before then is still the
-- author's when their leader carries it (store.Signed: a lost laptop's finished work);
-- NULL: revoked before the time was kept, and nothing it signed is taken.
ALTER TABLE tokens ADD COLUMN revoked_at timestamptz;
