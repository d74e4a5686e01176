package synth

import (
	"context"
	"testing"
)

// BenchmarkWrite100m writes the whole city at 100 m: rasters, tables and
// GeoJSON (bench/gepdemo.sh).
func BenchmarkWrite100m(b *testing.B) {
	b.ReportAllocs()
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(context.Background(), Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
