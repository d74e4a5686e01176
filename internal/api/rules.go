package api

import (
	"cmp"
	"io"
	"net/http"
	"net/url"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/rules"
)

func (s *Server) rulesRoutes() []route {
	if s.rules == nil {
		return nil
	}
	return []route{
		{method: "GET", pattern: "/api/v1/standards", summary: "The emission standards' catalogue in force (排放标准): the imported one, or the one built in",
			handle: s.standards, resp: rules.CatalogueView{}},
		{method: "POST", pattern: "/api/v1/standards", summary: "Replace the catalogue with a CSV file, whole: a file with any problem is refused with each one's place, the catalogue in force staying",
			handle: s.importStandards, limit: 8 << 20, body: upload{}, resp: imported{},
			query: []param{{"name", "string", "file name for the problems (default upload.csv)"}}},
		{method: "GET", pattern: "/api/v1/alarms", summary: "Alarms (告警): exceedances and data gaps, newest first, those of the enterprises one may see",
			handle: s.alarms, resp: alarmPage{}, query: []param{
				{"state", "string", "open, acknowledged or resolved"}, {"kind", "string", "exceedance, data_gap, flat_line, flag, out_of_range, clock, magnitude, duplicate_series, unknown_limit or hourly_mismatch"},
				{"county", "string", "GB/T 2260 code"}, {"uscc", "string", "an enterprise"}, {"outlet", "string", "an outlet code"},
				{"pollutant", "string", "HJ 212-2017 code"},
				{"from", "string", "started at or after: RFC 3339 or YYYY-MM-DD[Thh:mm] in China Standard Time"}, {"to", "string", "started before"},
				{"limit", "integer", "page size, 1 to 1000 (default 100)"}, {"offset", "integer", "alarms to skip (default 0)"}}},
		{method: "GET", pattern: "/api/v1/alarms/stream", summary: "Alarms as they are raised and change (server-sent events, event \"alarm\", id the change's seq), " +
			"those of the enterprises one may see that the query passes; Last-Event-ID resumes",
			own: s.alarmStream, resp: eventsOf{rules.Alarm{}}, query: []param{
				{"state", "string", "open, acknowledged or resolved"}, {"kind", "string", "a kind of alarm, as for /api/v1/alarms"},
				{"county", "string", "GB/T 2260 code"}, {"uscc", "string", "an enterprise"}, {"outlet", "string", "an outlet code"},
				{"pollutant", "string", "HJ 212-2017 code"}, {"from", "string", "started at or after"}, {"to", "string", "started before"},
				{"last_event_id", "integer", "resume after this event (as the Last-Event-ID header)"}}},
		{method: "GET", pattern: "/api/v1/alarms/{id}", summary: "An alarm with its evidence", handle: s.alarm, resp: rules.Alarm{}},
		{method: "POST", pattern: "/api/v1/alarms/{id}/acknowledge", summary: "Acknowledge an open alarm; version is the one read",
			handle: s.alarmStep(false), body: alarmStep{}, resp: rules.Alarm{}},
		{method: "POST", pattern: "/api/v1/alarms/{id}/resolve", summary: "Resolve an alarm with the reason; version is the one read",
			handle: s.alarmStep(true), body: alarmStep{}, resp: rules.Alarm{}},
	}
}

type imported struct {
	Rows int `json:"rows"`
}

type alarmPage struct {
	Items []rules.Alarm `json:"items"`
	// Total is exact up to 1,000 (or the page's end, if further); past
	// that TotalCapped says there are more.
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped"`
	Limit       int  `json:"limit"`
	Offset      int  `json:"offset"`
}

type alarmStep struct {
	Version int    `json:"version"`
	Comment string `json:"comment,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) standards(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.rules.Standards(r.Context(), who)
}

func (s *Server) importStandards(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	n, err := s.rules.ImportStandards(r.Context(), who, cmp.Or(r.URL.Query().Get("name"), "upload.csv"), b)
	return imported{n}, err
}

func (s *Server) alarms(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	f, err := alarmFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return nil, err
	}
	as, total, err := s.rules.Alarms(r.Context(), who, f)
	if as == nil {
		as = []rules.Alarm{}
	}
	upTo := rules.CountUpTo(f)
	return alarmPage{Items: as, Total: min(total, upTo), TotalCapped: total > upTo, Limit: f.Limit, Offset: f.Offset}, err
}

func (s *Server) alarm(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.rules.Alarm(r.Context(), who, id)
}

func (s *Server) alarmStep(resolve bool) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		who, err := principal(r)
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var b alarmStep
		if err := readBody(r, &b); err != nil {
			return nil, err
		}
		if resolve {
			return s.rules.Resolve(r.Context(), who, id, b.Version, b.Reason)
		}
		return s.rules.Acknowledge(r.Context(), who, id, b.Version, b.Comment)
	}
}

// alarmFilter is the filter of the alarms' query (but its page): of the
// list, the stream and the downloads.
func alarmFilter(q url.Values) (rules.AlarmFilter, error) {
	f := rules.AlarmFilter{Kind: q.Get("kind"), County: q.Get("county"), USCC: q.Get("uscc"), Outlet: q.Get("outlet"), Pollutant: q.Get("pollutant")}
	if st := q.Get("state"); st != "" {
		f.States = []string{st}
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			var err error
			if *p.t, err = parseTime(v); err != nil {
				return f, apperr.Newf(apperr.Invalid, "parameter %s: %q is not a time", "参数 %s：%q 不是有效时间", p.name, v)
			}
		}
	}
	return f, nil
}
