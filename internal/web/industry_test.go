package web

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
)

// TestIndustryPages: the leading industries, the plan, the project and
// the shared facility of the demo, in both languages; a park's manager
// may open none of them.
func TestIndustryPages(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	econ := economy.NewService(e.db)
	if err := demo.Economy(ctx, registry.NewService(e.db), econ, e.db, 1); err != nil {
		t.Fatal(err)
	}
	sys := auth.Command("test")
	ps, err := econ.Projects(ctx, sys)
	if err != nil || len(ps) != 1 {
		t.Fatalf("projects %v %v", ps, err)
	}
	fs, err := econ.Facilities(ctx, sys)
	if err != nil || len(fs) != 1 {
		t.Fatalf("facilities %v %v", fs, err)
	}
	project := "/projects/" + strconv.FormatInt(ps[0].ID, 10)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/clusters", []string{`id="clusters-table"`, `id="clusters-series-data"`, `id="clusters-mix"`, `id="clusters-method"`, `selected`}},
		{"/clusters?year=2022&county=331121&mapping=story-2020", []string{`id="clusters-table"`, `value="2022" selected`, `value="331121" selected`}},
		{"/plans", []string{`id="plans-table"`, `href="/plans/lishui-2020-2022"`}},
		{"/plans/lishui-2020-2022", []string{`id="plan-progress-data"`, `id="indicator-four_nos_closures"`, `id="indicator-gep"`}},
		{"/projects", []string{`id="projects-table"`, `href="` + project + `"`}},
		{project, []string{`id="project-effect"`, `id="project-a24088-data"`, `id="project-method"`, `-6`}},
		{"/facilities", []string{`id="facilities-table"`, `href="/facilities/QT-VALVE-CT01"`}},
		{"/facilities/QT-VALVE-CT01", []string{`id="facility-utilisation"`, `id="facility-chart-data"`, `id="facility-connected"`}},
	} {
		for _, l := range []string{"zh", "en"} {
			status, body := e.get(t, l, tc.path)
			if status != 200 {
				t.Errorf("%s %s: status %d", l, tc.path, status)
				continue
			}
			for _, w := range append(tc.want, `id="nav-industry"`, `id="industry-tabs"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %s", l, tc.path, w)
				}
			}
			if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
				t.Errorf("%s %s: message missing from the catalogue: %s", l, tc.path, m)
			}
		}
	}
	// A GEP value by hand, through the plan's form, with its source.
	econOfficer := auth.Principal{Kind: auth.User, Name: "econ", Role: auth.City, Bureau: auth.Economy}
	form := url.Values{"indicator": {"gep"}, "year": {"2023"}, "value": {"5701.5"}, "source": {"丽水市 2023 年 GEP 核算（示例）"}}
	if rec := e.do(t, econOfficer, "zh", "POST", "/plans/lishui-2020-2022/values", form); rec.Code != 303 || rec.Header().Get("Location") != "/plans/lishui-2020-2022?done=1" {
		t.Fatalf("enter a value: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if body := e.do(t, econOfficer, "en", "GET", "/plans/lishui-2020-2022?done=1", nil).Body.String(); !strings.Contains(body, "5702") ||
		!strings.Contains(body, "丽水市 2023 年 GEP 核算（示例）") || !strings.Contains(body, `id="form-gep"`) || strings.Contains(body, `id="form-nmhc_load"`) {
		t.Error("the value entered by hand, or the form, is not on the plan")
	}
	ecology := auth.Principal{Kind: auth.User, Name: "eco", Role: auth.City, Bureau: auth.Ecology}
	if rec := e.do(t, ecology, "zh", "POST", "/plans/lishui-2020-2022/values", form); rec.Code != 403 || strings.Contains(rec.Body.String(), `id="form-gep"`) {
		t.Errorf("the ecology bureau enters a value: %d", rec.Code)
	}
	form.Set("value", "many")
	if rec := e.do(t, econOfficer, "zh", "POST", "/plans/lishui-2020-2022/values", form); rec.Code != 400 || !strings.Contains(rec.Body.String(), "年度和数值须为数字") {
		t.Errorf("a value that is no number: %d", rec.Code)
	}
	park := auth.Principal{Kind: auth.User, Name: "park", Role: auth.Park, Scope: auth.Scope{Park: "LS-ETDZ"}}
	for _, path := range []string{"/clusters", "/plans/lishui-2020-2022", project, "/facilities/QT-VALVE-CT01"} {
		rec := e.do(t, park, "zh", "GET", path, nil)
		if rec.Code != 403 || strings.Contains(rec.Body.String(), `id="nav-industry"`) {
			t.Errorf("a park's manager opens %s: %d", path, rec.Code)
		}
	}
}
