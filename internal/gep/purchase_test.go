package gep

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func yunhe() Purchase {
	floor := 95.0
	return Purchase{Name: "云和县生态产品政府采购", Buyer: "云和县人民政府", SellerZone: "331125203", SellerName: "雾溪乡",
		Services: []string{"water_conservation", "climate_regulation", "soil_retention", "flood_regulation"}, Share: 0.002, BaseYear: 2018,
		Basis:      []BasisValue{{"water_conservation", 6e8, "run 1"}, {"climate_regulation", 5e8, "run 1"}, {"soil_retention", 1e8, "run 1"}, {"flood_regulation", 2e8, "run 1"}},
		Schedule:   []Instalment{{Year: 2019, Fraction: 0.7}, {Year: 2020, Fraction: 0.3, ConditionYear: 2019}},
		Indicators: []QualityIndicator{{Code: "water_quality_rate", Name: "出境断面水质达标率", Unit: "%", Min: &floor}},
	}
}

// Yunhe's schedule (reference governance.md §5): 0.2 % of the 2018 GEP of
// four services, 70 % in the first year, 30 % in the second if the
// ecology holds.
func TestPayments(t *testing.T) {
	for _, c := range []struct {
		name     string
		observed []Observation
		status   string
	}{
		{"not observed yet", nil, Pending},
		{"holds", []Observation{{Indicator: "water_quality_rate", Year: 2019, Value: 100, Source: "公报"}}, Payable},
		{"fails", []Observation{{Indicator: "water_quality_rate", Year: 2019, Value: 90, Source: "公报"}}, Withheld},
		{"another year's holds", []Observation{{Indicator: "water_quality_rate", Year: 2020, Value: 100, Source: "公报"}}, Pending},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := yunhe()
			p.Observations = c.observed
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			plan, err := Payments(p, p.BasisValues())
			if err != nil {
				t.Fatal(err)
			}
			if plan.GEP != 14e8 || math.Abs(plan.Price-2.8e6) > 1e-6 || len(plan.Payments) != 2 {
				t.Fatalf("plan %+v", plan)
			}
			first, second := plan.Payments[0], plan.Payments[1]
			if first.Status != Due || math.Abs(first.Amount-1.96e6) > 1e-6 || second.Status != c.status || math.Abs(second.Amount-0.84e6) > 1e-6 {
				t.Errorf("payments %+v %+v, want due 1.96e6 and %s 0.84e6", first, second, c.status)
			}
			if math.Abs(plan.Paid+plan.Withheld+plan.Pending-plan.Price) > 1e-6 {
				t.Errorf("paid %v + withheld %v + pending %v ≠ price %v", plan.Paid, plan.Withheld, plan.Pending, plan.Price)
			}
		})
	}
	// Priced on an account run's values instead of the basis.
	p := yunhe()
	runs := ValueTable{2018: {"331125203": {"water_conservation": 1e9, "climate_regulation": 1e9, "soil_retention": 0, "flood_regulation": 0}}}
	if plan, err := Payments(p, runs); err != nil || plan.Price != 4e6 {
		t.Errorf("priced on a run: %+v %v", plan, err)
	}
	delete(runs[2018]["331125203"], "flood_regulation")
	if _, err := Payments(p, runs); err == nil || !strings.Contains(err.Error(), "flood_regulation") {
		t.Errorf("a service without an account: %v", err)
	}
}

func TestPurchaseCheck(t *testing.T) {
	for _, c := range []struct {
		field  string
		change func(p *Purchase)
	}{
		{"name", func(p *Purchase) { p.Name = "" }},
		{"seller_zone", func(p *Purchase) { p.SellerZone = "云和" }},
		{"share", func(p *Purchase) { p.Share = 0.2e1 }},
		{"share", func(p *Purchase) { p.Share = math.NaN() }},
		{"services[1]", func(p *Purchase) { p.Services[1] = p.Services[0] }},
		{"basis[0]", func(p *Purchase) { p.Basis[0].Source = "" }},
		{"basis[1]", func(p *Purchase) { p.Basis[1].Value = math.Inf(1) }},
		{"basis[2]", func(p *Purchase) { p.Basis[2].Service = "tourism" }},
		{"schedule", func(p *Purchase) { p.Schedule[1].Fraction = 0.4 }},
		{"schedule[1]", func(p *Purchase) { p.Schedule[1].ConditionYear = 2021 }},
		{"schedule[0]", func(p *Purchase) { p.Schedule[0].Year = 2017 }},
		{"indicators", func(p *Purchase) { p.Indicators = nil }},
		{"indicators[0]", func(p *Purchase) { p.Indicators[0].Min = nil }},
		{"observations[0]", func(p *Purchase) {
			p.Observations = []Observation{{Indicator: "forest_cover", Year: 2019, Value: 80, Source: "x"}}
		}},
		{"observations[0]", func(p *Purchase) {
			p.Observations = []Observation{{Indicator: "water_quality_rate", Year: 2019, Value: 100}}
		}},
		{"observations[1]", func(p *Purchase) {
			o := Observation{Indicator: "water_quality_rate", Year: 2019, Value: 100, Source: "公报"}
			p.Observations = []Observation{o, o}
		}},
	} {
		p := yunhe()
		c.change(&p)
		err := p.Check()
		if err == nil || !strings.Contains(err.Error(), "purchase: "+c.field+":") {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	p := yunhe()
	if err := p.Check(); err != nil || p.County != "331125" {
		t.Errorf("Yunhe's purchase: %v, county %q", err, p.County)
	}
}

// FuzzPurchase holds any purchase a client can send to Check's word: no
// panic, and a checked purchase prices to finite payments.
func FuzzPurchase(f *testing.F) {
	b, _ := json.Marshal(yunhe())
	f.Add(b)
	f.Add([]byte(`{"share": 1e308, "schedule": [{"year": 2019, "fraction": 1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Purchase
		if json.Unmarshal(data, &p) != nil || p.Check() != nil {
			return
		}
		plan, err := Payments(p, p.BasisValues())
		if err != nil {
			return
		}
		for _, v := range []float64{plan.GEP, plan.Price, plan.Paid, plan.Withheld, plan.Pending} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s prices to %+v", data, plan)
			}
		}
	})
}
