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

// logEntry is one thing a laptop may pull: a record's revision or a roster case.
type logEntry struct {
	Seq        uint64
	Village    string
	RecordID   string // a revision: its record and revision number
	Revision   uint64
	Subject    string // a roster case: its subject
	From       string // who pushed the revision
	Enumerator string // whose record it is
}

// appendLog numbers entries after every committed one and inserts them, in tx, which
// then holds logLock until it ends: commit promptly.
func appendLog(ctx context.Context, tx pgx.Tx, entries []logEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
		return fmt.Errorf("wait for the log: %w", err)
	}
	var last uint64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM log").Scan(&last); err != nil {
		return fmt.Errorf("read the log's end: %w", err)
	}
	rows := make([][]any, len(entries))
	for i := range entries {
		e := &entries[i]
		e.Seq = last + uint64(i) + 1
		rows[i] = []any{int64(e.Seq), e.Village, nullable(e.RecordID), nullableRev(e), nullable(e.Subject), e.From, e.Enumerator}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"log"},
		[]string{"seq", "village", "record_id", "revision", "subject", "from_user", "enumerator"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("append to the log: %w", err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableRev(e *logEntry) any {
	if e.RecordID == "" {
		return nil
	}
	return int64(e.Revision)
}

// logFilter is whose entries a reader gets.
type logFilter struct {
	Villages []string // nil: every village
	User     string   // their own revisions are not sent back to them
	Leader   bool     // a leader gets the team's revisions; an enumerator only their own records
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readLog returns up to limit entries after cursor that the filter lets through, the
// cursor to continue from, and whether there are more. The cursor passes entries the
// filter keeps out, up to the highest committed seq, but never an entry not yet visible.
func readLog(ctx context.Context, q querier, f logFilter, cursor uint64, limit int) ([]logEntry, uint64, bool, error) {
	limit = max(limit, 1)
	// Everything up to hi is committed and visible from here on (commit order); later
	// statements may see more, which the bound keeps for the next call.
	var hi uint64
	if err := q.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM log").Scan(&hi); err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	if hi <= cursor {
		return nil, cursor, false, nil
	}
	const cols = `SELECT seq, village, coalesce(record_id, ''), coalesce(revision, 0), coalesce(subject, ''), from_user, enumerator FROM log `
	const who = ` AND (subject IS NOT NULL OR (from_user <> $3 AND ($4 OR enumerator = $3))) ORDER BY seq LIMIT $5`
	var rows pgx.Rows
	var err error
	if f.Villages == nil {
		rows, err = q.Query(ctx, cols+`WHERE seq > $1 AND seq <= $2`+who, int64(cursor), int64(hi), f.User, f.Leader, limit+1)
	} else {
		rows, err = q.Query(ctx, cols+`WHERE seq > $1 AND seq <= $2 AND village = ANY($6)`+who, int64(cursor), int64(hi), f.User, f.Leader, limit+1, f.Villages)
	}
	if err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (logEntry, error) {
		var e logEntry
		var seq, rev int64
		err := r.Scan(&seq, &e.Village, &e.RecordID, &rev, &e.Subject, &e.From, &e.Enumerator)
		e.Seq, e.Revision = uint64(seq), uint64(rev)
		return e, err
	})
	if err != nil {
		return nil, cursor, false, fmt.Errorf("read the log: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].Seq, true, nil
	}
	return out, hi, false, nil
}
