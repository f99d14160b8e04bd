package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// hold keeps a revision for the district's review, out of the log; its receipt's
// server id is its own ("-r" and a number). opens says it opens the record in the
// queue: it counts against its sender (readHeld counts them).
func (s *Store) hold(ctx context.Context, tx inTx, item store.ReviewItem, head string, packed []byte, opens bool) (string, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT nextval('review_seq')`).Scan(&n); err != nil {
		return "", fmt.Errorf("hold for review: %w", err)
	}
	item.ServerID = fmt.Sprintf("%s-r%d", s.serverID, n)
	sealed, err := s.c.sealItem(item)
	if err != nil {
		return "", fmt.Errorf("hold for review: %w", err)
	}
	k := reviewKey(item.RecordID, item.Revision)
	opener := ""
	if opens {
		opener = item.From
	}
	if _, err := tx.Exec(ctx, `INSERT INTO review (record_id, revision, head, item, data, opener) VALUES ($1, $2, $3, $4, $5, $6)`,
		item.RecordID, int64(item.Revision), head, sealed, s.c.seal(colReviewData, k, packed), opener); err != nil {
		return "", fmt.Errorf("hold for review: %w", err)
	}
	return item.ServerID, nil
}

// fillOpeners fills in review.opener where it is NULL (rows held before schema 10, or
// copied from a bbolt file): a record open for review counts against the sender of its
// first open revision.
func (s *Store) fillOpeners(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT record_id, revision, item, open FROM review WHERE opener IS NULL ORDER BY record_id, revision FOR UPDATE`)
		if err != nil {
			return err
		}
		type fill struct {
			id     string
			rev    int64
			opener string
		}
		var fills []fill
		last := ""
		for rows.Next() {
			var open bool
			it, err := s.c.scanItem(rows, &open)
			if err != nil {
				rows.Close()
				return err
			}
			f := fill{id: it.RecordID, rev: int64(it.Revision)}
			if open && it.RecordID != last {
				f.opener, last = it.From, it.RecordID
			}
			fills = append(fills, f)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, f := range fills {
			b.Queue(`UPDATE review SET opener = $3 WHERE record_id = $1 AND revision = $2`, f.id, f.rev, f.opener)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("count the records held open for review by sender: %w", err)
	}
	return nil
}

// reviewKey is what a held revision's sealed values are bound to.
func reviewKey(recordID string, revision uint64) []byte {
	return fmt.Appendf(nil, "%s/%d", recordID, revision)
}

func (c codec) sealItem(item store.ReviewItem) ([]byte, error) {
	data, err := json.Marshal(item)
	return c.seal(colReviewItem, reviewKey(item.RecordID, item.Revision), data), err
}

// scanItem reads review's record_id, revision and item.
func (c codec) scanItem(rows interface{ Scan(...any) error }, extra ...any) (store.ReviewItem, error) {
	var it store.ReviewItem
	var id string
	var rev int64
	var sealed []byte
	if err := rows.Scan(append([]any{&id, &rev, &sealed}, extra...)...); err != nil {
		return it, err
	}
	data, err := c.open(colReviewItem, reviewKey(id, uint64(rev)), sealed)
	if err == nil {
		err = json.Unmarshal(data, &it)
	}
	return it, err
}

// Review is a page of the revisions held for the district's review, in key order
// (record id, then revision: the primary key), from f.After; the open records by
// sender through review_open_opener.
func (s *Store) Review(ctx context.Context, f store.ReviewFilter) (store.ReviewPage, error) {
	var page store.ReviewPage
	id, rev, err := store.ParseReviewCursor(f.After)
	if err != nil {
		return page, err
	}
	limit := f.PageLimit()
	rows, err := s.pool.Query(ctx, `SELECT record_id, revision, item FROM review WHERE (open OR $1) AND (record_id, revision) > ($2, $3)
		ORDER BY record_id, revision LIMIT $4`, f.All, id, int64(rev), limit+1)
	if err != nil {
		return page, fmt.Errorf("list the records held for review: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ReviewItem, error) { return s.c.scanItem(r) })
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("list the records held for review: %w", err)
	}
	page = store.ReviewPageOf(items, limit)
	page.OpenBySender = map[string]int{}
	rows, err = s.pool.Query(ctx, `SELECT opener, count(*) FROM review WHERE open AND opener <> '' GROUP BY opener`)
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("list the records held for review: %w", err)
	}
	var from string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&from, &n}, func() error { page.OpenBySender[from] = n; return nil })
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("list the records held for review: %w", err)
	}
	return page, nil
}

// DecideReview accepts a held record into a village (the person joins the roster, the
// record the log, stored as a batch is) or refuses it (a withdrawal in the log for the
// sending laptop).
func (s *Store) DecideReview(ctx context.Context, d store.ReviewDecision) ([]store.ReviewItem, error) {
	d, err := d.Taken(s.now)
	if err != nil {
		return nil, err
	}
	var out []store.ReviewItem
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT record_id, revision, item, data FROM review WHERE record_id = $1 AND open ORDER BY revision FOR UPDATE`, d.RecordID)
		if err != nil {
			return err
		}
		var datas [][]byte
		for rows.Next() {
			var data []byte
			it, err := s.c.scanItem(rows, &data)
			if err == nil {
				data, err = s.c.open(colReviewData, reviewKey(it.RecordID, it.Revision), data)
			}
			if err != nil {
				rows.Close()
				return err
			}
			out, datas = append(out, it), append(datas, data)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return fmt.Errorf("record %s is not held for review: %w", d.RecordID, store.ErrNotFound)
		}
		last := out[len(out)-1]
		var withdrawal []byte
		if d.Refuse != "" {
			if withdrawal, err = json.Marshal(d.Withdrawal(last)); err != nil {
				return err
			}
			// For the laptop that sent it (and its village's leader): the label's village.
			if err := appendLog(ctx, tx, []logEntry{{Kind: kindWithdrawal, Village: last.Village, RecordID: d.RecordID,
				Enumerators: []string{last.Enumerator, last.From}}}); err != nil {
				return err
			}
		} else if err := s.accept(ctx, tx, d, out, datas); err != nil {
			return err
		}
		for i := range out {
			out[i] = d.Mark(out[i])
			item, err := s.c.sealItem(out[i])
			if err != nil {
				return err
			}
			var w []byte
			if withdrawal != nil {
				w = s.c.seal(colWithdrawal, []byte(d.RecordID), withdrawal) // as records' (pull reads either)
			}
			if _, err := tx.Exec(ctx, `UPDATE review SET open = false, item = $3, withdrawal = $4 WHERE record_id = $1 AND revision = $2`,
				d.RecordID, int64(out[i].Revision), item, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decide on a record held for review: %w", err)
	}
	return out, nil
}

// accept files the held revisions under the district's village: the person's roster
// row first, then each revision stored as its sender's, judged only by the
// exactly-once rule (its authors were checked when it arrived).
func (s *Store) accept(ctx context.Context, tx pgx.Tx, d store.ReviewDecision, held []store.ReviewItem, datas [][]byte) error {
	row := store.RosterRowOf(held[len(held)-1].RecordRow, d.Village)
	data, err := json.Marshal(row)
	if err != nil {
		return err
	}
	// Compared opened: a sealed value differs each time it is sealed.
	key := s.c.blind(row.Key())
	var old []byte
	if err := tx.QueryRow(ctx, `SELECT data FROM roster WHERE key = $1`, key).Scan(&old); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if old != nil {
		if old, err = s.c.open(colRosterData, []byte(key), old); err != nil {
			return err
		}
	}
	if !bytes.Equal(old, data) {
		if _, err := tx.Exec(ctx, `INSERT INTO roster (key, village, data) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET village = excluded.village, data = excluded.data`,
			key, row.Village, s.c.seal(colRosterData, []byte(key), data)); err != nil {
			return err
		}
		if err := appendLog(ctx, tx, []logEntry{{Kind: kindRoster, Village: row.Village, Subject: key}}); err != nil {
			return err
		}
	}
	for i, it := range held {
		rev, err := unpackPlain(datas[i])
		if err != nil {
			return err
		}
		// As its laptop named it, filed where the district says: the team's laptops
		// pull it too (store.Decision.Filed).
		a := store.Arrival{Item: protocol.PushItem{Seq: uint64(i), Revision: rev, Case: protocol.Case{Subject: it.Subject, Name: it.Name, Village: it.Village}}}
		from := store.Caller{User: protocol.User{Code: it.From}, Device: it.Device}
		results := make([]protocol.PushResult, 1)
		decide := func(h store.Held, a store.Arrival) store.Decision {
			if h.Latest == nil {
				h.Same = nil // the receipt of the review itself: not yet in the log
			}
			dec := store.Decide(h, a)
			dec.Village, dec.Named = d.Village, it.Village
			return dec
		}
		if _, err := s.put(ctx, tx, from, []store.Arrival{a}, []int{0}, map[int][]byte{0: datas[i]}, nil, results, decide, false); err != nil {
			return err
		}
		if r := results[0].Result; r != protocol.Stored && r != protocol.Duplicate && r != protocol.Stale {
			return fmt.Errorf("record %s revision %d: %s", it.RecordID, it.Revision, results[0].Reason)
		}
	}
	return nil
}
