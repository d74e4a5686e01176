package gep

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// lishuiCounties are the nine county-level codes (GB/T 2260), the demo's
// zones laid out 3×3 over the benchmark's grid.
var lishuiCounties = []int{331102, 331121, 331122, 331123, 331124, 331125, 331126, 331127, 331181}

// makeAccountInputs adds to the models' benchmark inputs what a whole
// account needs: RUSLE's R, K and LS, a county raster (nine counties),
// the GEP land-cover table, statistics and the config (account.yaml,
// two levels: the counties as a raster and the two watersheds as
// polygons), all cached beside them.
func makeAccountInputs(b *testing.B) string {
	in := makeBenchInputs(b)
	dir := filepath.Dir(in.cur)
	p := func(name string) string { return filepath.Join(dir, name) }
	benchRaster(b, p("r.tif"), "Float32", func(x, y int) float64 { return 4000 + 1000*hash(x/8, y/8, 7) })
	benchRaster(b, p("k.tif"), "Float32", func(x, y int) float64 { return 0.02 + 0.02*hash(x/4, y/4, 8) })
	// Terrain-like slopes: smooth ridges plus noise.
	benchRaster(b, p("ls.tif"), "Float32", func(x, y int) float64 {
		return 8 + 6*math.Sin(float64(x)/90)*math.Cos(float64(y)/70) + 2*hash(x, y, 9)
	})
	step := (benchSize + 2) / 3
	benchRaster(b, p("counties.tif"), "Int32", func(x, y int) float64 { return float64(lishuiCounties[(y/step)*3+x/step]) })
	writeFile(b, dir, "gep_biophysical.csv", "lucode,Kc,root_depth,LULC_veg,runoff_coef,usle_c,usle_p,cn,npp,so2,nox,dust,cod,nh3n,water\n"+
		"1,1.0,5000,1,0.05,0.006,1,55,12,88.65,6,33200,0,0,0\n2,0.9,2000,1,0.08,0.01,1,65,8,60,5,10000,0,0,0\n"+
		"3,0.85,1000,1,0.1,0.04,1,70,6,40,4,5000,0,0,0\n4,0.7,1200,1,0.2,0.23,0.4,78,7,45,4,2000,0,0,0\n"+
		"5,1.05,1,0,0,0,1,100,0,0,0,0,400,40,1\n6,0.3,1,0,0.7,0.01,1,92,0,0,0,0,0,0,0\n")
	var names, stats strings.Builder
	names.WriteString("code,name\n")
	stats.WriteString("zone,gdp,agriculture,forestry,husbandry,fishery,visitors,tourism_revenue,reservoir_capacity\n1,,,,,,,,\n2,,,,,,,,\n")
	for i, c := range lishuiCounties {
		fmt.Fprintf(&names, "%d,县%d\n", c, i+1)
		fmt.Fprintf(&stats, "%d,%d,%d,%d,%d,%d,%d,%d,%d\n", c, 1500000+100000*i, 120000, 60000, 50000, 20000, 10000000, 1200000, 50000)
	}
	writeFile(b, dir, "counties.csv", names.String())
	writeFile(b, dir, "gep_statistics.csv", stats.String())
	// The models' two watersheds, as zones with a code and a name.
	writeFile(b, dir, "zones_ws.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[
{"type":"Feature","properties":{"code":1,"name":"西流域"},"geometry":{"type":"Polygon","coordinates":[[[400000,3250000],[470000,3250000],[455000,3118000],[400000,3118000],[400000,3250000]]]}},
{"type":"Feature","properties":{"code":2,"name":"东流域"},"geometry":{"type":"Polygon","coordinates":[[[470000,3250000],[532000,3250000],[532000,3118000],[455000,3118000],[470000,3250000]]]}}]}`)
	writeFile(b, dir, "account.yaml", `name: benchmark (synthetic)
year: 2010
region: {code: 331100, name: 丽水市 (synthetic)}
zones:
  - {level: county, raster: counties.tif, table: counties.csv}
  - {level: watershed, geojson: zones_ws.geojson}
rasters: {lulc: lulc_cur.tif, precip: precip.tif, et0: et0.tif, root_depth: depth.tif, pawc: pawc.tif, erosivity: r.tif, erodibility: k.tif, ls: ls.tif}
tables: {biophysical: gep_biophysical.csv, statistics: gep_statistics.csv}
parameters: {z: 5, cooling_days: 90}
out: account-out
`)
	return p("account.yaml")
}

// BenchmarkAccount runs the whole GEP account of the Lishui-sized inputs.
func BenchmarkAccount(b *testing.B) {
	config := makeAccountInputs(b)
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := LoadConfig(config)
		if err != nil {
			b.Fatal(err)
		}
		acc, err := Run(context.Background(), cfg, Options{Out: out})
		if err != nil {
			b.Fatal(err)
		}
		if len(acc.Zones) != 12 || !(acc.Zones[0].GEP > 0) {
			b.Fatalf("zones %d, GEP %v", len(acc.Zones), acc.Zones[0].GEP)
		}
	}
	b.ReportMetric(float64(benchSize*benchSize)*float64(b.N)/b.Elapsed().Seconds(), "px/s")
}
