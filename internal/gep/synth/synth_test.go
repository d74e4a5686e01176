package synth

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"ecoindustry/internal/gep"
	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
	"ecoindustry/internal/raster/geotiff"
)

var (
	once    sync.Once
	written *Summary
	dir     string
	failed  error
)

// demo writes the 100 m inputs once for the tests that read them.
func demo(t *testing.T) *Summary {
	t.Helper()
	once.Do(func() {
		var err error
		dir, err = os.MkdirTemp("", "synth")
		if err != nil {
			failed = err
			return
		}
		written, failed = Write(context.Background(), Options{Dir: dir})
	})
	if failed != nil {
		t.Fatal(failed)
	}
	return written
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func TestLandCoverShares(t *testing.T) {
	s := demo(t)
	for _, c := range Classes {
		if got := s.Shares[c.Code]; math.Abs(got-c.Share) > 0.002 {
			t.Errorf("class %d (%s): share %.4f, want %.2f", c.Code, c.NameEn, got, c.Share)
		}
	}
	// Lishui is about 17,300 km² (reference gep.md §2.1).
	if km2 := float64(s.CityPixels) * 0.01; math.Abs(km2-17300) > 300 {
		t.Errorf("the city covers %.0f km², want about 17,300", km2)
	}
}

// read returns every pixel of a raster of the demo and its grid.
func read(t *testing.T, name string) ([]float64, raster.Grid) {
	t.Helper()
	r, err := geotiff.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := r.Grid()
	v := make([]float64, g.Width*g.Height)
	if err := r.Rows(0, g.Height, v); err != nil {
		t.Fatal(err)
	}
	return v, g
}

func TestRangesAndAlignment(t *testing.T) {
	s := demo(t)
	lulc, lg := read(t, "lulc.tif")
	ranges := map[string][2]float64{
		"zones.tif": {331102, 331181}, "dem.tif": {0, 1929}, "slope.tif": {0, 70},
		"precip.tif": {1400, 2200}, "et0.tif": {880, 1020}, "soil_depth.tif": {300, 2000}, "pawc.tif": {0.06, 0.22},
		"erosivity.tif": {5000, 20000}, "erodibility.tif": {0.015, 0.05}, "ls.tif": {0, 60},
	}
	for _, name := range s.Files {
		if filepath.Ext(name) != ".tif" || name == "lulc.tif" {
			continue
		}
		v, g := read(t, name)
		if err := raster.Aligned(lg, g); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		want, ok := ranges[name]
		if !ok {
			t.Errorf("%s: no range to check", name)
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for k, x := range v {
			if (x == NoData) != (lulc[k] == NoData) {
				t.Fatalf("%s: pixel %d is %v where the land cover is %v: nodata must be the same", name, k, x, lulc[k])
			}
			if x != NoData {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		if lo < want[0] || hi > want[1] {
			t.Errorf("%s: values %v to %v, want within %v", name, lo, hi, want)
		}
	}
	// Precipitation rises with elevation: compare the lowest and highest
	// tenths of the city.
	dem, _ := read(t, "dem.tif")
	p, _ := read(t, "precip.tif")
	var low, high, nl, nh float64
	for k, e := range dem {
		switch {
		case e == NoData:
		case e < 300:
			low, nl = low+p[k], nl+1
		case e > 1000:
			high, nh = high+p[k], nh+1
		}
	}
	if nl == 0 || nh == 0 || high/nh < low/nl+200 {
		t.Errorf("precipitation below 300 m %.0f mm (%v px), above 1,000 m %.0f mm (%v px): want more rain on the heights", low/nl, nl, high/nh, nh)
	}
	// Built-up land lies in the valleys: lower than forest on average.
	var eb, ef, cb, cf float64
	for k, c := range lulc {
		switch c {
		case 51:
			eb, cb = eb+dem[k], cb+1
		case 21:
			ef, cf = ef+dem[k], cf+1
		}
	}
	if eb/cb > 0.6*ef/cf {
		t.Errorf("built-up land at %.0f m on average, forest at %.0f m: want built-up in the valleys", eb/cb, ef/cf)
	}
}

func TestCountiesMatchTheirAreas(t *testing.T) {
	demo(t)
	zones, _ := read(t, "zones.tif")
	px := map[string]float64{}
	for _, z := range zones {
		if z != NoData {
			px[strconv.Itoa(int(z))]++
		}
	}
	// Areas in km² from the 2020 census (reference governance.md §6).
	areas := map[string]float64{"331102": 1494, "331181": 3040, "331121": 2477, "331122": 1493, "331123": 2543,
		"331124": 1401, "331125": 990, "331126": 1895, "331127": 1938}
	for code, want := range areas {
		if got := px[code] * 0.01; math.Abs(got-want) > 0.03*want {
			t.Errorf("county %s: %.0f km² in the zone raster, %.0f km² in the census", code, got, want)
		}
	}
	if len(px) != len(areas) {
		t.Errorf("zones %v, want the nine counties", px)
	}
}

// The models run on the demo's inputs: the tables have every code of the
// land cover, the watersheds and counties fall on the rasters.
func TestModelsRunOnTheDemo(t *testing.T) {
	demo(t)
	out := t.TempDir()
	cs, err := gep.Carbon(context.Background(), gep.CarbonOptions{LULCCur: filepath.Join(dir, "lulc.tif"), Pools: filepath.Join(dir, "carbon_pools.csv"), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	// Forest's 156 Mg/ha over 80 % of 17,300 km² is about 216 Mt.
	if cs.TotalCur < 150e6 || cs.TotalCur > 300e6 {
		t.Errorf("carbon stock %.3g Mg, want about 2e8", cs.TotalCur)
	}
	for _, zones := range []string{"watersheds.geojson", "counties.geojson"} {
		res, err := gep.WaterYield(context.Background(), gep.WaterYieldOptions{LULC: filepath.Join(dir, "lulc.tif"),
			Precip: filepath.Join(dir, "precip.tif"), ET0: filepath.Join(dir, "et0.tif"), RootDepth: filepath.Join(dir, "soil_depth.tif"),
			PAWC: filepath.Join(dir, "pawc.tif"), Biophysical: filepath.Join(dir, "biophysical.csv"), Watersheds: filepath.Join(dir, zones), Z: 5, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, r := range res {
			if !(r.WyieldMn > 500 && r.WyieldMn < 1500) {
				t.Errorf("%s %d: water yield %.0f mm", zones, r.ID, r.WyieldMn)
			}
			total += r.WyieldMn * r.Area / 1000
		}
		if zones == "counties.geojson" && (len(res) != 9 || total < 12e9 || total > 25e9) {
			t.Errorf("%d counties yield %.3g m³, want 9 and about 1.8e10", len(res), total)
		}
	}
}

// GDAL (gdal-bin, which scripts/gdal.sh installs for the tests) reads the
// rasters and the counties as we wrote them.
func TestReadableByGDAL(t *testing.T) {
	demo(t)
	var info struct {
		Size     [2]int `json:"size"`
		Metadata map[string]map[string]string
		Bands    []struct {
			NoData float64 `json:"noDataValue"`
		} `json:"bands"`
		CoordinateSystem struct {
			WKT string `json:"wkt"`
		} `json:"coordinateSystem"`
	}
	out := gdaltest.Run(t, "gdalinfo", "-json", filepath.Join(dir, "precip.tif"))
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	if desc := info.Metadata[""]["TIFFTAG_IMAGEDESCRIPTION"]; !strings.HasPrefix(desc, "SYNTHETIC") {
		t.Errorf("GDAL reads the description %q", desc)
	}
	if info.Size != [2]int{written.Width, written.Height} || len(info.Bands) != 1 || info.Bands[0].NoData != NoData {
		t.Errorf("GDAL reads %+v", info)
	}
	if !strings.Contains(info.CoordinateSystem.WKT, `ID["EPSG",4549]`) {
		t.Errorf("GDAL reads the CRS %s", info.CoordinateSystem.WKT)
	}
	// GDAL and we read the same land cover.
	ours, _ := read(t, "lulc.tif")
	for i, v := range gdaltest.Pixels(t, filepath.Join(dir, "lulc.tif")) {
		if v != ours[i] {
			t.Fatalf("pixel %d: GDAL %v, ours %v", i, v, ours[i])
		}
	}
	// ogrinfo reads the counties in the rasters' CRS.
	o := string(gdaltest.Run(t, "ogrinfo", "-so", "-al", filepath.Join(dir, "counties.geojson")))
	if !strings.Contains(o, "Feature Count: 9") || !strings.Contains(o, "4549") {
		t.Errorf("ogrinfo: %s", o)
	}
}

// The statistics are in the published magnitudes: GDP as the bulletins,
// material products and tourism of 2018 as the published GEP less its
// regulating services.
func TestTables(t *testing.T) {
	demo(t)
	sum := func(name, col string, year string) float64 {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		at := -1
		for i, h := range rows[0] {
			if h == col {
				at = i
			}
		}
		s := 0.0
		for _, r := range rows[1:] {
			if r[0] == year {
				v, err := strconv.ParseFloat(r[at], 64)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				s += v
			}
		}
		return s
	}
	if g := sum("gdp.csv", "gdp_yuan", "2023"); math.Abs(g-1964.4e8) > 1e4 {
		t.Errorf("GDP 2023 %.6g, want 1964.4e8 (governance.md §6)", g)
	}
	mc := sum("material_products.csv", "value_yuan", "2018") + sum("tourism.csv", "value_yuan", "2018")
	if math.Abs(mc-136.51e9) > 1e5 {
		t.Errorf("material and cultural 2018: %.6g, want 136.51e9 (gep.md §2.2)", mc)
	}
	if p := sum("prices.csv", "price", "2020"); p == 0 {
		t.Error("no prices for 2020")
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes the demo again")
	}
	s := demo(t)
	again := t.TempDir()
	if _, err := Write(context.Background(), Options{Dir: again, Seed: 1, Res: 100}); err != nil {
		t.Fatal(err)
	}
	for _, name := range s.Files {
		a, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(again, name))
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(a) != sha256.Sum256(b) {
			t.Errorf("%s differs between two runs of the same seed", name)
		}
	}
}

func TestSeedsDiffer(t *testing.T) {
	if fbm(1, 5000, 7000, 3000, 3, 0.5, 0) == fbm(2, 5000, 7000, 3000, 3, 0.5, 0) {
		t.Error("seeds 1 and 2 give the same noise")
	}
	for _, x := range []float64{-1e6, 0, 12345.6, 3.4e6} {
		if v := fbm(1, x, x/3, 3000, 4, 0.6, 1); !(v >= -1 && v <= 1) {
			t.Errorf("fbm(%v) = %v, want within [-1, 1]", x, v)
		}
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Write(context.Background(), Options{Dir: t.TempDir(), Res: 50}); err == nil || !strings.Contains(err.Error(), "100 or 30") {
		t.Errorf("resolution 50: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, Options{Dir: t.TempDir()}); err == nil {
		t.Error("a cancelled write succeeded")
	}
}

// A land-use change on the demo: parcels become built-up; the carbon lost
// is what the pools say for the pixels that changed, in their county only,
// and giving the changed land cover as a raster gives the same result.
func TestScenarioOnTheDemo(t *testing.T) {
	demo(t)
	parcels := filepath.Join(t.TempDir(), "parcels.geojson")
	// Around Liandu's seat (GCJ-02 lon/lat, as the boundaries).
	if err := os.WriteFile(parcels, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
		"coordinates":[[[119.85,28.40],[119.95,28.40],[119.95,28.47],[119.85,28.47],[119.85,28.40]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := gep.ScenarioOptions{LULC: filepath.Join(dir, "lulc.tif"), Parcels: parcels, To: 51, Pools: filepath.Join(dir, "carbon_pools.csv"),
		Precip: filepath.Join(dir, "precip.tif"), ET0: filepath.Join(dir, "et0.tif"), RootDepth: filepath.Join(dir, "soil_depth.tif"),
		PAWC: filepath.Join(dir, "pawc.tif"), Bio: filepath.Join(dir, "biophysical.csv"), Z: 5, Zones: filepath.Join(dir, "zones.tif"), Out: t.TempDir()}
	res, err := gep.Scenario(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := read(t, "lulc.tif")
	r, err := geotiff.Open(res.LULC)
	if err != nil {
		t.Fatal(err)
	}
	after := make([]float64, len(base))
	if err := r.Rows(0, r.Grid().Height, after); err != nil {
		t.Fatal(err)
	}
	r.Close()
	zones, _ := read(t, "zones.tif")
	stock := map[float64]float64{}
	for _, c := range Classes {
		stock[float64(c.Code)] = (c.Above + c.Below + c.Soil + c.Dead) * 100 * 100 / 1e4
	}
	changed, want := 0, map[int]float64{}
	for k := range base {
		if base[k] != after[k] {
			changed++
			if after[k] != 51 {
				t.Fatalf("pixel %d became %v", k, after[k])
			}
			want[int(zones[k])] += stock[after[k]] - stock[base[k]]
		}
	}
	if changed != res.Changed || changed < 5000 {
		t.Fatalf("%d pixels changed, the scenario says %d; want the parcel's 75 km² less its built-up land", changed, res.Changed)
	}
	for _, z := range res.Zones {
		switch {
		case z.Service == "carbon_storage" && math.Abs(z.Change-want[z.Zone]) > 1e-6*math.Abs(z.Base):
			t.Errorf("county %d: carbon change %.1f Mg, want %.1f", z.Zone, z.Change, want[z.Zone])
		case z.Service == "water_yield" && (want[z.Zone] == 0) != (z.Change == 0):
			t.Errorf("county %d: water yield change %.1f m³ where carbon changes %.1f", z.Zone, z.Change, want[z.Zone])
		case z.Service == "water_yield" && z.Zone == 331102 && z.Change <= 0:
			t.Errorf("built-up land evaporates less: water yield should rise, changed %.1f m³", z.Change)
		}
	}
	// The same change as a land-cover raster.
	opt2 := opt
	opt2.Parcels, opt2.NewLULC, opt2.Out = "", res.LULC, t.TempDir()
	res2, err := gep.Scenario(context.Background(), opt2)
	if err != nil || res2.Changed != res.Changed || !slices.Equal(res2.Zones, res.Zones) {
		t.Errorf("as a raster: %v %+v", err, res2)
	}
	// A code the tables lack fails before anything is written.
	opt3 := opt
	opt3.To, opt3.Out = 99, filepath.Join(t.TempDir(), "out")
	if _, err := gep.Scenario(context.Background(), opt3); err == nil || !strings.Contains(err.Error(), "code 99") {
		t.Errorf("code 99: %v", err)
	}
	if _, err := os.Stat(opt3.Out); !os.IsNotExist(err) {
		t.Errorf("the failed scenario wrote %s", opt3.Out)
	}
}
