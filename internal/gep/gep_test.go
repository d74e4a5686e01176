package gep

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
)

// The fixtures are made with Debian's gdal-bin at test time; GDAL also
// reads the outputs back, and the expected values are computed here in
// float64 over whole arrays, independently of the band runner.

// tif writes values as a GeoTIFF with gdal_translate: type ot, nodata, and
// creation options co, on the test grid.
func tif(t testing.TB, dir, name string, w, h int, values []float64, ot, nodata string, co ...string) string {
	t.Helper()
	raw := filepath.Join(dir, name+".bin")
	gdaltest.WriteENVI(t, raw, w, h, values)
	path := filepath.Join(dir, name+".tif")
	args := []string{"-q", "-ot", ot, "-a_srs", "EPSG:32650", "-a_ullr", "500000", "3150000",
		fmt.Sprint(500000 + 30*w), fmt.Sprint(3150000 - 30*h)}
	if nodata != "" {
		args = append(args, "-a_nodata", nodata)
	}
	for _, c := range co {
		args = append(args, "-co", c)
	}
	gdaltest.Run(t, "gdal_translate", append(args, raw, path)...)
	return path
}

func near(got, want, rtol float64) bool {
	return math.Abs(got-want) <= rtol*math.Abs(want) || math.Abs(got-want) < 1e-12
}

// checkRaster compares the output at path with want, NaN where nodata.
func checkRaster(t *testing.T, path string, want []float64) {
	t.Helper()
	got := gdaltest.Pixels(t, path)
	if len(got) != len(want) {
		t.Fatalf("%s: %d pixels, want %d", path, len(got), len(want))
	}
	bad := 0
	for i := range want {
		switch {
		case math.IsNaN(want[i]) && got[i] == NoData:
		case !math.IsNaN(want[i]) && got[i] != NoData && near(got[i], want[i], 1e-6):
		default:
			if bad++; bad <= 5 {
				t.Errorf("%s: pixel %d = %v, want %v", filepath.Base(path), i, got[i], want[i])
			}
		}
	}
}

func writeFile(t testing.TB, dir, name, s string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValuationConstant(t *testing.T) {
	for _, c := range []struct {
		v    Valuation
		want float64
	}{
		{Valuation{Price: 43, Discount: -7.1, RateChange: 2.8, YearCur: 2016, YearFut: 2030}, 59.00136},
		{Valuation{Price: 50, Discount: 50, RateChange: 5, YearCur: 2010, YearFut: 2012}, 40.87302},
		{Valuation{Price: 43, YearCur: 2016, YearFut: 2030}, 43},
	} {
		if got := c.v.Constant(); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("%+v: %v, want %v", c.v, got, c.want)
		}
	}
	if got := -58 * (Valuation{Price: 43, Discount: -7.1, RateChange: 2.8, YearCur: 2016, YearFut: 2030}).Constant(); math.Abs(got+3422.079) > 1e-3 {
		t.Errorf("NPV per ha %v, want -3422.079", got)
	}
}

func TestFractpGolden(t *testing.T) {
	kc := [6]float64{1, .1, .1, .6, .6, .1}
	et0 := [6]float64{1000, 900, 900, 1100, 1005, 1000}
	p := [6]float64{100, 1000, 10, 500, 800, 1100}
	root := [6]float64{99, 300, 400, 5, 500, 800}
	soil := [6]float64{600, 700, 700, 800, 900, 600}
	pawc := [6]float64{.11, .11, .12, .55, .55, .19}
	veg := [6]bool{true, true, false, false, true, false}
	want := [6]float64{0.9345682, 0.06896508, 1.0, 1.0, 0.6487423, 0.09090909}
	for i := range want {
		if got := Fractp(kc[i], et0[i], p[i], root[i], soil[i], pawc[i], veg[i], 6); !near(got, want[i], 1e-6) {
			t.Errorf("pixel %d: fractp %v, want %v", i, got, want[i])
		}
	}
}

const pools = "lucode,LULC_name,c_above,c_below,c_soil,c_dead\n1,forest,15,10,60,1\n2,crop,5,3,20,0\n3,built,2,1,5,0\n"

func TestCarbonGolden(t *testing.T) {
	dir := t.TempDir()
	var cur, fut string
	for code, p := range map[int]*string{1: &cur, 2: &fut} {
		*p = filepath.Join(dir, fmt.Sprintf("lulc%d.tif", code))
		gdaltest.Run(t, "gdal_create", "-q", "-of", "GTiff", "-outsize", "10", "10", "-ot", "Int32", "-burn", fmt.Sprint(code),
			"-a_srs", "EPSG:26910", "-a_ullr", "461261", "4923265", "461271", "4923255", *p)
	}
	out := t.TempDir()
	sum, err := Carbon(context.Background(), CarbonOptions{LULCCur: cur, LULCFut: fut, Pools: writeFile(t, dir, "pools.csv", pools),
		Valuation: &Valuation{Price: 43, Discount: -7.1, RateChange: 2.8, YearCur: 2016, YearFut: 2030}, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"total_cur", sum.TotalCur, 0.86}, {"total_fut", *sum.TotalFut, 0.28}, {"total_delta", *sum.TotalDelta, -0.58}, {"npv", *sum.NPV, -34.2208}} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s %v, want %v", c.name, c.got, c.want)
		}
	}
	for name, want := range map[string]float64{"tot_c_cur.tif": 0.0086, "tot_c_fut.tif": 0.0028, "delta_cur_fut.tif": -0.0058, "npv_fut.tif": -0.3422079} {
		for i, v := range gdaltest.Pixels(t, filepath.Join(out, name)) {
			if !near(v, want, 1e-6) {
				t.Fatalf("%s pixel %d: %v, want %v", name, i, v, want)
			}
		}
	}
}

// layouts are the files the models must read: tiled and striped, Deflate
// and LZW, predictors 2 and 3 (3 only for floats).
var layouts = []struct {
	name      string
	byte, flt []string
	rows      int
}{
	{"tiled-deflate-pred2", []string{"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", "PREDICTOR=2"},
		[]string{"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", "PREDICTOR=2"}, 7},
	{"striped-lzw-pred3", []string{"BLOCKYSIZE=3", "COMPRESS=LZW", "PREDICTOR=2"},
		[]string{"BLOCKYSIZE=3", "COMPRESS=LZW", "PREDICTOR=3"}, 256},
}

const fw, fh = 37, 29

// landCover is a land cover with codes 1 to 4 and nodata 255.
func landCover(rng *rand.Rand) []float64 {
	v := make([]float64, fw*fh)
	for i := range v {
		v[i] = float64(1 + rng.IntN(4))
		if rng.IntN(30) == 0 {
			v[i] = 255
		}
	}
	return v
}

func TestCarbonMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	curV, futV := landCover(rng), landCover(rng)
	pool := map[float64]float64{1: 86, 2: 28, 3: 8, 4: 8}
	val := Valuation{Price: 43, Discount: 7, RateChange: 0, YearCur: 2020, YearFut: 2030}
	want := make([][]float64, 4)
	var totals [4]float64
	for i := range curV {
		c, f := math.NaN(), math.NaN()
		if curV[i] != 255 {
			c = pool[curV[i]] * 900 / 1e4
			totals[0] += c
		}
		if futV[i] != 255 {
			f = pool[futV[i]] * 900 / 1e4
			totals[1] += f
		}
		if !math.IsNaN(c + f) {
			totals[2] += f - c
			totals[3] += (f - c) * val.Constant()
		}
		want[0], want[1] = append(want[0], c), append(want[1], f)
		want[2], want[3] = append(want[2], f-c), append(want[3], (f-c)*val.Constant())
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			dir, out := t.TempDir(), t.TempDir()
			cur := tif(t, dir, "cur", fw, fh, curV, "Byte", "255", l.byte...)
			fut := tif(t, dir, "fut", fw, fh, futV, "Byte", "255", l.byte...)
			p := writeFile(t, dir, "pools.csv", pools+"4,water,8,0,0,0\n")
			sum, err := Carbon(context.Background(), CarbonOptions{LULCCur: cur, LULCFut: fut, Pools: p, Valuation: &val, Out: out, BandRows: l.rows, Deflate: l.rows == 7})
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"tot_c_cur.tif", "tot_c_fut.tif", "delta_cur_fut.tif", "npv_fut.tif"} {
				checkRaster(t, filepath.Join(out, name), want[i])
			}
			for i, got := range []float64{sum.TotalCur, *sum.TotalFut, *sum.TotalDelta, *sum.NPV} {
				if !near(got, totals[i], 1e-9) {
					t.Errorf("total %d: %v, want %v", i, got, totals[i])
				}
			}
		})
	}
}

const bio = "lucode,Kc,root_depth,LULC_veg\n1,1.0,3000,1\n2,0.65,1500,1\n3,1.0,1,0\n4,0.3,1,0\n"

// watersheds: ws 1 a quadrilateral on the left; ws 2 a triangle and a
// polygon with a hole on the right. No vertex lies on a pixel centre.
const watersheds = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[
{"type":"Feature","properties":{"ws_id":1},"geometry":{"type":"Polygon","coordinates":[[[499990.3,3150011.1],[500517.9,3149990.7],[500471.2,3149101.3],[500033.3,3149277.7],[499990.3,3150011.1]]]}},
{"type":"Feature","properties":{"ws_id":2},"geometry":{"type":"MultiPolygon","coordinates":[
 [[[500560.1,3149977.3],[501120.7,3149963.9],[500802.2,3149661.4],[500560.1,3149977.3]]],
 [[[500600.4,3149600.2],[501100.1,3149590.6],[501077.7,3149140.9],[500580.3,3149150.8],[500600.4,3149600.2]],
  [[500700.6,3149500.3],[500900.9,3149500.1],[500850.2,3149300.8],[500700.6,3149500.3]]]]}}]}`

// TestWatershedsMatchGDAL checks the pixels given to each watershed
// against gdal_rasterize's default (pixel centres), with the watersheds in
// the rasters' CRS and in longitude and latitude (against ogr2ogr's
// projection of them).
func TestWatershedsMatchGDAL(t *testing.T) {
	dir := t.TempDir()
	ws := writeFile(t, dir, "ws.geojson", watersheds)
	lonLat, back := filepath.Join(dir, "ll.geojson"), filepath.Join(dir, "back.geojson")
	gdaltest.Run(t, "ogr2ogr", "-f", "GeoJSON", "-t_srs", "EPSG:4326", lonLat, ws)
	gdaltest.Run(t, "ogr2ogr", "-f", "GeoJSON", "-t_srs", "EPSG:32650", back, lonLat)
	lulc := tif(t, dir, "lulc", fw, fh, make([]float64, fw*fh), "Byte", "")
	for _, c := range []struct{ ours, gdals string }{{ws, ws}, {lonLat, back}} {
		ref := filepath.Join(t.TempDir(), "ws.tif")
		gdaltest.Run(t, "gdal_rasterize", "-q", "-a", "ws_id", "-ot", "Int32", "-init", "0", "-te", "500000", fmt.Sprint(3150000-30*fh), fmt.Sprint(500000+30*fw), "3150000",
			"-tr", "30", "30", c.gdals, ref)
		want := gdaltest.Pixels(t, ref)
		sheds, err := readWatersheds(c.ours, gridOf(t, lulc))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, fw*fh)
		var spans [][2]int
		var xs []float64
		for _, s := range sheds {
			for y := range fh {
				spans, xs = s.spans(y, fw, xs, spans)
				for _, sp := range spans {
					for x := sp[0]; x < sp[1]; x++ {
						got[y*fw+x] = float64(s.id)
					}
				}
			}
		}
		n := 0
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: pixel (%d, %d): watershed %v, gdal_rasterize %v", filepath.Base(c.ours), i%fw, i/fw, got[i], want[i])
			}
			if want[i] != 0 {
				n++
			}
		}
		if n < 200 {
			t.Fatalf("only %d pixels in watersheds", n)
		}
	}
}

func TestWaterYieldMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lulcV := landCover(rng)
	field := func(lo, hi float64, zeros bool) []float64 {
		v := make([]float64, fw*fh)
		for i := range v {
			v[i] = lo + (hi-lo)*rng.Float64()
			switch rng.IntN(25) {
			case 0:
				v[i] = -9999
			case 1:
				if zeros {
					v[i] = 0
				}
			}
		}
		return v
	}
	precipV, et0V, depthV, pawcV := field(1500, 1900, true), field(900, 1000, false), field(200, 2000, false), field(0.05, 0.3, false)
	const z = 5.0
	kc := map[float64]float64{1: 1, 2: 0.65, 3: 1, 4: 0.3}
	root := map[float64]float64{1: 3000, 2: 1500, 3: 1, 4: 1}
	veg := map[float64]bool{1: true, 2: true}
	// The reference: the formulas of gep.md §4.1 over whole arrays.
	n := fw * fh
	wy, aet, fp, pet := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		wy[i], aet[i], fp[i], pet[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		l, p, e := lulcV[i], precipV[i], et0V[i]
		if l == 255 || e == -9999 {
			continue
		}
		pet[i] = kc[l] * e
		if p == -9999 || p == 0 || depthV[i] == -9999 || pawcV[i] == -9999 {
			continue
		}
		var f float64
		if veg[l] {
			w := z*math.Min(root[l], depthV[i])*pawcV[i]/p + 1.25
			if w > 5 {
				w = 5
			}
			f = math.Min(pet[i]/p, 1+pet[i]/p-math.Pow(1+math.Pow(pet[i]/p, w), 1/w))
		} else {
			f = math.Min(pet[i], p) / p
		}
		fp[i], aet[i], wy[i] = f, f*p, (1-f)*p
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			dir, out := t.TempDir(), t.TempDir()
			ws := writeFile(t, dir, "ws.geojson", watersheds)
			mask := filepath.Join(dir, "ws.tif")
			gdaltest.Run(t, "gdal_rasterize", "-q", "-a", "ws_id", "-ot", "Int32", "-init", "0", "-te", "500000", fmt.Sprint(3150000-30*fh), fmt.Sprint(500000+30*fw), "3150000",
				"-tr", "30", "30", ws, mask)
			wsV := gdaltest.Pixels(t, mask)
			opt := WaterYieldOptions{
				LULC:        tif(t, dir, "lulc", fw, fh, lulcV, "Byte", "255", l.byte...),
				Precip:      tif(t, dir, "precip", fw, fh, precipV, "Float32", "-9999", l.flt...),
				ET0:         tif(t, dir, "et0", fw, fh, et0V, "Float32", "-9999", l.flt...),
				RootDepth:   tif(t, dir, "depth", fw, fh, depthV, "Float32", "-9999", l.flt...),
				PAWC:        tif(t, dir, "pawc", fw, fh, pawcV, "Float32", "-9999", l.flt...),
				Biophysical: writeFile(t, dir, "bio.csv", bio),
				Watersheds:  ws, Z: z, Out: out, BandRows: l.rows, Deflate: l.rows == 7,
			}
			// The reference reads the float32 files' values, as the model does.
			precipF, et0F, depthF, pawcF := gdaltest.Pixels(t, opt.Precip), gdaltest.Pixels(t, opt.ET0), gdaltest.Pixels(t, opt.RootDepth), gdaltest.Pixels(t, opt.PAWC)
			for i := range n {
				if !math.IsNaN(fp[i]) && (precipF[i] != float64(float32(precipV[i])) || et0F[i] != float64(float32(et0V[i])) ||
					depthF[i] != float64(float32(depthV[i])) || pawcF[i] != float64(float32(pawcV[i]))) {
					t.Fatalf("pixel %d: GDAL did not store the float32 values", i)
				}
			}
			res, err := WaterYield(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			// Per pixel, from the float32 values the files hold.
			wyF, aetF, fpF := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				wyF[i], aetF[i], fpF[i] = math.NaN(), math.NaN(), math.NaN()
				if math.IsNaN(fp[i]) {
					continue
				}
				f := Fractp(kc[lulcV[i]], et0F[i], precipF[i], root[lulcV[i]], depthF[i], pawcF[i], veg[lulcV[i]], z)
				if !near(f, fp[i], 1e-6) {
					t.Fatalf("pixel %d: fractp from float32 inputs %v, from float64 %v", i, f, fp[i])
				}
				fpF[i], aetF[i], wyF[i] = f, f*precipF[i], (1-f)*precipF[i]
			}
			checkRaster(t, filepath.Join(out, "wyield.tif"), wyF)
			checkRaster(t, filepath.Join(out, "aet.tif"), aetF)
			checkRaster(t, filepath.Join(out, "fractp.tif"), fpF)
			// Watershed means from GDAL's rasterisation.
			b, err := os.ReadFile(filepath.Join(out, "watershed_results.csv"))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
			if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "ws_id,precip_mn,PET_mn,AET_mn,wyield_mn,wyield_vol" {
				t.Fatalf("watershed_results.csv: %v\n%s", err, b)
			}
			for k, id := range []float64{1, 2} {
				var s [4]float64
				var c [4]int
				for i := range n {
					if wsV[i] != id {
						continue
					}
					for j, v := range []float64{precipF[i], pet[i], aetF[i], wyF[i]} {
						if j == 0 && v == -9999 || math.IsNaN(v) {
							continue
						}
						s[j] += v
						c[j]++
					}
				}
				r := res[k]
				for j, got := range []float64{r.PrecipMn, r.PETMn, r.AETMn, r.WyieldMn} {
					want := s[j] / float64(c[j])
					if !near(got, want, 1e-6) {
						t.Errorf("ws %v mean %d: %v, want %v", id, j, got, want)
					}
					if v, _ := strconv.ParseFloat(recs[k+1][j+1], 64); v != got {
						t.Errorf("ws %v column %d in the CSV: %v, want %v", id, j+1, v, got)
					}
				}
				if !near(r.WyieldVol, r.WyieldMn*r.Area/1000, 1e-12) || r.Area <= 0 {
					t.Errorf("ws %v: volume %v for area %v", id, r.WyieldVol, r.Area)
				}
			}
		})
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(5, 6)) }

func gridOf(t testing.TB, path string) raster.Grid {
	t.Helper()
	in, err := openInputs(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	return in.grid
}
