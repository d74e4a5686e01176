package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store/storetest"
)

// BenchmarkFollow judges the rollups one roll of the ingestion benchmark's
// load changes (10,000 registered gas-boiler outlets, six pollutants, two
// real-time frames each in an hour: its minute, hour and day rollups, about
// 300,000 changes) from a fresh runner: the rules' side of keeping up with
// the rollups (bench/rules-lag.sh measures the lag end to end).
func BenchmarkFollow(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	const loggers = 10_000
	err := s.Update(ctx, func(tx registry.Tx) error {
		errs := []error{tx.PutPark(ctx, storetest.Park)}
		for i := range loggers {
			e, o := storetest.Ent, storetest.Outlet
			e.USCC = storetest.USCC("331102", 10+i)
			o.USCC, o.MN = e.USCC, fmt.Sprintf("88888880%016d", i)
			errs = append(errs, tx.PutEnterprise(ctx, e), tx.PutOutlet(ctx, o),
				tx.PutFacility(ctx, registry.Facility{USCC: e.USCC, FacilityCode: "TA001", Kind: "燃气锅炉", OutletCode: o.OutletCode, InService: true}))
		}
		return errors.Join(errs...)
	})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, cst.Zone)
	rnd := rand.New(rand.NewPCG(1, 2))
	var batch []*monitoring.Received
	for i := range loggers {
		for k := range 2 {
			f := &hj212.Frame{Version: "2017", QN: "20261130100000000", ST: "31", CN: "2011", PW: "123456",
				MN: fmt.Sprintf("88888880%016d", i), Flag: 5, DataTime: at.Add(time.Duration(k) * 30 * time.Minute)}
			// Under the limits (PM 20, SO2 50, NOx 200 mg/m3), as most hours
			// are; CO has no limit for a boiler (one unknown_limit each).
			for _, v := range []struct {
				code       string
				base, span float64
			}{{"a34013", 2, 10}, {"a21026", 5, 20}, {"a21002", 30, 60}, {"a21005", 10, 20}, {"a19001", 8, 4}, {"a00000", 1000, 500}} {
				f.Values = append(f.Values, hj212.Value{Code: v.code, Field: "Rtd", Value: v.base + v.span*rnd.Float64(), Flag: "N"})
			}
			raw, _ := hj212.Encode(f)
			batch = append(batch, &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:1", At: time.Now(),
				USCC: storetest.USCC("331102", 10+i), Outlet: "DA001"})
		}
	}
	if _, err := s.WriteBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	if _, err := monitoring.Roll(ctx, s, len(batch), 0); err != nil {
		b.Fatal(err)
	}
	changed, err := s.RollupsSince(ctx, 0, 10_000_000)
	if err != nil {
		b.Fatal(err)
	}
	follow := func(b *testing.B, r *rules.Runner) {
		cur, err := s.Cursor(ctx, "exceedance")
		if err != nil {
			b.Fatal(err)
		}
		if cur > 0 {
			if err := s.MoveCursor(ctx, "exceedance", cur, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := r.Follow(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	}
	// Warm: a runner that has followed before (as a server's does), its
	// registry and days read; cold: a new one.
	b.Run("warm", func(b *testing.B) {
		r := rules.NewRunner(s, slog.New(slog.DiscardHandler))
		b.StopTimer()
		follow(b, r)
		b.ResetTimer()
		b.StopTimer()
		for range b.N {
			follow(b, r)
		}
		b.ReportMetric(float64(len(changed))*float64(b.N)/b.Elapsed().Seconds(), "rollups/s")
	})
	b.Run("cold", func(b *testing.B) {
		b.StopTimer()
		for range b.N {
			follow(b, rules.NewRunner(s, slog.New(slog.DiscardHandler)))
		}
		b.ReportMetric(float64(len(changed))*float64(b.N)/b.Elapsed().Seconds(), "rollups/s")
	})
}
