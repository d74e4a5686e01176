package gep

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
	"ecoindustry/internal/raster/geotiff"
)

const benchSize = 4400 // Lishui's 17,300 km² at 30 m

// benchInputs are the inputs of the benchmark, as gep.md §6 describes
// InVEST's baseline run: land cover 80 % forest, 4 % shrub, 3 % grass,
// 7 % crop, 2 % water, 4 % built; in the future 5 % of the forest built;
// precipitation 1,500–1,900 mm, ET0 900–1,000 mm; two watersheds.
type benchInputs struct {
	cur, fut, precip, et0, depth, pawc, pools, bio, ws string
}

var benchGrid = raster.Grid{Width: benchSize, Height: benchSize, EPSG: 32650, Transform: [6]float64{400000, 30, 0, 3250000, 0, -30}}

// hash is a pixel or patch's pseudo-random number in [0, 1).
func hash(x, y, seed int) float64 {
	h := uint64(x)*0x9e3779b97f4a7c15 ^ uint64(y)*0xc2b2ae3d27d4eb4f ^ uint64(seed)*0x165667b19e3779f9
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return float64(h>>11) / (1 << 53)
}

func landClass(u float64) float64 {
	for i, upTo := range []float64{.80, .84, .87, .94, .96, 1} {
		if u < upTo {
			return float64(i + 1)
		}
	}
	return 6
}

// makeBenchInputs makes the inputs once, cached under os.TempDir(): the
// values are written uncompressed by our writer and turned into tiled
// Deflate GeoTIFFs (Byte land cover, float32 fields) by gdal_translate.
func makeBenchInputs(b *testing.B) benchInputs {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ecoind-gep-bench-%d", benchSize))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	in := benchInputs{p("lulc_cur.tif"), p("lulc_fut.tif"), p("precip.tif"), p("et0.tif"), p("depth.tif"), p("pawc.tif"),
		p("pools.csv"), p("biophysical.csv"), p("watersheds.geojson")}
	fields := []struct {
		path, ot string
		value    func(x, y int) float64
	}{
		{in.cur, "Byte", func(x, y int) float64 { return landClass(hash(x/16, y/16, 1)) }},
		{in.fut, "Byte", func(x, y int) float64 {
			c := landClass(hash(x/16, y/16, 1))
			if c == 1 && hash(x/8, y/8, 2) < 0.05 {
				return 6
			}
			return c
		}},
		{in.precip, "Float32", func(x, y int) float64 {
			return 1700 + 180*math.Sin(float64(x)/300)*math.Cos(float64(y)/500) + 20*(hash(x, y, 3)-0.5)
		}},
		{in.et0, "Float32", func(x, y int) float64 { return 950 + 45*math.Cos(float64(x+y)/700) + 5*(hash(x, y, 4)-0.5) }},
		{in.depth, "Float32", func(x, y int) float64 { return 500 + 2500*hash(x/4, y/4, 5) }},
		{in.pawc, "Float32", func(x, y int) float64 { return 0.1 + 0.2*hash(x/4, y/4, 6) }},
	}
	for _, f := range fields {
		benchRaster(b, f.path, f.ot, f.value)
	}
	writeFile(b, dir, "pools.csv", "lucode,c_above,c_below,c_soil,c_dead\n1,60,15,90,5\n2,20,6,70,2\n3,3,4,60,1\n4,4,2,50,0\n5,0,0,0,0\n6,2,0,20,0\n")
	writeFile(b, dir, "biophysical.csv", "lucode,Kc,root_depth,LULC_veg\n1,1.0,5000,1\n2,0.9,2000,1\n3,0.85,1000,1\n4,0.7,1200,1\n5,1.05,1,0\n6,0.3,1,0\n")
	// West and east of a slanted divide, together the extent.
	writeFile(b, dir, "watersheds.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[
{"type":"Feature","properties":{"ws_id":1},"geometry":{"type":"Polygon","coordinates":[[[400000,3250000],[470000,3250000],[455000,3118000],[400000,3118000],[400000,3250000]]]}},
{"type":"Feature","properties":{"ws_id":2},"geometry":{"type":"Polygon","coordinates":[[[470000,3250000],[532000,3250000],[532000,3118000],[455000,3118000],[470000,3250000]]]}}]}`)
	return in
}

// benchRaster writes a Lishui-sized raster of value at path once (kept
// if there): uncompressed by our writer, then a tiled Deflate GeoTIFF of
// type ot by gdal_translate.
func benchRaster(b *testing.B, path, ot string, value func(x, y int) float64) {
	if _, err := os.Stat(path); err == nil {
		return
	}
	src := path + ".src.tif"
	w, err := geotiff.Create(src, benchGrid, geotiff.Options{})
	if err != nil {
		b.Fatal(err)
	}
	row := make([]float64, benchSize)
	for y := range benchSize {
		for x := range row {
			row[x] = value(x, y)
		}
		if err := w.WriteRows(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	gdaltest.Run(b, "gdal_translate", "-q", "-of", "GTiff", "-ot", ot, "-co", "COMPRESS=DEFLATE", "-co", "TILED=YES", src, path+".part")
	os.Remove(src)
	if err := os.Rename(path+".part", path); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGEP runs both models on Lishui-sized inputs: carbon with a
// future scenario and valuation, then water yield.
func BenchmarkGEP(b *testing.B) {
	in := makeBenchInputs(b)
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		_, err := Carbon(context.Background(), CarbonOptions{LULCCur: in.cur, LULCFut: in.fut, Pools: in.pools, Out: out,
			Valuation: &Valuation{Price: 43, Discount: 7, YearCur: 2020, YearFut: 2030}})
		if err != nil {
			b.Fatal(err)
		}
		_, err = WaterYield(context.Background(), WaterYieldOptions{LULC: in.cur, Precip: in.precip, ET0: in.et0,
			RootDepth: in.depth, PAWC: in.pawc, Biophysical: in.bio, Watersheds: in.ws, Z: 5, Out: out})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchSize*benchSize)*float64(b.N)/b.Elapsed().Seconds(), "px/s")
}

// BenchmarkCarbon runs the carbon model alone, as BenchmarkGEP does.
func BenchmarkCarbon(b *testing.B) {
	in := makeBenchInputs(b)
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		_, err := Carbon(context.Background(), CarbonOptions{LULCCur: in.cur, LULCFut: in.fut, Pools: in.pools, Out: out,
			Valuation: &Valuation{Price: 43, Discount: 7, YearCur: 2020, YearFut: 2030}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReference is the straightforward float64 computation of both
// models over whole arrays (read whole, nothing written), for the ratio.
func BenchmarkReference(b *testing.B) {
	in := makeBenchInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		whole := func(path string) []float64 {
			r, err := geotiff.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			v := make([]float64, benchSize*benchSize)
			if err := r.Rows(0, benchSize, v); err != nil {
				b.Fatal(err)
			}
			return v
		}
		cur, fut, precip, et0, depth, pawc := whole(in.cur), whole(in.fut), whole(in.precip), whole(in.et0), whole(in.depth), whole(in.pawc)
		pool := map[float64]float64{1: 170, 2: 98, 3: 68, 4: 56, 5: 0, 6: 22}
		kc := map[float64]float64{1: 1, 2: 0.9, 3: 0.85, 4: 0.7, 5: 1.05, 6: 0.3}
		root := map[float64]float64{1: 5000, 2: 2000, 3: 1000, 4: 1200, 5: 1, 6: 1}
		n := len(cur)
		cC, cF, delta, npv := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		wy, aet, fp := make([]float64, n), make([]float64, n), make([]float64, n)
		vc := Valuation{Price: 43, Discount: 7, YearCur: 2020, YearFut: 2030}.Constant()
		for i := range n {
			cC[i], cF[i] = pool[cur[i]]*0.09, pool[fut[i]]*0.09
			delta[i] = cF[i] - cC[i]
			npv[i] = delta[i] * vc
			p, pet := precip[i], kc[cur[i]]*et0[i]
			f := math.Min(pet, p) / p
			if cur[i] <= 4 {
				w := math.Min(5*math.Min(root[cur[i]], depth[i])*pawc[i]/p+1.25, 5)
				f = math.Min(pet/p, 1+pet/p-math.Pow(1+math.Pow(pet/p, w), 1/w))
			}
			fp[i], aet[i], wy[i] = f, f*p, (1-f)*p
		}
	}
	b.ReportMetric(float64(benchSize*benchSize)*float64(b.N)/b.Elapsed().Seconds(), "px/s")
}
