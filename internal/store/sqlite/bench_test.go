package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
)

// batchOf makes size real-time frames, six pollutants each, the n-th to
// (n+size-1)-th of 10,000 loggers sending every 30 s.
func batchOf(n, size int) []*monitoring.Received {
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, cst.Zone)
	batch := make([]*monitoring.Received, size)
	for i := range batch {
		f := &hj212.Frame{Version: "2017", QN: "20261130000000000", ST: "31", CN: "2011", PW: "123456",
			MN: fmt.Sprintf("88888880%016d", n%10000), Flag: 5, DataTime: at.Add(time.Duration(n/10000) * 30 * time.Second)}
		for _, code := range []string{"a34013", "a21026", "a21002", "a21005", "a19001", "a00000"} {
			f.Values = append(f.Values, hj212.Value{Code: code, Field: "Rtd", Value: float64(n % 97), Flag: "N"},
				hj212.Value{Code: code, Field: "Flag", Text: "N", IsText: true, Flag: "N"})
		}
		raw, _ := hj212.Encode(f)
		batch[i] = &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:1", At: time.Now(), USCC: fmt.Sprintf("U%05d", n%10000), Outlet: "DA001"}
		n++
	}
	// Frames arrive in no order of logger.
	rand.New(rand.NewPCG(uint64(n), 1)).Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	return batch
}

// BenchmarkWriteBatch writes batches of 4,096 real-time frames, six
// pollutants each, from 10,000 loggers: the writer's work per commit. The
// table grows with every batch: run it long enough (-benchtime 100x: to
// 400,000 frames) that the indexes no longer fit a few pages.
func BenchmarkWriteBatch(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	size := 4096
	if v := os.Getenv("BATCH"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := batchOf(n, size)
		n += size
		b.StartTimer()
		if _, err := s.WriteBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "frames/op")
}

// BenchmarkRoll folds 20,000 stored frames (a roll's chunk) into the
// minute, hour and day rollups.
func BenchmarkRoll(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	const chunk = 20_000
	n := 0
	for b.Loop() {
		b.StopTimer()
		for range chunk / 4000 {
			if _, err := s.WriteBatch(ctx, batchOf(n, 4000)); err != nil {
				b.Fatal(err)
			}
			n += 4000
		}
		b.StartTimer()
		if got, err := monitoring.Roll(ctx, s, chunk, 0); err != nil || got != chunk {
			b.Fatal(got, err)
		}
	}
	b.ReportMetric(chunk, "frames/op")
}

// BenchmarkRollSteady folds what the end-to-end load brings in 30 s, the
// roller's interval: 10,000 loggers, a frame a second each (300,000
// frames), into 10,000 outlets' minute, hour and day rollups.
func BenchmarkRollSteady(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	const loggers, seconds = 10_000, 30
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for sec := range seconds {
			batch := batchOf(0, loggers)
			for _, r := range batch {
				r.Frame.DataTime = r.Frame.DataTime.Add(time.Duration(i*seconds+sec) * time.Second)
				r.Key, r.Hash = monitoring.Key{}, ""
			}
			if _, err := s.WriteBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if got, err := monitoring.Roll(ctx, s, loggers*seconds, 0); err != nil || got != loggers*seconds {
			b.Fatal(got, err)
		}
	}
	b.ReportMetric(loggers*seconds, "frames/op")
}

// BenchmarkWriteBatchResends writes again, as resends, batches of 4,096
// frames stored before, into a table of 409,600 frames: every frame's key
// is looked up, none is newer than its logger's newest.
func BenchmarkWriteBatchResends(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	const size, batches = 4096, 100
	for i := range batches {
		if _, err := s.WriteBatch(ctx, batchOf(i*size, size)); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		batch := batchOf((i%batches)*size, size)
		b.StartTimer()
		out, err := s.WriteBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if out[0] != monitoring.Duplicate {
			b.Fatalf("a resend stored as %v", out[0])
		}
	}
	b.ReportMetric(size, "frames/op")
}
