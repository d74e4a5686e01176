package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/web/i18n"
)

// effluentDays are the chart's spans on offer; the first is the default.
var effluentDays = []int{7, 1, 30, 90}

type effluentData struct {
	USCC, Name, Outlet, Code string
	Codes                    []string // the outlet's pollutants: its permit's and those with data
	Days                     []int
	Span                     int
	Limit                    rules.Limit
	HasLimit                 bool
	Alarms                   []rules.Alarm // the exceedances drawn
	Chart                    chart
}

// effluent is ECHO's effluent chart for one outlet and pollutant (decision
// 0027): the hourly values of the span from the rollups (ours where the
// hour has real-time data, else the logger's own hourly data), the limit
// the rules judge by as a line with where it came from, and the
// exceedance alarms as marked areas.
func (s *Server) effluent(v *view, r *http.Request) error {
	v.page, v.Nav = "effluent", "alarms"
	if s.rules == nil {
		return noAlarms
	}
	ctx, q := r.Context(), r.URL.Query()
	u, outlet := strings.ToUpper(r.PathValue("uscc")), r.PathValue("outlet")
	if err := registry.CheckUSCC(u); err != nil {
		return err
	}
	det, err := s.reg.Detail(ctx, v.Principal, u)
	if err != nil {
		return err
	}
	d := &effluentData{USCC: u, Name: det.Name, Outlet: outlet, Days: effluentDays, Span: effluentDays[0]}
	v.Data, v.TitleText = d, det.Name+" "+outlet
	if n, err := strconv.Atoi(q.Get("days")); err == nil && slices.Contains(effluentDays, n) {
		d.Span = n
	}
	for _, p := range det.Permits {
		if p.OutletCode == outlet && p.PollutantCode != "" && !slices.Contains(d.Codes, p.PollutantCode) {
			d.Codes = append(d.Codes, p.PollutantCode)
		}
	}
	now := s.now()
	from := now.Add(-time.Duration(d.Span) * 24 * time.Hour).Truncate(time.Hour)
	// Ours and the logger's hours, all pollutants: the choice of pollutant
	// offers those with data too.
	ups, err := s.mon.Rollups(ctx, v.Principal, monitoring.Hour, monitoring.Range{USCC: u, Outlet: outlet, From: from, To: now, Limit: 10000})
	if err != nil {
		return err
	}
	logger, err := s.mon.Rollups(ctx, v.Principal, monitoring.Hour, monitoring.Range{USCC: u, Outlet: outlet, CN: "2061", From: from, To: now, Limit: 10000})
	if err != nil {
		return err
	}
	for _, x := range append(ups, logger...) {
		if !slices.Contains(d.Codes, x.Code) {
			d.Codes = append(d.Codes, x.Code)
		}
	}
	slices.Sort(d.Codes)
	d.Code = q.Get("pollutant")
	if !slices.Contains(d.Codes, d.Code) {
		d.Code = ""
		if len(d.Codes) > 0 {
			d.Code = d.Codes[0]
		}
	}
	if d.Code == "" {
		return nil
	}
	values := map[time.Time]float64{}
	for _, x := range logger {
		if x.Code == d.Code && x.Count > 0 {
			values[x.Start] = x.Avg()
		}
	}
	for _, x := range ups { // ours win where the hour has some
		if x.Code == d.Code && x.Count > 0 {
			values[x.Start] = x.Avg()
		}
	}
	hours := make([]time.Time, 0, len(values))
	for t := range values {
		hours = append(hours, t)
	}
	slices.SortFunc(hours, func(a, b time.Time) int { return a.Compare(b) })
	wall := func(t time.Time) string { return t.In(cst.Zone).Format("2006-01-02 15:04:05") }
	points := make([]any, 0, len(hours))
	top := 0.0
	for _, t := range hours {
		points = append(points, []any{wall(t), round6(values[t])})
		top = max(top, values[t])
	}
	if d.Limit, d.HasLimit, err = s.rules.Limit(ctx, v.Principal, u, outlet, d.Code, now); err != nil {
		return err
	}
	// Exceedances that started up to 31 days before the span may reach into it.
	as, _, err := s.rules.Alarms(ctx, v.Principal, rules.AlarmFilter{Kind: rules.Exceedance, USCC: u, Outlet: outlet, Pollutant: d.Code,
		From: from.AddDate(0, 0, -31), Limit: 1000})
	if err != nil {
		return err
	}
	l := v.Lang
	name, unit := d.Code, d.Limit.Unit
	if p, ok := hj212.LookupPollutant(d.Code); ok {
		name, unit = pickLang(l, p.Name, p.NameEn)+" ("+d.Code+")", p.Unit
	}
	series := obj{"type": "line", "name": i18n.T(l, "effluent.hourly"), "data": points, "showSymbol": len(points) < 50, "connectNulls": false}
	if d.HasLimit {
		label := i18n.T(l, "outlet.limit") + " " + value(d.Limit.Value) + " " + d.Limit.Unit + " · " + d.Limit.Source
		series["markLine"] = obj{"symbol": "none", "lineStyle": obj{"color": "#b3261e", "type": "dashed"},
			"label": obj{"position": "insideEndTop", "formatter": label}, "data": []any{obj{"yAxis": d.Limit.Value, "name": label}}}
		top = max(top, d.Limit.Value*1.1)
	}
	var areas []any
	for _, a := range as {
		if !a.EndedAt.After(from) {
			continue
		}
		d.Alarms = append(d.Alarms, a)
		areas = append(areas, []any{
			obj{"name": "#" + strconv.FormatInt(a.ID, 10) + " " + value(a.Multiple) + "×", "xAxis": wall(later(a.StartedAt, from))},
			obj{"xAxis": wall(a.EndedAt)}})
	}
	if len(areas) > 0 {
		series["markArea"] = obj{"itemStyle": obj{"color": "rgba(179,38,30,0.15)"}, "label": obj{"position": "insideTop", "fontSize": 10}, "data": areas}
	}
	opt := lineChart(name, nil, []any{series}, unit)
	opt["xAxis"].(obj)["min"], opt["xAxis"].(obj)["max"] = wall(from), wall(now)
	if top > 0 {
		opt["yAxis"].(obj)["max"] = niceCeil(top)
	}
	d.Chart = chart{Option: opt}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
