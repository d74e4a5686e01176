// Package sqlite is the embedded store: one SQLite file (modernc.org/sqlite,
// no cgo) in WAL mode, running the shared SQL of package store.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ecoindustry/internal/geo"
	"ecoindustry/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the embedded migration files.
var Migrations fs.FS = migrations

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
	Near: func(lon, lat, r float64, arg func(any) string) string {
		// The box narrows the search through the coordinates; geo_distance,
		// the same haversine as PostGIS's sphere, decides.
		b := geo.Around(lon, lat, r)
		return `e.lat BETWEEN ` + arg(b.MinLat) + ` AND ` + arg(b.MaxLat) + ` AND e.lon BETWEEN ` + arg(b.MinLon) + ` AND ` + arg(b.MaxLon) +
			` AND e.lon <> 0 AND geo_distance(e.lon, e.lat, ` + arg(lon) + `, ` + arg(lat) + `) <= ` + arg(r)
	},
	WithinPark: func(code string) string {
		return `EXISTS (SELECT 1 FROM parks p WHERE p.code = ` + code + ` AND p.boundary <> ''
			AND e.lat BETWEEN p.min_lat AND p.max_lat AND e.lon BETWEEN p.min_lon AND p.max_lon
			AND geo_within(e.lon, e.lat, p.boundary))`
	},
	Begin: "BEGIN IMMEDIATE",
	// OR FAIL: a statement of many rows that fails keeps the rows it
	// wrote, which the transaction around it, rolled back, discards; with
	// the default (ABORT) SQLite copies every page the statement changes
	// into a statement journal first, so that the statement alone can be
	// undone: a tenth of the frame writer's time (decision 0009).
	Insert: "INSERT OR FAIL",
	// FrameIDs nil: SQLite numbers the frames itself, each the largest id
	// plus one, as BEGIN IMMEDIATE makes the transaction the only writer.
	// An id given explicitly would have to be checked to be an integer,
	// and a check that may fail needs the statement journal too.
	Least:    "MIN",
	Greatest: "MAX",
	// Anonymous parameters: the driver looks a named one ($n) up in a
	// list, which made a 128-row INSERT cost three times its rows.
	Param: func(int) string { return "?" },
	// Fixed width, so that text order is time order.
	Time: func(t time.Time) any { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") },
	Retry: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
	},
}

// The geometry that PostGIS gives PostgreSQL, as SQL functions in Go.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("geo_distance", 4, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		f, err := numbers("geo_distance", args)
		if err != nil {
			return nil, err
		}
		return geo.Distance(f[0], f[1], f[2], f[3]), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("geo_within", 3, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		f, err := numbers("geo_within", args[:2])
		if err != nil {
			return nil, err
		}
		boundary, _ := args[2].(string)
		sh, err := shapes.get(boundary)
		if err != nil {
			return nil, fmt.Errorf("geo_within: %w", err)
		}
		return sh.Contains(f[0], f[1]), nil
	})
}

func numbers(fn string, args []driver.Value) ([]float64, error) {
	f := make([]float64, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case float64:
			f[i] = v
		case int64:
			f[i] = float64(v)
		default:
			return nil, fmt.Errorf("%s: argument %d is %T, not a number", fn, i+1, a)
		}
	}
	return f, nil
}

// shapes keeps parsed boundaries: a query tests thousands of points
// against the same few.
var shapes = &shapeCache{m: map[string]*geo.Shape{}}

type shapeCache struct {
	mu sync.Mutex
	m  map[string]*geo.Shape
}

func (c *shapeCache) get(s string) (*geo.Shape, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sh, ok := c.m[s]; ok {
		return sh, nil
	}
	sh, err := geo.ParseShape(s)
	if err != nil {
		return nil, err
	}
	if len(c.m) >= 256 {
		clear(c.m)
	}
	c.m[s] = sh
	return sh, nil
}

// busyTimeout is how long a connection waits for a lock.
const busyTimeout = 10 * time.Second

// checkpointEvery is how often checkpointer copies the log into the
// database file.
const checkpointEvery = 500 * time.Millisecond

// restartPages is the log size (in pages of 4 KiB: 64 MiB) from which
// checkpointer has the log start again.
const restartPages = 16384

// checkpointer copies what the write-ahead log holds into the database
// file, beside the writes: done by the writing connection, as SQLite does
// by default after each commit that leaves the log over 1,000 pages, a
// checkpoint (with its fsync of the database file) made the commit that
// triggered it, and with it the acknowledgement of thousands of frames,
// wait. PASSIVE waits for no one, but under a steady stream of commits it
// rarely copies the whole log, and only a whole copy lets the next write
// start the log from its beginning: the log grew by a gigabyte a minute
// at full load. From restartPages on, a RESTART checkpoint copies the rest
// and makes the log start again. It runs on the writing connection (w),
// between two of its transactions: run on another, it had to wait for the
// writer's lock, which batches of 0.5 s and more, back to back, never left
// free for long enough, and the log grew to gigabytes again.
func checkpointer(db, w *sql.DB, stop, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			var busy, pages, copied int
			if err := db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &pages, &copied); err == nil && pages >= restartPages {
				restart(w)
			}
		}
	}
}

// restartWait is how long a RESTART checkpoint waits for the readers of
// the log. The writes wait meanwhile: with the connections' 10 s, one that
// found a long read (a roll's, an export's) held every frame's answer for
// seconds, the end-to-end p99. It gives up and is tried again at the next
// tick instead.
const restartWait = 100 * time.Millisecond

func restart(w *sql.DB) {
	ctx := context.Background()
	c, err := w.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())); err != nil {
		return
	}
	c.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
	c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds()))
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
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		// FULL: a commit is on disk when it returns, which the ingestion
		// server's acknowledgements rely on.
		"synchronous(FULL)",
		// A 100,000-row import touches five indexes at random places: a
		// cache that holds them keeps the transaction from spilling pages
		// to the log before it commits (negative: KiB).
		"cache_size(-131072)",
		"temp_store(MEMORY)",
		// Reads through a memory map of the file: after another connection
		// writes, SQLite drops a connection's page cache, and refilling it
		// page by page (a malloc and a read each) made screening the
		// registry 2.1 s instead of 0.8 s.
		"mmap_size(1073741824)",
	} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	// Writes go through one connection that stays open (see store.NewSplit);
	// reads through a pool of their own, which WAL lets run beside it. The
	// writing connection leaves checkpoints to checkpointer.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	s := store.NewSplit(db, w, Dialect)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go checkpointer(db, w, stop, stopped)
	s.OnClose(func() { close(stop); <-stopped })
	if err := s.Migrate(ctx, migrations, "migrations"); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
