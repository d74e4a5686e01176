package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ecoindustry/internal/gep"
)

// runGEP is `ecoind gep carbon|water-yield|run`: InVEST 3.14.1's carbon and
// annual water yield models over GeoTIFF rasters (internal/gep).
func runGEP(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "gep", []subcommand{
		{"carbon", "--lulc-cur CUR.tif [--lulc-fut FUT.tif] --pools POOLS.csv [valuation] --out DIR", "InVEST's carbon storage and sequestration, and its value", gepCarbon},
		{"water-yield", "--lulc L.tif --precip P.tif --et0 E.tif --root-depth D.tif --pawc W.tif --biophysical B.csv --watersheds WS.geojson --z Z --out DIR",
			"InVEST's annual water yield, per pixel and per watershed", gepWaterYield},
		{"demo-data", "--out DIR [--res 100|30] [--seed N]", "synthetic inputs for Lishui's nine counties: rasters, tables, prices (labelled synthetic)", gepDemoData},
		{"scenario", "--lulc BASE.tif (--lulc-new NEW.tif | --parcels P.geojson --to CODE | --closed-plants --to CODE) [inputs] --out DIR",
			"a land-use change and its effect on carbon storage and water yield per zone", gepScenario},
		{"run", "--config FILE", "the GEP account of a year: every service's quantity and value per zone (docs/gep-config.md)", gepRun},
		{"prices", "", "print the built-in unit prices (CSV year,item,price,unit,source): the template of a price table", gepPrices},
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

// gepRun is `ecoind gep run --config FILE`: the GEP account of a config
// (docs/gep-config.md), with a progress bar on a terminal and plain lines
// otherwise.
func gepRun(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep run", "")
	var path string
	var quiet bool
	cm.fs.StringVar(&path, "config", "", "the run's config, YAML or JSON (docs/gep-config.md)")
	cm.fs.BoolVar(&quiet, "quiet", false, "no progress")
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := required(cm.fs, "config"); err != nil {
		return err
	}
	cfg, err := gep.LoadConfig(path)
	if err != nil {
		return err
	}
	var opt gep.Options
	if !quiet {
		opt.Progress = progressPrinter(e.stderr)
	}
	acc, err := gep.Run(ctx, cfg, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %d (价格年份 price year %d)\n", acc.Name, acc.Year, acc.PriceYear)
	fmt.Fprintf(e.stdout, "%-10s %-14s %-16s %16s %16s %16s %16s %10s %10s\n", "level", "code", "name", "物质 material", "调节 regulating", "文化 cultural", "GEP (万元)", "GEP/GDP", "change %")
	for _, z := range acc.Zones {
		ratio, change := "", ""
		if z.GEPPerGDP != nil {
			ratio = fmt.Sprintf("%.2f", *z.GEPPerGDP)
		}
		if z.ChangePct != nil {
			change = fmt.Sprintf("%+.2f", *z.ChangePct)
		}
		fmt.Fprintf(e.stdout, "%-10s %-14d %-16s %16.2f %16.2f %16.2f %16.2f %10s %10s\n", z.Level, z.Code, z.Name,
			z.Material/1e4, z.Regulating/1e4, z.Cultural/1e4, z.GEP/1e4, ratio, change)
	}
	fmt.Fprintf(e.stdout, "%s: account.json, account.xlsx, value_*.tif (%.1f s)\n", cfg.Out, acc.Provenance.Seconds)
	return nil
}

// progressPrinter reports rows done: a bar redrawn in place when w is a
// terminal, a line every tenth otherwise (logs, pipes).
func progressPrinter(w io.Writer) func(done, total int) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	last := -1
	return func(done, total int) {
		pct := done * 100 / max(total, 1)
		if tty {
			bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
			fmt.Fprintf(w, "\r核算 accounting %s %3d%% (%d/%d rows)", bar, pct, done, total)
			if done == total {
				fmt.Fprintln(w)
			}
			return
		}
		if pct/10 != last/10 || done == total {
			last = pct
			fmt.Fprintf(w, "核算 accounting %d%% (%d/%d rows)\n", pct, done, total)
		}
	}
}

// gepPrices is `ecoind gep prices`: the built-in price table as CSV.
func gepPrices(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep prices", "")
	if err := cm.parse(args); err != nil {
		return err
	}
	_, err := e.stdout.Write(gep.DefaultPrices())
	return err
}
