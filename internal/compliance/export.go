package compliance

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// statColumns are the columns of the statistics tables: Chinese above,
// English beneath, as a bureau reports upward.
var statColumns = []struct {
	zh, en string
	val    func(n *Counts) any // a float64 is a rate, shown with one decimal
}{
	{"应排查数", "In scope", func(n *Counts) any { return n.InScope }},
	{"立案数", "Cases opened", func(n *Counts) any { return n.Surveyed }},
	{"待现场核查", "Awaiting verification", func(n *Counts) any { return n.Pending }},
	{"排查率(%)", "Survey rate (%)", func(n *Counts) any { return n.SurveyRate }},
	{"核查合规", "Dismissed", func(n *Counts) any { return n.Dismissed }},
	{"关停取缔", "Close", func(n *Counts) any { return n.Close }},
	{"整合搬迁", "Relocate", func(n *Counts) any { return n.Relocate }},
	{"整改提升", "Upgrade", func(n *Counts) any { return n.Upgrade }},
	{"停产整改", "Stop & rectify", func(n *Counts) any { return n.StopRectify }},
	{"已关停", "Closed", func(n *Counts) any { return n.Closed }},
	{"已搬迁", "Relocated", func(n *Counts) any { return n.Relocated }},
	{"已提升", "Upgraded", func(n *Counts) any { return n.Upgraded }},
	{"验收通过", "Accepted", func(n *Counts) any { return n.Accepted }},
	{"已销号", "Closed out", func(n *Counts) any { return n.ClosedOut }},
	{"处置率(%)", "Disposal rate (%)", func(n *Counts) any { return n.DisposalRate }},
	{"逾期未销号", "Overdue", func(n *Counts) any { return n.Overdue }},
	{"复产", "Relapsed", func(n *Counts) any { return n.Relapsed }},
}

// ExportXLSX writes a campaign's statistics as of asOf ("" today) as a
// workbook for reporting upward: a table by county (title, reporting unit
// and date, columns in Chinese with English beneath, a totals row), the
// same by industry, the monthly timeline, and the ledger (台账) of every
// case. unit is the reporting unit (填报单位), "" for the lead unit. A
// principal of one county reports that county's figures and cases.
func (s *Service) ExportXLSX(ctx context.Context, by auth.Principal, w io.Writer, campaignID int64, asOf, unit string) error {
	st, err := s.Stats(ctx, by, campaignID, asOf)
	if err != nil {
		return err
	}
	cases, _, err := s.store.Cases(ctx, CaseFilter{Campaign: campaignID, County: auth.Visible(by).County})
	if err != nil {
		return err
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return err
	}
	if unit == "" {
		unit = st.Campaign.LeadUnit
	}
	x := excelize.NewFile()
	defer x.Close()
	b := &book{f: x}
	b.styles()
	b.table("按县区 By county", st, unit, "县（市、区）", "County", st.ByCounty)
	b.table("按行业 By industry", st, unit, "行业大类", "Industry division", st.ByIndustry)
	b.timeline(st)
	b.ledger(st, cases, units)
	if b.err != nil {
		return fmt.Errorf("compliance: export: %w", b.err)
	}
	x.DeleteSheet("Sheet1")
	return x.Write(w)
}

// book writes a workbook, keeping the first error.
type book struct {
	f                                 *excelize.File
	err                               error
	title, head, cell, total, percent int
}

func (b *book) do(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.do(err)
	return id
}

func (b *book) styles() {
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	b.title = b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: center})
	b.head = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: center, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	b.cell = b.style(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.total = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border})
	one := "0.0"
	b.percent = b.style(&excelize.Style{Border: border, CustomNumFmt: &one})
}

func (b *book) sheet(name string) string {
	_, err := b.f.NewSheet(name)
	b.do(err)
	return name
}

func (b *book) row(sheet string, r int, vals []any, style int) {
	if len(vals) == 0 {
		return
	}
	start, _ := excelize.CoordinatesToCellName(1, r)
	end, _ := excelize.CoordinatesToCellName(len(vals), r)
	b.do(b.f.SetSheetRow(sheet, start, &vals))
	b.do(b.f.SetCellStyle(sheet, start, end, style))
}

// header writes the title over width columns, the unit and date, and
// returns the next row.
func (b *book) header(sheet, title, unit, asOf string, width int) int {
	last, _ := excelize.ColumnNumberToName(width)
	b.do(b.f.SetCellValue(sheet, "A1", title))
	b.do(b.f.MergeCell(sheet, "A1", last+"1"))
	b.do(b.f.SetCellStyle(sheet, "A1", last+"1", b.title))
	b.do(b.f.SetRowHeight(sheet, 1, 30))
	b.do(b.f.SetCellValue(sheet, "A2", "填报单位 Reporting unit："+unit))
	mid, _ := excelize.ColumnNumberToName(width / 2)
	b.do(b.f.MergeCell(sheet, "A2", mid+"2"))
	next, _ := excelize.ColumnNumberToName(width/2 + 1)
	b.do(b.f.SetCellValue(sheet, next+"2", "统计日期 As of："+asOf))
	b.do(b.f.MergeCell(sheet, next+"2", last+"2"))
	return 3
}

func (b *book) table(name string, st Stats, unit, keyZh, keyEn string, groups []Group) {
	sh := b.sheet(name)
	width := len(statColumns) + 1
	r := b.header(sh, st.Campaign.Name+" 整治进度统计表 / Rectification progress", unit, st.AsOf, width)
	zh, en := []any{keyZh}, []any{keyEn}
	for _, c := range statColumns {
		zh, en = append(zh, c.zh), append(en, c.en)
	}
	b.row(sh, r, zh, b.head)
	b.row(sh, r+1, en, b.head)
	r += 2
	line := func(label string, n *Counts, style int) {
		vals := []any{label}
		for _, c := range statColumns {
			vals = append(vals, c.val(n))
		}
		b.row(sh, r, vals, style)
		for col, v := range vals {
			if _, rate := v.(float64); rate {
				cell, _ := excelize.CoordinatesToCellName(col+1, r)
				b.do(b.f.SetCellStyle(sh, cell, cell, b.percent))
			}
		}
		r++
	}
	for _, g := range groups {
		line(strings.TrimSpace(g.Code+" "+g.Name), &g.Counts, b.cell)
	}
	line("合计 Total", &st.Total, b.total)
	b.do(b.f.SetCellValue(sh, fmt.Sprintf("A%d", r+1), fmt.Sprintf("目标 Targets：排查率 survey rate %g%%，处置率 disposal rate %g%%。排查率 =（应排查 − 待现场核查）÷ 应排查 / survey rate = (in scope − awaiting verification) ÷ in scope；处置率 = 已销号 ÷（立案 − 核查合规）/ disposal rate = closed out ÷ (cases − dismissed).",
		st.Campaign.Targets.SurveyRate, st.Campaign.Targets.DisposalRate)))
	b.do(b.f.SetColWidth(sh, "A", "A", 24))
	last, _ := excelize.ColumnNumberToName(width)
	b.do(b.f.SetColWidth(sh, "B", last, 11))
}

func (b *book) timeline(st Stats) {
	sh := b.sheet("月度进展 Timeline")
	r := b.header(sh, st.Campaign.Name+" 月度进展 / Monthly progress", st.Campaign.LeadUnit, st.AsOf, 4)
	b.row(sh, r, []any{"月份", "排查", "销号", "复产"}, b.head)
	b.row(sh, r+1, []any{"Month", "Surveyed", "Closed out", "Relapsed"}, b.head)
	r += 2
	for _, m := range st.Timeline {
		b.row(sh, r, []any{m.Month, m.Surveyed, m.ClosedOut, m.Relapsed}, b.cell)
		r++
	}
	b.do(b.f.SetColWidth(sh, "A", "D", 14))
}

var ledgerColumns = [][2]string{
	{"序号", "No."}, {"案件编号", "Case"}, {"统一社会信用代码", "USCC"}, {"企业名称", "Enterprise"}, {"县（市、区）", "County"},
	{"乡镇（街道）", "Township"}, {"行业代码", "Industry"}, {"问题类型", "Criteria"}, {"处置方式", "Disposition"},
	{"责任单位", "Responsible unit"}, {"责任人", "Responsible person"}, {"整治措施", "Measures"}, {"完成时限", "Deadline"},
	{"状态", "State"}, {"立案日期", "Opened"}, {"整治完成日期", "Rectified"}, {"验收通过日期", "Accepted"}, {"销号日期", "Closed out"},
	{"复产次数", "Relapses"}, {"是否逾期", "Overdue"},
}

func (b *book) ledger(st Stats, cases []Case, units []registry.AdminUnit) {
	sh := b.sheet("台账 Ledger")
	r := b.header(sh, st.Campaign.Name+" 整治台账 / Case ledger", st.Campaign.LeadUnit, st.AsOf, len(ledgerColumns))
	zh, en := make([]any, len(ledgerColumns)), make([]any, len(ledgerColumns))
	for i, c := range ledgerColumns {
		zh[i], en[i] = c[0], c[1]
	}
	b.row(sh, r, zh, b.head)
	b.row(sh, r+1, en, b.head)
	r += 2
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	for i, c := range cases {
		var crit []string
		for _, f := range c.Findings {
			crit = append(crit, f.NameZh)
		}
		overdue := ""
		if c.State != ClosedOut && c.State != Dismissed && c.Deadline != "" && c.Deadline < st.AsOf {
			overdue = "是"
		}
		b.row(sh, r, []any{i + 1, c.ID, c.USCC, c.Name, names[c.County], names[c.Township], c.Industry, strings.Join(crit, "、"),
			c.Disposition.Zh(), c.Plan.Unit, c.Plan.Person, c.Plan.Measures, c.Deadline, c.State.Zh(), c.OpenedOn, c.RectifiedOn,
			c.AcceptedOn, c.ClosedOutOn, c.Relapses, overdue}, b.cell)
		r++
	}
	last, _ := excelize.ColumnNumberToName(len(ledgerColumns))
	b.do(b.f.SetColWidth(sh, "A", last, 14))
	b.do(b.f.SetColWidth(sh, "D", "D", 30))
	b.do(b.f.SetColWidth(sh, "L", "L", 30))
	b.do(b.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}))
}
