-- Version 4: what an enumerator of every village pulls is read through indexes, not by
-- walking the whole log: the roster cases, and the entries that name them but were not
-- pushed by them (a pull never sends a laptop its own revision back): decisions on their
-- records and withdrawals. The query repeats the predicate so the planner may use it.
CREATE INDEX log_roster ON log (seq) WHERE kind = 'roster';
CREATE INDEX log_enumerators ON log USING gin (enumerators)
	WHERE kind <> 'revision' OR NOT (from_user = ANY (enumerators));
