package registry_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// BenchmarkImportMemory imports, as the API does (sheet.OpenCSV or
// OpenXLSX, then ImportRows), a file of 100,000 good enterprises into a new
// store, and files of sheet.MaxRows enterprises with five problems each,
// and reports the peak of the heap during the import above what it was
// before (peak-heap-MB), beside the bytes allocated (B/op). Issue 12: a
// 50 MB CSV of bad rows took the server to 4.9 GB.
func BenchmarkImportMemory(b *testing.B) {
	dir := b.TempDir()
	parks := writeXLSX(b, dir, demo.Parks())
	good := demo.Enterprises(1, benchEnterprises)
	bad := badEnterprises(demo.Enterprises(2, sheet.MaxRows))
	files := []struct{ name, path string }{
		{"good.csv", writeFile(b, dir, "good.csv", good)},
		{"bad.csv", writeFile(b, dir, "bad.csv", bad)},
		{"bad.xlsx", writeFile(b, dir, "bad.xlsx", bad)},
	}
	k, _ := registry.KindByName("enterprises")
	for _, st := range benchStores {
		for _, f := range files {
			b.Run(st.name+"/"+f.name, func(b *testing.B) {
				fi, _ := os.Stat(f.path)
				b.SetBytes(fi.Size())
				b.ReportAllocs()
				var peak uint64
				i := 0
				for b.Loop() {
					b.StopTimer()
					i++
					db := st.open(b, dir, i)
					svc := registry.NewService(db)
					importFile(b, svc, "parks", parks)
					runtime.GC()
					b.StartTimer()
					stop := heapPeak()
					rows, err := sheet.Open(f.path)
					if err != nil {
						b.Fatal(err)
					}
					res, err := svc.ImportRows(context.Background(), k, rows, auth.Server("bench"), false)
					rows.Close()
					peak = max(peak, stop())
					b.StopTimer()
					var invalid *registry.InvalidError
					switch {
					case f.name == "good.csv" && (err != nil || res.Created != benchEnterprises):
						b.Fatalf("%+v %v", res, err)
					case f.name != "good.csv" && (!errors.As(err, &invalid) || invalid.Total != 5*sheet.MaxRows):
						b.Fatalf("%+v %.200v", res, err)
					}
					db.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// badEnterprises spoils five fields of every row: the USCC's check
// digit, the county, the industry (a division, not a class), the size and
// the longitude (the latitude is left out, else its pair would be a sixth).
func badEnterprises(t demo.Table) demo.Table {
	col := func(name string) int { return slices.Index(t.Header, name) }
	uscc, county, industry, size, lon, lat := col("uscc"), col("county"), col("industry_code"), col("size"), col("lon"), col("lat")
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		r = slices.Clone(r)
		c := r[uscc][17]
		r[uscc] = r[uscc][:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(len("0123456789ABCDEFGHJKLMNPQRTUWXY")+int(c-'0')+1)%31])
		r[county], r[industry], r[size], r[lon], r[lat] = "北京市", "29", "huge", "NaN", ""
		rows[i] = r
	}
	t.Rows = rows
	return t
}

// writeFile writes a demo table as CSV or XLSX, by name's extension.
func writeFile(b *testing.B, dir, name string, t demo.Table) string {
	b.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := sheet.Write(f, filepath.Ext(name)[1:], t.Header, t.Rows); err != nil {
		b.Fatal(err)
	}
	return path
}

// heapPeak samples the heap every 10 ms until the returned function is
// called, which returns its peak above the heap at the start.
func heapPeak() (stop func() uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base, peak := m.HeapAlloc, m.HeapAlloc
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak - base
	}
}
