package gep

import (
	"encoding/json"
	"math"
	"testing"
)

func TestSiteParcels(t *testing.T) {
	b := SiteParcels([]Site{{USCC: "a", Lon: 119.9, Lat: 28.4, LandMu: 54}, {USCC: "b", Lon: 119.95, Lat: 28.45, LandMu: 1.5}, {USCC: "c"}}, 100)
	var fc struct {
		Features []struct {
			Properties map[string]any
			Geometry   struct{ Coordinates [][][2]float64 }
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) != 2 {
		t.Fatalf("%v: %s", err, b)
	}
	// 54 mu is 36,000 m², a square of 189.7 m; 1.5 mu is below a pixel: 100 m.
	for i, side := range []float64{math.Sqrt(36000), 100} {
		r := fc.Features[i].Geometry.Coordinates[0]
		lat := r[0][1] + (r[2][1]-r[0][1])/2
		w := (r[1][0] - r[0][0]) * 111320 * math.Cos(lat*math.Pi/180)
		h := (r[2][1] - r[1][1]) * 111320
		if math.Abs(w-side) > 0.01 || math.Abs(h-side) > 0.01 || r[0] != r[4] {
			t.Errorf("site %d: %.2f × %.2f m, want %.2f a side: %v", i, w, h, side, r)
		}
	}
}
