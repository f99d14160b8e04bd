package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The log in commit order.
//
// Laptops page the log by cursor: "what came after seq N". In PostgreSQL a number taken
// from a sequence is taken before its transaction commits, so transaction A can take 7,
// B take 8 and commit first; a reader then sees 8, moves its cursor to 8, and never
// sees 7 when A commits. So the log has one writer at a time: a writer takes logLock
// (a transaction-level advisory lock) before it numbers its entries, numbers them after
// the highest committed one, and holds the lock until it commits. PostgreSQL releases a
// transaction's locks after its commit is visible, so when entry N is visible every
// entry below N is visible too, and a reader may move its cursor up to the highest
// seq it sees. A rolled-back writer leaves no entry and no gap.
//
// The lock is held only for the inserts of one batch and its commit; the checks of a
// batch run before it.

// logLock is the advisory lock of the log's writer ("doorslog" in ASCII).
const logLock int64 = 0x646f6f72736c6f67

// Kinds of log entry.
const (
	kindRevision   = "revision"
	kindRoster     = "roster"
	kindWithdrawal = "withdrawal"
)

// logEntry is one thing a laptop may pull: a record's revision, a roster case or a
// record withdrawn.
type logEntry struct {
	Seq         uint64
	Kind        string
	Village     string
	RecordID    string   // a revision or a withdrawal: its record
	Subject     string   // a roster case: its key
	From        string   // who pushed the revision
	Enumerators []string // the enumerators it is for, besides the village's leaders
	Also        string   // a second village whose laptops pull it (store.Decision.Filed); "": none

	// Read with the entry, as JSON: the revision's store.StoredRevision, the roster
	// row, the record's current withdrawal (nil: it stands after all).
	Revision, Roster, Withdrawal []byte
}

// lockLog makes tx the log's one writer until it ends and returns the last seq
// committed: number new entries after it, and commit promptly.
func lockLog(ctx context.Context, tx pgx.Tx) (uint64, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
		return 0, fmt.Errorf("wait for the log: %w", err)
	}
	var last int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM log").Scan(&last); err != nil {
		return 0, fmt.Errorf("read the log's end: %w", err)
	}
	return uint64(last), nil
}

// insertLog inserts entries already numbered under lockLog.
func insertLog(ctx context.Context, tx pgx.Tx, entries []logEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		enums := e.Enumerators
		if enums == nil {
			enums = []string{}
		}
		rows[i] = []any{int64(e.Seq), e.Kind, e.Village, nullable(e.RecordID), nullable(e.Subject), e.From, enums, nullable(e.Also)}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"log"},
		[]string{"seq", "kind", "village", "record_id", "subject", "from_user", "enumerators", "also"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("append to the log: %w", err)
	}
	return nil
}

// queueRevisionLog queues in b the insertion of entries of revisions, each for one
// enumerator and no roster subject, already numbered under lockLog: in the batch that
// writes the records, a round trip fewer than insertLog's COPY while the log is held.
func queueRevisionLog(b *pgx.Batch, entries []logEntry) {
	seqs := make([]int64, len(entries))
	kinds, villages, ids, froms, enums, also := make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries)),
		make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries))
	for i, e := range entries {
		seqs[i], kinds[i], villages[i], ids[i], froms[i], enums[i], also[i] = int64(e.Seq), e.Kind, e.Village, e.RecordID, e.From, e.Enumerators[0], e.Also
	}
	b.Queue(`INSERT INTO log (seq, kind, village, record_id, from_user, enumerators, also)
		SELECT seq, kind, village, NULLIF(id, ''), from_user, ARRAY[enum], NULLIF(also, '')
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS e(seq, kind, village, id, from_user, enum, also)`,
		seqs, kinds, villages, ids, froms, enums, also)
}

// appendLog numbers entries after every committed one and inserts them, in tx, which
// then holds the log until it ends.
func appendLog(ctx context.Context, tx pgx.Tx, entries []logEntry) error {
	if len(entries) == 0 {
		return nil
	}
	last, err := lockLog(ctx, tx)
	if err != nil {
		return err
	}
	for i := range entries {
		entries[i].Seq = last + uint64(i) + 1
	}
	return insertLog(ctx, tx, entries)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// logFilter is whose entries a reader gets.
type logFilter struct {
	Villages []string // nil: every village
	User     string   // their own revisions are not sent back to them
	Leader   bool     // a leader gets every entry; an enumerator roster cases and what names them
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readLog returns up to limit entries after cursor that the filter lets through, with
// what they carry, the cursor to continue from, and whether there are more. The cursor
// passes entries the filter keeps out, up to the highest committed seq, but never an
// entry not yet visible.
func readLog(ctx context.Context, q querier, f logFilter, cursor uint64, limit int) ([]logEntry, uint64, bool, error) {
	limit = max(limit, 1)
	// Everything up to hi is committed and visible from here on (commit order); later
	// statements may see more, which the bound keeps for the next call.
	var hi int64
	if err := q.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM log").Scan(&hi); err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	if uint64(hi) <= cursor {
		return nil, cursor, false, nil
	}
	// The entries are chosen (through the village index) and cut to the page first, and
	// only the page's revisions and roster rows are read: a village's thousands of
	// entries are never carried through a sort with their data.
	const page = `SELECT seq, kind, village, record_id, subject, from_user, enumerators FROM log
		WHERE seq > $1 AND seq <= $2 %s
		AND (kind <> 'revision' OR from_user <> $3)
		AND (kind = 'roster' OR $4 OR $3 = ANY(enumerators))
		ORDER BY seq LIMIT $5`
	const withData = `SELECT l.seq, l.kind, l.village, coalesce(l.record_id, ''), coalesce(l.subject, ''), l.from_user, l.enumerators,
		rv.data, ro.data, coalesce(c.withdrawal, q.withdrawal)
		FROM (%s) l
		LEFT JOIN revisions rv ON l.kind = 'revision' AND rv.seq = l.seq
		LEFT JOIN roster ro ON l.kind = 'roster' AND ro.key = l.subject
		LEFT JOIN records c ON l.kind = 'withdrawal' AND c.record_id = l.record_id
		LEFT JOIN LATERAL (SELECT withdrawal FROM review WHERE l.kind = 'withdrawal' AND record_id = l.record_id
			AND withdrawal IS NOT NULL LIMIT 1) q ON true
		ORDER BY l.seq`
	// An enumerator: the roster cases (of their villages) and what names them, each
	// through its index (migrations 0007, 0009), merged; the user's own pushes are not
	// in the second index. Neither reads the entries of other enumerators' records.
	// A village's filter (%[1]s) reads a roster case's village; what names them, the
	// entry's village or its second one (%[2]s, Also).
	const enumerator = `(SELECT seq, kind, village, record_id, subject, from_user, enumerators FROM log
		WHERE kind = 'roster' AND seq > $1 AND seq <= $2 %[1]s ORDER BY seq LIMIT $4)
		UNION ALL
		(SELECT seq, kind, village, record_id, subject, from_user, enumerators FROM log
		WHERE enumerators @> ARRAY[$3::text] AND (kind <> 'revision' OR NOT (from_user = ANY (enumerators)))
		AND kind <> 'roster' AND seq > $1 AND seq <= $2 AND (kind <> 'revision' OR from_user <> $3) %[2]s
		ORDER BY seq LIMIT $4)
		ORDER BY seq LIMIT $4`
	var rows pgx.Rows
	var err error
	if f.Villages == nil && !f.Leader {
		rows, err = q.Query(ctx, fmt.Sprintf(withData, fmt.Sprintf(enumerator, "", "")), int64(cursor), hi, f.User, limit+1)
	} else if !f.Leader {
		rows, err = q.Query(ctx, fmt.Sprintf(withData, fmt.Sprintf(enumerator, "AND village = ANY($5)", "AND (village = ANY($5) OR also = ANY($5))")),
			int64(cursor), hi, f.User, limit+1, f.Villages)
	} else if f.Villages == nil {
		rows, err = q.Query(ctx, fmt.Sprintf(withData, fmt.Sprintf(page, "")), int64(cursor), hi, f.User, f.Leader, limit+1)
	} else {
		rows, err = q.Query(ctx, fmt.Sprintf(withData, fmt.Sprintf(page, "AND (village = ANY($6) OR also = ANY($6))")), int64(cursor), hi, f.User, f.Leader, limit+1, f.Villages)
	}
	if err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (logEntry, error) {
		var e logEntry
		var seq int64
		err := r.Scan(&seq, &e.Kind, &e.Village, &e.RecordID, &e.Subject, &e.From, &e.Enumerators, &e.Revision, &e.Roster, &e.Withdrawal)
		e.Seq = uint64(seq)
		return e, err
	})
	if err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].Seq, true, nil
	}
	return out, uint64(hi), false, nil
}
