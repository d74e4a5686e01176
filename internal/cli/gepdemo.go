package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ecoindustry/internal/gep"
	"ecoindustry/internal/gep/synth"
	"ecoindustry/internal/raster/geotiff"
	"ecoindustry/internal/registry"
)

// gepDemoData is `ecoind gep demo-data`: synthetic inputs for Lishui's
// GEP account (internal/gep/synth, decision 0031).
func gepDemoData(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep demo-data", "")
	var opt synth.Options
	cm.fs.StringVar(&opt.Dir, "out", "", "directory to write the rasters, tables and README into")
	cm.fs.Float64Var(&opt.Res, "res", 100, "pixel size in metres: 100 or 30")
	cm.fs.Uint64Var(&opt.Seed, "seed", 1, "seed of the synthetic terrain and land cover")
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := required(cm.fs, "out"); err != nil {
		return err
	}
	if opt.Res != 100 && opt.Res != 30 {
		return fmt.Errorf("%w: --res %g: want 100 or 30", errUsage, opt.Res)
	}
	start := time.Now()
	sum, err := synth.Write(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "合成数据 / synthetic GEP inputs: %s, %d×%d pixels of %g m (EPSG:%d), %d files, %s\n",
		sum.Dir, sum.Width, sum.Height, opt.Res, synth.EPSG, len(sum.Files), time.Since(start).Round(time.Millisecond))
	for _, c := range synth.Classes {
		fmt.Fprintf(e.stdout, "  %d %-6s %-18s %5.1f %%\n", c.Code, c.Name, c.NameEn, 100*sum.Shares[c.Code])
	}
	return nil
}

// gepScenario is `ecoind gep scenario`: a land-use change and its effect
// on carbon storage and water yield per zone (decision 0031).
func gepScenario(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep scenario", "", storeFlags...)
	var opt gep.ScenarioOptions
	inputs := cm.fs.String("inputs", "", "a directory of `ecoind gep demo-data`: its files for every input not given")
	cm.fs.StringVar(&opt.LULC, "lulc", "", "land cover as it is (GeoTIFF)")
	cm.fs.StringVar(&opt.NewLULC, "lulc-new", "", "land cover after the change, aligned with --lulc")
	cm.fs.StringVar(&opt.Parcels, "parcels", "", "GeoJSON polygons (the rasters' CRS or lon/lat) whose pixels become --to")
	closed := cm.fs.Bool("closed-plants", false, "parcels from the registry: the sites of closed enterprises (关停取缔), by their coordinates and land")
	county := cm.fs.String("county", "", "with --closed-plants: only this county's (GB/T 2260 code)")
	cm.fs.IntVar(&opt.To, "to", 0, "land-cover code the parcels become (e.g. 21 forest: restored; 51 built-up)")
	cm.fs.StringVar(&opt.Pools, "pools", "", "carbon pools CSV")
	cm.fs.StringVar(&opt.Precip, "precip", "", "annual precipitation, mm")
	cm.fs.StringVar(&opt.ET0, "et0", "", "reference evapotranspiration, mm")
	cm.fs.StringVar(&opt.RootDepth, "root-depth", "", "depth to the root-restricting layer, mm")
	cm.fs.StringVar(&opt.PAWC, "pawc", "", "plant-available water content")
	cm.fs.StringVar(&opt.Bio, "biophysical", "", "biophysical CSV")
	cm.fs.Float64Var(&opt.Z, "z", 5, "seasonality constant Z")
	cm.fs.StringVar(&opt.Zones, "zones", "", "raster of zone codes (e.g. counties) to sum per zone; none: the whole raster")
	cm.fs.StringVar(&opt.Out, "out", "", "directory for the changed land cover, the models' outputs and scenario.json")
	if err := cm.parse(args); err != nil {
		return err
	}
	if *inputs != "" {
		for _, f := range []struct {
			dst  *string
			name string
		}{{&opt.LULC, "lulc.tif"}, {&opt.Pools, "carbon_pools.csv"}, {&opt.Precip, "precip.tif"}, {&opt.ET0, "et0.tif"},
			{&opt.RootDepth, "soil_depth.tif"}, {&opt.PAWC, "pawc.tif"}, {&opt.Bio, "biophysical.csv"}, {&opt.Zones, "zones.tif"}} {
			if *f.dst == "" {
				*f.dst = filepath.Join(*inputs, f.name)
			}
		}
	}
	if err := required(cm.fs, "lulc", "pools", "precip", "et0", "root-depth", "pawc", "biophysical", "out"); err != nil {
		return err
	}
	changes := 0
	for _, set := range []bool{opt.NewLULC != "", opt.Parcels != "", *closed} {
		if set {
			changes++
		}
	}
	switch {
	case changes != 1:
		return fmt.Errorf("%w: give one of --lulc-new, --parcels, --closed-plants", errUsage)
	case opt.NewLULC == "" && opt.To == 0:
		return fmt.Errorf("%w: --to is required with parcels", errUsage)
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return err
	}
	if *closed {
		n, err := closedPlantParcels(ctx, cm, *county, opt.LULC, filepath.Join(opt.Out, "closed_plants.geojson"))
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no closed enterprise with coordinates in the registry / 登记库中没有带坐标的关停企业")
		}
		opt.Parcels = filepath.Join(opt.Out, "closed_plants.geojson")
		fmt.Fprintf(e.stdout, "关停企业 / closed plants: %d sites → code %d (%s)\n", n, opt.To, opt.Parcels)
	}
	res, err := gep.Scenario(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "变化像元 / changed pixels: %d (%s)\n", res.Changed, res.LULC)
	fmt.Fprintf(e.stdout, "%-8s %-16s %-6s %18s %18s %16s\n", "zone", "service", "unit", "base", "scenario", "change")
	for _, z := range res.Zones {
		fmt.Fprintf(e.stdout, "%-8d %-16s %-6s %18.1f %18.1f %16.1f\n", z.Zone, z.Service, z.Unit, z.Base, z.Scenario, z.Change)
	}
	return nil
}

// closedPlantParcels writes the sites of the registry's closed
// enterprises as parcels, each at least a pixel of lulc, and returns
// how many it wrote.
func closedPlantParcels(ctx context.Context, cm *cmd, county, lulc, path string) (int, error) {
	r, err := geotiff.Open(lulc)
	if err != nil {
		return 0, err
	}
	pixel := r.Grid().Transform[1]
	r.Close()
	a, err := cm.open(ctx)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	es, _, err := a.Registry.Enterprises(ctx, cliActor(cm.env), registry.EnterpriseFilter{Status: "closed", County: county})
	if err != nil {
		return 0, err
	}
	var sites []gep.Site
	for _, e := range es {
		if e.Lon != 0 || e.Lat != 0 {
			sites = append(sites, gep.Site{USCC: e.USCC, Name: e.Name, Lon: e.Lon, Lat: e.Lat, LandMu: e.LandMu})
		}
	}
	return len(sites), os.WriteFile(path, gep.SiteParcels(sites, pixel), 0o644)
}
