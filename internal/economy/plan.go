package economy

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/hj212"
)

// Plan is an action plan with targets per indicator, as data (YAML; the
// preset plans/lishui-2020-2022.yaml documents the form).
type Plan struct {
	Name       string          `yaml:"name" json:"name"`
	Title      string          `yaml:"title" json:"title"`
	Source     string          `yaml:"source" json:"source"`
	From       int             `yaml:"from" json:"from"`
	To         int             `yaml:"to" json:"to"`
	Indicators []PlanIndicator `yaml:"indicators" json:"indicators"`
}

// PlanIndicator is one target: from its baseline (of a year) to its
// target (by a year), in a unit, measured from a source.
type PlanIndicator struct {
	ID           string  `yaml:"id" json:"id"`
	Zh           string  `yaml:"zh" json:"zh"`
	En           string  `yaml:"en" json:"en"`
	Unit         string  `yaml:"unit" json:"unit"`
	Source       string  `yaml:"source" json:"source"` // closures, emissions, leading_share, manual
	Pollutant    string  `yaml:"pollutant" json:"pollutant,omitempty"`
	Mapping      string  `yaml:"mapping" json:"mapping,omitempty"`
	Baseline     float64 `yaml:"baseline" json:"baseline"`
	BaselineYear int     `yaml:"baseline_year" json:"baseline_year"`
	Target       float64 `yaml:"target" json:"target"`
	Year         int     `yaml:"year" json:"year"`
	line         int
}

// UnmarshalYAML keeps the indicator's line for the problems of ParsePlan.
func (in *PlanIndicator) UnmarshalYAML(n *yaml.Node) error {
	type plain PlanIndicator
	if err := n.Decode((*plain)(in)); err != nil {
		return err
	}
	in.line = n.Line
	return nil
}

// planSources are the ways progress is measured, in Chinese and English.
var planSources = map[string][2]string{
	"closures":      {"由整治案件计算：处置为关停取缔、自计划起始至当年年底已实施的案件数（累计）", "computed from the rectification cases: disposition close, carried out from the plan's start to the year's end (cumulative)"},
	"emissions":     {"由在线监测计算：当年该污染物数采仪日数据排放量（Cou）之和，千克换算为吨；无日数据之日取小时数据之和", "computed from the online monitoring: the year's sum of the loggers' daily Cou of the pollutant (an hour-data sum where a day has none), kg to t"},
	"leading_share": {"由产业集群统计计算：主导产业营业收入占全市全部企业营业收入比重", "computed from the cluster statistics: the leading industries' share of the city's revenue of all enterprises"},
	"manual":        {"人工填报", "entered by hand"},
}

// ParsePlan reads and checks a plan: each indicator with an id of its
// own, a known source (a pollutant code for emissions, a mapping for the
// leading industries' share), years in order.
func ParsePlan(name string, data []byte) (*Plan, error) {
	var p Plan
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, planError(name, []MethodProblem{{Place: "YAML", En: err.Error(), Zh: "YAML 格式错误：" + err.Error()}})
	}
	var ps []MethodProblem
	fail := func(place string, line int, en, zh string, args ...any) {
		ps = append(ps, MethodProblem{Place: place, Line: line, En: fmt.Sprintf(en, args...), Zh: fmt.Sprintf(zh, args...)})
	}
	if p.Name == "" || strings.ContainsAny(p.Name, "/?# ") || len(p.Name) > 64 {
		fail("name", 0, "required: up to 64 characters without spaces, / ? #", "必填，至多 64 个字符，不含空格和 / ? #")
	}
	if p.From < 2000 || p.To < p.From || p.To > 2100 {
		fail("from", 0, "from %d to %d: want 2000 ≤ from ≤ to ≤ 2100", "起止年度 %d—%d 应满足 2000 ≤ 起 ≤ 止 ≤ 2100", p.From, p.To)
	}
	if len(p.Indicators) == 0 || len(p.Indicators) > 100 {
		fail("indicators", 0, "give 1 to 100 indicators", "须列 1 至 100 项指标")
	}
	ids := map[string]bool{}
	for i, in := range p.Indicators {
		at := fmt.Sprintf("indicators[%d]", i)
		if in.ID == "" || ids[in.ID] {
			fail(at, in.line, "each indicator needs an id of its own", "每项指标须有不重复的 id")
		}
		ids[in.ID] = true
		if in.Zh == "" || in.En == "" {
			fail(at, in.line, "zh and en names are required", "须填写中文名（zh）和英文名（en）")
		}
		switch in.Source {
		case "emissions":
			if _, ok := hj212.LookupPollutant(in.Pollutant); !ok {
				fail(at, in.line, "pollutant %q: want an HJ 212-2017 code", "污染物 %q 应为 HJ 212-2017 代码", in.Pollutant)
			}
		case "leading_share":
			if _, err := MappingPreset(in.Mapping); err != nil {
				fail(at, in.line, "mapping %q: want one of %s", "主导产业口径 %q 应为 %s 之一", in.Mapping, strings.Join(Mappings(), ", "))
			}
		case "closures", "manual":
		default:
			fail(at, in.line, "source %q: want closures, emissions, leading_share or manual", "数据来源 %q 应为 closures、emissions、leading_share 或 manual", in.Source)
		}
		if in.BaselineYear < 2000 || in.Year <= in.BaselineYear || in.Year > 2100 {
			fail(at, in.line, "baseline_year %d and year %d: want 2000 ≤ baseline_year < year ≤ 2100", "基期 %d、目标年 %d 应满足 2000 ≤ 基期 < 目标年 ≤ 2100", in.BaselineYear, in.Year)
		}
		if !finite(in.Baseline) || !finite(in.Target) || in.Baseline == in.Target {
			fail(at, in.line, "baseline %g and target %g: want two different finite numbers", "基期值 %g、目标值 %g 应为两个不同的有限数", in.Baseline, in.Target)
		}
	}
	if len(ps) > 0 {
		return nil, planError(name, ps)
	}
	return &p, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// planError is a refused plan as an invalid error listing its problems.
func planError(name string, ps []MethodProblem) error {
	en, zh := make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		at := p.Place
		if p.Line > 0 {
			at = fmt.Sprintf("line %d, %s", p.Line, p.Place)
		}
		en[i], zh[i] = at+": "+p.En, at+"："+p.Zh
	}
	return apperr.New(apperr.Invalid, "plan "+name+": "+strings.Join(en, "; "), "行动计划 "+name+"："+strings.Join(zh, "；"))
}

//go:embed plans/*.yaml
var planPresets embed.FS

// PlanPreset returns a shipped plan and its YAML.
func PlanPreset(name string) (*Plan, []byte, error) {
	data, err := planPresets.ReadFile("plans/" + name + ".yaml")
	if err != nil {
		return nil, nil, apperr.Newf(apperr.Invalid, "no preset plan %q (lishui-2020-2022)", "无预置行动计划 %q（可选：lishui-2020-2022）", name)
	}
	p, err := ParsePlan(name, data)
	return p, data, err
}

// StoredPlan is a plan as kept: its YAML, who kept it and when.
type StoredPlan struct {
	Name, Title, YAML, Actor string
	At                       time.Time
}

// PlanValue is a value entered by hand, with its provenance.
type PlanValue struct {
	ID        int64     `json:"id"`
	Plan      string    `json:"plan"`
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	Value     float64   `json:"value"`
	Source    string    `json:"source"` // where the figure comes from: a report, a bureau
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

// DayLoad is the load of one pollutant on one day ("20060102", China
// Standard Time) summed over outlets, from the logger's daily (CN 2031)
// or hourly (2061) data.
type DayLoad struct {
	Code, Day, CN string
	Cou           float64
}

// LoadFilter selects the outlets and pollutants of DailyLoads: one
// enterprise's ("" every one), some of its outlets (none: all).
type LoadFilter struct {
	USCC     string
	Outlets  []string
	Codes    []string
	From, To string // days "20060102", To exclusive
}

// PlanStore keeps plans and their hand-entered values, and reads what
// progress is computed from.
type PlanStore interface {
	PutPlan(ctx context.Context, p StoredPlan) error
	Plans(ctx context.Context) ([]StoredPlan, error)
	// AddPlanValue appends a value: a later one of the same indicator and
	// year supersedes it, both kept.
	AddPlanValue(ctx context.Context, v PlanValue) (int64, error)
	PlanValues(ctx context.Context, plan string) ([]PlanValue, error)
	// ClosuresByYear counts the closures carried out (cases of disposition
	// close) by year of carrying out, from (inclusive) to (exclusive) dates.
	ClosuresByYear(ctx context.Context, from, to string) (map[int]int, error)
	// DailyLoads sums the loads of the selected outlets by pollutant, day
	// and command.
	DailyLoads(ctx context.Context, f LoadFilter) ([]DayLoad, error)
}

// PlanReport is a plan with each indicator's values by year and progress.
type PlanReport struct {
	Plan
	At       time.Time      `json:"at"`
	Actor    string         `json:"actor"`
	Progress []PlanProgress `json:"progress"`
}

// PlanProgress is one indicator's values and how far it has come: the
// latest value against its baseline and target (0 at the baseline, 1 at
// the target; null without a value).
type PlanProgress struct {
	ID       string      `json:"id"`
	Method   string      `json:"method"`
	MethodZh string      `json:"method_zh"`
	Values   []PlanPoint `json:"values"`
	Latest   *PlanPoint  `json:"latest"`
	Progress *float64    `json:"progress"`
	Achieved bool        `json:"achieved"`
}

// PlanPoint is a value of a year with its provenance: computed (by what)
// or entered (by whom, from where, when).
type PlanPoint struct {
	Year       int        `json:"year"`
	Value      float64    `json:"value"`
	Provenance string     `json:"provenance"` // computed, entered
	Source     string     `json:"source"`
	Actor      string     `json:"actor,omitempty"`
	At         *time.Time `json:"at,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// SavePlan keeps a plan (a preset's name or YAML), replacing one of its
// name: the city's economy bureau's.
func (s *Service) SavePlan(ctx context.Context, by auth.Principal, preset, text string) (*Plan, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.MayWrite(by, auth.Plans, auth.Economy); err != nil {
		return nil, err
	}
	var p *Plan
	var err error
	switch {
	case (preset == "") == (text == ""):
		return nil, apperr.New(apperr.Invalid, "give preset or plan (YAML), one of them", "须给出 preset（预置计划）或 plan（YAML）之一")
	case preset != "":
		var data []byte
		p, data, err = PlanPreset(preset)
		text = string(data)
	default:
		if len(text) > 256<<10 {
			return nil, apperr.New(apperr.Invalid, "plan: at most 256 KiB of YAML", "行动计划 YAML 不得超过 256 KiB")
		}
		p, err = ParsePlan("plan", []byte(text))
	}
	if err != nil {
		return nil, err
	}
	return p, s.store.PutPlan(ctx, StoredPlan{Name: p.Name, Title: p.Title, YAML: text, Actor: by.Actor(), At: s.now().UTC()})
}

// PlanList returns the kept plans' names and titles.
func (s *Service) PlanList(ctx context.Context, by auth.Principal) ([]StoredPlan, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Plans); err != nil {
		return nil, err
	}
	ps, err := s.store.Plans(ctx)
	for i := range ps {
		ps[i].YAML = ""
	}
	return ps, err
}

func (s *Service) plan(ctx context.Context, by auth.Principal, name string) (StoredPlan, *Plan, error) {
	if err := by.Check(); err != nil {
		return StoredPlan{}, nil, err
	}
	if err := auth.CanList(by, auth.Plans); err != nil {
		return StoredPlan{}, nil, err
	}
	ps, err := s.store.Plans(ctx)
	if err != nil {
		return StoredPlan{}, nil, err
	}
	for _, sp := range ps {
		if sp.Name == name {
			p, err := ParsePlan(name, []byte(sp.YAML))
			return sp, p, err
		}
	}
	return StoredPlan{}, nil, apperr.Newf(apperr.NotFound, "no plan %q", "无行动计划 %q", name)
}

// AddPlanValue enters a value by hand for an indicator whose source is
// manual: the city's economy bureau's, with where the figure comes from.
func (s *Service) AddPlanValue(ctx context.Context, by auth.Principal, v PlanValue) (PlanValue, error) {
	if err := auth.MayWrite(by, auth.Plans, auth.Economy); err != nil {
		return PlanValue{}, err
	}
	_, p, err := s.plan(ctx, by, v.Plan)
	if err != nil {
		return PlanValue{}, err
	}
	var in *PlanIndicator
	for i := range p.Indicators {
		if p.Indicators[i].ID == v.Indicator {
			in = &p.Indicators[i]
		}
	}
	switch {
	case in == nil:
		return PlanValue{}, apperr.Newf(apperr.Invalid, "plan %s has no indicator %q", "行动计划 %s 无指标 %q", p.Name, v.Indicator)
	case in.Source != "manual":
		return PlanValue{}, apperr.Newf(apperr.Invalid, "indicator %s is computed from the system's data (%s), not entered by hand", "指标 %s 由系统数据计算（%s），不可人工填报", in.ID, in.Source)
	case v.Year < in.BaselineYear || v.Year > in.Year+10:
		return PlanValue{}, apperr.Newf(apperr.Invalid, "year %d: want %d to %d", "年度 %d 应在 %d 至 %d 之间", v.Year, in.BaselineYear, in.Year+10)
	case !finite(v.Value) || math.Abs(v.Value) > 1e15:
		return PlanValue{}, apperr.New(apperr.Invalid, "value: want a finite number", "数值应为有限数")
	case strings.TrimSpace(v.Source) == "" || len(v.Source) > 500 || len(v.Note) > 2000:
		return PlanValue{}, apperr.New(apperr.Invalid, "source: say where the figure comes from (up to 500 bytes; note up to 2,000)", "须填写数据出处 source（至多 500 字节；备注至多 2,000 字节）")
	}
	v.Actor, v.At = by.Actor(), s.now().UTC()
	v.ID, err = s.store.AddPlanValue(ctx, v)
	return v, err
}

// PlanProgress returns a kept plan with its indicators' values, computed
// from the system's data where the source says so, else the latest entry
// of each year, from the baseline year to the target year (and up to the
// current year, where later).
func (s *Service) PlanProgress(ctx context.Context, by auth.Principal, name string) (PlanReport, error) {
	sp, p, err := s.plan(ctx, by, name)
	if err != nil {
		return PlanReport{}, err
	}
	entered, err := s.store.PlanValues(ctx, name)
	if err != nil {
		return PlanReport{}, err
	}
	rep := PlanReport{Plan: *p, At: sp.At, Actor: sp.Actor}
	thisYear := s.now().Year()
	for _, in := range p.Indicators {
		pr := PlanProgress{ID: in.ID, Method: planSources[in.Source][1], MethodZh: planSources[in.Source][0]}
		last := min(max(in.Year, p.To), thisYear)
		var pts []PlanPoint
		switch in.Source {
		case "manual":
			byYear := map[int]PlanValue{}
			for _, v := range entered {
				if v.Indicator == in.ID {
					byYear[v.Year] = v // in id order: the latest wins
				}
			}
			for y := in.BaselineYear; y <= in.Year+10; y++ { // every year a value may be entered for
				if v, ok := byYear[y]; ok {
					at := v.At
					pts = append(pts, PlanPoint{Year: y, Value: v.Value, Provenance: "entered", Source: v.Source, Actor: v.Actor, At: &at, Note: v.Note})
				}
			}
		default:
			if pts, err = s.computed(ctx, p, in, last); err != nil {
				return PlanReport{}, err
			}
		}
		pr.Values = nonNilPoints(pts)
		if len(pts) > 0 {
			l := pts[len(pts)-1]
			pr.Latest = &l
			pr.Progress = ptr((l.Value - in.Baseline) / (in.Target - in.Baseline))
			pr.Achieved = pr.Progress != nil && *pr.Progress >= 1
		}
		rep.Progress = append(rep.Progress, pr)
	}
	return rep, nil
}

func nonNilPoints(p []PlanPoint) []PlanPoint {
	if p == nil {
		return []PlanPoint{}
	}
	return p
}

// computed are an indicator's values from the system's own data, for the
// plan's years up to last; a year without data has no value.
func (s *Service) computed(ctx context.Context, p *Plan, in PlanIndicator, last int) ([]PlanPoint, error) {
	var pts []PlanPoint
	src := planSources[in.Source][1]
	switch in.Source {
	case "closures":
		byYear, err := s.store.ClosuresByYear(ctx, fmt.Sprintf("%d-01-01", p.From), fmt.Sprintf("%d-01-01", last+1))
		if err != nil {
			return nil, err
		}
		total := 0
		for y := p.From; y <= last; y++ {
			total += byYear[y]
			pts = append(pts, PlanPoint{Year: y, Value: float64(total), Provenance: "computed", Source: src})
		}
	case "emissions":
		loads, err := s.store.DailyLoads(ctx, LoadFilter{Codes: []string{in.Pollutant}, From: fmt.Sprintf("%d0101", in.BaselineYear), To: fmt.Sprintf("%d0101", last+1)})
		if err != nil {
			return nil, err
		}
		byYear, days := map[int]float64{}, map[int]int{}
		for _, d := range dailyTotals(loads)[in.Pollutant] {
			y, _ := strconv.Atoi(d.Day[:4])
			byYear[y] += d.Cou
			days[y]++
		}
		for y := in.BaselineYear; y <= last; y++ {
			if kg, ok := byYear[y]; ok {
				// The sum covers only the days with data: say how many.
				of := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
				pts = append(pts, PlanPoint{Year: y, Value: kg / 1000, Provenance: "computed", Source: src,
					Note: fmt.Sprintf("%d/%.0f 天有数据 / data on %d of %.0f days", days[y], of, days[y], of)})
			}
		}
	case "leading_share":
		for y := in.BaselineYear; y <= last; y++ {
			rep, err := s.Clusters(ctx, auth.Server("plan"), y, "", in.Mapping)
			if err != nil {
				return nil, err
			}
			if rep.Revenue == 0 {
				continue
			}
			share := 0.0
			for _, st := range rep.Industries {
				share += st.Share
			}
			pts = append(pts, PlanPoint{Year: y, Value: share * 100, Provenance: "computed", Source: src + " (" + rep.Mapping + ")"})
		}
	}
	return pts, nil
}

// dailyTotals are the loads by pollutant and day, in day order: the
// logger's daily data (2031) where the day has some, else the sum of its
// hourly data (2061).
func dailyTotals(ls []DayLoad) map[string][]DayLoad {
	type key struct{ code, day string }
	daily, hourly := map[key]float64{}, map[key]float64{}
	for _, l := range ls {
		k := key{l.Code, l.Day}
		if l.CN == "2031" {
			daily[k] += l.Cou
		} else {
			hourly[k] += l.Cou
		}
	}
	for k, v := range hourly {
		if _, ok := daily[k]; !ok {
			daily[k] = v
		}
	}
	out := map[string][]DayLoad{}
	for k, v := range daily {
		out[k.code] = append(out[k.code], DayLoad{Code: k.code, Day: k.day, Cou: v})
	}
	for _, ds := range out {
		sortDays(ds)
	}
	return out
}

func sortDays(ds []DayLoad) {
	slices.SortFunc(ds, func(a, b DayLoad) int { return strings.Compare(a.Day, b.Day) })
}
