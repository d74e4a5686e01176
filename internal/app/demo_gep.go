package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/gep/synth"
	"ecoindustry/internal/raster/geotiff"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/web"
)

// demoGEP accounts the demo's synthetic inputs for synth.AccountYears
// through the runs' service, as POST /api/v1/gep/runs would for the
// server itself, each year compared with the one before (decision 0033).
// A year whose run is already done (a second start on the same data) is
// not run again. It returns the runs by year.
func (a *App) demoGEP(ctx context.Context, log *slog.Logger) (map[int]gep.RunView, error) {
	svc := gep.NewService(a.DB, a.Config.Data, log)
	by := auth.Server("demo")
	runs, err := svc.Runs(ctx, by)
	if err != nil {
		return nil, err
	}
	done := map[int]gep.RunView{}
	for _, y := range synth.AccountYears {
		name := fmt.Sprintf("丽水市 %d 年 GEP 核算（合成演示数据）", y)
		for _, r := range runs {
			if r.Name == name && r.Status == gep.Done {
				if _, ok := done[y]; !ok {
					done[y] = r
				}
			}
		}
		if _, ok := done[y]; ok {
			continue
		}
		previous := ""
		if p, ok := done[y-1]; ok {
			previous = path.Join("gep", "runs", strconv.FormatInt(p.ID, 10), "account.json")
		}
		run, wait, err := svc.Start(ctx, by, synth.AccountConfig(y, "gep/", previous))
		if err != nil {
			return nil, fmt.Errorf("demo GEP account %d: %w", y, err)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if run, err = svc.Run(ctx, by, run.ID); err != nil {
			return nil, err
		}
		if run.Status != gep.Done {
			return nil, fmt.Errorf("demo GEP account %d: run %d %s: %s", y, run.ID, run.Status, run.Error)
		}
		done[y] = run
	}
	if err := a.demoPurchase(ctx); err != nil {
		return nil, err
	}
	return done, a.demoScenario(ctx)
}

// demoScenario runs `gep scenario --closed-plants --to 21` on the demo's
// inputs: the closed enterprises' land (关停取缔) restored to forest, its
// carbon storage and water yield per county before and after, kept in
// DATA/gep/scenario-closed-plants for the GEP page (decision 0033). Not
// run again where its scenario.json exists.
func (a *App) demoScenario(ctx context.Context) error {
	in := filepath.Join(a.Config.Data, "gep")
	out := filepath.Join(a.Config.Data, web.ScenarioDir)
	if _, err := os.Stat(filepath.Join(out, "scenario.json")); err == nil {
		return nil
	}
	lulc := filepath.Join(in, "lulc.tif")
	r, err := geotiff.Open(lulc)
	if err != nil {
		return err
	}
	pixel := r.Grid().Transform[1]
	r.Close()
	es, _, err := a.Registry.Enterprises(ctx, auth.Server("demo"), registry.EnterpriseFilter{Status: "closed"})
	if err != nil {
		return err
	}
	var sites []gep.Site
	for _, e := range es {
		sites = append(sites, gep.Site{USCC: e.USCC, Name: e.Name, Lon: e.Lon, Lat: e.Lat, LandMu: e.LandMu})
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	parcels := filepath.Join(out, "closed_plants.geojson")
	if err := os.WriteFile(parcels, gep.SiteParcels(sites, pixel), 0o644); err != nil {
		return err
	}
	_, err = gep.Scenario(ctx, gep.ScenarioOptions{LULC: lulc, Parcels: parcels, To: 21, Pools: filepath.Join(in, "carbon_pools.csv"),
		Precip: filepath.Join(in, "precip.tif"), ET0: filepath.Join(in, "et0.tif"), RootDepth: filepath.Join(in, "soil_depth.tif"),
		PAWC: filepath.Join(in, "pawc.tif"), Bio: filepath.Join(in, "biophysical.csv"), Z: 5, Zones: filepath.Join(in, "zones.tif"), Out: out})
	if err != nil {
		return fmt.Errorf("demo GEP scenario: %w", err)
	}
	return nil
}

// DemoPurchaseName names the demo's purchase.
const DemoPurchaseName = "云和县生态产品政府采购（合成演示，仿崇头镇、雾溪乡）"

// demoPurchase records a purchase like Yunhe's (reference governance.md
// §5: 0.2 % of the 2018 GEP of four services, 70 % paid in the first
// year, 30 % in the second if the ecology holds), of the demo's Yunhe
// county as a whole (the demo accounts no townships), with no basis:
// its payments are priced on the 2018 account run. The indicators'
// observations are synthetic. Not added again on a second start.
func (a *App) demoPurchase(ctx context.Context) error {
	by := auth.Server("demo")
	ps, err := a.Purchases.List(ctx, by)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Name == DemoPurchaseName {
			return nil
		}
	}
	pct := func(v float64) *float64 { return &v }
	_, err = a.Purchases.Create(ctx, by, gep.Purchase{
		Name: DemoPurchaseName, Buyer: "云和县人民政府", SellerZone: "331125", SellerName: "云和县（演示）",
		Services: []string{"water_conservation", "climate_regulation", "soil_retention", "flood_regulation"},
		Share:    0.002, BaseYear: 2018,
		Schedule: []gep.Instalment{{Year: 2019, Fraction: 0.7}, {Year: 2020, Fraction: 0.3, ConditionYear: 2019}},
		Indicators: []gep.QualityIndicator{
			{Code: "surface_water_good_share", Name: "地表水 I–III 类水质断面比例 / share of surface-water sections of class I–III", Unit: "%", Min: pct(100)},
			{Code: "forest_cover", Name: "森林覆盖率 / forest cover", Unit: "%", Min: pct(80)},
		},
		Observations: []gep.Observation{
			{Indicator: "surface_water_good_share", Year: 2019, Value: 100, Source: "合成演示数据 / synthetic demo observation"},
			{Indicator: "forest_cover", Year: 2019, Value: 81.2, Source: "合成演示数据 / synthetic demo observation"},
		},
		Use:       "生态修复与民生（仿云和）/ ecological restoration and livelihoods, as in Yunhe",
		Source:    "reference governance.md §5 (NDRC 2021-10-12); synthetic demo",
		Synthetic: true,
	})
	if err != nil {
		return fmt.Errorf("demo purchase: %w", err)
	}
	return nil
}
