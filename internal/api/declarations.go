package api

import (
	"net/http"
	"strings"

	"ecoindustry/internal/economy"
)

// declarationRoutes: enterprises declare their own year's figures, the
// economy bureau confirms them into the annual data or rejects them
// (decision 0028).
func (s *Server) declarationRoutes() []route {
	decide := func(confirm bool) func(r *http.Request) (any, error) {
		return func(r *http.Request) (any, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return nil, err
			}
			who, err := principal(r)
			if err != nil {
				return nil, err
			}
			var v struct {
				Reason string `json:"reason"`
			}
			if err := readBody(r, &v); err != nil {
				return nil, err
			}
			return s.econ.Confirm(r.Context(), who, id, confirm, v.Reason)
		}
	}
	return []route{
		{method: "POST", pattern: "/api/v1/declarations", summary: "Declare an enterprise's own year's figures (企业申报), for an officer to confirm",
			handle: s.declare, status: http.StatusCreated, body: declareBody{}, resp: economy.Declaration{}},
		{method: "GET", pattern: "/api/v1/declarations", summary: "Declarations, newest first (an enterprise's own; an officer's county's)", handle: s.declarations,
			query: []param{{"uscc", "string", "one enterprise's"}, {"state", "string", "pending, confirmed or rejected"}}, resp: itemsOf{economy.Declaration{}}},
		{method: "POST", pattern: "/api/v1/declarations/{id}/confirm", summary: "Confirm a declaration: it becomes the year's annual data (source 企业申报)",
			handle: decide(true), body: reasonBody{}, resp: economy.Declaration{}},
		{method: "POST", pattern: "/api/v1/declarations/{id}/reject", summary: "Reject a declaration, with the reason",
			handle: decide(false), body: reasonBody{}, resp: economy.Declaration{}},
	}
}

type declareBody struct {
	USCC   string            `json:"uscc"`
	Year   int               `json:"year"`
	Fields map[string]string `json:"fields"` // tax, value_added, revenue, energy_tce, electricity_kwh, emissions_t, rd, employees, land_mu
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) declare(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var v declareBody
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	return s.econ.Declare(r.Context(), who, strings.ToUpper(strings.TrimSpace(v.USCC)), v.Year, v.Fields)
}

func (s *Server) declarations(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	ds, err := s.econ.Declarations(r.Context(), who, strings.ToUpper(q.Get("uscc")), q.Get("state"))
	return list{nonNil(ds)}, err
}
