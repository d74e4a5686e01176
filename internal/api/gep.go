package api

import (
	"fmt"
	"io"
	"net/http"

	"ecoindustry/internal/gep"
)

// GEP account runs (decision 0030): a config (docs/gep-config.md, YAML or
// JSON, its paths inside the data directory) starts a run in the
// background (202, Location); its status, progress and account are read
// as it goes, and the account as the workbook once done.
func (s *Server) gepRoutes() []route {
	if s.gep == nil {
		return nil
	}
	return []route{
		{method: "POST", pattern: "/api/v1/gep/runs", summary: "Start a GEP account run from a config (YAML or JSON; paths inside the data directory)",
			handle: s.startGEPRun, status: http.StatusAccepted, body: gep.Config{}, resp: gep.RunView{}},
		{method: "GET", pattern: "/api/v1/gep/runs", summary: "GEP account runs, newest first", handle: s.gepRuns, resp: itemsOf{gep.RunView{}}},
		{method: "GET", pattern: "/api/v1/gep/runs/{id}", summary: "A GEP account run: status, progress, and its account and provenance once done",
			handle: s.gepRun, resp: gep.RunView{}},
		{method: "GET", pattern: "/api/v1/gep/runs/{id}/account.xlsx", summary: "A done GEP run's account as a workbook (summary, lines, a sheet per zone, provenance)",
			handle: s.gepXLSX, resp: download{}},
	}
}

// WithGEP adds the GEP account routes over g.
func (s *Server) WithGEP(g *gep.Service) *Server {
	s.gep = g
	s.routes = s.table()
	doc, err := openAPI(s.routes)
	if err != nil {
		panic("api: openapi: " + err.Error()) // the table is code: a bad one is a bug
	}
	s.doc = doc
	return s
}

// withLocation is a body answered with a Location header: where a
// resource being made can be read.
type withLocation struct {
	body     any
	location string
}

func (s *Server) startGEPRun(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err // too big: mapped to 413 in one place
	}
	run, _, err := s.gep.Start(r.Context(), who, b)
	if err != nil {
		return nil, err
	}
	return withLocation{run, fmt.Sprintf("/api/v1/gep/runs/%d", run.ID)}, nil
}

func (s *Server) gepRuns(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	rs, err := s.gep.Runs(r.Context(), who)
	return list{nonNil(rs)}, err
}

func (s *Server) gepRun(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.gep.Run(r.Context(), who, id)
}

func (s *Server) gepXLSX(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	b, err := s.gep.XLSX(r.Context(), who, id)
	if err != nil {
		return nil, err
	}
	return download{name: fmt.Sprintf("GEP核算-%d.xlsx", id), contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: b}, nil
}
