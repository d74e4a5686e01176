package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

var _ auth.Store = (*DB)(nil)

const accountColumns = `u.name, u.display, u.role, u.bureau, u.county, u.park, u.uscc, u.disabled, u.locked_until,
	u.created_at, u.created_by, u.updated_at, u.updated_by, u.lang`

// accountRow scans an account's columns, then more.
type accountRow struct {
	a                        auth.Account
	locked, created, updated timestamp
}

func (r *accountRow) dest(more ...any) []any {
	a := &r.a
	return append([]any{&a.Name, &a.Display, &a.Role, &a.Bureau, &a.Scope.County, &a.Scope.Park, &a.Scope.USCC, &a.Disabled,
		&r.locked, &r.created, &a.CreatedBy, &r.updated, &a.UpdatedBy, &a.Lang}, more...)
}

func (r *accountRow) account() auth.Account {
	r.a.LockedUntil, r.a.CreatedAt, r.a.UpdatedAt = orNever(r.locked.Time), r.created.Time, r.updated.Time
	return r.a
}

// orNever returns t, or the zero time for the year-1 time that the
// columns keep for "never".
func orNever(t time.Time) time.Time {
	if t.UTC().Year() <= 1 {
		return time.Time{}
	}
	return t
}

// exec runs one statement in a transaction of its own and returns the rows it touched.
func (s *DB) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(c *Conn) error {
		res, err := c.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, s.wrap(op, err)
}

func noAccount(name string) error {
	return apperr.Newf(apperr.NotFound, "no account %q", "没有此账户：%q", name)
}

func (s *DB) AddAccount(ctx context.Context, a auth.Account, hash string) error {
	never := s.d.Time(time.Time{})
	n, err := s.exec(ctx, "add account", `INSERT INTO users (name, display, role, bureau, county, park, uscc, password, disabled,
		failures, failed_since, locked_until, created_at, created_by, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11, $12, $13, $14) ON CONFLICT (name) DO NOTHING`,
		a.Name, a.Display, string(a.Role), string(a.Bureau), a.Scope.County, a.Scope.Park, a.Scope.USCC, hash, a.Disabled,
		never, s.d.Time(a.CreatedAt), a.CreatedBy, s.d.Time(a.UpdatedAt), a.UpdatedBy)
	if err == nil && n == 0 {
		return apperr.Newf(apperr.Conflict, "account %q exists", "账户 %q 已存在", a.Name)
	}
	return err
}

func (s *DB) Account(ctx context.Context, name string) (auth.Account, string, error) {
	var r accountRow
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT `+accountColumns+`, u.password FROM users u WHERE u.name = $1`, name).Scan(r.dest(&hash)...)
	if err == sql.ErrNoRows {
		return auth.Account{}, "", noAccount(name)
	}
	if err != nil {
		return auth.Account{}, "", s.wrap("account", err)
	}
	return r.account(), hash, nil
}

func (s *DB) Accounts(ctx context.Context) ([]auth.Account, error) {
	rs, err := list(ctx, s.reader, "accounts", `SELECT `+accountColumns+` FROM users u ORDER BY u.name`, nil,
		func(rows *sql.Rows, r *accountRow) error { return rows.Scan(r.dest()...) })
	out := make([]auth.Account, len(rs))
	for i := range rs {
		out[i] = rs[i].account()
	}
	return out, err
}

func (s *DB) UpdateAccount(ctx context.Context, a auth.Account) error {
	n, err := s.exec(ctx, "update account", `UPDATE users SET display = $2, role = $3, bureau = $4, county = $5, park = $6, uscc = $7,
		disabled = $8, updated_at = $9, updated_by = $10 WHERE name = $1`,
		a.Name, a.Display, string(a.Role), string(a.Bureau), a.Scope.County, a.Scope.Park, a.Scope.USCC, a.Disabled, s.d.Time(a.UpdatedAt), a.UpdatedBy)
	if err == nil && n == 0 {
		return noAccount(a.Name)
	}
	return err
}

func (s *DB) SetLanguage(ctx context.Context, name, lang string) error {
	n, err := s.exec(ctx, "set language", `UPDATE users SET lang = $2 WHERE name = $1`, name, lang)
	if err == nil && n == 0 {
		return noAccount(name)
	}
	return err
}

func (s *DB) SetPassword(ctx context.Context, name, hash string, at time.Time, by string) error {
	n, err := s.exec(ctx, "set password", `UPDATE users SET password = $2, updated_at = $3, updated_by = $4 WHERE name = $1`,
		name, hash, s.d.Time(at), by)
	if err == nil && n == 0 {
		return noAccount(name)
	}
	return err
}

func (s *DB) LoginFailed(ctx context.Context, name string, at, windowStart time.Time) (int, error) {
	var n int
	err := s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, `UPDATE users SET
			failures = CASE WHEN failed_since > $2 THEN failures + 1 ELSE 1 END,
			failed_since = CASE WHEN failed_since > $2 THEN failed_since ELSE $3 END
			WHERE name = $1 RETURNING failures`, name, s.d.Time(windowStart), s.d.Time(at))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return n, s.wrap("login failed", err)
}

func (s *DB) Lock(ctx context.Context, name string, until time.Time) error {
	never := s.d.Time(time.Time{})
	_, err := s.exec(ctx, "lock", `UPDATE users SET locked_until = $2, failures = 0, failed_since = $3 WHERE name = $1`,
		name, s.d.Time(until), never)
	return err
}

func (s *DB) UnknownScope(ctx context.Context, sc auth.Scope) (string, error) {
	for _, q := range []struct{ what, v, query string }{
		{"county", sc.County, `SELECT COUNT(*) FROM admin_units WHERE code = $1 AND level <> 'city'`},
		{"park", sc.Park, `SELECT COUNT(*) FROM parks WHERE code = $1`},
		{"uscc", sc.USCC, `SELECT COUNT(*) FROM enterprises WHERE uscc = $1`},
	} {
		if q.v == "" {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, q.query, q.v).Scan(&n); err != nil {
			return "", s.wrap("scope", err)
		}
		if n == 0 {
			return q.what, nil
		}
	}
	return "", nil
}

func (s *DB) AddSession(ctx context.Context, ss auth.Session) error {
	_, err := s.exec(ctx, "add session", `INSERT INTO sessions (hash, user_name, csrf, created, last_seen, address) VALUES ($1, $2, $3, $4, $5, $6)`,
		ss.Hash, ss.User, ss.CSRF, s.d.Time(ss.Created), s.d.Time(ss.LastSeen), ss.Address)
	return err
}

func (s *DB) Session(ctx context.Context, hash string) (auth.Session, auth.Account, error) {
	var r accountRow
	var ss auth.Session
	var created, seen timestamp
	err := s.db.QueryRowContext(ctx, `SELECT `+accountColumns+`, x.hash, x.csrf, x.created, x.last_seen, x.address
		FROM sessions x JOIN users u ON u.name = x.user_name WHERE x.hash = $1`, hash).
		Scan(r.dest(&ss.Hash, &ss.CSRF, &created, &seen, &ss.Address)...)
	if err == sql.ErrNoRows {
		return auth.Session{}, auth.Account{}, apperr.New(apperr.NotFound, "no such session", "没有此会话")
	}
	if err != nil {
		return auth.Session{}, auth.Account{}, s.wrap("session", err)
	}
	ss.User, ss.Created, ss.LastSeen = r.a.Name, created.Time, seen.Time
	return ss, r.account(), nil
}

func (s *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := s.exec(ctx, "touch session", `UPDATE sessions SET last_seen = $2 WHERE hash = $1`, hash, s.d.Time(at))
	return err
}

func (s *DB) EndSession(ctx context.Context, hash string) error {
	_, err := s.exec(ctx, "end session", `DELETE FROM sessions WHERE hash = $1`, hash)
	return err
}

func (s *DB) EndSessions(ctx context.Context, user, except string) error {
	_, err := s.exec(ctx, "end sessions", `DELETE FROM sessions WHERE user_name = $1 AND hash <> $2`, user, except)
	return err
}

// EndExpiredSessions ends the account's sessions idle since idleBefore or
// begun before createdBefore: those a browser gave up without signing out.
func (s *DB) EndExpiredSessions(ctx context.Context, user string, idleBefore, createdBefore time.Time) error {
	_, err := s.exec(ctx, "end expired sessions", `DELETE FROM sessions WHERE user_name = $1 AND (last_seen < $2 OR created < $3)`,
		user, s.d.Time(idleBefore), s.d.Time(createdBefore))
	return err
}

func (s *DB) AddToken(ctx context.Context, t auth.APIToken, hash string) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, `INSERT INTO tokens (hash, name, user_name, expires_at, created_at, created_by, last_used)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_name, name) DO NOTHING RETURNING id`,
			hash, t.Name, t.User, s.d.Time(t.ExpiresAt), s.d.Time(t.CreatedAt), t.CreatedBy, s.d.Time(time.Time{}))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&id); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err == nil && id == 0 {
		return 0, apperr.Newf(apperr.Conflict, "%s already has a token named %q", "%s 已有名为 %q 的令牌", t.User, t.Name)
	}
	return id, s.wrap("add token", err)
}

const tokenColumns = `t.id, t.name, t.user_name, t.expires_at, t.created_at, t.created_by, t.last_used`

type tokenRow struct {
	t                      auth.APIToken
	expires, created, used timestamp
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.Name, &r.t.User, &r.expires, &r.created, &r.t.CreatedBy, &r.used}
}

func (r *tokenRow) token() auth.APIToken {
	r.t.ExpiresAt, r.t.CreatedAt, r.t.LastUsed = r.expires.Time, r.created.Time, orNever(r.used.Time)
	return r.t
}

func noToken() error { return apperr.New(apperr.NotFound, "no such token", "没有此令牌") }

func (s *DB) TokenByHash(ctx context.Context, hash string) (auth.APIToken, auth.Account, error) {
	var r accountRow
	var t tokenRow
	err := s.db.QueryRowContext(ctx, `SELECT `+accountColumns+`, `+tokenColumns+`
		FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = $1`, hash).Scan(r.dest(t.dest()...)...)
	if err == sql.ErrNoRows {
		return auth.APIToken{}, auth.Account{}, noToken()
	}
	if err != nil {
		return auth.APIToken{}, auth.Account{}, s.wrap("token", err)
	}
	return t.token(), r.account(), nil
}

func (s *DB) Token(ctx context.Context, id int64) (auth.APIToken, error) {
	var t tokenRow
	err := s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens t WHERE t.id = $1`, id).Scan(t.dest()...)
	if err == sql.ErrNoRows {
		return auth.APIToken{}, noToken()
	}
	return t.token(), s.wrap("token", err)
}

func (s *DB) Tokens(ctx context.Context, user string) ([]auth.APIToken, error) {
	ts, err := list(ctx, s.reader, "tokens", `SELECT `+tokenColumns+` FROM tokens t WHERE $1 = '' OR t.user_name = $1 ORDER BY t.id`, []any{user},
		func(rows *sql.Rows, t *tokenRow) error { return rows.Scan(t.dest()...) })
	out := make([]auth.APIToken, len(ts))
	for i := range ts {
		out[i] = ts[i].token()
	}
	return out, err
}

func (s *DB) DeleteToken(ctx context.Context, id int64) error {
	n, err := s.exec(ctx, "revoke token", `DELETE FROM tokens WHERE id = $1`, id)
	if err == nil && n == 0 {
		return noToken()
	}
	return err
}

func (s *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.exec(ctx, "touch token", `UPDATE tokens SET last_used = $2 WHERE id = $1`, id, s.d.Time(at))
	return err
}

func (s *DB) AddLoginEvent(ctx context.Context, e auth.LoginEvent) error {
	_, err := s.exec(ctx, "add login event", `INSERT INTO login_events (at, kind, user_name, address, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.d.Time(e.At), string(e.Kind), e.User, e.Address, e.Actor, e.Detail)
	return err
}

func (s *DB) LoginEvents(ctx context.Context, f auth.EventFilter) ([]auth.LoginEvent, int, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.User != "" {
		where = append(where, "user_name = "+arg(f.User))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(string(f.Kind)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_events`+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("login events", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, kind, user_name, address, actor, detail FROM login_events`+cond+
		` ORDER BY id DESC LIMIT `+arg(f.Limit)+` OFFSET `+arg(f.Offset), args...)
	if err != nil {
		return nil, 0, s.wrap("login events", err)
	}
	defer rows.Close()
	var out []auth.LoginEvent
	for rows.Next() {
		var e auth.LoginEvent
		var at timestamp
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.User, &e.Address, &e.Actor, &e.Detail); err != nil {
			return nil, 0, s.wrap("login events", err)
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, total, s.wrap("login events", rows.Err())
}

func (s *DB) AddressFailures(ctx context.Context, address string, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_events WHERE kind = 'login_failed' AND address = $1 AND at > $2`,
		address, s.d.Time(since)).Scan(&n)
	return n, s.wrap("address failures", err)
}
