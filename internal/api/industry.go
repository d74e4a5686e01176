package api

import (
	"net/http"

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
