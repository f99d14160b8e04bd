package sync

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
)

// The server's bucket tree (its own bbolt file, server.db in its data folder):
//
//	meta/       server_id, epoch: random at creation
//	enroll/     sha256(one-time code) → JSON enrolment (user, expiry)
//	tokens/     sha256(device token) → JSON token (user code, device, revoked)
//	users/      user code → JSON User
//	revisions/  record id "/" revision (uint64 big-endian) → JSON storedRevision
//	latest/     record id → JSON latestRecord (revision, chain length, head, village)
//	log/        seq uint64 → record id "/" revision: everything stored, in order
//	roster/     subject → JSON roster row (its changes are in log/ as "roster\x00"+subject)
//	attachments/ sha256 → bytes; partial/ sha256 → the bytes so far
//
// Codes and tokens are kept only as hashes: a copy of the file gives no one a device.
var (
	bktMeta      = []byte("meta")
	bktEnroll    = []byte("enroll")
	bktTokens    = []byte("tokens")
	bktUsers     = []byte("users")
	bktRevisions = []byte("revisions")
	bktLatest    = []byte("latest")
	bktLog       = []byte("log")
	bktRoster    = []byte("roster")
	bktAttach    = []byte("attachments")
	bktPartial   = []byte("partial")
)

// ServerFile is the server's data file in its data folder.
const ServerFile = "server.db"

// Store is the district server's data.
type Store struct {
	db       *bolt.DB
	serverID string
	epoch    string
	now      func() time.Time
}

// ErrStoreBusy is the data file held by a running server.
var ErrStoreBusy = errors.New("the server's data file is in use by a running doorstep-server")

// OpenStore opens (creating) the server's data file in dir.
func OpenStore(dir string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server data: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, ServerFile), 0o600, &bolt.Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, ErrStoreBusy
		}
		return nil, fmt.Errorf("server data: %w", err)
	}
	s := &Store{db: db, now: now}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktMeta, bktEnroll, bktTokens, bktUsers, bktRevisions, bktLatest, bktLog, bktRoster, bktAttach, bktPartial} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bktMeta)
		for _, k := range []string{"server_id", "epoch"} {
			if meta.Get([]byte(k)) == nil {
				if err := meta.Put([]byte(k), []byte(randomHex(8))); err != nil {
					return err
				}
			}
		}
		s.serverID, s.epoch = string(meta.Get([]byte("server_id"))), string(meta.Get([]byte("epoch")))
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("server data: %w", err)
	}
	return s, nil
}

// Close closes the data file.
func (s *Store) Close() error { return s.db.Close() }

// ID and Epoch name the server and its database.
func (s *Store) ID() string    { return s.serverID }
func (s *Store) Epoch() string { return s.epoch }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hashKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

type enrolment struct {
	User    User      `json:"user"`
	Expires time.Time `json:"expires"`
}

type token struct {
	User    string    `json:"user"`
	Device  string    `json:"device"`
	Created time.Time `json:"created"`
	Revoked bool      `json:"revoked,omitempty"`
}

// Errors of the server store.
var (
	ErrBadCode   = errors.New("the enrolment code is wrong, used or expired")
	ErrBadToken  = errors.New("the device token is not known")
	ErrRevoked   = errors.New("the device token was revoked")
	ErrForbidden = errors.New("not allowed")
)

// AddEnrolment makes a one-time code for a user, valid for a week, and keeps the user.
func (s *Store) AddEnrolment(u User) (string, error) {
	if u.Code == "" || u.Name == "" || (u.Role != "enumerator" && u.Role != "leader") || len(u.Villages) == 0 {
		return "", fmt.Errorf("enrol: a user needs a code, a name, a role (enumerator or leader) and villages")
	}
	// 20 characters of an alphabet without 0/O, 1/I/L: read over the phone, typed by hand.
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	code := string(b[:5]) + "-" + string(b[5:10]) + "-" + string(b[10:15]) + "-" + string(b[15:])
	err := s.db.Update(func(tx *bolt.Tx) error {
		data, _ := json.Marshal(enrolment{User: u, Expires: s.now().Add(7 * 24 * time.Hour)})
		if err := tx.Bucket(bktEnroll).Put(hashKey(code), data); err != nil {
			return err
		}
		data, _ = json.Marshal(u)
		return tx.Bucket(bktUsers).Put([]byte(u.Code), data)
	})
	return code, err
}

// Enroll exchanges a one-time code for a device token.
func (s *Store) Enroll(code, device string) (string, User, error) {
	var tok string
	var u User
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktEnroll)
		k := hashKey(strings.ToUpper(strings.TrimSpace(code)))
		data := b.Get(k)
		if data == nil {
			return ErrBadCode
		}
		var e enrolment
		if err := json.Unmarshal(data, &e); err != nil {
			return err
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if s.now().After(e.Expires) {
			return ErrBadCode
		}
		u = e.User
		tok = randomHex(32)
		t, _ := json.Marshal(token{User: u.Code, Device: device, Created: s.now()})
		return tx.Bucket(bktTokens).Put(hashKey(tok), t)
	})
	return tok, u, err
}

// Authenticate returns the user of a device token.
func (s *Store) Authenticate(tok string) (User, error) {
	var u User
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bktTokens).Get(hashKey(tok))
		if data == nil {
			return ErrBadToken
		}
		var t token
		if err := json.Unmarshal(data, &t); err != nil {
			return err
		}
		if t.Revoked {
			return ErrRevoked
		}
		ud := tx.Bucket(bktUsers).Get([]byte(t.User))
		if ud == nil {
			return ErrBadToken
		}
		return json.Unmarshal(ud, &u)
	})
	return u, err
}

// Revoke revokes every device token of a user (a lost laptop).
func (s *Store) Revoke(userCode string) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktTokens)
		var keys [][]byte
		var vals []token
		b.ForEach(func(k, v []byte) error {
			var t token
			if json.Unmarshal(v, &t) == nil && t.User == userCode && !t.Revoked {
				keys = append(keys, append([]byte(nil), k...))
				vals = append(vals, t)
			}
			return nil
		})
		for i, k := range keys {
			vals[i].Revoked = true
			data, _ := json.Marshal(vals[i])
			if err := b.Put(k, data); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// storedRevision is one revision as the server keeps it.
type storedRevision struct {
	Revision record.Revision `json:"revision"`
	Case     Case            `json:"case"`
	From     string          `json:"from"` // user code of who pushed it
	Received time.Time       `json:"received"`
	ServerID string          `json:"server_id"`
	Seq      uint64          `json:"seq"`
}

type latestRecord struct {
	Revision uint64   `json:"revision"`
	AuditLen int      `json:"audit_len"`
	Heads    []string `json:"heads"` // the hash of each audit entry, to compare chains
	Village  string   `json:"village"`
	Status   string   `json:"status"`
}

func revKey(recordID string, revision uint64) []byte {
	return append([]byte(recordID+"/"), u64(revision)...)
}

// Put stores one pushed revision exactly once; see PutBatch.
func (s *Store) Put(u User, item PushItem) PushResult {
	return s.PutBatch(u, []PushItem{item})[0]
}

// PutBatch stores pushed revisions exactly once each, in one transaction (one fsync for
// the batch): the same revision again is a duplicate (with its first receipt), an older
// or already-held chain is stale, a chain that parts from the stored one is rejected,
// as is one that does not verify or comes from a user for a village not theirs.
func (s *Store) PutBatch(u User, items []PushItem) []PushResult {
	results := make([]PushResult, len(items))
	ok := make([]bool, len(items))
	for i, item := range items {
		results[i], ok[i] = s.check(u, item)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, item := range items {
			if !ok[i] {
				continue
			}
			res, err := s.put(tx, u, item)
			if err != nil {
				return err
			}
			results[i] = res
		}
		return nil
	})
	if err != nil {
		for i := range results {
			if ok[i] {
				results[i] = PushResult{Seq: items[i].Seq, RecordID: items[i].Revision.Record.ID, Result: Rejected,
					Reason: "the server could not store it: " + err.Error(), Retry: true}
			}
		}
	}
	return results
}

// check is what can be judged of an item without the store.
func (s *Store) check(u User, item PushItem) (PushResult, bool) {
	rev := item.Revision
	r := rev.Record
	res := PushResult{Seq: item.Seq, RecordID: r.ID, Result: Rejected}
	switch {
	case r.ID == "" || item.Case.Village == "":
		res.Reason = "the record does not say what it is or where"
	case !u.MayVillage(item.Case.Village):
		res.Reason = fmt.Sprintf("%s is not one of %s's villages", item.Case.Village, u.Code)
	case r.Village == "" && (item.Case.Subject == "" || item.Case.Subject != r.Subject):
		res.Reason = "the record's case does not match the case it is sent with"
	case !r.Status.Locked() && r.Status != record.StatusReturned:
		// A laptop queues a record when it is completed, returned or approved; a
		// draft sent anyway is not the district's yet.
		res.Reason = fmt.Sprintf("a %s record is not sent to the district: only completed, returned or approved ones", r.Status)
	default:
		verify := record.VerifyRevision
		if len(rev.Audit) > 0 && rev.Audit[0].Hash == "" {
			record.Relink(rev.Audit) // sent without its hashes (PROTOCOL.md)
			verify = record.VerifyRelinked
		}
		if msgs := verify(rev); len(msgs) > 0 {
			res.Reason = strings.Join(msgs, "; ")
		} else if uint64(len(rev.Audit)) != r.AuditLen {
			res.Reason = "the audit chain does not end where the record says"
		} else {
			return res, true
		}
	}
	return res, false
}

// put stores a checked item in the caller's transaction.
func (s *Store) put(tx *bolt.Tx, u User, item PushItem) (PushResult, error) {
	rev := item.Revision
	rev.Photos = nil
	r := rev.Record
	res := PushResult{Seq: item.Seq, RecordID: r.ID}
	revs := tx.Bucket(bktRevisions)
	if data := revs.Get(revKey(r.ID, r.Revision)); data != nil {
		var had storedRevision
		if err := json.Unmarshal(data, &had); err != nil {
			return res, err
		}
		if len(had.Revision.Audit) > 0 && had.Revision.Audit[len(had.Revision.Audit)-1].Hash == rev.Audit[len(rev.Audit)-1].Hash {
			res.Result, res.ServerID, res.Received = Duplicate, had.ServerID, had.Received
			return res, nil
		}
		res.Result, res.Reason = Rejected, record.ErrConflict.Error()
		return res, nil
	}
	if data := tx.Bucket(bktLatest).Get([]byte(r.ID)); data != nil {
		var latest latestRecord
		if err := json.Unmarshal(data, &latest); err != nil {
			return res, err
		}
		n := len(rev.Audit)
		if n <= latest.AuditLen {
			if latest.Heads[n-1] == rev.Audit[n-1].Hash {
				res.Result = Stale
			} else {
				res.Result, res.Reason = Rejected, record.ErrConflict.Error()
			}
			return res, nil
		}
		if rev.Audit[latest.AuditLen-1].Hash != latest.Heads[latest.AuditLen-1] {
			res.Result, res.Reason = Rejected, record.ErrConflict.Error()
			return res, nil
		}
	}
	att := tx.Bucket(bktAttach)
	for _, p := range r.Photos {
		if att.Get([]byte(p.Hash)) == nil {
			res.Result, res.Reason, res.Retry = Rejected, fmt.Sprintf("photo %.8s has not been uploaded", p.Hash), true
			return res, nil
		}
	}
	seq, err := tx.Bucket(bktLog).NextSequence()
	if err != nil {
		return res, err
	}
	st := storedRevision{Revision: rev, Case: item.Case, From: u.Code, Received: s.now().UTC(),
		ServerID: fmt.Sprintf("%s-%d", s.serverID, seq), Seq: seq}
	data, err := json.Marshal(st)
	if err != nil {
		return res, err
	}
	if err := revs.Put(revKey(r.ID, r.Revision), data); err != nil {
		return res, err
	}
	heads := make([]string, len(rev.Audit))
	for i, e := range rev.Audit {
		heads[i] = e.Hash
	}
	ld, _ := json.Marshal(latestRecord{Revision: r.Revision, AuditLen: len(rev.Audit), Heads: heads, Village: item.Case.Village, Status: string(r.Status)})
	if err := tx.Bucket(bktLatest).Put([]byte(r.ID), ld); err != nil {
		return res, err
	}
	if err := tx.Bucket(bktLog).Put(u64(seq), revKey(r.ID, r.Revision)); err != nil {
		return res, err
	}
	res.Result, res.ServerID, res.Received = Stored, st.ServerID, st.Received
	return res, nil
}

// rosterPrefix marks a roster case in the log (a record's entry is its record id).
const rosterPrefix = "roster\x00"

// Pull returns, after cursor, up to limit revisions of the user's villages that others
// pushed, and the roster cases of those villages imported or changed since: both are in
// one log, so one cursor covers them.
func (s *Store) Pull(u User, cursor uint64, limit int) (PullResponse, error) {
	resp := PullResponse{Envelope: Envelope{Doorstep: Version}, Epoch: s.epoch, Cursor: cursor}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktLog).Cursor()
		revs, rost := tx.Bucket(bktRevisions), tx.Bucket(bktRoster)
		for k, v := c.Seek(u64(cursor + 1)); k != nil; k, v = c.Next() {
			if len(resp.Revisions)+len(resp.Roster) >= limit {
				resp.More = true
				break
			}
			resp.Cursor = binary.BigEndian.Uint64(k)
			if subject, ok := strings.CutPrefix(string(v), rosterPrefix); ok {
				var row roster.Row
				if err := json.Unmarshal(rost.Get([]byte(subject)), &row); err != nil {
					return err
				}
				if u.MayVillage(row.Village) {
					resp.Roster = append(resp.Roster, row)
				}
				continue
			}
			var st storedRevision
			if err := json.Unmarshal(revs.Get(v), &st); err != nil {
				return err
			}
			if st.From == u.Code || !u.MayVillage(st.Case.Village) {
				continue
			}
			// An enumerator gets back their own records (a leader's decision); a
			// leader the team's.
			if u.Role != "leader" && st.Revision.Record.Enumerator != u.Code {
				continue
			}
			resp.Revisions = append(resp.Revisions, st.Revision)
		}
		return nil
	})
	return resp, err
}

// ImportRoster keeps the district's roster, to hand each enrolled laptop its villages'
// cases; a case new or changed goes into the log, so laptops that pulled before get it.
func (s *Store) ImportRoster(rows []roster.Row) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, log := tx.Bucket(bktRoster), tx.Bucket(bktLog)
		for _, r := range rows {
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			key := []byte(r.Key())
			if old := b.Get(key); old != nil && bytes.Equal(old, data) {
				continue
			}
			if err := b.Put(key, data); err != nil {
				return err
			}
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			if err := log.Put(u64(seq), []byte(rosterPrefix+r.Key())); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordRow is one stored revision, for the district office's list.
type RecordRow struct {
	RecordID   string    `json:"record_id"`
	Revision   uint64    `json:"revision"`
	Case       string    `json:"case"`
	Name       string    `json:"name,omitempty"`
	Village    string    `json:"village"`
	Enumerator string    `json:"enumerator"`
	From       string    `json:"from"`
	Status     string    `json:"status"`
	ServerID   string    `json:"server_id"`
	ReceivedAt time.Time `json:"received_at"`
}

// Records lists the latest stored revision of every record; with all, every revision.
func (s *Store) Records(all bool) ([]RecordRow, error) {
	var out []RecordRow
	err := s.db.View(func(tx *bolt.Tx) error {
		latest := tx.Bucket(bktLatest)
		return tx.Bucket(bktRevisions).ForEach(func(k, v []byte) error {
			var st storedRevision
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			r := st.Revision.Record
			if !all {
				var l latestRecord
				if err := json.Unmarshal(latest.Get([]byte(r.ID)), &l); err != nil || l.Revision != r.Revision {
					return err
				}
			}
			out = append(out, RecordRow{RecordID: r.ID, Revision: r.Revision, Case: st.Case.Subject, Name: st.Case.Name,
				Village: st.Case.Village, Enumerator: r.Enumerator, From: st.From, Status: string(r.Status),
				ServerID: st.ServerID, ReceivedAt: st.Received})
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ServerID < out[j].ServerID })
	return out, err
}

// Export returns every stored revision in full, for the district office.
func (s *Store) Export() ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktRevisions).ForEach(func(_, v []byte) error {
			out = append(out, append(json.RawMessage(nil), v...))
			return nil
		})
	})
	return out, err
}

// AttachmentOffset is how many bytes of an attachment the server has: its size when
// complete (complete is then true).
func (s *Store) AttachmentOffset(hash string) (n int64, complete bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bktAttach).Get([]byte(hash)); v != nil {
			n, complete = int64(len(v)), true
			return nil
		}
		n = int64(len(tx.Bucket(bktPartial).Get([]byte(hash))))
		return nil
	})
	return n, complete, err
}

// AppendAttachment adds bytes at offset to an upload; when the bytes hash to the name,
// the attachment is complete. An offset that is not where the server stands is refused.
func (s *Store) AppendAttachment(hash string, offset int64, data []byte, maxSize int64) (n int64, complete bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bktAttach).Get([]byte(hash)); v != nil {
			n, complete = int64(len(v)), true
			return nil
		}
		part := tx.Bucket(bktPartial)
		have := append([]byte(nil), part.Get([]byte(hash))...)
		if offset != int64(len(have)) {
			n = int64(len(have))
			return errOffset
		}
		have = append(have, data...)
		if int64(len(have)) > maxSize {
			return fmt.Errorf("attachment larger than %d bytes", maxSize)
		}
		n = int64(len(have))
		sum := sha256.Sum256(have)
		if hex.EncodeToString(sum[:]) == hash {
			complete = true
			if err := part.Delete([]byte(hash)); err != nil {
				return err
			}
			return tx.Bucket(bktAttach).Put([]byte(hash), have)
		}
		return part.Put([]byte(hash), have)
	})
	return n, complete, err
}

var errOffset = errors.New("upload offset does not match")
