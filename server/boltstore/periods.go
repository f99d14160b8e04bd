package boltstore

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Schema 10 keys the log by village (vlogp/) and the rows by village and enumerator
// (idxp/) by period first: u64(period) part u64(seq), a period being 2^periodBits log
// positions, where schema 9's vlog/ and idx/ keyed them part u64(seq). Every batch of
// records adds to the tail of each of its villages (300 in storetest.Scale), and keyed
// by village those 300 tails lie all over the tree, each under its own branch page
// once the bucket is large: a batch rewrote 300 leaves and, at 20 000 records, 40
// branches of vlog/ and 17 of idx/; at 300 000, 240 and 143 (TestCommitPages) — a
// quarter of every commit's pages, and growing with the file. Keyed by period, every
// tail of the current period sits together at the end of the tree, under the same few
// branches at any size. A reader walks a village's part period by period (a seek in
// each, a few dozen at a million records), in log order.
//
// The step moves the entries of vlog/ and idx/ (but idx/'s keys by subject, unread
// since schema 8) in steps of periodChunk, each its own transaction that moves the
// first entries left and deletes them: a step interrupted goes on with what is left
// at the next open. The old buckets are dropped once empty.

// periodBits: a period is 65 536 log positions. Shorter, a village's part of a period
// would fill less than a page of idxp/ (its last page of each period is part empty);
// longer, the current period's tails spread under more branches again.
const periodBits = 16

// periodKey is where the entry of part (cat(…)) at seq goes in vlogp/ or idxp/.
func periodKey(part []byte, seq uint64) []byte {
	k := make([]byte, 0, 8+len(part)+8)
	k = append(k, u64(seq>>periodBits)...)
	k = append(k, part...)
	return append(k, u64(seq)...)
}

// partCursor walks the entries of one part of a bucket (a village's, an enumerator's),
// in log order from a position on: in vlogp/ and idxp/ period by period, up to the
// log's last; in ulog/ (not by period) its one range.
type partCursor struct {
	c       *bolt.Cursor
	part    []byte
	periods bool
	period  uint64 // the period walked
	last    uint64 // the log's last position
	prefix  []byte // of the range walked
	k, v    []byte // the entry at, nil at the end
}

// newPartCursor is a partCursor of part in b at the first entry after the position
// after; periods: b is keyed by period (vlogp/, idxp/).
func newPartCursor(tx *bolt.Tx, b *bolt.Bucket, part []byte, periods bool, after uint64) *partCursor {
	p := &partCursor{c: b.Cursor(), part: part, periods: periods}
	if periods {
		k, _ := tx.Bucket(bktLog).Cursor().Last()
		p.last = fromU64(k)
		p.period = (after + 1) >> periodBits
	}
	p.seek(after + 1)
	return p
}

// seek goes to the first entry at seq or later, from the period walked on.
func (p *partCursor) seek(seq uint64) {
	if !p.periods {
		p.prefix = p.part
		p.k, p.v = p.c.Seek(append(bytes.Clone(p.prefix), u64(seq)...))
		p.check()
		return
	}
	for ; p.period <= p.last>>periodBits; p.period++ {
		p.prefix = append(u64(p.period), p.part...)
		p.k, p.v = p.c.Seek(append(bytes.Clone(p.prefix), u64(max(seq, p.period<<periodBits))...))
		if p.check() {
			return
		}
	}
}

// check ends the walk of a range at an entry outside it; it says whether the cursor is
// at one of the range.
func (p *partCursor) check() bool {
	if p.k != nil && bytes.HasPrefix(p.k, p.prefix) && len(p.k) == len(p.prefix)+8 {
		return true
	}
	p.k, p.v = nil, nil
	return false
}

// next moves to the next entry.
func (p *partCursor) next() {
	p.k, p.v = p.c.Next()
	if p.check() || !p.periods {
		return
	}
	p.period++
	p.seek(0)
}

// seq is the log position of the entry at.
func (p *partCursor) seq() uint64 { return fromU64(p.k[len(p.k)-8:]) }

// periodChunk is how many entries one step of the move to schema 10 moves (a variable
// for the test that stops after a step).
var periodChunk = 5000

// movePeriods is the step to schema 10 (a derived step of its own transactions).
func (s *Store) movePeriods(schema uint64) error {
	return s.untilDone(func() (bool, error) { return s.periodStep(schema) })
}

// periodStep moves up to periodChunk entries of vlog/ and idx/ to vlogp/ and idxp/;
// when none are left it drops them and sets the schema.
func (s *Store) periodStep(schema uint64) (done bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := create(tx, bktVLogP, bktIdxP); err != nil {
			return err
		}
		moved := 0
		for _, m := range []struct{ from, to []byte }{{bktVLog, bktVLogP}, {bktIdx, bktIdxP}} {
			from := tx.Bucket(m.from)
			if from == nil {
				continue
			}
			if moved >= periodChunk {
				break
			}
			type entry struct{ k, v []byte }
			var todo []entry
			c := from.Cursor()
			for k, v := c.First(); k != nil && moved+len(todo) < periodChunk; k, v = c.Next() {
				todo = append(todo, entry{bytes.Clone(k), bytes.Clone(v)})
			}
			if len(todo) == 0 {
				if err := tx.DeleteBucket(m.from); err != nil {
					return err
				}
				continue
			}
			// Written after the walk: no writes through a cursor.
			to := tx.Bucket(m.to)
			to.FillPercent = appendFill
			for _, e := range todo {
				if err := from.Delete(e.k); err != nil {
					return err
				}
				if bytes.Equal(m.from, bktIdx) && bytes.HasPrefix(e.k, []byte("s\x00")) {
					continue // by subject: unread since schema 8
				}
				n := len(e.k) - 8
				if n < 1 || e.k[n-1] != 0 {
					return fmt.Errorf("%s key %q is not a part and a log position", m.from, e.k)
				}
				if err := to.Put(periodKey(e.k[:n], fromU64(e.k[n:])), e.v); err != nil {
					return err
				}
			}
			moved += len(todo)
		}
		if done = moved == 0; done {
			return tx.Bucket(bktMeta).Put(keySchema, u64(schema))
		}
		return nil
	})
	return done, err
}
