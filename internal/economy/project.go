package economy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
)

// Project is an enterprise's transformation (an upgrade such as
// solvent-based to waterborne polyurethane in synthetic leather): what,
// how much, when, with whose support, and the pollutants whose loads
// measure its effect.
type Project struct {
	ID            int64   `json:"id"`
	Version       int     `json:"version"`
	USCC          string  `json:"uscc"`
	Name          string  `json:"name,omitempty"`   // the enterprise's, on reading
	County        string  `json:"county,omitempty"` // the enterprise's
	Title         string  `json:"title"`
	Kind          string  `json:"kind,omitempty"` // e.g. waterborne_pu
	Description   string  `json:"description,omitempty"`
	InvestmentWan float64 `json:"investment_wan"` // 万元
	Started       string  `json:"started"`        // YYYY-MM-DD
	Completed     string  `json:"completed"`      // YYYY-MM-DD, "" while under way
	Supplier      string  `json:"supplier,omitempty"`
	Support       string  `json:"support,omitempty"`  // the supplier's technical support
	Training      string  `json:"training,omitempty"` // training given
	// Pollutants are the HJ 212-2017 codes whose loads measure the
	// effect; none: every pollutant the enterprise's loggers report.
	Pollutants []string `json:"pollutants,omitempty"`
	// WindowDays is the length of the windows compared (default 90).
	WindowDays int       `json:"window_days,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	At         time.Time `json:"at"`
}

// ProjectStore keeps projects (the record as one JSON document, with
// its version) and reads the registry.
type ProjectStore interface {
	AddProject(ctx context.Context, p Project) (int64, error)
	// UpdateProject replaces project p.ID if its stored version is
	// p.Version − 1, else reports false.
	UpdateProject(ctx context.Context, p Project) (bool, error)
	Project(ctx context.Context, id int64) (Project, bool, error)
	Projects(ctx context.Context, county string) ([]Project, error)
	Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error)
	Outlets(ctx context.Context, uscc string) ([]registry.Outlet, error)
	ScanTable(ctx context.Context, t *registry.Table, uscc string, each func(scan func(dest ...any) error) error) error
}

// ProjectEffect is a project's measured effect.
type ProjectEffect struct {
	Method     string            `json:"method"`
	MethodZh   string            `json:"method_zh"`
	Before     Window            `json:"before"`
	After      Window            `json:"after"`
	Pollutants []PollutantEffect `json:"pollutants"`
}

// Window is a span of days, From inclusive, To exclusive (YYYY-MM-DD).
type Window struct {
	From string `json:"from"`
	To   string `json:"to"`
	// ValueAdded is the enterprise's value added (万元) of the year most
	// of the window falls in, 0 where the year has none.
	ValueAdded float64 `json:"value_added"`
	Year       int     `json:"year"`
}

// PollutantEffect is one pollutant's load before and after: totals (kg)
// over the days with data, their daily means, the change of the mean,
// and the intensity (kg a year per 万元 of value added).
type PollutantEffect struct {
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	BeforeKg        float64  `json:"before_kg"`
	AfterKg         float64  `json:"after_kg"`
	BeforeDays      int      `json:"before_days"`
	AfterDays       int      `json:"after_days"`
	BeforePerDay    *float64 `json:"before_kg_per_day"`
	AfterPerDay     *float64 `json:"after_kg_per_day"`
	Change          *float64 `json:"change"` // after ÷ before − 1
	BeforeIntensity *float64 `json:"before_intensity"`
	AfterIntensity  *float64 `json:"after_intensity"`
	IntensityChange *float64 `json:"intensity_change"`
	// Series is the daily loads of both windows, for the chart.
	Series []DayLoad `json:"series"`
}

const (
	defaultWindow = 90
	effectMethod  = "Loads are the sum of the loggers' daily emission amounts (Cou, kg; HJ 212-2017 daily data CN 2031, or the sum of the hourly data CN 2061 for a day without it) over the enterprise's outlets, per pollutant. " +
		"The windows have the same length: the days before the project started and the days after it was completed (up to today). Means are over the days with data; intensity is the daily mean × 365 ÷ the value added of the window's year (kg per 万元)."
	effectMethodZh = "排放量为企业各排放口数采仪日数据排放量（Cou，千克；HJ 212-2017 日数据 CN 2031，无日数据之日取小时数据 CN 2061 之和）之和，逐污染物计算。" +
		"比较窗口等长：项目开工前与竣工后（至今日）各若干天；均值按有数据的天数计；排放强度为日均排放量 × 365 ÷ 窗口所在年度的工业增加值（千克/万元）。"
)

const dateLayout = "2006-01-02"

// checkProject checks a project's own fields.
func checkProject(p *Project) error {
	var en, zh []string
	bad := func(e, z string) { en, zh = append(en, e), append(zh, z) }
	p.Title = strings.TrimSpace(p.Title)
	if p.Title == "" || len(p.Title) > 300 {
		bad("title: required, up to 300 bytes", "title 项目名称必填，至多 300 字节")
	}
	for _, f := range []string{p.Kind, p.Supplier} {
		if len(f) > 300 {
			bad("kind and supplier: up to 300 bytes", "kind、supplier 至多 300 字节")
		}
	}
	for _, f := range []string{p.Description, p.Support, p.Training} {
		if len(f) > 5000 {
			bad("description, support and training: up to 5,000 bytes", "description、support、training 至多 5,000 字节")
		}
	}
	if !finite(p.InvestmentWan) || p.InvestmentWan < 0 || p.InvestmentWan > 1e9 {
		bad("investment_wan: 0 to 1e9 (万元)", "investment_wan 投资额应在 0 至 1e9 万元之间")
	}
	started, err := time.Parse(dateLayout, p.Started)
	if err != nil {
		bad(fmt.Sprintf("started %q: want YYYY-MM-DD", p.Started), fmt.Sprintf("开工日期 started %q 应为 YYYY-MM-DD", p.Started))
	}
	if p.Completed != "" {
		if c, err := time.Parse(dateLayout, p.Completed); err != nil || c.Before(started) {
			bad(fmt.Sprintf("completed %q: want YYYY-MM-DD, not before started", p.Completed), fmt.Sprintf("竣工日期 completed %q 应为 YYYY-MM-DD，且不早于开工日期", p.Completed))
		}
	}
	if p.WindowDays == 0 {
		p.WindowDays = defaultWindow
	}
	if p.WindowDays < 7 || p.WindowDays > 366 {
		bad(fmt.Sprintf("window_days %d: want 7 to 366", p.WindowDays), fmt.Sprintf("比较窗口 window_days %d 应为 7 至 366 天", p.WindowDays))
	}
	if len(p.Pollutants) > 50 {
		bad("pollutants: up to 50", "pollutants 至多 50 项")
	}
	for _, c := range p.Pollutants {
		if _, ok := hj212.LookupPollutant(c); !ok {
			bad(fmt.Sprintf("pollutant %q: want an HJ 212-2017 code", c), fmt.Sprintf("污染物 %q 应为 HJ 212-2017 代码", c))
		}
	}
	if len(en) > 0 {
		return apperr.New(apperr.Invalid, "project: "+strings.Join(en, "; "), "转型项目："+strings.Join(zh, "；"))
	}
	return nil
}

// enterprise returns the registry's enterprise, or a not-found error.
func (s *Service) enterprise(ctx context.Context, uscc string) (registry.Enterprise, error) {
	if uscc != "" {
		es, _, err := s.store.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc, Limit: 1})
		if err != nil {
			return registry.Enterprise{}, err
		}
		if len(es) == 1 && es[0].USCC == uscc {
			return es[0], nil
		}
	}
	return registry.Enterprise{}, apperr.Newf(apperr.Invalid, "no enterprise %q in the registry", "登记库中无统一社会信用代码为 %s 的企业", uscc)
}

// SaveProject creates a project (ID 0) or updates one (its version as
// read): the economy bureau's, a county's officer in their county.
func (s *Service) SaveProject(ctx context.Context, by auth.Principal, p Project) (Project, error) {
	if err := by.Check(); err != nil {
		return Project{}, err
	}
	if err := auth.MayWrite(by, auth.Industry, auth.Economy); err != nil {
		return Project{}, err
	}
	missing := apperr.Newf(apperr.NotFound, "no project %d", "无编号为 %d 的转型项目", p.ID)
	if p.ID != 0 {
		old, ok, err := s.store.Project(ctx, p.ID)
		if err != nil {
			return Project{}, err
		}
		if !ok {
			return Project{}, missing
		}
		if err := auth.CanWrite(by, auth.Object{What: auth.Industry, Bureau: auth.Economy, County: old.County, Missing: missing}); err != nil {
			return Project{}, err
		}
	}
	if err := checkProject(&p); err != nil {
		return Project{}, err
	}
	e, err := s.enterprise(ctx, p.USCC)
	if err != nil {
		return Project{}, err
	}
	if err := auth.CanWrite(by, auth.Object{What: auth.Industry, Bureau: auth.Economy, County: e.County, Missing: missing}); err != nil {
		return Project{}, err
	}
	p.County, p.Name, p.Actor, p.At = e.County, "", by.Actor(), s.now().UTC()
	if p.ID == 0 {
		p.Version = 1
		p.ID, err = s.store.AddProject(ctx, p)
	} else {
		p.Version++
		var ok bool
		if ok, err = s.store.UpdateProject(ctx, p); err == nil && !ok {
			err = apperr.Newf(apperr.Conflict, "project %d was changed since version %d: read it again", "转型项目 %d 在版本 %d 之后已被修改，请重新读取", p.ID, p.Version-1)
		}
	}
	p.Name = e.Name
	return p, err
}

// Projects lists the projects p may read: a county officer's county's.
func (s *Service) Projects(ctx context.Context, by auth.Principal) ([]Project, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return nil, err
	}
	return s.store.Projects(ctx, auth.Visible(by).County)
}

// Project returns a project with its measured effect.
func (s *Service) Project(ctx context.Context, by auth.Principal, id int64) (Project, ProjectEffect, error) {
	if err := by.Check(); err != nil {
		return Project{}, ProjectEffect{}, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return Project{}, ProjectEffect{}, err
	}
	missing := apperr.Newf(apperr.NotFound, "no project %d", "无编号为 %d 的转型项目", id)
	p, ok, err := s.store.Project(ctx, id)
	if err != nil {
		return Project{}, ProjectEffect{}, err
	}
	if !ok {
		return Project{}, ProjectEffect{}, missing
	}
	if err := auth.CanRead(by, auth.Object{What: auth.Industry, County: p.County, Missing: missing}); err != nil {
		return Project{}, ProjectEffect{}, err
	}
	if e, err := s.enterprise(ctx, p.USCC); err == nil {
		p.Name = e.Name
	}
	eff, err := s.effect(ctx, p)
	return p, eff, err
}

// effect compares the loads of the window before the start with the
// window after completion: none after while under way.
func (s *Service) effect(ctx context.Context, p Project) (ProjectEffect, error) {
	eff := ProjectEffect{Method: effectMethod, MethodZh: effectMethodZh, Pollutants: []PollutantEffect{}}
	started, _ := time.Parse(dateLayout, p.Started)
	w := p.WindowDays
	if w == 0 {
		w = defaultWindow
	}
	eff.Before = Window{From: started.AddDate(0, 0, -w).Format(dateLayout), To: p.Started}
	today := s.now().In(cst.Zone).Format(dateLayout)
	if p.Completed != "" {
		completed, _ := time.Parse(dateLayout, p.Completed)
		eff.After = Window{From: p.Completed, To: min(completed.AddDate(0, 0, w).Format(dateLayout), today)}
	}
	annual, err := loadAnnual(ctx, s.store, p.USCC)
	if err != nil {
		return eff, err
	}
	for _, win := range []*Window{&eff.Before, &eff.After} {
		if win.From == "" {
			continue
		}
		// The year most of the window falls in: its middle day's.
		f, _ := time.Parse(dateLayout, win.From)
		t, _ := time.Parse(dateLayout, win.To)
		win.Year = f.Add(t.Sub(f) / 2).Year()
		for _, a := range annual {
			if a.Year == win.Year {
				win.ValueAdded = a.ValueAdded
			}
		}
	}
	to := eff.Before.To
	if eff.After.To > to {
		to = eff.After.To
	}
	loads, err := s.store.DailyLoads(ctx, LoadFilter{USCC: p.USCC, Codes: p.Pollutants, From: dkey(eff.Before.From), To: dkey(to)})
	if err != nil {
		return eff, err
	}
	totals := dailyTotals(loads)
	for _, code := range slices.Sorted(maps.Keys(totals)) {
		pe := PollutantEffect{Code: code, Series: totals[code]}
		if pol, ok := hj212.LookupPollutant(code); ok {
			pe.Name = pol.Name
		}
		for _, d := range totals[code] {
			switch {
			case d.Day >= dkey(eff.Before.From) && d.Day < dkey(eff.Before.To):
				pe.BeforeKg += d.Cou
				pe.BeforeDays++
			case eff.After.From != "" && d.Day >= dkey(eff.After.From) && d.Day < dkey(eff.After.To):
				pe.AfterKg += d.Cou
				pe.AfterDays++
			}
		}
		if pe.BeforeDays > 0 {
			pe.BeforePerDay = ptr(pe.BeforeKg / float64(pe.BeforeDays))
		}
		if pe.AfterDays > 0 {
			pe.AfterPerDay = ptr(pe.AfterKg / float64(pe.AfterDays))
		}
		pe.BeforeIntensity = intensity(pe.BeforePerDay, eff.Before.ValueAdded)
		pe.AfterIntensity = intensity(pe.AfterPerDay, eff.After.ValueAdded)
		pe.Change = change(pe.BeforePerDay, pe.AfterPerDay)
		pe.IntensityChange = change(pe.BeforeIntensity, pe.AfterIntensity)
		eff.Pollutants = append(eff.Pollutants, pe)
	}
	return eff, nil
}

func dkey(date string) string { return strings.ReplaceAll(date, "-", "") }

func intensity(perDay *float64, va float64) *float64 {
	if perDay == nil || va <= 0 {
		return nil
	}
	return ptr(*perDay * 365 / va)
}

func change(before, after *float64) *float64 {
	if before == nil || after == nil || *before <= 0 {
		return nil
	}
	return ptr(*after / *before - 1)
}
