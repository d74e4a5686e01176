package geotiff

import (
	"math"
	"path/filepath"
	"testing"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
)

// TestWriteReadByGDAL writes float32 rasters with each option and checks
// that GDAL reads back every pixel, the georeferencing, the nodata value
// and the statistics, and that our reader agrees.
func TestWriteReadByGDAL(t *testing.T) {
	needGDAL(t)
	const w, h = 53, 41
	cases := []struct {
		name string
		opt  Options
		grid raster.Grid
	}{
		{"plain", Options{}, raster.Grid{EPSG: 32650, NoData: -9999, HasNoData: true,
			Transform: [6]float64{500000, 30, 0, 3150000, 0, -30}}},
		{"deflate", Options{Deflate: true, RowsPerStrip: 4}, raster.Grid{EPSG: 4547, NoData: -9999, HasNoData: true,
			Transform: [6]float64{400000, 30, 0, 3150000, 0, -30}}},
		{"deflate-predictor-level1", Options{Deflate: true, Predictor: true, Level: 1, RowsPerStrip: 7}, raster.Grid{EPSG: 4490, Geographic: true,
			NoData: math.NaN(), HasNoData: true, Transform: [6]float64{119.5, 0.00025, 0, 28.5, 0, -0.00025}}},
		{"bigtiff-rotated", Options{BigTIFF: true, RowsPerStrip: 1}, raster.Grid{EPSG: 32650,
			Transform: [6]float64{500000, 24, 18, 3150000, 18, -24}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := c.grid
			g.Width, g.Height = w, h
			path := filepath.Join(t.TempDir(), "out.tif")
			values := make([]float64, w*h)
			for i := range values {
				x, y := float64(i%w), float64(i/w)
				values[i] = 1500 + 400*math.Sin(x/7)*math.Cos(y/5) + x*y/100
				if g.HasNoData && (i%13 == 0 || y == 40) {
					values[i] = g.NoData
				}
			}
			wr, err := Create(path, g, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			// rows in uneven bands, as a model writes them
			for y := 0; y < h; y += 3 {
				n := min(3, h-y)
				if err := wr.WriteRows(values[y*w : (y+n)*w]); err != nil {
					t.Fatal(err)
				}
			}
			if err := wr.Close(); err != nil {
				t.Fatal(err)
			}

			var sum, sum2, lo, hi, count float64 = 0, 0, math.Inf(1), math.Inf(-1), 0
			for i, v := range values {
				values[i] = float64(float32(v))
				if g.IsNoData(v) {
					continue
				}
				v = values[i]
				sum, sum2, count = sum+v, sum2+v*v, count+1
				lo, hi = min(lo, v), max(hi, v)
			}
			mean := sum / count
			std := math.Sqrt(sum2/count - mean*mean)

			got := gdaltest.Pixels(t, path)
			for i := range values {
				if !same(got[i], values[i]) {
					t.Fatalf("GDAL reads pixel %d as %v, we wrote %v", i, got[i], values[i])
				}
			}
			gi, epsg := info(t, path, true)
			if gi.Size != [2]int{w, h} || gi.GeoTransform != g.Transform || epsg != g.EPSG {
				t.Errorf("GDAL reads size %v, transform %v, EPSG %d; we wrote %d×%d, %v, %d", gi.Size, gi.GeoTransform, epsg, w, h, g.Transform, g.EPSG)
			}
			b := gi.Bands[0]
			nd, ok := nodataOf(b.NoData)
			if ok != g.HasNoData || ok && !same(nd, g.NoData) {
				t.Errorf("GDAL reads nodata %v, we wrote %v", b.NoData, g.NoData)
			}
			for _, s := range []struct {
				what      string
				gdal, our float64
			}{{"minimum", b.Min, lo}, {"maximum", b.Max, hi}, {"mean", b.Mean, mean}, {"stdDev", b.StdDev, std}} {
				if math.Abs(s.gdal-s.our) > 1e-6*math.Abs(s.our) {
					t.Errorf("%s: GDAL %v, ours %v", s.what, s.gdal, s.our)
				}
			}

			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rg := r.Grid()
			if rg.Transform != g.Transform || rg.EPSG != g.EPSG || rg.Geographic != g.Geographic || rg.HasNoData != g.HasNoData || !same(rg.NoData, g.NoData) {
				t.Errorf("read back grid %+v, wrote %+v", rg, g)
			}
			back := make([]float64, w*h)
			if err := r.Rows(0, h, back); err != nil {
				t.Fatal(err)
			}
			for i := range values {
				if !same(back[i], values[i]) {
					t.Fatalf("read back pixel %d as %v, wrote %v", i, back[i], values[i])
				}
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	g := raster.Grid{Width: 4, Height: 2, EPSG: 32650, Transform: [6]float64{0, 1, 0, 2, 0, -1}}
	bad := g
	bad.NoData, bad.HasNoData = 0.1, true
	if _, err := Create(filepath.Join(dir, "a.tif"), bad, Options{}); err == nil {
		t.Error("nodata 0.1, not a float32, accepted")
	}
	w, err := Create(filepath.Join(dir, "b.tif"), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRows(make([]float64, 3)); err == nil {
		t.Error("3 values for rows of 4 accepted")
	}
	if err := w.WriteRows(make([]float64, 4)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("closed after 1 of 2 rows without an error")
	}
	if _, err := Open(filepath.Join(dir, "b.tif")); err == nil {
		t.Error("an unfinished file opened")
	}
}
