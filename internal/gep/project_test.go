package gep

import (
	"math"
	"testing"
)

// TestProjectMatchesGDAL: points projected by gdaltransform 3.6.2
// (PROJ) from EPSG:4326.
func TestProjectMatchesGDAL(t *testing.T) {
	for _, c := range []struct {
		epsg         int
		lon, lat     float64
		wantX, wantY float64
	}{
		{32650, 120.5, 28.3, 843289.415041944, 3135410.52444613},
		{4549, 120.5, 28.3, 549044.400890948, 3131789.76477213},
		{4528, 120.5, 28.3, 40549044.4008909, 3131789.76477213},
		{32751, 120.5, -28.3, 254834.679017944, 6867027.58235865},
	} {
		p, err := projectionOf(c.epsg)
		if err != nil {
			t.Fatal(err)
		}
		x, y := p.project(c.lon, c.lat)
		if math.Abs(x-c.wantX) > 1e-3 || math.Abs(y-c.wantY) > 1e-3 {
			t.Errorf("EPSG:%d (%v, %v): (%.4f, %.4f), want (%.4f, %.4f)", c.epsg, c.lon, c.lat, x, y, c.wantX, c.wantY)
		}
	}
}
