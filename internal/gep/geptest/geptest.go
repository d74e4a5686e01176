// Package geptest writes a small GEP account fixture (rasters made with
// Debian's gdal-bin, tables, a config) for the tests of the packages that
// run accounts: the command line and the API.
package geptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Fixture writes, under dir, 4×4 forest pixels of 100 m with constant
// fields, the tables and a config whose paths are relative to dir; it
// returns the config (YAML). The region 331100 has one county, 331102,
// over the whole grid.
func Fixture(t testing.TB, dir string) string {
	t.Helper()
	for name, burn := range map[string]string{"lulc": "1", "precip": "2000", "et0": "1000", "depth": "1000", "pawc": "0.1",
		"r": "5000", "k": "0.01", "ls": "2", "zones": "331102"} {
		ot := "Float32"
		if name == "lulc" || name == "zones" {
			ot = "Int32"
		}
		out, err := exec.Command("gdal_create", "-q", "-of", "GTiff", "-outsize", "4", "4", "-ot", ot, "-burn", burn,
			"-a_srs", "EPSG:32650", "-a_ullr", "500000", "3150000", "500400", "3149600", "-co", "COMPRESS=DEFLATE",
			filepath.Join(dir, name+".tif")).CombinedOutput()
		if err != nil {
			t.Fatalf("gdal_create (apt-get install -y gdal-bin): %v\n%s", err, out)
		}
	}
	files := map[string]string{
		"bio.csv": "lucode,Kc,root_depth,LULC_veg,runoff_coef,usle_c,usle_p,cn,npp,so2,nox,dust,cod,nh3n,water\n" +
			"1,1,1000,1,0.1,0.01,1,60,10,100,20,1000,0,0,0\n",
		"stats.csv": "zone,gdp,agriculture,forestry,husbandry,fishery,visitors,tourism_revenue,reservoir_capacity\n" +
			"331100,20000,300,50,20,10,1000,30,2\n331102,20000,300,50,20,10,1000,30,2\n",
		"zones.csv": "code,name\n331102,莲都区\n",
	}
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return `name: 测试市 2010
year: 2010
region: {code: 331100, name: 测试市}
zones:
  - {level: county, raster: zones.tif, table: zones.csv}
rasters: {lulc: lulc.tif, precip: precip.tif, et0: et0.tif, root_depth: depth.tif, pawc: pawc.tif, erosivity: r.tif, erodibility: k.tif, ls: ls.tif}
tables: {biophysical: bio.csv, statistics: stats.csv}
parameters: {cooling_days: 73}
`
}
