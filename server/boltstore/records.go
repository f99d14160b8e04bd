package boltstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Kinds of log entry.
const (
	kindRevision = "r"
	kindRoster   = "o"
	kindWithdraw = "w"
)

// logEntry is one entry of the pull log: enough to decide whom it is for without
// decoding what it points to.
type logEntry struct {
	Kind     string `json:"k"`
	Key      string `json:"key"` // revision: record id "/" revision; roster: subject; withdrawal: record id
	Revision uint64 `json:"rev,omitempty"`
	Village  string `json:"v"`
	// Enumerators are who started the record (a withdrawal: of both records).
	Enumerators []string `json:"e,omitempty"`
	From        string   `json:"f,omitempty"` // who pushed the revision
	// Also is a second village whose laptops pull the entry: the one its laptop
	// named for a record the district filed in another (store.Decision.Filed).
	Also string `json:"a,omitempty"`
}

// recordMeta is a record's latest revision, compact: its state.
type recordMeta struct {
	// ID is the record's: states/ is keyed by log position (schema 9), not by it.
	ID         string `json:"id,omitempty"`
	Revision   uint64 `json:"rev"`
	Seq        uint64 `json:"seq"`
	Subject    string `json:"subject,omitempty"`
	FormID     string `json:"form_id"`
	Village    string `json:"village"`
	Enumerator string `json:"enumerator"`
	Status     string `json:"status"`
	Duplicate  bool   `json:"dup,omitempty"`
	Withdrawn  string `json:"withdrawn,omitempty"`
	// Chain is how many entries the revision's audit chain has, Head the last one's
	// hash: what a later chain must pass through (heldHeads). Empty in a record last
	// stored before schema 8, whose hashes are in heads/.
	Chain int    `json:"chain,omitempty"`
	Head  string `json:"head,omitempty"`
}

// row is a stored revision, compact, with the last hash of its chain.
type row struct {
	store.RecordRow
	Head string `json:"head"`
}

// dupMeta is a duplicate interview: open until the district keeps one record. Its key
// is the person's blind key; the person is in the (sealed) value.
type dupMeta struct {
	Subject    string `json:"subject,omitempty"`
	FormID     string `json:"form_id,omitempty"`
	Kept       string `json:"kept,omitempty"`
	Reason     string `json:"reason,omitempty"`
	ResolvedBy string `json:"resolved_by,omitempty"`
	ResolvedAt string `json:"resolved_at,omitempty"` // RFC 3339
	// Earlier are the choices a new record of the person reopened.
	Earlier []store.DuplicateChoice `json:"earlier,omitempty"`
}

// group is the duplicate interview d keeps, without its records.
func (d dupMeta) group() store.DuplicateGroup {
	g := store.DuplicateGroup{Subject: d.Subject, FormID: d.FormID, Kept: d.Kept, Reason: d.Reason, ResolvedBy: d.ResolvedBy, Earlier: d.Earlier}
	g.ResolvedAt, _ = time.Parse(time.RFC3339Nano, d.ResolvedAt)
	return g.WithHistory()
}

// dupMetaOf is what dups/ keeps of a duplicate interview.
func dupMetaOf(g store.DuplicateGroup) dupMeta {
	d := dupMeta{Subject: g.Subject, FormID: g.FormID, Kept: g.Kept, Reason: g.Reason, ResolvedBy: g.ResolvedBy, Earlier: g.Earlier}
	if !g.ResolvedAt.IsZero() {
		d.ResolvedAt = g.ResolvedAt.Format(time.RFC3339Nano)
	}
	return d
}

func getJSON(b *bolt.Bucket, k []byte, v any) (bool, error) {
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// appendFill is how full a page of a bucket whose keys only grow (log/, rows/) is left
// when it splits: nothing is ever inserted before its end, so half-empty pages (bbolt's
// default) would only be waste.
const appendFill = 0.95

// writer writes stored revisions and log entries in one transaction, for PutBatch and
// for the migration that rebuilds schema 1's log.
type writer struct {
	tx *bolt.Tx
	c  codec
}

func (w writer) log(seq uint64, e logEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	log := w.tx.Bucket(bktLog)
	log.FillPercent = appendFill
	if err := log.Put(u64(seq), data); err != nil {
		return err
	}
	vlog := w.tx.Bucket(bktVLogP)
	vlog.FillPercent = appendFill // each key the last of its village's part of the period
	if err := vlog.Put(periodKey(cat(e.Village), seq), data); err != nil {
		return err
	}
	if e.Also != "" && e.Also != e.Village {
		if err := vlog.Put(periodKey(cat(e.Also), seq), data); err != nil {
			return err
		}
	}
	return w.userLog(seq, e, data)
}

// userLog files a log entry under each enumerator it names, a roster case under ""
// (every enumerator's): what an enumerator of every village pulls, without reading
// every village's records. A revision is not filed under the enumerator who pushed it
// (a pull never sends it back to them), so what an enumerator reads is the decisions
// on their records, not their own work. Schema 2's migration runs before ulog/ exists;
// schema 4's files the whole log.
func (w writer) userLog(seq uint64, e logEntry, data []byte) error {
	ulog := w.tx.Bucket(bktULog)
	if ulog == nil {
		return nil
	}
	ulog.FillPercent = appendFill
	names := e.Enumerators
	if e.Kind == kindRoster {
		names = []string{""}
	}
	for i, n := range names {
		if slices.Contains(names[:i], n) || e.Kind == kindRevision && n == e.From {
			continue
		}
		if err := ulog.Put(append(cat(n), u64(seq)...), data); err != nil {
			return err
		}
	}
	return nil
}

// othersOf are the other records of the person and form.
func othersOf(tx *bolt.Tx, personKey, recordID string) []string {
	if personKey == "" {
		return nil
	}
	var out []string
	prefix := peoplePrefix(personKey)
	c := tx.Bucket(bktPeople).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if id := idOf(k[len(prefix):]); id != recordID {
			out = append(out, id)
		}
	}
	return out
}

// revision writes a stored revision at seq: its full form, row, indexes, the record's
// latest state when it is later than what is held, its person, and its log entry.
// packed is packRevision(st.Revision) (nil: packed here). others are the other records
// of the same person, when the record is new: a duplicate interview is marked.
func (w writer) revision(seq uint64, st store.StoredRevision, packed []byte, others []string, also string) (row, error) {
	rev := st.Revision
	r := rev.Record
	rw := row{RecordRow: store.RecordRow{RecordID: r.ID, Revision: r.Revision, Subject: st.Case.Subject, Name: st.Case.Name,
		Village: st.Case.Village, FormID: r.FormID, Enumerator: r.Enumerator, From: st.From, Device: st.Device,
		Status: string(r.Status), ServerID: st.ServerID, ReceivedAt: st.Received}}
	for _, p := range r.Photos {
		rw.Photos = append(rw.Photos, p.Hash)
	}
	if n := len(rev.Audit); n > 0 {
		rw.Head = rev.Audit[n-1].Hash
	}
	tx := w.tx
	if packed == nil {
		var err error
		if packed, err = packRevision(st.Revision); err != nil {
			return rw, err
		}
	}
	value, err := encodeStored(st, packed)
	if err != nil {
		return rw, err
	}
	revs := tx.Bucket(bktRevisions)
	revs.FillPercent = appendFill // keyed by seq (schema 8)
	if err := revs.Put(u64(seq), w.c.seal(bktRevisions, u64(seq), value)); err != nil {
		return rw, err
	}
	rows := tx.Bucket(bktRows)
	rows.FillPercent = appendFill
	if err := w.c.put(rows, bktRows, u64(seq), rw); err != nil {
		return rw, err
	}
	idx := tx.Bucket(bktIdxP)
	idx.FillPercent = appendFill // each key the last of its village's or enumerator's part of the period
	for _, k := range [][]byte{cat("v", rw.Village), cat("e", rw.Enumerator)} {
		if err := idx.Put(periodKey(k, seq), nil); err != nil {
			return rw, err
		}
	}
	var meta recordMeta
	key, err := getRecord(tx, w.c, r.ID, &meta) // before the revision's own entry in revseq/, which would name it
	if err != nil {
		return rw, err
	}
	if key == nil { // a new record: its state appends, at its first revision's position (recordKey)
		key = u64(seq)
	}
	if err := tx.Bucket(bktRevSeq).Put(revKey(r.ID, r.Revision), u64(seq)); err != nil {
		return rw, err
	}
	if r.Revision >= meta.Revision {
		meta.ID, meta.Revision, meta.Seq, meta.Subject, meta.FormID = r.ID, r.Revision, seq, rw.Subject, r.FormID
		meta.Village, meta.Enumerator, meta.Status = rw.Village, r.Enumerator, rw.Status
		for _, e := range rev.Audit {
			if h, err := hex.DecodeString(e.Hash); err != nil || len(h) != 32 {
				return rw, fmt.Errorf("record %s: audit entry %d has no sha256 hash", r.ID, e.Seq)
			}
		}
		if meta.Head == "" && meta.Revision > 0 { // stored before schema 8: its heads/ entry goes
			if err := tx.Bucket(bktHeads).Delete([]byte(r.ID)); err != nil {
				return rw, err
			}
		}
		meta.Chain, meta.Head = len(rev.Audit), rw.Head
	}
	person := w.c.person(rw.Subject, r.FormID)
	if person != "" {
		if err := tx.Bucket(bktPeople).Put(append(peoplePrefix(person), compactID(r.ID)...), nil); err != nil {
			return rw, err
		}
	}
	if len(others) > 0 {
		meta.Duplicate = true
		if err := w.markDuplicate(person, rw.Subject, r.FormID, others); err != nil {
			return rw, err
		}
	}
	if err := putRecord(tx, w.c, key, meta); err != nil {
		return rw, err
	}
	return rw, w.log(seq, logEntry{Kind: kindRevision, Key: r.ID, Revision: r.Revision, Village: rw.Village,
		Enumerators: []string{r.Enumerator}, From: st.From, Also: also})
}

// markDuplicate opens the person's duplicate interview (if not open or resolved
// already) and marks the other records. A record arriving after the district chose
// reopens it: the district chooses again among all of them.
func (w writer) markDuplicate(person, subject, formID string, others []string) error {
	dups := w.tx.Bucket(bktDups)
	var d dupMeta
	if _, err := w.c.get(w.tx, bktDups, []byte(person), &d); err != nil {
		return err
	}
	g := d.group().Reopen()
	g.Subject, g.FormID = subject, formID
	d = dupMetaOf(g)
	if err := w.c.put(dups, bktDups, []byte(person), d); err != nil {
		return err
	}
	for _, id := range others {
		var m recordMeta
		key, err := getRecord(w.tx, w.c, id, &m)
		if err != nil {
			return err
		}
		if key == nil || m.Duplicate {
			continue
		}
		m.Duplicate = true
		if err := putRecord(w.tx, w.c, key, m); err != nil {
			return err
		}
	}
	return nil
}

// recordKey is where the state of the record id is in states/ (nil: no record of that
// id is stored): the log position of its first revision stored, the least of its
// revisions' in revseq/. A record whose state was moved to states/ by schema 9's step
// has it at another position, its latest revision's then: the entry id of revseq/
// says where. A new record writes no such entry since schema 10: it was a second key
// for every record in the file's largest tree keyed at random.
func recordKey(tx *bolt.Tx, id string) []byte {
	b := tx.Bucket(bktRevSeq)
	if k := b.Get([]byte(id)); len(k) == 8 {
		return k
	}
	var first []byte
	prefix := []byte(id + "/")
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) == len(prefix)+8 && len(v) == 8 && (first == nil || fromU64(v) < fromU64(first)) {
			first = v
		}
	}
	return first
}

// getRecord reads the state of the record id into m, and says where it is in states/
// (nil: no record of that id is stored, m is left as it was).
func getRecord(tx *bolt.Tx, c codec, id string, m *recordMeta) ([]byte, error) {
	key := recordKey(tx, id)
	if key == nil {
		return nil, nil
	}
	if ok, err := c.get(tx, bktStates, key, m); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("record %s: revseq/ says its state is at %d in states/, which holds nothing there", id, fromU64(key))
		}
		return nil, err
	}
	return key, nil
}

// putRecord writes a record's state at key of states/. The states of new records
// append (their key is the position of their first revision), so the page is the
// bucket's last.
func putRecord(tx *bolt.Tx, c codec, key []byte, m recordMeta) error {
	states := tx.Bucket(bktStates)
	states.FillPercent = appendFill
	return c.put(states, bktStates, key, m)
}

// held is what the store holds of an arriving record, for store.Decide.
func held(tx *bolt.Tx, c codec, a store.Arrival) (store.Held, error) {
	r := a.Item.Revision.Record
	var h store.Held
	var meta recordMeta
	key, err := getRecord(tx, c, r.ID, &meta)
	if err != nil {
		return h, err
	}
	if key != nil {
		l := &store.HeldLatest{Revision: meta.Revision}
		if l.Heads, err = heldHeads(tx, c, r.ID, meta, a.Item.Revision.Audit); err != nil {
			return h, fmt.Errorf("record %s: %w", r.ID, err)
		}
		h.Latest = l
		if seq := tx.Bucket(bktRevSeq).Get(revKey(r.ID, r.Revision)); seq != nil {
			var rw row
			if _, err := c.get(tx, bktRows, seq, &rw); err != nil {
				return h, err
			}
			h.Same = &store.HeldRevision{Head: rw.Head, ServerID: rw.ServerID, Received: rw.ReceivedAt}
		}
	}
	h.Others = othersOf(tx, c.person(a.Item.Case.Subject, r.FormID), r.ID)
	if subject := a.Item.Case.Subject; subject != "" && r.Village == "" {
		var row roster.Row
		if _, err := c.get(tx, bktRoster, []byte(c.blind(subject)), &row); err != nil {
			return h, err
		}
		h.RosterVillage = row.Village
		h.Roster = row.Village != "" || hasRoster(tx)
		if h.Latest != nil && row.Village != "" {
			if h.AcceptedFrom, err = acceptedFrom(tx, c, r.ID); err != nil {
				return h, err
			}
		}
	}
	if h.Latest == nil {
		open, same, head, err := queued(tx, c, r.ID, r.Revision)
		if err != nil {
			return h, err
		}
		h.Queued, h.QueuedHead = open, head
		if h.Same == nil {
			h.Same = same
		}
	}
	return h, nil
}

// heldHeads are the hashes of the held latest chain of a record (store.HeldLatest), for
// an arrival whose chain is audit (through store.Check: linked, its hashes computed from
// its entries). The file keeps only the chain's length and last hash (recordMeta): an
// arrival that passes through that hash carries the held chain as its start — each hash
// covers the one before it — so its own first hashes are the held ones. Any other (a
// resend of an older revision, a conflict; rare) reads the held chain from the stored
// revision. A record last stored before schema 8 has its hashes in heads/.
func heldHeads(tx *bolt.Tx, c codec, id string, meta recordMeta, audit []record.AuditEntry) ([]string, error) {
	if meta.Head == "" {
		raw := tx.Bucket(bktHeads).Get([]byte(id))
		heads := make([]string, len(raw)/32)
		for i := range heads {
			heads[i] = hex.EncodeToString(raw[32*i : 32*i+32])
		}
		return heads, nil
	}
	if n := meta.Chain; n > 0 && len(audit) > n && audit[n-1].Hash == meta.Head {
		return record.Heads(audit[:n]), nil
	}
	v, err := c.open(bktRevisions, u64(meta.Seq), tx.Bucket(bktRevisions).Get(u64(meta.Seq)))
	if err != nil {
		return nil, err
	}
	st, err := decodeStored(v)
	if err != nil {
		return nil, fmt.Errorf("its latest revision: %w", err)
	}
	heads := record.Heads(st.Revision.Audit)
	if len(heads) != meta.Chain || heads[len(heads)-1] != meta.Head {
		return nil, fmt.Errorf("its latest revision's chain does not end where the record says (%d entries, head %.8s)", meta.Chain, meta.Head)
	}
	return heads, nil
}

// hasRoster reports whether the district has imported a roster.
func hasRoster(tx *bolt.Tx) bool {
	k, _ := tx.Bucket(bktRoster).Cursor().First()
	return k != nil
}

// PutBatch judges (store.Check, then store.Decide) and stores a batch in one
// transaction. Batches of laptops pushing at once share a transaction (bbolt's Batch):
// one fsync for them all. The function may then run again if another batch in the
// same transaction fails, so it keeps nothing between runs but its results.
func (s *Store) PutBatch(ctx context.Context, from store.Caller, items []store.Arrival) ([]protocol.PushResult, error) {
	results := make([]protocol.PushResult, len(items))
	ok := make([]bool, len(items))
	packed := make([][]byte, len(items)) // before the transaction, in parallel for laptops pushing at once
	for i, a := range items {
		if results[i], ok[i] = store.Check(from.User, a); ok[i] {
			var err error
			if packed[i], err = packRevision(a.Item.Revision); err != nil {
				return nil, fmt.Errorf("store a batch: %w", err)
			}
		}
	}
	if !slices.Contains(ok, true) {
		return results, nil
	}
	authors := store.AuthorsOf(items)
	// The signatures are verified before the write transaction, which one batch at a
	// time holds; it reads the keys again and decides by them.
	var verdicts *store.Verdicts
	err := s.db.View(func(tx *bolt.Tx) error {
		keys, _, err := keysOf(tx, authors)
		verdicts = store.PreVerify(items, ok, keys)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store a batch: %w", err)
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		w := writer{tx: tx, c: s.c}
		keys, revoked, err := keysOf(tx, authors)
		if err != nil {
			return err
		}
		users, err := usersOf(tx, authors)
		if err != nil {
			return err
		}
		for i, a := range items {
			if !ok[i] {
				continue
			}
			h, err := held(tx, s.c, a)
			if err != nil {
				return err
			}
			h.Keys, h.Users, h.Revoked, h.Verdicts = keys, users, revoked, verdicts
			h.District = s.district
			if h.OpenHeld, err = openHeld(tx, s.c, from.User.Code); err != nil {
				return err
			}
			d := store.DecideFrom(from.User, h, a)
			res := protocol.PushResult{Seq: a.Item.Seq, RecordID: a.Item.Revision.Record.ID, Result: d.Result,
				Code: d.Code, Args: d.Args, Reason: d.Reason, Retry: d.Retry}
			switch d.Result {
			case protocol.Duplicate:
				res.ServerID, res.Received = d.Receipt.ServerID, d.Receipt.Received
			case protocol.Stored:
				res.Review = d.Review
				if d.Review {
					rev := a.Item.Revision
					rev.Photos = nil
					st, err := s.hold(tx, store.StoredRevision{Revision: rev, Case: a.Item.Case, From: from.User.Code, Device: from.Device,
						Received: s.now().UTC()}, packed[i], d.Reason)
					if err != nil {
						return err
					}
					res.ServerID, res.Received = st.ServerID, st.Received
					break
				}
				seq, err := tx.Bucket(bktLog).NextSequence()
				if err != nil {
					return err
				}
				rev := a.Item.Revision
				rev.Photos = nil
				filed, named := d.Filed(a.Item.Case)
				st := store.StoredRevision{Revision: rev, Case: filed, From: from.User.Code, Device: from.Device,
					Received: s.now().UTC(), ServerID: fmt.Sprintf("%s-%d", s.serverID, seq), Seq: seq}
				if _, err := w.revision(seq, st, packed[i], d.DuplicateOf, named); err != nil {
					return err
				}
				res.ServerID, res.Received = st.ServerID, st.Received
			}
			results[i] = res
		}
		return notePush(tx, from.Token, s.now().UTC())
	})
	if err != nil {
		return nil, fmt.Errorf("store a batch: %w", err)
	}
	// Storing reads pages all over the file (the leaves that keys by person land in),
	// and each read fault maps the pages around it too: left mapped, the file
	// creeps into the server's memory until bbolt replaces its map (482 MB resident at
	// a million records). What a batch read is given back after it.
	if s.arrived.Add(int64(len(items))) >= ingestRelease {
		s.arrived.Store(0)
		s.db.View(func(tx *bolt.Tx) error {
			ReleaseMapped(tx)
			return nil
		})
	}
	return results, nil
}

// ingestRelease is how many records are stored between giving back the pages that
// storing them mapped in.
const ingestRelease = 500

// Pull reads the log by village (or whole, for a user of every village) after cursor.
func (s *Store) Pull(ctx context.Context, u protocol.User, cursor uint64, limit int) (protocol.PullResponse, error) {
	resp := protocol.PullResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Epoch: s.epoch, Cursor: cursor}
	err := s.db.View(func(tx *bolt.Tx) error {
		next := logCursor(tx, u, cursor)
		for {
			seq, e, ok, err := next()
			if err != nil || !ok {
				return err
			}
			if len(resp.Revisions)+len(resp.Roster)+len(resp.Withdrawn) >= limit {
				resp.More = true
				return nil
			}
			resp.Cursor = seq
			if err := s.pullEntry(tx, u, seq, e, &resp); err != nil {
				return fmt.Errorf("log entry %d: %w", seq, err)
			}
		}
	})
	if err != nil {
		return protocol.PullResponse{}, fmt.Errorf("pull for %s: %w", u.Code, err)
	}
	return resp, nil
}

// logCursor walks the log entries for the user after cursor, in order: the whole log
// for a leader of every village; for an enumerator of every village, a merge of their
// part of ulog and the roster cases'; else a merge of each village's part of vlog.
func logCursor(tx *bolt.Tx, u protocol.User, cursor uint64) func() (uint64, logEntry, bool, error) {
	decode := func(k, v []byte) (uint64, logEntry, bool, error) {
		var e logEntry
		err := json.Unmarshal(v, &e)
		return fromU64(k[len(k)-8:]), e, true, err
	}
	if u.AllVillages() && u.Role == "leader" {
		c := tx.Bucket(bktLog).Cursor()
		k, v := c.Seek(u64(cursor + 1))
		return func() (uint64, logEntry, bool, error) {
			if k == nil {
				return 0, logEntry{}, false, nil
			}
			seq, e, ok, err := decode(k, v)
			k, v = c.Next()
			return seq, e, ok, err
		}
	}
	bucket, parts, periods := bktVLogP, slices.Compact(slices.Sorted(slices.Values(u.Villages))), true
	if u.AllVillages() {
		bucket, parts, periods = bktULog, []string{u.Code, ""}, false
	}
	var heads []*partCursor
	for _, part := range parts {
		heads = append(heads, newPartCursor(tx, tx.Bucket(bucket), cat(part), periods, cursor))
	}
	var last uint64 // an entry filed under two of the user's villages (Also) comes once
	return func() (uint64, logEntry, bool, error) {
		var best *partCursor
		for _, h := range heads {
			for h.k != nil && last > 0 && h.seq() == last {
				h.next()
			}
			if h.k != nil && (best == nil || h.seq() < best.seq()) {
				best = h
			}
		}
		if best == nil {
			return 0, logEntry{}, false, nil
		}
		seq, e, ok, err := decode(best.k, best.v)
		best.next()
		last = seq
		return seq, e, ok, err
	}
}

// pullEntry adds an entry to the answer when it is for the user: roster cases and
// withdrawals of their villages; revisions others pushed, which for an enumerator are
// only their own records (their leader's decisions), for a leader the team's.
func (s *Store) pullEntry(tx *bolt.Tx, u protocol.User, seq uint64, e logEntry, resp *protocol.PullResponse) error {
	if !u.MayVillage(e.Village) && (e.Also == "" || !u.MayVillage(e.Also)) {
		return nil
	}
	mine := u.Role == "leader" || slices.Contains(e.Enumerators, u.Code)
	switch e.Kind {
	case kindRoster:
		var row roster.Row
		if _, err := s.c.get(tx, bktRoster, []byte(e.Key), &row); err != nil {
			return err
		}
		resp.Roster = append(resp.Roster, row)
	case kindRevision:
		if e.From == u.Code || !mine {
			return nil
		}
		v, err := s.c.open(bktRevisions, u64(seq), tx.Bucket(bktRevisions).Get(u64(seq)))
		if err != nil {
			return err
		}
		st, err := decodeStored(v)
		if err != nil {
			return err
		}
		resp.Revisions = append(resp.Revisions, st.Revision)
	case kindWithdraw:
		if !mine {
			return nil
		}
		var w protocol.Withdrawal
		ok, err := s.c.get(tx, bktWithdrawn, []byte(e.Key), &w)
		if err != nil || !ok { // withdrawn, then kept after all: nothing to say
			return err
		}
		resp.Withdrawn = append(resp.Withdrawn, w)
	}
	return nil
}

// rowSource is where a listing reads its rows: an index when the filter names a
// subject, village or enumerator, else every row.
func rowSource(tx *bolt.Tx, c codec, f store.RecordFilter, after uint64) func() (uint64, bool) {
	var part []byte
	switch {
	case f.Subject != "":
		seqs := subjectRows(tx, c, f.Subject, after)
		return func() (uint64, bool) {
			if len(seqs) == 0 {
				return 0, false
			}
			seq := seqs[0]
			seqs = seqs[1:]
			return seq, true
		}
	case f.Village != "":
		part = cat("v", f.Village)
	case f.Enumerator != "":
		part = cat("e", f.Enumerator)
	default:
		cur := tx.Bucket(bktRows).Cursor()
		k, _ := cur.Seek(u64(after + 1))
		return func() (uint64, bool) {
			if k == nil || len(k) != 8 {
				return 0, false
			}
			seq := fromU64(k)
			k, _ = cur.Next()
			return seq, true
		}
	}
	p := newPartCursor(tx, tx.Bucket(bktIdxP), part, true, after)
	return func() (uint64, bool) {
		if p.k == nil {
			return 0, false
		}
		seq := p.seq()
		p.next()
		return seq, true
	}
}

// subjectRows are the rows of the records of a person after a position, in server
// order: the person's records (persons/), then each one's revisions (revseq/). A
// person has a few; listRows drops those of a revision that named another subject.
// (Schema 6 and before also filed every row under its subject in idx/, a key at a
// random place in the file for every revision stored; those keys are left unread.)
func subjectRows(tx *bolt.Tx, c codec, subject string, after uint64) []uint64 {
	var seqs []uint64
	prefix := subjectPrefix(c.blind(subject))
	pc, rc := tx.Bucket(bktPeople).Cursor(), tx.Bucket(bktRevSeq).Cursor()
	for k, _ := pc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = pc.Next() {
		_, id, ok := bytes.Cut(k[len(prefix):], []byte{0}) // form "\x00" record id
		if !ok {
			continue
		}
		revs := []byte(idOf(id) + "/")
		for rk, v := rc.Seek(revs); rk != nil && bytes.HasPrefix(rk, revs); rk, v = rc.Next() {
			if seq := fromU64(v); len(rk) == len(revs)+8 && seq > after {
				seqs = append(seqs, seq)
			}
		}
	}
	slices.Sort(seqs)
	return slices.Compact(seqs)
}

// listRows walks the rows a filter selects, in server order, with the record's
// duplicate and withdrawal marks; fn returns false to stop.
func listRows(tx *bolt.Tx, c codec, f store.RecordFilter, fn func(seq uint64, rw row) (bool, error)) error {
	after, _ := strconv.ParseUint(f.After, 10, 64)
	next := rowSource(tx, c, f, after)
	metas := map[string]recordMeta{} // a record's revisions are listed together rarely; a small cache
	var err error
	for n := 1; ; n++ {
		seq, ok := next()
		if !ok {
			return nil
		}
		if n%releaseRows == 0 {
			ReleaseMapped(tx)
		}
		var rw row
		if _, err := c.get(tx, bktRows, u64(seq), &rw); err != nil {
			return err
		}
		if f.Village != "" && rw.Village != f.Village || f.Enumerator != "" && rw.Enumerator != f.Enumerator ||
			f.Subject != "" && rw.Subject != f.Subject || f.Status != "" && rw.Status != f.Status {
			continue
		}
		meta, ok := metas[rw.RecordID]
		if !ok {
			if meta, err = rowState(tx, c, seq, rw.RecordID); err != nil {
				return err
			}
			if len(metas) > 1024 {
				clear(metas)
			}
			metas[rw.RecordID] = meta
		}
		if !f.All && meta.Seq != seq || f.Standing && meta.Withdrawn != "" || f.Duplicates && !meta.Duplicate {
			continue
		}
		rw.Duplicate, rw.Withdrawn = meta.Duplicate, meta.Withdrawn
		if more, err := fn(seq, rw); err != nil || !more {
			return err
		}
	}
}

// rowState is the state of the record whose row is at seq. A record's state is at its
// first revision's position, the row's own for most records (those of one revision):
// read there first, it is one read near the row instead of two at random places
// (revseq/, then states/).
func rowState(tx *bolt.Tx, c codec, seq uint64, id string) (recordMeta, error) {
	var meta recordMeta
	if ok, err := c.get(tx, bktStates, u64(seq), &meta); err != nil || ok && meta.ID == id {
		return meta, err
	}
	meta = recordMeta{}
	_, err := getRecord(tx, c, id, &meta)
	return meta, err
}

// Records lists compact rows, paged.
func (s *Store) Records(ctx context.Context, f store.RecordFilter) ([]store.RecordRow, string, error) {
	var out []store.RecordRow
	var next string
	var last uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		return listRows(tx, s.c, f, func(seq uint64, rw row) (bool, error) {
			if f.Limit > 0 && len(out) == f.Limit {
				next = strconv.FormatUint(last, 10)
				return false, nil
			}
			out = append(out, rw.RecordRow)
			last = seq
			return true, ctx.Err()
		})
	})
	if err != nil {
		return nil, "", fmt.Errorf("list records: %w", err)
	}
	return out, next, nil
}

// releaseRows is how many rows a listing or an export reads between giving back the
// pages of the file it mapped in (ReleaseMapped). The rows of a village are spread over
// the whole file, and each page read maps the 64 KB around it: a village's listing at a
// million records (3 333 rows, and the record of each) left 430 MB of the file resident
// when it gave back nothing (VmHWM 580 MB after the reads).
const releaseRows = 256

// Export streams full revisions, one decoded at a time, in flat memory: the pages of
// the file it has read are given back as it goes (listRows).
func (s *Store) Export(ctx context.Context, f store.RecordFilter, fn func(store.StoredRevision) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		revs := tx.Bucket(bktRevisions)
		return listRows(tx, s.c, f, func(seq uint64, rw row) (bool, error) {
			v, err := s.c.open(bktRevisions, u64(seq), revs.Get(u64(seq)))
			if err != nil {
				return false, fmt.Errorf("revision %s: %w", rw.ServerID, err)
			}
			st, err := decodeStored(v)
			if err != nil {
				return false, fmt.Errorf("revision %s: %w", rw.ServerID, err)
			}
			st.Withdrawn = rw.Withdrawn
			if err := fn(st); err != nil {
				return false, err
			}
			return true, ctx.Err()
		})
	})
	if err != nil {
		return fmt.Errorf("export records: %w", err)
	}
	return nil
}
