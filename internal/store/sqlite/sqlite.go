// Package sqlite is the embedded store: one SQLite file (modernc.org/sqlite,
// no cgo) in WAL mode, running the shared SQL of package store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ecoindustry/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database's name inside a data directory.
const FileName = "ecoind.db"

// Dialect is SQLite's side of the shared SQL.
var Dialect = store.Dialect{
	Name: "sqlite",
	NameMatch: func(q string, arg func(any) string) string {
		// The trigram index answers a phrase of three characters or more;
		// a shorter one is a LIKE over the name index. (LIKE on the FTS
		// table would not use its index once it has an ESCAPE clause.)
		if utf8.RuneCountInString(q) < 3 {
			return `e.name LIKE ` + arg("%"+store.EscapeLike(q)+"%") + ` ESCAPE '\'`
		}
		return `e.rowid IN (SELECT rowid FROM enterprise_names WHERE enterprise_names MATCH ` + arg(`"`+strings.ReplaceAll(q, `"`, `""`)+`"`) + `)`
	},
	Retry: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
	},
}

// OpenDir opens (creating it if need be) the database in data directory dir
// and brings its schema up to date.
func OpenDir(ctx context.Context, dir string) (*store.DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	return Open(ctx, filepath.Join(dir, FileName))
}

// Open opens the database file at path and brings its schema up to date.
func Open(ctx context.Context, path string) (*store.DB, error) {
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"busy_timeout(10000)",
		// FULL: a commit is on disk when it returns, which the ingestion
		// server's acknowledgements rely on.
		"synchronous(FULL)",
		// A 100,000-row import touches five indexes at random places: a
		// cache that holds them keeps the transaction from spilling pages
		// to the log before it commits (negative: KiB).
		"cache_size(-131072)",
		"temp_store(MEMORY)",
	} {
		q.Add("_pragma", p)
	}
	// Transactions here only write; taking the write lock at BEGIN avoids
	// the deadlock of two readers upgrading at once.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := store.New(db, Dialect)
	if err := s.Migrate(ctx, migrations, "migrations"); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
