package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/registry"
)

// reader implements registry.Reader over a database or a transaction.
type reader struct {
	q querier
	d Dialect
}

// registryTx implements registry.Tx. It prepares each statement once per
// transaction: an import runs the same upsert a hundred thousand times.
type registryTx struct {
	reader
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (r reader) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", r.d.Name, op, err)
}

// list runs a query and scans each row with scan.
func list[T any](ctx context.Context, r reader, op, query string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, r.wrap(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var t T
		if err := scan(rows, &t); err != nil {
			return nil, r.wrap(op, err)
		}
		out = append(out, t)
	}
	return out, r.wrap(op, rows.Err())
}

// byOwner is the condition and arguments selecting one enterprise's rows, or all.
func byOwner(uscc string) (string, []any) {
	if uscc == "" {
		return "", nil
	}
	return " WHERE uscc = $1", []any{uscc}
}

func (r reader) Units(ctx context.Context) ([]registry.AdminUnit, error) {
	return list(ctx, r, "units", `SELECT code, name, name_en, level, parent, area_km2, population FROM admin_units ORDER BY code`, nil,
		func(rows *sql.Rows, u *registry.AdminUnit) error {
			return rows.Scan(&u.Code, &u.Name, &u.NameEn, &u.Level, &u.Parent, &u.AreaKm2, &u.Population)
		})
}

func (r reader) Parks(ctx context.Context) ([]registry.Park, error) {
	return list(ctx, r, "parks", `SELECT code, name, county, kind FROM parks ORDER BY code`, nil,
		func(rows *sql.Rows, p *registry.Park) error { return rows.Scan(&p.Code, &p.Name, &p.County, &p.Kind) })
}

const enterpriseColumns = `e.uscc, e.name, e.county, e.industry_code, e.size, e.status, COALESCE(e.park, ''), e.address,
	e.lon, e.lat, e.land_mu, e.employees, e.founded, e.synthetic`

func (r reader) Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, c := range []struct{ col, v string }{
		{"e.uscc", f.USCC}, {"e.county", f.County}, {"e.park", f.Park}, {"e.size", f.Size}, {"e.status", f.Status},
	} {
		if c.v != "" {
			conds = append(conds, c.col+" = "+arg(c.v))
		}
	}
	if f.Industry != "" {
		// A prefix as a range, so that the index serves it in both dialects.
		conds = append(conds, "e.industry_code >= "+arg(f.Industry)+" AND e.industry_code < "+arg(f.Industry+"\uffff"))
	}
	if f.Q != "" {
		conds = append(conds, r.d.NameMatch(f.Q, arg))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	query := `SELECT ` + enterpriseColumns + ` FROM enterprises e` + where + ` ORDER BY e.name, e.uscc`
	if f.Limit > 0 {
		query += " LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	}
	es, err := list(ctx, r, "list enterprises", query, args, func(rows *sql.Rows, e *registry.Enterprise) error {
		return rows.Scan(&e.USCC, &e.Name, &e.County, &e.IndustryCode, &e.Size, &e.Status, &e.Park, &e.Address,
			&e.Lon, &e.Lat, &e.LandMu, &e.Employees, &e.Founded, &e.Synthetic)
	})
	if err != nil {
		return nil, 0, err
	}
	total := len(es)
	if f.Limit > 0 && (f.Offset > 0 || total == f.Limit) {
		n := len(args) - 2
		if err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprises e`+where, args[:n]...).Scan(&total); err != nil {
			return nil, 0, r.wrap("count enterprises", err)
		}
	}
	return es, total, nil
}

// EscapeLike makes q match itself in a LIKE pattern with ESCAPE '\'.
func EscapeLike(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

func (r reader) Licences(ctx context.Context, uscc string) ([]registry.Licence, error) {
	where, args := byOwner(uscc)
	return list(ctx, r, "licences", `SELECT uscc, licence_no, issued, valid_to, status FROM licences`+where+` ORDER BY uscc, licence_no`, args,
		func(rows *sql.Rows, l *registry.Licence) error {
			return rows.Scan(&l.USCC, &l.LicenceNo, &l.Issued, &l.ValidTo, &l.Status)
		})
}

func (r reader) Sites(ctx context.Context, uscc string) ([]registry.Site, error) {
	where, args := byOwner(uscc)
	return list(ctx, r, "sites", `SELECT uscc, land_status, certificate_no FROM sites`+where+` ORDER BY uscc`, args,
		func(rows *sql.Rows, s *registry.Site) error {
			return rows.Scan(&s.USCC, &s.LandStatus, &s.CertificateNo)
		})
}

func (r reader) Safety(ctx context.Context, uscc string) ([]registry.Safety, error) {
	where, args := byOwner(uscc)
	return list(ctx, r, "safety", `SELECT uscc, assessed_on, result, valid_to FROM safety`+where+` ORDER BY uscc, assessed_on`, args,
		func(rows *sql.Rows, s *registry.Safety) error {
			return rows.Scan(&s.USCC, &s.AssessedOn, &s.Result, &s.ValidTo)
		})
}

func (r reader) Facilities(ctx context.Context, uscc string) ([]registry.Facility, error) {
	where, args := byOwner(uscc)
	return list(ctx, r, "facilities", `SELECT uscc, facility_code, kind, COALESCE(outlet_code, ''), in_service, installed FROM facilities`+where+` ORDER BY uscc, facility_code`, args,
		func(rows *sql.Rows, f *registry.Facility) error {
			return rows.Scan(&f.USCC, &f.FacilityCode, &f.Kind, &f.OutletCode, &f.InService, &f.Installed)
		})
}

func (r reader) Outlets(ctx context.Context, uscc string) ([]registry.Outlet, error) {
	where, args := byOwner(uscc)
	return list(ctx, r, "outlets", `SELECT uscc, outlet_code, kind, name, lon, lat, height_m, COALESCE(mn, ''), pw FROM outlets`+where+` ORDER BY uscc, outlet_code`, args,
		func(rows *sql.Rows, o *registry.Outlet) error {
			return rows.Scan(&o.USCC, &o.OutletCode, &o.Kind, &o.Name, &o.Lon, &o.Lat, &o.HeightM, &o.MN, &o.PW)
		})
}

func (r reader) Permits(ctx context.Context, uscc string) ([]registry.PermitLimit, error) {
	where, args := "", []any(nil)
	if uscc != "" {
		where, args = " WHERE p.uscc = $1", []any{uscc}
	}
	return list(ctx, r, "permits", `SELECT p.permit_no, p.uscc, p.class, p.valid_from, p.valid_to,
		l.outlet_code, l.pollutant_code, l.limit_concentration, l.limit_unit, l.annual_quantity_t
		FROM permits p JOIN permit_limits l ON l.permit_no = p.permit_no`+where+` ORDER BY p.permit_no, l.outlet_code, l.pollutant_code`, args,
		func(rows *sql.Rows, l *registry.PermitLimit) error {
			return rows.Scan(&l.PermitNo, &l.USCC, &l.Class, &l.ValidFrom, &l.ValidTo,
				&l.OutletCode, &l.PollutantCode, &l.LimitConcentration, &l.LimitUnit, &l.AnnualQuantityT)
		})
}

func (r reader) Changes(ctx context.Context, f registry.ChangeFilter) ([]registry.Change, error) {
	var conds []string
	var args []any
	for _, c := range []struct{ col, v string }{{"uscc", f.USCC}, {"kind", f.Kind}, {"key", f.Key}} {
		if c.v != "" {
			args = append(args, c.v)
			conds = append(conds, c.col+" = $"+strconv.Itoa(len(args)))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return list(ctx, r, "changes", `SELECT id, at, actor, kind, key, uscc, op, fields FROM changes`+where+` ORDER BY id`, args,
		func(rows *sql.Rows, c *registry.Change) error {
			var at, fields string
			if err := rows.Scan(&c.ID, &at, &c.Actor, &c.Kind, &c.Key, &c.USCC, &c.Op, &fields); err != nil {
				return err
			}
			t, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				return fmt.Errorf("change %d: time %q: %w", c.ID, at, err)
			}
			c.At = t
			return json.Unmarshal([]byte(fields), &c.Fields)
		})
}

func (t *registryTx) exec(ctx context.Context, op, query string, args ...any) error {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		if st, err = t.tx.PrepareContext(ctx, query); err != nil {
			return t.wrap(op, err)
		}
		t.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return t.wrap(op, err)
}

// null stores "" as NULL, for optional references and unique columns.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *registryTx) PutUnit(ctx context.Context, u registry.AdminUnit) error {
	return t.exec(ctx, "put unit", `INSERT INTO admin_units (code, name, name_en, level, parent, area_km2, population)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
		level = excluded.level, parent = excluded.parent, area_km2 = excluded.area_km2, population = excluded.population`,
		u.Code, u.Name, u.NameEn, u.Level, u.Parent, u.AreaKm2, u.Population)
}

func (t *registryTx) PutPark(ctx context.Context, p registry.Park) error {
	return t.exec(ctx, "put park", `INSERT INTO parks (code, name, county, kind) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, county = excluded.county, kind = excluded.kind`,
		p.Code, p.Name, p.County, p.Kind)
}

func (t *registryTx) PutEnterprise(ctx context.Context, e registry.Enterprise) error {
	return t.exec(ctx, "put enterprise", `INSERT INTO enterprises (uscc, name, county, industry_code, size, status, park, address,
		lon, lat, land_mu, employees, founded, synthetic) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, county = excluded.county, industry_code = excluded.industry_code,
		size = excluded.size, status = excluded.status, park = excluded.park, address = excluded.address, lon = excluded.lon,
		lat = excluded.lat, land_mu = excluded.land_mu, employees = excluded.employees, founded = excluded.founded,
		synthetic = excluded.synthetic`,
		e.USCC, e.Name, e.County, e.IndustryCode, e.Size, e.Status, null(e.Park), e.Address,
		e.Lon, e.Lat, e.LandMu, e.Employees, e.Founded, e.Synthetic)
}

func (t *registryTx) PutLicence(ctx context.Context, l registry.Licence) error {
	return t.exec(ctx, "put licence", `INSERT INTO licences (uscc, licence_no, issued, valid_to, status) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (uscc, licence_no) DO UPDATE SET issued = excluded.issued, valid_to = excluded.valid_to, status = excluded.status`,
		l.USCC, l.LicenceNo, l.Issued, l.ValidTo, l.Status)
}

func (t *registryTx) PutSite(ctx context.Context, s registry.Site) error {
	return t.exec(ctx, "put site", `INSERT INTO sites (uscc, land_status, certificate_no) VALUES ($1, $2, $3)
		ON CONFLICT (uscc) DO UPDATE SET land_status = excluded.land_status, certificate_no = excluded.certificate_no`,
		s.USCC, s.LandStatus, s.CertificateNo)
}

func (t *registryTx) PutSafety(ctx context.Context, s registry.Safety) error {
	return t.exec(ctx, "put safety", `INSERT INTO safety (uscc, assessed_on, result, valid_to) VALUES ($1, $2, $3, $4)
		ON CONFLICT (uscc, assessed_on) DO UPDATE SET result = excluded.result, valid_to = excluded.valid_to`,
		s.USCC, s.AssessedOn, s.Result, s.ValidTo)
}

func (t *registryTx) PutFacility(ctx context.Context, f registry.Facility) error {
	return t.exec(ctx, "put facility", `INSERT INTO facilities (uscc, facility_code, kind, outlet_code, in_service, installed)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (uscc, facility_code) DO UPDATE SET kind = excluded.kind,
		outlet_code = excluded.outlet_code, in_service = excluded.in_service, installed = excluded.installed`,
		f.USCC, f.FacilityCode, f.Kind, null(f.OutletCode), f.InService, f.Installed)
}

func (t *registryTx) PutOutlet(ctx context.Context, o registry.Outlet) error {
	return t.exec(ctx, "put outlet", `INSERT INTO outlets (uscc, outlet_code, kind, name, lon, lat, height_m, mn, pw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uscc, outlet_code) DO UPDATE SET kind = excluded.kind,
		name = excluded.name, lon = excluded.lon, lat = excluded.lat, height_m = excluded.height_m, mn = excluded.mn, pw = excluded.pw`,
		o.USCC, o.OutletCode, o.Kind, o.Name, o.Lon, o.Lat, o.HeightM, null(o.MN), o.PW)
}

func (t *registryTx) PutPermit(ctx context.Context, l registry.PermitLimit) error {
	if err := t.exec(ctx, "put permit", `INSERT INTO permits (permit_no, uscc, class, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (permit_no) DO UPDATE SET uscc = excluded.uscc, class = excluded.class,
		valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
		l.PermitNo, l.USCC, l.Class, l.ValidFrom, l.ValidTo); err != nil {
		return err
	}
	return t.exec(ctx, "put permit limit", `INSERT INTO permit_limits (permit_no, uscc, outlet_code, pollutant_code,
		limit_concentration, limit_unit, annual_quantity_t) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (permit_no, outlet_code, pollutant_code) DO UPDATE SET uscc = excluded.uscc,
		limit_concentration = excluded.limit_concentration, limit_unit = excluded.limit_unit, annual_quantity_t = excluded.annual_quantity_t`,
		l.PermitNo, l.USCC, l.OutletCode, l.PollutantCode, l.LimitConcentration, l.LimitUnit, l.AnnualQuantityT)
}

func (t *registryTx) AddChange(ctx context.Context, c registry.Change) error {
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return err
	}
	return t.exec(ctx, "add change", `INSERT INTO changes (at, actor, kind, key, uscc, op, fields) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.At.UTC().Format(time.RFC3339Nano), c.Actor, c.Kind, c.Key, c.USCC, c.Op, string(fields))
}
