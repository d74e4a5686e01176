package store

import (
	"context"
	"time"

	"ecoindustry/internal/economy"
)

// Inputs implements economy.Store: one county's enterprises, neither
// closed nor relocated, with figures for the year.
func (r reader) Inputs(ctx context.Context, county string, year int) ([]economy.Input, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT e.uscc, e.name, e.industry_code, e.size, a.year, a.tax, a.value_added, a.revenue,
		a.energy_tce, a.electricity_kwh, a.emissions_t, a.rd, a.employees, CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END, a.source
		FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc
		WHERE e.county = $1 AND a.year = $2 AND e.status NOT IN ('closed', 'relocated') ORDER BY a.uscc`, county, year)
	if err != nil {
		return nil, r.wrap("evaluation inputs", err)
	}
	defer rows.Close()
	var out []economy.Input
	for rows.Next() {
		var in economy.Input
		if err := rows.Scan(&in.USCC, &in.Name, &in.Industry, &in.Size, &in.Year, &in.Tax, &in.ValueAdded, &in.Revenue,
			&in.EnergyTce, &in.Kwh, &in.EmissionsT, &in.RD, &in.Employees, &in.LandMu, &in.Source); err != nil {
			return nil, r.wrap("evaluation inputs", err)
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
