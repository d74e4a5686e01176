package registry_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
)

const benchEnterprises = 100_000

// writeXLSX writes a demo table as an XLSX file in dir.
func writeXLSX(b *testing.B, dir string, t demo.Table) string {
	b.Helper()
	path := filepath.Join(dir, t.Kind+".xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := sheet.Write(f, "xlsx", t.Header, t.Rows); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchStores are the stores a benchmark runs on, each opening a new, empty store.
var benchStores = []struct {
	name string
	open func(b *testing.B, dir string, i int) *store.DB
}{
	{"sqlite", func(b *testing.B, dir string, i int) *store.DB {
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, "bench"+itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		return db
	}},
	{"postgres", func(b *testing.B, _ string, _ int) *store.DB {
		db, err := postgres.Open(context.Background(), pgtest.URL(b), 0)
		if err != nil {
			b.Fatal(err)
		}
		return db
	}},
}

func importFile(b *testing.B, svc *registry.Service, kind, path string) registry.Result {
	b.Helper()
	t, err := sheet.Read(path)
	if err != nil {
		b.Fatal(err)
	}
	k, _ := registry.KindByName(kind)
	res, err := svc.Import(context.Background(), k, t, auth.Server("bench"), false)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkImportEnterprisesXLSX100k times what `ecoind import enterprises
// FILE.xlsx` does with 100,000 rows into a new store: read the workbook,
// validate every row, write them and their history in one transaction.
func BenchmarkImportEnterprisesXLSX100k(b *testing.B) {
	dir := b.TempDir()
	parks := writeXLSX(b, dir, demo.Parks())
	ents := writeXLSX(b, dir, demo.Enterprises(1, benchEnterprises))
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				db := st.open(b, dir, i)
				svc := registry.NewService(db)
				importFile(b, svc, "parks", parks)
				b.StartTimer()
				if res := importFile(b, svc, "enterprises", ents); res.Created != benchEnterprises {
					b.Fatalf("%+v", res)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(benchEnterprises), "rows/op")
		})
	}
}

// BenchmarkListEnterprises100k runs the dashboard's list queries, filters
// and free text included, over 100,000 enterprises, and reports the 50th
// and 99th percentile of one query's latency.
func BenchmarkListEnterprises100k(b *testing.B) {
	dir := b.TempDir()
	parks := writeXLSX(b, dir, demo.Parks())
	ents := writeXLSX(b, dir, demo.Enterprises(1, benchEnterprises))
	ctx := context.Background()
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			db := st.open(b, dir, 0)
			defer db.Close()
			svc := registry.NewService(db)
			importFile(b, svc, "parks", parks)
			importFile(b, svc, "enterprises", ents)
			// The steady state: statistics as autovacuum leaves them after an import.
			if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			var lat []time.Duration
			for b.Loop() {
				for _, q := range listQueries {
					start := time.Now()
					if _, _, err := svc.Enterprises(ctx, sys, q); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		})
	}
}

// listQueries are what the dashboard asks of the list: pages, each filter,
// free text of one to eight characters, and a distance.
var listQueries = []registry.EnterpriseFilter{
	{Limit: 50},
	{Limit: 50, Offset: 5000},
	{County: "331121", Limit: 50},
	{County: "331122", Size: "above", Limit: 50},
	{Industry: "29", Limit: 50},
	{Industry: "3443", County: "331121", Limit: 50},
	{Status: "closed", Limit: 50},
	{Park: "LS-ETDZ", Limit: 50},
	{Q: "合成革", Limit: 50},
	{Q: "阀门", County: "331121", Limit: 50},
	{Q: "华", Limit: 50},
	{Q: "不存在的企业名称", Limit: 50},
	{Near: &registry.Circle{Lon: 119.92, Lat: 28.45, RadiusM: 5000}, Limit: 50},
}
