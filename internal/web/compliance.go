package web

import (
	"net/http"
	"net/url"
	"strconv"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// The compliance pages (decision 0026): an enterprise's twelve quarters
// and its loads against its permits, and a county's grid; each with its
// downloads, which the API's export routes make as of the time asked.

// gridStatuses are the legend's statuses, worst first, and the SNC mark.
var gridStatuses = []string{rules.StatusExceedance, rules.StatusDataGap, rules.StatusDataQuality, rules.StatusCompliant}

type outletLoads struct {
	Outlet     registry.Outlet
	Loads      rules.Loads
	Charts     []namedChart
	ExportCSV  string
	ExportXLSX string
}

type complianceData struct {
	Enterprise registry.Enterprise
	Grid       rules.Grid
	Statuses   []string
	Year       int
	Years      []int
	Outlets    []outletLoads
	Downloads  []download
}

// download is a link to a file the API makes.
type download struct {
	ID, Label, Href string
}

// downloads are a table's CSV and XLSX links: href's query with format.
func downloads(id, label, path string, q url.Values) []download {
	var ds []download
	for _, f := range []string{"csv", "xlsx"} {
		p := url.Values{}
		for k, v := range q {
			p[k] = v
		}
		p.Set("format", f)
		ds = append(ds, download{ID: id + "-" + f, Label: label + "." + f, Href: path + "?" + p.Encode()})
	}
	return ds
}

// enterpriseCompliance is an enterprise's grid, and each outlet's loads of
// a year against its permits, with a chart per permitted pollutant.
func (s *Server) enterpriseCompliance(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "compliance", "compliance", "compliance.title"
	if s.rules == nil {
		return noAlarms
	}
	ctx, uscc, now := r.Context(), r.PathValue("uscc"), s.now()
	det, err := s.reg.Detail(ctx, v.Principal, uscc)
	if err != nil {
		return err
	}
	d := &complianceData{Enterprise: det.Enterprise, Statuses: gridStatuses, Year: now.In(cst.Zone).Year()}
	v.Data, v.TitleText = d, det.Name
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= d.Year {
		d.Year = y
	}
	for y := now.In(cst.Zone).Year(); y > now.In(cst.Zone).Year()-5; y-- {
		d.Years = append(d.Years, y)
	}
	if d.Grid, err = s.rules.Compliance(ctx, v.Principal, uscc, now); err != nil {
		return err
	}
	q := url.Values{"uscc": {uscc}}
	d.Downloads = append(downloads("grid", "compliance", "/api/v1/compliance/export", q),
		append(downloads("alarms", "alarms", "/api/v1/alarms/export", q),
			downloads("exceedances", "exceedances", "/api/v1/alarms/export", url.Values{"uscc": {uscc}, "kind": {rules.Exceedance}})...)...)
	for _, o := range det.Outlets {
		ls, err := s.rules.Loads(ctx, v.Principal, uscc, o.OutletCode, d.Year, now)
		if err != nil {
			return err
		}
		ol := outletLoads{Outlet: o, Loads: ls}
		path := "/api/v1/outlets/" + url.PathEscape(uscc) + "/" + url.PathEscape(o.OutletCode) + "/loads/export"
		yq := url.Values{"year": {strconv.Itoa(d.Year)}}
		ds := downloads("loads-"+o.OutletCode, "loads", path, yq)
		ol.ExportCSV, ol.ExportXLSX = ds[0].Href, ds[1].Href
		for _, p := range ls.Pollutants {
			ol.Charts = append(ol.Charts, namedChart{ID: "load-" + o.OutletCode + "-" + p.Code, Chart: chart{Option: loadChart(v.Lang, p)}})
		}
		d.Outlets = append(d.Outlets, ol)
	}
	return nil
}

// loadChart is a pollutant's months and their running sum, in kg, against
// the permit's annual quantity (a line where there is one).
func loadChart(l string, p rules.PollutantLoad) map[string]any {
	var months []string
	var each, sum []float64
	total := 0.0
	for _, m := range p.Months {
		total += m.KG
		months, each, sum = append(months, m.Month), append(each, round6(m.KG)), append(sum, round6(total))
	}
	running := obj{"type": "line", "name": pickLang(l, "累计", "year to date"), "data": sum}
	if p.PermitQuantityT > 0 {
		running["markLine"] = obj{"symbol": "none", "lineStyle": obj{"color": "#c0392b", "type": "dashed"},
			"label": obj{"formatter": pickLang(l, "许可量 ", "permitted ") + strconv.FormatFloat(p.PermitQuantityT*1000, 'f', -1, 64) + " kg"},
			"data":  []any{obj{"yAxis": p.PermitQuantityT * 1000}}}
	}
	opt := lineChart(pickLang(l, p.Name, p.NameEn)+" "+p.Code, nonNil(months),
		[]any{obj{"type": "bar", "name": pickLang(l, "当月", "month"), "data": nonNil(each)}, running}, "kg")
	if p.PermitQuantityT > 0 {
		opt["yAxis"].(obj)["max"] = niceCeil(max(p.PermitQuantityT*1000, total) * 1.1)
	}
	return opt
}

type gridsData struct {
	Q          url.Values
	Counties   []registry.AdminUnit
	Statuses   []string
	Quarters   []string
	Page       rules.GridPage
	From, To   int
	Prev, Next string
	Downloads  []download
}

// countyGrids is the grids of a page of enterprises, by county.
func (s *Server) countyGrids(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "grids", "compliance", "grids.title"
	if s.rules == nil {
		return noAlarms
	}
	ctx, q := r.Context(), r.URL.Query()
	d := &gridsData{Q: q, Statuses: gridStatuses}
	v.Data = d
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Level == "county" {
			d.Counties = append(d.Counties, u)
		}
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := registry.EnterpriseFilter{County: q.Get("county"), Limit: pageSize, Offset: offset}
	if d.Page, err = s.rules.Grids(ctx, v.Principal, f, s.now()); err != nil {
		return err
	}
	if len(d.Page.Items) > 0 {
		for _, x := range d.Page.Items[0].Quarters {
			d.Quarters = append(d.Quarters, x.Quarter)
		}
	}
	d.From, d.To = min(offset+1, d.Page.Total), min(offset+len(d.Page.Items), d.Page.Total)
	link := func(off int) string {
		p := url.Values{"offset": {strconv.Itoa(off)}}
		if c := q.Get("county"); c != "" {
			p.Set("county", c)
		}
		return "/compliance?" + p.Encode()
	}
	if offset > 0 {
		d.Prev = link(max(offset-pageSize, 0))
	}
	if offset+pageSize < d.Page.Total {
		d.Next = link(offset + pageSize)
	}
	dq := url.Values{}
	if c := q.Get("county"); c != "" {
		dq.Set("county", c)
	}
	d.Downloads = downloads("grids", "compliance", "/api/v1/compliance/export", dq)
	return nil
}
