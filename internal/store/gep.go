package store

import (
	"context"
	"database/sql"
	"time"

	"ecoindustry/internal/gep"
)

// AddGEPRun implements gep.Store.
func (s *DB) AddGEPRun(ctx context.Context, r gep.StoredRun) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, `INSERT INTO gep_runs (at, actor, name, year, status, progress, config)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			r.At.UTC().Format(time.RFC3339), r.Actor, r.Name, r.Year, r.Status, r.Progress, r.Config)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			err = rows.Scan(&id)
		}
		if err == nil {
			err = rows.Err()
		}
		return err
	})
	return id, s.reader.wrap("add gep run", err)
}

// UpdateGEPRun implements gep.Store.
func (s *DB) UpdateGEPRun(ctx context.Context, r gep.StoredRun) error {
	finished := ""
	if !r.Finished.IsZero() {
		finished = r.Finished.UTC().Format(time.RFC3339)
	}
	err := s.Tx(ctx, func(c *Conn) error {
		_, err := c.ExecContext(ctx, `UPDATE gep_runs SET status = $1, progress = $2, provenance = $3, account = $4, error = $5, error_zh = $6, finished = $7
			WHERE id = $8`, r.Status, r.Progress, string(r.Provenance), string(r.Account), r.Error, r.ErrorZh, finished, r.ID)
		return err
	})
	return s.reader.wrap("update gep run", err)
}

const gepRunColumns = `id, at, actor, name, year, status, progress, error, error_zh, finished`

func scanGEPRun(rows *sql.Rows, r *gep.StoredRun, more ...any) error {
	var at, finished string
	if err := rows.Scan(append([]any{&r.ID, &at, &r.Actor, &r.Name, &r.Year, &r.Status, &r.Progress, &r.Error, &r.ErrorZh, &finished}, more...)...); err != nil {
		return err
	}
	var err error
	if r.At, err = time.Parse(time.RFC3339, at); err == nil && finished != "" {
		r.Finished, err = time.Parse(time.RFC3339, finished)
	}
	return err
}

// GEPRun implements gep.Store.
func (r reader) GEPRun(ctx context.Context, id int64) (gep.StoredRun, error) {
	var run gep.StoredRun
	rows, err := r.q.QueryContext(ctx, `SELECT `+gepRunColumns+`, config, provenance, account FROM gep_runs WHERE id = $1`, id)
	if err != nil {
		return run, r.wrap("gep run", err)
	}
	defer rows.Close()
	if rows.Next() {
		var prov, acc string
		if err = scanGEPRun(rows, &run, &run.Config, &prov, &acc); err == nil {
			run.Provenance, run.Account = []byte(prov), []byte(acc)
		}
	}
	if err == nil {
		err = rows.Err()
	}
	return run, r.wrap("gep run", err)
}

// GEPRuns implements gep.Store.
func (r reader) GEPRuns(ctx context.Context, limit int) ([]gep.StoredRun, error) {
	return list(ctx, r, "gep runs", `SELECT `+gepRunColumns+` FROM gep_runs ORDER BY id DESC LIMIT $1`, []any{limit},
		func(rows *sql.Rows, run *gep.StoredRun) error { return scanGEPRun(rows, run) })
}
