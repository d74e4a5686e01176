package demo

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// EconomyStore is what Economy writes monitoring history through.
type EconomyStore interface {
	monitoring.Store
	registry.Reader
}

// Economy adds what the economy bureau keeps besides the annual figures
// (loaded with the registry), all synthetic: an evaluation of each
// county's LastYear by the lishui-default method; the 2020–2022 plan
// with GEP values entered by hand (labelled as the demo's); a synthetic-
// leather firm's switch to waterborne polyurethane, with daily monitoring
// data before and after; and a Qingtian-style shared treatment facility
// for valve foundries, with its last 30 days. Each is added only where it
// is not there yet, so a second call changes nothing.
func Economy(ctx context.Context, reg *registry.Service, svc *economy.Service, st EconomyStore, seed int64) error {
	by := auth.Server("demo")
	runs, err := svc.LatestRuns(ctx, by, LastYear)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, r := range runs {
		done[r.County] = true
	}
	m, text, err := economy.Preset("lishui-default")
	if err != nil {
		return err
	}
	for _, u := range registry.LishuiUnits {
		if u.Level != "county" || done[u.Code] {
			continue
		}
		if _, _, err := svc.Evaluate(ctx, by, u.Code, LastYear, m, string(text)); err != nil {
			return fmt.Errorf("demo: evaluate %s %d: %w", u.Name, LastYear, err)
		}
	}
	if err := demoPlan(ctx, svc, by); err != nil {
		return fmt.Errorf("demo: plan: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x65636f6e6f6d79)) // "economy"
	if err := demoProject(ctx, svc, st, by, r); err != nil {
		return fmt.Errorf("demo: project: %w", err)
	}
	if err := demoFacility(ctx, reg, svc, st, by, r); err != nil {
		return fmt.Errorf("demo: shared facility: %w", err)
	}
	return nil
}

const demoPlanName = "lishui-2020-2022"

func demoPlan(ctx context.Context, svc *economy.Service, by auth.Principal) error {
	ps, err := svc.PlanList(ctx, by)
	if err != nil || slices.ContainsFunc(ps, func(p economy.StoredPlan) bool { return p.Name == demoPlanName }) {
		return err
	}
	if _, err := svc.SavePlan(ctx, by, demoPlanName, ""); err != nil {
		return err
	}
	// GEP by hand: synthetic values, said to be so in their source.
	for y, v := range map[int]float64{2020: 5210, 2021: 5390, 2022: 5545} {
		if _, err := svc.AddPlanValue(ctx, by, economy.PlanValue{Plan: demoPlanName, Indicator: "gep", Year: y, Value: v,
			Source: "演示数据（合成，非公布数值） / demo data, synthetic, not a published figure"}); err != nil {
			return err
		}
	}
	return nil
}

// The synthetic-leather transformation (seed story: waterborne
// polyurethane resin with the supplier's technical support and training,
// as from 2010; governance.md §2.3: one firm's 80–100 million yuan for six
// waterborne lines): dates, investment and loads are the demo's.
var demoProjectDef = economy.Project{
	Title:         "溶剂型聚氨酯合成革生产线改水性聚氨酯（六条水性生态革生产线）",
	Kind:          "waterborne_pu",
	Description:   "以水性聚氨酯树脂替代溶剂型（DMF）树脂，干法、湿法线密闭收集；演示数据（合成）。",
	InvestmentWan: 8500,
	Started:       "2021-10-01",
	Completed:     "2022-04-30",
	Supplier:      "水性聚氨酯树脂供应商（以 2010 年起拜耳材料科技向丽水合成革企业供应水性树脂为原型）",
	Support:       "树脂供应与配方调试、生产线改造技术支持",
	Training:      "操作与设备维护人员培训",
	Pollutants:    []string{"a24088", "a25003"},
	WindowDays:    90,
}

func demoProject(ctx context.Context, svc *economy.Service, st EconomyStore, by auth.Principal, r *rand.Rand) error {
	ps, err := svc.Projects(ctx, by)
	if err != nil || len(ps) > 0 {
		return err
	}
	// The first operating 规上 synthetic-leather firm in the development
	// zone with a logger on its dry-line outlet.
	es, _, err := st.Enterprises(ctx, registry.EnterpriseFilter{Park: "LS-ETDZ", Industry: "2925", Size: "above", Status: "operating"})
	if err != nil {
		return err
	}
	var uscc string
	var outlet registry.Outlet
	for _, e := range es {
		os, err := st.Outlets(ctx, e.USCC)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(os, func(o registry.Outlet) bool { return o.MN != "" && strings.HasPrefix(o.Name, "干法") }); i >= 0 {
			uscc, outlet = e.USCC, os[i]
			break
		}
	}
	if uscc == "" {
		return nil // a small demo may have none
	}
	p := demoProjectDef
	p.USCC = uscc
	saved, err := svc.SaveProject(ctx, by, p)
	if err != nil {
		return err
	}
	// Daily data of the 90 days before the start and after completion:
	// NMHC about 62 kg and toluene 9 kg a day before, a third of it after.
	started, _ := time.ParseInLocation("2006-01-02", saved.Started, cst.Zone)
	completed, _ := time.ParseInLocation("2006-01-02", saved.Completed, cst.Zone)
	var frames []*monitoring.Received
	for i := range 90 {
		for _, w := range []struct {
			d time.Time
			k float64
		}{{started.AddDate(0, 0, i-90), 1}, {completed.AddDate(0, 0, i), 0.32}} {
			frames = append(frames, daily(uscc, outlet, w.d, map[string]float64{"a24088": 62 * w.k * (0.85 + 0.3*r.Float64()), "a25003": 9 * w.k * (0.85 + 0.3*r.Float64())}))
		}
	}
	return writeHistory(ctx, st, frames)
}

// The shared facility: Qingtian's centralised treatment for its valve
// foundries (seed story; governance.md §2.3), an operator of the demo's
// own, its outlet, and the county's operating foundries connected.
func demoFacility(ctx context.Context, reg *registry.Service, svc *economy.Service, st EconomyStore, by auth.Principal, r *rand.Rand) error {
	fs, err := svc.Facilities(ctx, by)
	if err != nil || len(fs) > 0 {
		return err
	}
	org := [8]byte{'M', 'A', '2', 'F', 'C', '0', '0', '1'}
	first17 := "91331121" + string(org[:]) + string(gb11714Check(org))
	op := first17 + string(registry.USCCCheckDigit(first17))
	outlet := registry.Outlet{USCC: op, OutletCode: "DW001", Kind: "water", MN: "888888803311210000009001", PW: "628311"}
	for _, t := range []Table{
		{Kind: "enterprises", Header: []string{"uscc", "name", "county", "industry_code", "size", "status", "park", "address", "lon", "lat", "land_mu", "employees", "founded", "synthetic"},
			Rows: [][]string{{op, "青田县阀门铸造集中治污中心有限公司", "331121", "7721", "below", "operating", "QT-IP02", "青田县船寮镇阀门产业园集中治污中心", "120.152", "28.183", "35", "24", "2016-05-01", "true"}}},
		{Kind: "outlets", Header: []string{"uscc", "outlet_code", "kind", "name", "lon", "lat", "mn", "pw"},
			Rows: [][]string{{op, outlet.OutletCode, outlet.Kind, "集中处理废水排放口", "120.1525", "28.1832", outlet.MN, outlet.PW}}},
	} {
		k, _ := registry.KindByName(t.Kind)
		st := &sheet.Table{File: "demo/" + t.Kind + ".csv", Header: t.Header}
		for i, cells := range t.Rows {
			st.Rows = append(st.Rows, sheet.Row{Num: i + 2, Cells: cells})
		}
		if _, err := reg.Import(ctx, k, st, by, false); err != nil {
			return err
		}
	}
	es, _, err := st.Enterprises(ctx, registry.EnterpriseFilter{County: "331121", Industry: "339", Status: "operating"})
	if err != nil {
		return err
	}
	f := economy.SharedFacility{Code: "QT-VALVE-CT01", Name: "青田县阀门铸造集中治污中心（演示）", Kind: "阀门铸造及清洗废水集中处理", Operator: op,
		Outlets: []string{outlet.OutletCode}, Measure: "w00000", CapacityDay: 1200, CapacityUnit: "m³/d"}
	for _, e := range es {
		f.Connected = append(f.Connected, economy.Connection{USCC: e.USCC, Since: max(e.Founded, "2016-06-01")})
	}
	if _, err := svc.SaveFacility(ctx, by, f); err != nil {
		return err
	}
	// Its last 30 days: about 60–85 % of its capacity, more on weekdays.
	today := time.Now().In(cst.Zone)
	var frames []*monitoring.Received
	for i := 30; i >= 1; i-- {
		d := time.Date(today.Year(), today.Month(), today.Day()-i, 0, 0, 0, 0, cst.Zone)
		k := 0.6 + 0.2*r.Float64()
		if d.Weekday() != time.Sunday {
			k += 0.05
		}
		frames = append(frames, daily(op, outlet, d, map[string]float64{"w00000": math.Round(1200 * k), "w01018": math.Round(1200*k*0.045*10) / 10}))
	}
	return writeHistory(ctx, st, frames)
}

// daily is a logger's daily data (CN 2031, HJ 212-2017 Table C.18) of one
// day: each code's amount (Cou) with a mean, received now (back-filled).
func daily(uscc string, o registry.Outlet, d time.Time, cous map[string]float64) *monitoring.Received {
	st := map[string]string{"air": "31", "water": "32"}[o.Kind]
	f := &hj212.Frame{Version: "2017", QN: d.Format("20060102150405") + "000", ST: st, CN: "2031", PW: o.PW, MN: o.MN, Flag: 4, DataTime: d}
	var raw strings.Builder
	fmt.Fprintf(&raw, "QN=%s000;ST=%s;CN=2031;PW=%s;MN=%s;Flag=4;CP=&&DataTime=%s", d.Format("20060102150405"), st, o.PW, o.MN, d.Format("20060102150405"))
	for _, code := range slices.Sorted(maps.Keys(cous)) {
		cou := math.Round(cous[code]*1000) / 1000
		f.Values = append(f.Values, hj212.Value{Code: code, Field: "Avg", Value: 10, Flag: "N"}, hj212.Value{Code: code, Field: "Cou", Value: cou, Flag: "N"})
		fmt.Fprintf(&raw, ";%s-Avg=10,%s-Cou=%g,%s-Flag=N", code, code, cou, code)
	}
	raw.WriteString("&&")
	return &monitoring.Received{Frame: f, Raw: []byte(raw.String() + "\r\n"), Peer: "demo", At: time.Now(), USCC: uscc, Outlet: o.OutletCode}
}

// writeHistory stores the frames and rolls them up.
func writeHistory(ctx context.Context, st EconomyStore, frames []*monitoring.Received) error {
	for _, f := range frames {
		f.Prepare()
	}
	if _, err := st.WriteBatch(ctx, frames); err != nil {
		return err
	}
	_, err := monitoring.Roll(ctx, st, 500_000, 0)
	return err
}
