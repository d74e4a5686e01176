package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
)

// UpdateDeclarations implements economy.Store.
func (s *DB) UpdateDeclarations(ctx context.Context, fn func(economy.DeclarationTx) error) error {
	return s.Tx(ctx, func(c *Conn) error {
		return fn(&declarationTx{reader: reader{q: c, d: s.d}, c: c})
	})
}

// declarationTx implements economy.DeclarationTx.
type declarationTx struct {
	reader
	c *Conn
}

func (t *declarationTx) Registry() registry.Store {
	return boundRegistry{&registryTx{reader: t.reader, c: t.c}}
}

func (t *declarationTx) AddDeclaration(ctx context.Context, d economy.Declaration) (int64, error) {
	fields, err := jsonText(d.Fields)
	if err != nil {
		return 0, err
	}
	var id int64
	err = t.first(ctx, "add declaration", `INSERT INTO declarations (uscc, year, at, actor, fields, state) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		[]any{d.USCC, d.Year, instant(d.At), d.Actor, fields, d.State}, &id)
	return id, err
}

func (t *declarationTx) Declaration(ctx context.Context, id int64) (economy.Declaration, error) {
	ds, err := list(ctx, t.reader, "declaration", `SELECT `+declarationColumns+` FROM declarations d JOIN enterprises e ON e.uscc = d.uscc WHERE d.id = $1`,
		[]any{id}, scanDeclaration)
	if err != nil || len(ds) == 0 {
		return economy.Declaration{}, err
	}
	return ds[0], nil
}

func (t *declarationTx) HandleDeclaration(ctx context.Context, d economy.Declaration) error {
	res, err := t.c.ExecContext(ctx, `UPDATE declarations SET state = $1, handled_at = $2, handled_by = $3, reason = $4 WHERE id = $5 AND state = 'pending'`,
		d.State, instant(d.HandledAt), d.HandledBy, d.Reason, d.ID)
	if err != nil {
		return t.wrap("handle declaration", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return cmp.Or(t.wrap("handle declaration", err), economy.ErrStale)
	}
	return nil
}

// Declarations implements economy.Store.
func (r reader) Declarations(ctx context.Context, county, uscc, state string) ([]economy.Declaration, error) {
	q, args := `SELECT `+declarationColumns+` FROM declarations d JOIN enterprises e ON e.uscc = d.uscc WHERE TRUE`, []any{}
	for _, f := range []struct{ col, v string }{{"e.county", county}, {"d.uscc", uscc}, {"d.state", state}} {
		if f.v != "" {
			args = append(args, f.v)
			q += " AND " + f.col + " = $" + strconv.Itoa(len(args))
		}
	}
	return list(ctx, r, "declarations", q+` ORDER BY d.id DESC LIMIT 1000`, args, scanDeclaration)
}

const declarationColumns = `d.id, d.uscc, e.county, d.year, d.at, d.actor, d.fields, d.state, d.handled_at, d.handled_by, d.reason`

func scanDeclaration(rows *sql.Rows, d *economy.Declaration) error {
	var at, handled, fields string
	if err := rows.Scan(&d.ID, &d.USCC, &d.County, &d.Year, &at, &d.Actor, &fields, &d.State, &handled, &d.HandledBy, &d.Reason); err != nil {
		return err
	}
	var err error
	if d.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return err
	}
	if handled != "" {
		if d.HandledAt, err = time.Parse(time.RFC3339Nano, handled); err != nil {
			return err
		}
	}
	return json.Unmarshal([]byte(fields), &d.Fields)
}
