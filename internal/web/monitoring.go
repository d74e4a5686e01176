package web

import (
	"net/http"
	"time"

	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
)

type loggerRow struct {
	monitoring.Logger
	Name string
}

type frameRow struct {
	monitoring.Checked
	Name string
}

type monitoringData struct {
	Registered, Seen, Online int
	Loggers                  []loggerRow // offline first
	Frames                   []frameRow
	Window                   time.Duration
}

// monitoring is the loggers' state from their latest frames, offline
// first, and the frames received last.
func (s *Server) monitoring(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "monitoring", "monitoring", "monitoring.title"
	ctx := r.Context()
	d := &monitoringData{Window: monitoring.OnlineWindow}
	v.Data = d
	names, err := s.enterpriseNames(r)
	if err != nil {
		return err
	}
	k, _ := registry.KindByName("outlets")
	outlets, err := s.reg.List(ctx, v.Principal, k, "")
	if err != nil {
		return err
	}
	for _, o := range outlets {
		if o, ok := o.(registry.Outlet); ok && o.MN != "" {
			d.Registered++
		}
	}
	loggers, err := s.mon.Loggers(ctx, v.Principal, s.now())
	if err != nil {
		return err
	}
	d.Seen = len(loggers)
	var on []loggerRow
	for _, lg := range loggers {
		row := loggerRow{lg, names[lg.USCC]}
		if lg.Online {
			d.Online++
			on = append(on, row)
		} else {
			d.Loggers = append(d.Loggers, row)
		}
	}
	d.Loggers = append(d.Loggers, on...)
	fs, err := s.mon.LatestFrames(ctx, v.Principal, 30)
	if err != nil {
		return err
	}
	d.Frames = named(fs, names)
	return nil
}

func named(fs []monitoring.Checked, names map[string]string) []frameRow {
	out := make([]frameRow, len(fs))
	for i, f := range fs {
		out[i] = frameRow{f, names[f.USCC]}
	}
	return out
}

// enterpriseNames names every enterprise the principal may see, in one read.
func (s *Server) enterpriseNames(r *http.Request) (map[string]string, error) {
	return s.names(r, registry.EnterpriseFilter{})
}

// namesOf names the enterprises of usccs the principal may see, one
// look-up each: a page of a few, not the registry.
func (s *Server) namesOf(r *http.Request, usccs []string) (map[string]string, error) {
	names := map[string]string{}
	for _, u := range usccs {
		if _, done := names[u]; !done {
			n, err := s.names(r, registry.EnterpriseFilter{USCC: u})
			if err != nil {
				return nil, err
			}
			names[u] = n[u]
		}
	}
	return names, nil
}

func (s *Server) names(r *http.Request, f registry.EnterpriseFilter) (map[string]string, error) {
	es, _, err := s.reg.Enterprises(r.Context(), who(r), f)
	names := make(map[string]string, len(es))
	for _, e := range es {
		names[e.USCC] = e.Name
	}
	return names, err
}

type loggerData struct {
	MN     string
	Name   string
	USCC   string
	Hours  int
	Frames []frameRow
}

// logger is one logger's frames of the last hours (?hours=, 1 to 24),
// newest first, each with its raw text and decoding warnings.
func (s *Server) logger(v *view, r *http.Request) error {
	v.page, v.Nav = "logger", "monitoring"
	mn := r.PathValue("mn")
	v.TitleText = mn
	hours := 1
	switch r.URL.Query().Get("hours") {
	case "6":
		hours = 6
	case "24":
		hours = 24
	}
	d := &loggerData{MN: mn, Hours: hours}
	v.Data = d
	now := s.now()
	fs, err := s.mon.CheckedFrames(r.Context(), v.Principal, mn, monitoring.Range{From: now.Add(-time.Duration(hours) * time.Hour), To: now.Add(time.Minute), Limit: 10000})
	if err != nil {
		return err
	}
	if len(fs) > 200 {
		fs = fs[len(fs)-200:]
	}
	for i, j := 0, len(fs)-1; i < j; i, j = i+1, j-1 {
		fs[i], fs[j] = fs[j], fs[i]
	}
	var usccs []string
	for _, f := range fs {
		usccs = append(usccs, f.USCC)
	}
	names, err := s.namesOf(r, usccs)
	if err != nil {
		return err
	}
	d.Frames = named(fs, names)
	if len(fs) > 0 {
		d.USCC, d.Name = fs[0].USCC, names[fs[0].USCC]
	}
	return nil
}
