package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/rules"
)

// AlarmQuarters implements rules.Store: counted by the database, through
// the alarms' (uscc, started_at) index (migration 0018), one range an
// enterprise, so that a county's grid reads counts, not alarms. An
// alarm's end is exclusive (an episode ends where its last period does),
// but one that ends where it starts is an instant, in its start's period.
func (r reader) AlarmQuarters(ctx context.Context, usccs []string, bounds []time.Time) ([]rules.QuarterCount, error) {
	if len(usccs) == 0 || len(bounds) < 2 {
		return nil, nil
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	b := make([]string, len(bounds))
	for i, t := range bounds {
		b[i] = arg(r.d.Time(t))
	}
	last := strconv.Itoa(len(bounds) - 2)
	sq, eq := period("started_at", "<", b, 0, len(b)-2), period("ended_at", "<=", b, 0, len(b)-2)
	ps := make([]string, len(usccs))
	for i, u := range usccs {
		ps[i] = arg(u)
	}
	gap := `(kind = 'data_gap' AND state <> 'resolved')`
	q := `SELECT uscc, kind, sq, eq, COUNT(*), MAX(multiple) FROM (SELECT uscc, kind, multiple,
		` + sq + ` AS sq, CASE WHEN ` + gap + ` THEN ` + last + ` ELSE ` + eq + ` END AS eq
		FROM alarms WHERE uscc IN (` + strings.Join(ps, ", ") + `) AND started_at < ` + b[len(b)-1] + `
		AND (ended_at > ` + b[0] + ` OR started_at >= ` + b[0] + ` OR ` + gap + `)) t GROUP BY uscc, kind, sq, eq`
	return list(ctx, r, "alarm quarters", q, args, func(rows *sql.Rows, c *rules.QuarterCount) error {
		err := rows.Scan(&c.USCC, &c.Kind, &c.First, &c.Last, &c.Count, &c.MaxMultiple)
		c.Last = max(c.Last, c.First)
		return err
	})
}

// period is the SQL of the period among lo to hi that col falls in, col
// op b[i+1] meaning it falls in i or before: a binary search, four
// comparisons a row for thirteen quarters where a CASE of one WHEN each
// took six on average (a third of the grid's time).
func period(col, op string, b []string, lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	mid := (lo + hi) / 2
	return "CASE WHEN " + col + " " + op + " " + b[mid+1] + " THEN " + period(col, op, b, lo, mid) + " ELSE " + period(col, op, b, mid+1, hi) + " END"
}
