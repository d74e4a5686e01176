package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/web/i18n"
)

// The leading industries, the action plan, transformation projects and
// shared facilities (decision 0029): pages over economy.Service, read as
// the request's principal. A plan's values by hand are entered on its
// page; plans, projects and facilities are kept through the API
// (/api/v1/plans, /projects, /shared-facilities), the economy bureau's.

// noEconomy: a server without the economy service (tests) says so.
var noEconomy = apperr.New(apperr.NotFound, "the economy pages are not available on this server", "本服务未提供产业经济页面")

// industryRoutes are the pages' routes, added to the mux by Handler.
func (s *Server) industryRoutes() []pageRoute {
	return []pageRoute{
		{"GET /clusters", s.clusters},
		{"GET /plans", s.plans},
		{"GET /plans/{name}", s.plan},
		{"POST /plans/{name}/values", s.planValue},
		{"GET /projects", s.projects},
		{"GET /projects/{id}", s.project},
		{"GET /facilities", s.facilities},
		{"GET /facilities/{code}", s.facility},
	}
}

type pageRoute struct {
	pattern string
	h       func(*view, *http.Request) error
}

type clustersData struct {
	Report             economy.ClusterReport
	Years              []int
	Mappings           []string
	Counties           []registry.AdminUnit
	Series, Mix, Share chart
}

// clusters shows the leading industries of a county or the city in a
// year: the table, their revenue over ten years, their share and their
// enterprises' classes.
func (s *Server) clusters(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "clusters", "industry", "clusters.title"
	if s.econ == nil {
		return noEconomy
	}
	ctx, q, l := r.Context(), r.URL.Query(), v.Lang
	first, last, err := s.econ.AnnualYears(ctx, v.Principal)
	if err != nil {
		return err
	}
	year := last
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		year = y
	}
	d := &clustersData{Mappings: economy.Mappings()}
	for y := last; y >= first && y > 0; y-- {
		d.Years = append(d.Years, y)
	}
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Level == "county" {
			d.Counties = append(d.Counties, u)
		}
	}
	v.Data = d
	if year == 0 {
		return nil
	}
	if d.Report, err = s.econ.Clusters(ctx, v.Principal, year, q.Get("county"), q.Get("mapping")); err != nil {
		return err
	}
	var years []string
	for _, y := range d.Report.Industries[0].Series {
		years = append(years, strconv.Itoa(y.Year))
	}
	var series, shares, mix []any
	var names []string
	for _, st := range d.Report.Industries {
		name := pickLang(l, st.Zh, st.En)
		names = append(names, name)
		var rev []any
		for _, y := range st.Series {
			rev = append(rev, round(y.Revenue/1e4, 2)) // 亿元
		}
		series = append(series, obj{"type": "line", "name": name, "data": rev})
		shares = append(shares, round(st.Share*100, 1))
	}
	for _, c := range []string{"A", "B", "C", "D"} {
		var n []int
		for _, st := range d.Report.Industries {
			n = append(n, st.Classes[c])
		}
		mix = append(mix, obj{"type": "bar", "stack": "c", "name": c, "data": n})
	}
	d.Series = chart{Option: lineChart(i18n.T(l, "clusters.revenue_series"), years, series, i18n.T(l, "unit.yi"))}
	d.Share = chart{Option: fromZero(lineChart(i18n.T(l, "clusters.share"), names, []any{obj{"type": "bar", "name": i18n.T(l, "clusters.share"), "data": shares}}, "%"))}
	d.Mix = chart{Option: fromZero(lineChart(i18n.T(l, "clusters.classes"), names, mix, i18n.T(l, "unit.enterprises")))}
	return nil
}

// fromZero starts a bar chart's value axis at 0: a before/after or a
// share compared on a scaled axis would mislead.
func fromZero(opt map[string]any) map[string]any {
	opt["yAxis"] = obj{"type": "value", "min": 0}
	return opt
}

func round(f float64, prec int) float64 {
	p := 1.0
	for range prec {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

// plans lists the kept plans.
func (s *Server) plans(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "plans", "industry", "plans.title"
	if s.econ == nil {
		return noEconomy
	}
	ps, err := s.econ.PlanList(r.Context(), v.Principal)
	v.Data = ps
	return err
}

type planData struct {
	Report   economy.PlanReport
	Progress chart
	// CanEnter: the principal may enter values by hand (the city's economy bureau).
	CanEnter bool
	Done     bool
}

// plan shows a plan's indicators: baseline, target, the values with
// their provenance, and how far each has come.
func (s *Server) plan(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "plan", "industry", "plans.title"
	if s.econ == nil {
		return noEconomy
	}
	rep, err := s.econ.PlanProgress(r.Context(), v.Principal, r.PathValue("name"))
	if err != nil {
		return err
	}
	v.TitleText = rep.Title
	var names []string
	var progress []any
	for i, p := range rep.Progress {
		in := rep.Indicators[i]
		names = append(names, pickLang(v.Lang, in.Zh, in.En))
		if p.Progress != nil {
			progress = append(progress, round(*p.Progress*100, 1))
		} else {
			progress = append(progress, nil)
		}
	}
	v.Data = &planData{Report: rep, Progress: chart{Option: lineChart(i18n.T(v.Lang, "plan.progress"), names,
		[]any{obj{"type": "bar", "name": i18n.T(v.Lang, "plan.progress"), "data": progress}}, "%")},
		CanEnter: auth.MayWrite(v.Principal, auth.Plans, auth.Economy) == nil, Done: r.URL.Query().Get("done") != ""}
	return nil
}

// planValue enters a value of a manual indicator by hand, with where it
// comes from, and shows the plan again (or the plan with the refusal).
func (s *Server) planValue(v *view, r *http.Request) error {
	if s.econ == nil {
		return noEconomy
	}
	name := r.PathValue("name")
	err := r.ParseForm()
	if err != nil {
		err = apperr.New(apperr.Invalid, "the form could not be read: "+err.Error(), "无法读取表单："+err.Error())
	} else {
		f := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
		year, yerr := strconv.Atoi(f("year"))
		value, verr := strconv.ParseFloat(f("value"), 64)
		if yerr != nil || verr != nil {
			err = apperr.New(apperr.Invalid, "give the year and the value as numbers", "年度和数值须为数字")
		} else {
			_, err = s.econ.AddPlanValue(r.Context(), v.Principal, economy.PlanValue{Plan: name, Indicator: f("indicator"), Year: year, Value: value, Source: f("source"), Note: f("note")})
		}
	}
	if err == nil {
		v.redirect = "/plans/" + url.PathEscape(name) + "?done=1"
		return nil
	}
	if perr := s.plan(v, r); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

// projects lists the transformation projects the principal may read.
func (s *Server) projects(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "projects", "industry", "projects.title"
	if s.econ == nil {
		return noEconomy
	}
	ps, err := s.econ.Projects(r.Context(), v.Principal)
	v.Data = ps
	return err
}

type projectData struct {
	Project economy.Project
	Effect  economy.ProjectEffect
	Charts  []struct {
		ID    string
		Chart chart
	}
}

// project shows a project and its loads before and after, per pollutant.
func (s *Server) project(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "project", "industry", "projects.title"
	if s.econ == nil {
		return noEconomy
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, eff, err := s.econ.Project(r.Context(), v.Principal, id)
	if err != nil {
		return err
	}
	v.TitleText = p.Title
	d := &projectData{Project: p, Effect: eff}
	for _, pe := range eff.Pollutants {
		var days []string
		var kg []any
		for _, x := range pe.Series {
			days = append(days, x.Day[:4]+"-"+x.Day[4:6]+"-"+x.Day[6:])
			kg = append(kg, round(x.Cou, 3))
		}
		name := pe.Code
		if pol, ok := hj212.LookupPollutant(pe.Code); ok {
			name = pickLang(v.Lang, pol.Name, pol.NameEn) + " " + pe.Code
		}
		d.Charts = append(d.Charts, struct {
			ID    string
			Chart chart
		}{"project-" + pe.Code, chart{Option: fromZero(lineChart(name, nonNil(days), []any{obj{"type": "bar", "name": i18n.T(v.Lang, "project.daily_load"), "data": kg}}, "kg"))}})
	}
	v.Data = d
	return nil
}

// facilities lists the shared facilities the principal may read.
func (s *Server) facilities(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "facilities", "industry", "facilities.title"
	if s.econ == nil {
		return noEconomy
	}
	fs, err := s.econ.Facilities(r.Context(), v.Principal)
	v.Data = fs
	return err
}

type facilityData struct {
	Facility economy.SharedFacility
	Load     economy.FacilityLoad
	Chart    chart
}

// facility shows a shared facility, its connected enterprises and its
// load against its capacity.
func (s *Server) facility(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "facility", "industry", "facilities.title"
	if s.econ == nil {
		return noEconomy
	}
	f, l, err := s.econ.Facility(r.Context(), v.Principal, r.PathValue("code"))
	if err != nil {
		return err
	}
	v.TitleText = f.Name
	var days []string
	var util []any
	for _, x := range l.Series {
		days = append(days, x.Day[:4]+"-"+x.Day[4:6]+"-"+x.Day[6:])
		util = append(util, round(x.Cou/f.CapacityDay*100, 1))
	}
	v.Data = &facilityData{Facility: f, Load: l, Chart: chart{Option: fromZero(lineChart(i18n.T(v.Lang, "facility.utilisation"), nonNil(days),
		[]any{obj{"type": "bar", "name": i18n.T(v.Lang, "facility.utilisation"), "data": util}}, "%"))}}
	return nil
}
