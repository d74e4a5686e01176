package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
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

// evaluationXLSX is a run's results, a sheet per class, and its policy lists.
func (s *Server) evaluationXLSX(r *http.Request, who auth.Principal, id int64) (any, error) {
	p, err := policyOf(r)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := s.econ.WriteRunXLSX(r.Context(), who, &b, id, p); err != nil {
		return nil, err
	}
	return download{name: "evaluation-" + strconv.FormatInt(id, 10) + ".xlsx",
		contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: b.Bytes()}, nil
}

// policyOf is the request's policy preset (?policy=, zhejiang-2019 by default).
func policyOf(r *http.Request) (*economy.Policy, error) {
	name := r.URL.Query().Get("policy")
	if name == "" {
		name = "zhejiang-2019"
	}
	return economy.LoadPolicy(name, nil)
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
	p, err := policyOf(r)
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

// runRoutes: the runs, and an enterprise's results over the years.
func (s *Server) runRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/evaluations", summary: "Evaluation runs, newest first, with their class counts and states", handle: s.evaluationRuns,
			query: []param{{"county", "string", "one county's (GB/T 2260 code)"}, {"year", "integer", "one year's"}}, resp: itemsOf{economy.Run{}}},
		{method: "GET", pattern: "/api/v1/enterprises/{uscc}/evaluations", summary: "An enterprise's results over the years, explained (each year's latest run, a published one first)",
			handle: s.enterpriseYears, resp: itemsOf{economy.YearResult{}}},
	}
}

func (s *Server) evaluationRuns(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	year := 0
	if v := q.Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil {
			return nil, apperr.Newf(apperr.Invalid, "parameter year: %q is not a year", "参数 year：%q 不是有效年度", v)
		}
	}
	runs, err := s.econ.Runs(r.Context(), who, q.Get("county"), year)
	return list{nonNil(runs)}, err
}

func (s *Server) enterpriseYears(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	ys, err := s.econ.Years(r.Context(), who, strings.ToUpper(r.PathValue("uscc")))
	return list{nonNil(ys)}, err
}
