package gep

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"ecoindustry/internal/raster"
)

// Fractp is InVEST's fractp_op for one pixel: actual over potential
// evapotranspiration's share of precipitation, AET/P. kc and rootDepth (mm)
// come from the land cover's row of the biophysical table; soilDepth is
// the depth to the root-restricting layer (mm), pawc the plant-available
// water content (fraction), z the seasonality constant. p must not be 0.
func Fractp(kc, et0, p, rootDepth, soilDepth, pawc float64, veg bool, z float64) float64 {
	pet := kc * et0
	if !veg {
		return math.Min(pet, p) / p
	}
	awc := math.Min(rootDepth, soilDepth) * pawc
	w := math.Min(z*awc/p+1.25, 5)
	r := pet / p
	// (1 + r^w)^(1/w) by exp and log: math.Pow's special cases cost twice
	// as much; r ≥ 0 (0 gives 0) and w ≥ 1.25 here.
	return math.Min(r, 1+r-math.Exp(math.Log1p(math.Exp(w*math.Log(r)))/w))
}

// WaterYieldOptions are the annual water yield model's inputs: rasters
// aligned with each other, the biophysical table and the watersheds.
type WaterYieldOptions struct {
	LULC, Precip, ET0, RootDepth, PAWC string
	Biophysical                        string  // CSV: lucode,Kc,root_depth (mm),LULC_veg
	Watersheds                         string  // GeoJSON, ws_id, in the rasters' CRS or lon/lat (readWatersheds)
	Z                                  float64 // seasonality constant
	Out                                string
	Deflate                            bool // compress the rasters (smaller, slower)
	BandRows                           int  // 0: BandRows
}

// WatershedResult is a watershed's means over its pixels (mm; each over
// the pixels where that quantity is defined) and its water yield volume
// (m³, wyield_mn × the polygons' area / 1000). Means are NaN where the
// watershed has no such pixel.
type WatershedResult struct {
	ID                               int
	PrecipMn, PETMn, AETMn, WyieldMn float64
	WyieldVol                        float64
	Area                             float64
}

// sums are a watershed's sums and counts of pixels, for its means.
type sums struct {
	precipN, petN, fractpN               int
	precipSum, petSum, aetSum, wyieldSum float64
}

// WaterYield runs InVEST 3.14.1's annual water yield model (without
// valuation): wyield.tif (mm), aet.tif (mm) and fractp.tif under opt.Out,
// watershed_results.csv, and the watersheds' results.
func WaterYield(ctx context.Context, opt WaterYieldOptions) ([]WatershedResult, error) {
	if !(opt.Z > 0) || math.IsInf(opt.Z, 0) {
		return nil, fmt.Errorf("gep: the seasonality constant Z is %v, want a positive number (InVEST: 1 to 30)", opt.Z)
	}
	bio, err := readTable(opt.Biophysical, []string{"Kc", "root_depth", "LULC_veg"})
	if err != nil {
		return nil, err
	}
	in, err := openInputs(opt.LULC, opt.Precip, opt.ET0, opt.RootDepth, opt.PAWC)
	if err != nil {
		return nil, err
	}
	defer in.close()
	sheds, err := readWatersheds(opt.Watersheds, in.grid)
	if err != nil {
		return nil, err
	}
	nd := make([]raster.NoDataTest, len(in.readers))
	for i, r := range in.readers {
		nd[i] = r.Grid().NoDataTest()
	}
	width := in.grid.Width
	// Per part: the pixels' quantities and their sums per watershed.
	type partSums struct {
		res   []sums
		pet   []float64 // NaN where undefined
		spans [][2]int
		xs    []float64
	}
	var parts [2]partSums
	for i := range parts {
		parts[i].res = make([]sums, len(sheds))
	}
	err = run(ctx, in, opt.Out, []string{"wyield.tif", "aet.tif", "fractp.tif"}, opt.Deflate, opt.BandRows, func(part, y0, n int, src, dst [][]float64) error {
		lulc, precip, et0, depth, pawc := src[0], src[1], src[2], src[3], src[4]
		wyield, aet, fractp := dst[0], dst[1], dst[2]
		ps := &parts[part]
		if len(ps.pet) < n*width {
			ps.pet = make([]float64, n*width)
		}
		pet := ps.pet
		for k := range n * width {
			wyield[k], aet[k], fractp[k], pet[k] = NoData, NoData, NoData, math.NaN()
			if nd[0].Is(lulc[k]) {
				continue
			}
			row := bio.lookup(lulc[k])
			if row == nil {
				return fmt.Errorf("gep: %s: land-cover code %v at %s is not in %s", in.grid.Name, lulc[k], pixel(in.grid, k%width, y0+k/width), opt.Biophysical)
			}
			if !nd[2].Is(et0[k]) {
				pet[k] = row[0] * et0[k]
			}
			p := precip[k]
			if nd[1].Is(p) || p == 0 || math.IsNaN(pet[k]) || nd[3].Is(depth[k]) || nd[4].Is(pawc[k]) {
				continue
			}
			f := Fractp(row[0], et0[k], p, row[1], depth[k], pawc[k], row[2] == 1, opt.Z)
			fractp[k], aet[k], wyield[k] = f, f*p, (1-f)*p
		}
		for i := range sheds {
			r := &ps.res[i]
			for y := range n {
				ps.spans, ps.xs = sheds[i].spans(y0+y, width, ps.xs, ps.spans)
				for _, s := range ps.spans {
					for k := y*width + s[0]; k < y*width+s[1]; k++ {
						if p := precip[k]; !nd[1].Is(p) {
							r.precipN++
							r.precipSum += p
						}
						if !math.IsNaN(pet[k]) {
							r.petN++
							r.petSum += pet[k]
						}
						if fractp[k] != NoData {
							r.fractpN++
							r.aetSum += aet[k]
							r.wyieldSum += wyield[k]
						}
					}
				}
			}
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	res := make([]WatershedResult, len(sheds))
	for i, ws := range sheds {
		a, b := parts[0].res[i], parts[1].res[i]
		mean := func(s float64, n int) float64 {
			if n == 0 {
				return math.NaN()
			}
			return s / float64(n)
		}
		r := WatershedResult{ID: ws.id, Area: ws.area,
			PrecipMn: mean(a.precipSum+b.precipSum, a.precipN+b.precipN),
			PETMn:    mean(a.petSum+b.petSum, a.petN+b.petN),
			AETMn:    mean(a.aetSum+b.aetSum, a.fractpN+b.fractpN),
			WyieldMn: mean(a.wyieldSum+b.wyieldSum, a.fractpN+b.fractpN)}
		r.WyieldVol = r.WyieldMn * ws.area / 1000
		res[i] = r
	}
	return res, writeResults(filepath.Join(opt.Out, "watershed_results.csv"), res)
}

// writeResults writes watershed_results.csv as InVEST does; an undefined
// mean is an empty field.
func writeResults(path string, res []WatershedResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"ws_id", "precip_mn", "PET_mn", "AET_mn", "wyield_mn", "wyield_vol"})
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, r := range res {
		w.Write([]string{strconv.Itoa(r.ID), num(r.PrecipMn), num(r.PETMn), num(r.AETMn), num(r.WyieldMn), num(r.WyieldVol)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("gep: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gep: %s: %w", path, err)
	}
	return nil
}
