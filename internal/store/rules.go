package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"ecoindustry/internal/rules"
)

// Standards implements rules.Store: the imported catalogue, in file order.
func (r reader) Standards(ctx context.Context) ([]rules.Standard, error) {
	return list(ctx, r, "standards", `SELECT standard, scope, source_kind, pollutant_code, limit_value, unit, basis, reference_o2,
		effective_from, source, checked FROM standards ORDER BY row_no`, nil, func(rows *sql.Rows, s *rules.Standard) error {
		var o2 sql.NullFloat64
		if err := rows.Scan(&s.Standard, &s.Scope, &s.SourceKind, &s.PollutantCode, &s.Limit, &s.Unit, &s.Basis, &o2,
			&s.EffectiveFrom, &s.Source, &s.Checked); err != nil {
			return err
		}
		if o2.Valid {
			s.ReferenceO2 = &o2.Float64
		}
		return nil
	})
}

var standardsTable = &Table{Name: "standards", Cols: []string{"row_no", "standard", "scope", "source_kind", "pollutant_code",
	"limit_value", "unit", "basis", "reference_o2", "effective_from", "source", "checked"}}

// ReplaceStandards implements rules.Store: the old rows go and the new
// come in one transaction.
func (s *DB) ReplaceStandards(ctx context.Context, cat []rules.Standard) error {
	err := s.Tx(ctx, func(c *Conn) error {
		if _, err := c.ExecContext(ctx, `DELETE FROM standards`); err != nil {
			return err
		}
		for i, x := range cat {
			var o2 any
			if x.ReferenceO2 != nil {
				o2 = *x.ReferenceO2
			}
			c.Put(standardsTable, []any{i + 1, x.Standard, x.Scope, x.SourceKind, x.PollutantCode, x.Limit, x.Unit, x.Basis, o2,
				x.EffectiveFrom, x.Source, x.Checked})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: replace standards: %w", s.d.Name, err)
	}
	return nil
}

// alarmCols are the columns an Alarm is read from (scanAlarm), the
// enterprise's county and park joined as e.
const alarmCols = `a.id, a.kind, a.state, a.uscc, COALESCE(e.county, ''), COALESCE(e.park, ''), a.outlet_code, a.pollutant, a.started_at, a.ended_at,
	a.limit_value, a.limit_source, a.peak, a.multiple, a.periods, a.evidence, a.version,
	a.acknowledged_by, a.acknowledged_at, a.ack_comment, a.resolved_by, a.resolved_at, a.resolve_reason, a.seq`

func scanAlarm(rows *sql.Rows, a *rules.Alarm) error {
	var from, to timestamp
	var ev string
	err := rows.Scan(&a.ID, &a.Kind, &a.State, &a.USCC, &a.County, &a.Park, &a.Outlet, &a.Pollutant, &from, &to,
		&a.Limit, &a.LimitSource, &a.Peak, &a.Multiple, &a.Periods, &ev, &a.Version,
		&a.AcknowledgedBy, &a.AcknowledgedAt, &a.AckComment, &a.ResolvedBy, &a.ResolvedAt, &a.ResolveReason, &a.Seq)
	a.StartedAt, a.EndedAt, a.Evidence = from.Time, to.Time, json.RawMessage(ev)
	return err
}

// RaiseAlarm implements rules.Store: inserted unless its identity is
// stored (the unique key decides between processes), else its numbers
// updated where they changed.
func (s *DB) RaiseAlarm(ctx context.Context, a rules.Alarm) error {
	ev := string(a.Evidence)
	if ev == "" {
		ev = "{}"
	}
	start, end := s.d.Time(a.StartedAt), s.d.Time(a.EndedAt)
	err := s.Tx(ctx, func(c *Conn) error {
		seq, err := nextAlarmSeq(ctx, c)
		if err != nil {
			return err
		}
		_, err = c.ExecContext(ctx, `INSERT INTO alarms (kind, state, uscc, outlet_code, pollutant, started_at, ended_at, limit_value,
			limit_source, peak, multiple, periods, evidence, version, seq, county, park) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14,
			COALESCE((SELECT county FROM enterprises WHERE uscc = $3), ''), COALESCE((SELECT park FROM enterprises WHERE uscc = $3), ''))
			ON CONFLICT (kind, uscc, outlet_code, pollutant, started_at) DO UPDATE SET ended_at = excluded.ended_at,
			limit_value = excluded.limit_value, limit_source = excluded.limit_source, peak = excluded.peak, multiple = excluded.multiple,
			periods = excluded.periods, evidence = excluded.evidence, version = alarms.version + 1, seq = excluded.seq
			WHERE alarms.ended_at <> excluded.ended_at OR alarms.limit_value <> excluded.limit_value OR alarms.limit_source <> excluded.limit_source
			OR alarms.peak <> excluded.peak OR alarms.periods <> excluded.periods OR alarms.evidence <> excluded.evidence`,
			a.Kind, a.State, a.USCC, a.Outlet, a.Pollutant, start, end, a.Limit, a.LimitSource, a.Peak, a.Multiple, a.Periods, ev, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: raise alarm: %w", s.d.Name, err)
	}
	return nil
}

// Alarms implements rules.Store: newest first, through the index
// alarms (started_at, id) (migration 0018).
func (r reader) Alarms(ctx context.Context, f rules.AlarmFilter) ([]rules.Alarm, int, error) {
	var conds []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = "+arg(v))
		}
	}
	eq("a.kind", f.Kind)
	eq("a.uscc", f.USCC)
	eq("a.outlet_code", f.Outlet)
	eq("a.pollutant", f.Pollutant)
	// By the county and park the alarm was raised in (migration 0018),
	// through their indexes, not the enterprise's now (decision 0026).
	eq("a.county", f.County)
	eq("a.county", f.Scope.County)
	eq("a.park", f.Scope.Park)
	eq("a.uscc", f.Scope.USCC)
	if len(f.States) > 0 {
		var ps []string
		for _, st := range f.States {
			ps = append(ps, arg(st))
		}
		conds = append(conds, "a.state IN ("+strings.Join(ps, ", ")+")")
	}
	if !f.From.IsZero() {
		conds = append(conds, "a.started_at >= "+arg(r.d.Time(f.From)))
	}
	if !f.To.IsZero() {
		conds = append(conds, "a.started_at < "+arg(r.d.Time(f.To)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	from := ` FROM alarms a LEFT JOIN enterprises e ON e.uscc = a.uscc` + where
	// Counted up to one past rules.CountUpTo: a million rows counted cost
	// more than the page (decision 0026). In the page's order, so that
	// both read the same index, which stops at the bound.
	var total int
	if err := scanOne(ctx, r.q, `SELECT COUNT(*) FROM (SELECT 1`+from+` ORDER BY a.started_at DESC, a.id DESC LIMIT `+
		strconv.Itoa(rules.CountUpTo(f)+1)+`) c`, args, &total); err != nil {
		return nil, 0, r.wrap("count alarms", err)
	}
	q := `SELECT ` + alarmCols + from + ` ORDER BY a.started_at DESC, a.id DESC`
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	}
	as, err := list(ctx, r, "alarms", q, args, scanAlarm)
	return as, total, err
}

// Alarm implements rules.Store.
func (r reader) Alarm(ctx context.Context, id int64) (rules.Alarm, error) {
	as, err := list(ctx, r, "alarm", `SELECT `+alarmCols+` FROM alarms a LEFT JOIN enterprises e ON e.uscc = a.uscc WHERE a.id = $1`, []any{id}, scanAlarm)
	if err != nil {
		return rules.Alarm{}, err
	}
	if len(as) == 0 {
		return rules.Alarm{}, rules.NoAlarm(id)
	}
	return as[0], nil
}

// SetAlarm implements rules.Store: a compare-and-set on the version.
func (s *DB) SetAlarm(ctx context.Context, a rules.Alarm) error {
	err := s.Tx(ctx, func(c *Conn) error {
		seq, err := nextAlarmSeq(ctx, c)
		if err != nil {
			return err
		}
		res, err := c.ExecContext(ctx, `UPDATE alarms SET state = $1, ended_at = $2, acknowledged_by = $3, acknowledged_at = $4, ack_comment = $5,
			resolved_by = $6, resolved_at = $7, resolve_reason = $8, version = version + 1, seq = $11 WHERE id = $9 AND version = $10`,
			a.State, s.d.Time(a.EndedAt), a.AcknowledgedBy, a.AcknowledgedAt, a.AckComment, a.ResolvedBy, a.ResolvedAt, a.ResolveReason, a.ID, a.Version, seq)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return rules.ErrStale
	})
	if err != nil && !errors.Is(err, rules.ErrStale) {
		return fmt.Errorf("%s: alarm %d: %w", s.d.Name, a.ID, err)
	}
	return err
}

// nextAlarmSeq takes the next change number of the alarms in transaction
// c. The counter's row stays locked until c commits (on SQLite the one
// writer does the same): numbers become visible in the order they were
// given, so a follower that has read up to n has missed none below it.
func nextAlarmSeq(ctx context.Context, c *Conn) (int64, error) {
	var seq int64
	err := scanOne(ctx, c, `UPDATE alarm_seq SET last = last + 1 RETURNING last`, nil, &seq)
	return seq, err
}

// AlarmChanges implements rules.Store: the alarms written after change
// after, in the order of their changes.
func (r reader) AlarmChanges(ctx context.Context, after int64, limit int) ([]rules.Alarm, error) {
	return list(ctx, r, "alarm changes", `SELECT `+alarmCols+` FROM alarms a LEFT JOIN enterprises e ON e.uscc = a.uscc
		WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`, []any{after, limit}, scanAlarm)
}

// AlarmSeq implements rules.Store: the last change number given.
func (r reader) AlarmSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := scanOne(ctx, r.q, `SELECT last FROM alarm_seq`, nil, &seq)
	return seq, r.wrap("alarm seq", err)
}

var _ rules.Store = (*DB)(nil)
