package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Pull is what the user's laptop gets after cursor: the log of the user's villages, read
// through its village index (log.go).
func (s *Store) Pull(ctx context.Context, u protocol.User, cursor uint64, limit int) (protocol.PullResponse, error) {
	f := logFilter{User: u.Code, Leader: u.Role == "leader"}
	if !u.AllVillages() {
		f.Villages = append([]string{}, u.Villages...)
	}
	entries, next, more, err := readLog(ctx, s.pool, f, cursor, limit)
	if err != nil {
		return protocol.PullResponse{}, err
	}
	resp := protocol.PullResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Epoch: s.epoch, Cursor: next, More: more}
	for _, e := range entries {
		switch e.Kind {
		case kindRevision:
			rev, err := s.unpackRevision(e.Seq, e.Revision)
			if err != nil {
				return protocol.PullResponse{}, fmt.Errorf("pull: revision at %d: %w", e.Seq, err)
			}
			resp.Revisions = append(resp.Revisions, rev)
		case kindRoster:
			if e.Roster == nil {
				continue
			}
			var row roster.Row
			data, err := s.c.open(colRosterData, []byte(e.Subject), e.Roster)
			if err == nil {
				err = json.Unmarshal(data, &row)
			}
			if err != nil {
				return protocol.PullResponse{}, fmt.Errorf("pull: roster case at %d: %w", e.Seq, err)
			}
			resp.Roster = append(resp.Roster, row)
		case kindWithdrawal:
			if e.Withdrawal == nil {
				continue // withdrawn, then kept after all: nothing to say
			}
			var w protocol.Withdrawal
			data, err := s.c.open(colWithdrawal, []byte(e.RecordID), e.Withdrawal)
			if err == nil {
				err = json.Unmarshal(data, &w)
			}
			if err != nil {
				return protocol.PullResponse{}, fmt.Errorf("pull: withdrawal at %d: %w", e.Seq, err)
			}
			resp.Withdrawn = append(resp.Withdrawn, w)
		}
	}
	return resp, nil
}

// ImportRoster keeps the district's roster: rows new or changed go into the log.
func (s *Store) ImportRoster(ctx context.Context, rows []roster.Row, imp store.RosterImport) (store.RosterImport, error) {
	if imp.At.IsZero() {
		imp.At = s.now().UTC()
	}
	imp.Rows, imp.New, imp.Changed, imp.Unchanged = len(rows), 0, 0, 0
	keys := make([]string, len(rows))
	datas := make([][]byte, len(rows))
	for i, r := range rows {
		data, err := json.Marshal(r)
		if err != nil {
			return imp, err
		}
		keys[i], datas[i] = s.c.blind(r.Key()), data
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		have := map[string][]byte{}
		q, err := tx.Query(ctx, `SELECT key, data FROM roster WHERE key = ANY($1)`, keys)
		if err != nil {
			return err
		}
		for q.Next() {
			var k string
			var d []byte
			if err := q.Scan(&k, &d); err != nil {
				return err
			}
			if d, err = s.c.open(colRosterData, []byte(k), d); err != nil {
				return err
			}
			have[k] = d
		}
		if err := q.Err(); err != nil {
			return err
		}
		// Row by row, as if put one after another: a key twice in one file is
		// counted (and logged) as the second put finds it.
		var entries []logEntry
		b := &pgx.Batch{}
		for i, r := range rows {
			k := keys[i]
			old, ok := have[k]
			switch {
			case !ok:
				imp.New++
			case string(old) == string(datas[i]):
				imp.Unchanged++
				continue
			default:
				imp.Changed++
			}
			have[k] = datas[i]
			b.Queue(`INSERT INTO roster (key, village, data) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET village = excluded.village, data = excluded.data`, k, r.Village, s.c.seal(colRosterData, []byte(k), datas[i]))
			entries = append(entries, logEntry{Kind: kindRoster, Village: r.Village, Subject: k})
		}
		data, err := json.Marshal(imp)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO roster_imports (data) VALUES ($1)`, data)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return appendLog(ctx, tx, entries)
	})
	if err != nil {
		return imp, fmt.Errorf("import the roster: %w", err)
	}
	return imp, nil
}

// RosterLog lists the roster imports, oldest first.
func (s *Store) RosterLog(ctx context.Context) ([]store.RosterImport, error) {
	rows, err := s.pool.Query(ctx, `SELECT data FROM roster_imports ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("roster log: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[store.RosterImport])
	if err != nil {
		return nil, fmt.Errorf("roster log: %w", err)
	}
	return out, nil
}
