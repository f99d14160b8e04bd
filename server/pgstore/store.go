// Package pgstore keeps the district server's data in PostgreSQL, through pgx (pure
// Go: the static builds stay free of cgo). It is the second storage backend beside the
// bbolt file, for a district, city or province that has outgrown one file.
//
// Tables (migrations/*.sql):
//
//	doorstep_meta  key → value: program, schema_version, server_id, epoch, keycheck
//	log            seq → a record revision or a roster case, with its village: what
//	               laptops pull, numbered in commit order (log.go)
//
// Personal data is sealed under the server's data key (seal.go, and migration 0008
// says which column holds what): no column holds a name, ID or certificate number as
// text.
//
// It must never change a database that is not doorstep-server's (tables present but
// no doorstep_meta, or a newer schema than it knows), never put a password in a
// message, and never open a sealed database without its key.
package pgstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/doorstep-survey/doorstep/server/seal"
)

// Store is the district server's data in one PostgreSQL database.
type Store struct {
	pool     *pgxpool.Pool
	where    string // user@host:port/db, for messages
	serverID string
	epoch    string
	now      func() time.Time
	c        codec
	district ed25519.PublicKey
}

// Options shape a Store; the zero value is the production one.
type Options struct {
	Now func() time.Time
	// MaxConns bounds the pool (0: 20).
	MaxConns int32
	// Migrations replaces the binary's schema steps (tests of an interrupted or a
	// newer schema).
	Migrations []Migration
	// Migrating opens a database that a migration from bbolt has not finished
	// filling (doorstep-server migrate, to go on with it); a server never does.
	Migrating bool
	// Sealer is the server's data key: personal data is sealed under it (seal.go).
	// nil keeps a plain database plain — for other packages' tests only;
	// doorstep-server always gives one. A sealed database opened without it, or with
	// another key, is refused (seal.ErrNoKey, seal.ErrWrongKey).
	Sealer *seal.Sealer
	// District is the district's public signing key, which signs the decisions of the
	// district office's console (store.Held.District; nil: they are refused).
	District ed25519.PublicKey
}

// Open connects to the database at url, checks that it is doorstep-server's (or
// empty), brings its schema up to date and returns the store.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks the password in what it quotes back.
		return nil, fmt.Errorf("the database setting is not a PostgreSQL URL like postgres://user:password@host:5432/dbname: %w", err)
	}
	cfg.MaxConns = 20
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	where := fmt.Sprintf("%s@%s/%s", cfg.ConnConfig.User, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))), cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL %s: %w", where, err)
	}
	s := &Store{pool: pool, where: where, now: opts.Now, c: codec{opts.Sealer}, district: opts.District}
	if err := s.open(ctx, opts); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, opts Options) error {
	if err := s.pool.Ping(ctx); err != nil {
		return connectError(s.where, err)
	}
	ms := opts.Migrations
	if ms == nil {
		var err error
		if ms, err = Migrations(); err != nil {
			return err
		}
	}
	if _, err := migrate(ctx, s.pool, ms); err != nil {
		return fmt.Errorf("PostgreSQL %s: %w", s.where, err)
	}
	if len(ms) >= 10 { // a test's older schema has no opener
		if err := s.fillOpeners(ctx); err != nil {
			return fmt.Errorf("PostgreSQL %s: %w", s.where, err)
		}
	}
	// Random names made once: the epoch tells a laptop its cursor is of another database.
	_, err := s.pool.Exec(ctx, `INSERT INTO doorstep_meta (key, value) VALUES ('server_id', $1), ('epoch', $2)
		ON CONFLICT (key) DO NOTHING`, randomHex(8), randomHex(8))
	if err == nil {
		err = s.pool.QueryRow(ctx, `SELECT (SELECT value FROM doorstep_meta WHERE key = 'server_id'),
			(SELECT value FROM doorstep_meta WHERE key = 'epoch')`).Scan(&s.serverID, &s.epoch)
	}
	if err != nil {
		return fmt.Errorf("PostgreSQL %s: read the server's name: %w", s.where, err)
	}
	var migrating bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM doorstep_meta WHERE key = $1)`, metaMigrating).Scan(&migrating); err != nil {
		return fmt.Errorf("PostgreSQL %s: %w", s.where, err)
	}
	if migrating && !opts.Migrating {
		return fmt.Errorf("PostgreSQL %s: %w", s.where, ErrMigrating)
	}
	if err := s.checkKey(ctx); err != nil {
		return fmt.Errorf("PostgreSQL %s: %w", s.where, err)
	}
	return nil
}

// connectError says in a sentence why the database could not be reached.
func connectError(where string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000":
			return fmt.Errorf("PostgreSQL %s refused the user name or password: check the database URL (%s)", where, pgErr.Message)
		case "3D000":
			return fmt.Errorf("PostgreSQL %s: the database does not exist; create it (createdb) or fix the database URL", where)
		}
		return fmt.Errorf("PostgreSQL %s: %s (%s)", where, pgErr.Message, pgErr.Code)
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("PostgreSQL %s does not answer: is it running, and are the host and port of the database URL right? (%v)", where, err)
	}
	return fmt.Errorf("PostgreSQL %s: %w", where, err)
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// ID and Epoch name the server and its database.
func (s *Store) ID() string    { return s.serverID }
func (s *Store) Epoch() string { return s.epoch }

// Ping checks that the database answers (/healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return connectError(s.where, err)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
