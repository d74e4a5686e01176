package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
)

var rangeQuery = []param{
	{"from", "string", "start of the time range, RFC 3339 or YYYY-MM-DD[Thh:mm] in China Standard Time (default: 24 hours before to)"},
	{"to", "string", "end of the time range, exclusive (default: now)"},
	{"limit", "integer", "page size, 1 to 10000 (default 1000)"},
	{"offset", "integer", "records to skip (default 0)"},
}

func (s *Server) monitoringRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/outlets/{uscc}/{outlet}/readings", summary: "An outlet's readings by data time: real-time (2011) and the logger's own minute, hour and day data (2051, 2061, 2031)",
			handle: s.readings, resp: itemsOf{monitoring.Reading{}},
			query: append([]param{{"cn", "string", "one command's data: 2011, 2051, 2061 or 2031"}, {"code", "string", "one pollutant (HJ 212-2017 code)"}}, rangeQuery...)},
		{method: "GET", pattern: "/api/v1/outlets/{uscc}/{outlet}/rollups", summary: "An outlet's rollups: ours (minute, hour, day) of its real-time values, or its logger's own hourly and daily data",
			handle: s.rollups, resp: itemsOf{monitoring.Rollup{}},
			query: append([]param{{"period", "string", "minute, hour (default) or day"}, {"cn", "string", "whose: 2011 ours (default), 2061 the logger's hourly data (period hour), 2031 its daily data (period day)"},
				{"code", "string", "one pollutant (HJ 212-2017 code)"}}, rangeQuery...)},
		{method: "GET", pattern: "/api/v1/loggers/{mn}/frames", summary: "The frames received from a data logger, as received but for the password (PW=******), by receive time",
			handle: s.frames, resp: itemsOf{monitoring.RawFrame{}}, query: rangeQuery},
	}
}

// timeRange reads from, to, limit and offset.
func timeRange(q url.Values) (monitoring.Range, error) {
	r := monitoring.Range{To: time.Now()}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"to", &r.To}, {"from", &r.From}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil {
			return r, apperr.Newf(apperr.Invalid, "parameter %s: %q is not a time (RFC 3339, or YYYY-MM-DD[Thh:mm] in China Standard Time)",
				"参数 %s：%q 不是有效时间（RFC 3339，或北京时间 YYYY-MM-DD[Thh:mm]）", p.name, v)
		}
		*p.t = t
	}
	if r.From.IsZero() {
		r.From = r.To.Add(-24 * time.Hour)
	}
	if !r.From.Before(r.To) {
		return r, apperr.New(apperr.Invalid, "from must be before to", "起始时间须早于结束时间")
	}
	var err error
	if r.Limit, err = intParam(q, "limit", 1000, 1, 10000); err != nil {
		return r, err
	}
	r.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1)
	return r, err
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(l, v, cst.Zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.New(apperr.Invalid, "not a time", "不是有效时间")
}

// outletRange reads the outlet of the path and the range of the query.
func outletRange(r *http.Request) (monitoring.Range, error) {
	q := r.URL.Query()
	rg, err := timeRange(q)
	if err != nil {
		return rg, err
	}
	rg.USCC, rg.Outlet = strings.ToUpper(r.PathValue("uscc")), r.PathValue("outlet")
	if err := registry.CheckUSCC(rg.USCC); err != nil {
		return rg, err
	}
	rg.CN, rg.Code = q.Get("cn"), q.Get("code")
	return rg, nil
}

func (s *Server) readings(r *http.Request) (any, error) {
	rg, err := outletRange(r)
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	rs, err := s.mon.Readings(r.Context(), who, rg)
	return list{nonNil(rs)}, err
}

func (s *Server) rollups(r *http.Request) (any, error) {
	rg, err := outletRange(r)
	if err != nil {
		return nil, err
	}
	p := monitoring.Period(r.URL.Query().Get("period"))
	switch p {
	case "":
		p = monitoring.Hour
	case monitoring.Minute, monitoring.Hour, monitoring.Day:
	default:
		return nil, apperr.Newf(apperr.Invalid, "parameter period: want minute, hour or day, got %q", "参数 period 应为 minute、hour 或 day，实为 %q", p)
	}
	switch rg.CN {
	case "", monitoring.RealTime, "2061", "2031":
	default:
		return nil, apperr.Newf(apperr.Invalid, "parameter cn: want 2011, 2061 or 2031, got %q", "参数 cn 应为 2011、2061 或 2031，实为 %q", rg.CN)
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	rs, err := s.mon.Rollups(r.Context(), who, p, rg)
	return list{nonNil(rs)}, err
}

func (s *Server) frames(r *http.Request) (any, error) {
	rg, err := timeRange(r.URL.Query())
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	fs, err := s.mon.Frames(r.Context(), who, r.PathValue("mn"), rg)
	return list{nonNil(fs)}, err
}
