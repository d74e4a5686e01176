package gep

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/raster/gdaltest"
)

// The account's fixture: 2×2 pixels of 100 m (1 ha each) in EPSG:32650,
//
//	column 0 (county 331101)   column 1 (county 331102)
//	forest (1)                 forest (1)
//	water (2)                  built-up (3)
//
// with the same precipitation 2000 mm, ET0 1000 mm, depth 1000 mm, PAWC
// 0.1, R 5000, K 0.01 and LS 2 everywhere; every expected value below is
// worked out by hand from gep.md's formulas.
const (
	accBio = "lucode,Kc,root_depth,LULC_veg,runoff_coef,usle_c,usle_p,cn,npp,so2,nox,dust,cod,nh3n,water\n" +
		"1,1,1000,1,0.1,0.01,1,60,10,100,20,1000,0,0,0\n" +
		"2,1,1,0,0,0,1,100,0,0,0,0,500,50,1\n" +
		"3,0.3,1,0,0.8,1,1,98,0,0,0,0,0,0,0\n"
	accPrices = "year,item,price,unit,source\n" +
		"2024,water_storage,10,元/m³,test\n2024,dredging,20,元/m³,test\n2024,nitrogen,1000,元/t,test\n2024,phosphorus,3000,元/t,test\n" +
		"2024,cod,700,元/t,test\n2024,nh3n,900,元/t,test\n2024,so2,1200,元/t,test\n2024,nox,600,元/t,test\n2024,dust,150,元/t,test\n" +
		"2024,carbon,400,元/t C,test\n2024,oxygen,1000,元/t,test\n2024,electricity,0.5,元/kWh,test\n"
	accStats = "zone,gdp,agriculture,forestry,husbandry,fishery,visitors,tourism_revenue,reservoir_capacity\n" +
		"331101,10000,100,50,20,10,1000,30,2\n" +
		"331102,5000,200,,,,0,0,\n"
	accZones = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[
{"type":"Feature","properties":{"code":331101,"name":"甲县"},"geometry":{"type":"Polygon","coordinates":[[[499990,3150010],[500100,3150010],[500100,3149790],[499990,3149790],[499990,3150010]]]}},
{"type":"Feature","properties":{"code":331102,"name":"乙县"},"geometry":{"type":"Polygon","coordinates":[[[500100,3150010],[500210,3150010],[500210,3149790],[500100,3149790],[500100,3150010]]]}}]}`
)

// tif100 writes a 2×2 GeoTIFF of 100 m pixels with gdal_translate.
func tif100(t *testing.T, dir, name string, values []float64, ot string, originX float64) string {
	t.Helper()
	raw := filepath.Join(dir, name+".bin")
	gdaltest.WriteENVI(t, raw, 2, 2, values)
	path := filepath.Join(dir, name+".tif")
	gdaltest.Run(t, "gdal_translate", "-q", "-ot", ot, "-a_srs", "EPSG:32650", "-a_nodata", "255",
		"-a_ullr", fmt.Sprint(originX), "3150000", fmt.Sprint(originX+200), "3149800", "-co", "COMPRESS=DEFLATE", raw, path)
	return path
}

// accFixture writes the fixture's files and a config (YAML) naming them
// relatively; zones is the config's zones section.
func accFixture(t *testing.T, zones string) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	all := func(v float64) []float64 { return []float64{v, v, v, v} }
	tif100(t, dir, "lulc", []float64{1, 1, 2, 3}, "Byte", 500000)
	for name, v := range map[string]float64{"precip": 2000, "et0": 1000, "depth": 1000, "pawc": 0.1, "r": 5000, "k": 0.01, "ls": 2} {
		tif100(t, dir, name, all(v), "Float32", 500000)
	}
	tif100(t, dir, "zones", []float64{331101, 331102, 331101, 331102}, "Int32", 500000)
	writeFile(t, dir, "bio.csv", accBio)
	writeFile(t, dir, "prices.csv", accPrices)
	writeFile(t, dir, "stats.csv", accStats)
	writeFile(t, dir, "zones.geojson", accZones)
	writeFile(t, dir, "zones.csv", "code,name\n331101,甲县\n331102,乙县\n")
	config = writeFile(t, dir, "gep.yaml", `name: 测试市
year: 2024
region: {code: 331100, name: 测试市}
`+zones+`
rasters: {lulc: lulc.tif, precip: precip.tif, et0: et0.tif, root_depth: depth.tif, pawc: pawc.tif, erosivity: r.tif, erodibility: k.tif, ls: ls.tif}
tables: {biophysical: bio.csv, statistics: stats.csv, prices: prices.csv}
parameters: {z: 5, storm_depth_mm: 100, cooling_days: 73}
out: out
`)
	return dir, config
}

// The pixels' quantities by hand (1 ha = 10,000 m² each).
var (
	// Forest: PET/P = 1000/2000 = 0.5, AWC = min(1000, 1000)·0.1 = 100,
	// w = 5·100/2000 + 1.25 = 1.5, AET/P = 1 + 0.5 − (1 + 0.5^1.5)^(1/1.5)
	// ≈ 0.27638 (Budyko, below 0.5), AET ≈ 552.76 mm.
	forestAET = 2000 * (1 + 0.5 - math.Pow(1+math.Pow(0.5, 1.5), 1/1.5))
	// Water conservation: (P − 0.1·P − AET) mm × 10,000 m² / 1000.
	forestWater = (2000 - 200 - forestAET) * 10
	// Climate: AET volume × 1000 kg/m³ × 2450 kJ/kg / (3600 × 3) × 73/365.
	forestKWh = forestAET * 10 * 1000 * 2450 / (3600 * 3) * 73 / 365
	// Flood: S = 25400/60 − 254 = 169.33 mm, Q = (100 − 0.2S)²/(100 + 0.8S)
	// ≈ 18.57 mm, retention ≈ 81.43 mm × 10 m³/mm.
	forestS     = 25400.0/60 - 254
	forestFlood = (100 - (100-0.2*forestS)*(100-0.2*forestS)/(100+0.8*forestS)) * 10
	// Water surface (Kc 1, not vegetation): AET/P = min(1000, 2000)/2000
	// = 0.5, AET 1000 mm, conservation (2000 − 0 − 1000) × 10 = 10,000 m³;
	// climate 10,000 m³ × 1000 × 2450 / 3600 + 10,000 × 120 kWh.
	waterKWh = 10000.0*1000*2450/3600 + 10000*120
	// Built-up: AET/P = 0.3·1000/2000 = 0.15, AET 300 mm, conservation
	// (2000 − 1600 − 300) × 10 = 1000 m³; S = 25400/98 − 254 ≈ 5.18 mm.
	builtS     = 25400.0/98 - 254
	builtFlood = (100 - (100-0.2*builtS)*(100-0.2*builtS)/(100+0.8*builtS)) * 10
)

func TestAccountGolden(t *testing.T) {
	for _, zones := range []struct{ name, yaml string }{
		{"polygons", "zones:\n  - {level: county, geojson: zones.geojson}"},
		{"raster", "zones:\n  - {level: county, raster: zones.tif, table: zones.csv}"},
	} {
		t.Run(zones.name, func(t *testing.T) {
			dir, config := accFixture(t, zones.yaml)
			cfg, err := LoadConfig(config)
			if err != nil {
				t.Fatal(err)
			}
			var calls, last int
			acc, err := Run(context.Background(), cfg, Options{BandRows: 1, Progress: func(done, total int) { calls++; last = done }})
			if err != nil {
				t.Fatal(err)
			}
			if calls != 2 || last != 2 {
				t.Errorf("progress: %d calls, last %d rows, want 2 and 2", calls, last)
			}
			if len(acc.Zones) != 3 || acc.Zones[0].Level != "region" || acc.Zones[1].Code != 331101 || acc.Zones[2].Name != "乙县" {
				t.Fatalf("zones %+v", acc.Zones)
			}
			// Soil: R·K·LS = 5000·0.01·2 = 100 t/ha; forest keeps
			// 100·(1 − 0.01·1) = 99 t, water (C 0) 100 t, built-up (C 1) 0.
			// Sediment ×0.24/0.93 m³ at 20, N ×0.0037 t at 1000, P ×0.00108 t at 3000.
			want := map[int64]map[string]float64{
				331101: {
					"agriculture": 100e4, "forestry": 50e4, "husbandry": 20e4, "fishery": 10e4,
					"water":      (forestWater + 10000) * 10,
					"sediment":   (99 + 100) * 0.24 / 0.93 * 20,
					"nitrogen":   (99 + 100) * 0.0037 * 1000,
					"phosphorus": (99 + 100) * 0.00108 * 3000,
					"vegetation": forestFlood * 10, // water (CN 100) retains nothing
					"reservoirs": 0.35 * 2e4 * 10,
					"cod":        0.5 * 700, "nh3n": 0.05 * 900,
					"so2": 0.1 * 1200, "nox": 0.02 * 600, "dust": 1 * 150,
					// NPP 10 t/ha: 1.63·10·12/44 t C at 400, 1.19·10 t O₂ at 1000
					"carbon": 1.63 * 10 * 12 / 44 * 400, "oxygen": 11.9 * 1000,
					"evapotranspiration": (forestKWh + waterKWh) * 0.5,
					"visits":             30e4,
				},
				331102: {
					"agriculture": 200e4, "forestry": 0, "husbandry": 0, "fishery": 0,
					"water":      (forestWater + 1000) * 10,
					"sediment":   99 * 0.24 / 0.93 * 20,
					"nitrogen":   99 * 0.0037 * 1000,
					"phosphorus": 99 * 0.00108 * 3000,
					"vegetation": (forestFlood + builtFlood) * 10,
					"reservoirs": 0, "cod": 0, "nh3n": 0,
					"so2": 0.1 * 1200, "nox": 0.02 * 600, "dust": 1 * 150,
					"carbon": 1.63 * 10 * 12 / 44 * 400, "oxygen": 11.9 * 1000,
					"evapotranspiration": forestKWh * 0.5,
					"visits":             0,
				},
			}
			gep := map[int64]float64{}
			for _, z := range acc.Zones[1:] {
				for _, r := range z.Rows {
					w, ok := want[z.Code][r.Item]
					// 1e-6: PAWC 0.1 and K 0.01 are float32 in the files.
					if !ok || !near(r.Value, w, 1e-6) {
						t.Errorf("%d %s: value %v, want %v", z.Code, r.Item, r.Value, w)
					}
					if r.Item != "visits" && !near(r.Quantity*r.Price, r.Value, 1e-12) {
						t.Errorf("%d %s: %v × %v ≠ %v", z.Code, r.Item, r.Quantity, r.Price, r.Value)
					}
					gep[z.Code] += w
				}
				if !near(z.GEP, gep[z.Code], 1e-6) || !near(z.AreaKm2, 0.02, 1e-12) {
					t.Errorf("%d: GEP %v, want %v; area %v km²", z.Code, z.GEP, gep[z.Code], z.AreaKm2)
				}
			}
			// The region: its own statistics are missing, so the counties'
			// are summed; GDP 15,000 万元.
			r := acc.Zones[0]
			if !near(r.GEP, gep[331101]+gep[331102], 1e-6) || r.GDP != 15000e4 || r.GEPPerGDP == nil || !near(*r.GEPPerGDP, r.GEP/15000e4, 1e-12) {
				t.Errorf("region: GEP %v (want %v), GDP %v", r.GEP, gep[331101]+gep[331102], r.GDP)
			}
			// Tourism: 30 万元 over 1000 visits is 300 元 a visit.
			if v := acc.Zones[1].Rows[len(acc.Zones[1].Rows)-1]; v.Quantity != 1000 || v.Price != 300 {
				t.Errorf("tourism %+v", v)
			}
			// The value rasters, pixel by pixel, as GDAL reads them.
			out := filepath.Join(dir, "out")
			got := gdaltest.Pixels(t, filepath.Join(out, "value_water_conservation.tif"))
			for i, w := range []float64{forestWater * 10, forestWater * 10, 100000, 10000} {
				if !near(got[i], w, 1e-6) {
					t.Errorf("value_water_conservation pixel %d = %v, want %v", i, got[i], w)
				}
			}
			got = gdaltest.Pixels(t, filepath.Join(out, "value_climate_regulation.tif"))
			for i, w := range []float64{forestKWh * 0.5, forestKWh * 0.5, waterKWh * 0.5, 0} {
				if !near(got[i], w, 1e-6) {
					t.Errorf("value_climate_regulation pixel %d = %v, want %v", i, got[i], w)
				}
			}
			// Provenance: every input with its hash, the prices with their
			// sources, the code.
			p := acc.Provenance
			if len(p.Inputs) < 11 || p.Inputs[0].SHA256 == "" || len(p.Prices) != len(priceItems) || p.Code.GoVersion == "" || p.Grid.Width != 2 {
				t.Errorf("provenance %+v", p)
			}
			back, err := ReadAccount(filepath.Join(out, "account.json"))
			if err != nil || back.Zones[0].GEP != r.GEP {
				t.Fatalf("account.json: %v", err)
			}
			x, err := excelize.OpenFile(filepath.Join(out, "account.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if s := x.GetSheetList(); len(s) != 6 || s[0] != "汇总 Summary" || s[5] != "来源 Provenance" {
				t.Errorf("sheets %v", s)
			}
			if v, _ := x.GetCellValue("汇总 Summary", "H2"); !strings.HasPrefix(v, fmt.Sprint(math.Floor(r.GEP/1e4))) {
				t.Errorf("summary GEP cell %q, want %v 万元", v, r.GEP/1e4)
			}
		})
	}
}

// TestAccountCPI: prices of 2010 rescaled to the account's year by the
// CPI, every value line by the same factor, 606.7/493.6 (gep.md §9.3).
func TestAccountCPI(t *testing.T) {
	dir, config := accFixture(t, "zones:\n  - {level: county, geojson: zones.geojson}")
	cfg, err := LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Run(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.CPI, cfg.Out = &CPI{Base: 493.6, Target: 606.7}, filepath.Join(dir, "cpi")
	scaled, err := Run(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range scaled.Zones[1].Rows {
		p := plain.Zones[1].Rows[i]
		if r.Category == "regulating" && (!near(r.Value, p.Value*606.7/493.6, 1e-12) || !strings.Contains(r.Source, "× CPI 606.7/493.6 (2024 to 2024)")) {
			t.Errorf("%s: %v, want %v × 606.7/493.6 (%s)", r.Item, r.Value, p.Value, r.Source)
		}
		if r.Category == "material" && r.Value != p.Value {
			t.Errorf("%s: statistics rescaled: %v", r.Item, r.Value)
		}
	}
}

// TestAccountYearOnYear runs a year and the next with more tourism: the
// change shows against the previous account.
func TestAccountYearOnYear(t *testing.T) {
	dir, config := accFixture(t, "zones:\n  - {level: county, geojson: zones.geojson}")
	cfg, err := LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Run(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "stats.csv", strings.Replace(accStats, "1000,30,2", "2000,130,2", 1))
	cfg, _ = LoadConfig(config)
	cfg.Year, cfg.Previous, cfg.Out = 2025, filepath.Join(dir, "out", "account.json"), filepath.Join(dir, "out2025")
	cfg.PriceYear = 2024
	second, err := Run(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	z := second.Zones[1]
	// 100 万元 more tourism revenue in 甲县.
	if z.PreviousGEP == nil || !near(z.GEP-*z.PreviousGEP, 100e4, 1e-9) || !near(*z.ChangePct, 100e4/first.Zones[1].GEP*100, 1e-9) {
		t.Errorf("change %+v", z)
	}
	if second.Provenance.Previous == nil || second.Provenance.Previous.Year != 2024 {
		t.Errorf("provenance previous %+v", second.Provenance.Previous)
	}
}

// TestAccountBadInput: every problem is named, with the file, before a
// raster is written; a land-cover or zone code missing from its table
// stops the run on first sight and leaves no value raster behind.
func TestAccountBadInput(t *testing.T) {
	zones := "zones:\n  - {level: county, raster: zones.tif, table: zones.csv}"
	for _, c := range []struct {
		name    string
		mutate  func(t *testing.T, dir string, cfg *Config)
		want    []string
		started bool // the run read rasters before it failed
	}{
		{"price year missing", func(t *testing.T, dir string, cfg *Config) { cfg.Tables.Prices = ""; cfg.PriceYear = 2024 },
			[]string{DefaultPricesName, "no price for 2024", "water_storage", "the table has years 2010"}, false},
		{"price item missing", func(t *testing.T, dir string, cfg *Config) {
			writeFile(t, dir, "prices.csv", strings.Replace(accPrices, "2024,oxygen,1000,元/t,test\n", "", 1))
		}, []string{"prices.csv", "no price for 2024 of oxygen"}, false},
		{"misaligned", func(t *testing.T, dir string, cfg *Config) {
			cfg.Rasters.ET0 = tif100(t, dir, "shifted", []float64{1000, 1000, 1000, 1000}, "Float32", 500030)
		}, []string{"lulc.tif and", "shifted.tif are not aligned", "origin x"}, false},
		{"truncated", func(t *testing.T, dir string, cfg *Config) {
			b, _ := os.ReadFile(cfg.Rasters.Precip)
			os.WriteFile(cfg.Rasters.Precip, b[:len(b)/2], 0o644)
		}, []string{"precip.tif"}, false},
		{"zone without statistics", func(t *testing.T, dir string, cfg *Config) {
			writeFile(t, dir, "stats.csv", strings.Split(accStats, "331102")[0])
		}, []string{"stats.csv", "no row for county 331102"}, false},
		{"bad biophysical", func(t *testing.T, dir string, cfg *Config) {
			writeFile(t, dir, "bio.csv", strings.Replace(accBio, "1,1,1000,1,0.1,0.01,1,60", "1,1,1000,1,1.5,0.01,1,60", 1))
		}, []string{"bio.csv", "lucode 1: runoff_coef is 1.5"}, false},
		{"land-cover code missing", func(t *testing.T, dir string, cfg *Config) {
			tif100(t, dir, "lulc", []float64{1, 1, 2, 9}, "Byte", 500000)
		}, []string{"lulc.tif", "land-cover code 9", "column 1 row 1", "bio.csv"}, true},
		{"NaN precipitation", func(t *testing.T, dir string, cfg *Config) {
			tif100(t, dir, "precip", []float64{2000, math.NaN(), 2000, 2000}, "Float32", 500000)
		}, []string{"precip.tif", "value NaN at column 1 row 0", "not a usable number"}, true},
		{"negative erodibility", func(t *testing.T, dir string, cfg *Config) {
			tif100(t, dir, "k", []float64{0.01, 0.01, -0.01, 0.01}, "Float32", 500000)
		}, []string{"k.tif", "value -0.0099999", "column 0 row 1"}, true},
		{"corrupt block", func(t *testing.T, dir string, cfg *Config) {
			// The one Deflate strip's zlib header spoilt (its offset is
			// tag 273 of GDAL's little-endian classic TIFF): only reading
			// the band finds it.
			b, _ := os.ReadFile(cfg.Rasters.ET0)
			ifd := int(binary.LittleEndian.Uint32(b[4:]))
			for i := range int(binary.LittleEndian.Uint16(b[ifd:])) {
				e := b[ifd+2+12*i:]
				if binary.LittleEndian.Uint16(e) == 273 {
					b[binary.LittleEndian.Uint32(e[8:])] = 0
				}
			}
			os.WriteFile(cfg.Rasters.ET0, b, 0o644)
		}, []string{"gep: geotiff: ", "et0.tif"}, true},
		{"zone code missing", func(t *testing.T, dir string, cfg *Config) {
			writeFile(t, dir, "zones.csv", "code,name\n331101,甲县\n")
			writeFile(t, dir, "stats.csv", strings.Split(accStats, "331102")[0])
		}, []string{"zones.tif", "zone code 331102", "zones.csv"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, config := accFixture(t, zones)
			cfg, err := LoadConfig(config)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(t, dir, cfg)
			_, err = Run(context.Background(), cfg, Options{BandRows: 1})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			tifs, _ := filepath.Glob(filepath.Join(dir, "out", "*"))
			if len(tifs) != 0 {
				t.Errorf("left behind: %v", tifs)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "out")); (statErr == nil) != c.started {
				t.Errorf("out directory made: %v, want %v (checked before the rasters are read)", statErr == nil, c.started)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	base := "year: 2024\nrasters: {lulc: a, precip: a, et0: a, root_depth: a, pawc: a, erosivity: a, erodibility: a, ls: a}\n" +
		"tables: {biophysical: b, statistics: s}\nparameters: {cooling_days: 60}\n"
	for _, c := range []struct{ yaml, want string }{
		{base + "colour: red\n", "field colour not found"},
		{strings.Replace(base, "year: 2024", "year: 24", 1), "year: 24 is not a year"},
		{strings.Replace(base, "lulc: a, ", "", 1), "rasters.lulc: missing"},
		{strings.Replace(base, "ls: a", "ls: a, slope: b", 1), "rasters.ls: give ls (RUSLE LS) or slope"},
		{strings.Replace(base, "cooling_days: 60", "cooling_days: 0", 1), "parameters.cooling_days: missing"},
		{strings.Replace(base, "cooling_days: 60", "cooling_days: 60, z: 40", 1), "parameters.z: 40 is outside 1 to 30"},
		{base + "zones: [{level: county}]\n", "zones[0]: give geojson or raster"},
		{base + "cpi: {base: 100}\n", "cpi: base 100 and target 0"},
		{base + "zones: [{level: county, raster: z.tif}]\n", "zones[0].table"},
	} {
		_, err := ParseConfig("gep.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
	// The JSON the API takes is the same config.
	cfg, err := ParseConfig("body", []byte(`{"year": 2024, "rasters": {"lulc": "a", "precip": "a", "et0": "a", "root_depth": "a", "pawc": "a",
		"erosivity": "a", "erodibility": "a", "ls": "a"}, "tables": {"biophysical": "b", "statistics": "s"}, "parameters": {"cooling_days": 60}}`))
	if err != nil || cfg.PriceYear != 2024 || cfg.Parameters.Siltation != 0.24 {
		t.Fatalf("JSON config: %+v, %v", cfg, err)
	}
}

// TestResolveConfined: the API's configs reach only the data directory.
func TestResolveConfined(t *testing.T) {
	data := t.TempDir()
	outside := t.TempDir()
	writeFile(t, data, "lulc.tif", "x")
	writeFile(t, outside, "secret.tif", "x")
	os.Symlink(filepath.Join(outside, "secret.tif"), filepath.Join(data, "link.tif"))
	for _, c := range []struct{ lulc, want string }{
		{"lulc.tif", ""},
		{"../x/lulc.tif", "must be a path inside the data directory"},
		{filepath.Join(outside, "secret.tif"), "must be a path inside the data directory"},
		{"link.tif", "leads out of the data directory"},
		{"missing.tif", "does not exist"},
	} {
		cfg := &Config{Rasters: Rasters{LULC: c.lulc}}
		err := cfg.Resolve(data, true)
		if c.want == "" {
			if err != nil || !strings.HasSuffix(cfg.Rasters.LULC, "lulc.tif") || !filepath.IsAbs(cfg.Rasters.LULC) {
				t.Errorf("%s: %v %q", c.lulc, err, cfg.Rasters.LULC)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.lulc, err, c.want)
		}
	}
}

// FuzzParseConfig: any bytes give a config or an error, never a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("year: 2024\nrasters: {lulc: a}\nzones: [{level: county, raster: z.tif, table: z.csv}]\nparameters: {cooling_days: 60}\n"))
	f.Add([]byte(`{"year": 2024, "parameters": {"z": 1e400}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseConfig("fuzz", b)
	})
}

// TestLSFromSlope: RUSLE LS from the slope alone, worked by hand.
func TestLSFromSlope(t *testing.T) {
	for _, c := range []struct{ deg, cell, want float64 }{
		// 0 %: m 0.2, S 0.03, L (100/22.13)^0.2 = 1.35210.
		{0, 100, 0.0405625},
		// tan 2° = 3.49 %: m 0.3, S 10.8 sin 2° + 0.03 = 0.406914, L (30/22.13)^0.3 = 1.09557.
		{2, 30, 0.445805},
		// tan 20° = 36 %: S 16.8 sin 20° − 0.5 = 5.245937; β = (0.34202/0.0896)/(3·0.34202^0.8 + 0.56)
		// = 2.08407, m = β/(1+β) = 0.675758, L = 1.35563^0.675758 = 1.228270.
		{20, 30, 6.44342},
	} {
		if got := lsFromSlope(c.deg, c.cell); !near(got, c.want, 1e-5) {
			t.Errorf("%v° at %v m: LS %v, want %v", c.deg, c.cell, got, c.want)
		}
	}
}

// TestAccountSlope: the soil lines from a slope raster in place of LS.
func TestAccountSlope(t *testing.T) {
	dir, config := accFixture(t, "zones:\n  - {level: county, raster: zones.tif, table: zones.csv}")
	tif100(t, dir, "slope", []float64{0, 0, 0, 0}, "Float32", 500000)
	cfg, err := LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rasters.LS, cfg.Rasters.Slope = "", filepath.Join(dir, "slope.tif")
	acc, err := Run(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// County 331101: forest keeps R·K·LS·(1 − 0.01) and water R·K·LS, with
	// R·K = 50 and LS 0.0405625 of a flat 100 m pixel.
	if want := 50 * 0.0405625 * (0.99 + 1); !near(acc.Zones[1].SoilT, want, 1e-5) {
		t.Errorf("soil retained %v t, want %v", acc.Zones[1].SoilT, want)
	}
}
