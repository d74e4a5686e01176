package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/store/sqlite"
)

// BenchmarkWriteBatch writes batches of 4,096 real-time frames, six
// pollutants each, from 10,000 loggers: the writer's work per commit.
func BenchmarkWriteBatch(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, monitoring.CST)
	const size = 4096
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
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
		b.StartTimer()
		if _, err := s.WriteBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "frames/op")
}
