package geo

import (
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lon1, lat1, lon2, lat2 float64
		want, tol              float64
	}{
		{"same point", 119.92, 28.45, 119.92, 28.45, 0, 1e-9},
		// One degree of latitude on the sphere: πR/180.
		{"one degree north", 119.92, 28, 119.92, 29, math.Pi * EarthRadius / 180, 1e-6},
		// Lishui (莲都) to Qingtian county seat: about 52 km.
		{"Lishui to Qingtian", 119.922, 28.467, 120.289, 28.139, 51_800, 1_500},
	} {
		if got := Distance(tc.lon1, tc.lat1, tc.lon2, tc.lat2); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: %.3f m, want %.3f ± %g", tc.name, got, tc.want, tc.tol)
		}
	}
}

func TestAroundHoldsTheCircle(t *testing.T) {
	for _, c := range []struct{ lon, lat, r float64 }{{119.92, 28.45, 5000}, {120, 53, 100_000}, {0, 89.99, 5000}} {
		b := Around(c.lon, c.lat, c.r)
		for a := 0.0; a < 360; a += 5 {
			// Walk the circle's edge and check the box holds it.
			d := c.r / EarthRadius
			lat1, lon1, th := rad(c.lat), rad(c.lon), rad(a)
			lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(th))
			lon2 := lon1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
			plat, plon := lat2*180/math.Pi, lon2*180/math.Pi
			if plat < b.MinLat-1e-9 || plat > b.MaxLat+1e-9 || plon < b.MinLon-1e-9 || plon > b.MaxLon+1e-9 {
				t.Fatalf("%+v: edge point (%g, %g) outside %+v", c, plon, plat, b)
			}
		}
	}
}

func TestShape(t *testing.T) {
	// A square with a square hole, and a second square away from it.
	const multi = `{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]],[[[20,20],[21,20],[21,21],[20,20]]]]}`
	s, err := ParseShape(multi)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lon, lat float64
		in       bool
	}{{1, 1, true}, {5, 5, false}, {3, 5, true}, {11, 5, false}, {20.8, 20.2, true}, {20.2, 20.8, false}, {-1, -1, false}} {
		if got := s.Contains(tc.lon, tc.lat); got != tc.in {
			t.Errorf("(%g, %g): %v, want %v", tc.lon, tc.lat, got, tc.in)
		}
	}
	if s.String() != multi {
		t.Errorf("round trip:\n%s\n%s", s.String(), multi)
	}
	if b := s.Bounds(); b != (Box{0, 0, 21, 21}) {
		t.Errorf("bounds %+v", b)
	}
	for _, bad := range []string{`{"type":"Point","coordinates":[1,2]}`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, `not json`, `{"type":"MultiPolygon","coordinates":[]}`} {
		if _, err := ParseShape(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func FuzzParseShape(f *testing.F) {
	f.Add(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`)
	f.Fuzz(func(t *testing.T, s string) {
		if sh, err := ParseShape(s); err == nil {
			sh.Contains(0.5, 0.5)
			if _, err := ParseShape(sh.String()); err != nil {
				t.Fatalf("own output refused: %v", err)
			}
		}
	})
}
