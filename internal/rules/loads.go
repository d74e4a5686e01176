package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
)

// Load is the kind of alarm of an outlet's pollutant whose permitted
// annual quantity is used up, or will be before the year ends at the
// current rate: one per outlet, pollutant and year (started_at is the
// year's first instant, CST).
const Load = "load"

// How a period's load was found, best first (decision 0026).
const (
	// LoggerDayCou: the logger's daily data (2031) carry the pollutant's Cou.
	LoggerDayCou = "logger_day_cou"
	// LoggerHourCou: the logger's hourly data (2061) carry it.
	LoggerHourCou = "logger_hour_cou"
	// ConcFlow: a mean concentration times the flow's volume.
	ConcFlow = "conc_x_flow"
	// Mixed: a day whose hours took more than one of the above.
	Mixed = "mixed"
)

// LoadMethod says, in both languages, how loads are found.
const LoadMethod = "排放量：优先取数采仪日数据(2031)的排放总量(Cou)，其次逐小时取小时数据(2061)的Cou，否则为小时平均浓度×小时流量" +
	"(数采仪小时流量Cou，否则平均流量×3600秒)；废气 mg/m³×m³÷10⁶、废水 mg/L×m³÷10³ 得千克 / " +
	"Loads: the logger's daily Cou (2031) where sent, else hour by hour the logger's hourly Cou (2061), else the hour's mean " +
	"concentration times its flow volume (the logger's hourly flow Cou, else the mean flow times 3600 s); " +
	"flue gas mg/m³ × m³ ÷ 10⁶, water mg/L × m³ ÷ 10³ gives kg"

// LoadDay is an outlet's load of one pollutant on one day (CST).
type LoadDay struct {
	Day    string  `json:"day"` // YYYY-MM-DD
	KG     float64 `json:"kg"`
	Method string  `json:"method"`
}

// LoadMonth is the sum of a month's days.
type LoadMonth struct {
	Month string  `json:"month"` // YYYY-MM
	KG    float64 `json:"kg"`
}

// PollutantLoad is an outlet's year of one pollutant against its permit.
type PollutantLoad struct {
	Code   string      `json:"code"`
	Name   string      `json:"name"`
	NameEn string      `json:"name_en"`
	Days   []LoadDay   `json:"days"`
	Months []LoadMonth `json:"months"`
	YearKG float64     `json:"year_kg"`

	PermitNo        string   `json:"permit_no"`         // "" where no permit row gives a quantity
	PermitQuantityT float64  `json:"permit_quantity_t"` // annual, tonnes
	UsedShare       *float64 `json:"used_share"`        // YearKG of the quantity; null without one
	// RateKGPerDay is the current rate: the mean of the (up to) 30 whole
	// days of the year before the as-of day.
	RateKGPerDay float64 `json:"rate_kg_per_day"`
	ProjectedKG  float64 `json:"projected_kg"` // YearKG and the rate to the year's end
	// RunOut is the day the quantity was, or at the rate will be, used up
	// ("" if not this year); Exceeded: it has been.
	RunOut   string `json:"run_out"`
	Exceeded bool   `json:"exceeded"`
}

// Loads is an outlet's year of loads as of a time.
type Loads struct {
	USCC       string          `json:"uscc"`
	Outlet     string          `json:"outlet_code"`
	Year       int             `json:"year"`
	AsOf       time.Time       `json:"as_of"`
	Method     string          `json:"method"`
	Pollutants []PollutantLoad `json:"pollutants"`
}

// flowCode is the flow of an outlet's kind and how many m³ a unit of its
// mean makes in a second: a00000 in m³/s, w00000 in L/s (HJ 212-2017
// table B.1 and B.2, shared/reference/hj212/PROTOCOL.md §1.8).
func flowCode(kind string) (string, float64) {
	if kind == "water" {
		return "w00000", 0.001
	}
	return "a00000", 1
}

// massFactor turns a concentration in the base unit (mg/m³, mg/L) times
// m³ into kg: mg/m³ × m³ = mg (10⁻⁶ kg); mg/L × m³ = 1000 mg (10⁻³ kg).
func massFactor(p hj212.Pollutant) (conc, mass float64, ok bool) {
	base := "mg/m3"
	if p.Medium == "water" {
		base = "mg/L"
	}
	c, ok := convert(1, p.Unit, base)
	if !ok {
		return 0, 0, false
	}
	if base == "mg/L" {
		return c, 1e-3, true
	}
	return c, 1e-6, true
}

// couKG is what one unit of a pollutant's Cou is in kg (kg, or g for the
// heavy metals in µg/L); false where Cou is no mass.
func couKG(p hj212.Pollutant) (float64, bool) {
	switch p.CouUnit {
	case "kg":
		return 1, true
	case "g":
		return 0.001, true
	}
	return 0, false
}

// loadPollutants are the pollutants whose load can be found: those with a
// mass Cou and a concentration unit, of one medium.
func loadPollutants(kind string) []hj212.Pollutant {
	var ps []hj212.Pollutant
	for _, p := range hj212.Pollutants {
		if _, ok := couKG(p); !ok || p.Medium != kind {
			continue
		}
		if _, _, ok := massFactor(p); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// sources is one period's rollups of a pollutant and of the flow: ours
// (2011) and the logger's (2061 for an hour, 2031 for a day).
type sources struct{ conc, concLogger, flow, flowLogger *monitoring.Rollup }

func mean(r *monitoring.Rollup) (float64, bool) {
	if r == nil || r.Count == 0 {
		return 0, false
	}
	v := r.Avg()
	return v, !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0
}

// periodLoad is one period's load in kg, and how it was found; false
// where the data give none. Negative values (an out_of_range alarm's
// business) give none.
func periodLoad(p hj212.Pollutant, flowM3 float64, x sources, seconds float64) (float64, string, bool) {
	if x.concLogger != nil && x.concLogger.Count > 0 && x.concLogger.Cou > 0 {
		f, _ := couKG(p)
		return x.concLogger.Cou * f, LoggerHourCou, true
	}
	c, ok := mean(x.conc)
	if !ok {
		if c, ok = mean(x.concLogger); !ok {
			return 0, "", false
		}
	}
	var vol float64
	switch {
	case x.flowLogger != nil && x.flowLogger.Count > 0 && x.flowLogger.Cou > 0:
		vol = x.flowLogger.Cou
	default:
		q, ok := mean(x.flow)
		if !ok {
			if q, ok = mean(x.flowLogger); !ok {
				return 0, "", false
			}
		}
		vol = q * seconds * flowM3
	}
	cf, mf, _ := massFactor(p)
	return c * cf * vol * mf, ConcFlow, true
}

// byStart sorts rollups of a pollutant code and a flow code into periods.
func byStart(rs []monitoring.Rollup, code, flow, logger string) map[time.Time]*sources {
	m := map[time.Time]*sources{}
	for i := range rs {
		r := &rs[i]
		x := m[r.Start]
		if x == nil {
			x = &sources{}
			m[r.Start] = x
		}
		switch {
		case r.Code == code && r.CN == monitoring.RealTime:
			x.conc = r
		case r.Code == code && r.CN == logger:
			x.concLogger = r
		case r.Code == flow && r.CN == monitoring.RealTime:
			x.flow = r
		case r.Code == flow && r.CN == logger:
			x.flowLogger = r
		}
	}
	return m
}

// DayLoads turns an outlet's hour and day rollups of pollutant p and of
// its flow into loads per day (CST), in day order: the logger's daily Cou
// (2031) where it has one; else the sum of the day's hours (each the
// logger's hourly Cou, else concentration × flow); else the logger's
// daily concentration × flow.
func DayLoads(kind string, p hj212.Pollutant, hours, days []monitoring.Rollup) []LoadDay {
	flow, flowM3 := flowCode(kind)
	type acc struct {
		kg      float64
		methods map[string]bool
	}
	perDay := map[string]*acc{}
	for start, x := range byStart(hours, p.Code, flow, "2061") {
		kg, how, ok := periodLoad(p, flowM3, *x, 3600)
		if !ok {
			continue
		}
		d := start.In(cst.Zone).Format(time.DateOnly)
		a := perDay[d]
		if a == nil {
			a = &acc{methods: map[string]bool{}}
			perDay[d] = a
		}
		a.kg += kg
		a.methods[how] = true
	}
	var out []LoadDay
	for start, x := range byStart(days, p.Code, flow, "2031") {
		d := start.In(cst.Zone).Format(time.DateOnly)
		if c := x.concLogger; c != nil && c.Count > 0 && c.Cou > 0 {
			f, _ := couKG(p)
			out = append(out, LoadDay{Day: d, KG: c.Cou * f, Method: LoggerDayCou})
			delete(perDay, d)
			continue
		}
		if perDay[d] != nil {
			continue
		}
		// A day with no hourly data: the logger's daily mean and flow.
		x.conc, x.flow = nil, nil
		if kg, _, ok := periodLoad(p, flowM3, *x, 86400); ok {
			out = append(out, LoadDay{Day: d, KG: kg, Method: ConcFlow})
		}
	}
	for d, a := range perDay {
		how := Mixed
		if len(a.methods) == 1 {
			for m := range a.methods {
				how = m
			}
		}
		out = append(out, LoadDay{Day: d, KG: a.kg, Method: how})
	}
	slices.SortFunc(out, func(a, b LoadDay) int { return strings.Compare(a.Day, b.Day) })
	return out
}

// rateDays is how many whole days before the as-of day make the current rate.
const rateDays = 30

// AgainstPermit sums days (of year, none after the as-of day) into months
// and the year, and sets the permit's quantity (the smallest annual
// quantity of the outlet's rows for the pollutant valid in the year), the
// share used, the current rate and the run-out day.
func AgainstPermit(pl *PollutantLoad, year int, asOf time.Time, outlet string, permits []registry.PermitLimit) {
	first := time.Date(year, 1, 1, 0, 0, 0, 0, cst.Zone)
	end := first.AddDate(1, 0, 0)
	today := asOf.In(cst.Zone)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, cst.Zone)
	yFirst, yLast := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	for _, p := range permits {
		if p.OutletCode != outlet || p.PollutantCode != pl.Code || !(p.AnnualQuantityT > 0) ||
			p.ValidFrom != "" && p.ValidFrom > yLast || p.ValidTo != "" && p.ValidTo < yFirst {
			continue
		}
		if pl.PermitNo == "" || p.AnnualQuantityT < pl.PermitQuantityT {
			pl.PermitNo, pl.PermitQuantityT = p.PermitNo, p.AnnualQuantityT
		}
	}
	quantity := pl.PermitQuantityT * 1000
	pl.Months, pl.YearKG, pl.RunOut, pl.Exceeded = []LoadMonth{}, 0, "", false
	rateFrom := today.AddDate(0, 0, -rateDays)
	if rateFrom.Before(first) {
		rateFrom = first
	}
	var rateSum float64
	for _, d := range pl.Days {
		if m := d.Day[:7]; len(pl.Months) == 0 || pl.Months[len(pl.Months)-1].Month != m {
			pl.Months = append(pl.Months, LoadMonth{Month: m})
		}
		pl.Months[len(pl.Months)-1].KG += d.KG
		pl.YearKG += d.KG
		if quantity > 0 && !pl.Exceeded && pl.YearKG > quantity {
			pl.Exceeded, pl.RunOut = true, d.Day
		}
		if t, err := time.ParseInLocation(time.DateOnly, d.Day, cst.Zone); err == nil && !t.Before(rateFrom) && t.Before(today) {
			rateSum += d.KG
		}
	}
	pl.ProjectedKG = pl.YearKG
	if n := today.Sub(rateFrom).Hours() / 24; today.Before(end) && n >= 1 {
		pl.RateKGPerDay = rateSum / math.Round(n)
		pl.ProjectedKG += pl.RateKGPerDay * math.Round(end.Sub(today).Hours()/24-1)
	}
	if quantity <= 0 {
		return
	}
	share := pl.YearKG / quantity
	pl.UsedShare = &share
	if !pl.Exceeded && pl.RateKGPerDay > 0 && today.Before(end) {
		if k := math.Ceil((quantity - pl.YearKG) / pl.RateKGPerDay); k < 400 {
			if out := today.AddDate(0, 0, int(k)); out.Before(end) {
				pl.RunOut = out.Format(time.DateOnly)
			}
		}
	}
}

// OutletLoads reads an outlet's rollups of year up to asOf and returns
// its loads of every pollutant it has data of or a permitted quantity for.
func OutletLoads(ctx context.Context, s Store, uscc string, outlet registry.Outlet, year int, asOf time.Time, permits []registry.PermitLimit) (Loads, error) {
	ls := Loads{USCC: uscc, Outlet: outlet.OutletCode, Year: year, AsOf: asOf, Method: LoadMethod, Pollutants: []PollutantLoad{}}
	first := time.Date(year, 1, 1, 0, 0, 0, 0, cst.Zone)
	to := first.AddDate(1, 0, 0)
	if asOf.Before(to) {
		to = asOf.Add(time.Nanosecond)
	}
	if !to.After(first) {
		return ls, nil
	}
	flow, _ := flowCode(outlet.Kind)
	rg := monitoring.Range{USCC: uscc, Outlet: outlet.OutletCode, Code: flow, From: first, To: to}
	flowDays, err := s.Rollups(ctx, monitoring.Day, rg)
	if err != nil {
		return ls, err
	}
	var flowHours []monitoring.Rollup
	if len(flowDays) > 0 {
		if flowHours, err = s.Rollups(ctx, monitoring.Hour, rg); err != nil {
			return ls, err
		}
	}
	permitted := map[string]bool{} // pollutants with an annual quantity at the outlet
	for _, p := range permits {
		if p.OutletCode == outlet.OutletCode && p.AnnualQuantityT > 0 {
			permitted[p.PollutantCode] = true
		}
	}
	for _, p := range loadPollutants(outlet.Kind) {
		rg.Code = p.Code
		days, err := s.Rollups(ctx, monitoring.Day, rg)
		if err != nil {
			return ls, err
		}
		if len(days) == 0 && !permitted[p.Code] {
			continue
		}
		var hours []monitoring.Rollup
		if len(days) > 0 {
			if hours, err = s.Rollups(ctx, monitoring.Hour, rg); err != nil {
				return ls, err
			}
		}
		pl := PollutantLoad{Code: p.Code, Name: p.Name, NameEn: p.NameEn,
			Days: DayLoads(outlet.Kind, p, append(hours, flowHours...), append(days, flowDays...))}
		if pl.Days == nil {
			pl.Days = []LoadDay{}
		}
		AgainstPermit(&pl, year, asOf, outlet.OutletCode, permits)
		ls.Pollutants = append(ls.Pollutants, pl)
	}
	return ls, nil
}

// LoadEvery is how often the runner looks at the loads against the
// permits: a year's quantity is used up over months, and each look reads
// a year of an outlet's rollups.
const LoadEvery = time.Hour

// LoadCheck raises a load alarm for each outlet and pollutant whose
// permitted annual quantity (this year, by r.Now) is exceeded, or runs
// out before the year ends at the current rate; one alarm per outlet,
// pollutant and year, its numbers brought up to date at each check.
func (r *Runner) LoadCheck(ctx context.Context) error {
	now := r.Now()
	year := now.In(cst.Zone).Year()
	first := time.Date(year, 1, 1, 0, 0, 0, 0, cst.Zone)
	permits, err := r.s.Permits(ctx, "")
	if err != nil {
		return err
	}
	byOutlet := map[[2]string][]registry.PermitLimit{}
	var order [][2]string
	for _, p := range permits {
		k := [2]string{p.USCC, p.OutletCode}
		if p.AnnualQuantityT > 0 {
			if byOutlet[k] == nil {
				order = append(order, k)
			}
			byOutlet[k] = append(byOutlet[k], p)
		}
	}
	for _, k := range order {
		os, err := r.s.Outlets(ctx, k[0])
		if err != nil {
			return err
		}
		i := slices.IndexFunc(os, func(o registry.Outlet) bool { return o.OutletCode == k[1] })
		if i < 0 {
			continue
		}
		ls, err := OutletLoads(ctx, r.s, k[0], os[i], year, now, byOutlet[k])
		if err != nil {
			return err
		}
		for _, pl := range ls.Pollutants {
			if pl.PermitNo == "" || !pl.Exceeded && pl.RunOut == "" {
				continue
			}
			if err := r.s.RaiseAlarm(ctx, loadAlarm(ls, pl, first)); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadAlarm is the alarm of a pollutant's load: its limit the permitted
// quantity and its peak the year's load so far, in kg, so that its
// multiple is the share used (over 1: exceeded); its end the run-out day.
func loadAlarm(ls Loads, pl PollutantLoad, first time.Time) Alarm {
	reason := "projected"
	if pl.Exceeded {
		reason = "exceeded"
	}
	end := first
	if t, err := time.ParseInLocation(time.DateOnly, pl.RunOut, cst.Zone); err == nil {
		end = t
	}
	ev, _ := json.Marshal(map[string]any{"reason": reason, "year": ls.Year, "as_of": ls.AsOf.UTC().Format(time.RFC3339),
		"year_kg": pl.YearKG, "permit_quantity_t": pl.PermitQuantityT, "used_share": pl.UsedShare, "rate_kg_per_day": pl.RateKGPerDay,
		"projected_kg": pl.ProjectedKG, "run_out": pl.RunOut, "method": LoadMethod})
	q := pl.PermitQuantityT * 1000
	return Alarm{Kind: Load, State: Open, USCC: ls.USCC, Outlet: ls.Outlet, Pollutant: pl.Code, StartedAt: first, EndedAt: end,
		Limit: q, LimitSource: "permit " + pl.PermitNo + " (annual quantity / 年许可排放量)", Peak: pl.YearKG, Multiple: pl.YearKG / q,
		Periods: len(pl.Days), Evidence: ev}
}

// readable returns enterprise uscc if by may read its monitoring data;
// one by may not know of is not found, as one that does not exist.
func (v *Service) readable(ctx context.Context, by auth.Principal, uscc string) (registry.Enterprise, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return registry.Enterprise{}, err
	}
	es, _, err := v.s.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc})
	if err != nil {
		return registry.Enterprise{}, err
	}
	if len(es) == 0 {
		return registry.Enterprise{}, registry.NoEnterprise(uscc)
	}
	o := registry.EnterpriseObject(nil, es[0])
	o.What = auth.Monitoring
	return es[0], auth.CanRead(by, o)
}

// Loads returns an outlet's loads of year as of asOf, against its permits.
func (v *Service) Loads(ctx context.Context, by auth.Principal, uscc, outlet string, year int, asOf time.Time) (Loads, error) {
	if _, err := v.readable(ctx, by, uscc); err != nil {
		return Loads{}, err
	}
	if year < 2000 || year > 2100 {
		return Loads{}, apperr.Newf(apperr.Invalid, "year %d is out of range (2000 to 2100)", "年份 %d 超出范围（2000–2100）", year)
	}
	os, err := v.s.Outlets(ctx, uscc)
	if err != nil {
		return Loads{}, err
	}
	i := slices.IndexFunc(os, func(o registry.Outlet) bool { return o.OutletCode == outlet })
	if i < 0 {
		return Loads{}, apperr.Newf(apperr.NotFound, "enterprise %s has no outlet %s", "企业 %s 无排放口 %s", uscc, outlet)
	}
	ps, err := v.s.Permits(ctx, uscc)
	if err != nil {
		return Loads{}, err
	}
	return OutletLoads(ctx, v.s, uscc, os[i], year, asOf, ps)
}
