package pgstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/store"
)

var _ store.Store = (*Store)(nil)

// PutBatch judges and stores a batch in one transaction. The chains are checked before
// it (the costly part); inside it the batch is the log's one writer, so that what it
// reads of the records it decides on cannot change under it, and the rest of the work
// is a handful of round trips whatever the batch's size: one to read what is held of
// every record of the batch, a few to write what is stored.
func (s *Store) PutBatch(ctx context.Context, from store.Caller, items []store.Arrival) ([]protocol.PushResult, error) {
	results := make([]protocol.PushResult, len(items))
	var checked []int
	for i, a := range items {
		res, ok := store.Check(from.User, a)
		if ok && hasNUL(from, a) {
			res.Code, res.Reason, ok = protocol.ReasonUnstorable, "the record holds a NUL character (\\u0000), which the district's database cannot keep", false
		}
		results[i] = res
		if ok {
			checked = append(checked, i)
		}
	}
	if len(checked) == 0 {
		return results, nil
	}
	// Packed before the transaction: deflating is the costly part of a write, and the
	// transaction holds the log.
	packed := make(map[int][]byte, len(checked))
	for _, i := range checked {
		data, err := packRevision(items[i].Item.Revision)
		if err != nil {
			return nil, fmt.Errorf("store a batch of %d: %w", len(items), err)
		}
		packed[i] = data
	}
	verdicts, keys, err := s.preVerify(ctx, items, checked)
	if err != nil {
		return nil, fmt.Errorf("store a batch of %d: %w", len(items), err)
	}
	decide := func(h store.Held, a store.Arrival) store.Decision {
		h.District, h.Verdicts = s.district, verdicts
		return store.DecideFrom(from.User, h, a)
	}
	if err := s.putTx(ctx, from, items, checked, packed, keys, results, decide); err != nil {
		return nil, fmt.Errorf("store a batch of %d: %w", len(items), err)
	}
	return results, nil
}

// putTx runs put in a transaction of its own, opened by put's first round trip and
// committed by its write batch: the log is held until the commit, and neither the
// BEGIN nor the commit costs a round trip of its own.
func (s *Store) putTx(ctx context.Context, from store.Caller, items []store.Arrival, checked []int, packed map[int][]byte, keys record.Authors,
	results []protocol.PushResult, decide func(store.Held, store.Arrival) store.Decision) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection left inside a transaction (a failure below) is closed, not reused.
	defer conn.Release()
	committed, err := s.put(ctx, conn.Conn(), from, items, checked, packed, keys, results, decide, true)
	if err == nil && !committed {
		_, err = conn.Exec(ctx, "COMMIT")
	}
	if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
		conn.Exec(ctx, "ROLLBACK")
	}
	return err
}

// inTx runs statements in a transaction: a pgx.Tx, or a connection on which put's
// first round trip opens one (putTx).
type inTx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

type revKey struct {
	id  string
	rev uint64
}

// batchHeld is what the server holds of a batch's records, updated as the batch's own
// items are stored, so that an item is decided against one stored before it.
type batchHeld struct {
	latest  map[string]*store.HeldLatest
	same    map[revKey]*store.HeldRevision
	persons map[string][]string            // person key → record ids
	keys    record.Authors                 // the signing keys of the batch's authors
	village map[string]string              // blind subject → the roster's village
	roster  bool                           // the district has imported a roster
	users   map[string]protocol.User       // the batch's authors the district knows
	revoked map[string][]store.RevokedKey  // the keys of the authors' revoked devices
	queued  map[string]bool                // record id → a revision of it is held open for review
	open    int                            // records the batch's sender has held open for review
	held    map[revKey]*store.HeldRevision // revisions held for review
	latestQ map[string]revKey              // record id → its latest revision held for review
	from    map[string]string              // record id → the village its laptop named when the district accepted it
	last    uint64                         // the log's last seq committed (lockLog)
}

func (h *batchHeld) of(id string, rev uint64, person string) store.Held {
	held := store.Held{Latest: h.latest[id], Same: h.same[revKey{id, rev}], Keys: h.keys, Users: h.users, Revoked: h.revoked, Roster: h.roster, OpenHeld: h.open,
		AcceptedFrom: h.from[id]}
	if held.Latest == nil {
		held.Queued = h.queued[id]
		if q, ok := h.latestQ[id]; ok {
			held.QueuedHead = h.held[q].Head
		}
		if held.Same == nil {
			held.Same = h.held[revKey{id, rev}]
		}
	}
	for _, other := range h.persons[person] {
		if other != id {
			held.Others = append(held.Others, other)
		}
	}
	return held
}

// noteQueued keeps the latest revision of a record held for review.
func (h *batchHeld) noteQueued(id string, rev uint64) {
	if q, ok := h.latestQ[id]; !ok || rev > q.rev {
		h.latestQ[id] = revKey{id, rev}
	}
}

// readHeld makes tx the log's one writer (as lockLog) and reads what is held of the
// batch's records, and how many records sender holds open for review, in one round
// trip (keys: the authors' signing keys already read; nil: read them too): the lock is taken in it before the records are read, so what follows reads
// every commit before it.
func (s *Store) readHeld(ctx context.Context, tx inTx, begin bool, items []store.Arrival, checked []int, keys record.Authors, from store.Caller, at time.Time) (*batchHeld, error) {
	sender := from.User.Code
	var ids, persons, subjects []string
	var revIDs []string
	var revNums []int64
	for _, i := range checked {
		r := items[i].Item.Revision.Record
		ids = append(ids, r.ID)
		revIDs, revNums = append(revIDs, r.ID), append(revNums, int64(r.Revision))
		if pk := s.personKey(items[i]); pk != "" {
			persons = append(persons, pk)
		}
		if subject := items[i].Item.Case.Subject; subject != "" {
			subjects = append(subjects, s.c.blind(subject))
		}
	}
	h := &batchHeld{latest: map[string]*store.HeldLatest{}, same: map[revKey]*store.HeldRevision{}, persons: map[string][]string{},
		keys: record.Authors{}, village: map[string]string{}, queued: map[string]bool{}, users: map[string]protocol.User{}, revoked: map[string][]store.RevokedKey{}, held: map[revKey]*store.HeldRevision{}, latestQ: map[string]revKey{}, from: map[string]string{}}
	b := &pgx.Batch{}
	if begin {
		b.Queue("BEGIN")
	}
	if from.Token != nil { // in the round trip that reads: no statement of its own
		b.Queue(`UPDATE tokens SET last_push = $2 WHERE token_hash = $1`, from.Token, at)
	}
	if keys != nil { // read by preVerify, as fresh as they would be here
		h.keys = keys
	} else {
		b.Queue(keysQuery, store.AuthorsOf(items)).Query(func(rows pgx.Rows) error { return scanKeys(rows, h.keys) })
	}
	b.Queue(`SELECT user_code, signing_key, coalesce(revoked_at, 'epoch'::timestamptz), device FROM tokens
		WHERE user_code = ANY($1) AND revoked AND signing_key IS NOT NULL`, store.AuthorsOf(items)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var code string
			var rk store.RevokedKey
			var key []byte
			if err := rows.Scan(&code, &key, &rk.At, &rk.Device); err != nil {
				return err
			}
			if rk.At.Equal(time.Unix(0, 0)) {
				rk.At = time.Time{}
			}
			rk.Key = key
			h.revoked[code] = append(h.revoked[code], rk)
		}
		return rows.Err()
	})
	b.Queue(`SELECT code, data FROM users WHERE code = ANY($1)`, store.AuthorsOf(items)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var code string
			var u protocol.User
			if err := rows.Scan(&code, &u); err != nil {
				return err
			}
			h.users[code] = u
		}
		return rows.Err()
	})
	// The statements above run before the lock is taken: what they read and write —
	// devices, keys and users — no writer of the log changes (enrolling and revoking
	// never hold the log), so reading them under it would make them no fresher, and
	// the log would be held the longer for them.
	// Every read below looks a batch's keys up; an index is always the way, whatever
	// the table's size. Without statistics (a new database, until autovacuum has
	// analysed its tables) the planner cannot tell how few rows an array of keys
	// picks, and read every record instead: under the log, the ingest's first
	// thousands of records read every record before them, twice a push.
	b.Queue("SET LOCAL enable_seqscan = off")
	b.Queue("SELECT pg_advisory_xact_lock($1)", logLock)
	b.Queue("SELECT coalesce(max(seq), 0) FROM log").QueryRow(func(row pgx.Row) error {
		var last int64
		err := row.Scan(&last)
		h.last = uint64(last)
		return err
	})
	var open int
	b.Queue(`SELECT count(*) FROM review WHERE open AND opener = $1`, sender).QueryRow(func(row pgx.Row) error { return row.Scan(&open) })
	lasts := map[string]heldHead{} // records that keep their chain's length and last hash
	b.Queue(`SELECT record_id, revision, heads, coalesce(chain, 0), head FROM records WHERE record_id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id string
			var l store.HeldLatest
			var rev int64
			var heads, head []byte
			var chain int32
			if err := rows.Scan(&id, &rev, &heads, &chain, &head); err != nil {
				return err
			}
			l.Revision = uint64(rev)
			if heads != nil { // stored before schema 15
				l.Heads = unpackHeads(heads)
			} else {
				lasts[id] = heldHead{int(chain), hex.EncodeToString(head)}
			}
			h.latest[id] = &l
		}
		return rows.Err()
	})
	b.Queue(`SELECT r.record_id, r.revision, r.head, r.server_id, r.received FROM revisions r
		JOIN unnest($1::text[], $2::bigint[]) AS k(id, rev) ON r.record_id = k.id AND r.revision = k.rev`, revIDs, revNums).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id string
				var rev int64
				var hr store.HeldRevision
				var head []byte
				if err := rows.Scan(&id, &rev, &head, &hr.ServerID, &hr.Received); err != nil {
					return err
				}
				hr.Head = hex.EncodeToString(head)
				hr.Received = hr.Received.UTC()
				h.same[revKey{id, uint64(rev)}] = &hr
			}
			return rows.Err()
		})
	b.Queue(`SELECT key, village FROM roster WHERE key = ANY($1)`, subjects).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var subject, village string
			if err := rows.Scan(&subject, &village); err != nil {
				return err
			}
			h.village[subject] = village
		}
		return rows.Err()
	})
	b.Queue(`SELECT record_id, revision, item, head, open FROM review WHERE record_id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var head string
			var open bool
			it, err := s.c.scanItem(rows, &head, &open)
			if err != nil {
				return err
			}
			h.queued[it.RecordID] = h.queued[it.RecordID] || open
			if it.Accepted != "" {
				h.from[it.RecordID] = it.Village
			}
			h.held[revKey{it.RecordID, it.Revision}] = &store.HeldRevision{Head: head, ServerID: it.ServerID, Received: it.ReceivedAt.UTC()}
			h.noteQueued(it.RecordID, it.Revision)
		}
		return rows.Err()
	})
	b.Queue(`SELECT EXISTS (SELECT 1 FROM roster)`).QueryRow(func(row pgx.Row) error { return row.Scan(&h.roster) })
	b.Queue(`SELECT person_key, record_id FROM records WHERE person_key = ANY($1) ORDER BY record_id`, persons).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var pk, id string
				if err := rows.Scan(&pk, &id); err != nil {
					return err
				}
				h.persons[pk] = append(h.persons[pk], id)
			}
			return rows.Err()
		})
	b.Queue("SET LOCAL enable_seqscan TO DEFAULT") // for what the caller's transaction does next
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read what is held: %w", err)
	}
	if err := s.heldChains(ctx, tx, items, checked, lasts, h.latest); err != nil {
		return nil, fmt.Errorf("read what is held: %w", err)
	}
	if h.roster { // without a roster nothing is held for review
		h.open = open
	}
	return h, nil
}

// heldHead is a record's latest chain as records keeps it: its length and last hash.
type heldHead struct {
	chain int
	head  string
}

// heldChains fills in the hashes of the latest chains of the records in lasts
// (store.HeldLatest.Heads). An arrival that passes through the last hash (through
// store.Check: linked, its hashes computed from its entries) carries the held chain as
// its start — each hash covers the one before it — so its own first hashes are the held
// ones; for any other (a stale resend, a conflict: rare) the chain is read from the
// record's stored latest revision.
func (s *Store) heldChains(ctx context.Context, tx inTx, items []store.Arrival, checked []int, lasts map[string]heldHead, latest map[string]*store.HeldLatest) error {
	var read []string
	for id, last := range lasts {
		for _, i := range checked {
			rev := items[i].Item.Revision
			if rev.Record.ID == id && last.chain > 0 && len(rev.Audit) >= last.chain && rev.Audit[last.chain-1].Hash == last.head {
				latest[id].Heads = record.Heads(rev.Audit[:last.chain])
				break
			}
		}
		if latest[id].Heads == nil {
			read = append(read, id)
		}
	}
	if len(read) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT record_id, seq, data FROM revisions WHERE latest AND record_id = ANY($1)`, read)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var seq int64
		var data []byte
		if err := rows.Scan(&id, &seq, &data); err != nil {
			return err
		}
		rev, err := s.unpackRevision(uint64(seq), data)
		if err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		heads := record.Heads(rev.Audit)
		if last := lasts[id]; len(heads) == 0 || len(heads) != last.chain || heads[len(heads)-1] != last.head {
			return fmt.Errorf("record %s: its latest revision's chain does not end where the record says (%d entries, head %.8s)", id, last.chain, last.head)
		}
		latest[id].Heads = heads
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range read {
		if latest[id].Heads == nil { // never judged against no chain
			return fmt.Errorf("record %s: its latest revision is missing", id)
		}
	}
	return nil
}

// keysQuery reads the signing keys enrolled with the devices not revoked of the users
// $1 names, for scanKeys.
const keysQuery = `SELECT u.code, u.data, array_agg(t.signing_key) FROM tokens t JOIN users u ON u.code = t.user_code
	WHERE t.user_code = ANY($1) AND NOT t.revoked AND t.signing_key IS NOT NULL GROUP BY u.code, u.data`

func scanKeys(rows pgx.Rows, out record.Authors) error {
	for rows.Next() {
		var code string
		var u protocol.User
		var keys [][]byte
		if err := rows.Scan(&code, &u, &keys); err != nil {
			return err
		}
		uk := store.UserKeys{Code: code, Name: u.Name, Role: u.Role}
		for _, k := range keys {
			uk.Keys = append(uk.Keys, k)
		}
		store.KeysOf(out, uk)
	}
	return rows.Err()
}

// preVerify verifies the batch's signatures against the keys enrolled now, before the
// transaction holds the log, and returns the keys, which the batch is then decided
// with: enrolling and revoking never hold the log, so reading them again in the
// transaction would make them no fresher.
func (s *Store) preVerify(ctx context.Context, items []store.Arrival, checked []int) (*store.Verdicts, record.Authors, error) {
	rows, err := s.pool.Query(ctx, keysQuery, store.AuthorsOf(items))
	if err != nil {
		return nil, nil, fmt.Errorf("read the signing keys: %w", err)
	}
	defer rows.Close()
	keys := record.Authors{}
	if err := scanKeys(rows, keys); err != nil {
		return nil, nil, fmt.Errorf("read the signing keys: %w", err)
	}
	ok := make([]bool, len(items))
	for _, i := range checked {
		ok[i] = true
	}
	return store.PreVerify(items, ok, keys), keys, nil
}

// personKey is an arrival's person as the database keeps it (codec.personKey).
func (s *Store) personKey(a store.Arrival) string {
	return s.c.personKey(a.Item.Case.Subject, a.Item.Revision.Record.FormID)
}

// hasNUL reports whether a field the database keeps as text holds a NUL character
// (JSON lets a laptop send one as \u0000): PostgreSQL would refuse the whole batch, and
// the laptop would send it again for ever.
func hasNUL(from store.Caller, a store.Arrival) bool {
	r := a.Item.Revision.Record
	fields := []string{r.ID, r.FormID, r.Enumerator, string(r.Status), a.Item.Case.Subject, a.Item.Case.Name,
		a.Item.Case.Village, from.User.Code, from.Device}
	for _, p := range r.Photos {
		fields = append(fields, p.Hash)
	}
	for _, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			return true
		}
	}
	return false
}

// recordState is a record's row after the batch.
type recordState struct {
	revision uint64
	heads    []string
	person   string
}

// put stores the checked items of a batch as decide says, in tx: PutBatch's rules, or
// the exactly-once rule alone for records the district accepted from review. own: tx
// is a connection, on which put's first round trip opens the transaction and its last
// commits it, if it writes (committed); otherwise tx is the caller's.
func (s *Store) put(ctx context.Context, tx inTx, from store.Caller, items []store.Arrival, checked []int, packed map[int][]byte,
	keys record.Authors, results []protocol.PushResult, decide func(store.Held, store.Arrival) store.Decision, own bool) (committed bool, err error) {
	// PostgreSQL keeps microseconds: a receipt given now reads back the same later.
	now := s.now().UTC().Truncate(time.Microsecond)
	held, err := s.readHeld(ctx, tx, own, items, checked, keys, from, now)
	if err != nil {
		return false, err
	}
	last := held.last
	before := last
	var (
		revRows    [][]any
		latestIdx  = map[string]int{} // record id → its row in revRows that stays latest
		records    = map[string]*recordState{}
		recordList []string
		replaced   []string // of recordList, the records stored before the batch
		entries    []logEntry
		dupMarks   = map[string][]string{} // person key → every record of it
		dupFirst   = map[string]int64{}
		dupWho     = map[string][2]string{} // person key → subject, form
	)
	for _, i := range checked {
		a := items[i]
		rev := a.Item.Revision
		r := rev.Record
		pk := s.personKey(a)
		h := held.of(r.ID, r.Revision, pk)
		if r.Village == "" {
			h.RosterVillage = held.village[s.c.blind(a.Item.Case.Subject)]
		}
		d := decide(h, a)
		res := &results[i]
		res.Result, res.Code, res.Args, res.Reason, res.Retry, res.Review = d.Result, d.Code, d.Args, d.Reason, d.Retry, d.Review
		if d.Result == protocol.Duplicate {
			res.ServerID, res.Received = d.Receipt.ServerID, d.Receipt.Received
		}
		if d.Result != protocol.Stored {
			continue
		}
		if d.Review {
			item := store.ReviewItem{Reason: d.Reason, RecordRow: store.RecordRow{RecordID: r.ID, Revision: r.Revision, Subject: a.Item.Case.Subject,
				Name: a.Item.Case.Name, Village: a.Item.Case.Village, FormID: r.FormID, Enumerator: r.Enumerator, From: from.User.Code,
				Device: from.Device, Status: string(r.Status), ReceivedAt: now}}
			for _, p := range r.Photos {
				item.Photos = append(item.Photos, p.Hash)
			}
			head := rev.Audit[len(rev.Audit)-1].Hash
			id, err := s.hold(ctx, tx, item, head, packed[i], !h.Queued)
			if err != nil {
				return false, err
			}
			if !h.Queued {
				held.open++
			}
			held.held[revKey{r.ID, r.Revision}] = &store.HeldRevision{Head: head, ServerID: id, Received: now}
			held.queued[r.ID] = true
			held.noteQueued(r.ID, r.Revision)
			res.ServerID, res.Received = id, now
			continue
		}
		last++
		seq := last
		serverID := fmt.Sprintf("%s-%d", s.serverID, seq)
		filed, named := d.Filed(a.Item.Case)
		village := filed.Village
		photos := make([]string, len(r.Photos))
		for j, p := range r.Photos {
			photos[j] = p.Hash
		}
		head := rev.Audit[len(rev.Audit)-1].Hash
		headBytes, err := hashBytes(head)
		if err != nil {
			return false, fmt.Errorf("record %s: %w", r.ID, err)
		}
		if j, ok := latestIdx[r.ID]; ok {
			revRows[j][3] = false
		}
		latestIdx[r.ID] = len(revRows)
		revRows = append(revRows, []any{int64(seq), r.ID, int64(r.Revision), true, serverID, s.c.blind(a.Item.Case.Subject),
			s.c.sealWho(seq, a.Item.Case.Subject, a.Item.Case.Name), village, r.FormID, r.Enumerator, from.User.Code,
			from.Device, string(r.Status), photos, headBytes, now, s.c.seal(colRevisionData, seqKey(seq), packed[i])})
		heads := record.Heads(rev.Audit)
		held.latest[r.ID] = &store.HeldLatest{Revision: r.Revision, Heads: heads}
		held.same[revKey{r.ID, r.Revision}] = &store.HeldRevision{Head: head, ServerID: serverID, Received: now}
		if pk != "" && !slices.Contains(held.persons[pk], r.ID) {
			held.persons[pk] = append(held.persons[pk], r.ID)
		}
		if records[r.ID] == nil {
			recordList = append(recordList, r.ID)
			if h.Latest != nil {
				replaced = append(replaced, r.ID)
			}
		}
		records[r.ID] = &recordState{revision: r.Revision, heads: heads, person: pk}
		if len(d.DuplicateOf) > 0 {
			dupMarks[pk] = append(append([]string(nil), d.DuplicateOf...), r.ID)
			dupWho[pk] = [2]string{a.Item.Case.Subject, r.FormID}
			if _, ok := dupFirst[pk]; !ok {
				dupFirst[pk] = int64(seq)
			}
		}
		entries = append(entries, logEntry{Seq: seq, Kind: kindRevision, Village: village, Also: named, RecordID: r.ID,
			From: from.User.Code, Enumerators: []string{r.Enumerator}})
		res.ServerID, res.Received = serverID, now
	}
	if len(revRows) == 0 {
		return false, nil
	}
	b := &pgx.Batch{}
	if err := queueRevisions(b, revRows); err != nil {
		return false, err
	}
	// The records' earlier revisions stop being their latest: those stored before this
	// batch (its own rows, inserted above, carry their flags right). A record new to the
	// server, as most of an ingest's are, has none: no statement for a batch of them.
	if len(replaced) > 0 {
		b.Queue(`UPDATE revisions SET latest = false WHERE latest AND record_id = ANY($1) AND seq <= $2`, replaced, int64(before))
	}
	// One statement for the batch's records (each once in recordList), not one each.
	// The chain's length and last hash (migration 0015); heads, of a record stored
	// before, goes.
	recRevs, recChains, recHeads, recPersons := make([]int64, len(recordList)), make([]int32, len(recordList)), make([][]byte, len(recordList)), make([]string, len(recordList))
	for j, id := range recordList {
		rs := records[id]
		if len(rs.heads) == 0 {
			return false, fmt.Errorf("record %s: no audit chain", id)
		}
		head, err := hashBytes(rs.heads[len(rs.heads)-1])
		if err != nil {
			return false, fmt.Errorf("record %s: %w", id, err)
		}
		recRevs[j], recChains[j], recHeads[j], recPersons[j] = int64(rs.revision), int32(len(rs.heads)), head, rs.person
	}
	// A batch of records new to the server (an ingest's) is a plain insertion:
	// ON CONFLICT's speculative insertion costs under the log, and no other writer can
	// have stored one of them since readHeld (they hold the log too).
	upsert := `ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision, heads = NULL, chain = excluded.chain, head = excluded.head,
			person_key = excluded.person_key`
	if len(replaced) == 0 {
		upsert = ""
	}
	b.Queue(`INSERT INTO records (record_id, revision, chain, head, person_key)
		SELECT id, rev, chain, head, NULLIF(person, '') FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::bytea[], $5::text[]) AS r(id, rev, chain, head, person) `+upsert,
		recordList, recRevs, recChains, recHeads, recPersons)
	for pk, ids := range dupMarks {
		subject := s.c.seal(colDupSubject, []byte(pk), []byte(dupWho[pk][0]))
		form := dupWho[pk][1]
		b.Queue(`UPDATE records SET duplicate = true WHERE record_id = ANY($1)`, ids)
		// Opened, or reopened if the district had chosen (store.Decision.DuplicateOf:
		// only a record new to the server comes with it): its choice goes to the
		// history, as store.DuplicateGroup.Reopen has it.
		b.Queue(`INSERT INTO duplicates (person_key, subject_sealed, form_id, found) VALUES ($1, $2, $3, $4)
			ON CONFLICT (person_key) DO UPDATE SET earlier = CASE WHEN duplicates.kept = '' THEN duplicates.earlier
				ELSE duplicates.earlier || jsonb_build_array(jsonb_build_object('kept', duplicates.kept, 'reason', duplicates.reason,
					'by', duplicates.resolved_by, 'at', duplicates.resolved_at)) END,
				kept = '', reason = '', resolved_by = '', resolved_at = NULL`,
			pk, subject, form, dupFirst[pk])
	}
	queueRevisionLog(b, entries)
	if own {
		b.Queue("COMMIT")
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return false, fmt.Errorf("store records: %w", err)
	}
	return own, nil
}

// queueRevisions queues in b the insertion of rows (put's revRows), as one statement
// over a column's array each: in the batch that writes the records, not a COPY of its
// own, a round trip fewer while the log is held. A row's photos go as a JSON array
// (an array of arrays of different lengths is not one PostgreSQL array).
func queueRevisions(b *pgx.Batch, rows [][]any) error {
	n := len(rows)
	var (
		seqs, revs                                                                       = make([]int64, n), make([]int64, n)
		latest                                                                           = make([]bool, n)
		ids, serverIDs, blinds, villages, forms, enums, froms, devices, statuses, photos = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		persons, heads, datas                                                            = make([][]byte, n), make([][]byte, n), make([][]byte, n)
		received                                                                         = make([]time.Time, n)
	)
	for i, r := range rows {
		p, err := json.Marshal(r[13].([]string))
		if err != nil {
			return fmt.Errorf("store revisions: %w", err)
		}
		seqs[i], ids[i], revs[i], latest[i], serverIDs[i] = r[0].(int64), r[1].(string), r[2].(int64), r[3].(bool), r[4].(string)
		blinds[i], persons[i], villages[i], forms[i], enums[i] = r[5].(string), r[6].([]byte), r[7].(string), r[8].(string), r[9].(string)
		froms[i], devices[i], statuses[i], photos[i], heads[i] = r[10].(string), r[11].(string), r[12].(string), string(p), r[14].([]byte)
		received[i], datas[i] = r[15].(time.Time), r[16].([]byte)
	}
	b.Queue(`INSERT INTO revisions (seq, record_id, revision, latest, server_id, subject_blind, person, village, form_id, enumerator,
			from_user, device, status, photos, head, received, data)
		SELECT seq, id, rev, latest, server_id, blind, person, village, form, enum, from_user, device, status,
			ARRAY(SELECT jsonb_array_elements_text(photos::jsonb)), head, received, data
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::boolean[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bytea[], $16::timestamptz[], $17::bytea[])
			AS r(seq, id, rev, latest, server_id, blind, person, village, form, enum, from_user, device, status, photos, head, received, data)`,
		seqs, ids, revs, latest, serverIDs, blinds, persons, villages, forms, enums, froms, devices, statuses, photos, heads, received, datas)
	return nil
}
