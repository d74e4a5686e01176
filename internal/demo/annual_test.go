package demo

import (
	"math"
	"strconv"
	"testing"

	"ecoindustry/internal/economy"
)

// demoInputs are the evaluation's inputs of year y of a generated
// dataset, by county: what store.Inputs reads once it is loaded (land
// from the registry, as the annual table leaves it empty).
func demoInputs(t *testing.T, d *Dataset, y int) map[string][]economy.Input {
	t.Helper()
	ents, _ := d.Table("enterprises")
	an, _ := d.Table("annual")
	type reg struct{ name, county, code, size, status, land string }
	byUSCC := map[string]reg{}
	for _, r := range ents.Rows {
		byUSCC[r[0]] = reg{r[1], r[2], r[3], r[4], r[5], r[10]}
	}
	num := func(s string) float64 {
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			t.Fatalf("figure %q", s)
		}
		return f
	}
	out := map[string][]economy.Input{}
	for _, r := range an.Rows {
		e := byUSCC[r[0]]
		if r[1] != strconv.Itoa(y) || e.status == "closed" || e.status == "relocated" {
			continue
		}
		emp, _ := strconv.Atoi(r[9])
		out[e.county] = append(out[e.county], economy.Input{Name: e.name, Industry: e.code, Size: e.size,
			Annual: economy.Annual{USCC: r[0], Year: y, Tax: num(r[2]), ValueAdded: num(r[3]), Revenue: num(r[4]), EnergyTce: num(r[5]),
				Kwh: num(r[6]), EmissionsT: num(r[7]), RD: num(r[8]), Employees: emp, LandMu: num(e.land), Source: r[11]}})
	}
	return out
}

// TestAnnualConsistent: the annual figures agree with the registry: a
// known enterprise, no year before its founding, 规上 revenue at least
// 2,000 万元 and 规下 below, positive land, figures finite and not negative.
func TestAnnualConsistent(t *testing.T) {
	d := Generate(1, 3000)
	ents, _ := d.Table("enterprises")
	an, ok := d.Table("annual")
	if !ok || len(an.Rows) < 3000*3 {
		t.Fatalf("annual table: %v, %d rows", ok, len(an.Rows))
	}
	founded, size := map[string]string{}, map[string]string{}
	for _, r := range ents.Rows {
		founded[r[0]], size[r[0]] = r[12], r[4]
	}
	years := map[string]int{}
	for i, r := range an.Rows {
		f, ok := founded[r[0]]
		if !ok {
			t.Fatalf("row %d: %s not in the registry", i, r[0])
		}
		if f[:4] > r[1] {
			t.Errorf("row %d: %s founded %s has figures for %s", i, r[0], f, r[1])
		}
		rev, _ := strconv.ParseFloat(r[4], 64)
		if size[r[0]] == "above" && rev < 2000 || size[r[0]] == "below" && rev >= 2000 {
			t.Errorf("row %d: %s %s revenue %s 万元", i, r[0], size[r[0]], r[4])
		}
		for j := 2; j <= 9; j++ {
			if v, err := strconv.ParseFloat(r[j], 64); r[j] != "" && (err != nil || v < 0 || math.IsInf(v, 0)) {
				t.Errorf("row %d column %s: %q", i, an.Header[j], r[j])
			}
		}
		years[r[1]]++
	}
	t.Logf("rows per year: %v", years)
	for y := FirstYear; y <= LastYear; y++ {
		if years[strconv.Itoa(y)] == 0 {
			t.Errorf("no figures for %d", y)
		}
	}
}

// TestClassDistribution: evaluated with the presets whose bands are the
// published Tiantai shares (governance.md §1.4: A 10.7 %, B 35.2 %,
// C 46.1 %, D 8.0 %), the demo's latest year classes the city's
// enterprises in about those shares; yueqing-2016 by its own bands
// (25/45/25/5).
func TestClassDistribution(t *testing.T) {
	ins := demoInputs(t, Generate(1, 3000), LastYear)
	for _, c := range []struct {
		preset     string
		a, b, c, d float64
	}{{"lishui-default", 10.7, 35.2, 46.1, 8.0}, {"huangyan-2022", 10.7, 35.2, 46.1, 8.0}, {"yueqing-2016", 25, 45, 25, 5}} {
		m, _, err := economy.Preset(c.preset)
		if err != nil {
			t.Fatal(err)
		}
		m.Year = 0
		n, classes := 0, map[string]int{}
		for _, county := range ins {
			for _, r := range economy.Evaluate(m, county).Results {
				classes[r.Class]++
				n++
			}
		}
		if n < 1500 {
			t.Fatalf("%s: %d evaluated", c.preset, n)
		}
		for class, want := range map[string]float64{"A": c.a, "B": c.b, "C": c.c, "D": c.d} {
			got := float64(classes[class]) / float64(n) * 100
			if math.Abs(got-want) > 2.5 {
				t.Errorf("%s: class %s %.1f %%, want about %.1f %%", c.preset, class, got, want)
			}
		}
		t.Logf("%s: %d evaluated, %v", c.preset, n, classes)
	}
}
