package pgstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

func hashKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// AddEnrolment keeps (or updates) the user and makes a one-time code for one laptop.
func (s *Store) AddEnrolment(ctx context.Context, u protocol.User) (string, error) {
	if err := store.ValidUser(u); err != nil {
		return "", err
	}
	code := store.NewEnrolmentCode(rand.Reader)
	data, err := json.Marshal(u)
	if err != nil {
		return "", err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (code, data) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET data = excluded.data`, u.Code, data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO enrolments (code_hash, user_code, expires) VALUES ($1, $2, $3)`,
			hashKey(code), u.Code, s.now().Add(store.EnrolmentValid))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("enrol %s: %w", u.Code, err)
	}
	return code, nil
}

// Enroll spends a one-time code for a device token.
func (s *Store) Enroll(ctx context.Context, code, device string, key ed25519.PublicKey, card string) (string, protocol.User, error) {
	var u protocol.User
	tok := randomHex(32)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var user string
		var expires time.Time
		// DELETE … RETURNING: two laptops racing with one code, one wins.
		err := tx.QueryRow(ctx, `DELETE FROM enrolments WHERE code_hash = $1 RETURNING user_code, expires`,
			hashKey(store.NormalizeCode(code))).Scan(&user, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrBadCode
		}
		if err != nil {
			return err
		}
		if s.now().After(expires) {
			return store.ErrBadCode
		}
		if err := tx.QueryRow(ctx, `SELECT data FROM users WHERE code = $1`, user).Scan(&u); err != nil {
			return err
		}
		if err := store.CardFor(card, u, key); err != nil {
			return err // rolled back: the code is not spent
		}
		var k []byte // NULL, not an empty key, for a laptop from before signatures
		if len(key) > 0 {
			k = key
		}
		_, err = tx.Exec(ctx, `INSERT INTO tokens (token_hash, user_code, device, created, signing_key, card) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashKey(tok), user, device, s.now().UTC(), k, nullable(card))
		return err
	})
	switch {
	case errors.Is(err, store.ErrBadCode), errors.Is(err, store.ErrBadCard):
		return "", protocol.User{}, err
	case err != nil:
		return "", protocol.User{}, fmt.Errorf("enroll: %w", err)
	}
	return tok, u, nil
}

// Authenticate is the caller of a device token.
func (s *Store) Authenticate(ctx context.Context, tok string) (store.Caller, error) {
	var c store.Caller
	var revoked bool
	err := s.pool.QueryRow(ctx, `SELECT t.revoked, t.device, u.data FROM tokens t JOIN users u ON u.code = t.user_code
		WHERE t.token_hash = $1`, hashKey(tok)).Scan(&revoked, &c.Device, &c.User)
	c.Token = hashKey(tok)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.Caller{}, store.ErrBadToken
	case err != nil:
		return store.Caller{}, fmt.Errorf("authenticate: %w", err)
	case revoked:
		return store.Caller{}, store.ErrRevoked
	}
	return c, nil
}

// Revoke revokes every device token of a user.
func (s *Store) Revoke(ctx context.Context, user string) (int, error) {
	// The tokens, and the codes handed out and not yet used: a revoked user enrols
	// no laptop with one afterwards. One statement, one transaction.
	var n int
	err := s.pool.QueryRow(ctx, `WITH spent AS (DELETE FROM enrolments WHERE user_code = $1),
		revoked AS (UPDATE tokens SET revoked = true, revoked_at = $2 WHERE user_code = $1 AND NOT revoked RETURNING 1)
		SELECT count(*) FROM revoked`, user, s.now().UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("revoke %s: %w", user, err)
	}
	return n, nil
}

// Users lists the enrolled users with their devices, by user code.
func (s *Store) Users(ctx context.Context) ([]store.UserRow, error) {
	rows, err := s.pool.Query(ctx, `SELECT u.data, t.device, t.created, t.revoked, coalesce(t.card, ''), t.last_push FROM users u
		LEFT JOIN tokens t ON t.user_code = u.code ORDER BY u.code, t.created, t.device`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []store.UserRow
	for rows.Next() {
		var u protocol.User
		var device *string
		var created *time.Time
		var revoked *bool
		var card string
		var lastPush *time.Time
		if err := rows.Scan(&u, &device, &created, &revoked, &card, &lastPush); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Code != u.Code {
			out = append(out, store.UserRow{User: u})
		}
		if device != nil {
			last := &out[len(out)-1]
			dev := store.Device{Name: *device, Created: created.UTC(), Revoked: *revoked, Card: card}
			if lastPush != nil {
				dev.LastPush = lastPush.UTC()
			}
			last.Devices = append(last.Devices, dev)
		}
	}
	return out, rows.Err()
}
