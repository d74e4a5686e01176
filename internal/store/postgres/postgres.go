// Package postgres is the store for more than one machine: PostgreSQL 15
// with PostGIS, through pgx, running the shared SQL of package store and
// writing large batches with COPY.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"ecoindustry/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the embedded migration files, for tools that build on them.
var Migrations fs.FS = migrations

// Dialect is PostgreSQL's side of the shared SQL.
var Dialect = store.Dialect{
	Name:   "postgres",
	Begin:  "BEGIN",
	Insert: "INSERT",
	NameMatch: func(q string, arg func(any) string) string {
		// pg_trgm's GIN index serves LIKE and ILIKE. ILIKE matches SQLite's
		// case-insensitive search for Latin letters; without them (most
		// Chinese names) LIKE gives the same answer at a third of the cost.
		op := "LIKE"
		if strings.IndexFunc(q, unicode.IsLetter) >= 0 && strings.ToLower(q) != strings.ToUpper(q) {
			op = "ILIKE"
		}
		return `e.name ` + op + ` ` + arg("%"+store.EscapeLike(q)+"%") + ` ESCAPE '\'`
	},
	Near: func(lon, lat, r float64, arg func(any) string) string {
		// use_spheroid = false: the sphere that geo.Distance uses on SQLite.
		return `ST_DWithin(e.geom, ST_SetSRID(ST_MakePoint(` + arg(lon) + `, ` + arg(lat) + `), 4326)::geography, ` + arg(r) + `, false)`
	},
	WithinPark: func(code string) string {
		return `EXISTS (SELECT 1 FROM parks p WHERE p.code = ` + code + ` AND ST_Covers(p.area, e.geom::geometry))`
	},
	Time: func(t time.Time) any { return t.UTC() },
	FrameIDs: func(ctx context.Context, c *store.Conn, n int) ([]int64, error) {
		rows, err := c.QueryContext(ctx, `SELECT nextval('frames_id_seq') FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		ids := make([]int64, 0, n)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	},
	Least:    "LEAST",
	Greatest: "GREATEST",
	Param:    func(i int) string { return "$" + strconv.Itoa(i) },
	Retry: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
	},
	Bulk: bulk,
}

// sessionDefaults are set on every connection unless the connection string
// sets them. The API's queries are short, and over 100,000 enterprises
// (docs/benchmarks.md):
//   - starting a parallel worker cost more than it saved (a distance query:
//     97 ms with one worker, 10 ms without);
//   - PostGIS's cost estimates pass jit_above_cost, and compiling took
//     8 to 70 ms of a query that runs in 8;
//   - a generic plan for a prepared LIKE or distance query cannot see the
//     pattern or the point, and pgx prepares every query it sends.
var sessionDefaults = map[string]string{
	"application_name":                "ecoind",
	"max_parallel_workers_per_gather": "0",
	"jit":                             "off",
	"plan_cache_mode":                 "force_custom_plan",
}

// Open connects to the database at url (postgres://…), checks that it
// answers, and brings its schema up to date. maxConns caps the pool (0: the
// default of 4 per core).
func Open(ctx context.Context, dsn string, maxConns int) (*store.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection string: %w", err)
	}
	for k, v := range sessionDefaults {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	db := stdlib.OpenDB(*cfg)
	if maxConns > 0 {
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: cannot connect to %s:%d database %s as %s: %w", cfg.Host, cfg.Port, cfg.Database, cfg.User, err)
	}
	s := store.New(db, Dialect)
	if err := s.Migrate(ctx, migrations, "migrations"); err != nil {
		db.Close()
		return nil, err
	}
	if err := EnsurePartitions(ctx, s, time.Now()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// bulk writes rows into t with COPY: straight into an append-only table,
// or into a temporary copy of an upserted one and from there with one
// INSERT … ON CONFLICT.
func bulk(ctx context.Context, c *sql.Conn, t *store.Table, rows [][]any) error {
	return c.Raw(func(dc any) error {
		conn := dc.(*stdlib.Conn).Conn()
		if len(t.Key) == 0 {
			_, err := conn.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Cols, pgx.CopyFromRows(rows))
			return err
		}
		tmp := "bulk_" + t.Name
		cols := strings.Join(t.Cols, ", ")
		if _, err := conn.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+tmp+` AS SELECT `+cols+` FROM `+t.Name+` WITH NO DATA`); err != nil {
			return err
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{tmp}, t.Cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `INSERT INTO `+t.Name+` (`+cols+`) SELECT `+cols+` FROM `+tmp+
			` ON CONFLICT (`+strings.Join(t.Key, ", ")+`)`+t.UpdateSet()); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, `TRUNCATE `+tmp)
		return err
	})
}
