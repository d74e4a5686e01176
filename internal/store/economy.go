package store

import (
	"context"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
)

// Inputs implements economy.Store: one county's enterprises, neither
// closed nor relocated, with figures for the year, their founding date,
// items, and the items counted from the system's own data: rectification
// cases opened in the year and not dismissed, exceedance alarms started
// in the year (economy.Items).
func (r reader) Inputs(ctx context.Context, county string, year int) ([]economy.Input, error) {
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, cst.Zone), time.Date(year+1, 1, 1, 0, 0, 0, 0, cst.Zone)
	rows, err := r.q.QueryContext(ctx, `SELECT e.uscc, e.name, e.industry_code, e.size, e.founded, a.year, a.tax, a.value_added, a.revenue,
		a.energy_tce, a.electricity_kwh, a.emissions_t, a.rd, a.employees, CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END, a.source,
		a.parcel, a.items, COALESCE(c.n, 0), COALESCE(al.n, 0)
		FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc
		LEFT JOIN (SELECT uscc, COUNT(*) AS n FROM cases WHERE county = $1 AND state <> 'dismissed' AND opened_on >= $3 AND opened_on < $4 GROUP BY uscc) c ON c.uscc = a.uscc
		LEFT JOIN (SELECT uscc, COUNT(*) AS n FROM alarms WHERE kind = 'exceedance' AND started_at >= $5 AND started_at < $6 GROUP BY uscc) al ON al.uscc = a.uscc
		WHERE e.county = $1 AND a.year = $2 AND e.status NOT IN ('closed', 'relocated') ORDER BY a.uscc`,
		county, year, from.Format(time.DateOnly), to.Format(time.DateOnly), r.d.Time(from), r.d.Time(to))
	if err != nil {
		return nil, r.wrap("evaluation inputs", err)
	}
	defer rows.Close()
	var out []economy.Input
	for rows.Next() {
		var in economy.Input
		var cases, alarms int
		if err := rows.Scan(&in.USCC, &in.Name, &in.Industry, &in.Size, &in.Founded, &in.Year, &in.Tax, &in.ValueAdded, &in.Revenue,
			&in.EnergyTce, &in.Kwh, &in.EmissionsT, &in.RD, &in.Employees, &in.LandMu, &in.Source, &in.Parcel, &in.Items, &cases, &alarms); err != nil {
			return nil, r.wrap("evaluation inputs", err)
		}
		if in.Items != "" || cases > 0 || alarms > 0 {
			in.Counts, _, _ = economy.ParseItems(in.Items)
			if in.Counts == nil { // an item no longer importable: scored as none
				in.Counts = map[string]int{}
			}
			if cases > 0 {
				in.Counts["rectification_case"] = cases
			}
			if alarms > 0 {
				in.Counts["exceedance_alarm"] = alarms
			}
		}
		out = append(out, in)
	}
	return out, r.wrap("evaluation inputs", rows.Err())
}

// AddEvaluation implements economy.Store.
func (s *DB) AddEvaluation(ctx context.Context, e economy.StoredRun) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, `INSERT INTO evaluations (at, actor, county, year, method_name, method, evaluated, inputs, results)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			e.At.UTC().Format(time.RFC3339), e.Actor, e.County, e.Year, e.MethodName, e.Method, e.Evaluated, e.Inputs, e.Outcome)
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
	return id, s.reader.wrap("add evaluation", err)
}

// Evaluation implements economy.Store: the run without its inputs, which
// are kept for the record and read by none of its readers.
func (r reader) Evaluation(ctx context.Context, id int64) (economy.StoredRun, error) {
	var e economy.StoredRun
	var at string
	err := r.first(ctx, "evaluation", `SELECT id, at, actor, county, year, method_name, method, evaluated, results FROM evaluations WHERE id = $1`,
		[]any{id}, &e.ID, &at, &e.Actor, &e.County, &e.Year, &e.MethodName, &e.Method, &e.Evaluated, &e.Outcome)
	if err == nil && at != "" {
		e.At, err = time.Parse(time.RFC3339, at)
	}
	return e, err
}
