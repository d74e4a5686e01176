package raster

import (
	"math"
	"strings"
	"testing"
)

func TestAligned(t *testing.T) {
	base := Grid{Name: "lulc.tif", Width: 4400, Height: 4400, EPSG: 32650,
		Transform: [6]float64{500000, 30, 0, 3150000, 0, -30}}
	change := func(f func(*Grid)) Grid {
		g := base
		g.Name = "precip.tif"
		f(&g)
		return g
	}
	cases := []struct {
		name string
		b    Grid
		want []string // in the error; none: aligned
	}{
		{"same", change(func(*Grid) {}), nil},
		{"origin within 1e-9", change(func(g *Grid) { g.Transform[0] += 1e-4 }), nil},
		{"rotation noise", change(func(g *Grid) { g.Transform[2] = 1e-12 }), nil},
		{"size", change(func(g *Grid) { g.Height = 4399 }), []string{"size 4400×4400 and 4400×4399"}},
		{"origin", change(func(g *Grid) { g.Transform[0] += 15 }), []string{"origin x 500000 and 500015"}},
		{"pixel", change(func(g *Grid) { g.Transform[1], g.Transform[5] = 90, -90 }), []string{"pixel width 30 and 90", "pixel height -30 and -90"}},
		{"epsg", change(func(g *Grid) { g.EPSG = 4547 }), []string{"EPSG 32650 and 4547"}},
		{"no epsg", change(func(g *Grid) { g.EPSG = 0 }), []string{"EPSG 32650 and none"}},
		{"nan", change(func(g *Grid) { g.Transform[3] = math.NaN() }), []string{"origin y"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Aligned(base, c.b)
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("aligned")
			}
			for _, w := range append(c.want, "lulc.tif", "precip.tif") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
}

func TestIsNoData(t *testing.T) {
	g := Grid{NoData: math.NaN(), HasNoData: true}
	if !g.IsNoData(math.NaN()) || g.IsNoData(0) {
		t.Error("NaN nodata")
	}
	g = Grid{NoData: -9999, HasNoData: true}
	if !g.IsNoData(-9999) || g.IsNoData(math.NaN()) {
		t.Error("-9999 nodata")
	}
	if (Grid{}).IsNoData(0) {
		t.Error("no nodata")
	}
	if a := (Grid{Transform: [6]float64{0, 30, 0, 0, 0, -30}}).PixelArea(); a != 900 {
		t.Errorf("pixel area %v", a)
	}
}
