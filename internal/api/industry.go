package api

import (
	"net/http"
	"time"

	"ecoindustry/internal/apperr"

	"ecoindustry/internal/economy"
)

// The leading industries, the action plan, transformation projects and
// shared treatment facilities (decision 0029), over the economy service.
func (s *Server) industryRoutes() []route {
	if s.econ == nil {
		return nil
	}
	return []route{
		{method: "GET", pattern: "/api/v1/clusters", summary: "Leading industries (主导产业) of a county or the city in a year, with ten years' series", handle: s.clusters,
			query: []param{{"year", "integer", "the year (required)"}, {"county", "string", "county: GB/T 2260 code or name (default the city)"},
				{"mapping", "string", "industry mapping: lishui-2021 (default) or story-2020"}}, resp: economy.ClusterReport{}},
		{method: "GET", pattern: "/api/v1/plans", summary: "The action plans kept", handle: s.plans, resp: itemsOf{planItem{}}},
		{method: "POST", pattern: "/api/v1/plans", summary: "Keep an action plan (a preset or its YAML), replacing one of its name", handle: s.savePlan,
			status: http.StatusCreated, body: planBody{}, resp: economy.Plan{}},
		{method: "GET", pattern: "/api/v1/plans/{name}", summary: "An action plan with each indicator's values, their provenance and progress", handle: s.planProgress, resp: economy.PlanReport{}},
		{method: "POST", pattern: "/api/v1/plans/{name}/values", summary: "Enter a value of an indicator measured by hand, with where it comes from", handle: s.addPlanValue,
			status: http.StatusCreated, body: economy.PlanValue{}, resp: economy.PlanValue{}},
		{method: "GET", pattern: "/api/v1/projects", summary: "Transformation projects", handle: s.projects, resp: itemsOf{economy.Project{}}},
		{method: "POST", pattern: "/api/v1/projects", summary: "Add a transformation project", handle: s.saveProject(false), status: http.StatusCreated, body: economy.Project{}, resp: economy.Project{}},
		{method: "GET", pattern: "/api/v1/projects/{id}", summary: "A transformation project with its emissions before and after", handle: s.project, resp: projectBody{}},
		{method: "PUT", pattern: "/api/v1/projects/{id}", summary: "Replace a transformation project (its version as read)", handle: s.saveProject(true), body: economy.Project{}, resp: economy.Project{}},
		{method: "GET", pattern: "/api/v1/shared-facilities", summary: "Shared treatment facilities", handle: s.facilities, resp: itemsOf{economy.SharedFacility{}}},
		{method: "POST", pattern: "/api/v1/shared-facilities", summary: "Add a shared treatment facility", handle: s.saveFacility(false), status: http.StatusCreated,
			body: economy.SharedFacility{}, resp: economy.SharedFacility{}},
		{method: "GET", pattern: "/api/v1/shared-facilities/{code}", summary: "A shared treatment facility with its measured load and utilisation", handle: s.facility, resp: facilityBody{}},
		{method: "PUT", pattern: "/api/v1/shared-facilities/{code}", summary: "Replace a shared treatment facility (its version as read)", handle: s.saveFacility(true),
			body: economy.SharedFacility{}, resp: economy.SharedFacility{}},
	}
}

type planItem struct {
	Name  string    `json:"name"`
	Title string    `json:"title"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
}

// planBody is a plan to keep: a preset's name or the plan's YAML.
type planBody struct {
	Preset string `json:"preset,omitempty"`
	Plan   string `json:"plan,omitempty"`
}

type projectBody struct {
	Project economy.Project       `json:"project"`
	Effect  economy.ProjectEffect `json:"effect"`
}

type facilityBody struct {
	Facility economy.SharedFacility `json:"facility"`
	Load     economy.FacilityLoad   `json:"load"`
}

func (s *Server) plans(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	ps, err := s.econ.PlanList(r.Context(), who)
	items := []planItem{}
	for _, p := range ps {
		items = append(items, planItem{p.Name, p.Title, p.Actor, p.At})
	}
	return items, err
}

func (s *Server) savePlan(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var v planBody
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	return s.econ.SavePlan(r.Context(), who, v.Preset, v.Plan)
}

func (s *Server) planProgress(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.econ.PlanProgress(r.Context(), who, r.PathValue("name"))
}

func (s *Server) addPlanValue(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var v economy.PlanValue
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	v.Plan = r.PathValue("name")
	return s.econ.AddPlanValue(r.Context(), who, v)
}

func (s *Server) projects(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	ps, err := s.econ.Projects(r.Context(), who)
	return nonNil(ps), err
}

func (s *Server) project(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	p, eff, err := s.econ.Project(r.Context(), who, id)
	return projectBody{p, eff}, err
}

// saveProject adds a project, or replaces the one of the path (update).
func (s *Server) saveProject(update bool) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		who, err := principal(r)
		if err != nil {
			return nil, err
		}
		var p economy.Project
		if err := readBody(r, &p); err != nil {
			return nil, err
		}
		p.ID = 0
		if update {
			if p.ID, err = pathID(r, "id"); err != nil {
				return nil, err
			}
		}
		return s.econ.SaveProject(r.Context(), who, p)
	}
}

func (s *Server) facilities(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	fs, err := s.econ.Facilities(r.Context(), who)
	return nonNil(fs), err
}

func (s *Server) facility(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	f, l, err := s.econ.Facility(r.Context(), who, r.PathValue("code"))
	return facilityBody{f, l}, err
}

// saveFacility adds a facility (version 0), or replaces the one of the
// path with the version as read.
func (s *Server) saveFacility(update bool) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		who, err := principal(r)
		if err != nil {
			return nil, err
		}
		var f economy.SharedFacility
		if err := readBody(r, &f); err != nil {
			return nil, err
		}
		if !update {
			f.Version = 0
		} else {
			f.Code = r.PathValue("code")
			if f.Version < 1 {
				return nil, apperr.New(apperr.Invalid, "version: give the version as read", "须给出读取时的版本号 version")
			}
		}
		return s.econ.SaveFacility(r.Context(), who, f)
	}
}

func (s *Server) clusters(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	year, err := intParam(q, "year", 0, 2000, 2100)
	if err != nil {
		return nil, err
	}
	return s.econ.Clusters(r.Context(), who, year, q.Get("county"), q.Get("mapping"))
}
