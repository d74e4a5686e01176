package api

import (
	"net/http"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/economy"
)

// The per-mu evaluation (亩均论英雄, decision 0024): run one county's year
// by a method (a preset's name or the method's YAML), and read a kept
// run's results. The annual data come in through /api/v1/import/annual.
func (s *Server) economyRoutes() []route {
	if s.econ == nil {
		return nil
	}
	return append([]route{
		{method: "POST", pattern: "/api/v1/evaluations", summary: "Evaluate a county's year per mu (亩均论英雄) and keep the run", handle: s.evaluate,
			status: http.StatusCreated, body: evaluateBody{}, resp: economy.Run{}},
		{method: "GET", pattern: "/api/v1/evaluations/{id}/results", summary: "A kept evaluation and its results, by class or enterprise", handle: s.evaluation,
			query: []param{{"class", "string", "only this class (A, B, C, D)"}, {"uscc", "string", "only this enterprise"},
				{"format", "string", "json (default) or xlsx: a sheet per class, then the policy lists"}, {"policy", "string", "the lists' policy preset (xlsx; default zhejiang-2019)"}},
			resp: evaluationBody{}},
	}, s.noticeRoutes()...)
}

// evaluateBody is the request of an evaluation: a preset's name or a
// method's YAML, not both.
type evaluateBody struct {
	County string `json:"county"`
	Year   int    `json:"year"`
	Preset string `json:"preset,omitempty"`
	Method string `json:"method,omitempty"` // the YAML of docs/decisions/0024
}

type evaluationBody struct {
	Run     economy.Run      `json:"run"`
	Results []economy.Result `json:"results"`
}

func (s *Server) evaluate(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var v evaluateBody
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	var m *economy.Method
	text := v.Method
	switch {
	case (v.Preset == "") == (v.Method == ""):
		return nil, apperr.New(apperr.Invalid, "give preset or method (YAML), one of them", "须给出 preset（预置办法）或 method（YAML 办法）之一")
	case v.Preset != "":
		var data []byte
		m, data, err = economy.Preset(v.Preset)
		text = string(data)
	default:
		m, err = economy.LoadMethod("method", []byte(v.Method))
	}
	if err != nil {
		return nil, err
	}
	run, _, err := s.econ.Evaluate(r.Context(), who, v.County, v.Year, m, text)
	return run, err
}

func (s *Server) evaluation(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	if q.Get("format") == "xlsx" {
		return s.evaluationXLSX(r, who, id)
	}
	run, rs, err := s.econ.Results(r.Context(), who, id, q.Get("class"), q.Get("uscc"))
	return evaluationBody{run, nonNil(rs)}, err
}
