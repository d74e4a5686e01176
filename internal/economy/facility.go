package economy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
)

// SharedFacility is a treatment facility several enterprises share (as
// Qingtian's valve foundries share centralised treatment): its operator
// (an enterprise of the registry) and the operator's outlets that
// discharge what it treated, its capacity as a daily amount of one
// measured quantity (a flow, m³/d, or a pollutant, kg/d), and the
// enterprises connected.
type SharedFacility struct {
	Code     string   `json:"code"`
	Version  int      `json:"version"`
	Name     string   `json:"name"`
	County   string   `json:"county,omitempty"` // the operator's
	Kind     string   `json:"kind,omitempty"`   // what it treats: 铸造废气, 电镀废水...
	Operator string   `json:"operator"`         // USCC
	Outlets  []string `json:"outlets"`          // the operator's outlet codes
	// Measure is the HJ 212-2017 code whose daily Cou the capacity is
	// of: w00000 (wastewater, m³), a00000 (flue gas, m³) or a pollutant (kg).
	Measure      string       `json:"measure"`
	CapacityDay  float64      `json:"capacity_per_day"`
	CapacityUnit string       `json:"capacity_unit"`
	Connected    []Connection `json:"connected"`
	Actor        string       `json:"actor,omitempty"`
	At           time.Time    `json:"at"`
}

// Connection is an enterprise connected to a facility since a day.
type Connection struct {
	USCC  string `json:"uscc"`
	Name  string `json:"name,omitempty"` // on reading
	Since string `json:"since,omitempty"`
}

// FacilityStore keeps shared facilities (the record as one JSON
// document, with its version).
type FacilityStore interface {
	// PutSharedFacility inserts f (version 1) or replaces it where its
	// stored version is f.Version − 1, else reports false.
	PutSharedFacility(ctx context.Context, f SharedFacility) (bool, error)
	SharedFacility(ctx context.Context, code string) (SharedFacility, bool, error)
	SharedFacilities(ctx context.Context, county string) ([]SharedFacility, error)
}

// FacilityLoad is a facility's measured load over the last days and its
// utilisation: the daily mean of the measure over its outlets ÷ capacity.
type FacilityLoad struct {
	From        string    `json:"from"`
	To          string    `json:"to"`
	Days        int       `json:"days"` // with data
	MeanPerDay  *float64  `json:"mean_per_day"`
	PeakPerDay  *float64  `json:"peak_per_day"`
	Utilisation *float64  `json:"utilisation"` // mean ÷ capacity
	Peak        *float64  `json:"peak_utilisation"`
	Series      []DayLoad `json:"series"`
	Method      string    `json:"method"`
	MethodZh    string    `json:"method_zh"`
}

var facilityCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// FacilityDays is how many days back a facility's load is measured.
const FacilityDays = 30

func (s *Service) checkFacility(ctx context.Context, f *SharedFacility) error {
	var en, zh []string
	bad := func(e, z string) { en, zh = append(en, e), append(zh, z) }
	if !facilityCode.MatchString(f.Code) {
		bad(fmt.Sprintf("code %q: 1–40 letters, digits, - or _", f.Code), fmt.Sprintf("编号 code %q 应为 1—40 位字母、数字、- 或 _", f.Code))
	}
	if f.Name = strings.TrimSpace(f.Name); f.Name == "" || len(f.Name) > 300 || len(f.Kind) > 300 || len(f.CapacityUnit) > 40 {
		bad("name: required, up to 300 bytes (kind 300, capacity_unit 40)", "名称 name 必填，至多 300 字节（kind 300，capacity_unit 40）")
	}
	if _, ok := hj212.LookupPollutant(f.Measure); !ok {
		bad(fmt.Sprintf("measure %q: want an HJ 212-2017 code (w00000 wastewater flow, a00000 flue gas, or a pollutant)", f.Measure),
			fmt.Sprintf("计量指标 measure %q 应为 HJ 212-2017 代码（w00000 废水流量、a00000 废气流量或污染物）", f.Measure))
	}
	if !(f.CapacityDay > 0) || f.CapacityDay > 1e12 {
		bad("capacity_per_day: more than 0", "设计日处理能力 capacity_per_day 应大于 0")
	}
	if len(f.Connected) > 1000 {
		bad("connected: up to 1,000 enterprises", "接入企业至多 1,000 家")
	}
	if len(en) > 0 {
		return apperr.New(apperr.Invalid, "shared facility: "+strings.Join(en, "; "), "共享治污设施："+strings.Join(zh, "；"))
	}
	op, err := s.enterprise(ctx, f.Operator)
	if err != nil {
		return err
	}
	f.County = op.County
	outlets, err := s.store.Outlets(ctx, f.Operator)
	if err != nil {
		return err
	}
	if len(f.Outlets) == 0 {
		return apperr.New(apperr.Invalid, "outlets: give the operator's outlets that discharge what the facility treats", "须列出运营单位的排放口（outlets）")
	}
	for _, o := range f.Outlets {
		if !slices.ContainsFunc(outlets, func(x registry.Outlet) bool { return x.OutletCode == o }) {
			return apperr.Newf(apperr.Invalid, "outlet %s is not an outlet of %s", "排放口 %s 不是 %s 的排放口", o, f.Operator)
		}
	}
	seen := map[string]bool{}
	for i, c := range f.Connected {
		if seen[c.USCC] {
			return apperr.Newf(apperr.Invalid, "enterprise %s is connected twice", "企业 %s 重复接入", c.USCC)
		}
		seen[c.USCC] = true
		if _, err := s.enterprise(ctx, c.USCC); err != nil {
			return err
		}
		if c.Since != "" {
			if _, err := time.Parse(dateLayout, c.Since); err != nil {
				return apperr.Newf(apperr.Invalid, "connected[%d].since %q: want YYYY-MM-DD", "接入日期 connected[%d].since %q 应为 YYYY-MM-DD", i, c.Since)
			}
		}
		f.Connected[i].Name = ""
	}
	return nil
}

// SaveFacility creates a shared facility (version 0) or updates one
// (its version as read): the economy bureau's, a county's officer in
// their county.
func (s *Service) SaveFacility(ctx context.Context, by auth.Principal, f SharedFacility) (SharedFacility, error) {
	if err := by.Check(); err != nil {
		return SharedFacility{}, err
	}
	if err := auth.MayWrite(by, auth.Industry, auth.Economy); err != nil {
		return SharedFacility{}, err
	}
	missing := apperr.Newf(apperr.NotFound, "no shared facility %q", "无编号为 %q 的共享治污设施", f.Code)
	if f.Version != 0 {
		old, ok, err := s.store.SharedFacility(ctx, f.Code)
		if err != nil {
			return SharedFacility{}, err
		}
		if !ok {
			return SharedFacility{}, missing
		}
		if err := auth.CanWrite(by, auth.Object{What: auth.Industry, Bureau: auth.Economy, County: old.County, Missing: missing}); err != nil {
			return SharedFacility{}, err
		}
	}
	if err := s.checkFacility(ctx, &f); err != nil {
		return SharedFacility{}, err
	}
	if err := auth.CanWrite(by, auth.Object{What: auth.Industry, Bureau: auth.Economy, County: f.County, Missing: missing}); err != nil {
		return SharedFacility{}, err
	}
	f.Version++
	f.Actor, f.At = by.Actor(), s.now().UTC()
	ok, err := s.store.PutSharedFacility(ctx, f)
	if err == nil && !ok {
		if f.Version == 1 {
			err = apperr.Newf(apperr.Conflict, "shared facility %s exists: update it with its version", "共享治污设施 %s 已存在，请按其版本号修改", f.Code)
		} else {
			err = apperr.Newf(apperr.Conflict, "shared facility %s was changed since version %d: read it again", "共享治污设施 %s 在版本 %d 之后已被修改，请重新读取", f.Code, f.Version-1)
		}
	}
	return f, err
}

// Facilities lists the shared facilities p may read.
func (s *Service) Facilities(ctx context.Context, by auth.Principal) ([]SharedFacility, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return nil, err
	}
	return s.store.SharedFacilities(ctx, auth.Visible(by).County)
}

// Facility returns a shared facility, its connected enterprises named,
// with its load and utilisation over the last FacilityDays days.
func (s *Service) Facility(ctx context.Context, by auth.Principal, code string) (SharedFacility, FacilityLoad, error) {
	if err := by.Check(); err != nil {
		return SharedFacility{}, FacilityLoad{}, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return SharedFacility{}, FacilityLoad{}, err
	}
	missing := apperr.Newf(apperr.NotFound, "no shared facility %q", "无编号为 %q 的共享治污设施", code)
	f, ok, err := s.store.SharedFacility(ctx, code)
	if err != nil {
		return SharedFacility{}, FacilityLoad{}, err
	}
	if !ok {
		return SharedFacility{}, FacilityLoad{}, missing
	}
	if err := auth.CanRead(by, auth.Object{What: auth.Industry, County: f.County, Missing: missing}); err != nil {
		return SharedFacility{}, FacilityLoad{}, err
	}
	for i, c := range f.Connected {
		if e, err := s.enterprise(ctx, c.USCC); err == nil {
			f.Connected[i].Name = e.Name
		}
	}
	today := s.now().In(cst.Zone)
	l := FacilityLoad{From: today.AddDate(0, 0, -FacilityDays).Format(dateLayout), To: today.Format(dateLayout),
		Method: fmt.Sprintf("The daily amount of %s (Cou, the loggers' daily data CN 2031, or the sum of the hourly data CN 2061 for a day without it) summed over the facility's outlets, "+
			"for the %d days before today; utilisation is the mean over the days with data ÷ the capacity per day, peak the largest day's.", f.Measure, FacilityDays),
		MethodZh: fmt.Sprintf("设施各排放口 %s 的日排放量（Cou：数采仪日数据 CN 2031，无日数据之日取小时数据 CN 2061 之和）之和，取今日之前 %d 天；负荷率为有数据日的日均值 ÷ 设计日处理能力，峰值取最大一日。",
			f.Measure, FacilityDays)}
	loads, err := s.store.DailyLoads(ctx, LoadFilter{USCC: f.Operator, Outlets: f.Outlets, Codes: []string{f.Measure}, From: dkey(l.From), To: dkey(l.To)})
	if err != nil {
		return SharedFacility{}, FacilityLoad{}, err
	}
	l.Series = dailyTotals(loads)[f.Measure]
	sum, peak := 0.0, 0.0
	for _, d := range l.Series {
		sum += d.Cou
		peak = max(peak, d.Cou)
	}
	if l.Days = len(l.Series); l.Days > 0 {
		l.MeanPerDay, l.PeakPerDay = ptr(sum/float64(l.Days)), ptr(peak)
		l.Utilisation, l.Peak = ptr(*l.MeanPerDay/f.CapacityDay), ptr(peak/f.CapacityDay)
	}
	if l.Series == nil {
		l.Series = []DayLoad{}
	}
	return f, l, nil
}
