// Package economy is the per-mu benefit evaluation (亩均论英雄,
// governance.md §1): the enterprises' annual economic data, kept as a
// registry kind; evaluation methods as data (YAML, per county and year);
// and the evaluation itself, pure (Evaluate), with its runs kept by the
// Service.
package economy

import (
	"context"
	"strconv"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Annual is one enterprise's economic data for one year, as the bureaus
// report it (税务, 统计, 供电, 生态环境, or the enterprise itself).
// Amounts are in 万元.
type Annual struct {
	USCC       string  `json:"uscc"`
	Year       int     `json:"year"`
	Tax        float64 `json:"tax"`         // 评价税收
	ValueAdded float64 `json:"value_added"` // 工业增加值
	Revenue    float64 `json:"revenue"`     // 主营业务收入
	EnergyTce  float64 `json:"energy_tce"`  // 综合能耗, 吨标煤
	Kwh        float64 `json:"electricity_kwh"`
	EmissionsT float64 `json:"emissions_t"` // 主要污染物排放量, 吨
	RD         float64 `json:"rd"`          // R&D 经费
	Employees  int     `json:"employees"`   // 年平均职工人数
	// LandMu is the land the evaluation uses; 0 takes the registry's
	// enterprise land_mu.
	LandMu float64 `json:"land_mu"`
	Source string  `json:"source"`
	// Parcel names the land parcel the enterprise shares with others:
	// enterprises of one county and year with the same parcel are
	// evaluated together and share one result (Suichang, governance.md
	// §1.5). "" for an enterprise on its own land.
	Parcel string `json:"parcel,omitempty"`
	// Items are the year's bonus and penalty items (Items), as ParseItems
	// reads them: "high_tech;safety_accident*2".
	Items string `json:"items,omitempty"`
}

var annualTable = &registry.Table{Name: "annual_data", Key: []string{"uscc", "year"},
	Cols: []string{"uscc", "year", "tax", "value_added", "revenue", "energy_tce", "electricity_kwh", "emissions_t", "rd", "employees", "land_mu", "source", "parcel", "items"}}

// sources are the bureaus (or the enterprise) a year's figures come from.
var sources = map[string]bool{"税务": true, "统计": true, "供电": true, "生态环境": true, "企业申报": true}

// AnnualKind is the kind "annual": `ecoind import annual FILE` and
// POST /api/v1/import/annual, written by the economy bureau. A later
// import of the same enterprise and year is a revision, kept in the
// registry's history.
var AnnualKind = registry.NewKind("annual", "亩均年度数据",
	[]registry.Field{
		{Name: "uscc", Zh: "统一社会信用代码", Required: true, Aliases: []string{"社会信用代码", "信用代码"}},
		{Name: "year", Zh: "年度", Required: true, Aliases: []string{"年份", "评价年度"}},
		{Name: "tax", Zh: "评价税收(万元)", Aliases: []string{"评价税收（万元）", "评价税收", "税收"}},
		{Name: "value_added", Zh: "工业增加值(万元)", Aliases: []string{"工业增加值（万元）", "工业增加值", "增加值"}},
		{Name: "revenue", Zh: "主营业务收入(万元)", Aliases: []string{"主营业务收入（万元）", "主营业务收入", "营业收入"}},
		{Name: "energy_tce", Zh: "综合能耗(吨标煤)", Aliases: []string{"综合能耗（吨标煤）", "综合能耗"}},
		{Name: "electricity_kwh", Zh: "用电量(千瓦时)", Aliases: []string{"用电量（千瓦时）", "用电量"}},
		{Name: "emissions_t", Zh: "主要污染物排放量(吨)", Aliases: []string{"主要污染物排放量（吨）", "排放量"}},
		{Name: "rd", Zh: "R&D经费(万元)", Aliases: []string{"R&D经费（万元）", "R&D经费", "R&D经费支出", "研发经费", "研发费用"}},
		{Name: "employees", Zh: "年平均职工人数", Aliases: []string{"职工人数"}},
		{Name: "land_mu", Zh: "用地面积(亩)", Aliases: []string{"用地面积（亩）", "用地面积"}},
		{Name: "source", Zh: "数据来源", Aliases: []string{"来源"}},
		{Name: "parcel", Zh: "共用地块编号", Aliases: []string{"地块编号", "共用地块"}},
		{Name: "items", Zh: "加减分事项", Aliases: []string{"加分减分事项"}},
	},
	registry.Def[Annual]{
		Bureau: auth.Economy,
		Parse: func(p *registry.Parser) Annual {
			a := Annual{USCC: p.Enterprise("uscc"), Year: p.Int("year", 2000, 2100),
				Tax: p.Float("tax", -1e9, 1e9), ValueAdded: p.Float("value_added", -1e9, 1e9), Revenue: p.Float("revenue", 0, 1e9),
				EnergyTce: p.Float("energy_tce", 0, 1e9), Kwh: p.Float("electricity_kwh", 0, 1e13), EmissionsT: p.Float("emissions_t", 0, 1e9),
				RD: p.Float("rd", 0, 1e9), Employees: p.Int("employees", 0, 1e7), LandMu: p.Float("land_mu", 0, 1e6), Source: p.Text("source"),
				Parcel: p.Text("parcel")}
			if a.Source != "" && !sources[a.Source] {
				p.Fail("source", "%q is not one of 税务, 统计, 供电, 生态环境, 企业申报", "%q 不是有效来源，应为：税务、统计、供电、生态环境、企业申报", a.Source)
			}
			if items, en, zh := ParseItems(p.Text("items")); en != "" {
				p.Fail("items", "%[1]s", "%[2]s", en, zh)
			} else {
				a.Items = itemsText(items)
			}
			return a
		},
		Key:    func(a Annual) string { return a.USCC + "/" + strconv.Itoa(a.Year) },
		Owner:  func(a Annual) string { return a.USCC },
		Values: annualValues,
		Load: func(ctx context.Context, r registry.Reader, uscc string) ([]Annual, error) {
			return loadAnnual(ctx, r, uscc)
		},
		Put: func(ctx context.Context, tx registry.Tx, a Annual) error {
			return tx.Put(ctx, annualTable, []any{a.USCC, a.Year, a.Tax, a.ValueAdded, a.Revenue, a.EnergyTce, a.Kwh, a.EmissionsT, a.RD, a.Employees, a.LandMu, a.Source, a.Parcel, a.Items})
		},
	})

func init() { registry.Register(AnnualKind) }

// annualValues are a year's fields as text, in the kind's order.
func annualValues(a Annual) []string {
	return []string{a.USCC, strconv.Itoa(a.Year), num(a.Tax), num(a.ValueAdded), num(a.Revenue), num(a.EnergyTce), num(a.Kwh),
		num(a.EmissionsT), num(a.RD), num(float64(a.Employees)), num(a.LandMu), a.Source, a.Parcel, a.Items}
}

// loadAnnual reads the annual figures of one enterprise ("" all), by year.
func loadAnnual(ctx context.Context, r interface {
	ScanTable(ctx context.Context, t *registry.Table, uscc string, each func(scan func(dest ...any) error) error) error
}, uscc string) ([]Annual, error) {
	var out []Annual
	err := r.ScanTable(ctx, annualTable, uscc, func(scan func(...any) error) error {
		var a Annual
		err := scan(&a.USCC, &a.Year, &a.Tax, &a.ValueAdded, &a.Revenue, &a.EnergyTce, &a.Kwh, &a.EmissionsT, &a.RD, &a.Employees, &a.LandMu, &a.Source, &a.Parcel, &a.Items)
		out = append(out, a)
		return err
	})
	return out, err
}

// num is a figure as text: "" for 0, as the registry's exports write it.
func num(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
