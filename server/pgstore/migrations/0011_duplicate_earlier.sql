-- Version 11: a duplicate interview a new record of the person reopens keeps the
-- district's earlier choices as history (store.DuplicateGroup.Earlier, a JSON array of
-- store.DuplicateChoice, oldest first) and reads as open: no reason, no one who decided.
-- Before, a reopened interview cleared who it kept, who chose and when, but kept the
-- reason; that reason is all there is of its choice, and it moves to the history.
ALTER TABLE duplicates ADD COLUMN earlier jsonb NOT NULL DEFAULT '[]';
UPDATE duplicates SET earlier = jsonb_build_array(jsonb_build_object('kept', '', 'reason', reason)), reason = ''
	WHERE kept = '' AND reason <> '';
