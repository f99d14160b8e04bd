-- Version 9: an enumerator of some villages pulls as one of every village does (0007):
-- the roster cases of the villages through this index, and what names them through
-- log_enumerators; a village's thousands of other entries are not read to find them
-- (a new laptop's pull at a million records read 3 300 rows for nothing).
CREATE INDEX log_roster_village ON log (village, seq) WHERE kind = 'roster';
