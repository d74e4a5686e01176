// Package store is the SQL that the SQLite and PostgreSQL stores share:
// both speak it through database/sql with $n placeholders and
// INSERT … ON CONFLICT, and differ only where their Dialect says.
// store/sqlite and store/postgres open the database and bring the rest.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ecoindustry/internal/registry"
)

// Dialect is what differs between the databases behind the shared SQL.
type Dialect struct {
	Name string
	// NameMatch is the condition on table alias e selecting enterprises
	// whose name contains q; arg adds a value and returns its placeholder.
	NameMatch func(q string, arg func(any) string) string
	// Retry reports whether a failed transaction may be run again
	// (SQLite's busy database, PostgreSQL's serialization failure).
	Retry func(err error) bool
}

// DB is a store over one database.
type DB struct {
	db *sql.DB
	d  Dialect
	reader
}

// New returns a store over an open database whose schema is migrated.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, d: d, reader: reader{q: db, d: d}}
}

// SQL returns the underlying database.
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// querier is what a *sql.DB and a *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs fn in a transaction, committing if it returns nil and running it
// again, a few times, where the dialect says the failure was contention.
func (s *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 20 * time.Millisecond):
			}
		}
		err = s.tx(ctx, fn)
		if err == nil || s.d.Retry == nil || !s.d.Retry(err) {
			return err
		}
	}
	return err
}

func (s *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name, err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name, err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Update implements registry.Store.
func (s *DB) Update(ctx context.Context, fn func(registry.Tx) error) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		return fn(&registryTx{reader: reader{q: tx, d: s.d}, tx: tx, stmts: map[string]*sql.Stmt{}})
	})
}
