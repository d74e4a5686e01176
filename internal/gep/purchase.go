package gep

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"ecoindustry/internal/apperr"
)

// Ecological product purchases (生态产品政府采购) as Yunhe county made
// them: a buyer (the county government) buys a share of the GEP of some
// services of a seller zone (a township), priced on one year's account,
// and pays by a schedule whose later instalments depend on ecological
// quality indicators holding. Yunhe bought 0.2 % of the 2018 GEP of 崇头镇
// and 雾溪乡 for water conservation, climate regulation, soil retention
// and flood regulation, paying 70 % in the first year and 30 % in the
// second if the ecology held (reference governance.md §5, from the NDRC
// Yangtze economic belt page of 2021-10-12; issue 16). Decision 0031.

// AccountValues are GEP values in yuan by year, zone (GB/T 2260 code) and
// service, as the account runs give them.
type AccountValues interface {
	Value(year int, zone, service string) (float64, bool)
}

// ValueTable is AccountValues as a plain map: year, zone, service.
type ValueTable map[int]map[string]map[string]float64

// Value implements AccountValues.
func (t ValueTable) Value(year int, zone, service string) (float64, bool) {
	v, ok := t[year][zone][service]
	return v, ok
}

// Instalment is one payment of a purchase: the share of the price paid
// in a year, unconditionally, or if the quality indicators of
// ConditionYear hold.
type Instalment struct {
	Year          int     `json:"year"`
	Fraction      float64 `json:"fraction"`
	ConditionYear int     `json:"condition_year,omitempty"` // 0: unconditional
}

// QualityIndicator is a condition of the conditional instalments: the
// observed value must be at least Min and at most Max, where given.
type QualityIndicator struct {
	Code string   `json:"code"`
	Name string   `json:"name"`
	Unit string   `json:"unit"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
}

// Observation is an indicator's value in a year, entered as data with
// where it comes from (a monitoring report, a bulletin) and who entered it.
type Observation struct {
	Indicator string    `json:"indicator"`
	Year      int       `json:"year"`
	Value     float64   `json:"value"`
	Source    string    `json:"source"`
	EnteredBy string    `json:"entered_by,omitempty"`
	EnteredAt time.Time `json:"entered_at,omitzero"`
}

// BasisValue is the seller zone's GEP of one service in the base year,
// on which the price is set, with its source (an account run, a
// published report).
type BasisValue struct {
	Service string  `json:"service"`
	Value   float64 `json:"value_yuan"`
	Source  string  `json:"source"`
}

// Purchase is an agreement to buy a share of a zone's GEP.
type Purchase struct {
	ID           int64              `json:"id"`
	Version      int                `json:"version"`
	Name         string             `json:"name"`
	Buyer        string             `json:"buyer"`
	SellerZone   string             `json:"seller_zone"` // GB/T 2260: a county (6 digits) or township (9)
	SellerName   string             `json:"seller_name"`
	County       string             `json:"county"` // the seller zone's county, set from it
	Services     []string           `json:"services"`
	Share        float64            `json:"share"` // of the services' GEP, 0.002 for 0.2 %
	BaseYear     int                `json:"base_year"`
	Basis        []BasisValue       `json:"basis"`
	Schedule     []Instalment       `json:"schedule"`
	Indicators   []QualityIndicator `json:"indicators"`
	Observations []Observation      `json:"observations"`
	Use          string             `json:"use,omitempty"`    // what the money may be spent on
	Source       string             `json:"source,omitempty"` // the agreement's document
	Synthetic    bool               `json:"synthetic,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
	CreatedBy    string             `json:"created_by"`
	UpdatedAt    time.Time          `json:"updated_at"`
	UpdatedBy    string             `json:"updated_by"`
}

// Payment statuses.
const (
	Due      = "due"      // unconditional
	Payable  = "payable"  // its indicators hold
	Withheld = "withheld" // an indicator failed
	Pending  = "pending"  // an indicator is not observed yet
)

// IndicatorCheck is one indicator's test for a conditional payment.
type IndicatorCheck struct {
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"` // nil: not observed
	Holds     bool     `json:"holds"`
	Source    string   `json:"source,omitempty"`
}

// Payment is what an instalment comes to.
type Payment struct {
	Instalment
	Amount float64          `json:"amount_yuan"`
	Status string           `json:"status"`
	Checks []IndicatorCheck `json:"checks,omitempty"`
}

// PaymentPlan is a purchase's price and payments.
type PaymentPlan struct {
	Purchase int64   `json:"purchase"`
	GEP      float64 `json:"gep_yuan"`   // the seller zone's GEP of the services in the base year
	Price    float64 `json:"price_yuan"` // Share × GEP
	// PricedOn says where the GEP comes from: the agreement's basis or
	// an account run (decision 0033).
	PricedOn string    `json:"priced_on,omitempty"`
	Payments []Payment `json:"payments"`
	// Paid is what is due or payable; Withheld and Pending the rest.
	Paid, Withheld, Pending float64
}

// Payments prices p on the accounts av (the base year's GEP of each
// service of the seller zone) and tells each instalment's amount and
// whether it is paid, withheld or pending.
func Payments(p Purchase, av AccountValues) (PaymentPlan, error) {
	plan := PaymentPlan{Purchase: p.ID}
	for _, s := range p.Services {
		v, ok := av.Value(p.BaseYear, p.SellerZone, s)
		if !ok || !finite(v) {
			return plan, apperr.Newf(apperr.Invalid, "no GEP of %s for zone %s in %d: account it first",
				"无 %[2]s %[3]d 年的%[1]s GEP 核算结果：请先核算", s, p.SellerZone, p.BaseYear)
		}
		plan.GEP += v
	}
	if !finite(plan.GEP) {
		return plan, apperr.Newf(apperr.Invalid, "the GEP of zone %s in %d is not a number", "%s %d 年的 GEP 不是有效数值", p.SellerZone, p.BaseYear)
	}
	plan.Price = p.Share * plan.GEP
	if src, ok := av.(interface {
		Source(year int, zone string) string
	}); ok {
		plan.PricedOn = src.Source(p.BaseYear, p.SellerZone)
	}
	for _, in := range p.Schedule {
		pay := Payment{Instalment: in, Amount: in.Fraction * plan.Price, Status: Due}
		if in.ConditionYear != 0 {
			pay.Status = Payable
			for _, ind := range p.Indicators {
				c := IndicatorCheck{Indicator: ind.Code}
				i := slices.IndexFunc(p.Observations, func(o Observation) bool { return o.Indicator == ind.Code && o.Year == in.ConditionYear })
				if i < 0 {
					if pay.Status == Payable {
						pay.Status = Pending
					}
				} else {
					o := p.Observations[i]
					c.Value, c.Source = &o.Value, o.Source
					c.Holds = (ind.Min == nil || o.Value >= *ind.Min) && (ind.Max == nil || o.Value <= *ind.Max)
					if !c.Holds {
						pay.Status = Withheld
					}
				}
				pay.Checks = append(pay.Checks, c)
			}
		}
		switch pay.Status {
		case Due, Payable:
			plan.Paid += pay.Amount
		case Withheld:
			plan.Withheld += pay.Amount
		default:
			plan.Pending += pay.Amount
		}
		plan.Payments = append(plan.Payments, pay)
	}
	return plan, nil
}

// BasisValues are a purchase's basis as AccountValues: what Payments
// prices it on when no account run is given.
func (p Purchase) BasisValues() ValueTable {
	t := ValueTable{p.BaseYear: {p.SellerZone: {}}}
	for _, b := range p.Basis {
		t[p.BaseYear][p.SellerZone][b.Service] = b.Value
	}
	return t
}

var (
	zoneCode  = regexp.MustCompile(`^\d{6}(\d{3})?$`)
	identName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// Limits of a purchase's lists.
const (
	maxServices     = 20
	maxInstalments  = 20
	maxIndicators   = 20
	maxObservations = 500
	maxText         = 500
	// maxYuan bounds a service's GEP: a thousand times China's (72.81
	// trillion yuan in 2015, reference gep.md §2.3) is still below it.
	maxYuan = 1e17
)

// invalidField is a purchase's error naming the field.
func invalidField(field, en, zh string, args ...any) error {
	return apperr.Newf(apperr.Invalid, "purchase: %s: "+en, "生态产品采购：%s："+zh, append([]any{field}, args...)...)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Check checks a purchase as given and sets its county from the seller
// zone; the first problem is returned, naming its field.
func (p *Purchase) Check() error {
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"buyer", p.Buyer}, {"seller_name", p.SellerName},
		{"use", p.Use}, {"source", p.Source}} {
		if len([]rune(f.v)) > maxText {
			return invalidField(f.name, "longer than %d characters", "超过 %d 个字符", maxText)
		}
	}
	switch {
	case p.Name == "":
		return invalidField("name", "missing", "缺少名称")
	case p.Buyer == "":
		return invalidField("buyer", "missing", "缺少购买方")
	case !zoneCode.MatchString(p.SellerZone):
		return invalidField("seller_zone", "%q is no GB/T 2260 code of a county (6 digits) or township (9)", "%q 不是县（6 位）或乡镇（9 位）的 GB/T 2260 代码", p.SellerZone)
	case len(p.Services) == 0 || len(p.Services) > maxServices:
		return invalidField("services", "give 1 to %d services", "须给出 1 至 %d 项服务", maxServices)
	case !(p.Share > 0 && p.Share <= 1):
		return invalidField("share", "%v: want a fraction above 0, at most 1 (0.002 for 0.2 %%)", "%v：应为大于 0、不超过 1 的比例（0.2%% 写作 0.002）", p.Share)
	case p.BaseYear < 2000 || p.BaseYear > 2100:
		return invalidField("base_year", "%d: want 2000 to 2100", "%d：应为 2000 至 2100", p.BaseYear)
	case len(p.Schedule) == 0 || len(p.Schedule) > maxInstalments:
		return invalidField("schedule", "give 1 to %d instalments", "须给出 1 至 %d 期付款", maxInstalments)
	case len(p.Indicators) > maxIndicators:
		return invalidField("indicators", "more than %d", "超过 %d 项", maxIndicators)
	case len(p.Observations) > maxObservations:
		return invalidField("observations", "more than %d", "超过 %d 条", maxObservations)
	}
	p.County = p.SellerZone[:6]
	for i, s := range p.Services {
		if !identName.MatchString(s) || slices.Index(p.Services, s) != i {
			return invalidField(fmt.Sprintf("services[%d]", i), "%q: want a service name such as water_conservation, each once", "%q：应为服务名称（如 water_conservation），且不重复", s)
		}
	}
	for i, b := range p.Basis {
		field := fmt.Sprintf("basis[%d]", i)
		switch {
		case !slices.Contains(p.Services, b.Service):
			return invalidField(field, "service %q is not among the purchase's services", "服务 %q 不在采购的服务之列", b.Service)
		case slices.IndexFunc(p.Basis, func(o BasisValue) bool { return o.Service == b.Service }) != i:
			return invalidField(field, "service %q twice", "服务 %q 重复", b.Service)
		case !finite(b.Value) || b.Value < 0 || b.Value > maxYuan:
			return invalidField(field, "value %v: want yuan, 0 to 1e17", "价值 %v：应为 0 至 1e17 元", b.Value)
		case b.Source == "" || len([]rune(b.Source)) > maxText:
			return invalidField(field, "the source of the value is missing or longer than %d characters (an account run, a report)", "缺少价值的来源（核算批次或报告），或超过 %d 个字符", maxText)
		}
	}
	sum := 0.0
	conditional := false
	for i, in := range p.Schedule {
		field := fmt.Sprintf("schedule[%d]", i)
		switch {
		case !(in.Fraction > 0 && in.Fraction <= 1):
			return invalidField(field, "fraction %v: want above 0, at most 1", "比例 %v：应大于 0、不超过 1", in.Fraction)
		case in.Year < p.BaseYear || in.Year > 2100:
			return invalidField(field, "year %d: want from the base year %d to 2100", "年度 %d：应在基准年 %d 至 2100 之间", in.Year, p.BaseYear)
		case in.ConditionYear != 0 && (in.ConditionYear < p.BaseYear || in.ConditionYear > in.Year):
			return invalidField(field, "condition year %d: want from the base year %d to the payment's year %d", "考核年度 %d：应在基准年 %d 至付款年度 %d 之间", in.ConditionYear, p.BaseYear, in.Year)
		}
		sum += in.Fraction
		conditional = conditional || in.ConditionYear != 0
	}
	if math.Abs(sum-1) > 1e-9 {
		return invalidField("schedule", "the fractions add up to %v, want 1", "各期比例之和为 %v，应为 1", sum)
	}
	if conditional && len(p.Indicators) == 0 {
		return invalidField("indicators", "a conditional instalment needs quality indicators", "有条件的付款须有生态质量指标")
	}
	for i, ind := range p.Indicators {
		field := fmt.Sprintf("indicators[%d]", i)
		switch {
		case !identName.MatchString(ind.Code) || slices.IndexFunc(p.Indicators, func(o QualityIndicator) bool { return o.Code == ind.Code }) != i:
			return invalidField(field, "code %q: want a name such as water_quality_rate, each once", "代码 %q：应为指标代码（如 water_quality_rate），且不重复", ind.Code)
		case len([]rune(ind.Name)) > maxText || len([]rune(ind.Unit)) > maxText:
			return invalidField(field, "name or unit longer than %d characters", "名称或单位超过 %d 个字符", maxText)
		case ind.Min == nil && ind.Max == nil:
			return invalidField(field, "give min, max or both", "须给出下限、上限或两者")
		case ind.Min != nil && !finite(*ind.Min) || ind.Max != nil && !finite(*ind.Max):
			return invalidField(field, "min and max must be numbers", "下限和上限须为数值")
		}
	}
	for i, o := range p.Observations {
		field := fmt.Sprintf("observations[%d]", i)
		switch {
		case !slices.ContainsFunc(p.Indicators, func(ind QualityIndicator) bool { return ind.Code == o.Indicator }):
			return invalidField(field, "indicator %q is not among the purchase's indicators", "指标 %q 不在采购的指标之列", o.Indicator)
		case o.Year < 2000 || o.Year > 2100:
			return invalidField(field, "year %d: want 2000 to 2100", "年度 %d：应为 2000 至 2100", o.Year)
		case !finite(o.Value):
			return invalidField(field, "the value is not a number", "数值无效")
		case o.Source == "" || len([]rune(o.Source)) > maxText:
			return invalidField(field, "the source of the value is missing or longer than %d characters (a monitoring report, a bulletin)", "缺少数值的来源（监测报告、公报），或超过 %d 个字符", maxText)
		case slices.IndexFunc(p.Observations, func(x Observation) bool { return x.Indicator == o.Indicator && x.Year == o.Year }) != i:
			return invalidField(field, "%s of %d twice", "%s %d 年的数值重复", o.Indicator, o.Year)
		}
	}
	return nil
}
