// Package store is the SQL that the SQLite and PostgreSQL stores share:
// both speak it through database/sql with $n placeholders and
// INSERT … ON CONFLICT, and differ only where their Dialect says.
// store/sqlite and store/postgres open the database and bring the rest.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Dialect is what differs between the databases behind the shared SQL.
type Dialect struct {
	Name string
	// Begin starts a transaction that will write.
	Begin string
	// Insert begins the generated INSERT statements of Conn.Put.
	Insert string
	// NameMatch is the condition on table alias e selecting enterprises
	// whose name contains q; arg adds a value and returns its placeholder.
	NameMatch func(q string, arg func(any) string) string
	// Near is the condition on alias e selecting enterprises within r
	// metres of (lon, lat).
	Near func(lon, lat, r float64, arg func(any) string) string
	// WithinPark is the condition on alias e selecting enterprises inside
	// the boundary of the park whose code is in placeholder code.
	WithinPark func(code string) string
	// Time is how a timestamp is passed to the database.
	Time func(time.Time) any
	// Retry reports whether a failed transaction may be run again
	// (SQLite's busy database, PostgreSQL's serialization failure).
	Retry func(err error) bool
	// Bulk writes many rows of one table at once (COPY on PostgreSQL);
	// nil writes them one prepared statement at a time.
	Bulk func(ctx context.Context, c *sql.Conn, t *Table, rows [][]any) error
	// FrameIDs reserves n new frame ids in transaction c; nil: the
	// database numbers the frames of a batch in the order they are written.
	FrameIDs func(ctx context.Context, c *Conn, n int) ([]int64, error)
	// Least and Greatest name the two-argument minimum and maximum.
	Least, Greatest string
	// Param is the placeholder of the i-th (from 1) argument of a
	// generated statement.
	Param func(i int) string
}

// bulkMin is the batch size from which Bulk pays for its set-up.
const bulkMin = 64

// DB is a store over one database.
type DB struct {
	db *sql.DB
	w  *sql.DB // transactions; db where not split
	d  Dialect

	onClose []func()
	newest  newest // of the frames, where the database numbers them
	loggers outletLoggers
	reader
}

// New returns a store over an open database, which reads and writes.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, w: db, d: d, reader: reader{q: plain{db}, d: d}}
}

// NewSplit returns a store that reads through db and writes through w.
// SQLite has one writer at a time: a pool of one connection for writes
// keeps that connection, and its page cache, warm from one transaction
// to the next, where a shared pool would hand writes to whichever
// connection is free and make it read the B-trees again.
func NewSplit(db, w *sql.DB, d Dialect) *DB {
	return &DB{db: db, w: w, d: d, reader: reader{q: plain{db}, d: d}}
}

// SQL returns the underlying database (the reading one where split).
func (s *DB) SQL() *sql.DB { return s.db }

// Dialect returns the store's dialect.
func (s *DB) Dialect() Dialect { return s.d }

// OnClose has f run when the store closes, before the database does.
func (s *DB) OnClose(f func()) { s.onClose = append(s.onClose, f) }

// Close closes the database.
func (s *DB) Close() error {
	for _, f := range s.onClose {
		f()
	}
	if s.w != s.db {
		s.w.Close()
	}
	return s.db.Close()
}

// querier is what reads need.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// plain reads from the database outside any transaction.
type plain struct{ db *sql.DB }

func (p plain) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.db.QueryContext(ctx, query, args...)
}

// Table describes a table for the buffered writes of a transaction.
type Table struct {
	Name string
	Cols []string
	Key  []string // the conflict target of an upsert; none: append only
}

// upsert is the statement that writes n rows of t.
func (t *Table) upsert(n int, insert string, param func(int) string) string {
	var b strings.Builder
	b.WriteString(insert + " INTO " + t.Name + " (" + strings.Join(t.Cols, ", ") + ") VALUES ")
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range t.Cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(param(r*len(t.Cols) + i + 1))
		}
		b.WriteByte(')')
	}
	if len(t.Key) > 0 {
		b.WriteString(" ON CONFLICT (" + strings.Join(t.Key, ", ") + ")" + t.UpdateSet())
	}
	return b.String()
}

// rowsPerStatement is how many rows one INSERT carries in a batch: a
// statement's fixed cost (binding, stepping, the driver's bookkeeping) is
// most of a row's on SQLite, and this divides it. SQLite allows 32,766
// parameters in a statement.
const rowsPerStatement = 128

// UpdateSet is the DO UPDATE clause of an upsert of t.
func (t *Table) UpdateSet() string {
	var set []string
	for _, c := range t.Cols {
		if !contains(t.Key, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	if len(set) == 0 {
		return " DO NOTHING"
	}
	return " DO UPDATE SET " + strings.Join(set, ", ")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// keyOf returns the values of t's key in row, joined.
func (t *Table) keyOf(row []any) string {
	var b strings.Builder
	for i, c := range t.Cols {
		if contains(t.Key, c) {
			fmt.Fprintf(&b, "%v\x00", row[i])
		}
	}
	return b.String()
}

// Conn is one transaction on one connection. Writes are buffered and sent
// in batches, in order, before any read and before the commit: an import's
// hundred thousand upserts become a few COPYs on PostgreSQL.
type Conn struct {
	c       *sql.Conn
	d       Dialect
	stmts   map[string]*sql.Stmt
	pending []write
}

type write struct {
	t   *Table
	row []any
}

// Put buffers a write of row into t.
func (c *Conn) Put(t *Table, row []any) { c.pending = append(c.pending, write{t, row}) }

// Flush sends the buffered writes: consecutive rows of one table go as
// one batch, cut where a key repeats so that a batch never touches a row
// twice and later writes still see earlier ones.
func (c *Conn) Flush(ctx context.Context) error {
	for len(c.pending) > 0 {
		t := c.pending[0].t
		seen := map[string]bool{}
		n := 0
		for n < len(c.pending) && c.pending[n].t == t {
			if len(t.Key) > 0 {
				k := t.keyOf(c.pending[n].row)
				if seen[k] {
					break
				}
				seen[k] = true
			}
			n++
		}
		batch := c.pending[:n]
		c.pending = c.pending[n:]
		if err := c.writeBatch(ctx, t, batch); err != nil {
			c.pending = nil
			return err
		}
	}
	c.pending = nil
	return nil
}

func (c *Conn) writeBatch(ctx context.Context, t *Table, batch []write) error {
	if c.d.Bulk != nil && len(batch) >= bulkMin {
		rows := make([][]any, len(batch))
		for i, w := range batch {
			rows[i] = w.row
		}
		if err := c.d.Bulk(ctx, c.c, t, rows); err != nil {
			return fmt.Errorf("%s: write %d rows to %s: %w", c.d.Name, len(rows), t.Name, err)
		}
		return nil
	}
	per := min(rowsPerStatement, 32766/len(t.Cols))
	args := make([]any, 0, per*len(t.Cols))
	for len(batch) > 0 {
		n := per
		if len(batch) < per {
			n = 1 // the rest one by one: one statement shape per table, not one per size
		}
		args = args[:0]
		for _, w := range batch[:n] {
			args = append(args, w.row...)
		}
		if _, err := c.exec(ctx, t.upsert(n, c.d.Insert, c.d.Param), args...); err != nil {
			return fmt.Errorf("%s: write %s: %w", c.d.Name, t.Name, err)
		}
		batch = batch[n:]
	}
	return nil
}

// exec runs a statement, prepared once per transaction.
func (c *Conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// ExecContext runs a statement after the buffered writes.
func (c *Conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.Flush(ctx); err != nil {
		return nil, err
	}
	return c.exec(ctx, query, args...)
}

// Script runs statements that are not to be prepared (a migration file).
func (c *Conn) Script(ctx context.Context, sql string) error {
	if err := c.Flush(ctx); err != nil {
		return err
	}
	_, err := c.c.ExecContext(ctx, sql)
	return err
}

// QueryContext reads after the buffered writes, so that a transaction
// sees what it wrote; like writes, a query is prepared once per transaction.
func (c *Conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.Flush(ctx); err != nil {
		return nil, err
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *Conn) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// Raw runs fn with the driver's connection, after the buffered writes.
func (c *Conn) Raw(ctx context.Context, fn func(driverConn any) error) error {
	if err := c.Flush(ctx); err != nil {
		return err
	}
	return c.c.Raw(fn)
}

// Tx runs fn in a transaction, committing if it returns nil and running it
// again, a few times, where the dialect says the failure was contention.
func (s *DB) Tx(ctx context.Context, fn func(c *Conn) error) error {
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

// tx runs one transaction on a connection of its own, with explicit BEGIN
// and COMMIT so that the driver's connection (for COPY) is the
// transaction's.
func (s *DB) tx(ctx context.Context, fn func(c *Conn) error) error {
	sc, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("%s: connect: %w", s.d.Name, err)
	}
	defer sc.Close()
	if _, err := sc.ExecContext(ctx, s.d.Begin); err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name, err)
	}
	c := &Conn{c: sc, d: s.d, stmts: map[string]*sql.Stmt{}}
	// The statements close before the transaction ends: a connection
	// discarded below (a cancelled commit) must not have statements left
	// to finalize, which crashes SQLite's driver.
	closeStmts := func() {
		for _, st := range c.stmts {
			st.Close()
		}
		c.stmts = nil
	}
	defer closeStmts()
	err = fn(c)
	if err == nil {
		err = c.Flush(ctx)
	}
	closeStmts()
	if err != nil {
		// A rollback on a fresh context: the caller's may be what ended.
		if _, rerr := sc.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			discard(sc)
		}
		return err
	}
	if _, err := sc.ExecContext(ctx, "COMMIT"); err != nil {
		discard(sc)
		return fmt.Errorf("%s: commit: %w", s.d.Name, err)
	}
	return nil
}

// discard makes database/sql close a connection whose transaction state is
// unknown rather than hand it to the next caller: Raw returning
// driver.ErrBadConn does that.
func discard(sc *sql.Conn) {
	sc.Raw(func(any) error { return driver.ErrBadConn })
}
