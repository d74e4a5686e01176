package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/raster/geotiff"
	"ecoindustry/internal/web/i18n"
)

// The GEP pages (decision 0033): the account runs with their provenance,
// the account per county and service, charts and maps of it, value
// rasters as images, and the ecological product purchases with their
// payments priced on the accounts.

// WithGEP gives the pages the GEP runs and purchases; without it their
// pages say they are not available.
// dataDir is the server's data directory, where the demo's scenario is.
func WithGEP(runs *gep.Service, purchases *gep.PurchaseService, dataDir string) func(*Server) {
	return func(s *Server) { s.gep, s.purch, s.dataDir = runs, purchases, dataDir }
}

var noGEP = apperr.New(apperr.NotFound, "GEP accounting is not available on this server", "本服务未提供 GEP 核算")

// gepServices are the account's services in the order of the tables
// and charts (decision 0030): material, regulating, cultural.
var gepServices = []string{"material_products", "water_conservation", "soil_retention", "flood_regulation", "water_purification",
	"air_purification", "carbon_oxygen", "climate_regulation", "tourism"}

// serviceSum is a zone's value of one service.
type serviceSum struct {
	Service string
	Value   float64
}

// byService sums a zone's lines by service, in gepServices' order.
func byService(z *gep.ZoneAccount) []serviceSum {
	var out []serviceSum
	for _, s := range gepServices {
		sum, ok := 0.0, false
		for _, r := range z.Rows {
			if r.Service == s {
				sum, ok = sum+r.Value, true
			}
		}
		if ok {
			out = append(out, serviceSum{s, sum})
		}
	}
	return out
}

// yi is yuan in 亿元 (10⁸ yuan), as the accounts are published; wan in
// 万元 (10⁴ yuan), as the account's lines and payments are.
func yi(v float64) string  { return strconv.FormatFloat(v/1e8, 'f', 2, 64) }
func wan(v float64) string { return strconv.FormatFloat(v/1e4, 'f', 2, 64) }

type gepData struct {
	Runs      []gep.RunView
	Run       *gep.RunView // the run whose account is shown
	Region    *gep.ZoneAccount
	Counties  []gep.ZoneAccount
	Services  []serviceSum
	ByService chart
	Map       chart
	Scenario  *scenarioView
}

// Yi is a value in 亿元.
func (gepData) Yi(v float64) string { return yi(v) }

// Progress is a run's progress in per cent.
func (gepData) Progress(p float64) string { return strconv.FormatFloat(100*p, 'f', 0, 64) + "%" }

// gepPage lists the runs and shows a done run's account (?run=, else
// the newest done one): per county, by service, on the map.
func (s *Server) gepPage(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "gep", "gep", "gep.title"
	if s.gep == nil {
		return noGEP
	}
	ctx, l := r.Context(), v.Lang
	runs, err := s.gep.Runs(ctx, v.Principal)
	if err != nil {
		return err
	}
	d := &gepData{Runs: runs}
	v.Data = d
	want, _ := strconv.ParseInt(r.URL.Query().Get("run"), 10, 64)
	for _, run := range runs {
		if run.Status == gep.Done && (want == 0 || run.ID == want) {
			full, err := s.gep.Run(ctx, v.Principal, run.ID)
			if err != nil {
				return err
			}
			d.Run = &full
			break
		}
	}
	if d.Run == nil || d.Run.Account == nil || len(d.Run.Account.Zones) == 0 {
		d.Scenario = s.scenario(nil)
		return nil
	}
	acc := d.Run.Account
	d.Region = &acc.Zones[0]
	for _, z := range acc.Zones[1:] {
		if z.Level == "county" {
			d.Counties = append(d.Counties, z)
		}
	}
	d.Services = byService(d.Region)
	var names []string
	var values []any
	for _, ss := range d.Services {
		names = append(names, i18n.T(l, "gep.svc."+ss.Service))
		values = append(values, math.Round(ss.Value/1e6)/100)
	}
	d.ByService = chart{Option: barChart(i18n.T(l, "gep.by_service")+" · "+i18n.T(l, "gep.yi"), names, values)}
	var items []regionItem
	for _, z := range d.Counties {
		items = append(items, regionItem{Name: z.Name, Value: math.Round(z.GEP/1e6) / 100,
			URL: fmt.Sprintf("/gep/runs/%d?zone=%d", d.Run.ID, z.Code)})
	}
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	d.Map = chart{Map: true, Option: countyMap(l, i18n.T(l, "gep.map")+" · "+i18n.T(l, "gep.yi"), items, units)}
	byCode := map[int64]string{}
	for _, z := range d.Counties {
		byCode[z.Code] = z.Name
	}
	d.Scenario = s.scenario(byCode)
	return nil
}

// barChart is a horizontal bar per category, longest at the top.
func barChart(title string, categories []string, values []any) map[string]any {
	slices.Reverse(categories)
	slices.Reverse(values)
	return obj{
		"title":   obj{"text": title, "left": 0, "textStyle": obj{"fontSize": 13}},
		"tooltip": obj{"trigger": "axis"},
		"grid":    obj{"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": true},
		"xAxis":   obj{"type": "value"},
		"yAxis":   obj{"type": "category", "data": nonNil(categories)},
		"series":  []any{obj{"type": "bar", "data": nonNil(values), "itemStyle": obj{"color": "#1b7a5a"}}},
	}
}

type gepRunData struct {
	Run      gep.RunView
	Zone     *gep.ZoneAccount
	Zones    []gep.ZoneAccount
	Params   [][2]string
	Services []string // the value rasters
	Service  string   // the one mapped
}

// Yi is a value in 亿元; Wan in 万元.
func (gepRunData) Yi(v float64) string  { return yi(v) }
func (gepRunData) Wan(v float64) string { return wan(v) }

// gepRun is one run: its provenance, the account of a zone (?zone=, else
// the region) line by line, the workbook, a value raster's map.
func (s *Server) gepRun(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "gep_run", "gep", "gep.run"
	if s.gep == nil {
		return noGEP
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, err := s.gep.Run(r.Context(), v.Principal, id)
	if err != nil {
		return err
	}
	d := &gepRunData{Run: run, Services: gep.ValueRasters, Service: r.URL.Query().Get("service")}
	if !slices.Contains(d.Services, d.Service) {
		d.Service = "climate_regulation"
	}
	v.Data = d
	if run.Account == nil || len(run.Account.Zones) == 0 {
		return nil
	}
	d.Zones = run.Account.Zones
	d.Zone = &d.Zones[0]
	if code, err := strconv.ParseInt(r.URL.Query().Get("zone"), 10, 64); err == nil {
		for i := range d.Zones {
			if d.Zones[i].Code == code {
				d.Zone = &d.Zones[i]
			}
		}
	}
	p := run.Account.Provenance.Config.Parameters
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	d.Params = [][2]string{{"z", f(p.Z)}, {"storm_depth_mm", f(p.StormDepth)}, {"siltation", f(p.Siltation)},
		{"bulk_density", f(p.BulkDensity)}, {"soil_n", f(p.SoilN)}, {"soil_p", f(p.SoilP)}, {"ac_efficiency", f(p.ACEfficiency)},
		{"cooling_days", f(p.CoolingDays)}, {"humidifier_kwh_m3", f(p.HumidifierKWh)}, {"price_year", strconv.Itoa(run.Account.PriceYear)}}
	if c := run.Account.Provenance.Config.CPI; c != nil {
		d.Params = append(d.Params, [2]string{"cpi", f(c.Base) + " → " + f(c.Target)})
	}
	return nil
}

// Value-raster images: at most mapSide pixels a side, each the mean of
// the block of the raster's pixels it covers (nodata left out, and
// transparent where a block has none).
const mapSide = 640

// gepMap serves a done run's value raster of a service as a PNG.
func (s *Server) gepMap(w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	fail := func(err error) {
		e := apperr.As(err)
		status := http.StatusInternalServerError
		if e != nil && apperr.HTTPStatus(e.Code) != 0 {
			status = apperr.HTTPStatus(e.Code)
		} else {
			s.log.ErrorContext(r.Context(), "web: value map", "path", r.URL.Path, "err", err)
			e = &apperr.Error{Message: "internal error", Zh: "内部错误"}
		}
		http.Error(w, e.Zh+" / "+e.Message, status)
	}
	if !ok {
		fail(apperr.New(apperr.Unauthenticated, "sign in first", "请先登录"))
		return
	}
	if s.gep == nil {
		fail(noGEP)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		fail(err)
		return
	}
	path, err := s.gep.ValueRaster(r.Context(), p, id, r.PathValue("service"))
	if err != nil {
		fail(err)
		return
	}
	img, err := valueImage(path)
	if err != nil {
		fail(err)
		return
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		fail(err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(b.Bytes())
}

// valueImage reads a value raster band by band and draws it downsampled,
// darker for higher values up to the 99th percentile of the blocks.
func valueImage(path string) (*image.NRGBA, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, apperr.Newf(apperr.NotFound, "no value raster %s", "没有价值量栅格 %s", filepath.Base(path))
	}
	rd, err := geotiff.Open(path)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	g := rd.Grid()
	f := max(1, (max(g.Width, g.Height)+mapSide-1)/mapSide)
	w, h := (g.Width+f-1)/f, (g.Height+f-1)/f
	sum, n := make([]float64, w*h), make([]int, w*h)
	rows := make([]float64, f*g.Width)
	for y0 := 0; y0 < g.Height; y0 += f {
		k := min(f, g.Height-y0)
		if err := rd.Rows(y0, k, rows[:k*g.Width]); err != nil {
			return nil, err
		}
		for i, x := range rows[:k*g.Width] {
			if math.IsNaN(x) || math.IsInf(x, 0) || g.HasNoData && x == g.NoData {
				continue
			}
			at := (y0/f)*w + (i%g.Width)/f
			sum[at] += x
			n[at]++
		}
	}
	var means []float64
	for i := range sum {
		if n[i] > 0 {
			sum[i] /= float64(n[i])
			means = append(means, sum[i])
		}
	}
	hi := 1.0
	if len(means) > 0 {
		slices.Sort(means)
		hi = max(means[len(means)*99/100], 1e-12)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	lo, top := [3]float64{0xf4, 0xf1, 0xde}, [3]float64{0x0b, 0x4d, 0x36}
	for i := range sum {
		if n[i] == 0 {
			continue
		}
		t := math.Max(0, math.Min(1, sum[i]/hi))
		var c color.NRGBA
		c.A = 255
		c.R = uint8(lo[0] + t*(top[0]-lo[0]))
		c.G = uint8(lo[1] + t*(top[1]-lo[1]))
		c.B = uint8(lo[2] + t*(top[2]-lo[2]))
		img.SetNRGBA(i%w, i/w, c)
	}
	return img, nil
}

type purchaseRow struct {
	gep.Purchase
	Plan *gep.PaymentPlan
	Err  string
}

type purchasesData struct {
	Purchases []purchaseRow
}

// Yi is a value in 亿元; Wan in 万元.
func (purchasesData) Yi(v float64) string  { return yi(v) }
func (purchasesData) Wan(v float64) string { return wan(v) }

// Pct is a fraction in per cent.
func (purchasesData) Pct(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}

// gepPurchases lists the purchases one may read with their price on the
// accounts (or their basis).
func (s *Server) gepPurchases(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "gep_purchases", "gep", "gep.purchases"
	if s.purch == nil {
		return noGEP
	}
	ps, err := s.purch.List(r.Context(), v.Principal)
	if err != nil {
		return err
	}
	d := &purchasesData{}
	v.Data = d
	var av gep.AccountValues
	if s.gep != nil {
		av = s.gep.Values(r.Context())
	}
	for _, p := range ps {
		row := purchaseRow{Purchase: p}
		plan, err := s.purch.Payments(r.Context(), v.Principal, p.ID, av)
		if err != nil {
			row.Err = problemText(v.Lang, err)
		} else {
			row.Plan = &plan
		}
		d.Purchases = append(d.Purchases, row)
	}
	return nil
}

// gepPurchase is one purchase: its terms, indicators, observations and
// payments.
func (s *Server) gepPurchase(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "gep_purchase", "gep", "gep.purchase"
	if s.purch == nil {
		return noGEP
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.purch.Get(r.Context(), v.Principal, id)
	if err != nil {
		return err
	}
	row := purchaseRow{Purchase: p}
	var av gep.AccountValues
	if s.gep != nil {
		av = s.gep.Values(r.Context())
	}
	if plan, err := s.purch.Payments(r.Context(), v.Principal, id, av); err != nil {
		row.Err = problemText(v.Lang, err)
	} else {
		row.Plan = &plan
	}
	v.Data = &purchasesData{Purchases: []purchaseRow{row}}
	return nil
}

// problemText is err as the page shows it beside the rest.
func problemText(l string, err error) string {
	if e := apperr.As(err); e != nil {
		return pickLang(l, e.Zh, e.Message)
	}
	return err.Error()
}

// scenarioView is the demo's closed-plants scenario (decision 0033):
// scenario.json of `gep scenario --closed-plants`, kept in
// DATA/gep/scenario-closed-plants, per county before and after.
type scenarioView struct {
	Changed int
	Rows    []scenarioRow
}

type scenarioRow struct {
	gep.ZoneChange
	Name string
	Pct  float64
}

// ScenarioDir is where the demo keeps its scenario, in the data directory.
const ScenarioDir = "gep/scenario-closed-plants"

// scenario reads the scenario the demo stored; nil without one.
func (s *Server) scenario(names map[int64]string) *scenarioView {
	if s.dataDir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(s.dataDir, ScenarioDir, "scenario.json"))
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var sc gep.ScenarioResult
	if err := json.Unmarshal(b, &sc); err != nil {
		s.log.Warn("web: scenario.json", "err", err)
		return nil
	}
	sv := &scenarioView{Changed: sc.Changed}
	for _, z := range sc.Zones {
		row := scenarioRow{ZoneChange: z, Name: names[int64(z.Zone)]}
		if z.Base != 0 {
			row.Pct = 100 * z.Change / z.Base
		}
		sv.Rows = append(sv.Rows, row)
	}
	return sv
}
