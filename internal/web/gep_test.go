package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/gep/geptest"
	"ecoindustry/internal/notify"
)

// TestGEPPages: an account run of geptest's fixture (one county, 莲都区)
// and a purchase priced on it: the runs' page with the account table,
// the chart by service and the map, the run's page with its lines,
// provenance and XLSX link, the value raster as a PNG, the purchases
// and a purchase's payments, in both languages; roles as decision 0030.
func TestGEPPages(t *testing.T) {
	e := sharedEnv(t)
	ctx, sys := context.Background(), auth.Server("test")
	data := t.TempDir()
	config := geptest.Fixture(t, data)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runs := gep.NewService(e.db, data, log)
	run, done, err := runs.Start(ctx, sys, []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	<-done
	ps := gep.NewPurchaseService(e.db)
	p, err := ps.Create(ctx, sys, gep.Purchase{Name: "测试采购", Buyer: "莲都区人民政府", SellerZone: "331102", SellerName: "莲都区",
		Services: []string{"water_conservation", "climate_regulation"}, Share: 0.002, BaseYear: 2010,
		Schedule:     []gep.Instalment{{Year: 2011, Fraction: 0.7}, {Year: 2012, Fraction: 0.3, ConditionYear: 2011}},
		Indicators:   []gep.QualityIndicator{{Code: "forest_cover", Name: "森林覆盖率", Unit: "%", Min: ptr(80.0)}},
		Observations: []gep.Observation{{Indicator: "forest_cover", Year: 2011, Value: 79, Source: "测试"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The scenario the demo stores, in the format gep scenario writes.
	sc, _ := json.Marshal(gep.ScenarioResult{Changed: 3, Zones: []gep.ZoneChange{{Zone: 331102, Service: "carbon_storage", Unit: "Mg C", Base: 100, Scenario: 110, Change: 10}}})
	os.MkdirAll(filepath.Join(data, ScenarioDir), 0o755)
	if err := os.WriteFile(filepath.Join(data, ScenarioDir, "scenario.json"), sc, 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(e.srv.reg, e.srv.mon, e.comp, e.srv.econ, e.srv.rules, nil, e.srv.users, log, WithWatchLists(notify.NewService(e.db, e.db)), WithGEP(runs, ps, data))
	h := s.Handler()
	as := func(pr auth.Principal, l, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: l})
		if pr.Kind != "" {
			req = req.WithContext(auth.WithPrincipal(req.Context(), pr))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	v, err := runs.Run(ctx, sys, run.ID)
	if err != nil || v.Account == nil {
		t.Fatalf("run %+v %v", v, err)
	}
	county := v.Account.Zones[1]
	four := 0.0
	for _, r := range county.Rows {
		if r.Service == "water_conservation" || r.Service == "climate_regulation" {
			four += r.Value
		}
	}
	officer := auth.Principal{Kind: auth.User, Name: "county", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}}
	id, pid := fmt.Sprint(run.ID), fmt.Sprint(p.ID)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/gep", []string{`id="gep-summary"`, `id="gep-total"`, yi(v.Account.Zones[0].GEP), `id="county-331102"`, `id="gep-by-service-data"`,
			`"map":true`, `id="run-` + id + `"`, `id="gep-scenario"`, `/api/v1/gep/runs/` + id + `/account.xlsx`}},
		{"/gep/runs/" + id, []string{`id="gep-lines"`, `id="gep-provenance"`, `id="gep-inputs"`, v.Account.Provenance.Inputs[0].SHA256,
			`cooling_days`, `id="gep-xlsx"`, `src="/gep/runs/` + id + `/maps/climate_regulation"`, `Garz`}},
		{"/gep/runs/" + id + "?zone=331102&service=water_conservation", []string{`<option value="331102" selected>`, `/maps/water_conservation"`, wan(county.GEP)}},
		{"/gep/purchases", []string{`id="purchase-` + pid + `"`, wan(0.002 * four), `GEP run ` + id}},
		{"/gep/purchases/" + pid, []string{`id="purchase-payments"`, `id="purchase-price"`, wan(0.002 * four), `payment-due`, `payment-withheld`, wan(0.7 * 0.002 * four)}},
	} {
		for _, l := range []string{"zh", "en"} {
			rec := as(auth.Principal{Kind: auth.User, Name: "张三", Role: auth.Admin}, l, tc.path)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Errorf("%s %s: status %d %s", l, tc.path, rec.Code, body)
				continue
			}
			for _, w := range append(tc.want, `id="nav-gep"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %s", l, tc.path, w)
				}
			}
			if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
				t.Errorf("%s %s: message missing from the catalogue: %s", l, tc.path, m)
			}
		}
	}
	if body := as(auth.Principal{Kind: auth.User, Name: "x", Role: auth.Admin}, "en", "/gep").Body.String(); !strings.Contains(body, "Climate regulation") {
		t.Error("the GEP page is not in English")
	}

	// The value raster as a PNG, as big as the raster (4×4) here.
	rec := as(officer, "zh", "/gep/runs/"+id+"/maps/water_conservation")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("map: %d %s", rec.Code, rec.Body)
	}
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 4 || img.Bounds().Dy() != 4 {
		t.Errorf("map image %v, %v", img.Bounds(), err)
	}
	for path, want := range map[string]int{"/gep/runs/" + id + "/maps/nothing": 404, "/gep/runs/999999/maps/water_conservation": 404} {
		if rec := as(officer, "zh", path); rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
	}
	if rec := as(auth.Principal{}, "zh", "/gep/runs/"+id+"/maps/water_conservation"); rec.Code != 401 {
		t.Errorf("map without signing in: %d", rec.Code)
	}

	// Roles: a county officer reads the accounts and the county's
	// purchases; a park's manager and an enterprise neither.
	if rec := as(officer, "zh", "/gep"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="gep-total"`) {
		t.Errorf("county officer /gep: %d", rec.Code)
	}
	if rec := as(officer, "zh", "/gep/purchases/"+pid); rec.Code != 200 {
		t.Errorf("county officer purchase: %d", rec.Code)
	}
	other := auth.Principal{Kind: auth.User, Name: "jinyun", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331122"}}
	if rec := as(other, "zh", "/gep/purchases/"+pid); rec.Code != 404 {
		t.Errorf("another county's officer reads the purchase: %d", rec.Code)
	}
	for _, pr := range []auth.Principal{{Kind: auth.User, Name: "park", Role: auth.Park, Scope: auth.Scope{Park: "LS-ETDZ"}},
		{Kind: auth.User, Name: "ent", Role: auth.Enterprise, Scope: auth.Scope{USCC: "91331100MA2A00000X"}}} {
		for _, path := range []string{"/gep", "/gep/runs/" + id, "/gep/purchases", "/gep/runs/" + id + "/maps/water_conservation"} {
			if rec := as(pr, "zh", path); rec.Code != 403 {
				t.Errorf("%s %s: %d, want 403", pr.Role, path, rec.Code)
			}
		}
		if body := as(pr, "zh", "/").Body.String(); strings.Contains(body, `id="nav-gep"`) {
			t.Errorf("%s is offered the GEP pages", pr.Role)
		}
	}
}

func ptr[T any](v T) *T { return &v }
