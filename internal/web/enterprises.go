package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/web/i18n"
)

const pageSize = 50

type enterpriseRow struct {
	registry.Enterprise
	CountyName, IndustryName string
}

type enterprisesData struct {
	Q                 url.Values
	Counties          []registry.AdminUnit
	Parks             []registry.Park
	Items             []enterpriseRow
	Total, From, To   int
	Prev, Next        string // page links, "" at either end
	ExportCSV, Export string
	Map               chart
}

// enterprises is the registry's list, filtered as the API filters it,
// one page in the table and every match on the map.
func (s *Server) enterprises(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "enterprises", "enterprises", "enterprises.title"
	ctx, q := r.Context(), r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	parks, err := s.reg.Store().Parks(ctx)
	if err != nil {
		return err
	}
	d := &enterprisesData{Q: q, Parks: parks}
	names := map[string]string{}
	for _, u := range units {
		if u.Level == "county" {
			d.Counties = append(d.Counties, u)
		}
		names[u.Code] = u.Name
		if v.Lang == "en" {
			names[u.Code] = u.NameEn
		}
	}
	v.Data = d
	es, total, err := s.reg.Enterprises(ctx, v.Principal, registry.EnterpriseFilter{County: q.Get("county"), Park: q.Get("park"),
		Industry: q.Get("industry"), Size: q.Get("size"), Status: q.Get("status"), Q: strings.TrimSpace(q.Get("q"))})
	if err != nil {
		return err
	}
	d.Total, d.From, d.To = total, min(offset+1, total), min(offset+pageSize, total)
	for _, e := range es[min(offset, len(es)):d.To] {
		ind, _ := registry.IndustryName(e.IndustryCode)
		d.Items = append(d.Items, enterpriseRow{e, names[e.County], strings.TrimSpace(ind)})
	}
	link := func(off int) string {
		p := url.Values{}
		for k, vs := range q {
			if k != "offset" && len(vs) > 0 && vs[0] != "" {
				p.Set(k, vs[0])
			}
		}
		if off > 0 {
			p.Set("offset", strconv.Itoa(off))
		}
		return "/enterprises?" + p.Encode()
	}
	if offset > 0 {
		d.Prev = link(max(offset-pageSize, 0))
	}
	if offset+pageSize < total {
		d.Next = link(offset + pageSize)
	}
	d.ExportCSV, d.Export = "/api/v1/export/enterprises?format=csv", "/api/v1/export/enterprises?format=xlsx"
	d.Map = pointsMap(v.Lang, es, units)
	return nil
}

// pointsMap is the enterprises' locations on the county map, by status.
// The boundaries are GCJ-02 and the registry's points WGS84: the points
// are shifted to GCJ-02 to sit where the boundaries are (decision 0020).
func pointsMap(l string, es []registry.Enterprise, units []registry.AdminUnit) chart {
	byStatus := map[string][]any{}
	for _, e := range es {
		if e.Lon == 0 && e.Lat == 0 {
			continue
		}
		lon, lat := wgs84ToGCJ02(e.Lon, e.Lat)
		byStatus[e.Status] = append(byStatus[e.Status], obj{"name": e.Name, "value": []float64{round6(lon), round6(lat)}, "url": "/enterprises/" + e.USCC})
	}
	geo := obj{"map": "lishui", "roam": true, "itemStyle": obj{"areaColor": "#f3f6f4", "borderColor": "#8aa"},
		"emphasis": obj{"disabled": true}, "label": obj{"show": false}}
	if l == "en" {
		names := obj{}
		for _, u := range units {
			names[u.Name] = u.NameEn
		}
		geo["nameMap"] = names
	}
	var series []any
	for i, st := range []string{"operating", "suspended", "closed", "relocated"} {
		series = append(series, obj{"type": "scatter", "coordinateSystem": "geo", "name": i18n.T(l, "status."+st),
			"data": nonNil(byStatus[st]), "symbolSize": 4, "large": true, "itemStyle": obj{"color": statusColors[i]}})
	}
	return chart{Map: true, Option: obj{"geo": geo, "series": series, "legend": obj{"bottom": 4},
		"tooltip": obj{"trigger": "item"}}}
}

var statusColors = []string{"#1b7a5a", "#d08c00", "#b3261e", "#5b6bbf"}

func round6(f float64) float64 { return float64(int64(f*1e6+0.5)) / 1e6 }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// outletView is an outlet with its logger's latest values and charts.
type outletView struct {
	registry.Outlet
	Latest []monitoring.Reading
	Charts []namedChart
}

type namedChart struct {
	ID    string
	Chart chart
}

type enterpriseData struct {
	registry.Detail
	CountyName, IndustryName, ParkName string
	History                            []registry.Change
	Cases                              []compliance.Case
	Outlets                            []outletView
}

// enterprise is one enterprise: its registry records, history, cases,
// and each monitored outlet's last day as charts against its permit.
func (s *Server) enterprise(v *view, r *http.Request) error {
	v.page, v.Nav = "enterprise", "enterprises"
	ctx := r.Context()
	u := strings.ToUpper(strings.TrimSpace(r.PathValue("uscc")))
	if err := registry.CheckUSCC(u); err != nil {
		return err
	}
	det, err := s.reg.Detail(ctx, v.Principal, u)
	if err != nil {
		return err
	}
	v.TitleText = det.Name
	d := &enterpriseData{Detail: det}
	v.Data = d
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	if c, ok := registry.FindUnit(units, det.County); ok {
		d.CountyName = pickLang(v.Lang, c.Name, c.NameEn)
	}
	ind, _ := registry.IndustryName(det.IndustryCode)
	d.IndustryName = strings.TrimSpace(ind)
	if det.Park != "" {
		parks, err := s.reg.Store().Parks(ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(parks, func(p registry.Park) bool { return p.Code == det.Park }); i >= 0 {
			d.ParkName = parks[i].Name
		}
	}
	if d.History, err = s.reg.History(ctx, v.Principal, u); err != nil {
		return err
	}
	slices.Reverse(d.History) // newest first
	if d.Cases, _, err = s.comp.Cases(ctx, v.Principal, compliance.CaseFilter{USCC: u, Limit: 100}); allowed(err) != nil {
		return err
	}
	now := s.now()
	for _, o := range det.Outlets {
		ov := outletView{Outlet: o}
		if o.MN != "" {
			if ov.Latest, ov.Charts, err = s.outletData(r, v.Lang, det, o, now); err != nil {
				return err
			}
		}
		d.Outlets = append(d.Outlets, ov)
	}
	return nil
}

// chartSpan is how far back an outlet's charts go: minute means of six
// hours, 360 points a pollutant, within one page of rollups (10,000) for
// up to 27 pollutants.
const chartSpan = 6 * time.Hour

// outletData reads an outlet's latest real-time values (last 15 minutes)
// and its minute rollups of the last chartSpan: one chart per pollutant,
// the permit's concentration limit as a line where the permit sets one.
func (s *Server) outletData(r *http.Request, l string, det registry.Detail, o registry.Outlet, now time.Time) ([]monitoring.Reading, []namedChart, error) {
	ctx := r.Context()
	rs, err := s.mon.Readings(ctx, who(r), monitoring.Range{USCC: det.USCC, Outlet: o.OutletCode, CN: monitoring.RealTime,
		From: now.Add(-15 * time.Minute), To: now, Limit: 5000})
	if err != nil {
		return nil, nil, err
	}
	latest := map[string]monitoring.Reading{}
	for _, x := range rs {
		latest[x.Code] = x
	}
	var lv []monitoring.Reading
	for _, x := range latest {
		lv = append(lv, x)
	}
	slices.SortFunc(lv, func(a, b monitoring.Reading) int { return strings.Compare(a.Code, b.Code) })
	ups, err := s.mon.Rollups(ctx, who(r), monitoring.Minute, monitoring.Range{USCC: det.USCC, Outlet: o.OutletCode,
		From: now.Add(-chartSpan), To: now, Limit: 10000})
	if err != nil {
		return nil, nil, err
	}
	// Times go to the chart as China Standard Time's wall clock, which
	// ECharts shows as written whatever the browser's time zone.
	byCode, top := map[string][]any{}, map[string]float64{}
	var codes []string
	for _, x := range ups {
		if byCode[x.Code] == nil {
			codes = append(codes, x.Code)
		}
		byCode[x.Code] = append(byCode[x.Code], []any{x.Start.In(cst.Zone).Format("2006-01-02 15:04:05"), round6(x.Avg())})
		top[x.Code] = max(top[x.Code], x.Avg())
	}
	slices.Sort(codes)
	var charts []namedChart
	for _, code := range codes {
		name, unit := code, ""
		if p, ok := hj212.LookupPollutant(code); ok {
			name, unit = pickLang(l, p.Name, p.NameEn)+" ("+code+")", p.Unit
		}
		series := obj{"type": "line", "name": i18n.T(l, "outlet.minute_mean"), "data": byCode[code], "showSymbol": false}
		for _, pl := range det.Permits {
			if pl.OutletCode == o.OutletCode && pl.PollutantCode == code && pl.LimitConcentration > 0 {
				series["markLine"] = obj{"symbol": "none", "lineStyle": obj{"color": "#b3261e", "type": "dashed"},
					"label": obj{"position": "insideEndTop", "formatter": i18n.T(l, "outlet.limit") + " " + value(pl.LimitConcentration) + " " + pl.LimitUnit},
					"data":  []any{obj{"yAxis": pl.LimitConcentration, "name": i18n.T(l, "outlet.limit")}}}
				if unit == "" {
					unit = pl.LimitUnit
				}
			}
		}
		opt := lineChart(name, nil, []any{series}, unit)
		// The window shows whole, data or none: a logger that has just
		// started, or fell silent, is seen as such.
		opt["xAxis"].(obj)["min"], opt["xAxis"].(obj)["max"] = now.Add(-chartSpan).In(cst.Zone).Format("2006-01-02 15:04:05"), now.In(cst.Zone).Format("2006-01-02 15:04:05")
		for _, pl := range det.Permits {
			// The limit line shows even above the values: the axis reaches it.
			if pl.OutletCode == o.OutletCode && pl.PollutantCode == code && pl.LimitConcentration > top[code] {
				opt["yAxis"].(obj)["max"] = niceCeil(pl.LimitConcentration * 1.1)
			}
		}
		charts = append(charts, namedChart{ID: "chart-" + o.OutletCode + "-" + code, Chart: chart{Option: opt}})
	}
	return lv, charts, nil
}

func pickLang(l, zh, en string) string {
	if l == "en" && en != "" {
		return en
	}
	return zh
}

// niceCeil rounds f up to two significant digits, for an axis's end.
func niceCeil(f float64) float64 {
	if f <= 0 {
		return f
	}
	p := math.Pow(10, math.Floor(math.Log10(f))-1)
	return math.Ceil(f/p) * p
}
