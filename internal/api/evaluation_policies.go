package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"ecoindustry/internal/economy"
)

// policyRoutes: the differentiated policies of a run's classes (decision
// 0028), as the lists each bureau needs, JSON or XLSX.
func (s *Server) policyRoutes() []route {
	return []route{{method: "GET", pattern: "/api/v1/evaluations/{id}/policies",
		summary: "The lists of a run's differentiated policies (land-use tax relief, electricity and water surcharges, energy quotas)",
		handle:  s.evaluationPolicies,
		query: []param{{"policy", "string", "a policy preset: " + strings.Join(economy.PolicyPresets(), ", ") + " (default zhejiang-2019)"},
			{"format", "string", "json (default) or xlsx: a sheet per bureau"}},
		resp: policiesBody{}}}
}

type policiesBody struct {
	Run    economy.Run    `json:"run"`
	Policy economy.Policy `json:"policy"`
	Lists  economy.Lists  `json:"lists"`
}

func (s *Server) evaluationPolicies(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	name := q.Get("policy")
	if name == "" {
		name = "zhejiang-2019"
	}
	p, err := economy.LoadPolicy(name, nil)
	if err != nil {
		return nil, err
	}
	run, l, err := s.econ.Policies(r.Context(), who, id, p)
	if err != nil {
		return nil, err
	}
	if q.Get("format") != "xlsx" {
		l.Tax, l.Electricity, l.Water, l.Energy = nonNil(l.Tax), nonNil(l.Electricity), nonNil(l.Water), nonNil(l.Energy)
		return policiesBody{run, *p, l}, nil
	}
	var b bytes.Buffer
	if err := economy.WriteListsXLSX(&b, run, p, l); err != nil {
		return nil, err
	}
	return download{name: "evaluation-" + strconv.FormatInt(id, 10) + "-" + p.Name + ".xlsx",
		contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: b.Bytes()}, nil
}
