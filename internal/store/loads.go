package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/rules"
)

// AlarmSpans implements rules.Store: by the alarms' (uscc, started_at)
// index (migration 0018), one range a enterprise.
func (r reader) AlarmSpans(ctx context.Context, usccs []string, from, to time.Time) ([]rules.AlarmSpan, error) {
	if len(usccs) == 0 {
		return nil, nil
	}
	args := []any{r.d.Time(from), r.d.Time(to)}
	ps := make([]string, len(usccs))
	for i, u := range usccs {
		args = append(args, u)
		ps[i] = "$" + strconv.Itoa(len(args))
	}
	return list(ctx, r, "alarm spans", `SELECT uscc, kind, state, started_at, ended_at, multiple FROM alarms
		WHERE uscc IN (`+strings.Join(ps, ", ")+`) AND started_at < $2 AND (ended_at >= $1 OR state <> 'resolved')`, args,
		func(rows *sql.Rows, s *rules.AlarmSpan) error {
			var a, b timestamp
			err := rows.Scan(&s.USCC, &s.Kind, &s.State, &a, &b, &s.Multiple)
			s.StartedAt, s.EndedAt = a.Time, b.Time
			return err
		})
}
