package web

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// TestEvaluationPages: a run of the demo's enterprises of one county on
// notice, with an objection: the runs with the class charts by county,
// the run's ranking, objection and log, an enterprise's years, in both
// languages.
func TestEvaluationPages(t *testing.T) {
	e := sharedEnv(t)
	ctx, sys := context.Background(), auth.Command("test")
	es, _, err := e.srv.reg.Store().Enterprises(ctx, registry.EnterpriseFilter{County: "331102", Status: "operating", Limit: 12})
	if err != nil || len(es) < 4 {
		t.Fatalf("enterprises %d %v", len(es), err)
	}
	tab := &sheet.Table{File: "a.csv", Header: []string{"uscc", "year", "tax", "value_added", "energy_tce", "electricity_kwh", "employees", "revenue", "rd", "land_mu"}}
	for i, x := range es {
		tab.Rows = append(tab.Rows, sheet.Row{Num: i + 2, Cells: []string{x.USCC, "2024", strconv.Itoa(10 + 7*i), strconv.Itoa(100 + 13*i),
			strconv.Itoa(20 + i), strconv.Itoa(100000 + 5000*i), strconv.Itoa(10 + i), strconv.Itoa(500 + 10*i), strconv.Itoa(i), "10"}})
	}
	if _, err := e.srv.reg.Import(ctx, economy.AnnualKind, tab, sys, false); err != nil {
		t.Fatal(err)
	}
	m, text, err := economy.Preset("lishui-default")
	if err != nil {
		t.Fatal(err)
	}
	run, _, err := e.srv.econ.Evaluate(ctx, sys, "331102", 2024, m, string(text))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(cst.Zone)
	if _, err := e.srv.econ.Notice(ctx, sys, run.ID, today.Format(time.DateOnly), today.AddDate(0, 0, 6).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.econ.Object(ctx, sys, run.ID, es[0].USCC, "用地面积有误", nil); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(run.ID, 10)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/evaluations", []string{`id="eval-filters"`, `id="eval-by-county-data"`, `"map":true`, `id="run-` + id + `"`}},
		{"/evaluations/" + id, []string{`id="run-state"`, `id="notice-period"`, `id="eval-results"`, `id="result-` + es[0].USCC + `"`,
			`id="eval-objections"`, `用地面积有误`, `id="eval-log"`, `/api/v1/evaluations/` + id + `/policies?policy=zhejiang-2019&amp;format=xlsx`}},
		{"/evaluations/" + id + "?class=A", []string{`id="eval-results"`}},
		{"/enterprises/" + es[0].USCC + "/evaluations", []string{`id="eval-trend-data"`, `id="year-2024"`}},
	} {
		for _, l := range []string{"zh", "en"} {
			status, body := e.get(t, l, tc.path)
			if status != 200 {
				t.Errorf("%s %s: status %d", l, tc.path, status)
				continue
			}
			for _, w := range append(tc.want, `id="nav-evaluations"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %s", l, tc.path, w)
				}
			}
			if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
				t.Errorf("%s %s: message missing from the catalogue: %s", l, tc.path, m)
			}
		}
	}
	if _, body := e.get(t, "en", "/evaluations/"+id); !strings.Contains(body, "On notice") || !strings.Contains(body, "Score ") {
		t.Error("the run's page is not in English")
	}
	if status, _ := e.get(t, "zh", fmt.Sprintf("/evaluations/%d", run.ID+100)); status != 404 {
		t.Errorf("no such run: %d", status)
	}

	// The enterprise that objected sees its own line, its objection and the
	// form to object, not the others' results nor the log.
	entH := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.Principal{Kind: auth.User, Name: "企业用户", Role: auth.Enterprise, Scope: auth.Scope{USCC: es[0].USCC}}
		e.srv.Handler().ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
	rec := httptest.NewRecorder()
	entH.ServeHTTP(rec, httptest.NewRequest("GET", "/evaluations/"+id, nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `id="result-`+es[0].USCC+`"`) || strings.Contains(body, `id="result-`+es[1].USCC+`"`) ||
		!strings.Contains(body, `id="form-objections"`) || !strings.Contains(body, `name="uscc" value="`+es[0].USCC+`"`) ||
		strings.Contains(body, `id="eval-log"`) || strings.Contains(body, `id="form-approve"`) || !strings.Contains(body, "用地面积有误") {
		t.Fatalf("the enterprise's view: %d", rec.Code)
	}
	if _, body := e.get(t, "zh", "/enterprises/"+es[0].USCC); !strings.Contains(body, `id="enterprise-evaluations"`) {
		t.Error("the enterprise's page does not link its evaluations")
	}

	// The forms: the officer accepts the objection with a correction, then
	// re-runs; a bad correction shows the page with its error.
	_, page := e.get(t, "zh", "/evaluations/"+id)
	for _, want := range []string{`id="eval-actions"`, `id="form-objections"`, `id="form-accept-`, `id="form-approve"`, `id="form-rerun"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the run on notice: no %s", want)
		}
	}
	post := func(step string, fields map[string]string) *httptest.ResponseRecorder {
		var b strings.Builder
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		mw.Close()
		req := httptest.NewRequest("POST", "/evaluations/"+id+"/"+step, strings.NewReader(b.String()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	_, _, objs, err := e.srv.econ.History(ctx, sys, run.ID)
	if err != nil || len(objs) != 1 {
		t.Fatalf("objections %+v %v", objs, err)
	}
	oid := strconv.FormatInt(objs[0].ID, 10)
	if rec := post("accept", map[string]string{"objection": oid, "reason": "核实", "correction": "acreage=9"}); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `id="error"`) || !strings.Contains(rec.Body.String(), `id="eval-results"`) {
		t.Fatalf("a bad correction: %d", rec.Code)
	}
	if rec := post("accept", map[string]string{"objection": oid, "reason": "经核实，用地面积应为 8 亩", "correction": "land_mu=8"}); rec.Code != http.StatusSeeOther ||
		rec.Header().Get("Location") != "/evaluations/"+id {
		t.Fatalf("accept: %d %s", rec.Code, rec.Body.String())
	}
	rec = post("rerun", nil)
	next := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || next == "/evaluations/"+id {
		t.Fatalf("rerun: %d %s", rec.Code, next)
	}
	if _, body := e.get(t, "zh", next); !strings.Contains(body, `id="notice-period"`) || !strings.Contains(body, "用地面积应为 8 亩") || !strings.Contains(body, "land_mu: 10 → 8") {
		t.Errorf("the re-run's page lacks the notice or the handled objection")
	}
}
