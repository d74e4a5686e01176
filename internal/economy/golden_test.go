package economy

import (
	"reflect"
	"strings"
	"testing"
)

// TestHuangyan2021 is the preset with Huangyan's 2021 benchmarks (26.01 /
// 132.27 / 2.54 / 4861.08 / 17.45 / 0.0305; 规下 16.601058 / 0.236565),
// Tiantai's bands by name: no cap, a refund floored at 0, emissions
// missing scoring the group's mean, employees missing scoring 0, a zero
// land area missing the per-mu indicators.
func TestHuangyan2021(t *testing.T) {
	// H2's and H3's emissions points, whose mean H1 gets:
	// H2 10 × (1322.7/0.5 = 2645.4)/4861.08; H3 10 × (100/0.1 = 1000)/4861.08.
	h2e, h3e := 10*2645.4/4861.08, 10*1000/4861.08
	out := Evaluate(preset(t, "huangyan-2021"), []Input{
		// 30 × 52.02/26.01 = 60 (no cap) + 20 × 132.27/132.27 = 20 + 20 × (1322.7/260.37 = 5.0801)/2.54 = 40.001
		// + mean(h2e, h3e) + 10 × 13.227/17.45 + 10 × (30.5/1000 = 0.0305)/0.0305 = 10
		in("H1", "above", "3443", Annual{LandMu: 10, Tax: 520.2, ValueAdded: 1322.7, EnergyTce: 260.37, Employees: 100, RD: 30.5, Revenue: 1000}),
		// tax −50: floored at 0 + 20 × 66.135/132.27 = 10 + 20 × 1/2.54 + h2e + no employees: 0 + 0
		in("H2", "above", "3443", Annual{LandMu: 20, Tax: -50, ValueAdded: 1322.7, EnergyTce: 1322.7, EmissionsT: 0.5, Revenue: 500}),
		// no land: 0 + 0 + 20 × 2/2.54 + h3e + 10 × 10/17.45 + 10 × 0.01/0.0305
		in("H3", "above", "3443", Annual{Tax: 10, ValueAdded: 100, EnergyTce: 50, EmissionsT: 0.1, Employees: 10, RD: 1, Revenue: 100}),
		// 50 × 16.601058/16.601058 = 50 + 50 × (1e4 × 166.01058/3,508,774 kWh)/0.236565
		in("B1", "below", "3443", Annual{LandMu: 10, Tax: 166.01058, Kwh: 3508774}),
		// 50 × (10/5 = 2)/16.601058 + no electricity: 0
		in("B2", "below", "3443", Annual{LandMu: 5, Tax: 10}),
	})
	h1 := 60 + 20 + 20*(1322.7/260.37)/2.54 + (h2e+h3e)/2 + 10*13.227/17.45 + 10
	h2 := 0 + 10 + 20*1/2.54 + h2e
	h3 := 20*2/2.54 + h3e + 10*10/17.45 + 10*0.01/0.0305
	b1 := 50 + 50*(1e4*166.01058/3508774)/0.236565
	// Tiantai's bands (A < 11 ≤ B < 46 ≤ C < 92 ≤ D) on (rank − 1)/n:
	// above n = 3: 0 A, 33.3 B, 66.7 C; below n = 2: 0 A, 50 C.
	check(t, out, map[string]want{
		"H1": {h1, 1, "A", "", "", "va_per_emission", "单位排放增加值无数据（分母为 0 或缺失），得 3.75 分"},
		"H3": {h3, 2, "B", "", "", "land", "亩均税收无数据"},
		"H2": {h2, 3, "C", "", "tax_per_mu", "labour_productivity", "亩均税收 -2.5万元/亩，为基准 26.01 的 -10%，得 0.00 分，比权重 30 少 30.00 分"},
		"B1": {b1, 1, "A", "", "", "", "Every indicator reached its benchmark"},
		"B2": {50 * 2 / 16.601058, 2, "C", "", "", "tax_per_kwh", "单位电耗税收无数据"},
	})
}

// TestBandSchemes: the §1.4 schemes by name, on twenty enterprises whose
// percentiles (rank − 1)/20 are 0, 5, ..., 95.
func TestBandSchemes(t *testing.T) {
	for _, tc := range []struct{ scheme, want string }{
		// Huai'an: A < 20 ≤ B < 60 ≤ C < 95 ≤ D: 4 A, 8 B, 7 C, 1 D.
		{"huaian", "AAAABBBBBBBBCCCCCCCD"},
		// Zhangzhou: A < 30 ≤ B < 60 ≤ C < 90 ≤ D: 6, 6, 6, 2.
		{"zhangzhou", "AAAAAABBBBBBCCCCCCDD"},
		// gu456: A < 25 ≤ B < 70 ≤ C < 95 ≤ D: 5, 9, 5, 1.
		{"gu456", "AAAAABBBBBBBBBCCCCCD"},
		// Tiantai 2022: A < 11 ≤ B < 46 ≤ C < 92 ≤ D: 3, 7, 9, 1.
		{"tiantai-2022", "AAABBBBBBBCCCCCCCCCD"},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			m, err := ParseMethod("m.yaml", []byte("name: x\ngroups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 1}]}}\nbands: "+tc.scheme))
			if err != nil {
				t.Fatal(err)
			}
			var ins []Input
			for i := range 20 {
				ins = append(ins, in(string(rune('a'+i)), "below", "3443", Annual{LandMu: 1, Tax: float64(100 - i)}))
			}
			var got strings.Builder
			for _, r := range Evaluate(m, ins).Results {
				got.WriteString(r.Class)
			}
			if got.String() != tc.want {
				t.Fatalf("classes %s, want %s", got.String(), tc.want)
			}
		})
	}
	if _, err := ParseMethod("m.yaml", []byte("name: x\ngroups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 1}]}}\nbands: shanghai")); err == nil ||
		!strings.Contains(err.Error(), `no band scheme "shanghai" (one of gu456, huaian, tiantai-2022, zhangzhou)`) {
		t.Fatalf("unknown scheme: %v", err)
	}
}

const adjusted = `name: adjusted
scope: {min_years: 2}
groups:
  below:
    min_land_mu: 3
    min_kwh: 100000
    min_either: true
    indicators:
      - {id: tax_per_mu, weight: 100, benchmark: 10, cap: 1.5}
adjustments:
  - {item: high_tech, points: 5}
  - {item: safety_accident, points: -10, max: 15}
  - {item: environmental_violation, points: -1, class: D}
bands:
  by: score
  classes:
    - {class: D, from: 0, to: 40}
    - {class: C, from: 40, to: 60}
    - {class: B, from: 60, to: 80}
    - {class: A, from: 80}
`

// TestAdjustmentsParcelsScope: bonus and penalty items (a max, a class
// set whatever the score), a shared parcel evaluated as one, and the
// scope's minimums (land or electricity) and founding years.
func TestAdjustmentsParcelsScope(t *testing.T) {
	m, err := ParseMethod("adjusted.yaml", []byte(adjusted))
	if err != nil {
		t.Fatal(err)
	}
	withItems := func(x Input, counts map[string]int) Input { x.Counts = counts; x.Year = 2024; return x }
	onParcel := func(x Input, p string) Input { x.Parcel = p; return x }
	out := Evaluate(m, []Input{
		// One parcel: tax 40 + 30 = 70 over the parcel's 10 mu (each gives
		// it: the largest, not the sum) = 7/mu: 100 × 7/10 = 70; high_tech
		// +5; two accidents 2 × −10 = −20, max 15: −15. 70 + 5 − 15 = 60: B.
		withItems(onParcel(in("P1", "below", "3443", Annual{LandMu: 10, Tax: 40}), "地块-7"), map[string]int{"high_tech": 1}),
		withItems(onParcel(in("P2", "below", "3443", Annual{LandMu: 10, Tax: 30}), "地块-7"), map[string]int{"safety_accident": 2}),
		// 2 mu, under 3, but 200,000 kWh: in (either). 100 × 20/10 = 200,
		// cap 1.5 × 100 = 150; +5: 155, A.
		withItems(in("Q1", "below", "3443", Annual{LandMu: 2, Tax: 40, Kwh: 200000}), map[string]int{"high_tech": 1}),
		withItems(in("Q2", "below", "3443", Annual{LandMu: 2, Tax: 40, Kwh: 50000}), nil), // neither minimum: out
		// Founded in 2023: under two years at the end of 2024: out.
		withItems(Input{Annual: Annual{USCC: "Q3", LandMu: 5, Tax: 50}, Size: "below", Industry: "3443", Founded: "2023-05-01"}, nil),
		// Founded 2022-12-31: two years at the end of 2024, in. 100 × 5/10
		// = 50, −1 = 49: C by score, D set by the penalty.
		withItems(Input{Annual: Annual{USCC: "Q4", LandMu: 5, Tax: 25}, Size: "below", Industry: "3443", Founded: "2022-12-31"},
			map[string]int{"environmental_violation": 1}),
		// No tax: 0; an accident −10: a score of −10, in the lowest band.
		withItems(in("Q5", "below", "3443", Annual{LandMu: 5}), map[string]int{"safety_accident": 1}),
	})
	check(t, out, map[string]want{
		"Q1": {155, 1, "A", "tax_per_mu", "", "", "高新技术企业 1 次，+5.00 分"},
		"P1": {60, 2, "B", "", "", "", "与共用地块 地块-7 上的企业合并评价"},
		"P2": {60, 2, "B", "", "", "", "work-safety accident ×2: -15.00 points"},
		"Q4": {49, 3, "D", "", "", "", "因环境违法行政处罚，直接定为 D 类"},
		"Q5": {-10, 4, "D", "", "", "", "安全生产事故 1 次，-10.00 分"},
	})
	if out.OutOfScope != 2 || out.Results[1].Of != 4 {
		t.Fatalf("out of scope %d, of %d", out.OutOfScope, out.Results[1].Of)
	}
	// A run keeps all of it.
	packed, err := packOutcome(out)
	if err != nil {
		t.Fatal(err)
	}
	back, err := unpackOutcome(packed)
	if err != nil || !reflect.DeepEqual(back, out) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, back, out)
	}
}

func TestParseItems(t *testing.T) {
	got, en, _ := ParseItems("high_tech； safety_accident×2, safety_accident")
	if en != "" || !reflect.DeepEqual(got, map[string]int{"high_tech": 1, "safety_accident": 3}) || itemsText(got) != "high_tech;safety_accident*3" {
		t.Fatalf("%v %s", got, en)
	}
	for _, bad := range []string{"exceedance_alarm", "pollution", "high_tech*0", "high_tech*x"} {
		if _, en, zh := ParseItems(bad); en == "" || zh == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestLishuiDefaultItemsAndParcel: lishui-default's bonus and penalty
// items (ours: high-tech +3; an exceedance alarm −1, at most −5) and a
// shared parcel, in 规下 with the county's means as benchmarks and the
// cap 2 × weight.
func TestLishuiDefaultItemsAndParcel(t *testing.T) {
	withCounts := func(x Input, parcel string, counts map[string]int) Input {
		x.Parcel, x.Counts = parcel, counts
		return x
	}
	out := Evaluate(preset(t, "lishui-default"), []Input{
		withCounts(in("L1", "below", "3443", Annual{LandMu: 4, Tax: 40, Kwh: 100000}), "", map[string]int{"high_tech": 1}),
		// The parcel: its land 6 mu (both give it), tax 10 + 2 = 12, 200,000 + 120,000 kWh.
		withCounts(in("P1", "below", "3443", Annual{LandMu: 6, Tax: 10, Kwh: 200000}), "地块A", nil),
		withCounts(in("P2", "below", "3443", Annual{LandMu: 6, Tax: 2, Kwh: 120000}), "地块A", map[string]int{"exceedance_alarm": 7}),
		in("L3", "below", "3443", Annual{LandMu: 2.5, Tax: 90, Kwh: 10}), // under 3 mu: out of scope
	})
	// Means over the two units: tax per mu (40 + 12)/(4 + 6) = 5.2; tax per
	// kWh 1e4 × 52/420,000 = 1.2381 元.
	meanKwh := 1e4 * 52 / 420000.0
	// L1: 60 × 10/5.2 = 115.38; 40 × (1e4 × 40/100,000 = 4)/1.2381 = 129.2,
	// cap 80; high-tech +3.
	l1 := 60*10/5.2 + 80 + 3
	// The parcel: 60 × 2/5.2 + 40 × (1e4 × 12/320,000 = 0.375)/1.2381; seven
	// alarms −7, at most −5.
	p := 60*2/5.2 + 40*0.375/meanKwh - 5
	check(t, out, map[string]want{
		"L1": {l1, 1, "A", "tax_per_kwh", "", "", "高新技术企业 1 次，+3.00 分"},
		"P1": {p, 2, "C", "", "", "", "与共用地块 地块A 上的企业合并评价"},
		"P2": {p, 2, "C", "", "", "", "exceedance alarm (from the system) ×7: -5.00 points"},
	})
	if out.OutOfScope != 1 || out.Benchmarks["below"]["tax_per_mu"] != 5.2 {
		t.Fatalf("out of scope %d, benchmarks %v", out.OutOfScope, out.Benchmarks)
	}
}
