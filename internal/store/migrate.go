package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/registry"
)

// Migrate applies the migrations in dir of fsys that the database lacks,
// each in its own transaction, recording each in schema_migrations. Files
// are named NNNN_title.sql; the number is the schema version, the same for
// every dialect. A database whose version is newer than the newest file was
// written by a newer binary: Migrate refuses it rather than guess.
func (s *DB) Migrate(ctx context.Context, fsys fs.FS, dir string) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("%s: migrate: %w", s.d.Name, err)
	}
	files, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := 0
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(path.Base(f), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("%s: migration %s: name must start with its version number", s.d.Name, f)
		}
		latest = v
		if v <= current {
			continue
		}
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		err = s.Tx(ctx, func(c *Conn) error {
			if err := c.Script(ctx, string(body)); err != nil {
				return err
			}
			_, err := c.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: migration %s failed, schema left at version %d: %w", s.d.Name, path.Base(f), current, err)
		}
		current = v
	}
	if current > latest {
		return apperr.Newf(apperr.Invalid,
			"the database schema is at version %d, newer than this binary knows (%d): upgrade ecoind",
			"数据库结构版本为 %d，高于本程序支持的版本 %d：请升级 ecoind", current, latest)
	}
	return s.seedUnits(ctx)
}

// SchemaVersion returns the newest migration applied, 0 for none.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: schema version: %w", s.d.Name, err)
	}
	return int(v.Int64), nil
}

// seedUnits adds Lishui's administrative units where they are missing.
func (s *DB) seedUnits(ctx context.Context) error {
	return s.Tx(ctx, func(c *Conn) error {
		for _, u := range registry.LishuiUnits {
			_, err := c.ExecContext(ctx, `INSERT INTO admin_units (code, name, name_en, level, parent, area_km2, population)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING`,
				u.Code, u.Name, u.NameEn, u.Level, u.Parent, u.AreaKm2, u.Population)
			if err != nil {
				return fmt.Errorf("%s: seed units: %w", s.d.Name, err)
			}
		}
		return nil
	})
}
