package api

import (
	"encoding/json"
	"strings"
	"testing"

	"ecoindustry/internal/economy"
)

// TestEvaluationsAPI: a method given as YAML is checked, the annual data
// (enterprise A is 规上: 40 points of tax per mu, nothing else given)
// imported, a run made and its results read by enterprise, explained.
func TestEvaluationsAPI(t *testing.T) {
	f := newFixture(t, stores["sqlite"](t))
	admin := roles[0]
	bad := `{"county": "331102", "year": 2024, "method": "name: x\ngroups: {below: {indicators: [{id: tax_per_mu, weight: 90, benchmark: 10}]}}\nbands: {by: score, classes: [{class: A, from: 0}]}"}`
	code, body := f.call(admin, "POST", "/api/v1/evaluations", bad)
	if code != 400 || !strings.Contains(string(body), "groups.below：规下组权重合计为 90，应为 100") {
		t.Fatalf("bad method: %d %s", code, body)
	}
	if code, body := f.call(admin, "POST", "/api/v1/evaluations", `{"county": "331102", "year": 2024}`); code != 400 {
		t.Fatalf("no method: %d %s", code, body)
	}
	if code, body := f.call(roles[2], "POST", "/api/v1/import/annual?format=csv", "uscc,year,tax,land_mu,electricity_kwh\n"+entA+",2024,30,10,100000\n"); code != 200 {
		t.Fatalf("import: %d %s", code, body)
	}
	code, body = f.call(roles[2], "POST", "/api/v1/evaluations", `{"county": "331102", "year": 2024, "preset": "yueqing-2016"}`)
	var run economy.Run
	if code != 201 || json.Unmarshal(body, &run) != nil || run.Evaluated != 1 || run.Classes["A"] != 1 || run.Actor != "user:city-econ" {
		t.Fatalf("evaluate: %d %s", code, body)
	}
	code, body = f.call(roles[4], "GET", "/api/v1/evaluations/"+itoa(run.ID)+"/results?uscc="+entA, "")
	var res evaluationBody
	if code != 200 || json.Unmarshal(body, &res) != nil || len(res.Results) != 1 || res.Results[0].Score != 40 ||
		!strings.Contains(res.Results[0].Explain, "规上组得分 40.00，第 1/1 名，A 类。拉低得分的指标：亩均增加值 0万元/亩") {
		t.Fatalf("results: %d %s", code, body)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
