package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ecoindustry/internal/gep/geptest"
)

// TestGEPCarbon runs `ecoind gep carbon` on InVEST's test case (gep.md
// §5.1): 10×10 pixels of 1 m², all forest now and crop later.
func TestGEPCarbon(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, code string }{{"cur.tif", "1"}, {"fut.tif", "2"}} {
		out, err := exec.Command("gdal_create", "-q", "-of", "GTiff", "-outsize", "10", "10", "-ot", "Int32", "-burn", c.code,
			"-a_srs", "EPSG:26910", "-a_ullr", "461261", "4923265", "461271", "4923255", filepath.Join(dir, c.name)).CombinedOutput()
		if err != nil {
			t.Fatalf("gdal_create (apt-get install -y gdal-bin): %v\n%s", err, out)
		}
	}
	pools := write(t, dir, "pools.csv", "lucode,c_above,c_below,c_soil,c_dead\n1,15,10,60,1\n2,5,3,20,0\n")
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, nil, "gep", "carbon", "--lulc-cur", filepath.Join(dir, "cur.tif"), "--lulc-fut", filepath.Join(dir, "fut.tif"),
		"--pools", pools, "--price", "43", "--discount", "-7.1", "--rate-change", "2.8", "--year-cur", "2016", "--year-fut", "2030", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]float64
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"total_cur_mg": 0.86, "total_fut_mg": 0.28, "total_delta_mg": -0.58, "npv": -34.2208} {
		if d := sum[k] - want; d > 1e-4 || d < -1e-4 {
			t.Errorf("%s %v, want %v", k, sum[k], want)
		}
	}
	for _, name := range []string{"tot_c_cur.tif", "tot_c_fut.tif", "delta_cur_fut.tif", "npv_fut.tif"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	code, _, stderr = run(t, nil, "gep", "carbon", "--lulc-cur", filepath.Join(dir, "cur.tif"), "--pools", pools, "--price", "43", "--out", out)
	if code != 2 || !strings.Contains(stderr, "valuation needs all of") {
		t.Errorf("partial valuation: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, nil, "gep", "water-yield", "--lulc", "x.tif")
	if code != 2 || !strings.Contains(stderr, "--precip is required") {
		t.Errorf("missing flag: exit %d: %s", code, stderr)
	}
}

// TestGEPRun runs `ecoind gep run --config` on a small fixture: the
// account printed, its files written, progress as plain lines (stderr is
// not a terminal), and a config error named with its file.
func TestGEPRun(t *testing.T) {
	dir := t.TempDir()
	config := write(t, dir, "gep.yaml", geptest.Fixture(t, dir)+"out: out\n")
	code, stdout, stderr := run(t, nil, "gep", "run", "--config", config)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "region") || !strings.Contains(stdout, "莲都区") || !strings.Contains(stderr, "核算 accounting 100% (4/4 rows)") {
		t.Errorf("stdout %s\nstderr %s", stdout, stderr)
	}
	for _, name := range []string{"account.json", "account.xlsx", "value_water_conservation.tif", "value_climate_regulation.tif"} {
		if _, err := os.Stat(filepath.Join(dir, "out", name)); err != nil {
			t.Error(err)
		}
	}
	code, stdout, _ = run(t, nil, "gep", "prices")
	if code != 0 || !strings.HasPrefix(stdout, "year,item,price,unit,source\n2010,water_storage,7.06,元/m³,") {
		t.Errorf("prices: %d %s", code, stdout)
	}
	bad := write(t, dir, "bad.yaml", "year: 2010\n")
	code, _, stderr = run(t, nil, "gep", "run", "--config", bad)
	if code != 1 || !strings.Contains(stderr, "bad.yaml: rasters.") || !strings.Contains(stderr, "缺少") {
		t.Errorf("bad config: exit %d: %s", code, stderr)
	}
}
