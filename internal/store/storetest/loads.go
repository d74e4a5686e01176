package storetest

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// RunLoads runs the loads' and compliance grids' part of the suite
// (decision 0026): numbers computed by hand in the comments.
func RunLoads(t *testing.T, open func(t *testing.T) RulesStore) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, RulesStore)
	}{
		{"LoadsByHand", testLoadsByHand},
		{"WaterLoadByHand", testWaterLoad},
		{"LoadAlarmOncePerYear", testLoadAlarm},
		{"GridByHand", testGridByHand},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// at is a time of 2026 in CST.
func at(month, day, hour int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, 0, 0, 0, cst.Zone)
}

// frameOf is a frame of the fixture's logger mn (command cn, data time
// when) with the values given as code, field, value triples.
func frameOf(mn, uscc, outlet, st, cn string, when time.Time, vals ...any) *monitoring.Received {
	f := &hj212.Frame{Version: "2017", QN: when.Format("20060102150405") + "000", ST: st, CN: cn, PW: "123456", MN: mn, Flag: 5, DataTime: when}
	raw := fmt.Sprintf("##RAW;MN=%s;CN=%s;DataTime=%s", mn, cn, when.Format("20060102150405"))
	for i := 0; i+2 < len(vals); i += 3 {
		code, field, v := vals[i].(string), vals[i+1].(string), vals[i+2].(float64)
		f.Values = append(f.Values, hj212.Value{Code: code, Field: field, Value: v, Flag: "N"})
		raw += fmt.Sprintf(";%s-%s=%g", code, field, v)
	}
	return &monitoring.Received{Frame: f, Raw: []byte(raw + "\r\n"), Peer: "127.0.0.1:50000", At: time.Now(), USCC: uscc, Outlet: outlet}
}

func air(cn string, when time.Time, vals ...any) *monitoring.Received {
	return frameOf(Outlet.MN, Ent.USCC, Outlet.OutletCode, "31", cn, when, vals...)
}

// quantityPermit gives the fixture's outlet 0.01 t (10 kg) of SO2 a year.
var quantityPermit = registry.PermitLimit{PermitNo: Ent.USCC + "Q", USCC: Ent.USCC, Class: "key", ValidFrom: "2024-01-01", ValidTo: "2028-12-31",
	OutletCode: "DA001", PollutantCode: "a21026", AnnualQuantityT: 0.01}

// loadFrames are SO2 (mg/m³) and flue-gas flow (m³/s) of four days:
//
//	Jan 5: the logger's day (2031) says Cou 2.5 kg; our hour of 10:00 (100 mg/m³ × 10 m³/s × 3600 s = 3.6 kg) is not taken: 2.5 kg, logger_day_cou
//	Feb 10: real-time only: 09:00 SO2 50 and 150 (mean 100), flow 2 and 4 (mean 3): 100 × 3 × 3600 / 10⁶ = 1.08 kg;
//	        10:00 SO2 200, flow 5: 200 × 5 × 3600 / 10⁶ = 3.6 kg; the day 4.68 kg, conc_x_flow
//	Mar 2: the logger's hours (2061): 08:00 Avg 80, Cou 0.9 kg: 0.9 kg; 09:00 Avg 100 without Cou, flow Cou 7000 m³:
//	        100 × 7000 / 10⁶ = 0.7 kg; the day 1.6 kg, mixed
//	Mar 10: 14:00 SO2 100, flow 1: 0.36 kg, conc_x_flow
//
// January 2.5, February 4.68, March 1.96: the year 9.14 kg of the permit's 10 (0.914).
func loadFrames(t *testing.T, s RulesStore) {
	write(t, s,
		air("2031", at(1, 5, 0), "a21026", "Avg", 70.0, "a21026", "Cou", 2.5, "a00000", "Avg", 9.0, "a00000", "Cou", 777600.0),
		air("2011", at(1, 5, 10), "a21026", "Rtd", 100.0, "a00000", "Rtd", 10.0),
		air("2011", at(2, 10, 9), "a21026", "Rtd", 50.0, "a00000", "Rtd", 2.0),
		air("2011", at(2, 10, 9).Add(30*time.Minute), "a21026", "Rtd", 150.0, "a00000", "Rtd", 4.0),
		air("2011", at(2, 10, 10), "a21026", "Rtd", 200.0, "a00000", "Rtd", 5.0),
		air("2061", at(3, 2, 8), "a21026", "Avg", 80.0, "a21026", "Cou", 0.9, "a00000", "Avg", 3.0),
		air("2061", at(3, 2, 9), "a21026", "Avg", 100.0, "a00000", "Avg", 2.0, "a00000", "Cou", 7000.0),
		air("2011", at(3, 10, 14), "a21026", "Rtd", 100.0, "a00000", "Rtd", 1.0),
	)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func so2Of(t *testing.T, ls rules.Loads) rules.PollutantLoad {
	t.Helper()
	for _, p := range ls.Pollutants {
		if p.Code == "a21026" {
			return p
		}
	}
	t.Fatalf("no SO2 in %+v", ls)
	return rules.PollutantLoad{}
}

func testLoadsByHand(t *testing.T, s RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating", quantityPermit)
	loadFrames(t, s)
	// As of March 11, 12:00: the rate is of the 30 days Feb 9 to Mar 10,
	// (4.68 + 1.6 + 0.36) / 30 = 0.221333 kg a day; the 0.86 kg left last
	// ceil(0.86 / 0.221333) = ceil(3.886) = 4 days: run out on Mar 15. The
	// year at that rate: 9.14 + 0.221333 × 295 days after Mar 11 = 74.433 kg.
	asOf := at(3, 11, 12)
	ls, err := rules.NewService(s).Loads(ctx, auth.Command("test"), Ent.USCC, "DA001", 2026, asOf)
	check(t, err)
	p := so2Of(t, ls)
	want := []rules.LoadDay{{Day: "2026-01-05", KG: 2.5, Method: rules.LoggerDayCou}, {Day: "2026-02-10", KG: 4.68, Method: rules.ConcFlow},
		{Day: "2026-03-02", KG: 1.6, Method: rules.Mixed}, {Day: "2026-03-10", KG: 0.36, Method: rules.ConcFlow}}
	if len(p.Days) != len(want) {
		t.Fatalf("days %+v, want %+v", p.Days, want)
	}
	for i, d := range want {
		if p.Days[i].Day != d.Day || !near(p.Days[i].KG, d.KG) || p.Days[i].Method != d.Method {
			t.Fatalf("day %d: %+v, want %+v", i, p.Days[i], d)
		}
	}
	months := []rules.LoadMonth{{Month: "2026-01", KG: 2.5}, {Month: "2026-02", KG: 4.68}, {Month: "2026-03", KG: 1.96}}
	for i, m := range months {
		if len(p.Months) != 3 || p.Months[i].Month != m.Month || !near(p.Months[i].KG, m.KG) {
			t.Fatalf("months %+v, want %+v", p.Months, months)
		}
	}
	rate := 6.64 / 30
	if !near(p.YearKG, 9.14) || p.PermitNo != quantityPermit.PermitNo || p.PermitQuantityT != 0.01 || p.UsedShare == nil || !near(*p.UsedShare, 0.914) ||
		!near(p.RateKGPerDay, rate) || p.RunOut != "2026-03-15" || p.Exceeded || !near(p.ProjectedKG, 9.14+rate*295) {
		t.Fatalf("year %+v", p)
	}
	// As of March 2 (before the later days): Jan 5 and Feb 10 only, and
	// the 1.6 kg of Mar 2 itself (today, in the year but not the rate):
	// 8.78 kg; rate (4.68) / 30 from Jan 31: 0.156 kg a day; 1.22 kg left
	// last ceil(7.82) = 8 days: Mar 10.
	ls, err = rules.NewService(s).Loads(ctx, auth.Command("test"), Ent.USCC, "DA001", 2026, at(3, 2, 23))
	check(t, err)
	if p := so2Of(t, ls); !near(p.YearKG, 8.78) || !near(p.RateKGPerDay, 0.156) || p.RunOut != "2026-03-10" {
		t.Fatalf("as of Mar 2: %+v", p)
	}
	// Another year has nothing; an unknown outlet is not found.
	ls, err = rules.NewService(s).Loads(ctx, auth.Command("test"), Ent.USCC, "DA001", 2025, asOf)
	check(t, err)
	if p := so2Of(t, ls); len(p.Days) != 0 || p.YearKG != 0 || p.RunOut != "" || *p.UsedShare != 0 {
		t.Fatalf("2025: %+v", p)
	}
	if _, err := rules.NewService(s).Loads(ctx, auth.Command("test"), Ent.USCC, "DA999", 2026, asOf); err == nil {
		t.Fatal("an unknown outlet's loads")
	}
}

// testWaterLoad: COD 50 mg/L at 10 L/s for an hour is 36 m³, 50 × 36 /
// 10³ = 1.8 kg.
func testWaterLoad(t *testing.T, s RulesStore) {
	seedBoiler(t, s, "operating")
	w := registry.Outlet{USCC: Ent.USCC, OutletCode: "DW001", Kind: "water", Name: "废水总排口", MN: "888888800000000000000077", PW: "123456"}
	put(t, s, func(ctx context.Context, tx registry.Tx) error { return tx.PutOutlet(ctx, w) })
	write(t, s, frameOf(w.MN, Ent.USCC, "DW001", "32", "2011", at(1, 20, 10), "w01018", "Rtd", 50.0, "w00000", "Rtd", 10.0))
	ls, err := rules.NewService(s).Loads(context.Background(), auth.Command("test"), Ent.USCC, "DW001", 2026, at(1, 21, 0))
	check(t, err)
	if len(ls.Pollutants) != 1 || ls.Pollutants[0].Code != "w01018" || len(ls.Pollutants[0].Days) != 1 || !near(ls.Pollutants[0].YearKG, 1.8) ||
		ls.Pollutants[0].UsedShare != nil {
		t.Fatalf("water loads %+v", ls)
	}
}

// testLoadAlarm: the check of March 11 raises one alarm, projected; more
// SO2 on March 11 (1000 mg/m³ at 1 m³/s for an hour: 3.6 kg, 12.74 kg in
// all) makes the same alarm exceeded, on Mar 11.
func testLoadAlarm(t *testing.T, s RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating", quantityPermit)
	loadFrames(t, s)
	r := runner(s)
	r.Now = func() time.Time { return at(3, 11, 12) }
	check(t, r.LoadCheck(ctx))
	check(t, r.LoadCheck(ctx))
	as := alarms(t, s, rules.Load)
	if len(as) != 1 || as[0].Pollutant != "a21026" || !as[0].StartedAt.Equal(at(1, 1, 0)) || !as[0].EndedAt.Equal(at(3, 15, 0)) ||
		as[0].Limit != 10 || !near(as[0].Peak, 9.14) || !near(as[0].Multiple, 0.914) || !strings.Contains(string(as[0].Evidence), `"reason":"projected"`) {
		t.Fatalf("load alarms %+v", as)
	}
	write(t, s, air("2011", at(3, 11, 8), "a21026", "Rtd", 1000.0, "a00000", "Rtd", 1.0))
	check(t, r.LoadCheck(ctx))
	as = alarms(t, s, rules.Load)
	if len(as) != 1 || !near(as[0].Peak, 12.74) || !as[0].EndedAt.Equal(at(3, 11, 0)) || as[0].Version != 2 ||
		!strings.Contains(string(as[0].Evidence), `"reason":"exceeded"`) {
		t.Fatalf("load alarms after the quantity: %+v", as)
	}
}

// testGridByHand: alarms put at chosen times, the grid as of 2026-12-04
// (quarters 2023Q4 to 2026Q4), rule 2 of 4 or above 3 times:
//
//	2023Q4 compliant; 2024Q1 exceedance (×1.5); 2024Q2 exceedance (×2), SNC (Q1, Q2: 2 of 4);
//	2024Q3 and 2024Q4 compliant but SNC (Q1 and Q2 still in their 4); 2025Q1 data gap (Mar 30 to Apr 2), not SNC (Q2 only);
//	2025Q2 data gap and a flat line: data_gap (worse than data_quality); 2025Q3, 2025Q4 compliant;
//	2026Q1, Q2 compliant with a load projected (counted, no status); 2026Q3 data gap open since Aug 20;
//	2026Q4 exceedance ×3.5: SNC (above 3), with the gap still open and the load.
//
// Six quarters not compliant; an exceedance of June 2023 (before) and one
// of enterprise B are not in it.
func testGridByHand(t *testing.T, s RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	b := Ent
	b.USCC, b.County, b.Park = USCC("331121", 2), "331121", ""
	put(t, s, func(ctx context.Context, tx registry.Tx) error { return tx.PutEnterprise(ctx, b) })
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, cst.Zone) }
	for _, a := range []rules.Alarm{
		{Kind: rules.Exceedance, State: rules.Resolved, StartedAt: day(2023, 6, 1), EndedAt: day(2023, 6, 1).Add(time.Hour), Multiple: 5},
		{Kind: rules.Exceedance, State: rules.Open, StartedAt: day(2024, 2, 10), EndedAt: day(2024, 2, 10).Add(3 * time.Hour), Multiple: 1.5},
		{Kind: rules.Exceedance, State: rules.Resolved, StartedAt: day(2024, 5, 1), EndedAt: day(2024, 5, 1).Add(time.Hour), Multiple: 2},
		{Kind: rules.DataGap, State: rules.Resolved, StartedAt: day(2025, 3, 30), EndedAt: day(2025, 4, 2)},
		{Kind: "flat_line", Pollutant: "a21026", State: rules.Resolved, StartedAt: day(2025, 4, 10), EndedAt: day(2025, 4, 10).Add(4 * time.Hour)},
		{Kind: rules.Load, Pollutant: "a21026", State: rules.Open, StartedAt: at(1, 1, 0), EndedAt: at(11, 20, 0), Multiple: 0.9},
		{Kind: rules.DataGap, State: rules.Open, StartedAt: day(2026, 8, 20), EndedAt: day(2026, 8, 20)},
		{Kind: rules.Exceedance, Pollutant: "a21002", State: rules.Acknowledged, StartedAt: day(2026, 11, 2), EndedAt: day(2026, 11, 2).Add(time.Hour), Multiple: 3.5},
		{Kind: rules.Exceedance, USCC: b.USCC, State: rules.Open, StartedAt: day(2025, 7, 1), EndedAt: day(2025, 7, 1).Add(time.Hour), Multiple: 9},
		// An episode's end is exclusive: the hour 23:00 to 24:00 of Sep 30 is
		// 2025Q3's only.
		{Kind: rules.Exceedance, USCC: b.USCC, State: rules.Open, StartedAt: time.Date(2025, 9, 30, 23, 0, 0, 0, cst.Zone),
			EndedAt: time.Date(2025, 10, 1, 0, 0, 0, 0, cst.Zone), Multiple: 1.2},
	} {
		if a.USCC == "" {
			a.USCC = Ent.USCC
		}
		a.Outlet, a.Evidence = "DA001", []byte("{}")
		check(t, s.RaiseAlarm(ctx, a))
	}
	asOf := time.Date(2026, 12, 4, 9, 0, 0, 0, cst.Zone)
	type q struct {
		quarter, status string
		counts          map[string]int
		snc             bool
	}
	want := []q{
		{"2023Q4", "compliant", nil, false},
		{"2024Q1", "exceedance", map[string]int{"exceedance": 1}, false},
		{"2024Q2", "exceedance", map[string]int{"exceedance": 1}, true},
		{"2024Q3", "compliant", nil, true},
		{"2024Q4", "compliant", nil, true},
		{"2025Q1", "data_gap", map[string]int{"data_gap": 1}, false},
		{"2025Q2", "data_gap", map[string]int{"data_gap": 1, "flat_line": 1}, false},
		{"2025Q3", "compliant", nil, false},
		{"2025Q4", "compliant", nil, false},
		{"2026Q1", "compliant", map[string]int{"load": 1}, false},
		{"2026Q2", "compliant", map[string]int{"load": 1}, false},
		{"2026Q3", "data_gap", map[string]int{"load": 1, "data_gap": 1}, false},
		{"2026Q4", "exceedance", map[string]int{"load": 1, "data_gap": 1, "exceedance": 1}, true},
	}
	same := func(g rules.Grid) {
		t.Helper()
		if len(g.Quarters) != len(want) || !g.SNC || g.Violations != 6 || g.USCC != Ent.USCC {
			t.Fatalf("grid: %d quarters, snc %v, %d in violation: %+v", len(g.Quarters), g.SNC, g.Violations, g)
		}
		for i, w := range want {
			x := g.Quarters[i]
			if x.Quarter != w.quarter || x.Status != w.status || x.SNC != w.snc || len(x.Counts) != len(w.counts) || x.Current != (i == 12) {
				t.Fatalf("quarter %d: %+v, want %+v", i, x, w)
			}
			for k, n := range w.counts {
				if x.Counts[k] != n {
					t.Fatalf("quarter %s counts %v, want %v", w.quarter, x.Counts, w.counts)
				}
			}
		}
	}
	v := rules.NewService(s)
	g, err := v.Compliance(ctx, auth.Command("test"), Ent.USCC, asOf)
	check(t, err)
	same(g)
	page, err := v.Grids(ctx, auth.Command("test"), registry.EnterpriseFilter{County: "331102", Limit: 10}, asOf)
	check(t, err)
	if page.Total != 1 || len(page.Items) != 1 {
		t.Fatalf("county grid %+v", page)
	}
	same(page.Items[0])
	// Enterprise B: two exceedances in 2025Q3, one ×9: SNC then, not now.
	page, err = v.Grids(ctx, auth.Command("test"), registry.EnterpriseFilter{County: "331121", Limit: 10}, asOf)
	check(t, err)
	if len(page.Items) != 1 || page.Items[0].SNC || !page.Items[0].Quarters[7].SNC || page.Items[0].Quarters[7].Counts["exceedance"] != 2 ||
		page.Items[0].Quarters[7].MaxMultiple != 9 || page.Items[0].Violations != 1 {
		t.Fatalf("enterprise B's grid %+v", page)
	}
	// Another rule, 1 of 4 or above 10 times: 2025Q1 still has 2024Q2 among
	// its four quarters, 2025Q2 has none; 2026Q4 by its own exceedance.
	check(t, v.SetSNC("1/4,10"))
	g, err = v.Compliance(ctx, auth.Command("test"), Ent.USCC, asOf)
	check(t, err)
	if !g.Quarters[1].SNC || !g.Quarters[5].SNC || g.Quarters[6].SNC || !g.Quarters[12].SNC {
		t.Fatalf("1 of 4: %+v", g.Quarters)
	}
	if err := v.SetSNC("5/4,3"); err == nil {
		t.Fatal("5 of 4 quarters taken")
	}
}
