package demo

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
)

// TestSameDatasetOnBothStores loads one demo into SQLite and PostgreSQL
// and asks both the same questions: every export, and the list queries
// the dashboard makes, page by page.
func TestSameDatasetOnBothStores(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, pgtest.URL(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	d := Generate(7, 600)
	svcs := []*registry.Service{registry.NewService(lite), registry.NewService(pg)}
	for _, svc := range svcs {
		if err := Load(ctx, svc, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range registry.Kinds {
		a, err := svcs[0].Rows(ctx, sys, k, true)
		if err != nil {
			t.Fatal(err)
		}
		b, err := svcs[1].Rows(ctx, sys, k, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the stores differ (%d and %d rows)", k.Name, len(a), len(b))
		}
	}
	for _, f := range []registry.EnterpriseFilter{
		{Limit: 25}, {Limit: 25, Offset: 100}, {County: "青田", Limit: 10}, {Industry: "33", Size: "above", Limit: 10},
		{Q: "合成革", Limit: 10}, {Q: "阀", Limit: 10}, {Status: "closed", Limit: 10}, {Park: "LS-ETDZ", Limit: 10},
		{Near: &registry.Circle{Lon: 119.92, Lat: 28.45, RadiusM: 8000}, Limit: 10},
		{WithinPark: "LS-ETDZ", Limit: 10}, {WithinPark: "QT-IP02", Industry: "3443", Limit: 10},
	} {
		var pages [2][]registry.Enterprise
		var totals [2]int
		for i, svc := range svcs {
			if pages[i], totals[i], err = svc.Enterprises(ctx, sys, f); err != nil {
				t.Fatal(err)
			}
		}
		if totals[0] != totals[1] || !reflect.DeepEqual(pages[0], pages[1]) || totals[0] == 0 {
			t.Errorf("%+v: totals %v, pages differ: %v", f, totals, !reflect.DeepEqual(pages[0], pages[1]))
		}
	}
	// The campaigns replayed on each give the same cases and statistics.
	var sums [2]string
	var stats [2][]compliance.Stats
	for i, st := range []*store.DB{lite, pg} {
		files := st.Attachments(filepath.Join(t.TempDir(), "attachments"))
		sum, err := Campaigns(ctx, st, files, 7)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sum.String()
		svc := compliance.NewService(st, files)
		for _, c := range sum.Campaigns {
			x, err := svc.Stats(ctx, sys, c.ID, "2026-09-30")
			if err != nil {
				t.Fatal(err)
			}
			x.Campaign.CreatedAt = x.Campaign.CreatedAt.UTC()
			stats[i] = append(stats[i], x)
		}
	}
	if sums[0] != sums[1] || !reflect.DeepEqual(stats[0], stats[1]) || len(stats[0]) != 2 {
		t.Errorf("campaigns differ:\n%s\n%s", sums[0], sums[1])
	}
	// The demo's evaluations and, from them and the annual figures, the
	// same leading industries.
	var reps [2]economy.ClusterReport
	for i, st := range []*store.DB{lite, pg} {
		svc := economy.NewService(st)
		if err := Economy(ctx, registry.NewService(st), svc, st, 7); err != nil {
			t.Fatal(err)
		}
		if reps[i], err = svc.Clusters(ctx, sys, LastYear, "", ""); err != nil {
			t.Fatal(err)
		}
		// The project's loads fell, the facility runs at 60–90 %, the plan
		// has its closures and GEP; a second call adds nothing.
		if err := Economy(ctx, registry.NewService(st), svc, st, 7); err != nil {
			t.Fatal(err)
		}
		ps, err := svc.Projects(ctx, sys)
		if err != nil || len(ps) != 1 {
			t.Fatalf("projects %v %v", ps, err)
		}
		_, eff, err := svc.Project(ctx, sys, ps[0].ID)
		if err != nil || len(eff.Pollutants) != 2 || eff.Pollutants[0].Change == nil || *eff.Pollutants[0].Change > -0.5 || eff.Pollutants[0].AfterDays != 90 ||
			eff.Pollutants[0].IntensityChange == nil || eff.Before.Year != 2021 || eff.After.Year != 2022 {
			t.Fatalf("project effect %+v %v", eff, err)
		}
		fs, err := svc.Facilities(ctx, sys)
		if err != nil || len(fs) != 1 || len(fs[0].Connected) == 0 {
			t.Fatalf("facilities %+v %v", fs, err)
		}
		if _, l, err := svc.Facility(ctx, sys, fs[0].Code); err != nil || l.Utilisation == nil || *l.Utilisation < 0.6 || *l.Utilisation > 0.9 {
			t.Fatalf("facility load %+v %v", l, err)
		}
		plan, err := svc.PlanProgress(ctx, sys, "lishui-2020-2022")
		if err != nil || plan.Progress[0].Latest == nil || plan.Progress[3].Latest == nil || plan.Progress[1].Latest == nil {
			t.Fatalf("plan %+v %v", plan, err)
		}
		t.Logf("closures %v, leading share %v, GEP %v", *plan.Progress[0].Latest, *plan.Progress[1].Latest, *plan.Progress[3].Latest)
	}
	for i, a := range reps[0].Industries {
		b := reps[1].Industries[i]
		if a.Enterprises == 0 || a.Enterprises != b.Enterprises || a.Above != b.Above || !reflect.DeepEqual(a.Classes, b.Classes) || a.Evaluated == 0 ||
			math.Abs(a.Revenue-b.Revenue) > 1e-6*a.Revenue {
			t.Errorf("clusters differ: %+v\n%+v", a, b)
		}
	}
	ents, _ := d.Table("enterprises")
	a, _ := svcs[0].History(ctx, sys, ents.Rows[0][0])
	b, _ := svcs[1].History(ctx, sys, ents.Rows[0][0])
	if len(a) == 0 || len(a) != len(b) || !reflect.DeepEqual(a[0].Fields, b[0].Fields) {
		t.Errorf("history differs: %d and %d entries", len(a), len(b))
	}
}
