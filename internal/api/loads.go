package api

import (
	"bytes"
	"cmp"
	"net/http"
	"strconv"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/sheet"
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
			handle: s.grids, resp: rules.GridPage{}, query: append(gridQuery, param{"limit", "integer", "page size, 1 to 1000 (default 100)"},
				param{"offset", "integer", "enterprises to skip (default 0)"})},
		// Downloads: the first row says as of when, as does the file's name.
		{method: "GET", pattern: "/api/v1/alarms/export", summary: "Download alarms (kind=exceedance: the exceedances) as CSV or XLSX, newest first, up to 100,000",
			handle: s.exportAlarms, resp: download{}, query: []param{formatQuery, {"state", "string", "open, acknowledged or resolved"},
				{"kind", "string", "an alarm kind"}, {"county", "string", "GB/T 2260 code"}, {"uscc", "string", "an enterprise"},
				{"outlet", "string", "an outlet code"}, {"pollutant", "string", "HJ 212-2017 code"}, {"from", "string", "started at or after"}, {"to", "string", "started before"}}},
		{method: "GET", pattern: "/api/v1/outlets/{uscc}/{outlet}/loads/export", summary: "Download an outlet's loads of a year as CSV or XLSX",
			handle: s.exportLoads, resp: download{}, query: []param{formatQuery, {"year", "integer", "calendar year (default this year)"}}},
		{method: "GET", pattern: "/api/v1/compliance/export", summary: "Download the twelve-quarter grids of the enterprises selected (up to 10,000) as CSV or XLSX",
			handle: s.exportGrids, resp: download{}, query: append(gridQuery, formatQuery)},
	}
}

var gridQuery = []param{{"county", "string", "GB/T 2260 code"}, {"park", "string", "a park's code"},
	{"industry", "string", "GB/T 4754-2017 code prefix"}, {"uscc", "string", "one enterprise"}}

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
	f := registry.EnterpriseFilter{County: q.Get("county"), Park: q.Get("park"), Industry: q.Get("industry"), USCC: q.Get("uscc")}
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return nil, err
	}
	return s.rules.Grids(r.Context(), who, f, time.Now())
}

// sheetDownload writes a table as format, named name-STAMP.format.
func sheetDownload(format, name string, asOf time.Time, header []string, rows [][]string) (any, error) {
	var b bytes.Buffer
	if err := sheet.Write(&b, format, header, rows); err != nil {
		return nil, err
	}
	ct := mediaTypes[format]
	if format == "csv" {
		ct += "; charset=utf-8"
	}
	return download{name: name + "-asof-" + rules.AsOfStamp(asOf) + "." + format, contentType: ct, data: b.Bytes()}, nil
}

// maxExport bounds a download of alarms.
const maxExport = 100_000

func (s *Server) exportAlarms(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f, err := format(cmp.Or(q.Get("format"), "csv"))
	if err != nil {
		return nil, err
	}
	af, err := alarmFilter(q)
	if err != nil {
		return nil, err
	}
	af.Limit = maxExport
	now := time.Now()
	as, _, err := s.rules.Alarms(r.Context(), who, af)
	if err != nil {
		return nil, err
	}
	h, rows := rules.AlarmsSheet(as, now)
	return sheetDownload(f, cmp.Or(af.Kind, "alarms"), now, h, rows)
}

func (s *Server) exportLoads(r *http.Request) (any, error) {
	f, err := format(cmp.Or(r.URL.Query().Get("format"), "csv"))
	if err != nil {
		return nil, err
	}
	v, err := s.loads(r)
	if err != nil {
		return nil, err
	}
	ls := v.(rules.Loads)
	h, rows := rules.LoadsSheet(ls)
	return sheetDownload(f, "loads-"+ls.USCC+"-"+ls.Outlet+"-"+strconv.Itoa(ls.Year), ls.AsOf, h, rows)
}

func (s *Server) exportGrids(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f, err := format(cmp.Or(q.Get("format"), "csv"))
	if err != nil {
		return nil, err
	}
	ef := registry.EnterpriseFilter{County: q.Get("county"), Park: q.Get("park"), Industry: q.Get("industry"), USCC: q.Get("uscc"), Limit: 10_000}
	now := time.Now()
	p, err := s.rules.Grids(r.Context(), who, ef, now)
	if err != nil {
		return nil, err
	}
	h, rows := rules.GridsSheet(p.Items, now)
	return sheetDownload(f, "compliance-"+cmp.Or(ef.USCC, ef.County, ef.Park, "all"), now, h, rows)
}
