package economy

import (
	"math"
	"testing"
)

// FuzzParseMethod: no YAML makes ParseMethod panic, and a method it
// accepts scores every enterprise with a finite number and a class.
func FuzzParseMethod(f *testing.F) {
	for _, p := range Presets() {
		data, _ := presets.ReadFile("presets/" + p + ".yaml")
		f.Add(data)
	}
	f.Add([]byte("name: x\ngroups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: county_median × 0.5}]}}\nbands: {by: score, classes: [{class: A, from: 0}]}"))
	ins := []Input{
		in("A", "above", "3443", Annual{LandMu: 10, Tax: 5, ValueAdded: 50, EnergyTce: 2, Employees: 3, Revenue: 9, RD: 1, Kwh: 1e5, EmissionsT: 1}),
		in("B", "below", "3443", Annual{Tax: -3}),
		in("C", "below", "4411", Annual{LandMu: 1e6, Tax: 1e9, Kwh: 1}),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMethod("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, r := range Evaluate(m, ins).Results {
			if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) || r.Class == "" {
				t.Fatalf("%+v", r)
			}
			r.Explained()
		}
	})
}
