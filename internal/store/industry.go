package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/economy"
)

// ClusterFacts implements economy.IndustryStore: the groups the
// triggers of migration 0015 keep (cluster_facts), a few thousand rows
// for ten years of a city.
func (r reader) ClusterFacts(ctx context.Context, from, to int) ([]economy.ClusterFact, error) {
	return list(ctx, r, "cluster facts", `SELECT year, county, industry_code, size, n, revenue, value_added, tax, land_mu
		FROM cluster_facts WHERE year BETWEEN $1 AND $2 AND n > 0`, []any{from, to},
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

// insertID runs an INSERT … RETURNING id in a transaction of its own.
func (s *DB) insertID(ctx context.Context, op, query string, args ...any) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, query, args...)
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
	return id, s.reader.wrap(op, err)
}

// PutPlan implements economy.PlanStore.
func (s *DB) PutPlan(ctx context.Context, p economy.StoredPlan) error {
	err := s.Tx(ctx, func(c *Conn) error {
		_, err := c.ExecContext(ctx, `INSERT INTO plans (name, title, yaml, actor, at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO UPDATE SET title = excluded.title, yaml = excluded.yaml, actor = excluded.actor, at = excluded.at`,
			p.Name, p.Title, p.YAML, p.Actor, p.At.UTC().Format(time.RFC3339))
		return err
	})
	return s.reader.wrap("put plan", err)
}

// Plans implements economy.PlanStore.
func (r reader) Plans(ctx context.Context) ([]economy.StoredPlan, error) {
	return list(ctx, r, "plans", `SELECT name, title, yaml, actor, at FROM plans ORDER BY name`, nil,
		func(rows *sql.Rows, p *economy.StoredPlan) error {
			var at string
			err := rows.Scan(&p.Name, &p.Title, &p.YAML, &p.Actor, &at)
			if err == nil {
				p.At, err = time.Parse(time.RFC3339, at)
			}
			return err
		})
}

// AddPlanValue implements economy.PlanStore.
func (s *DB) AddPlanValue(ctx context.Context, v economy.PlanValue) (int64, error) {
	return s.insertID(ctx, "add plan value", `INSERT INTO plan_values (plan, indicator, year, value, source, note, actor, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, v.Plan, v.Indicator, v.Year, v.Value, v.Source, v.Note, v.Actor, v.At.UTC().Format(time.RFC3339))
}

// PlanValues implements economy.PlanStore: in id order.
func (r reader) PlanValues(ctx context.Context, plan string) ([]economy.PlanValue, error) {
	return list(ctx, r, "plan values", `SELECT id, plan, indicator, year, value, source, note, actor, at FROM plan_values WHERE plan = $1 ORDER BY id`, []any{plan},
		func(rows *sql.Rows, v *economy.PlanValue) error {
			var at string
			err := rows.Scan(&v.ID, &v.Plan, &v.Indicator, &v.Year, &v.Value, &v.Source, &v.Note, &v.Actor, &at)
			if err == nil {
				v.At, err = time.Parse(time.RFC3339, at)
			}
			return err
		})
}

// ClosuresByYear implements economy.PlanStore: from inclusive, to
// exclusive (dates).
func (r reader) ClosuresByYear(ctx context.Context, from, to string) (map[int]int, error) {
	type n struct{ year, count int }
	ns, err := list(ctx, r, "closures by year", `SELECT CAST(substr(carried_out_on, 1, 4) AS INTEGER), COUNT(*) FROM cases
		WHERE disposition = 'close' AND carried_out_on >= $1 AND carried_out_on < $2 GROUP BY substr(carried_out_on, 1, 4)`, []any{from, to},
		func(rows *sql.Rows, x *n) error { return rows.Scan(&x.year, &x.count) })
	out := map[int]int{}
	for _, x := range ns {
		out[x.year] = x.count
	}
	return out, err
}

// DailyLoads implements economy.PlanStore: the logger's daily (2031) and
// hourly (2061) rollups' Cou by pollutant, day and command.
func (r reader) DailyLoads(ctx context.Context, f economy.LoadFilter) ([]economy.DayLoad, error) {
	args := []any{f.From, f.To}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	cond := ""
	if f.USCC != "" {
		cond += " AND uscc = " + arg(f.USCC)
	}
	in := func(col string, vs []string) {
		if len(vs) == 0 {
			return
		}
		ps := make([]string, len(vs))
		for i, v := range vs {
			ps[i] = arg(v)
		}
		cond += " AND " + col + " IN (" + strings.Join(ps, ", ") + ")"
	}
	in("outlet_code", f.Outlets)
	in("code", f.Codes)
	return list(ctx, r, "daily loads", `SELECT code, substr(start, 1, 8), cn, SUM(cou) FROM rollups
		WHERE (period = 'day' AND cn = '2031' OR period = 'hour' AND cn = '2061') AND start >= $1 AND start < $2`+cond+`
		GROUP BY code, substr(start, 1, 8), cn`, args,
		func(rows *sql.Rows, d *economy.DayLoad) error { return rows.Scan(&d.Code, &d.Day, &d.CN, &d.Cou) })
}

// AddProject implements economy.ProjectStore.
func (s *DB) AddProject(ctx context.Context, p economy.Project) (int64, error) {
	doc, err := json.Marshal(p)
	if err != nil {
		return 0, err
	}
	return s.insertID(ctx, "add project", `INSERT INTO projects (uscc, county, version, doc) VALUES ($1, $2, $3, $4) RETURNING id`, p.USCC, p.County, p.Version, string(doc))
}

// UpdateProject implements economy.ProjectStore.
func (s *DB) UpdateProject(ctx context.Context, p economy.Project) (bool, error) {
	doc, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.Tx(ctx, func(c *Conn) error {
		res, err := c.ExecContext(ctx, `UPDATE projects SET uscc = $1, county = $2, version = $3, doc = $4 WHERE id = $5 AND version = $6`,
			p.USCC, p.County, p.Version, string(doc), p.ID, p.Version-1)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n == 1, s.reader.wrap("update project", err)
}

// Project implements economy.ProjectStore.
func (r reader) Project(ctx context.Context, id int64) (economy.Project, bool, error) {
	ps, err := list(ctx, r, "project", `SELECT id, doc FROM projects WHERE id = $1`, []any{id}, scanDoc[economy.Project](func(p *economy.Project, id int64) { p.ID = id }))
	if err != nil || len(ps) == 0 {
		return economy.Project{}, false, err
	}
	return ps[0], true, nil
}

// Projects implements economy.ProjectStore: of one county, or all with "".
func (r reader) Projects(ctx context.Context, county string) ([]economy.Project, error) {
	return list(ctx, r, "projects", `SELECT id, doc FROM projects WHERE $1 = '' OR county = $1 ORDER BY id`, []any{county},
		scanDoc[economy.Project](func(p *economy.Project, id int64) { p.ID = id }))
}

// scanDoc scans an id and a JSON document.
func scanDoc[T any](setID func(*T, int64)) func(*sql.Rows, *T) error {
	return func(rows *sql.Rows, t *T) error {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), t); err != nil {
			return err
		}
		setID(t, id)
		return nil
	}
}

// PutSharedFacility implements economy.FacilityStore.
func (s *DB) PutSharedFacility(ctx context.Context, f economy.SharedFacility) (bool, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return false, err
	}
	var n int64
	err = s.Tx(ctx, func(c *Conn) error {
		q := `INSERT INTO shared_facilities (code, operator, county, version, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING`
		args := []any{f.Code, f.Operator, f.County, f.Version, string(doc)}
		if f.Version > 1 {
			q = `UPDATE shared_facilities SET operator = $2, county = $3, version = $4, doc = $5 WHERE code = $1 AND version = $6`
			args = append(args, f.Version-1)
		}
		res, err := c.ExecContext(ctx, q, args...)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n == 1, s.reader.wrap("put shared facility", err)
}

// SharedFacility implements economy.FacilityStore.
func (r reader) SharedFacility(ctx context.Context, code string) (economy.SharedFacility, bool, error) {
	fs, err := list(ctx, r, "shared facility", `SELECT doc FROM shared_facilities WHERE code = $1`, []any{code}, scanFacility)
	if err != nil || len(fs) == 0 {
		return economy.SharedFacility{}, false, err
	}
	return fs[0], true, nil
}

// SharedFacilities implements economy.FacilityStore: of one county, or all with "".
func (r reader) SharedFacilities(ctx context.Context, county string) ([]economy.SharedFacility, error) {
	return list(ctx, r, "shared facilities", `SELECT doc FROM shared_facilities WHERE $1 = '' OR county = $1 ORDER BY code`, []any{county}, scanFacility)
}

func scanFacility(rows *sql.Rows, f *economy.SharedFacility) error {
	var doc string
	if err := rows.Scan(&doc); err != nil {
		return err
	}
	return json.Unmarshal([]byte(doc), f)
}

// AnnualYears implements economy.IndustryStore.
func (r reader) AnnualYears(ctx context.Context) (first, last int, err error) {
	err = r.first(ctx, "annual years", `SELECT COALESCE(MIN(year), 0), COALESCE(MAX(year), 0) FROM annual_data`, nil, &first, &last)
	return first, last, err
}
