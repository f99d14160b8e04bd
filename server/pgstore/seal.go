package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/server/seal"
)

// codec is how the database keeps personal data: sealed under the server's data key
// (server/seal), each value bound to its table, column and row, and certificate or ID
// numbers that rows are found by replaced by blind indexes. Without a sealer (a store
// opened without a key, which doorstep-server never does) values are plain and
// numbers are themselves.
type codec struct{ s *seal.Sealer }

// Where each sealed value lives: its table and column (the row's key is the rest of
// what it is bound to).
const (
	colRevisionData = "revisions.data"   // by seq
	colRevisionWho  = "revisions.person" // by seq
	colWithdrawal   = "records.withdrawal"
	colDupSubject   = "duplicates.subject_sealed"
	colRosterData   = "roster.data"
	// review's, by record id "/" revision (reviewKey); its withdrawal is sealed as
	// records' (colWithdrawal, by record id): a pull reads either
	colReviewItem = "review.item"
	colReviewData = "review.data"
)

func (c codec) blind(subject string) string {
	if c.s == nil || subject == "" {
		return subject
	}
	return c.s.Blind("subject", subject)
}

// personKey is store.PersonKey as the database keeps it: the blind subject and the
// form as a JSON array (PostgreSQL's text holds no NUL); "" for a village's form.
func (c codec) personKey(subject, form string) string {
	if subject == "" {
		return ""
	}
	data, _ := json.Marshal([2]string{c.blind(subject), form})
	return string(data)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func (c codec) seal(col string, key, plain []byte) []byte {
	if c.s == nil {
		return plain
	}
	return c.s.Seal(col, key, plain)
}

func (c codec) open(col string, key, v []byte) ([]byte, error) {
	if c.s == nil || v == nil {
		return v, nil
	}
	return c.s.Open(col, key, v)
}

// who is a revision's person as revisions.person keeps it.
type who struct {
	Subject string `json:"subject"`
	Name    string `json:"name"`
}

func (c codec) sealWho(seq uint64, subject, name string) []byte {
	data, _ := json.Marshal(who{subject, name})
	return c.seal(colRevisionWho, seqKey(seq), data)
}

func (c codec) openWho(seq uint64, v []byte) (who, error) {
	var w who
	data, err := c.open(colRevisionWho, seqKey(seq), v)
	if err == nil {
		err = json.Unmarshal(data, &w)
	}
	return w, err
}

// metaKeyCheck is the data key's check value in doorstep_meta, as hex; none: a plain
// database.
const metaKeyCheck = "keycheck"

// checkKey compares the key given with the database's: a sealed database is refused
// without its key or with another; a plain one given a key is sealed now.
func (s *Store) checkKey(ctx context.Context) error {
	kc, err := s.keyCheck(ctx, s.pool)
	if err != nil {
		return err
	}
	switch {
	case kc != nil && s.c.s == nil:
		return fmt.Errorf("%w: it cannot be opened without its key", seal.ErrNoKey)
	case kc != nil:
		return s.c.s.Verify(kc)
	case s.c.s == nil:
		return nil
	}
	return s.sealDatabase(ctx)
}

func (s *Store) keyCheck(ctx context.Context, q querier) ([]byte, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM doorstep_meta WHERE key = $1`, metaKeyCheck).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the data key's check: %w", err)
	}
	return hex.DecodeString(v)
}

// sealDatabase seals a plain database (schema 8's layout) under the key, in one
// transaction: interrupted, it leaves the database plain, and the next start seals it
// again from the beginning. The log's writers wait meanwhile (logLock); laptops'
// pushes are answered once it commits.
func (s *Store) sealDatabase(ctx context.Context) error {
	c := s.c
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
			return err
		}
		if kc, err := s.keyCheck(ctx, tx); err != nil || kc != nil { // sealed by another server meanwhile
			if err == nil {
				err = c.s.Verify(kc)
			}
			return err
		}
		// Revisions: a page at a time, by seq.
		var after int64
		for {
			rows, err := tx.Query(ctx, `SELECT seq, person, data FROM revisions WHERE seq > $1 ORDER BY seq LIMIT 1000`, after)
			if err != nil {
				return err
			}
			b := &pgx.Batch{}
			for rows.Next() {
				var seq int64
				var person, data []byte
				if err := rows.Scan(&seq, &person, &data); err != nil {
					rows.Close()
					return err
				}
				var w who
				if err := json.Unmarshal(person, &w); err != nil {
					rows.Close()
					return fmt.Errorf("revision at %d: %w", seq, err)
				}
				b.Queue(`UPDATE revisions SET subject_blind = $2, person = $3, data = $4 WHERE seq = $1`, seq, c.blind(w.Subject),
					c.sealWho(uint64(seq), w.Subject, w.Name), c.seal(colRevisionData, seqKey(uint64(seq)), data))
				after = seq
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if b.Len() == 0 {
				break
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		// Records, duplicate interviews and the roster are read whole (a district's
		// tens of thousands), then rewritten.
		type rekey struct {
			old, new string
			v        []byte
		}
		read := func(sql string, fn func(k string, v []byte) (rekey, error)) ([]rekey, error) {
			rows, err := tx.Query(ctx, sql)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []rekey
			for rows.Next() {
				var k string
				var v []byte
				if err := rows.Scan(&k, &v); err != nil {
					return nil, err
				}
				r, err := fn(k, v)
				if err != nil {
					return nil, fmt.Errorf("%q: %w", k, err)
				}
				out = append(out, r)
			}
			return out, rows.Err()
		}
		rekeyPerson := func(pk string) (string, error) {
			var pair [2]string
			if err := json.Unmarshal([]byte(pk), &pair); err != nil {
				return "", err
			}
			return c.personKey(pair[0], pair[1]), nil
		}
		recs, err := read(`SELECT record_id, withdrawal FROM records WHERE withdrawal IS NOT NULL`, func(id string, v []byte) (rekey, error) {
			return rekey{id, id, c.seal(colWithdrawal, []byte(id), v)}, nil
		})
		if err != nil {
			return fmt.Errorf("records: %w", err)
		}
		persons, err := read(`SELECT DISTINCT person_key, ''::bytea FROM records WHERE person_key IS NOT NULL`, func(pk string, _ []byte) (rekey, error) {
			n, err := rekeyPerson(pk)
			return rekey{pk, n, nil}, err
		})
		if err != nil {
			return fmt.Errorf("records: %w", err)
		}
		dups, err := read(`SELECT person_key, subject_sealed FROM duplicates`, func(pk string, v []byte) (rekey, error) {
			n, err := rekeyPerson(pk)
			return rekey{pk, n, c.seal(colDupSubject, []byte(n), v)}, err
		})
		if err != nil {
			return fmt.Errorf("duplicate interviews: %w", err)
		}
		roster, err := read(`SELECT key, data FROM roster`, func(k string, v []byte) (rekey, error) {
			n := c.blind(k)
			return rekey{k, n, c.seal(colRosterData, []byte(n), v)}, nil
		})
		if err != nil {
			return fmt.Errorf("roster: %w", err)
		}
		type held struct {
			id            string
			rev           int64
			item, data, w []byte
		}
		var review []held
		rows, err := tx.Query(ctx, `SELECT record_id, revision, item, data, withdrawal FROM review`)
		if err != nil {
			return fmt.Errorf("review: %w", err)
		}
		for rows.Next() {
			var h held
			if err := rows.Scan(&h.id, &h.rev, &h.item, &h.data, &h.w); err != nil {
				rows.Close()
				return fmt.Errorf("review: %w", err)
			}
			review = append(review, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		b := &pgx.Batch{}
		for _, h := range review {
			k := reviewKey(h.id, uint64(h.rev))
			var w []byte
			if h.w != nil {
				w = c.seal(colWithdrawal, []byte(h.id), h.w)
			}
			b.Queue(`UPDATE review SET item = $3, data = $4, withdrawal = $5 WHERE record_id = $1 AND revision = $2`, h.id, h.rev,
				c.seal(colReviewItem, k, h.item), c.seal(colReviewData, k, h.data), w)
		}
		for _, r := range recs {
			b.Queue(`UPDATE records SET withdrawal = $2 WHERE record_id = $1`, r.old, r.v)
		}
		for _, r := range persons {
			b.Queue(`UPDATE records SET person_key = $2 WHERE person_key = $1`, r.old, r.new)
		}
		for _, r := range dups {
			b.Queue(`UPDATE duplicates SET person_key = $2, subject_sealed = $3 WHERE person_key = $1`, r.old, r.new, r.v)
		}
		olds, news := make([]string, len(roster)), make([]string, len(roster))
		for i, r := range roster {
			b.Queue(`UPDATE roster SET key = $2, data = $3 WHERE key = $1`, r.old, r.new, r.v)
			olds[i], news[i] = r.old, r.new
		}
		// One statement: the log has no index by subject.
		b.Queue(`UPDATE log l SET subject = m.new FROM unnest($1::text[], $2::text[]) AS m(old, new)
			WHERE l.kind = 'roster' AND l.subject = m.old`, olds, news)
		b.Queue(`INSERT INTO doorstep_meta (key, value) VALUES ($1, $2)`, metaKeyCheck, hex.EncodeToString(c.s.Check()))
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("encrypt the database (nothing was changed; the next start tries again): %w", err)
	}
	return nil
}
