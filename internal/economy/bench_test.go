package economy_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// inputs are n synthetic enterprises of one county: a fifth 规上, some
// without land, energy or emissions.
func inputs(n int) []economy.Input {
	r := rand.New(rand.NewPCG(15, 2024))
	ins := make([]economy.Input, n)
	for i := range ins {
		size := "below"
		if i%5 == 0 {
			size = "above"
		}
		land := float64(r.IntN(200))
		ins[i] = economy.Input{Name: fmt.Sprint("企业", i), Industry: "3443", Size: size, Annual: economy.Annual{
			USCC: storetest.USCC("331102", i+1), Year: 2024, LandMu: land, Tax: r.Float64() * 500, ValueAdded: r.Float64() * 5000,
			Revenue: r.Float64() * 20000, EnergyTce: float64(r.IntN(3000)), Kwh: r.Float64() * 1e7, EmissionsT: float64(r.IntN(50)),
			RD: r.Float64() * 300, Employees: r.IntN(500)}}
	}
	return ins
}

// BenchmarkEvaluate100k: score, rank and class 100,000 enterprises of one
// county-year in memory (issue 15).
func BenchmarkEvaluate100k(b *testing.B) {
	m, _, err := economy.Preset("lishui-default")
	if err != nil {
		b.Fatal(err)
	}
	ins := inputs(100_000)
	b.ReportAllocs()
	for b.Loop() {
		out := economy.Evaluate(m, ins)
		if len(out.Results) == 0 {
			b.Fatal("nothing evaluated")
		}
	}
}

// BenchmarkEvaluateStored100k is the whole run on SQLite: read the
// county's 100,000 enterprises and their year, evaluate, and keep the run
// with its inputs and results.
func BenchmarkEvaluateStored100k(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ins := inputs(100_000)
	err = db.Update(ctx, func(tx registry.Tx) error {
		for _, in := range ins {
			e := registry.Enterprise{USCC: in.USCC, Name: in.Name, County: "331102", IndustryCode: in.Industry, Size: in.Size, Status: "operating", LandMu: in.LandMu}
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// The year's figures go in as an official's file would.
	t := &sheet.Table{File: "annual.csv", Header: []string{"uscc", "year", "tax", "value_added", "revenue", "energy_tce", "electricity_kwh", "emissions_t", "rd", "employees", "source"}}
	for i, in := range ins {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		t.Rows = append(t.Rows, sheet.Row{Num: i + 2, Cells: []string{in.USCC, "2024", f(in.Tax), f(in.ValueAdded), f(in.Revenue), f(in.EnergyTce),
			f(in.Kwh), f(in.EmissionsT), f(in.RD), strconv.Itoa(in.Employees), "统计"}})
	}
	if _, err := registry.NewService(db).Import(ctx, economy.AnnualKind, t, sys, false); err != nil {
		b.Fatal(err)
	}
	m, text, err := economy.Preset("lishui-default")
	if err != nil {
		b.Fatal(err)
	}
	svc := economy.NewService(db)
	b.ReportAllocs()
	for b.Loop() {
		run, _, err := svc.Evaluate(ctx, sys, "331102", 2024, m, string(text))
		if err != nil || run.Evaluated == 0 {
			b.Fatal(run, err)
		}
	}
}

// clusterDB is a SQLite store with n synthetic enterprises over the nine
// counties, of the classes of the leading industries and others, each with
// ten years (2015–2024) of figures, imported as an official's files would be.
func clusterDB(b *testing.B, n int) *store.DB {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	counties := []string{"331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"}
	codes := []string{"3973", "3985", "3562", "3484", "3443", "2925", "1819", "2710", "3581", "3971", "1530", "2041", "3360", "3130"}
	r := rand.New(rand.NewPCG(29, 2024))
	ents := make([]registry.Enterprise, n)
	err = db.Update(ctx, func(tx registry.Tx) error {
		for i := range ents {
			c := counties[i%len(counties)]
			ents[i] = registry.Enterprise{USCC: storetest.USCC(c, i+1), Name: fmt.Sprint("企业", i), County: c, IndustryCode: codes[r.IntN(len(codes))],
				Size: []string{"above", "below", "below"}[i%3], Status: "operating", LandMu: 1 + float64(r.IntN(200))}
			if err := tx.PutEnterprise(ctx, ents[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	reg := registry.NewService(db)
	for y := 2015; y <= 2024; y++ {
		t := &sheet.Table{File: "annual.csv", Header: []string{"uscc", "year", "tax", "value_added", "revenue", "source"}}
		for i, e := range ents {
			rev := 100 + r.Float64()*20000
			t.Rows = append(t.Rows, sheet.Row{Num: i + 2, Cells: []string{e.USCC, strconv.Itoa(y), strconv.FormatFloat(rev*0.04, 'f', 2, 64),
				strconv.FormatFloat(rev*0.22, 'f', 2, 64), strconv.FormatFloat(rev, 'f', 2, 64), "统计"}})
		}
		if _, err := reg.Import(ctx, economy.AnnualKind, t, sys, false); err != nil {
			b.Fatal(err)
		}
	}
	svc := economy.NewService(db)
	m, text, _ := economy.Preset("lishui-default")
	for _, c := range counties {
		if _, _, err := svc.Evaluate(ctx, sys, c, 2024, m, string(text)); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkClusters10y: the city's leading industries with ten years'
// series (GET /api/v1/clusters), on SQLite, for the demo's size (3,000
// enterprises) and ten times that; classes from the nine counties'
// stored evaluations. Cold: a service of its own each time, so the
// figures are read (as after any change to the registry); warm: one
// service, the figures from its cache after the first.
func BenchmarkClusters10y(b *testing.B) {
	for _, n := range []int{3_000, 30_000} {
		db := clusterDB(b, n)
		for _, cold := range []bool{true, false} {
			b.Run(fmt.Sprintf("enterprises=%d/cold=%v", n, cold), func(b *testing.B) {
				svc := economy.NewService(db)
				if _, err := svc.Clusters(context.Background(), sys, 2024, "", ""); err != nil { // warm: the figures read before timing
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if cold {
						svc = economy.NewService(db)
					}
					rep, err := svc.Clusters(context.Background(), sys, 2024, "", "")
					if err != nil || rep.Industries[0].Enterprises == 0 {
						b.Fatal(rep, err)
					}
				}
			})
		}
	}
}
