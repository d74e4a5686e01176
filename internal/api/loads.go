package api

import (
	"net/http"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// loadsRoutes are the loads against the permits and the quarterly
// compliance grids (decision 0026).
func (s *Server) loadsRoutes() []route {
	if s.rules == nil {
		return nil
	}
	return []route{
		{method: "GET", pattern: "/api/v1/outlets/{uscc}/{outlet}/loads", summary: "An outlet's emitted loads (排放量) per day, month and year for each pollutant, against the permit's annual quantity: the share used and the day it runs out at the current rate",
			handle: s.loads, resp: rules.Loads{}, query: []param{{"year", "integer", "calendar year (default this year, China Standard Time)"}}},
		{method: "GET", pattern: "/api/v1/enterprises/{uscc}/compliance", summary: "An enterprise's compliance (合规状况) in the last twelve quarters and the current one: status, alarms by kind, significant non-compliance",
			handle: s.compliance, resp: rules.Grid{}},
		{method: "GET", pattern: "/api/v1/compliance", summary: "The twelve-quarter compliance grids of a page of enterprises, by USCC",
			handle: s.grids, resp: rules.GridPage{}, query: []param{{"county", "string", "GB/T 2260 code"}, {"park", "string", "a park's code"},
				{"industry", "string", "GB/T 4754-2017 code prefix"}, {"limit", "integer", "page size, 1 to 1000 (default 100)"}, {"offset", "integer", "enterprises to skip (default 0)"}}},
	}
}

func (s *Server) loads(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	year, err := intParam(r.URL.Query(), "year", now.In(cst.Zone).Year(), 2000, 2100)
	if err != nil {
		return nil, err
	}
	return s.rules.Loads(r.Context(), who, r.PathValue("uscc"), r.PathValue("outlet"), year, now)
}

func (s *Server) compliance(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.rules.Compliance(r.Context(), who, r.PathValue("uscc"), time.Now())
}

func (s *Server) grids(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := registry.EnterpriseFilter{County: q.Get("county"), Park: q.Get("park"), Industry: q.Get("industry")}
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return nil, err
	}
	return s.rules.Grids(r.Context(), who, f, time.Now())
}
