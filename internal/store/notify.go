package store

import (
	"context"
	"database/sql"
	"time"

	"ecoindustry/internal/notify"
)

// Watches implements notify.Store: by user, in the order added.
func (r reader) Watches(ctx context.Context, user string) ([]notify.Watch, error) {
	q, args := `SELECT id, user_name, kind, value, created_at FROM watches`, []any{}
	if user != "" {
		q, args = q+` WHERE user_name = $1`, append(args, user)
	}
	return list(ctx, r, "watches", q+` ORDER BY user_name, id`, args, func(rows *sql.Rows, w *notify.Watch) error {
		var at string
		err := rows.Scan(&w.ID, &w.User, &w.Kind, &w.Value, &at)
		w.CreatedAt, _ = time.Parse(time.RFC3339, at)
		return err
	})
}

// AddWatch implements notify.Store: the unique key keeps an item once a list.
func (s *DB) AddWatch(ctx context.Context, w notify.Watch) (notify.Watch, error) {
	n, err := s.exec(ctx, "add watch", `INSERT INTO watches (user_name, kind, value, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_name, kind, value) DO NOTHING`, w.User, w.Kind, w.Value, w.CreatedAt.UTC().Format(time.RFC3339))
	if err != nil {
		return w, err
	}
	if n == 0 {
		return w, notify.ErrWatched
	}
	err = scanOne(ctx, s.reader.q, `SELECT id FROM watches WHERE user_name = $1 AND kind = $2 AND value = $3`, []any{w.User, w.Kind, w.Value}, &w.ID)
	return w, s.wrap("add watch", err)
}

// DeleteWatch implements notify.Store.
func (s *DB) DeleteWatch(ctx context.Context, user string, id int64) (bool, error) {
	n, err := s.exec(ctx, "delete watch", `DELETE FROM watches WHERE user_name = $1 AND id = $2`, user, id)
	return n == 1, err
}

// WatchMail implements notify.Store.
func (r reader) WatchMail(ctx context.Context, user string) (string, error) {
	var email string
	err := scanOne(ctx, r.q, `SELECT email FROM watch_mail WHERE user_name = $1`, []any{user}, &email)
	return email, r.wrap("watch mail", err)
}

// SetWatchMail implements notify.Store.
func (s *DB) SetWatchMail(ctx context.Context, user, email string) error {
	_, err := s.exec(ctx, "set watch mail", `INSERT INTO watch_mail (user_name, email) VALUES ($1, $2)
		ON CONFLICT (user_name) DO UPDATE SET email = excluded.email`, user, email)
	return err
}

// ClaimDigest implements notify.Store: the day's row, inserted by one process.
func (s *DB) ClaimDigest(ctx context.Context, day, by string, at time.Time) (bool, error) {
	n, err := s.exec(ctx, "claim digest", `INSERT INTO digests (day, claimed_by, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING`,
		day, by, at.UTC().Format(time.RFC3339))
	return n == 1, err
}

// FinishDigest implements notify.Store.
func (s *DB) FinishDigest(ctx context.Context, day, report string) error {
	_, err := s.exec(ctx, "finish digest", `UPDATE digests SET report = $1 WHERE day = $2`, report, day)
	return err
}

var _ notify.Store = (*DB)(nil)
