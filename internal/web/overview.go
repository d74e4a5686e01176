package web

import (
	"net/http"
	"slices"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/web/i18n"
)

// countyRow is one county's figures on the overview.
type countyRow struct {
	registry.AdminUnit
	Enterprises, Operating, Loggers, Online, Open, Closures int
	Alarms                                                  int // open or acknowledged
}

type overviewData struct {
	Enterprises, Operating, Closed        int
	Loggers, Online                       int
	Campaigns                             int
	Rectifying, Reopened, ClosedOut, Open int
	Counties                              []*countyRow
	Map, Trend                            chart
}

// The measures the county map can show, in the order of its buttons.
var measures = []string{"enterprises", "online", "open", "closures", "alarms"}

func (s *Server) overview(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "overview", "overview", "overview.title"
	ctx := r.Context()
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	d := &overviewData{}
	byCode := map[string]*countyRow{}
	for _, u := range units {
		if u.Level == "county" {
			c := &countyRow{AdminUnit: u}
			d.Counties, byCode[u.Code] = append(d.Counties, c), c
		}
	}
	row := func(code string) *countyRow {
		if c := byCode[code]; c != nil {
			return c
		}
		return &countyRow{} // outside the nine: counted in the totals only
	}
	es, _, err := s.reg.Enterprises(ctx, v.Principal, registry.EnterpriseFilter{})
	if err != nil {
		return err
	}
	countyOf := make(map[string]string, len(es))
	for _, e := range es {
		countyOf[e.USCC] = e.County
		c := row(e.County)
		c.Enterprises++
		d.Enterprises++
		switch e.Status {
		case "operating":
			c.Operating++
			d.Operating++
		case "closed":
			d.Closed++
		}
	}
	loggers, err := s.mon.Loggers(ctx, v.Principal, s.now())
	if err != nil {
		return err
	}
	for _, lg := range loggers {
		c := row(countyOf[lg.USCC])
		c.Loggers++
		d.Loggers++
		if lg.Online {
			c.Online++
			d.Online++
		}
	}
	// A role that reads no campaigns or cases (a park's) sees the figures
	// it may read, without those.
	camps, err := s.comp.Campaigns(ctx, v.Principal)
	if err := allowed(err); err != nil {
		return err
	}
	d.Campaigns = len(camps)
	months := map[string]*compliance.Month{}
	for _, cp := range camps {
		st, err := s.comp.Stats(ctx, v.Principal, cp.ID, "")
		if err != nil {
			return err
		}
		d.ClosedOut += st.Total.ClosedOut
		d.Reopened += st.Total.Reopened
		d.Open += open(st.Total)
		for _, g := range st.ByCounty {
			c := row(g.Code)
			c.Open += open(g.Counts)
			c.Closures += g.Counts.Closed
		}
		for _, m := range st.Timeline {
			if months[m.Month] == nil {
				months[m.Month] = &compliance.Month{Month: m.Month}
			}
			x := months[m.Month]
			x.Surveyed, x.ClosedOut, x.Relapsed = x.Surveyed+m.Surveyed, x.ClosedOut+m.ClosedOut, x.Relapsed+m.Relapsed
		}
	}
	if _, d.Rectifying, err = s.comp.Cases(ctx, v.Principal, compliance.CaseFilter{State: compliance.Rectifying, Limit: 1}); allowed(err) != nil {
		return err
	}
	// Alarms by county (decision 0027): a count each, as the list counts them.
	for _, c := range d.Counties {
		if s.rules == nil {
			break
		}
		_, n, err := s.rules.Alarms(ctx, v.Principal, rules.AlarmFilter{States: []string{rules.Open, rules.Acknowledged}, County: c.Code, Limit: 1})
		if err := allowed(err); err != nil {
			return err
		}
		c.Alarms = n
	}
	l := v.Lang
	d.Map = chart{Map: true, Options: map[string]any{}}
	for _, m := range measures {
		var items []regionItem
		for _, c := range d.Counties {
			it := regionItem{Name: c.Name}
			switch m {
			case "enterprises":
				it.Value, it.URL = float64(c.Enterprises), "/enterprises?county="+c.Code
			case "online":
				it.Value, it.URL = float64(c.Online), "/monitoring"
			case "open":
				it.Value, it.URL = float64(c.Open), "/cases?county="+c.Code
			case "closures":
				it.Value, it.URL = float64(c.Closures), "/cases?disposition=close&county="+c.Code
			case "alarms":
				it.Value, it.URL = float64(c.Alarms), "/alarms?county="+c.Code
			}
			items = append(items, it)
		}
		d.Map.Options[m] = countyMap(l, i18n.T(l, "measure."+m), items, units)
	}
	d.Map.Option = d.Map.Options["enterprises"].(map[string]any)
	var keys []string
	for k := range months {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var surveyed, closedOut, relapsed []int
	for _, k := range keys {
		surveyed, closedOut, relapsed = append(surveyed, months[k].Surveyed), append(closedOut, months[k].ClosedOut), append(relapsed, months[k].Relapsed)
	}
	d.Trend = chart{Option: lineChart(i18n.T(l, "overview.trend"), keys, []any{
		obj{"type": "line", "name": i18n.T(l, "stats.surveyed"), "data": surveyed, "showSymbol": false},
		obj{"type": "line", "name": i18n.T(l, "stats.closed_out"), "data": closedOut, "showSymbol": false},
		obj{"type": "line", "name": i18n.T(l, "stats.relapsed"), "data": relapsed, "showSymbol": false},
	}, i18n.T(l, "unit.cases"))}
	v.Data = d
	return nil
}

// open counts the cases neither dismissed nor closed out.
func open(n compliance.Counts) int { return n.Surveyed - n.Dismissed - n.ClosedOut }
