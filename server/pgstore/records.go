package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// rowCols are a listing's columns: never data, so a listing decodes nothing it does
// not show.
const rowCols = `r.seq, r.record_id, r.revision, r.person, r.village, r.form_id, r.enumerator, r.from_user,
	r.device, r.status, r.photos, r.server_id, r.received, c.duplicate, c.withdrawn`

func (s *Store) scanRow(rows pgx.Rows, extra ...any) (uint64, store.RecordRow, error) {
	var row store.RecordRow
	var seq, rev int64
	var person []byte
	dest := append([]any{&seq, &row.RecordID, &rev, &person, &row.Village, &row.FormID, &row.Enumerator,
		&row.From, &row.Device, &row.Status, &row.Photos, &row.ServerID, &row.ReceivedAt, &row.Duplicate, &row.Withdrawn}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return 0, row, err
	}
	row.Revision, row.ReceivedAt = uint64(rev), row.ReceivedAt.UTC()
	if len(row.Photos) == 0 {
		row.Photos = nil
	}
	w, err := s.c.openWho(uint64(seq), person)
	row.Subject, row.Name = w.Subject, w.Name
	return uint64(seq), row, err
}

// filter turns a filter into a WHERE clause over revisions r joined to records c; each
// of village, enumerator and subject has an index that leads with it and ends in seq.
func (s *Store) filter(f store.RecordFilter, after uint64) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.All {
		conds = append(conds, "r.latest")
	}
	if f.Village != "" {
		add("r.village = $%d", f.Village)
	}
	if f.Enumerator != "" {
		add("r.enumerator = $%d", f.Enumerator)
	}
	if f.Subject != "" {
		add("r.subject_blind = $%d", s.c.blind(f.Subject))
	}
	if f.Status != "" {
		add("r.status = $%d", f.Status)
	}
	if f.Standing {
		conds = append(conds, "c.withdrawn = ''")
	}
	if f.Duplicates {
		conds = append(conds, "c.duplicate")
	}
	if after > 0 {
		add("r.seq > $%d", int64(after))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func parseAfter(after string) (uint64, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(after, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("records: the page position %q is not one this server gave", after)
	}
	return n, nil
}

// Records lists compact rows in server order, filtered and paged.
func (s *Store) Records(ctx context.Context, f store.RecordFilter) ([]store.RecordRow, string, error) {
	after, err := parseAfter(f.After)
	if err != nil {
		return nil, "", err
	}
	cond, args := s.filter(f, after)
	q := `SELECT ` + rowCols + ` FROM revisions r JOIN records c ON c.record_id = r.record_id` + cond + ` ORDER BY r.seq`
	if f.Limit > 0 {
		args = append(args, f.Limit+1)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("records: %w", err)
	}
	defer rows.Close()
	var out []store.RecordRow
	var seqs []uint64
	for rows.Next() {
		seq, row, err := s.scanRow(rows)
		if err != nil {
			return nil, "", fmt.Errorf("records: %w", err)
		}
		out, seqs = append(out, row), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("records: %w", err)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		return out[:f.Limit], strconv.FormatUint(seqs[f.Limit-1], 10), nil
	}
	return out, "", nil
}

// exportPage is how many revisions an export reads at a time: a page is held, never
// the whole export, and no transaction stays open while fn writes to a slow reader.
const exportPage = 256

// Export calls fn once per stored revision in full, in server order, a page at a time.
func (s *Store) Export(ctx context.Context, f store.RecordFilter, fn func(store.StoredRevision) error) error {
	after, err := parseAfter(f.After)
	if err != nil {
		return err
	}
	sent := 0
	for {
		cond, args := s.filter(f, after)
		args = append(args, exportPage)
		rows, err := s.pool.Query(ctx, `SELECT r.seq, r.data, c.withdrawn, r.person, r.village, r.from_user, r.device, r.received,
			r.server_id FROM revisions r JOIN records c ON c.record_id = r.record_id`+
			cond+fmt.Sprintf(" ORDER BY r.seq LIMIT $%d", len(args)), args...)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		var page []store.StoredRevision
		for rows.Next() {
			var seq int64
			var data, person []byte
			var st store.StoredRevision
			if err := rows.Scan(&seq, &data, &st.Withdrawn, &person, &st.Case.Village, &st.From, &st.Device,
				&st.Received, &st.ServerID); err != nil {
				rows.Close()
				return fmt.Errorf("export: %w", err)
			}
			w, err := s.c.openWho(uint64(seq), person)
			if err == nil {
				st.Case.Subject, st.Case.Name = w.Subject, w.Name
				st.Revision, err = s.unpackRevision(uint64(seq), data)
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("export: revision at %d: %w", seq, err)
			}
			st.Seq, st.Received = uint64(seq), st.Received.UTC()
			page = append(page, st)
			after = uint64(seq)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, st := range page {
			if f.Limit > 0 && sent == f.Limit {
				return nil
			}
			if err := fn(st); err != nil {
				return err
			}
			sent++
		}
		if len(page) < exportPage {
			return nil
		}
	}
}

// Duplicates lists the duplicate interviews, in the order they were found.
func (s *Store) Duplicates(ctx context.Context, all bool) ([]store.DuplicateGroup, error) {
	q := `SELECT ` + dupCols + ` FROM duplicates`
	if !all {
		q += ` WHERE kept = ''`
	}
	return s.duplicates(ctx, s.pool, q+` ORDER BY person_key`)
}

// dupCols are what duplicates scans.
const dupCols = `person_key, subject_sealed, form_id, kept, reason, resolved_by, resolved_at, earlier`

func (s *Store) duplicates(ctx context.Context, q querier, sql string, args ...any) ([]store.DuplicateGroup, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	var groups []store.DuplicateGroup
	var keys []string
	for rows.Next() {
		var g store.DuplicateGroup
		var pk string
		var subject []byte
		var at *time.Time
		if err := rows.Scan(&pk, &subject, &g.FormID, &g.Kept, &g.Reason, &g.ResolvedBy, &at, &g.Earlier); err != nil {
			rows.Close()
			return nil, fmt.Errorf("duplicates: %w", err)
		}
		plain, err := s.c.open(colDupSubject, []byte(pk), subject)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("duplicates: %w", err)
		}
		g.Subject = string(plain)
		if len(g.Earlier) == 0 {
			g.Earlier = nil // as every backend has it: no history
		}
		if at != nil {
			g.ResolvedAt = at.UTC()
		}
		groups, keys = append(groups, g), append(keys, pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	if len(groups) == 0 {
		return nil, nil
	}
	index := map[string]int{}
	for i, k := range keys {
		index[k] = i
	}
	rows, err = q.Query(ctx, `SELECT `+rowCols+`, c.person_key FROM records c JOIN revisions r ON r.record_id = c.record_id AND r.latest
		WHERE c.person_key = ANY($1) ORDER BY r.seq`, keys)
	if err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pk string
		_, row, err := s.scanRow(rows, &pk)
		if err != nil {
			return nil, fmt.Errorf("duplicates: %w", err)
		}
		g := &groups[index[pk]]
		g.Records = append(g.Records, row)
	}
	return groups, rows.Err()
}

// alsoNamed gives each entry of a record the district accepted from its review into
// another village than its laptop named that village as its second (logEntry.Also):
// the record's team hears of it too (store.Decision.Named).
func (s *Store) alsoNamed(ctx context.Context, tx pgx.Tx, entries []logEntry) error {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.RecordID
	}
	rows, err := tx.Query(ctx, `SELECT record_id, revision, item FROM review WHERE record_id = ANY($1) AND NOT open`, ids)
	if err != nil {
		return err
	}
	named := map[string]string{}
	for rows.Next() {
		it, err := s.c.scanItem(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if it.Accepted != "" {
			named[it.RecordID] = it.Village
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, e := range entries {
		if v := named[e.RecordID]; v != e.Village {
			entries[i].Also = v
		}
	}
	return nil
}

// ResolveDuplicate keeps one record of a duplicate interview and withdraws the others;
// each withdrawal goes into the log for the leaders of the record's village and the
// enumerators of both records.
func (s *Store) ResolveDuplicate(ctx context.Context, r store.Resolution) (store.DuplicateGroup, error) {
	if strings.TrimSpace(r.Reason) == "" {
		return store.DuplicateGroup{}, errors.New("say why the other records are withdrawn: the enumerators will read it")
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.At = r.At.UTC().Truncate(time.Microsecond) // as PostgreSQL keeps it
	var group store.DuplicateGroup
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		last, err := lockLog(ctx, tx)
		if err != nil {
			return err
		}
		var pk, form, keptEnum string
		var sealedSubject []byte
		err = tx.QueryRow(ctx, `SELECT d.person_key, d.subject_sealed, d.form_id, r.enumerator FROM records c
			JOIN duplicates d ON d.person_key = c.person_key
			JOIN revisions r ON r.record_id = c.record_id AND r.latest
			WHERE c.record_id = $1 AND c.duplicate`, r.Keep).Scan(&pk, &sealedSubject, &form, &keptEnum)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("record %s is not one of a duplicate interview: %w", r.Keep, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		subject, err := s.c.open(colDupSubject, []byte(pk), sealedSubject)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE duplicates SET kept = $2, reason = $3, resolved_by = $4, resolved_at = $5 WHERE person_key = $1`,
			pk, r.Keep, r.Reason, r.By, r.At); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT c.record_id, r.village, r.enumerator FROM records c
			JOIN revisions r ON r.record_id = c.record_id AND r.latest
			WHERE c.person_key = $1 AND c.record_id <> $2 ORDER BY r.seq`, pk, r.Keep)
		if err != nil {
			return err
		}
		var entries []logEntry
		b := &pgx.Batch{}
		b.Queue(`UPDATE records SET withdrawn = '', withdrawal = NULL WHERE record_id = $1`, r.Keep)
		for rows.Next() {
			var id, village, enum string
			if err := rows.Scan(&id, &village, &enum); err != nil {
				rows.Close()
				return err
			}
			w, err := json.Marshal(protocol.Withdrawal{RecordID: id, Subject: string(subject), FormID: form, Kept: r.Keep, Reason: r.Reason, At: r.At})
			if err != nil {
				rows.Close()
				return err
			}
			b.Queue(`UPDATE records SET withdrawn = $2, withdrawal = $3 WHERE record_id = $1`, id, r.Reason, s.c.seal(colWithdrawal, []byte(id), w))
			last++
			entries = append(entries, logEntry{Seq: last, Kind: kindWithdrawal, Village: village, RecordID: id,
				Enumerators: []string{enum, keptEnum}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.alsoNamed(ctx, tx, entries); err != nil {
			return err
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if err := insertLog(ctx, tx, entries); err != nil {
			return err
		}
		groups, err := s.duplicates(ctx, tx, `SELECT `+dupCols+` FROM duplicates WHERE person_key = $1`, pk)
		if err != nil {
			return err
		}
		group = groups[0]
		return nil
	})
	if err != nil {
		return store.DuplicateGroup{}, fmt.Errorf("resolve a duplicate interview: %w", err)
	}
	return group, nil
}
