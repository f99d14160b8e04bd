package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema's migrations are the files migrations/NNNN_name.sql, run in order, each in
// one transaction with the version it brings: PostgreSQL's DDL is transactional, so a
// migration interrupted halfway leaves the database as it was before it.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one step of the schema.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations are the binary's schema steps, in order.
func Migrations() ([]Migration, error) { return loadMigrations(migrationFiles) }

func loadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for i, n := range names {
		base := path.Base(n)
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want %04d_name.sql", base, i+1)
		}
		sql, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(sql)})
	}
	return out, nil
}

// Program is what doorstep_meta says the database belongs to.
const Program = "doorstep-server"

// migrateLock is the session-level advisory lock under which one server at a time
// looks at and migrates the schema ("doorstep" in ASCII).
const migrateLock int64 = 0x646f6f7273746570

// ErrNewerSchema is a database migrated by a newer doorstep-server than this one.
type ErrNewerSchema struct{ Have, Know int }

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("the database has schema version %d, newer than this doorstep-server knows (%d): run the newer doorstep-server, or restore a backup taken before the upgrade — this one will not touch it", e.Have, e.Know)
}

// ErrForeignDatabase is a database that holds another program's tables.
type ErrForeignDatabase struct{ Tables []string }

func (e *ErrForeignDatabase) Error() string {
	return fmt.Sprintf("the database holds tables that are not doorstep-server's (%s): give doorstep-server an empty database of its own (CREATE DATABASE doorstep); nothing was changed", strings.Join(e.Tables, ", "))
}

// ErrMigration is a migration that failed; the database stays at From.
type ErrMigration struct {
	From int
	Step Migration
	Err  error
}

func (e *ErrMigration) Error() string {
	return fmt.Sprintf("schema migration %d (%s) failed, the database is unchanged at version %d: %v", e.Step.Version, e.Step.Name, e.From, e.Err)
}

func (e *ErrMigration) Unwrap() error { return e.Err }

// migrate brings the database to the last of ms, under the advisory lock, and returns
// its version before.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []Migration) (int, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return 0, fmt.Errorf("wait for the schema lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)

	have, err := schemaVersion(ctx, conn.Conn())
	if err != nil {
		return 0, err
	}
	if have > len(ms) {
		return have, &ErrNewerSchema{Have: have, Know: len(ms)}
	}
	for _, m := range ms[have:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO doorstep_meta (key, value) VALUES ('program', $1), ('schema_version', $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, Program, strconv.Itoa(m.Version))
			return err
		})
		if err != nil {
			return have, &ErrMigration{From: have, Step: m, Err: err}
		}
	}
	return have, nil
}

// schemaVersion is 0 for an empty database, the version for ours, and an error for one
// that is another program's.
func schemaVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var meta bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('doorstep_meta') IS NOT NULL").Scan(&meta); err != nil {
		return 0, fmt.Errorf("read the schema: %w", err)
	}
	if !meta {
		rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() ORDER BY table_name LIMIT 6`)
		if err != nil {
			return 0, fmt.Errorf("read the schema: %w", err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return 0, fmt.Errorf("read the schema: %w", err)
		}
		if len(tables) > 0 {
			if len(tables) > 5 {
				tables = append(tables[:5], "…")
			}
			return 0, &ErrForeignDatabase{Tables: tables}
		}
		return 0, nil
	}
	var program, version string
	err := conn.QueryRow(ctx, `SELECT coalesce((SELECT value FROM doorstep_meta WHERE key = 'program'), ''),
		coalesce((SELECT value FROM doorstep_meta WHERE key = 'schema_version'), '')`).Scan(&program, &version)
	if err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	v, err := strconv.Atoi(version)
	if program != Program || err != nil {
		return 0, &ErrForeignDatabase{Tables: []string{"doorstep_meta (program " + strconv.Quote(program) + ")"}}
	}
	return v, nil
}
