package economy

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func preset(t testing.TB, name string) *Method {
	t.Helper()
	m, _, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func in(uscc, size, industry string, a Annual) Input {
	a.USCC = uscc
	return Input{Annual: a, Name: uscc, Size: size, Industry: industry}
}

// want is an enterprise's expected score (hand-computed: the sums are in
// the comments), rank and class.
type want struct {
	score       float64
	rank        int
	class       string
	capped      string // an indicator expected capped
	floored     string // an indicator expected floored
	missing     string // an indicator expected missing
	explainPart string
}

func check(t *testing.T, out Outcome, wants map[string]want) {
	t.Helper()
	if len(out.Results) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(out.Results), len(wants), out.Results)
	}
	for _, r := range out.Results {
		r = r.Explained()
		w, ok := wants[r.USCC]
		if !ok {
			t.Errorf("unexpected result %s", r.USCC)
			continue
		}
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) || math.Abs(r.Score-w.score) > 1e-9 || r.Rank != w.rank || r.Class != w.class {
			t.Errorf("%s: score %.12g rank %d class %s; want %.12g %d %s", r.USCC, r.Score, r.Rank, r.Class, w.score, w.rank, w.class)
		}
		for _, p := range r.Points {
			if math.IsNaN(p.Points) || math.IsInf(p.Points, 0) {
				t.Errorf("%s %s: %v points", r.USCC, p.ID, p.Points)
			}
			if p.Capped != slices.Contains(strings.Fields(w.capped), p.ID) || p.Floored != (p.ID == w.floored) || p.Missing != (p.ID == w.missing || w.missing == "land" && strings.HasSuffix(p.ID, "_mu")) {
				t.Errorf("%s %s: capped %v floored %v missing %v", r.USCC, p.ID, p.Capped, p.Floored, p.Missing)
			}
		}
		if !strings.Contains(r.Explain+" | "+r.ExplainEn, w.explainPart) {
			t.Errorf("%s: explanation %q / %q lacks %q", r.USCC, r.Explain, r.ExplainEn, w.explainPart)
		}
	}
}

// TestHuangyan2022 is the preset with Huangyan's published weights and
// benchmarks: a missing emissions value scoring the group's mean, a zero
// land area scoring 0 on the per-mu indicators, no cap.
func TestHuangyan2022(t *testing.T) {
	out := Evaluate(preset(t, "huangyan-2022"), []Input{
		// 30×4.8194/24.097 + 20×200/136.16 + 20×4/2.694 + 10×4000/4929.81 + 10×20/18.14 + 10×0.03/0.0302
		in("A1", "above", "3443", Annual{LandMu: 10, Tax: 48.194, ValueAdded: 2000, EnergyTce: 500, EmissionsT: 0.5, Employees: 100, RD: 30, Revenue: 1000}),
		// 30×48.2/24.097 (60.007: no cap) + 20×50/136.16 + 20×1/2.694 + mean(A1's 8.11396, A3's 2.02848) + 10×20/18.14 + 0
		in("A2", "above", "3443", Annual{LandMu: 20, Tax: 964, ValueAdded: 1000, EnergyTce: 1000, Employees: 50, Revenue: 500}),
		// no land: 0 + 0 + 20×2/2.694 + 10×1000/4929.81 + 10×10/18.14 + 10×0.01/0.0302
		in("A3", "above", "3443", Annual{Tax: 10, ValueAdded: 100, EnergyTce: 50, EmissionsT: 0.1, Employees: 10, RD: 1, Revenue: 100}),
		// 50 + 50×(1,159,320 元 / 4,929,000 kWh)/0.2352
		in("B1", "below", "2925", Annual{LandMu: 10, Tax: 115.932, Kwh: 4929000}),
		in("X1", "", "2925", Annual{LandMu: 10, Tax: 1}), // no size: out of scope
	})
	check(t, out, map[string]want{
		"A1": {94.14585931478605, 1, "A", "", "", "", "亩均税收 4.819万元/亩，为基准 24.1 的 20%，得 6.00 分，比权重 30 少 24.00 分"},
		"A2": {90.87222328642551, 2, "B", "", "", "va_per_emission", "R&D经费占主营业务收入比 0，为基准 0.0302 的 0%，得 0.00 分"},
		"A3": {25.700223130723963, 3, "C", "", "", "land", "tax per mu has no value"},
		"B1": {100.00082808534248, 1, "A", "", "", "", "各项指标均达到基准"},
	})
	if out.OutOfScope != 1 || out.Benchmarks["below"]["tax_per_kwh"] != 0.2352 {
		t.Errorf("out of scope %d, benchmarks %v", out.OutOfScope, out.Benchmarks)
	}
}

// TestYueqing2016: the county's mean as benchmark, the 1.5 × cap, the
// floor 0 for a negative tax, utilities excluded.
func TestYueqing2016(t *testing.T) {
	out := Evaluate(preset(t, "yueqing-2016"), []Input{
		in("Y1", "below", "3443", Annual{LandMu: 10, Tax: 100}), // 10/mu against 105/25 = 4.2: 238 → cap 150
		in("Y2", "below", "3443", Annual{LandMu: 10, Tax: 10}),  // 100 × 1/4.2
		in("Y3", "below", "3443", Annual{LandMu: 5, Tax: -5}),   // negative: floor 0
		in("U1", "below", "4411", Annual{LandMu: 5, Tax: 500}),  // power: excluded
	})
	check(t, out, map[string]want{
		"Y1": {150, 1, "A", "tax_per_mu", "", "", "Score 150.00 in below, rank 1 of 3, class A"},
		"Y2": {23.80952380952381, 2, "B", "", "", "", "为基准 4.2 的 24%"},
		"Y3": {0, 3, "B", "", "tax_per_mu", "", "少 100.00 分"},
	})
	if out.OutOfScope != 1 || out.Benchmarks["below"]["tax_per_mu"] != 4.2 {
		t.Errorf("out of scope %d, benchmarks %v", out.OutOfScope, out.Benchmarks)
	}
}

// TestLishuiDefault: the cap 2 ×, 规下 below 3 mu out of scope, the
// county's mean of tax per kWh in yuan.
func TestLishuiDefault(t *testing.T) {
	out := Evaluate(preset(t, "lishui-default"), []Input{
		// means: tax/mu (40+2)/(4+6) = 4.2; 元/kWh 1e4×42/420000 = 1
		in("L1", "below", "3443", Annual{LandMu: 4, Tax: 40, Kwh: 100000}), // 60×10/4.2 → cap 120; 40×4/1 → cap 80
		in("L2", "below", "3443", Annual{LandMu: 6, Tax: 2, Kwh: 320000}),  // 60×(1/3)/4.2 + 40×0.0625/1
		in("L3", "below", "3443", Annual{LandMu: 2.5, Tax: 90, Kwh: 10}),   // under 3 mu: out of scope
	})
	l2 := 60*(2.0/6)/4.2 + 40*(1e4*2/320000)/1
	check(t, out, map[string]want{
		"L1": {200, 1, "A", "tax_per_mu tax_per_kwh", "", "", "Every indicator reached its benchmark"},
		"L2": {l2, 2, "C", "", "", "", "亩均税收"},
	})
	if out.OutOfScope != 1 {
		t.Errorf("out of scope %d", out.OutOfScope)
	}
}

func TestPresetsCheck(t *testing.T) {
	if got := strings.Join(Presets(), " "); got != "huangyan-2021 huangyan-2022 lishui-default yueqing-2016" {
		t.Fatalf("presets %q", got)
	}
	for _, name := range Presets() {
		preset(t, name)
	}
}

// TestMethodRefused: bad weights, bands with a gap and an overlap, an
// unknown indicator, each with its place and reason.
func TestMethodRefused(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"weights", `name: x
groups:
  above:
    indicators:
      - {id: tax_per_mu, weight: 60, benchmark: 10}
      - {id: va_per_mu, weight: 30, benchmark: county_median × 2}
bands: {by: score, classes: [{class: A, from: 0}]}`, "m.yaml: 第5行 line 5, groups.above: 规上组权重合计为 90，应为 100 / the weights of above (规上) sum to 90, not 100"},
		{"unknown indicator", `name: x
groups:
  below:
    indicators:
      - {id: tax_per_acre, weight: 100, benchmark: 10}
bands: {by: score, classes: [{class: A, from: 0}]}`, "m.yaml: 第5行 line 5, groups.below.indicators[0]: 未知指标 \"tax_per_acre\""},
		{"gap", `name: x
groups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 10}]}}
bands:
  by: percentile
  classes:
    - {class: A, from: 0, to: 20}
    - {class: B, from: 30, to: 100}`, "m.yaml: 第7行 line 7, bands.classes (B): 起点 30 与前一等级（止于 20）之间有空档 / from 30 leaves a gap after 20"},
		{"overlap", `name: x
groups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 10}]}}
bands:
  by: percentile
  classes:
    - {class: A, from: 0, to: 20}
    - {class: B, from: 10, to: 90}`, "起点 10 与前一等级重叠（前一等级止于 20）"},
		{"short", `name: x
groups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: 10}]}}
bands: {by: percentile, classes: [{class: A, from: 0, to: 90}]}`, "各等级止于 90，未覆盖至 100"},
		{"benchmark", `name: x
groups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: county_max}]}}
bands: {by: score, classes: [{class: A, from: 0}]}`, `benchmark "county_max": want a number, or county_mean × k`},
		{"unknown key", `name: x
weights: 3`, "field weights not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMethod("m.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
