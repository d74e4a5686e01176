package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/store/storetest"
)

// A purchase as Yunhe made one, over HTTP: recorded, its second
// instalment pending, then payable once the indicator of the first year
// is entered with its source, withheld where it fails.
func TestPurchaseOverHTTP(t *testing.T) {
	e := newEnv(t)
	p := storetest.Purchase()
	p.Observations = nil
	var created gep.Purchase
	e.must(t, 201, "POST", "/api/v1/gep/purchases", p, &created)
	if created.ID == 0 || created.Version != 1 || created.County != "331125" || created.CreatedBy == "" {
		t.Fatalf("created %+v", created)
	}
	path := "/api/v1/gep/purchases/" + strconv.FormatInt(created.ID, 10)
	var plan gep.PaymentPlan
	e.must(t, 200, "GET", path+"/payments", nil, &plan)
	if plan.Price != 0.002*14e8 || plan.Payments[0].Status != gep.Due || plan.Payments[1].Status != gep.Pending {
		t.Fatalf("plan %+v", plan)
	}
	created.Observations = []gep.Observation{{Indicator: "water_quality_rate", Year: 2019, Value: 100, Source: "云和县2019年环境质量公报"}}
	var updated gep.Purchase
	e.must(t, 200, "PUT", path, created, &updated)
	if updated.Version != 2 || updated.Observations[0].EnteredBy == "" || updated.Observations[0].EnteredAt.IsZero() {
		t.Fatalf("updated %+v", updated)
	}
	e.must(t, 200, "GET", path+"/payments", nil, &plan)
	if plan.Payments[1].Status != gep.Payable || plan.Paid != plan.Price {
		t.Errorf("after the observation: %+v", plan)
	}
	// A stale version is refused; the observation failing withholds.
	status, _, body := e.call(t, "PUT", path, mustJSON(t, created))
	if status != 409 || !strings.Contains(string(body), "修改") {
		t.Errorf("stale PUT: %d %s", status, body)
	}
	updated.Observations[0].Value = 80
	e.must(t, 200, "PUT", path, updated, nil)
	e.must(t, 200, "GET", path+"/payments", nil, &plan)
	if plan.Payments[1].Status != gep.Withheld || plan.Withheld != 0.3*plan.Price {
		t.Errorf("a failed indicator: %+v", plan)
	}
	// Bad input: the field named, in Chinese and English.
	bad := storetest.Purchase()
	bad.Schedule[1].Fraction = 0.5
	status, _, body = e.call(t, "POST", "/api/v1/gep/purchases", mustJSON(t, bad))
	var ae apiError
	if err := json.Unmarshal(body, &ae); status != 400 || err != nil || !strings.Contains(ae.Error.Message, "schedule") || !strings.Contains(ae.Error.MessageZh, "比例之和") {
		t.Errorf("bad schedule: %d %s", status, body)
	}
	// A county officer lists their county's purchases only.
	other := storetest.Purchase()
	other.SellerZone = "331102001"
	e.must(t, 201, "POST", "/api/v1/gep/purchases", other, nil)
	e.token = e.as(t, auth.Account{Name: "yunhe-eco", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331125"}})[1]
	var l struct{ Items []gep.Purchase }
	e.must(t, 200, "GET", "/api/v1/gep/purchases", nil, &l)
	if len(l.Items) != 1 || l.Items[0].County != "331125" {
		t.Errorf("a Yunhe officer lists %+v", l.Items)
	}
	e.must(t, 200, "DELETE", path, nil, nil)
	e.must(t, 404, "GET", path, nil, nil)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
