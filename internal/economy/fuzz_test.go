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
	f.Add([]byte(adjusted))
	ins := []Input{
		in("A", "above", "3443", Annual{LandMu: 10, Tax: 5, ValueAdded: 50, EnergyTce: 2, Employees: 3, Revenue: 9, RD: 1, Kwh: 1e5, EmissionsT: 1}),
		in("B", "below", "3443", Annual{Tax: -3}),
		in("C", "below", "4411", Annual{LandMu: 1e6, Tax: 1e9, Kwh: 1}),
		// Two on a parcel, with items.
		{Annual: Annual{USCC: "D", Year: 2024, LandMu: 5, Tax: 7, Parcel: "P"}, Size: "below", Industry: "3443", Founded: "2024-01-01",
			Counts: map[string]int{"safety_accident": 3, "high_tech": 1}},
		{Annual: Annual{USCC: "E", Year: 2024, LandMu: 5, Tax: 9, Parcel: "P"}, Size: "above", Industry: "3443", Counts: map[string]int{"environmental_violation": 1}},
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

// FuzzParseItems: no text makes ParseItems panic; what it accepts it
// writes back as text it reads again to the same counts.
func FuzzParseItems(f *testing.F) {
	for _, s := range []string{"high_tech", "high_tech;safety_accident*2", "green_factory×3， specialised_sme", "x*", ";;", "high_tech*1001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, en, zh := ParseItems(s)
		if en != "" {
			if zh == "" {
				t.Fatalf("%q: a problem without its Chinese", s)
			}
			return
		}
		again, en, _ := ParseItems(itemsText(got))
		if en != "" || len(again) != len(got) {
			t.Fatalf("%q: %v, then %v %s", s, got, again, en)
		}
		for k, n := range got {
			if again[k] != n {
				t.Fatalf("%q: %v, then %v", s, got, again)
			}
		}
	})
}

// FuzzLoadPolicy: no YAML makes LoadPolicy panic, and a policy it
// accepts gives finite amounts.
func FuzzLoadPolicy(f *testing.F) {
	for _, p := range PolicyPresets() {
		data, _ := policyFiles.ReadFile("policies/" + p + ".yaml")
		f.Add(data)
	}
	rs := []Result{{USCC: "A", Class: "A"}, {USCC: "D", Class: "D"}, {USCC: "C", Class: "C"}}
	figures := map[string]Input{"D": {Annual: Annual{Kwh: 1e6, EnergyTce: 300}}, "C": {Annual: Annual{Kwh: 5e5, EnergyTce: 100}}}
	before := []map[string]string{{"D": "D"}, {"D": "D"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadPolicy("fuzz.yaml", data)
		if err != nil {
			return
		}
		l := p.Apply(rs, figures, before)
		for _, ms := range [][]Measures{l.Tax, l.Electricity, l.Water, l.Energy} {
			for _, m := range ms {
				if math.IsNaN(m.ElectricityYuan) || math.IsInf(m.ElectricityYuan, 0) || math.IsNaN(m.EnergyQuotaTce) {
					t.Fatalf("%+v", m)
				}
			}
		}
	})
}
