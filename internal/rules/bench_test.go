package rules_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// The benchmarks' database (issue 14): ENTERPRISES enterprises (default
// 30,000), the first 1,000 of county 331102, the others of eight other
// counties, and ALARMS alarms (default 1,000,000), one every 90 s back
// from asOf (about 2.9 years: most in the grid's window), of the seven
// kinds, a third each open, acknowledged and resolved, spread evenly over
// the enterprises: 33 each by default, 333 with ENTERPRISES=3000.
var asOf = time.Date(2026, 12, 4, 9, 0, 0, 0, cst.Zone)

var counties = []string{"331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// seed fills db and returns the USCCs, by number.
func seed(b *testing.B, db *store.DB, postgresql bool) []string {
	ctx := context.Background()
	enterprises := envInt("ENTERPRISES", 30_000)
	usccs, ofCounty := make([]string, enterprises), make([]string, enterprises)
	err := db.Update(ctx, func(tx registry.Tx) error {
		for i := range usccs {
			county := counties[0]
			if i >= 1000 {
				county = counties[1+i%8]
			}
			e := storetest.Ent
			e.USCC, e.County, e.Park, e.Name = storetest.USCC(county, i+1), county, "", fmt.Sprintf("基准企业%04d", i)
			usccs[i], ofCounty[i] = e.USCC, county
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	n, end := envInt("ALARMS", 1_000_000), asOf.Unix()
	err = db.Tx(ctx, func(c *store.Conn) error {
		if _, err := c.ExecContext(ctx, `CREATE TABLE bench_e (k INTEGER PRIMARY KEY, uscc TEXT NOT NULL, county TEXT NOT NULL)`); err != nil {
			return err
		}
		for i, u := range usccs {
			if _, err := c.ExecContext(ctx, `INSERT INTO bench_e (k, uscc, county) VALUES ($1, $2, $3)`, i, u, ofCounty[i]); err != nil {
				return err
			}
		}
		cols := `kind, state, uscc, outlet_code, pollutant, started_at, ended_at, limit_value, limit_source, peak, multiple, periods, evidence, version, county`
		vals := `(ARRAY['exceedance','data_gap','flat_line','flag','out_of_range','duplicate_series','load'])[i % 7 + 1],
			(ARRAY['open','acknowledged','resolved'])[i % 3 + 1], e.uscc, 'DA001', 'a21026',
			to_timestamp($1 - i * 90), to_timestamp($1 - i * 90 + 3600), 50, 'GB 13271-2014', 50 + i % 200, (50 + i % 200) / 50.0, 1, '{}', 1, e.county
			FROM generate_series(1, $2) AS g(i) JOIN bench_e e ON e.k = i % ` + strconv.Itoa(enterprises)
		q := `INSERT INTO alarms (` + cols + `) SELECT ` + vals
		if !postgresql {
			vals = `CASE i % 7 WHEN 0 THEN 'exceedance' WHEN 1 THEN 'data_gap' WHEN 2 THEN 'flat_line' WHEN 3 THEN 'flag' WHEN 4 THEN 'out_of_range'
				WHEN 5 THEN 'duplicate_series' ELSE 'load' END, CASE i % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'acknowledged' ELSE 'resolved' END,
				e.uscc, 'DA001', 'a21026', strftime('%Y-%m-%dT%H:%M:%S.000000000Z', $1 - i * 90, 'unixepoch'),
				strftime('%Y-%m-%dT%H:%M:%S.000000000Z', $1 - i * 90 + 3600, 'unixepoch'), 50, 'GB 13271-2014', 50 + i % 200, (50 + i % 200) / 50.0, 1, '{}', 1, e.county
				FROM n JOIN bench_e e ON e.k = i % ` + strconv.Itoa(enterprises)
			q = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) INSERT INTO alarms (` + cols + `) SELECT ` + vals
		}
		if _, err := c.ExecContext(ctx, q, end, n); err != nil {
			return err
		}
		_, err := c.ExecContext(ctx, `DROP TABLE bench_e`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Tx(ctx, func(c *store.Conn) error { _, err := c.ExecContext(ctx, "ANALYZE"); return err }); err != nil {
		b.Fatal(err)
	}
	return usccs
}

// stores runs fn on a seeded SQLite file and a seeded PostgreSQL
// database (when scripts/postgres.sh gave one).
func stores(b *testing.B, fn func(b *testing.B, db *store.DB, usccs []string)) {
	b.Run("sqlite", func(b *testing.B) {
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		fn(b, db, seed(b, db, false))
	})
	b.Run("postgres", func(b *testing.B) {
		url := pgtest.URL(b)
		db, err := postgres.Open(context.Background(), url, 4)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		usccs := seed(b, db, true)
		// What autovacuum does to a table after a million inserts: its
		// visibility map lets index-only scans skip the rows.
		raw, err := sql.Open("pgx", url) // registered by package postgres
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.ExecContext(context.Background(), "VACUUM ANALYZE alarms"); err != nil {
			b.Fatal(err)
		}
		fn(b, db, usccs)
	})
}

// BenchmarkCountyGrid: the twelve-quarter grids of a county's 1,000
// enterprises (one page), with about a third of a million of their alarms
// in the window.
func BenchmarkCountyGrid(b *testing.B) {
	stores(b, func(b *testing.B, db *store.DB, _ []string) {
		v := rules.NewService(db)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := cpuTime()
		defer func() { b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op") }()
		for b.Loop() {
			p, err := v.Grids(context.Background(), auth.Command("bench"), registry.EnterpriseFilter{County: "331102", Limit: 1000}, asOf)
			if err != nil || len(p.Items) != 1000 {
				b.Fatalf("%d grids, %v", len(p.Items), err)
			}
		}
	})
}

// BenchmarkAlarmList: pages of the alarm list (GET /api/v1/alarms) as an
// officer asks for them: the newest, by state, kind, county, enterprise,
// and two together, each with its total; the 99th percentile of all.
func BenchmarkAlarmList(b *testing.B) {
	stores(b, func(b *testing.B, db *store.DB, usccs []string) {
		v := rules.NewService(db)
		county := auth.Principal{Kind: auth.User, Name: "c", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331121"}}
		type query struct {
			name string
			by   auth.Principal
			f    rules.AlarmFilter
		}
		qs := []query{
			{"newest", auth.Command("bench"), rules.AlarmFilter{}},
			{"open", auth.Command("bench"), rules.AlarmFilter{States: []string{rules.Open}}},
			{"kind", auth.Command("bench"), rules.AlarmFilter{Kind: rules.Exceedance}},
			{"county", auth.Command("bench"), rules.AlarmFilter{County: "331102"}},
			{"enterprise", auth.Command("bench"), rules.AlarmFilter{USCC: usccs[42]}},
			{"county-officer-open-exceedance", county, rules.AlarmFilter{States: []string{rules.Open}, Kind: rules.Exceedance}},
			{"month", auth.Command("bench"), rules.AlarmFilter{From: asOf.AddDate(0, -2, 0), To: asOf.AddDate(0, -1, 0)}},
			{"page-50", auth.Command("bench"), rules.AlarmFilter{Offset: 4900}},
		}
		// One untimed round first: the steady state, not the first read
		// of each index from disk after seeding.
		for _, q := range qs {
			q.f.Limit = 100
			if _, _, err := v.Alarms(context.Background(), q.by, q.f); err != nil {
				b.Fatal(err)
			}
		}
		times := map[string][]time.Duration{}
		b.ReportAllocs()
		b.ResetTimer()
		cpu := cpuTime()
		for b.Loop() {
			for _, q := range qs {
				q.f.Limit = 100
				t0 := time.Now()
				as, total, err := v.Alarms(context.Background(), q.by, q.f)
				times[q.name] = append(times[q.name], time.Since(t0))
				if err != nil || len(as) == 0 || total < len(as) {
					b.Fatalf("%s: %d alarms of %d, %v", q.name, len(as), total, err)
				}
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N*len(qs)), "cpu-ms/query")
		var all []time.Duration
		for _, q := range qs {
			ts := times[q.name]
			all = append(all, ts...)
			slices.Sort(ts)
			b.ReportMetric(float64(ts[len(ts)*99/100].Microseconds())/1000, "ms-p99-"+q.name)
		}
		slices.Sort(all)
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "ms-p50")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "ms-p99")
	})
}

// cpuTime is the process's CPU time, user and system: on a machine shared
// with other work, wall times say more of the others than of us. On
// PostgreSQL it leaves out the server's.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
