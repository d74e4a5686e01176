package economy_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %v, want %.9g", what, deref(got), want)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// TestClustersByHand: figures worked by hand. County A (331102) in 2024:
// semiconductors (3973) 300 of the county's 500 (two firms, 200 and 100),
// precision (3443) 100, tea (1530, no leading industry) 100; county B
// (331121) precision 500. Semiconductors in A: share 0.6, city share
// 300/1000, LQ 0.6/0.025 = 24, growth 300/200 − 1, CAGR from 2020 (100)
// (300/100)^(1/4) − 1, top-5 share 1, HHI ((2/3)² + (1/3)²) × 10,000,
// 12 万元 tax over 10 mu.
func TestClustersByHand(t *testing.T) {
	m, err := economy.MappingPreset("lishui-2021")
	if err != nil {
		t.Fatal(err)
	}
	facts := []economy.ClusterFact{
		{Year: 2024, County: "331102", Industry: "3973", Size: "above", N: 2, Revenue: 300, ValueAdded: 60, Tax: 12, LandMu: 10},
		{Year: 2024, County: "331102", Industry: "3443", Size: "below", N: 1, Revenue: 100, ValueAdded: 20, Tax: 4, LandMu: 20},
		{Year: 2024, County: "331102", Industry: "1530", Size: "below", N: 1, Revenue: 100, ValueAdded: 20, Tax: 4, LandMu: 20},
		{Year: 2024, County: "331121", Industry: "3443", Size: "above", N: 1, Revenue: 500, ValueAdded: 100, Tax: 30, LandMu: 50},
		{Year: 2023, County: "331102", Industry: "3973", Size: "above", N: 1, Revenue: 200, ValueAdded: 40},
		{Year: 2020, County: "331102", Industry: "3973", Size: "above", N: 1, Revenue: 100, ValueAdded: 20},
		{Year: 2014, County: "331102", Industry: "3973", Size: "above", N: 1, Revenue: 1, ValueAdded: 1}, // outside the ten years
	}
	firms := []economy.FirmFigure{
		{USCC: "1", County: "331102", Industry: "3973", Revenue: 200, Class: "A"},
		{USCC: "2", County: "331102", Industry: "3973", Revenue: 100, Class: "B"},
		{USCC: "3", County: "331102", Industry: "3443", Revenue: 100},
		{USCC: "4", County: "331121", Industry: "3443", Revenue: 500, Class: "C"},
	}
	rep := economy.Clusters(m, 2024, "331102", facts, firms)
	if rep.FromYear != 2015 || rep.Revenue != 500 || len(rep.Industries) != 5 {
		t.Fatalf("report %+v", rep)
	}
	semi, prec := rep.Industries[0], rep.Industries[1]
	if semi.ID != "semiconductors" || semi.Revenue != 300 || semi.Enterprises != 2 || semi.Above != 2 || semi.Share != 0.6 || semi.CityShare != 0.3 {
		t.Errorf("semiconductors %+v", semi)
	}
	near(t, "LQ", semi.LQ, 0.6/0.025)
	near(t, "growth", semi.GrowthYoY, 0.5)
	near(t, "VA growth", semi.VAGrowthYoY, 0.5)
	near(t, "CAGR", semi.CAGR, math.Pow(3, 0.25)-1)
	near(t, "tax per mu", semi.TaxPerMu, 1.2)
	near(t, "VA per mu", semi.VAPerMu, 6)
	if semi.CAGRFrom != 2020 || semi.TopNShare != 1 || math.Abs(semi.HHI-(4.0/9+1.0/9)*10000) > 1e-6 ||
		semi.Classes["A"] != 1 || semi.Classes["B"] != 1 || semi.Evaluated != 2 || semi.Series[0].Revenue != 0 || semi.Series[5].Revenue != 100 {
		t.Errorf("semiconductors %+v", semi)
	}
	if prec.ID != "precision" || prec.Revenue != 100 || prec.GrowthYoY != nil || prec.CAGR != nil || prec.Share != 0.2 || prec.Evaluated != 0 || prec.HHI != 10000 {
		t.Errorf("precision %+v", prec)
	}
	city := economy.Clusters(m, 2024, "", facts, firms)
	if p := city.Industries[1]; p.Revenue != 600 || p.Share != 0.6 || p.Classes["C"] != 1 || math.Abs(p.TopNShare-1) > 1e-12 {
		t.Errorf("city precision %+v", p)
	}
	// No data at all: zeros and nulls, never NaN.
	empty := economy.Clusters(m, 2024, "", nil, nil)
	for _, s := range empty.Industries {
		if s.LQ != nil || s.GrowthYoY != nil || s.CAGR != nil || s.TaxPerMu != nil || s.Share != 0 || s.HHI != 0 {
			t.Errorf("empty %+v", s)
		}
	}
}

// TestMappingCheck: the shipped mappings pass; a bad code, a code in two
// industries, a duplicate id and shares out of range are each refused
// with their place.
func TestMappingCheck(t *testing.T) {
	for _, name := range economy.Mappings() {
		m, err := economy.MappingPreset(name)
		if err != nil || len(m.Industries) != 5 {
			t.Errorf("%s: %v", name, err)
		}
	}
	story, _ := economy.MappingPreset("story-2020")
	for code, want := range map[string]string{"3443": "high_end_equipment", "3973": "digital", "3985": "new_materials", "2925": "fashion", "2710": "biomedicine", "1530": ""} {
		if got := story.IndustryOf(code); got != want {
			t.Errorf("story-2020: %s in %q, want %q", code, got, want)
		}
	}
	bad := `name: bad
industries:
  - {id: a, zh: 甲, en: a, codes: ["3443", "99x"], zhejiang_share: 0.5}
  - {id: a, zh: 乙, en: b, codes: ["3443", "123"], zhejiang_share: 0.6}
  - {id: c, zh: "", en: c, codes: [], zhejiang_share: 1}
`
	_, err := economy.ParseMapping("bad.yaml", []byte(bad))
	var me *economy.MethodError
	if !errors.As(err, &me) {
		t.Fatalf("want a MethodError, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"bad.yaml: 第3行 line 3, industries[0]: \"99x\" 不是 GB/T 4754-2017", "industries[1]: 每个产业须有不重复的 id",
		"行业代码 3443 已归入 a", "\"123\" 不是", "industries[2]: 须填写中文名", "未列行业代码", "全省占比 1 应满足", "全省占比合计 2.1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no %q in\n%s", want, msg)
		}
	}
	if _, err := economy.MappingPreset("nope"); apperr.As(err) == nil || apperr.As(err).Code != apperr.Invalid {
		t.Errorf("unknown mapping: %v", err)
	}
}

// TestClustersStored: the statistics from the stores, both of them, with
// classes from the county's latest run; who may read them.
func TestClustersStored(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		u1, u2, u3 := storetest.USCC("331102", 1), storetest.USCC("331102", 2), storetest.USCC("331121", 3)
		ents := csv("企业.csv", "uscc,name,county,industry_code,size,status,land_mu",
			u1+",甲,331102,3973,above,operating,10", u2+",乙,331102,1530,below,closed,10", u3+",丙,331121,3443,above,operating,50")
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, ents, sys, false); err != nil {
			t.Fatal(err)
		}
		annual := csv("亩均.csv", "uscc,year,tax,value_added,revenue,land_mu,energy_tce,employees,source",
			u1+",2023,10,50,200,,10,10,统计", u1+",2024,12,60,300,,10,10,统计", u2+",2023,1,10,100,,,,税务", u2+",2024,1,10,100,5,,,税务", u3+",2024,30,100,500,,,,统计")
		if _, err := reg.Import(ctx, economy.AnnualKind, annual, econ, false); err != nil {
			t.Fatal(err)
		}
		svc := economy.NewService(db)
		m, text, _ := economy.Preset("yueqing-2016")
		if _, _, err := svc.Evaluate(ctx, econ, "331102", 2024, m, string(text)); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Clusters(ctx, econ, 2024, "莲都", "")
		if err != nil {
			t.Fatal(err)
		}
		semi := rep.Industries[0]
		if rep.County != "331102" || rep.Mapping != "lishui-2021" || rep.Revenue != 400 || semi.Revenue != 300 || semi.Share != 0.75 || semi.Classes["A"] != 1 {
			t.Fatalf("report %+v; semiconductors %+v", rep, semi)
		}
		near(t, "growth", semi.GrowthYoY, 0.5)
		near(t, "tax per mu", semi.TaxPerMu, 1.2)
		// The closed 乙 produced in its years: the county's revenue counts it, on its year's land of 5 mu.
		if city, err := svc.Clusters(ctx, econ, 2024, "", "story-2020"); err != nil || city.Revenue != 900 || city.Industries[0].Revenue != 500 {
			t.Fatalf("city %+v %v", city, err)
		}
		// A correction after a read: the statistics see it (the cache follows the registry's changes).
		if _, err := reg.Import(ctx, economy.AnnualKind, csv("更正.csv", "uscc,year,revenue", u1+",2024,400"), econ, false); err != nil {
			t.Fatal(err)
		}
		if rep, err := svc.Clusters(ctx, econ, 2024, "331102", ""); err != nil || rep.Industries[0].Revenue != 400 || rep.Revenue != 500 {
			t.Fatalf("after the correction: %+v %v", rep.Industries[0], err)
		}
		county := auth.Principal{Kind: auth.User, Name: "b", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331121"}}
		if _, err := svc.Clusters(ctx, county, 2024, "331102", ""); err != nil {
			t.Errorf("a county officer reads aggregates: %v", err)
		}
		ent := auth.Principal{Kind: auth.User, Name: "e", Role: auth.Enterprise, Scope: auth.Scope{USCC: u1}}
		for _, c := range []struct {
			by     auth.Principal
			year   int
			county string
			code   apperr.Code
		}{{ent, 2024, "", apperr.Forbidden}, {econ, 1999, "", apperr.Invalid}, {econ, 2024, "杭州", apperr.Invalid}} {
			if _, err := svc.Clusters(ctx, c.by, c.year, c.county, ""); apperr.As(err) == nil || apperr.As(err).Code != c.code {
				t.Errorf("%s %d %q: %v, want %s", c.by.Name, c.year, c.county, err, c.code)
			}
		}
	})
}

// TestClusterFactsFollowChanges: after imports, revisions, an enterprise
// moved to another county and class, its size and land changed, the
// groups the triggers keep are those a GROUP BY over the annual figures
// gives, on both stores.
func TestClusterFactsFollowChanges(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		entKind, _ := registry.KindByName("enterprises")
		u1, u2 := storetest.USCC("331102", 1), storetest.USCC("331102", 2)
		steps := []struct {
			kind  *registry.Kind
			lines []string
		}{
			{entKind, []string{"uscc,name,county,industry_code,size,status,land_mu", u1 + ",甲,331102,3973,above,operating,10", u2 + ",乙,331102,1530,below,operating,7"}},
			{economy.AnnualKind, []string{"uscc,year,tax,value_added,revenue,land_mu,source", u1 + ",2023,1,2,3,,统计", u1 + ",2024,4,5,6,,统计", u2 + ",2024,7,8,9,2,税务"}},
			{economy.AnnualKind, []string{"uscc,year,revenue,land_mu", u1 + ",2024,60,3", u2 + ",2023,1,"}},
			{entKind, []string{"uscc,name,county,industry_code,size,status,land_mu", u1 + ",甲,331121,3443,below,operating,20"}},
			{entKind, []string{"uscc,name,county,industry_code,size,status,land_mu", u2 + ",乙,331102,1530,below,closed,9"}},
		}
		direct := `SELECT a.year, e.county, e.industry_code, e.size, COUNT(*), SUM(a.revenue), SUM(a.value_added), SUM(a.tax),
			SUM(CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END) FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc
			GROUP BY a.year, e.county, e.industry_code, e.size ORDER BY 1, 2, 3, 4`
		kept := `SELECT year, county, industry_code, size, n, revenue, value_added, tax, land_mu FROM cluster_facts WHERE n > 0 ORDER BY 1, 2, 3, 4`
		for i, s := range steps {
			if _, err := reg.Import(ctx, s.kind, csv("step.csv", s.lines...), sys, false); err != nil {
				t.Fatal(i, err)
			}
			a, b := groups(t, db, direct), groups(t, db, kept)
			if a != b {
				t.Errorf("after step %d the groups kept differ:\n%s\nwant\n%s", i, b, a)
			}
		}
	})
}

// groups is a query's rows as text, the sums to 1e-9.
func groups(t *testing.T, db *store.DB, q string) string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var y, n int
		var c, ind, size string
		var rev, va, tax, land float64
		if err := rows.Scan(&y, &c, &ind, &size, &n, &rev, &va, &tax, &land); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %s %s %d %.9g %.9g %.9g %.9g\n", y, c, ind, size, n, rev, va, tax, land)
	}
	return b.String()
}
