package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ecoindustry/internal/app"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/config"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/raster/geotiff"
)

// The demo writes the GEP inputs into its data directory (decision 0031).
func TestDemoWritesGEPInputs(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	a, err := app.Open(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadDemo(ctx, slog.New(slog.DiscardHandler), 1, 50); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(cfg.Data, "gep", "README.md"))
	if err != nil || !strings.Contains(string(readme), "SYNTHETIC") {
		t.Fatalf("README: %v", err)
	}
	r, err := geotiff.Open(filepath.Join(cfg.Data, "gep", "lulc.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if g := r.Grid(); g.EPSG != 4549 || g.Transform[1] != 100 {
		t.Errorf("land cover grid %+v, want EPSG:4549 at 100 m", g)
	}

	// The demo's accounts (decision 0033): per county, with provenance,
	// the 2018 city total within 5 % of the published 502.45 bn yuan
	// (reference gep.md §2.2), 2019 compared with 2018.
	svc := gep.NewService(a.DB, cfg.Data, slog.New(slog.DiscardHandler))
	runs, err := svc.Runs(ctx, auth.Server("test"))
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v: want 2018 and 2019", runs, err)
	}
	byYear := map[int]*gep.Account{}
	for _, r := range runs {
		v, err := svc.Run(ctx, auth.Server("test"), r.ID)
		if err != nil || v.Status != gep.Done || v.Account == nil {
			t.Fatalf("run %d: %+v, %v", r.ID, v, err)
		}
		byYear[v.Year] = v.Account
	}
	acc := byYear[2018]
	if acc == nil || byYear[2019] == nil {
		t.Fatalf("years %v", byYear)
	}
	counties := 0
	for _, z := range acc.Zones[1:] {
		if z.Level == "county" && z.GEP > 0 && len(z.Rows) > 0 {
			counties++
		}
	}
	if acc.Zones[0].Level != "region" || counties != 9 {
		t.Errorf("zones: region %q and %d counties, want 9", acc.Zones[0].Level, counties)
	}
	if g := acc.Zones[0].GEP; g < 0.95*502.45e9 || g > 1.05*502.45e9 {
		t.Errorf("2018 city GEP %.2f bn, want within 5 %% of 502.45 bn (gep.md §2.2)", g/1e9)
	}
	hashed := 0
	for _, in := range acc.Provenance.Inputs {
		if len(in.SHA256) == 64 && in.Bytes > 0 && strings.HasPrefix(in.Path, "gep/") {
			hashed++
		}
	}
	if hashed < 10 || acc.Provenance.Code.GoVersion == "" {
		t.Errorf("provenance: %d inputs hashed, code %+v", hashed, acc.Provenance.Code)
	}
	if z := byYear[2019].Zones[0]; z.PreviousGEP == nil || *z.PreviousGEP != acc.Zones[0].GEP {
		t.Errorf("2019 compared with %v, want the 2018 account", z.PreviousGEP)
	}
	// The Yunhe-style purchase is priced on the 2018 account: 0.2 % of
	// Yunhe's four services, 70 % due, 30 % payable as its 2019
	// indicators hold.
	ps, err := a.Purchases.List(ctx, auth.Server("test"))
	if err != nil || len(ps) != 1 {
		t.Fatalf("purchases %+v, %v", ps, err)
	}
	plan, err := a.Purchases.Payments(ctx, auth.Server("test"), ps[0].ID, svc.Values(ctx))
	if err != nil {
		t.Fatal(err)
	}
	four := 0.0
	for _, z := range acc.Zones {
		if z.Code == 331125 {
			for _, r := range z.Rows {
				switch r.Service {
				case "water_conservation", "climate_regulation", "soil_retention", "flood_regulation":
					four += r.Value
				}
			}
		}
	}
	if four == 0 || math.Abs(plan.Price-0.002*four) > 1e-6*four || !strings.HasPrefix(plan.PricedOn, "GEP run ") {
		t.Errorf("price %.0f on %q, want 0.2 %% of %.0f from a run", plan.Price, plan.PricedOn, four)
	}
	if len(plan.Payments) != 2 || plan.Payments[0].Status != gep.Due || plan.Payments[1].Status != gep.Payable ||
		math.Abs(plan.Paid-plan.Price) > 1e-6*plan.Price {
		t.Errorf("payments %+v", plan)
	}
	// The closed plants' land restored to forest: more carbon stored.
	b, err := os.ReadFile(filepath.Join(cfg.Data, "gep", "scenario-closed-plants", "scenario.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sc gep.ScenarioResult
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	gained := 0.0
	for _, z := range sc.Zones {
		if z.Service == "carbon_storage" {
			gained += z.Change
		}
	}
	if sc.Changed == 0 || len(sc.Zones) < 9 || gained <= 0 {
		t.Errorf("scenario: %d pixels changed, %d rows, carbon %+.0f Mg", sc.Changed, len(sc.Zones), gained)
	}
	// A second start does not run them again.
	if err := a.LoadDemo(ctx, slog.New(slog.DiscardHandler), 1, 50); err != nil {
		t.Fatal(err)
	}
	if again, err := svc.Runs(ctx, auth.Server("test")); err != nil || len(again) != 2 {
		t.Errorf("after a second start %d runs, %v", len(again), err)
	}
	if again, err := a.Purchases.List(ctx, auth.Server("test")); err != nil || len(again) != 1 {
		t.Errorf("after a second start %d purchases, %v", len(again), err)
	}
}
