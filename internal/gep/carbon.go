package gep

import (
	"context"
	"fmt"
	"math"

	"ecoindustry/internal/raster"
)

// Valuation is the carbon model's valuation: a price per Mg of carbon,
// the yearly discount rate and the yearly change of the price (percent).
type Valuation struct {
	Price, Discount, RateChange float64
	YearCur, YearFut            int
}

// Constant is InVEST's valuation constant: the value of a Mg sequestered
// evenly from YearCur to YearFut, discounted,
// price/n × (1−ratio^n)/(1−ratio) with ratio = 1/((1+d)(1+c)), or the
// price when ratio is 1.
func (v Valuation) Constant() float64 {
	n := float64(v.YearFut - v.YearCur)
	ratio := 1 / ((1 + v.Discount/100) * (1 + v.RateChange/100))
	if ratio == 1 {
		return v.Price
	}
	return v.Price / n * (1 - math.Pow(ratio, n)) / (1 - ratio)
}

// CarbonOptions are the carbon model's inputs.
type CarbonOptions struct {
	LULCCur, LULCFut string     // land cover rasters; LULCFut may be empty
	Pools            string     // CSV: lucode,c_above,c_below,c_soil,c_dead in Mg/ha
	Valuation        *Valuation // nil: no valuation; needs LULCFut
	Out              string     // the directory written to
	Deflate          bool       // compress the rasters (smaller, slower)
	BandRows         int        // 0: BandRows
}

// CarbonSummary is the carbon model's totals over the region, in Mg of
// carbon and the valuation's currency; the scenario's only when asked.
type CarbonSummary struct {
	TotalCur   float64  `json:"total_cur_mg"`
	TotalFut   *float64 `json:"total_fut_mg,omitempty"`
	TotalDelta *float64 `json:"total_delta_mg,omitempty"`
	NPV        *float64 `json:"npv,omitempty"`
}

// Carbon runs InVEST 3.14.1's carbon model: tot_c_cur.tif (and
// tot_c_fut.tif, delta_cur_fut.tif, npv_fut.tif when asked) in Mg per
// pixel under opt.Out, and the totals.
func Carbon(ctx context.Context, opt CarbonOptions) (*CarbonSummary, error) {
	if opt.Valuation != nil {
		if opt.LULCFut == "" {
			return nil, fmt.Errorf("gep: carbon valuation needs a future land cover")
		}
		if opt.Valuation.YearFut <= opt.Valuation.YearCur {
			return nil, fmt.Errorf("gep: carbon valuation: the future year %d is not after the current %d", opt.Valuation.YearFut, opt.Valuation.YearCur)
		}
		// Rates of -100 % or less make the discount infinite or its sign
		// flip: the value would be Inf or NaN in every pixel.
		if v := opt.Valuation; math.IsNaN(v.Price) || math.IsInf(v.Price, 0) || !(v.Discount > -100) || !(v.RateChange > -100) ||
			math.IsInf(v.Discount, 0) || math.IsInf(v.RateChange, 0) {
			return nil, fmt.Errorf("gep: carbon valuation: price %g, discount %g %%, rate change %g %%: give a finite price and rates above -100 %%", v.Price, v.Discount, v.RateChange)
		}
	}
	pools, err := readTable(opt.Pools, []string{"c_above", "c_below", "c_soil", "c_dead"})
	if err != nil {
		return nil, err
	}
	paths := []string{opt.LULCCur}
	names := []string{"tot_c_cur.tif"}
	if opt.LULCFut != "" {
		paths = append(paths, opt.LULCFut)
		names = append(names, "tot_c_fut.tif", "delta_cur_fut.tif")
	}
	vc := 0.0
	if opt.Valuation != nil {
		names = append(names, "npv_fut.tif")
		vc = opt.Valuation.Constant()
	}
	in, err := openInputs(paths...)
	if err != nil {
		return nil, err
	}
	defer in.close()
	nd := make([]raster.NoDataTest, len(in.readers))
	for i, r := range in.readers {
		nd[i] = r.Grid().NoDataTest()
	}
	// Per hectare to per pixel, as InVEST 3.14 writes its rasters.
	perPixel := in.grid.PixelArea() / 1e4
	width := in.grid.Width
	// stock is the carbon of a pixel by code 0 to 65535, NaN for codes
	// the table lacks.
	stock := make([]float64, len(pools.dense))
	for code, p := range pools.dense {
		stock[code] = math.NaN()
		if p != nil {
			stock[code] = (p[0] + p[1] + p[2] + p[3]) * perPixel
		}
	}
	var totals [2][4]float64 // per part: cur, fut, delta, npv
	// storage is the carbon of a pixel of land cover i, ok false for
	// nodata, or an error naming the pixel k of the band from y0.
	storage := func(i int, v float64, k, y0 int) (c float64, ok bool, err error) {
		if nd[i].Is(v) {
			return 0, false, nil
		}
		if code := int(v); float64(code) == v && code >= 0 && code < len(stock) && !math.IsNaN(stock[code]) {
			return stock[code], true, nil
		}
		p := pools.lookup(v)
		if p == nil {
			return 0, false, fmt.Errorf("gep: %s: land-cover code %v at %s is not in %s", in.readers[i].Grid().Name, v, pixel(in.grid, k%width, y0+k/width), opt.Pools)
		}
		return (p[0] + p[1] + p[2] + p[3]) * perPixel, true, nil
	}
	err = run(ctx, in, opt.Out, names, opt.Deflate, opt.BandRows, func(part, y0, n int, src, dst [][]float64) error {
		s := &totals[part]
		for k := range n * width {
			cur, okCur, err := storage(0, src[0][k], k, y0)
			if err != nil {
				return err
			}
			dst[0][k] = NoData
			if okCur {
				dst[0][k] = cur
				s[0] += cur
			}
			if len(src) == 1 {
				continue
			}
			fut, okFut, err := storage(1, src[1][k], k, y0)
			if err != nil {
				return err
			}
			dst[1][k], dst[2][k] = NoData, NoData
			if okFut {
				dst[1][k] = fut
				s[1] += fut
			}
			ok := okCur && okFut
			if ok {
				dst[2][k] = fut - cur
				s[2] += fut - cur
			}
			if len(dst) == 4 {
				dst[3][k] = NoData
				if ok {
					dst[3][k] = (fut - cur) * vc
					s[3] += (fut - cur) * vc
				}
			}
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	total := func(i int) *float64 { v := totals[0][i] + totals[1][i]; return &v }
	sum := &CarbonSummary{TotalCur: *total(0)}
	if opt.LULCFut != "" {
		sum.TotalFut, sum.TotalDelta = total(1), total(2)
	}
	if opt.Valuation != nil {
		sum.NPV = total(3)
	}
	return sum, nil
}
