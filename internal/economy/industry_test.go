package economy_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

// dailyFrame is a logger's daily data (CN 2031) of one day: each code's
// mean and emission amount (Cou).
func dailyFrame(uscc, outlet string, d time.Time, cn string, cous map[string]float64) *monitoring.Received {
	f := &hj212.Frame{Version: "2017", QN: d.Format("20060102150405") + "000", ST: "31", CN: cn, PW: "123456", MN: "888888800000000000000001", Flag: 4, DataTime: d}
	for code, cou := range cous {
		f.Values = append(f.Values, hj212.Value{Code: code, Field: "Avg", Value: 10, Flag: "N"}, hj212.Value{Code: code, Field: "Cou", Value: cou, Flag: "N"})
	}
	return &monitoring.Received{Frame: f, Raw: fmt.Appendf(nil, "##%s;%s;%s\r\n", cn, uscc, d.Format("20060102150405")), Peer: "test", At: time.Now(), USCC: uscc, Outlet: outlet}
}

func writeFrames(t *testing.T, db *store.DB, rs []*monitoring.Received) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.WriteBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if _, err := monitoring.Roll(ctx, db, 100_000, 0); err != nil {
		t.Fatal(err)
	}
}

func industrySeed(t *testing.T, db *store.DB) (leather, foundry, operator string) {
	t.Helper()
	ctx := context.Background()
	reg := registry.NewService(db)
	leather, foundry, operator = storetest.USCC("331102", 1), storetest.USCC("331121", 2), storetest.USCC("331121", 3)
	for _, imp := range []struct {
		kind string
		tb   []string
	}{
		{"enterprises", []string{"uscc,name,county,industry_code,size,status,land_mu",
			leather + ",甲合成革,331102,2925,above,operating,50", foundry + ",乙铸造,331121,3391,below,operating,5", operator + ",丙环保,331121,7724,below,operating,10"}},
		{"outlets", []string{"uscc,outlet_code,kind,name,height_m", leather + ",DA001,air,干法线废气,20", operator + ",DW001,water,集中处理排放口,", operator + ",DW002,water,备用排放口,"}},
		{"annual", []string{"uscc,year,value_added,revenue,source", leather + ",2024,3650,10000,统计", leather + ",2025,7300,12000,统计",
			leather + ",2021,1000,5000,统计", foundry + ",2021,1000,5000,税务"}},
	} {
		k, _ := registry.KindByName(imp.kind)
		if _, err := reg.Import(ctx, k, csv(imp.kind+".csv", imp.tb...), sys, false); err != nil {
			t.Fatal(imp.kind, err)
		}
	}
	return
}

// TestProjectEffect: the leather firm's NMHC before (10 days at 20 kg)
// and after (10 days at 5 kg; one day from hourly data only, 2 × 2.5 kg)
// its switch to waterborne resin: −75 % a day; intensity 20 × 365 / 3,650
// = 2 kg/万元 before, 5 × 365 / 7,300 = 0.25 after.
func TestProjectEffect(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		leather, _, _ := industrySeed(t, db)
		svc := economy.NewService(db)
		var frames []*monitoring.Received
		for i := range 10 {
			before := time.Date(2024, 12, 22+i, 0, 0, 0, 0, cst.Zone)
			frames = append(frames, dailyFrame(leather, "DA001", before, "2031", map[string]float64{"a24088": 20}))
			after := time.Date(2025, 3, 1+i, 0, 0, 0, 0, cst.Zone)
			if i == 9 {
				frames = append(frames, dailyFrame(leather, "DA001", after, "2061", map[string]float64{"a24088": 2.5}),
					dailyFrame(leather, "DA001", after.Add(time.Hour), "2061", map[string]float64{"a24088": 2.5}))
				continue
			}
			frames = append(frames, dailyFrame(leather, "DA001", after, "2031", map[string]float64{"a24088": 5}))
		}
		frames = append(frames, dailyFrame(leather, "DA001", time.Date(2025, 2, 1, 0, 0, 0, 0, cst.Zone), "2031", map[string]float64{"a24088": 999})) // during the works
		writeFrames(t, db, frames)

		p := economy.Project{USCC: leather, Title: "溶剂型改水性聚氨酯", Kind: "waterborne_pu", InvestmentWan: 8000, Started: "2025-01-01", Completed: "2025-03-01",
			Supplier: "拜耳材料科技", Support: "水性树脂供应与技术支持", Training: "操作人员培训", Pollutants: []string{"a24088"}, WindowDays: 10}
		county := auth.Principal{Kind: auth.User, Name: "qt", Role: auth.County, Bureau: auth.Economy, Scope: auth.Scope{County: "331121"}}
		if _, err := svc.SaveProject(ctx, county, p); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Fatalf("another county's officer adds a project: %v", err)
		}
		if _, err := svc.SaveProject(ctx, ecology, p); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Fatalf("the ecology bureau adds a project: %v", err)
		}
		saved, err := svc.SaveProject(ctx, econ, p)
		if err != nil || saved.ID == 0 || saved.Version != 1 || saved.County != "331102" {
			t.Fatalf("save %+v %v", saved, err)
		}
		got, eff, err := svc.Project(ctx, sys, saved.ID)
		if err != nil || got.Name != "甲合成革" || len(eff.Pollutants) != 1 {
			t.Fatalf("project %+v %+v %v", got, eff, err)
		}
		pe := eff.Pollutants[0]
		if eff.Before != (economy.Window{From: "2024-12-22", To: "2025-01-01", ValueAdded: 3650, Year: 2024}) ||
			eff.After != (economy.Window{From: "2025-03-01", To: "2025-03-11", ValueAdded: 7300, Year: 2025}) ||
			pe.BeforeKg != 200 || pe.AfterKg != 50 || pe.BeforeDays != 10 || pe.AfterDays != 10 || len(pe.Series) != 21 {
			t.Fatalf("effect %+v %+v", eff, pe)
		}
		near(t, "change", pe.Change, -0.75)
		near(t, "intensity before", pe.BeforeIntensity, 2)
		near(t, "intensity after", pe.AfterIntensity, 0.25)
		near(t, "intensity change", pe.IntensityChange, -0.875)
		if _, _, err := svc.Project(ctx, county, saved.ID); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Errorf("another county reads the project: %v", err)
		}
		if ps, err := svc.Projects(ctx, county); err != nil || len(ps) != 0 {
			t.Errorf("another county lists %v %v", ps, err)
		}
		// An update with a stale version is refused; bad fields are named.
		saved.Title = "溶剂型改水性聚氨酯（二期）"
		if _, err := svc.SaveProject(ctx, econ, saved); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveProject(ctx, econ, saved); apperr.As(err) == nil || apperr.As(err).Code != apperr.Conflict {
			t.Errorf("stale version: %v", err)
		}
		bad := economy.Project{USCC: leather, Title: "x", Started: "2025-13-01", Completed: "2024-01-01", InvestmentWan: math.Inf(1), Pollutants: []string{"zz"}, WindowDays: 3}
		_, err = svc.SaveProject(ctx, econ, bad)
		for _, want := range []string{"开工日期", "investment_wan", "window_days", "\"zz\""} {
			if err == nil || !strings.Contains(apperr.As(err).Zh+apperr.As(err).Message, want) {
				t.Errorf("no %q in %v", want, err)
			}
		}
	})
}

// TestSharedFacility: the operator's DW001 outlet treated 400, 600 and
// 500 m³ on three days of the last 30 (DW002 is not the facility's):
// 500 a day of a capacity of 1,000, peak 60 %.
func TestSharedFacility(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, foundry, operator := industrySeed(t, db)
		svc := economy.NewService(db)
		today := time.Now().In(cst.Zone).Truncate(24 * time.Hour)
		var frames []*monitoring.Received
		for i, m3 := range []float64{400, 600, 500} {
			d := time.Date(today.Year(), today.Month(), today.Day()-3+i, 0, 0, 0, 0, cst.Zone)
			frames = append(frames, dailyFrame(operator, "DW001", d, "2031", map[string]float64{"w00000": m3}),
				dailyFrame(operator, "DW002", d, "2031", map[string]float64{"w00000": 10000}))
		}
		writeFrames(t, db, frames)
		f := economy.SharedFacility{Code: "QT-VALVE-01", Name: "青田阀门铸造集中治污中心", Kind: "铸造清洗废水", Operator: operator, Outlets: []string{"DW001"},
			Measure: "w00000", CapacityDay: 1000, CapacityUnit: "m³/d", Connected: []economy.Connection{{USCC: foundry, Since: "2020-06-01"}}}
		if _, err := svc.SaveFacility(ctx, econ, economy.SharedFacility{Code: "x y", Operator: operator}); apperr.As(err) == nil || !strings.Contains(apperr.As(err).Zh, "编号") {
			t.Fatalf("bad code: %v", err)
		}
		bad := f
		bad.Outlets = []string{"DW009"}
		if _, err := svc.SaveFacility(ctx, econ, bad); apperr.As(err) == nil || apperr.As(err).Code != apperr.Invalid {
			t.Fatalf("an outlet not the operator's: %v", err)
		}
		saved, err := svc.SaveFacility(ctx, econ, f)
		if err != nil || saved.Version != 1 || saved.County != "331121" {
			t.Fatalf("save %+v %v", saved, err)
		}
		if _, err := svc.SaveFacility(ctx, econ, f); apperr.As(err) == nil || apperr.As(err).Code != apperr.Conflict {
			t.Fatalf("again as new: %v", err)
		}
		got, load, err := svc.Facility(ctx, sys, "QT-VALVE-01")
		if err != nil || got.Connected[0].Name != "乙铸造" || load.Days != 3 {
			t.Fatalf("facility %+v %+v %v", got, load, err)
		}
		near(t, "mean", load.MeanPerDay, 500)
		near(t, "utilisation", load.Utilisation, 0.5)
		near(t, "peak", load.Peak, 0.6)
		other := auth.Principal{Kind: auth.User, Name: "ld", Role: auth.County, Bureau: auth.Economy, Scope: auth.Scope{County: "331102"}}
		if _, _, err := svc.Facility(ctx, other, "QT-VALVE-01"); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Errorf("another county reads it: %v", err)
		}
		saved.CapacityDay = 2000
		if _, err := svc.SaveFacility(ctx, other, saved); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Errorf("another county changes it: %v", err)
		}
		if s2, err := svc.SaveFacility(ctx, econ, saved); err != nil || s2.Version != 2 {
			t.Errorf("update %+v %v", s2, err)
		}
	})
}

// TestPlanProgress: closures counted from the cases, emissions from the
// rollups, the leading share from the clusters, GEP entered by hand with
// its provenance.
func TestPlanProgress(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		leather, foundry, _ := industrySeed(t, db)
		svc := economy.NewService(db)
		if _, err := svc.SavePlan(ctx, econ, "", "name: p\nfrom: 2020\nto: 2019\nindicators:\n  - {id: x, zh: 甲, en: x, source: nope, baseline: 1, baseline_year: 2019, target: 1, year: 2019}\n"); apperr.As(err) == nil ||
			!strings.Contains(apperr.As(err).Zh, "起止年度") || !strings.Contains(apperr.As(err).Zh, "数据来源 \"nope\"") || !strings.Contains(apperr.As(err).Zh, "line 5") {
			t.Fatalf("bad plan: %v", err)
		}
		county := auth.Principal{Kind: auth.User, Name: "qt", Role: auth.County, Bureau: auth.Economy, Scope: auth.Scope{County: "331121"}}
		if _, err := svc.SavePlan(ctx, county, "lishui-2020-2022", ""); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Fatalf("a county saves the city's plan: %v", err)
		}
		if _, err := svc.SavePlan(ctx, econ, "lishui-2020-2022", ""); err != nil {
			t.Fatal(err)
		}
		// A closure carried out in 2021: a case as the rectification keeps it.
		err := db.UpdateCompliance(ctx, func(tx compliance.Tx) error {
			id, err := tx.AddCampaign(ctx, compliance.Campaign{Name: "四无", Start: "2020-03-01", Version: 1, CreatedAt: time.Now(), CreatedBy: "test"})
			if err != nil {
				return err
			}
			_, err = tx.AddCases(ctx, []compliance.Case{{Summary: compliance.Summary{Campaign: id, USCC: foundry, County: "331121", Industry: "3391",
				State: compliance.ClosedOut, Disposition: compliance.Close, Version: 1, OpenedOn: "2020-03-16", CarriedOutOn: "2021-06-30"}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// NMHC: 2 days in 2021 of 1,500 kg.
		writeFrames(t, db, []*monitoring.Received{
			dailyFrame(leather, "DA001", time.Date(2021, 5, 1, 0, 0, 0, 0, cst.Zone), "2031", map[string]float64{"a24088": 1500}),
			dailyFrame(leather, "DA001", time.Date(2021, 5, 2, 0, 0, 0, 0, cst.Zone), "2031", map[string]float64{"a24088": 1500}),
		})
		if _, err := svc.AddPlanValue(ctx, econ, economy.PlanValue{Plan: "lishui-2020-2022", Indicator: "nmhc_load", Year: 2021, Value: 1, Source: "x"}); apperr.As(err) == nil ||
			apperr.As(err).Code != apperr.Invalid {
			t.Fatalf("a computed indicator entered by hand: %v", err)
		}
		for _, v := range []float64{5500, 5600.5} {
			if _, err := svc.AddPlanValue(ctx, econ, economy.PlanValue{Plan: "lishui-2020-2022", Indicator: "gep", Year: 2020, Value: v, Source: "丽水市 GEP 核算报告", Note: "示例"}); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := svc.PlanProgress(ctx, county, "lishui-2020-2022")
		if err != nil || len(rep.Progress) != 4 {
			t.Fatalf("progress %+v %v", rep, err)
		}
		closures, share, nmhc, gep := rep.Progress[0], rep.Progress[1], rep.Progress[2], rep.Progress[3]
		if len(closures.Values) < 3 || closures.Values[0].Value != 0 || closures.Values[1].Value != 1 || closures.Values[1].Provenance != "computed" {
			t.Errorf("closures %+v", closures.Values)
		}
		if len(nmhc.Values) != 1 || nmhc.Values[0].Year != 2021 || nmhc.Values[0].Value != 3 || nmhc.Values[0].Note != "2/365 天有数据 / data on 2 of 365 days" {
			t.Errorf("NMHC %+v", nmhc.Values)
		}
		near(t, "NMHC progress", nmhc.Progress, (3-120.0)/(90-120))
		if nmhc.Achieved != true {
			t.Errorf("NMHC %+v", nmhc)
		}
		// 2021: the leather firm (fashion) 5,000 of 10,000 (the foundry's in no leading industry).
		if l := share.Latest; l == nil || l.Year != 2021 || l.Value != 50 || len(share.Values) != 1 {
			t.Errorf("share %+v", share.Values)
		}
		if l := gep.Latest; l == nil || l.Value != 5600.5 || l.Provenance != "entered" || l.Actor != "user:econ" || l.Source != "丽水市 GEP 核算报告" || len(gep.Values) != 1 {
			t.Errorf("GEP %+v", gep.Values)
		}
		if _, err := svc.PlanProgress(ctx, auth.Principal{Kind: auth.User, Name: "e", Role: auth.Enterprise, Scope: auth.Scope{USCC: leather}}, "lishui-2020-2022"); apperr.As(err) == nil ||
			apperr.As(err).Code != apperr.Forbidden {
			t.Errorf("an enterprise reads the plan: %v", err)
		}
	})
}
