package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Moving a district from its bbolt file to PostgreSQL (doorstep-server migrate).
//
// Everything moves as it is — the server's id and epoch, every log position, receipt
// and token hash — so that the laptops notice nothing: their tokens still work, their
// pull cursors go on, a record sent again gets its first receipt. The copy runs in
// chunks, each its own transaction, and inserts only what is not there yet: an
// interrupted migration run again goes on where it stopped. Until it has been checked
// — count by count, and every revision and roster case hash by hash — the database
// says a migration is under way, and the server refuses to serve from it.
//
// The bbolt file's layout is boltstore's (schema boltstore.SchemaVersion, its package
// comment); the file is read, never written.

// metaMigrating marks a database a migration is filling: Open refuses it.
const metaMigrating = "migrating_from"

// ErrMigrating is a database a migration from bbolt has not finished filling.
var ErrMigrating = errors.New("a migration from the bbolt file into this database has not finished: run doorstep-server migrate again (it goes on where it stopped)")

// MigrationCount is one kind of thing, counted on both sides.
type MigrationCount struct {
	What       string
	Bolt, Here int
}

// MigrationReport says what a migration moved and checked.
type MigrationReport struct {
	ServerID, Epoch string
	Counts          []MigrationCount
	// Hashed is how many revisions and roster cases were compared hash by hash.
	Hashed int
}

const chunk = 1000

// FromBolt copies the bbolt data file at path into the database. progress, when not
// nil, hears what is being done.
func (s *Store) FromBolt(ctx context.Context, path string, progress func(string)) (MigrationReport, error) {
	if progress == nil {
		progress = func(string) {}
	}
	var rep MigrationReport
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return rep, fmt.Errorf("%s is held by a running doorstep-server: stop it first, so that nothing arrives during the move", path)
	}
	if err != nil {
		return rep, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		if meta == nil {
			return fmt.Errorf("%s is not a doorstep-server data file", path)
		}
		if v := meta.Get([]byte("schema")); len(v) != 8 || binary.BigEndian.Uint64(v) != boltstore.SchemaVersion() || meta.Get([]byte("sealing")) != nil {
			return fmt.Errorf("%s is not at schema %d: start this doorstep-server on it once (it brings the file up to date), stop it, and migrate", path, boltstore.SchemaVersion())
		}
		// The file's values are sealed under the key this database is given: the
		// same key, so blind indexes carry over as they are.
		switch kc := meta.Get([]byte("keycheck")); {
		case kc != nil && s.c.s == nil:
			return fmt.Errorf("%s: %w", path, seal.ErrNoKey)
		case kc != nil:
			if err := s.c.s.Verify(kc); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		case s.c.s != nil:
			return fmt.Errorf("%s is not encrypted: open it once with the server's data key (start the server, or run any office command, on it), then migrate", path)
		}
		rep.ServerID, rep.Epoch = string(meta.Get([]byte("server_id"))), string(meta.Get([]byte("epoch")))
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := s.claim(ctx, rep.ServerID, rep.Epoch); err != nil {
		return rep, err
	}
	steps := []struct {
		what string
		fn   func(context.Context, *bolt.DB) error
	}{
		{"users, enrolment codes and device tokens", s.copyUsers},
		{"the roster and its imports", s.copyRoster},
		{"revisions", s.copyRevisions},
		{"records and duplicate interviews", s.copyRecords},
		{"records held for the district's review", s.copyReview},
		{"the log", s.copyLog},
	}
	for _, st := range steps {
		progress("copying " + st.what)
		if err := st.fn(ctx, db); err != nil {
			return rep, fmt.Errorf("copy %s: %w", st.what, err)
		}
	}
	// A database filled in one go has no planner statistics until autovacuum comes by
	// (a minute or more): meanwhile the first pushes' statements are planned as if its
	// tables were empty, and a plan cached then (pgx prepares them) reads the million
	// rows of records whole, push after push, until the statistics change.
	progress("gathering the planner's statistics")
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		return rep, fmt.Errorf("gather the planner's statistics: %w", err)
	}
	progress("checking, count by count and hash by hash")
	if err := s.verify(ctx, db, &rep); err != nil {
		return rep, err
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM doorstep_meta WHERE key = $1`, metaMigrating); err != nil {
		return rep, err
	}
	s.serverID, s.epoch = rep.ServerID, rep.Epoch
	return rep, nil
}

// claim makes the database the bbolt server's: its id and epoch, and the mark of a
// migration under way. A database that holds anything else is refused.
func (s *Store) claim(ctx context.Context, serverID, epoch string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var from string
		err := tx.QueryRow(ctx, `SELECT value FROM doorstep_meta WHERE key = $1`, metaMigrating).Scan(&from)
		if errors.Is(err, pgx.ErrNoRows) {
			var used bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM log) OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM roster)`).Scan(&used); err != nil {
				return err
			}
			if used {
				return fmt.Errorf("the database %s already holds a district's data: migrate into an empty database", s.where)
			}
		} else if err != nil {
			return err
		} else if from != serverID+"/"+epoch {
			return fmt.Errorf("the database %s is being filled from another bbolt file (%s): finish that one, or use an empty database", s.where, from)
		}
		_, err = tx.Exec(ctx, `INSERT INTO doorstep_meta (key, value) VALUES ('server_id', $1), ('epoch', $2), ($3, $4)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, serverID, epoch, metaMigrating, serverID+"/"+epoch)
		return err
	})
}

// eachChunk calls fn with the keys and values of a bucket, chunk by chunk, each chunk
// in its own PostgreSQL transaction.
func eachChunk(ctx context.Context, s *Store, db *bolt.DB, bucket string, fn func(tx pgx.Tx, b *pgx.Batch, k, v []byte) error) error {
	var after []byte
	for {
		var keys, vals [][]byte
		err := db.View(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte(bucket))
			if bk == nil {
				// Every bucket exists at the schema checked above: one missing is a file
				// this copy does not understand, and skipping it would report a
				// migration that moved nothing of it as done.
				return fmt.Errorf("the file has no %s/ at schema %d: it is not a doorstep-server data file as this program writes it", bucket, boltstore.SchemaVersion())
			}
			c := bk.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(keys) < chunk; k, v = c.Next() {
				keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
			}
			boltstore.ReleaseMapped(tx) // what was read is copied: the file stays out of memory
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for i := range keys {
				if err := fn(tx, b, keys[i], vals[i]); err != nil {
					return fmt.Errorf("%s %x: %w", bucket, keys[i], err)
				}
			}
			return tx.SendBatch(ctx, b).Close()
		})
		if err != nil {
			return err
		}
		after = keys[len(keys)-1]
	}
}

func (s *Store) copyUsers(ctx context.Context, db *bolt.DB) error {
	err := eachChunk(ctx, s, db, "users", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		b.Queue(`INSERT INTO users (code, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`, string(k), v)
		return nil
	})
	if err != nil {
		return err
	}
	err = eachChunk(ctx, s, db, "enroll", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		var e struct {
			User    protocol.User `json:"user"`
			Expires time.Time     `json:"expires"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		u, _ := json.Marshal(e.User)
		b.Queue(`INSERT INTO users (code, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`, e.User.Code, u)
		b.Queue(`INSERT INTO enrolments (code_hash, user_code, expires) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, k, e.User.Code, e.Expires)
		return nil
	})
	if err != nil {
		return err
	}
	return eachChunk(ctx, s, db, "tokens", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		var t struct {
			User    string    `json:"user"`
			Device  string    `json:"device"`
			Created time.Time `json:"created"`
			Revoked bool      `json:"revoked"`
			Key     []byte    `json:"key"` // the device's signing key; none before signatures
			// RevokedAt: when (zero: revoked before the time was kept, NULL here).
			RevokedAt time.Time `json:"revoked_at"`
			Card      string    `json:"card"` // the user's key card on the device
			LastPush  time.Time `json:"last_push"`
		}
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		var key []byte // NULL, as pgstore.Enroll keeps a device without one
		if len(t.Key) > 0 {
			key = t.Key
		}
		var revokedAt *time.Time
		if !t.RevokedAt.IsZero() {
			revokedAt = &t.RevokedAt
		}
		var lastPush *time.Time
		if !t.LastPush.IsZero() {
			lastPush = &t.LastPush
		}
		b.Queue(`INSERT INTO tokens (token_hash, user_code, device, created, revoked, signing_key, revoked_at, card, last_push)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			k, t.User, t.Device, t.Created, t.Revoked, key, revokedAt, nullable(t.Card), lastPush)
		return nil
	})
}

func (s *Store) copyRoster(ctx context.Context, db *bolt.DB) error {
	err := eachChunk(ctx, s, db, "roster", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		v, err := s.c.open("roster", k, v)
		if err != nil {
			return err
		}
		var row struct {
			Village string `json:"village"`
		}
		if err := json.Unmarshal(v, &row); err != nil {
			return err
		}
		b.Queue(`INSERT INTO roster (key, village, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, string(k), row.Village,
			s.c.seal(colRosterData, k, v))
		return nil
	})
	if err != nil {
		return err
	}
	err = eachChunk(ctx, s, db, "rosterlog", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		b.Queue(`INSERT INTO roster_imports (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`, int64(binary.BigEndian.Uint64(k)), v)
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('roster_imports', 'id'), coalesce((SELECT max(id) FROM roster_imports), 0) + 1, false)`)
	return err
}

// revisionData is a bbolt revision and its data as this store packs it (codec.go),
// before it is sealed.
func (s *Store) revisionData(k, v []byte) (store.StoredRevision, []byte, error) {
	v, err := s.c.open("revisions", k, v)
	if err != nil {
		return store.StoredRevision{}, nil, err
	}
	st, err := boltstore.DecodeRevision(v)
	if err != nil {
		return st, nil, err
	}
	data, err := packRevision(st.Revision)
	return st, data, err
}

// copyRevisions copies every stored revision with the columns a listing reads; which
// is each record's latest is set by copyRecords.
func (s *Store) copyRevisions(ctx context.Context, db *bolt.DB) error {
	return eachChunk(ctx, s, db, "revisions", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		st, data, err := s.revisionData(k, v)
		if err != nil {
			return err
		}
		r := st.Revision.Record
		photos := make([]string, len(r.Photos))
		for i, p := range r.Photos {
			photos[i] = p.Hash
		}
		head := []byte{} // a revision without a chain (none is stored): an empty hash, as migration 0006 makes it
		if n := len(st.Revision.Audit); n > 0 {
			if head, err = hashBytes(st.Revision.Audit[n-1].Hash); err != nil {
				return fmt.Errorf("revision %s: %w", st.ServerID, err)
			}
		}
		b.Queue(`INSERT INTO revisions (seq, record_id, revision, latest, server_id, subject_blind, person, village, form_id, enumerator,
			from_user, device, status, photos, head, received, data) VALUES ($1, $2, $3, false, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT DO NOTHING`,
			int64(st.Seq), r.ID, int64(r.Revision), st.ServerID, s.c.blind(st.Case.Subject), s.c.sealWho(st.Seq, st.Case.Subject, st.Case.Name),
			st.Case.Village, r.FormID, r.Enumerator, st.From, st.Device, string(r.Status), photos, head, st.Received,
			s.c.seal(colRevisionData, seqKey(st.Seq), data))
		return nil
	})
}

// copyRecords copies each record's latest chain, person and standing, marks its latest
// revision, and the duplicate interviews.
func (s *Store) copyRecords(ctx context.Context, db *bolt.DB) error {
	// boltstore's states/ (schema 9): keyed by log position, the record's id inside.
	err := eachChunk(ctx, s, db, "states", func(_ pgx.Tx, b *pgx.Batch, sk, v []byte) error {
		v, err := s.c.open("states", sk, v)
		if err != nil {
			return err
		}
		var m struct {
			ID        string `json:"id"`
			Revision  uint64 `json:"rev"`
			Seq       uint64 `json:"seq"`
			Subject   string `json:"subject"`
			FormID    string `json:"form_id"`
			Duplicate bool   `json:"dup"`
			Withdrawn string `json:"withdrawn"`
			Head      string `json:"head"`
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return err
		}
		k := []byte(m.ID)
		var heads, withdrawal []byte
		err = db.View(func(tx *bolt.Tx) error {
			raw := tx.Bucket([]byte("heads")).Get(k) // the same bytes records.heads keeps
			heads = bytes.Clone(raw[:len(raw)/32*32])
			if heads == nil && m.Head != "" {
				// The file keeps only the chain's last hash (boltstore's recordMeta):
				// the hashes are the latest revision's chain's, at its log position.
				rk := binary.BigEndian.AppendUint64(nil, m.Seq)
				v, err := s.c.open("revisions", rk, tx.Bucket([]byte("revisions")).Get(rk))
				if err != nil {
					return fmt.Errorf("its latest revision: %w", err)
				}
				st, err := boltstore.DecodeRevision(v)
				if err != nil {
					return fmt.Errorf("its latest revision: %w", err)
				}
				if heads, err = packHeads(record.Heads(st.Revision.Audit)); err != nil {
					return err
				}
			}
			if heads == nil {
				heads = []byte{}
			}
			if w := tx.Bucket([]byte("withdrawn")).Get(k); w != nil {
				plain, err := s.c.open("withdrawn", k, w)
				if err != nil {
					return err
				}
				withdrawal = s.c.seal(colWithdrawal, k, plain)
			}
			return nil
		})
		if err != nil {
			return err
		}
		pk := s.c.personKey(m.Subject, m.FormID)
		b.Queue(`INSERT INTO records (record_id, revision, heads, person_key, duplicate, withdrawn, withdrawal)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			string(k), int64(m.Revision), heads, nullable(pk), m.Duplicate, m.Withdrawn, withdrawal)
		b.Queue(`UPDATE revisions SET latest = true WHERE seq = $1 AND NOT latest`, int64(m.Seq))
		return nil
	})
	if err != nil {
		return err
	}
	return eachChunk(ctx, s, db, "dups", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		v, err := s.c.open("dups", k, v)
		if err != nil {
			return err
		}
		var d struct {
			Subject    string                  `json:"subject"`
			FormID     string                  `json:"form_id"`
			Kept       string                  `json:"kept"`
			Reason     string                  `json:"reason"`
			ResolvedBy string                  `json:"resolved_by"`
			ResolvedAt string                  `json:"resolved_at"`
			Earlier    []store.DuplicateChoice `json:"earlier"`
		}
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		g := store.DuplicateGroup{Kept: d.Kept, Reason: d.Reason, ResolvedBy: d.ResolvedBy, Earlier: d.Earlier}.WithHistory()
		pk := s.c.personKey(d.Subject, d.FormID)
		var at *time.Time
		if t, err := time.Parse(time.RFC3339Nano, d.ResolvedAt); err == nil && g.Kept != "" {
			at = &t
		}
		if g.Earlier == nil {
			g.Earlier = []store.DuplicateChoice{}
		}
		b.Queue(`INSERT INTO duplicates (person_key, subject_sealed, form_id, found, kept, reason, resolved_by, resolved_at, earlier)
			VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, pk, s.c.seal(colDupSubject, []byte(pk), []byte(d.Subject)),
			d.FormID, g.Kept, g.Reason, g.ResolvedBy, at, g.Earlier)
		return nil
	})
}

// copyReview copies the revisions held for the district's review, decided or not, with
// the withdrawal a refused one's laptop pulls, and goes on numbering their receipts
// after the file's.
func (s *Store) copyReview(ctx context.Context, db *bolt.DB) error {
	err := eachChunk(ctx, s, db, "review", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		v, err := s.c.open("review", k, v)
		if err != nil {
			return err
		}
		var h struct {
			Item   store.ReviewItem `json:"item"`
			Head   string           `json:"head"`
			Stored []byte           `json:"stored"`
		}
		if err := json.Unmarshal(v, &h); err != nil {
			return err
		}
		st, err := boltstore.DecodeRevision(h.Stored)
		if err != nil {
			return err
		}
		data, err := packRevision(st.Revision)
		if err != nil {
			return err
		}
		item, err := s.c.sealItem(h.Item)
		if err != nil {
			return err
		}
		var withdrawal []byte
		if h.Item.Refused != "" {
			err := db.View(func(tx *bolt.Tx) error {
				id := []byte(h.Item.RecordID)
				if w := tx.Bucket([]byte("withdrawn")).Get(id); w != nil {
					plain, err := s.c.open("withdrawn", id, w)
					if err != nil {
						return err
					}
					withdrawal = s.c.seal(colWithdrawal, id, plain)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		b.Queue(`INSERT INTO review (record_id, revision, head, open, item, data, withdrawal) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT DO NOTHING`, h.Item.RecordID, int64(h.Item.Revision), h.Head, h.Item.Open(), item,
			s.c.seal(colReviewData, reviewKey(h.Item.RecordID, h.Item.Revision), data), withdrawal)
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.fillOpeners(ctx); err != nil { // copied without: each record's opener
		return err
	}
	var n uint64
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("review")); b != nil {
			n = b.Sequence()
		}
		return nil
	})
	if n == 0 {
		return nil
	}
	_, err = s.pool.Exec(ctx, `SELECT setval('review_seq', $1)`, int64(n))
	return err
}

// boltKinds are boltstore's log kinds.
var boltKinds = map[string]string{"r": kindRevision, "o": kindRoster, "w": kindWithdrawal}

func (s *Store) copyLog(ctx context.Context, db *bolt.DB) error {
	return eachChunk(ctx, s, db, "log", func(_ pgx.Tx, b *pgx.Batch, k, v []byte) error {
		var e struct {
			Kind        string   `json:"k"`
			Key         string   `json:"key"`
			Village     string   `json:"v"`
			Enumerators []string `json:"e"`
			From        string   `json:"f"`
			Also        string   `json:"a"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		kind, ok := boltKinds[e.Kind]
		if !ok {
			return fmt.Errorf("a log entry of a kind this program does not know (%q)", e.Kind)
		}
		recordID, subject := e.Key, ""
		if kind == kindRoster {
			recordID, subject = "", e.Key
		}
		if e.Enumerators == nil {
			e.Enumerators = []string{}
		}
		b.Queue(`INSERT INTO log (seq, kind, village, record_id, subject, from_user, enumerators, also) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT DO NOTHING`, int64(binary.BigEndian.Uint64(k)), kind, e.Village, nullable(recordID), nullable(subject), e.From, e.Enumerators,
			nullable(e.Also))
		return nil
	})
}

// verify counts both sides and compares every revision and roster case by the SHA-256
// of its bytes.
func (s *Store) verify(ctx context.Context, db *bolt.DB, rep *MigrationReport) error {
	counts := []struct{ what, bucket, sql string }{
		{"users", "users", `SELECT count(*) FROM users`},
		{"enrolment codes", "enroll", `SELECT count(*) FROM enrolments`},
		{"device tokens", "tokens", `SELECT count(*) FROM tokens`},
		{"roster cases", "roster", `SELECT count(*) FROM roster`},
		{"roster imports", "rosterlog", `SELECT count(*) FROM roster_imports`},
		{"revisions", "revisions", `SELECT count(*) FROM revisions`},
		{"records", "states", `SELECT count(*) FROM records`},
		{"latest revisions", "states", `SELECT count(*) FROM revisions WHERE latest`},
		{"duplicate interviews", "dups", `SELECT count(*) FROM duplicates`},
		{"withdrawals", "withdrawn", `SELECT count(*) FROM (SELECT record_id FROM records WHERE withdrawal IS NOT NULL
			UNION SELECT record_id FROM review WHERE withdrawal IS NOT NULL) w`},
		{"revisions held for review", "review", `SELECT count(*) FROM review`},
		{"log entries", "log", `SELECT count(*) FROM log`},
	}
	var bad []string
	for _, c := range counts {
		n := 0
		db.View(func(tx *bolt.Tx) error {
			if b := tx.Bucket([]byte(c.bucket)); b != nil {
				n = b.Stats().KeyN
			}
			boltstore.ReleaseMapped(tx) // counting walked every page of the bucket
			return nil
		})
		var here int
		if err := s.pool.QueryRow(ctx, c.sql).Scan(&here); err != nil {
			return fmt.Errorf("count %s: %w", c.what, err)
		}
		rep.Counts = append(rep.Counts, MigrationCount{What: c.what, Bolt: n, Here: here})
		if n != here {
			bad = append(bad, fmt.Sprintf("%s: %d in the file, %d in the database", c.what, n, here))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the copy does not match the file (run migrate again to finish it): %s", strings.Join(bad, "; "))
	}
	// Hash by hash, opened: the revisions by their log position, the roster by its key.
	err := compareHashes(ctx, s, db, rep, "revisions", `SELECT seq, data FROM revisions WHERE seq = ANY($1)`,
		func(k, v []byte) (int64, []byte, error) {
			st, data, err := s.revisionData(k, v)
			return int64(st.Seq), data, err
		}, func(seq int64, data []byte) ([]byte, error) {
			return s.c.open(colRevisionData, seqKey(uint64(seq)), data)
		})
	if err != nil {
		return err
	}
	return compareHashes(ctx, s, db, rep, "roster", `SELECT key, data FROM roster WHERE key = ANY($1)`,
		func(k, v []byte) (string, []byte, error) {
			v, err := s.c.open("roster", k, v)
			return string(k), v, err
		}, func(k string, data []byte) ([]byte, error) { return s.c.open(colRosterData, []byte(k), data) })
}

// compareHashes compares each value of a bucket (as value gives it: its key here and
// its plain bytes as this store keeps them) with the row sql finds by that key (as
// open gives its plain bytes), by SHA-256, a chunk at a time.
func compareHashes[K comparable](ctx context.Context, s *Store, db *bolt.DB, rep *MigrationReport, bucket, sql string,
	value func(k, v []byte) (K, []byte, error), open func(k K, data []byte) ([]byte, error)) error {
	var after []byte
	for {
		var keys []K
		var sums [][32]byte
		err := db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket([]byte(bucket)).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(keys) < chunk; k, v = c.Next() {
				id, data, err := value(k, v)
				if err != nil {
					return err
				}
				keys, sums = append(keys, id), append(sums, sha256.Sum256(data))
				after = bytes.Clone(k)
			}
			boltstore.ReleaseMapped(tx)
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		rows, err := s.pool.Query(ctx, sql, keys)
		if err != nil {
			return fmt.Errorf("check %s: %w", bucket, err)
		}
		have := map[K][]byte{}
		for rows.Next() {
			var k K
			var data []byte
			if err := rows.Scan(&k, &data); err != nil {
				rows.Close()
				return fmt.Errorf("check %s: %w", bucket, err)
			}
			plain, err := open(k, data)
			if err != nil {
				rows.Close()
				return fmt.Errorf("check %s: %w", bucket, err)
			}
			sum := sha256.Sum256(plain)
			have[k] = sum[:]
		}
		rows.Close()
		for i, k := range keys {
			if !bytes.Equal(have[k], sums[i][:]) {
				return fmt.Errorf("%s %v differs between the file and the database (run migrate again)", bucket, k)
			}
			rep.Hashed++
		}
	}
}
