package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"ecoindustry/internal/gep"
)

// TestPurchasePricedOnRuns, on both stores: a purchase without a basis is
// priced on the stored account run (decision 0033), for every role that
// reads the purchase, an inspector too, who reads no runs; with a basis
// it is priced on the basis.
func TestPurchasePricedOnRuns(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			eco := roles[1]
			code, body := f.call(eco, "GET", "/api/v1/gep/runs/1", "")
			var run gep.RunView
			if code != 200 || json.Unmarshal(body, &run) != nil || run.Account == nil {
				t.Fatalf("run 1: %d %s", code, body)
			}
			water := 0.0
			for _, r := range run.Account.Zones[1].Rows {
				if r.Service == "water_conservation" {
					water += r.Value
				}
			}
			p := `{"name": "莲都区水源涵养采购", "buyer": "莲都区人民政府", "seller_zone": "331102", "seller_name": "莲都区",
				"services": ["water_conservation"], "share": 0.002, "base_year": 2010,
				"schedule": [{"year": 2011, "fraction": 0.7}, {"year": 2012, "fraction": 0.3, "condition_year": 2011}],
				"indicators": [{"code": "forest_cover", "name": "森林覆盖率", "unit": "%%", "min": 80}]%s}`
			var created gep.Purchase
			code, body = f.call(eco, "POST", "/api/v1/gep/purchases", fmt.Sprintf(p, ""))
			if code != 201 || json.Unmarshal(body, &created) != nil {
				t.Fatalf("create: %d %s", code, body)
			}
			var plan gep.PaymentPlan
			for _, who := range []int{1, 4, 6} {
				code, body = f.call(roles[who], "GET", fmt.Sprintf("/api/v1/gep/purchases/%d/payments", created.ID), "")
				if code != 200 || json.Unmarshal(body, &plan) != nil {
					t.Fatalf("%s payments: %d %s", roles[who].Name, code, body)
				}
				if water == 0 || math.Abs(plan.Price-0.002*water) > 1e-9*water || !strings.HasPrefix(plan.PricedOn, "GEP run 1") {
					t.Errorf("%s: price %v on %q, want 0.2 %% of %v from run 1", roles[who].Name, plan.Price, plan.PricedOn, water)
				}
			}
			code, body = f.call(eco, "POST", "/api/v1/gep/purchases", fmt.Sprintf(p, `, "basis": [{"service": "water_conservation", "value_yuan": 1e8, "source": "协议"}]`))
			if code != 201 || json.Unmarshal(body, &created) != nil {
				t.Fatalf("create with basis: %d %s", code, body)
			}
			code, body = f.call(eco, "GET", fmt.Sprintf("/api/v1/gep/purchases/%d/payments", created.ID), "")
			if code != 200 || json.Unmarshal(body, &plan) != nil || plan.Price != 0.002*1e8 || plan.PricedOn != "basis" {
				t.Errorf("with a basis: %d %s", code, body)
			}
			// A base year no run accounts: a clear error naming it.
			code, body = f.call(eco, "POST", "/api/v1/gep/purchases", strings.Replace(fmt.Sprintf(p, ""), `"base_year": 2010`, `"base_year": 2009`, 1))
			if code != 201 || json.Unmarshal(body, &created) != nil {
				t.Fatalf("create 2009: %d %s", code, body)
			}
			code, body = f.call(eco, "GET", fmt.Sprintf("/api/v1/gep/purchases/%d/payments", created.ID), "")
			if code != 400 || !strings.Contains(string(body), "2009") {
				t.Errorf("no account of 2009: %d %s", code, body)
			}
		})
	}
}
