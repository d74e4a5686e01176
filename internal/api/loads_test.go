package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store/storetest"
)

// TestLoadsComplianceAndDownloads: the loads and the grid as JSON, and the
// downloads of alarms, exceedances, loads and grids, each saying as of
// when in its first row and its name, a cell that would run as a formula
// quoted (decision 0011).
func TestLoadsComplianceAndDownloads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := time.Now().Year()
	permit := registry.PermitLimit{PermitNo: "QP1", USCC: storetest.Ent.USCC, Class: "key", ValidFrom: "2020-01-01", ValidTo: "2099-12-31",
		OutletCode: "DA001", PollutantCode: "a21026", AnnualQuantityT: 2}
	err := e.store.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent), tx.PutOutlet(ctx, storetest.Outlet), tx.PutPermit(ctx, permit))
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Hour)
	a := rules.Alarm{Kind: rules.Exceedance, State: rules.Open, USCC: storetest.Ent.USCC, Outlet: "DA001", Pollutant: "a21026", StartedAt: start,
		EndedAt: start.Add(time.Hour), Limit: 50, LimitSource: "=HYPERLINK(\"http://x\")", Peak: 200, Multiple: 4, Periods: 1, Evidence: []byte("{}")}
	if err := e.store.RaiseAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}

	var ls rules.Loads
	e.must(t, 200, "GET", "/api/v1/outlets/"+storetest.Ent.USCC+"/DA001/loads", nil, &ls)
	if ls.Year != year || len(ls.Pollutants) != 1 || ls.Pollutants[0].PermitNo != "QP1" || ls.Pollutants[0].UsedShare == nil || *ls.Pollutants[0].UsedShare != 0 {
		t.Fatalf("loads %+v", ls)
	}
	e.must(t, 400, "GET", "/api/v1/outlets/"+storetest.Ent.USCC+"/DA001/loads?year=1999", nil, nil)
	e.must(t, 404, "GET", "/api/v1/outlets/"+storetest.Ent.USCC+"/DA404/loads", nil, nil)
	var g rules.Grid
	e.must(t, 200, "GET", "/api/v1/enterprises/"+storetest.Ent.USCC+"/compliance", nil, &g)
	if len(g.Quarters) != 13 || g.Quarters[12].Status != rules.StatusExceedance || !g.Quarters[12].SNC || !g.SNC || !strings.Contains(g.SNCRule, "3 times") {
		t.Fatalf("grid %+v", g)
	}
	var p rules.GridPage
	e.must(t, 200, "GET", "/api/v1/compliance?county="+storetest.Ent.County, nil, &p)
	if p.Total != 1 || len(p.Items) != 1 || p.Items[0].USCC != storetest.Ent.USCC {
		t.Fatalf("county grids %+v", p)
	}

	for _, tc := range []struct{ path, name, cell string }{
		{"/api/v1/alarms/export?format=csv", "alarms-asof-", `'=HYPERLINK`},
		{"/api/v1/alarms/export?kind=exceedance", "exceedance-asof-", "a21026"},
		{"/api/v1/outlets/" + storetest.Ent.USCC + "/DA001/loads/export", "loads-" + storetest.Ent.USCC + "-DA001-", "QP1"},
		{"/api/v1/compliance/export?uscc=" + storetest.Ent.USCC, "compliance-" + storetest.Ent.USCC + "-asof-", "exceedance (exceedance 1) SNC"},
	} {
		status, h, body := e.call(t, "GET", tc.path, "")
		if status != 200 || !strings.Contains(h.Get("Content-Disposition"), tc.name) || !strings.Contains(h.Get("Content-Disposition"), ".csv") {
			t.Fatalf("%s: %d %s", tc.path, status, h.Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) < 3 || rows[0][0] != "截至 / as of" || !strings.HasSuffix(rows[0][1], "(UTC+8)") || !strings.Contains(string(body), tc.cell) {
			t.Fatalf("%s: %v\n%s", tc.path, err, body)
		}
	}
	status, h, body := e.call(t, "GET", "/api/v1/compliance/export?format=xlsx&county="+storetest.Ent.County, "")
	if status != 200 || !strings.HasSuffix(strings.Trim(h.Get("Content-Disposition"), `"`), ".xlsx") {
		t.Fatalf("xlsx: %d %s", status, h.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 3 || rows[0][0] != "截至 / as of" || rows[2][0] != storetest.Ent.USCC {
		t.Fatalf("xlsx rows %v, %v", rows, err)
	}
}
