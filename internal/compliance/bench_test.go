package compliance_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
)

// Reproduce with (PostgreSQL through $ECOIND_TEST_POSTGRES, as make test
// starts it; without it the postgres runs are skipped):
//
//	go test ./internal/compliance -run '^$' -bench 'Screen100k|Evaluate100k' -benchtime 5x -timeout 60m
//	go test ./internal/compliance -run '^$' -bench 'Stats10k' -benchtime 50x -timeout 30m

// benchAsOf is the day the demo dataset describes.
const benchAsOf = "2026-09-30"

var benchStores = []struct {
	name string
	open func(b *testing.B) *store.DB
}{
	{"sqlite", func(b *testing.B) *store.DB {
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return db
	}},
	{"postgres", func(b *testing.B) *store.DB {
		db, err := postgres.Open(context.Background(), pgtest.URL(b), 0)
		if err != nil {
			b.Fatal(err)
		}
		return db
	}},
}

// loadDemo fills db with the demo registry of n enterprises and every
// record a bureau keeps on them, through the ordinary import path.
func loadDemo(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, registry.NewService(db), demo.Generate(1, n)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScreen100k times Screen over the demo registry of 100,000
// enterprises (with their licences, sites, safety assessments, outlets and
// facilities): read it all, evaluate the four criteria and the 散乱污 rules,
// and store the run with its candidates. The bar is 2 s.
func BenchmarkScreen100k(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			db := st.open(b)
			defer db.Close()
			loadDemo(b, db, 100_000)
			svc := compliance.NewService(db, db.Attachments(b.TempDir()))
			var run compliance.Run
			for b.Loop() {
				var err error
				if run, err = svc.Screen(ctx, compliance.SanLuanWu(), benchAsOf, auth.Server("bench")); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(run.Screened), "screened")
			b.ReportMetric(float64(run.Selected), "selected")
			// Where the time goes: the reading alone.
			start := time.Now()
			if _, err := db.Records(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "load-ms")
		})
	}
}

// BenchmarkEvaluate100k is the in-memory part of BenchmarkScreen100k alone.
func BenchmarkEvaluate100k(b *testing.B) {
	ctx := context.Background()
	db := benchStores[0].open(b)
	defer db.Close()
	loadDemo(b, db, 100_000)
	recs, err := db.Records(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cands []compliance.Candidate
	for b.Loop() {
		cands, _ = compliance.Evaluate(recs, compliance.SanLuanWu(), benchAsOf, nil)
	}
	b.ReportMetric(float64(len(cands)), "selected")
}

// BenchmarkStats10k times a campaign's statistics over 10,000 cases in
// every state, disposition, county and industry. The bar is 200 ms.
func BenchmarkStats10k(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			db := st.open(b)
			defer db.Close()
			loadDemo(b, db, 10_600)
			svc := compliance.NewService(db, db.Attachments(b.TempDir()))
			c, err := svc.CreateCampaign(ctx, compliance.Campaign{Name: "全市“散乱污”整治（基准测试）", LeadUnit: "丽水市生态环境局",
				Start: "2026-01-01", End: "2099-12-31", Rules: compliance.SanLuanWu(), Synthetic: true}, auth.Server("bench"))
			if err != nil {
				b.Fatal(err)
			}
			res, err := svc.Survey(ctx, c.ID, compliance.SurveyOptions{All: true, AsOf: benchAsOf}, auth.Server("bench"))
			if err != nil {
				b.Fatal(err)
			}
			if res.Created < 10_000 {
				b.Fatalf("%d cases, want 10,000 or more", res.Created)
			}
			spread(b, db, c.ID)
			var stats compliance.Stats
			for b.Loop() {
				if stats, err = svc.Stats(ctx, sys, c.ID, benchAsOf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(stats.Total.Surveyed), "cases")
		})
	}
}

// spread gives the surveyed cases the states, dispositions and dates of a
// campaign under way, writing their columns directly.
func spread(b *testing.B, db *store.DB, campaign int64) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	err := db.UpdateCompliance(ctx, func(tx compliance.Tx) error {
		cs, err := tx.Summaries(ctx, campaign)
		if err != nil {
			return err
		}
		for _, s := range cs {
			c := compliance.Case{Summary: s}
			read := c.Version
			day := func() string { return fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(9), 1+r.IntN(28)) }
			c.State = compliance.States[r.IntN(len(compliance.States))]
			if c.State != compliance.Surveyed && c.State != compliance.Dismissed {
				c.Disposition = compliance.Dispositions[r.IntN(len(compliance.Dispositions))]
				c.Deadline = day()
				if r.IntN(2) == 0 {
					c.CarriedOutOn = day()
				}
			}
			if c.State == compliance.Accepted || c.State == compliance.ClosedOut {
				c.AcceptedOn = day()
			}
			if c.State == compliance.ClosedOut {
				c.ClosedOutOn = day()
			}
			if r.IntN(20) == 0 {
				c.Relapses, c.RelapsedOn = 1, day()
			}
			c.Version++
			if err := tx.UpdateCase(ctx, c, read); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// sys reads as the command line does: everything.
var sys = auth.Command("bench")
