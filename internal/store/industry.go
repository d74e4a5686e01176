package store

import (
	"context"
	"database/sql"
	"time"

	"ecoindustry/internal/economy"
)

// ClusterFacts implements economy.IndustryStore: one GROUP BY over the
// years' annual figures, so that ten years of a city cost one scan of
// the annual_data index by year and a few thousand rows back.
func (r reader) ClusterFacts(ctx context.Context, from, to int) ([]economy.ClusterFact, error) {
	return list(ctx, r, "cluster facts", `SELECT a.year, e.county, e.industry_code, e.size, COUNT(*), SUM(a.revenue), SUM(a.value_added), SUM(a.tax),
		SUM(CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END)
		FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc
		WHERE a.year BETWEEN $1 AND $2 GROUP BY a.year, e.county, e.industry_code, e.size`, []any{from, to},
		func(rows *sql.Rows, f *economy.ClusterFact) error {
			return rows.Scan(&f.Year, &f.County, &f.Industry, &f.Size, &f.N, &f.Revenue, &f.ValueAdded, &f.Tax, &f.LandMu)
		})
}

// FirmFigures implements economy.IndustryStore.
func (r reader) FirmFigures(ctx context.Context, year int) ([]economy.FirmFigure, error) {
	return list(ctx, r, "firm figures", `SELECT a.uscc, e.county, e.industry_code, a.revenue
		FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc WHERE a.year = $1`, []any{year},
		func(rows *sql.Rows, f *economy.FirmFigure) error {
			return rows.Scan(&f.USCC, &f.County, &f.Industry, &f.Revenue)
		})
}

// LatestEvaluations implements economy.IndustryStore.
func (r reader) LatestEvaluations(ctx context.Context, year int) ([]economy.StoredRun, error) {
	return list(ctx, r, "latest evaluations", `SELECT id, at, actor, county, year, method_name, method, evaluated, results FROM evaluations v
		WHERE year = $1 AND id = (SELECT MAX(id) FROM evaluations w WHERE w.county = v.county AND w.year = $1) ORDER BY county`, []any{year},
		func(rows *sql.Rows, e *economy.StoredRun) error {
			var at string
			err := rows.Scan(&e.ID, &at, &e.Actor, &e.County, &e.Year, &e.MethodName, &e.Method, &e.Evaluated, &e.Outcome)
			if err == nil {
				e.At, err = time.Parse(time.RFC3339, at)
			}
			return err
		})
}

// IndustryVersion implements economy.IndustryStore.
func (r reader) IndustryVersion(ctx context.Context) (changes, evaluations int64, err error) {
	err = r.first(ctx, "industry version", `SELECT (SELECT COALESCE(MAX(id), 0) FROM changes), (SELECT COALESCE(MAX(id), 0) FROM evaluations)`, nil, &changes, &evaluations)
	return changes, evaluations, err
}
