package economy_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

// TestPolicies applies zhejiang-2019 (浙政办发〔2019〕62号 land-use tax
// relief A 100 %, B 80 %; Haining's D +0.3 元/kWh, D three years running
// +0.4; energy quotas C 95 %, D 90 %, ours) to a run, the earlier years'
// classes from the county's runs of those years, on both stores.
func TestPolicies(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		var us []string
		rows := []string{"uscc,name,county,industry_code,size,status,land_mu"}
		for i, name := range []string{"甲", "乙", "丙", "丁"} {
			us = append(us, storetest.USCC("331102", i+1))
			rows = append(rows, us[i]+","+name+",331102,3443,below,operating,10")
		}
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, csv("企业.csv", rows...), sys, false); err != nil {
			t.Fatal(err)
		}
		// Tax per mu 12, 8.5, 3, 6 against a benchmark of 10: 120 A, 85 B,
		// 30 D, 60 C, every year alike.
		var annual []string
		for _, y := range []string{"2022", "2023", "2024"} {
			annual = append(annual, us[0]+","+y+",120,,1000", us[1]+","+y+",85,,1000", us[2]+","+y+",30,500000,200", us[3]+","+y+",60,,1000")
		}
		if _, err := reg.Import(ctx, economy.AnnualKind, csv("a.csv", append([]string{"uscc,year,tax,electricity_kwh,energy_tce"}, annual...)...), econ, false); err != nil {
			t.Fatal(err)
		}
		text := `name: m
groups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 10}]}}
bands: {by: score, classes: [{class: D, from: 0, to: 50}, {class: C, from: 50, to: 80}, {class: B, from: 80, to: 100}, {class: A, from: 100}]}`
		m, err := economy.ParseMethod("m.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		svc := economy.NewService(db)
		evaluate := func(year int) int64 {
			run, _, err := svc.Evaluate(ctx, econ, "331102", year, m, text)
			if err != nil {
				t.Fatal(err)
			}
			return run.ID
		}
		evaluate(2023)
		run := evaluate(2024)
		p, err := economy.LoadPolicy("zhejiang-2019", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, l, err := svc.Policies(ctx, econ, run, p)
		if err != nil {
			t.Fatal(err)
		}
		// 丙: D in 2023 and 2024, two years: +0.3 × 500,000 kWh = 150,000 元.
		if len(l.Tax) != 2 || l.Tax[0].USCC != us[0] || l.Tax[0].LandTaxReliefPct != 100 || l.Tax[1].LandTaxReliefPct != 80 ||
			len(l.Electricity) != 1 || l.Electricity[0].Running != 2 || l.Electricity[0].ElectricityYuan != 150000 || len(l.Water) != 0 {
			t.Fatalf("lists %+v", l)
		}
		// By rank: 丁 C, 95 % of 1000 tce; 丙 D, 90 % of 200 tce.
		if len(l.Energy) != 2 || l.Energy[0].USCC != us[3] || l.Energy[0].EnergyQuotaTce != 950 || l.Energy[1].EnergyQuotaTce != 180 {
			t.Fatalf("energy %+v", l.Energy)
		}
		// With 2022 evaluated, 丙 is D three years running: +0.4 × 500,000.
		evaluate(2022)
		r, l, err := svc.Policies(ctx, econ, run, p)
		if err != nil || l.Electricity[0].Running != 3 || l.Electricity[0].ElectricityYuanPerKwh != 0.4 || l.Electricity[0].ElectricityYuan != 200000 {
			t.Fatalf("running %+v %v", l.Electricity, err)
		}
		var b bytes.Buffer
		if err := economy.WriteListsXLSX(&b, r, p, l); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.GetRows("供电 差别电价")
		if err != nil || len(got) != 3 || got[2][0] != us[2] || strings.Join(got[2][3:], " ") != "3 0.4 500000 200000" {
			t.Fatalf("sheet %q %v (sheets %v)", got, err, x.GetSheetList())
		}
		// The run's XLSX: a sheet per class, then the lists.
		b.Reset()
		if err := svc.WriteRunXLSX(ctx, econ, &b, run, p); err != nil {
			t.Fatal(err)
		}
		if x, err = excelize.OpenReader(&b); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(x.GetSheetList(), ","); got != "D 类,C 类,B 类,A 类,税务 土地使用税减免,供电 差别电价,水务 差别水价,发改经信 用能额度" {
			t.Fatalf("sheets %s", got)
		}
		if rows, err := x.GetRows("D 类"); err != nil || len(rows) != 2 || rows[1][0] != us[2] {
			t.Fatalf("sheet D %q %v", rows, err)
		}
		// An enterprise sees its own line once the run is public: not in a draft.
		ent := auth.Principal{Kind: auth.User, Name: "丙", Role: auth.Enterprise, Scope: auth.Scope{USCC: us[2]}}
		if _, _, err := svc.Policies(ctx, ent, run, p); code(err) != "not_found" {
			t.Fatalf("an enterprise reads a draft's policies: %v", err)
		}
		// The runs, and 丙's years: D, D, D; none for itself while drafts.
		if runs, err := svc.Runs(ctx, econ, "", 0); err != nil || len(runs) != 3 || runs[0].Year != 2022 || runs[0].Classes["D"] != 1 {
			t.Fatalf("runs %+v %v", runs, err)
		}
		ys, err := svc.Years(ctx, econ, us[2])
		if err != nil || len(ys) != 3 || ys[0].Run.Year != 2022 || ys[2].Result.Class != "D" || ys[2].Result.LastClass != "D" || ys[2].Result.Explain == "" {
			t.Fatalf("years %+v %v", ys, err)
		}
		if ys, err := svc.Years(ctx, ent, us[2]); err != nil || len(ys) != 0 {
			t.Fatalf("丙's own years while drafts %+v %v", ys, err)
		}
		if runs, err := svc.Runs(ctx, ent, "", 0); err != nil || len(runs) != 0 {
			t.Fatalf("丙 lists drafts %+v %v", runs, err)
		}
	})
}

func TestPolicyRefused(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"name: x\nclasses: {A: {land_tax_relief_pct: 120}}", "classes.A：减免 0–100%"},
		{"name: x\nclasses: {D: {electricity_yuan_per_kwh: 0.3}}\nrunning: {class: E, years: 3, electricity_yuan_per_kwh: 0.4}", "running: a class of the policy"},
		{"name: x\nclasses: {A: {relief: 1}}", "field relief not found"},
	} {
		if _, err := economy.LoadPolicy("p.yaml", []byte(tc.yaml)); err == nil || !strings.Contains(err.Error()+" "+errZh(err), tc.want) {
			t.Errorf("%q: %v", tc.yaml, err)
		}
	}
	for _, name := range economy.PolicyPresets() {
		if _, err := economy.LoadPolicy(name, nil); err != nil {
			t.Error(err)
		}
	}
}

func errZh(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Zh
	}
	return ""
}
