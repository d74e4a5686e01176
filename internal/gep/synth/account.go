package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The demo's GEP account (decision 0033): the land-cover table's columns
// the account needs beyond InVEST's, a statistics table per year in the
// account's format (docs/gep-config.md) and a `gep run` config for
// AccountYears.

// AccountYears are the years the demo accounts: 2018, the year of the
// published figure (reference gep.md §2.2), and 2019 for the change
// year on year.
var AccountYears = []int{2018, 2019}

// accountColumns are the account's land-cover columns beyond InVEST's
// (docs/gep-config.md): storm runoff share, SCS curve number, NPP
// (t dry matter/ha/a), SO₂, NOₓ and dust uptake and COD and NH₃-N removal
// (kg/ha/a), open water. Typical values of a subtropical mountain region
// chosen for the demo, not taken from a source (reference gep.md §9 has
// none): replace them with measured ones for a real account.
var accountColumns = []string{"runoff_coef", "cn", "npp", "so2", "nox", "dust", "cod", "nh3n", "water"}

var accountValues = map[int][]float64{
	11: {0.35, 78, 8, 45, 10, 10000, 60, 6, 0},  // cropland (paddy)
	21: {0.15, 55, 11, 90, 25, 30000, 40, 4, 0}, // forest
	22: {0.20, 61, 7, 60, 15, 15000, 30, 3, 0},  // shrubland
	31: {0.25, 69, 5, 30, 8, 8000, 20, 2, 0},    // grassland
	41: {0, 100, 0, 0, 0, 0, 200, 20, 1},        // water: its climate regulation is evaporation's
	51: {0.80, 92, 1, 5, 1, 500, 0, 0, 0},       // built-up
}

// CoolingDays is the demo's air-conditioning days (days with a daily
// mean above 26 °C), which the account has no default for (reference
// gep.md §9.3: Lishui's value not found). CALIBRATED, not observed: the
// value that brings the demo's 2018 GEP to the published 502.45 bn yuan
// (gep.md §2.2) given the other synthetic services. It is low (Lishui's
// summers likely have more such days): open water's evaporation, which
// the formula counts all year (gep.md §1.2), is 141 bn alone on the
// demo's 2 % of water, and the synthetic soil retention (RUSLE without
// routing on steep terrain) is high. For the same reason the prices are
// Garzê 2010's as published, not rescaled by the CPI to 2018 (×1.21):
// rescaled, the total passes the published figure whatever the days.
const CoolingDays = 16

// reservoirs is the total reservoir capacity per county, 万 m³
// (synthetic: Lishui's large reservoirs, 紧水滩 on the Ou river between
// Longquan and Yunhe and 滩坑 between Qingtian and Jingning, hold some
// billions of m³ [unverified: general knowledge]; the other counties'
// small reservoirs are made up).
var reservoirs = map[string]float64{"331102": 8000, "331181": 70000, "331121": 210000, "331122": 9000, "331123": 12000,
	"331124": 6000, "331125": 70000, "331126": 5000, "331127": 210000}

// zoneStats is a county's figures of a year, in yuan and visits.
type zoneStats struct {
	gdp, agriculture, forestry, husbandry, fishery, visits, tourism float64
}

// writeStatistics writes statistics_YEAR.csv for every year in the
// account's format: money in 万元, reservoir capacity in 万 m³.
func writeStatistics(dir string, cs []county, st map[int][]zoneStats) ([]string, error) {
	var names []string
	w := func(v float64) string { return strconv.FormatFloat(v/1e4, 'f', 2, 64) }
	for _, y := range Years {
		var b strings.Builder
		b.WriteString("zone,gdp,agriculture,forestry,husbandry,fishery,visitors,tourism_revenue,reservoir_capacity\n")
		for i, c := range cs {
			s := st[y][i]
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%.0f,%s,%g\n", c.Code, w(s.gdp), w(s.agriculture), w(s.forestry), w(s.husbandry),
				w(s.fishery), s.visits, w(s.tourism), reservoirs[c.Code])
		}
		name := fmt.Sprintf("statistics_%d.csv", y)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
		names = append(names, name)
	}
	return names, nil
}

// AccountConfig is the demo's `gep run` config for year (one of
// AccountYears), its paths prefixed by base: "" beside the inputs (the
// command line, which writes to out/YEAR and compares 2019 with
// out/2018), "gep/" for the API, whose paths are relative to the data
// directory and which chooses the output (previous is then the earlier
// run's account.json, or none).
func AccountConfig(year int, base, previous string) []byte {
	var b strings.Builder
	p := func(name string) string { return strconv.Quote(base + name) }
	fmt.Fprintf(&b, `# SYNTHETIC demo account of Lishui %d (decision 0033): the inputs are made up (README.md).
name: 丽水市 %d 年 GEP 核算（合成演示数据）
year: %d
price_year: 2010                      # the Garzê 2010 unit prices, built in, not rescaled (reference gep.md §9.2; decision 0033)
region: {code: 331100, name: 丽水市}
zones:
  - level: county
    geojson: %s
    code_property: ws_id               # the county code as an integer (code is the same as text)
    name_property: name
rasters:
  lulc: %s
  precip: %s
  et0: %s
  root_depth: %s
  pawc: %s
  erosivity: %s
  erodibility: %s
  ls: %s
tables:
  biophysical: %s
  statistics: %s
parameters:
  cooling_days: %d                    # CALIBRATED to the published 2018 GEP (gep.md §2.2), not observed: decision 0033
`, year, year, year, p("counties.geojson"), p("lulc.tif"), p("precip.tif"), p("et0.tif"), p("soil_depth.tif"),
		p("pawc.tif"), p("erosivity.tif"), p("erodibility.tif"), p("ls.tif"), p("biophysical.csv"), p(fmt.Sprintf("statistics_%d.csv", year)), CoolingDays)
	switch {
	case base == "":
		fmt.Fprintf(&b, "out: out/%d\n", year)
		if year > AccountYears[0] {
			fmt.Fprintf(&b, "previous: out/%d/account.json\n", year-1)
		}
	case previous != "":
		fmt.Fprintf(&b, "previous: %s\n", strconv.Quote(previous))
	}
	return []byte(b.String())
}

// writeAccountConfigs writes account-YEAR.yaml for AccountYears.
func writeAccountConfigs(dir string) ([]string, error) {
	var names []string
	for _, y := range AccountYears {
		name := fmt.Sprintf("account-%d.yaml", y)
		if err := os.WriteFile(filepath.Join(dir, name), AccountConfig(y, "", ""), 0o644); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
		names = append(names, name)
	}
	return names, nil
}

// accountMaterial is the account's figure a material product of the
// tables goes to; nil for water supply and hydropower, which the account
// has no line for yet (decision 0030).
func accountMaterial(s *zoneStats, product string) *float64 {
	switch product {
	case "agriculture":
		return &s.agriculture
	case "forestry":
		return &s.forestry
	case "livestock":
		return &s.husbandry
	case "fishery":
		return &s.fishery
	}
	return nil
}
