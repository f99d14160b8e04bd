package boltstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/store"
)

type enrolment struct {
	User    protocol.User `json:"user"`
	Expires time.Time     `json:"expires"`
}

type token struct {
	User    string    `json:"user"`
	Device  string    `json:"device"`
	Created time.Time `json:"created"`
	Revoked bool      `json:"revoked,omitempty"`
	// RevokedAt is when (zero: revoked before the time was kept).
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Key is the user's public signing key on the device (none: enrolled before
	// signatures).
	Key []byte `json:"key,omitempty"`
	// LastPush is when the server last took in a push of the device.
	LastPush time.Time `json:"last_push,omitzero"`
	// Card is the user's key card on the device, as sent at enrolment.
	Card string `json:"card,omitempty"`
}

// AddEnrolment keeps the user and makes a one-time code, valid for a week.
func (s *Store) AddEnrolment(ctx context.Context, u protocol.User) (string, error) {
	if err := store.ValidUser(u); err != nil {
		return "", err
	}
	code := store.NewEnrolmentCode(rand.Reader)
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bktEnroll), hashKey(code), enrolment{User: u, Expires: s.now().Add(store.EnrolmentValid)}); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bktUsers), []byte(u.Code), u)
	})
	if err != nil {
		return "", fmt.Errorf("enrol %s: %w", u.Code, err)
	}
	return code, nil
}

// Enroll spends a one-time code for a device token.
func (s *Store) Enroll(ctx context.Context, code, device string, key ed25519.PublicKey, card string) (string, protocol.User, error) {
	var tok string
	var u protocol.User
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktEnroll)
		k := hashKey(store.NormalizeCode(code))
		var e enrolment
		if ok, err := getJSON(b, k, &e); err != nil || !ok {
			if err != nil {
				return err
			}
			return store.ErrBadCode
		}
		if err := store.CardFor(card, e.User, key); err != nil {
			return err // the code is not spent
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if s.now().After(e.Expires) {
			return nil // spent, and refused below: an expired code is gone
		}
		u = e.User
		tok = randomHex(32)
		return putJSON(tx.Bucket(bktTokens), hashKey(tok), token{User: u.Code, Device: device, Created: s.now().UTC(), Key: key, Card: card})
	})
	if err == nil && tok == "" {
		err = store.ErrBadCode
	}
	return tok, u, err
}

// Authenticate is the caller of a device token.
func (s *Store) Authenticate(ctx context.Context, tok string) (store.Caller, error) {
	var c store.Caller
	err := s.db.View(func(tx *bolt.Tx) error {
		var t token
		if ok, err := getJSON(tx.Bucket(bktTokens), hashKey(tok), &t); err != nil || !ok {
			if err != nil {
				return err
			}
			return store.ErrBadToken
		}
		if t.Revoked {
			return store.ErrRevoked
		}
		c.Device, c.Token = t.Device, hashKey(tok)
		if ok, err := getJSON(tx.Bucket(bktUsers), []byte(t.User), &c.User); err != nil || !ok {
			if err != nil {
				return err
			}
			return store.ErrBadToken
		}
		return nil
	})
	return c, err
}

// Revoke revokes every device token of a user.
func (s *Store) Revoke(ctx context.Context, userCode string) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktTokens)
		var keys [][]byte
		var vals []token
		err := b.ForEach(func(k, v []byte) error {
			var t token
			if json.Unmarshal(v, &t) == nil && t.User == userCode && !t.Revoked {
				keys = append(keys, append([]byte(nil), k...))
				vals = append(vals, t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			vals[i].Revoked, vals[i].RevokedAt = true, s.now().UTC()
			if err := putJSON(b, k, vals[i]); err != nil {
				return err
			}
			n++
		}
		// The codes handed out and not yet used go too: a revoked user enrols no
		// laptop with one afterwards.
		eb := tx.Bucket(bktEnroll)
		var spent [][]byte
		if err := eb.ForEach(func(k, v []byte) error {
			var e enrolment
			if json.Unmarshal(v, &e) == nil && e.User.Code == userCode {
				spent = append(spent, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range spent {
			if err := eb.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Users lists the users with their devices.
func (s *Store) Users(ctx context.Context) ([]store.UserRow, error) {
	var out []store.UserRow
	err := s.db.View(func(tx *bolt.Tx) error {
		at := map[string]int{}
		err := tx.Bucket(bktUsers).ForEach(func(k, v []byte) error {
			var u protocol.User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			at[u.Code] = len(out)
			out = append(out, store.UserRow{User: u})
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bktTokens).ForEach(func(k, v []byte) error {
			var t token
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			if i, ok := at[t.User]; ok {
				out[i].Devices = append(out[i].Devices, store.Device{Name: t.Device, Created: t.Created, Revoked: t.Revoked, Card: t.Card, LastPush: t.LastPush})
			}
			return nil
		})
	})
	for _, u := range out {
		sort.Slice(u.Devices, func(i, j int) bool { return u.Devices[i].Created.Before(u.Devices[j].Created) })
	}
	return out, err
}

// notePush notes the time of a push on the device token that sent it.
func notePush(tx *bolt.Tx, key []byte, at time.Time) error {
	if key == nil {
		return nil
	}
	b := tx.Bucket(bktTokens)
	var t token
	if ok, err := getJSON(b, key, &t); err != nil || !ok {
		return err
	}
	t.LastPush = at
	return putJSON(b, key, t)
}

// usersOf are the users of the codes the district knows, for store.Held.Users.
func usersOf(tx *bolt.Tx, codes []string) (map[string]protocol.User, error) {
	out := map[string]protocol.User{}
	b := tx.Bucket(bktUsers)
	for _, c := range codes {
		var u protocol.User
		if ok, err := getJSON(b, []byte(c), &u); err != nil {
			return nil, fmt.Errorf("read the users: %w", err)
		} else if ok {
			out[c] = u
		}
	}
	return out, nil
}

// keysOf are the signing keys of the users' devices not revoked, for store.Held.Keys,
// and those of their revoked devices with when, for store.Held.Revoked. It reads every
// token: a district has hundreds of devices, and a batch is decided once.
func keysOf(tx *bolt.Tx, codes []string) (record.Authors, map[string][]store.RevokedKey, error) {
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	byUser := map[string][]ed25519.PublicKey{}
	revoked := map[string][]store.RevokedKey{}
	err := tx.Bucket(bktTokens).ForEach(func(_, v []byte) error {
		var t token
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		switch {
		case !want[t.User] || len(t.Key) == 0:
		case t.Revoked:
			revoked[t.User] = append(revoked[t.User], store.RevokedKey{Key: t.Key, At: t.RevokedAt, Device: t.Device})
		default:
			byUser[t.User] = append(byUser[t.User], t.Key)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read the signing keys: %w", err)
	}
	keys := record.Authors{}
	for code, ks := range byUser {
		var u protocol.User
		if _, err := getJSON(tx.Bucket(bktUsers), []byte(code), &u); err != nil {
			return nil, nil, err
		}
		store.KeysOf(keys, store.UserKeys{Code: code, Name: u.Name, Role: u.Role, Keys: ks})
	}
	return keys, revoked, nil
}
