package gep

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/geotiff"
)

// ScenarioOptions are a land-use change and the inputs of the models run
// on the land cover before and after it (decision 0031).
type ScenarioOptions struct {
	LULC string // the land cover as it is
	// The change: a land cover aligned with LULC, or parcels (GeoJSON
	// polygons in the rasters' CRS or lon/lat) whose pixels take code To.
	NewLULC string
	Parcels string
	To      int
	// Carbon's table; water yield's rasters, table and Z, as the models take them.
	Pools                             string
	Precip, ET0, RootDepth, PAWC, Bio string
	Z                                 float64
	// Zones is a raster of integer zone codes (a county raster) aligned
	// with LULC; "" sums over the whole raster as zone 0.
	Zones string
	Out   string
}

// ZoneChange is one service's quantity in a zone before and after.
type ZoneChange struct {
	Zone     int     `json:"zone"`
	Service  string  `json:"service"`
	Unit     string  `json:"unit"`
	Base     float64 `json:"base"`
	Scenario float64 `json:"scenario"`
	Change   float64 `json:"change"`
}

// ScenarioResult is what a scenario changes: pixels and services per zone.
type ScenarioResult struct {
	LULC    string       `json:"lulc_scenario"`
	Changed int          `json:"changed_pixels"`
	Zones   []ZoneChange `json:"zones"`
}

// Scenario writes the changed land cover (when given as parcels), runs
// carbon on both land covers and water yield on each, and sums carbon
// storage (Mg) and water yield (m³) per zone before and after.
func Scenario(ctx context.Context, opt ScenarioOptions) (*ScenarioResult, error) {
	if (opt.NewLULC == "") == (opt.Parcels == "") {
		return nil, fmt.Errorf("gep: scenario: give a new land cover or parcels, one of them")
	}
	// What can be checked before anything long: the tables have the new code.
	if opt.Parcels != "" {
		for _, path := range []string{opt.Pools, opt.Bio} {
			tab, err := readTable(path, nil)
			if err != nil {
				return nil, err
			}
			if tab.lookup(float64(opt.To)) == nil {
				return nil, fmt.Errorf("gep: scenario: land-cover code %d is not in %s", opt.To, path)
			}
		}
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	res := &ScenarioResult{LULC: opt.NewLULC}
	if opt.Parcels != "" {
		res.LULC = filepath.Join(opt.Out, "lulc_scenario.tif")
		n, err := applyParcels(ctx, opt.LULC, opt.Parcels, opt.To, res.LULC)
		if err != nil {
			return nil, err
		}
		res.Changed = n
	} else {
		n, err := countChanged(opt.LULC, opt.NewLULC)
		if err != nil {
			return nil, err
		}
		res.Changed = n
	}
	carbonDir := filepath.Join(opt.Out, "carbon")
	if err := os.MkdirAll(carbonDir, 0o755); err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	if _, err := Carbon(ctx, CarbonOptions{LULCCur: opt.LULC, LULCFut: res.LULC, Pools: opt.Pools, Out: carbonDir}); err != nil {
		return nil, err
	}
	// Water yield wants watersheds: the raster's extent as one.
	g, err := rasterGrid(opt.LULC)
	if err != nil {
		return nil, err
	}
	ws := filepath.Join(opt.Out, "extent.geojson")
	if err := writeExtent(ws, g); err != nil {
		return nil, err
	}
	for _, run := range []struct{ lulc, dir string }{{opt.LULC, "water_base"}, {res.LULC, "water_scenario"}} {
		dir := filepath.Join(opt.Out, run.dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("gep: %w", err)
		}
		_, err := WaterYield(ctx, WaterYieldOptions{LULC: run.lulc, Precip: opt.Precip, ET0: opt.ET0, RootDepth: opt.RootDepth, PAWC: opt.PAWC,
			Biophysical: opt.Bio, Watersheds: ws, Z: opt.Z, Out: dir})
		if err != nil {
			return nil, err
		}
	}
	area := g.PixelArea()
	sums, err := zoneSums(opt.Zones, []string{
		filepath.Join(carbonDir, "tot_c_cur.tif"), filepath.Join(carbonDir, "tot_c_fut.tif"),
		filepath.Join(opt.Out, "water_base", "wyield.tif"), filepath.Join(opt.Out, "water_scenario", "wyield.tif"),
	})
	if err != nil {
		return nil, err
	}
	zones := make([]int, 0, len(sums))
	for z := range sums {
		zones = append(zones, z)
	}
	slices.Sort(zones)
	for _, z := range zones {
		s := sums[z]
		res.Zones = append(res.Zones,
			ZoneChange{Zone: z, Service: "carbon_storage", Unit: "Mg C", Base: s[0], Scenario: s[1], Change: s[1] - s[0]},
			// wyield is mm over the pixel: mm / 1000 × m² = m³.
			ZoneChange{Zone: z, Service: "water_yield", Unit: "m³", Base: s[2] * area / 1000, Scenario: s[3] * area / 1000, Change: (s[3] - s[2]) * area / 1000})
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(filepath.Join(opt.Out, "scenario.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	return res, nil
}

func rasterGrid(path string) (raster.Grid, error) {
	r, err := geotiff.Open(path)
	if err != nil {
		return raster.Grid{}, err
	}
	defer r.Close()
	return r.Grid(), nil
}

// writeExtent writes the grid's extent as a watershed in its CRS.
func writeExtent(path string, g raster.Grid) error {
	t := g.Transform
	x0, y0, x1, y1 := t[0], t[3], t[0]+float64(g.Width)*t[1], t[3]+float64(g.Height)*t[5]
	fc := map[string]any{"type": "FeatureCollection",
		"crs": map[string]any{"type": "name", "properties": map[string]string{"name": fmt.Sprintf("urn:ogc:def:crs:EPSG::%d", g.EPSG)}},
		"features": []any{map[string]any{"type": "Feature", "properties": map[string]int{"ws_id": 1},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}}}}
	b, err := json.Marshal(fc)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	return nil
}

// applyParcels writes to out the land cover of base with the pixels whose
// centres lie in the parcels set to code to, and returns how many changed.
func applyParcels(ctx context.Context, base, parcels string, to int, out string) (int, error) {
	in, err := openInputs(base)
	if err != nil {
		return 0, err
	}
	defer in.close()
	g := in.grid
	ps, err := readPolygons(parcels, g, "", "")
	if err != nil {
		return 0, err
	}
	w, err := geotiff.Create(out, g, geotiff.Options{Description: fmt.Sprintf("land-use scenario: %s with the parcels of %s as code %d",
		filepath.Base(base), filepath.Base(parcels), to)})
	if err != nil {
		return 0, err
	}
	nd := g.NoDataTest()
	row := make([]float64, g.Width)
	var spans [][2]int
	var xs []float64
	changed := 0
	for y := range g.Height {
		if y%256 == 0 {
			if err := ctx.Err(); err != nil {
				w.Close()
				return 0, err
			}
		}
		if err := in.readers[0].Rows(y, 1, row); err != nil {
			w.Close()
			return 0, err
		}
		for i := range ps {
			spans, xs = ps[i].spans(y, g.Width, xs, spans)
			for _, s := range spans {
				for x := s[0]; x < s[1]; x++ {
					// Outside the land (nodata) stays outside.
					if !nd.Is(row[x]) && row[x] != float64(to) {
						row[x] = float64(to)
						changed++
					}
				}
			}
		}
		if err := w.WriteRows(row); err != nil {
			w.Close()
			return 0, err
		}
	}
	return changed, w.Close()
}

// countChanged counts the pixels whose land cover differs between two
// aligned rasters.
func countChanged(a, b string) (int, error) {
	in, err := openInputs(a, b)
	if err != nil {
		return 0, err
	}
	defer in.close()
	g := in.grid
	ra, rb := make([]float64, BandRows*g.Width), make([]float64, BandRows*g.Width)
	n := 0
	for y := 0; y < g.Height; y += BandRows {
		rows := min(BandRows, g.Height-y)
		if err := in.readers[0].Rows(y, rows, ra[:rows*g.Width]); err != nil {
			return 0, err
		}
		if err := in.readers[1].Rows(y, rows, rb[:rows*g.Width]); err != nil {
			return 0, err
		}
		for k := range rows * g.Width {
			if ra[k] != rb[k] {
				n++
			}
		}
	}
	return n, nil
}

// zoneSums sums each raster over the pixels of each zone of the zone
// raster (all in zone 0 where zones is ""), leaving out nodata.
func zoneSums(zones string, paths []string) (map[int][]float64, error) {
	all := paths
	if zones != "" {
		all = append([]string{zones}, paths...)
	}
	in, err := openInputs(all...)
	if err != nil {
		return nil, err
	}
	defer in.close()
	g := in.grid
	bufs := make([][]float64, len(all))
	nd := make([]raster.NoDataTest, len(all))
	for i, r := range in.readers {
		bufs[i] = make([]float64, BandRows*g.Width)
		nd[i] = r.Grid().NoDataTest()
	}
	sums := map[int][]float64{}
	off := len(all) - len(paths)
	for y := 0; y < g.Height; y += BandRows {
		rows := min(BandRows, g.Height-y)
		for i, r := range in.readers {
			if err := r.Rows(y, rows, bufs[i][:rows*g.Width]); err != nil {
				return nil, err
			}
		}
		for k := range rows * g.Width {
			zone := 0
			if off == 1 {
				z := bufs[0][k]
				if nd[0].Is(z) || math.IsNaN(z) {
					continue
				}
				zone = int(z)
			}
			s := sums[zone]
			if s == nil {
				s = make([]float64, len(paths))
				sums[zone] = s
			}
			for i := range paths {
				if v := bufs[off+i][k]; !nd[off+i].Is(v) {
					s[i] += v
				}
			}
		}
	}
	return sums, nil
}

// Site is a plant's site: where it is (WGS84) and its land in mu.
type Site struct {
	USCC, Name string
	Lon, Lat   float64
	LandMu     float64
}

// SiteParcels are the sites as GeoJSON parcels in longitude and latitude:
// a square of the site's land (1 mu = 10,000/15 m²) centred on its point,
// at least minSide metres a side so that it holds a pixel's centre.
// Sites without coordinates are left out.
func SiteParcels(sites []Site, minSide float64) []byte {
	features := []any{}
	for _, s := range sites {
		if s.Lon == 0 && s.Lat == 0 {
			continue
		}
		half := math.Max(math.Sqrt(s.LandMu*10000/15), minSide) / 2
		dlat := half / 111320
		dlon := half / (111320 * math.Cos(s.Lat*math.Pi/180))
		ring := [][2]float64{{s.Lon - dlon, s.Lat - dlat}, {s.Lon + dlon, s.Lat - dlat}, {s.Lon + dlon, s.Lat + dlat}, {s.Lon - dlon, s.Lat + dlat}, {s.Lon - dlon, s.Lat - dlat}}
		features = append(features, map[string]any{"type": "Feature", "properties": map[string]any{"uscc": s.USCC, "name": s.Name, "land_mu": s.LandMu},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	return b
}
