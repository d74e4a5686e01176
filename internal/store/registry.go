package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/geo"
	"ecoindustry/internal/registry"
)

// reader implements registry.Reader over a database or a transaction.
type reader struct {
	q querier
	d Dialect
}

// Update implements registry.Store.
func (s *DB) Update(ctx context.Context, fn func(registry.Tx) error) error {
	return s.Tx(ctx, func(c *Conn) error {
		return fn(&registryTx{reader: reader{q: c, d: s.d}, c: c})
	})
}

// registryTx implements registry.Tx; its writes are buffered in its Conn.
type registryTx struct {
	reader
	c      *Conn
	tables map[*registry.Table]*Table // of Put: one each, so that its rows batch
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
	return list(ctx, r, "parks", `SELECT code, name, county, kind, lon, lat, boundary FROM parks ORDER BY code`, nil,
		func(rows *sql.Rows, p *registry.Park) error {
			return rows.Scan(&p.Code, &p.Name, &p.County, &p.Kind, &p.Lon, &p.Lat, &p.Boundary)
		})
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
	if f.Near != nil {
		conds = append(conds, r.d.Near(f.Near.Lon, f.Near.Lat, f.Near.RadiusM, arg))
	}
	if f.WithinPark != "" {
		conds = append(conds, r.d.WithinPark(arg(f.WithinPark)))
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
		counts, err := list(ctx, r, "count enterprises", `SELECT COUNT(*) FROM enterprises e`+where, args[:len(args)-2],
			func(rows *sql.Rows, n *int) error { return rows.Scan(n) })
		if err != nil {
			return nil, 0, err
		}
		total = counts[0]
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
			var at timestamp
			var fields string
			if err := rows.Scan(&c.ID, &at, &c.Actor, &c.Kind, &c.Key, &c.USCC, &c.Op, &fields); err != nil {
				return err
			}
			c.At = at.Time
			return json.Unmarshal([]byte(fields), &c.Fields)
		})
}

// The registry's tables, for the buffered writes.
var (
	unitsTable = &Table{Name: "admin_units", Key: []string{"code"},
		Cols: []string{"code", "name", "name_en", "level", "parent", "area_km2", "population"}}
	parksTable = &Table{Name: "parks", Key: []string{"code"},
		Cols: []string{"code", "name", "county", "kind", "lon", "lat", "boundary", "min_lon", "min_lat", "max_lon", "max_lat"}}
	enterprisesTable = &Table{Name: "enterprises", Key: []string{"uscc"}, Cols: []string{"uscc", "name", "county", "industry_code",
		"size", "status", "park", "address", "lon", "lat", "land_mu", "employees", "founded", "synthetic"}}
	licencesTable = &Table{Name: "licences", Key: []string{"uscc", "licence_no"}, Cols: []string{"uscc", "licence_no", "issued", "valid_to", "status"}}
	sitesTable    = &Table{Name: "sites", Key: []string{"uscc"}, Cols: []string{"uscc", "land_status", "certificate_no"}}
	safetyTable   = &Table{Name: "safety", Key: []string{"uscc", "assessed_on"}, Cols: []string{"uscc", "assessed_on", "result", "valid_to"}}
	outletsTable  = &Table{Name: "outlets", Key: []string{"uscc", "outlet_code"},
		Cols: []string{"uscc", "outlet_code", "kind", "name", "lon", "lat", "height_m", "mn", "pw"}}
	facilitiesTable = &Table{Name: "facilities", Key: []string{"uscc", "facility_code"},
		Cols: []string{"uscc", "facility_code", "kind", "outlet_code", "in_service", "installed"}}
	permitsTable = &Table{Name: "permits", Key: []string{"permit_no"}, Cols: []string{"permit_no", "uscc", "class", "valid_from", "valid_to"}}
	limitsTable  = &Table{Name: "permit_limits", Key: []string{"permit_no", "outlet_code", "pollutant_code"},
		Cols: []string{"permit_no", "uscc", "outlet_code", "pollutant_code", "limit_concentration", "limit_unit", "annual_quantity_t"}}
	changesTable = &Table{Name: "changes", Cols: []string{"at", "actor", "kind", "key", "uscc", "op", "fields"}}
)

// null stores "" as NULL, for optional references and unique columns.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *registryTx) PutUnit(_ context.Context, u registry.AdminUnit) error {
	t.c.Put(unitsTable, []any{u.Code, u.Name, u.NameEn, u.Level, u.Parent, u.AreaKm2, u.Population})
	return nil
}

func (t *registryTx) PutPark(_ context.Context, p registry.Park) error {
	var b geo.Box
	if p.Boundary != "" {
		sh, err := geo.ParseShape(p.Boundary)
		if err != nil {
			return fmt.Errorf("%s: park %s boundary: %w", t.d.Name, p.Code, err)
		}
		b = sh.Bounds()
	}
	t.c.Put(parksTable, []any{p.Code, p.Name, p.County, p.Kind, p.Lon, p.Lat, p.Boundary, b.MinLon, b.MinLat, b.MaxLon, b.MaxLat})
	return nil
}

func (t *registryTx) PutEnterprise(_ context.Context, e registry.Enterprise) error {
	t.c.Put(enterprisesTable, []any{e.USCC, e.Name, e.County, e.IndustryCode, e.Size, e.Status, null(e.Park), e.Address,
		e.Lon, e.Lat, e.LandMu, e.Employees, e.Founded, e.Synthetic})
	return nil
}

func (t *registryTx) PutLicence(_ context.Context, l registry.Licence) error {
	t.c.Put(licencesTable, []any{l.USCC, l.LicenceNo, l.Issued, l.ValidTo, l.Status})
	return nil
}

func (t *registryTx) PutSite(_ context.Context, s registry.Site) error {
	t.c.Put(sitesTable, []any{s.USCC, s.LandStatus, s.CertificateNo})
	return nil
}

func (t *registryTx) PutSafety(_ context.Context, s registry.Safety) error {
	t.c.Put(safetyTable, []any{s.USCC, s.AssessedOn, s.Result, s.ValidTo})
	return nil
}

func (t *registryTx) PutFacility(_ context.Context, f registry.Facility) error {
	t.c.Put(facilitiesTable, []any{f.USCC, f.FacilityCode, f.Kind, null(f.OutletCode), f.InService, f.Installed})
	return nil
}

func (t *registryTx) PutOutlet(_ context.Context, o registry.Outlet) error {
	t.c.Put(outletsTable, []any{o.USCC, o.OutletCode, o.Kind, o.Name, o.Lon, o.Lat, o.HeightM, null(o.MN), o.PW})
	return nil
}

func (t *registryTx) PutPermit(_ context.Context, l registry.PermitLimit) error {
	t.c.Put(permitsTable, []any{l.PermitNo, l.USCC, l.Class, l.ValidFrom, l.ValidTo})
	t.c.Put(limitsTable, []any{l.PermitNo, l.USCC, l.OutletCode, l.PollutantCode, l.LimitConcentration, l.LimitUnit, l.AnnualQuantityT})
	return nil
}

func (t *registryTx) AddChange(_ context.Context, c registry.Change) error {
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return err
	}
	t.c.Put(changesTable, []any{t.d.Time(c.At), c.Actor, c.Kind, c.Key, c.USCC, c.Op, string(fields)})
	return nil
}

// ScanTable implements registry.Reader.
func (r reader) ScanTable(ctx context.Context, t *registry.Table, uscc string, each func(scan func(dest ...any) error) error) error {
	where, args := byOwner(uscc)
	rows, err := r.q.QueryContext(ctx, "SELECT "+strings.Join(t.Cols, ", ")+" FROM "+t.Name+where+" ORDER BY "+strings.Join(t.Key, ", "), args...)
	if err != nil {
		return r.wrap(t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return r.wrap(t.Name, err)
		}
	}
	return r.wrap(t.Name, rows.Err())
}

// Put implements registry.Tx.
func (t *registryTx) Put(_ context.Context, tb *registry.Table, row []any) error {
	st, ok := t.tables[tb]
	if !ok {
		if t.tables == nil {
			t.tables = map[*registry.Table]*Table{}
		}
		st = &Table{Name: tb.Name, Key: tb.Key, Cols: tb.Cols}
		t.tables[tb] = st
	}
	t.c.Put(st, row)
	return nil
}

// Flush implements registry.Tx.
func (t *registryTx) Flush(ctx context.Context) error { return t.c.Flush(ctx) }

// timestamp scans a time stored as a timestamp (PostgreSQL) or as
// RFC 3339 text (SQLite).
type timestamp struct{ time.Time }

func (t *timestamp) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		t.Time = v
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("timestamp: cannot scan %T", v)
}

func (t *timestamp) parse(s string) (err error) {
	t.Time, err = time.Parse(time.RFC3339Nano, s)
	return err
}
