package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"ecoindustry/internal/gep"
)

// runGEP is `ecoind gep carbon|water-yield`: InVEST 3.14.1's carbon and
// annual water yield models over GeoTIFF rasters (internal/gep).
func runGEP(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "gep", []subcommand{
		{"carbon", "--lulc-cur CUR.tif [--lulc-fut FUT.tif] --pools POOLS.csv [valuation] --out DIR", "InVEST's carbon storage and sequestration, and its value", gepCarbon},
		{"water-yield", "--lulc L.tif --precip P.tif --et0 E.tif --root-depth D.tif --pawc W.tif --biophysical B.csv --watersheds WS.geojson --z Z --out DIR",
			"InVEST's annual water yield, per pixel and per watershed", gepWaterYield},
		{"demo-data", "--out DIR [--res 100|30] [--seed N]", "synthetic inputs for Lishui's nine counties: rasters, tables, prices (labelled synthetic)", gepDemoData},
		{"scenario", "--lulc BASE.tif (--lulc-new NEW.tif | --parcels P.geojson --to CODE | --closed-plants --to CODE) [inputs] --out DIR",
			"a land-use change and its effect on carbon storage and water yield per zone", gepScenario},
	}, args)
}

// required returns a usage error naming the first of the flags that is empty.
func required(fs *flag.FlagSet, names ...string) error {
	for _, name := range names {
		if fs.Lookup(name).Value.String() == "" {
			return fmt.Errorf("%w: --%s is required", errUsage, name)
		}
	}
	return nil
}

const deflateUsage = "write the rasters Deflate-compressed: carbon's to a few percent, water yield's to about 70 %, in about twice the time"

func gepCarbon(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep carbon", "")
	var opt gep.CarbonOptions
	var v gep.Valuation
	cm.fs.StringVar(&opt.LULCCur, "lulc-cur", "", "current land cover (GeoTIFF, integer codes)")
	cm.fs.StringVar(&opt.LULCFut, "lulc-fut", "", "future land cover, aligned with the current (optional)")
	cm.fs.StringVar(&opt.Pools, "pools", "", "carbon pools CSV: lucode,c_above,c_below,c_soil,c_dead in Mg/ha")
	cm.fs.Float64Var(&v.Price, "price", 0, "valuation: price of a Mg of carbon")
	cm.fs.Float64Var(&v.Discount, "discount", 0, "valuation: yearly discount rate, percent")
	cm.fs.Float64Var(&v.RateChange, "rate-change", 0, "valuation: yearly change of the price, percent")
	cm.fs.IntVar(&v.YearCur, "year-cur", 0, "valuation: year of the current land cover")
	cm.fs.IntVar(&v.YearFut, "year-fut", 0, "valuation: year of the future land cover")
	cm.fs.BoolVar(&opt.Deflate, "deflate", false, deflateUsage)
	cm.fs.StringVar(&opt.Out, "out", "", "directory for tot_c_cur.tif (tot_c_fut.tif, delta_cur_fut.tif, npv_fut.tif) and summary.json")
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := required(cm.fs, "lulc-cur", "pools", "out"); err != nil {
		return err
	}
	valued := 0
	cm.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "price", "discount", "rate-change", "year-cur", "year-fut":
			valued++
		}
	})
	switch {
	case valued > 0 && valued < 5:
		return fmt.Errorf("%w: valuation needs all of --price --discount --rate-change --year-cur --year-fut", errUsage)
	case valued == 5 && opt.LULCFut == "":
		return fmt.Errorf("%w: valuation needs --lulc-fut", errUsage)
	case valued == 5:
		opt.Valuation = &v
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return err
	}
	sum, err := gep.Carbon(ctx, opt)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(sum, "", "  ")
	if err := os.WriteFile(filepath.Join(opt.Out, "summary.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", b)
	return err
}

func gepWaterYield(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep water-yield", "")
	var opt gep.WaterYieldOptions
	cm.fs.StringVar(&opt.LULC, "lulc", "", "land cover (GeoTIFF, integer codes)")
	cm.fs.StringVar(&opt.Precip, "precip", "", "annual precipitation, mm")
	cm.fs.StringVar(&opt.ET0, "et0", "", "reference evapotranspiration, mm")
	cm.fs.StringVar(&opt.RootDepth, "root-depth", "", "depth to the root-restricting layer, mm")
	cm.fs.StringVar(&opt.PAWC, "pawc", "", "plant-available water content, fraction")
	cm.fs.StringVar(&opt.Biophysical, "biophysical", "", "biophysical CSV: lucode,Kc,root_depth (mm),LULC_veg")
	cm.fs.StringVar(&opt.Watersheds, "watersheds", "", "watersheds GeoJSON with ws_id, in the rasters' CRS or lon/lat (UTM, CGCS2000 Gauss-Krüger rasters)")
	cm.fs.Float64Var(&opt.Z, "z", 0, "seasonality constant Z (InVEST: 1 to 30)")
	cm.fs.BoolVar(&opt.Deflate, "deflate", false, deflateUsage)
	cm.fs.StringVar(&opt.Out, "out", "", "directory for wyield.tif, aet.tif, fractp.tif and watershed_results.csv")
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := required(cm.fs, "lulc", "precip", "et0", "root-depth", "pawc", "biophysical", "watersheds", "out"); err != nil {
		return err
	}
	if opt.Z == 0 {
		return fmt.Errorf("%w: --z is required", errUsage)
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return err
	}
	res, err := gep.WaterYield(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-8s %12s %12s %12s %12s %16s\n", "ws_id", "precip_mn", "PET_mn", "AET_mn", "wyield_mn", "wyield_vol m³")
	for _, r := range res {
		fmt.Fprintf(e.stdout, "%-8d %12.2f %12.2f %12.2f %12.2f %16.0f\n", r.ID, r.PrecipMn, r.PETMn, r.AETMn, r.WyieldMn, r.WyieldVol)
	}
	return nil
}
