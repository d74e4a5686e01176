package economy

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/auth"
)

// WriteRunXLSX writes a kept run's results, a sheet per class, then the
// policy lists of p, a sheet per bureau (issue 15: "an XLSX with a sheet
// per class and the policy lists"); by must be one who may read the run.
func (s *Service) WriteRunXLSX(ctx context.Context, by auth.Principal, w io.Writer, id int64, p *Policy) error {
	sr, err := s.read(ctx, by, id)
	if err != nil {
		return err
	}
	m, err := LoadMethod(sr.MethodName, []byte(sr.Method))
	if err != nil {
		return err
	}
	run, rs, err := s.Results(ctx, by, id, "", "")
	if err != nil {
		return err
	}
	_, l, err := s.Policies(ctx, by, id, p)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := classSheets(x, m, rs); err != nil {
		return err
	}
	if err := listSheets(x, run, p, l, false); err != nil {
		return err
	}
	return x.Write(w)
}

// classSheets adds a sheet per class, the first renaming Sheet1.
func classSheets(x *excelize.File, m *Method, rs []Result) error {
	head := []any{"统一社会信用代码 USCC", "企业名称 Name", "规模组 Group", "得分 Score", "组内排名 Rank", "参评数 Of", "等级 Class"}
	ids := map[string]bool{}
	var cols []string
	for _, name := range []string{"above", "below"} {
		if g := m.Groups[name]; g != nil {
			for _, in := range g.Indicators {
				if !ids[in.ID] {
					ids[in.ID] = true
					cols = append(cols, in.ID)
					head = append(head, Indicators[in.ID].Zh+"得分 "+in.ID)
				}
			}
		}
	}
	head = append(head, "说明", "Explanation")
	classes := make([]string, 0, len(m.Bands.Classes))
	for _, b := range m.Bands.Classes {
		classes = append(classes, b.Class)
	}
	first := true
	for _, class := range classes {
		sheet := class + " 类"
		if first {
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
			first = false
		} else if _, err := x.NewSheet(sheet); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		row := 2
		for _, r := range rs {
			if r.Class != class {
				continue
			}
			r = r.Explained()
			cells := []any{r.USCC, r.Name, groupZh[r.Group], round2(r.Score), r.Rank, r.Of, r.Class}
			for _, id := range cols {
				i := slices.IndexFunc(r.Points, func(p Points) bool { return p.ID == id })
				if i < 0 {
					cells = append(cells, "")
				} else {
					cells = append(cells, round2(r.Points[i].Points))
				}
			}
			cells = append(cells, r.Explain, r.ExplainEn)
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
			row++
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func round2(f float64) float64 {
	return float64(int64(f*100+0.5)) / 100
}

// WriteListsXLSX writes the policy lists, a sheet per bureau, each
// headed by the run and the policy it comes from.
func WriteListsXLSX(w io.Writer, run Run, p *Policy, l Lists) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := listSheets(x, run, p, l, true); err != nil {
		return err
	}
	return x.Write(w)
}

// listSheets adds a sheet per bureau's list; first: the first renames Sheet1.
func listSheets(x *excelize.File, run Run, p *Policy, l Lists, first bool) error {
	title := fmt.Sprintf("亩均评价 %d（%s %d 年度，%s）/ run %d (%s, %d, %s); 政策 policy: %s %s", run.ID, run.County, run.Year, run.StateZh,
		run.ID, run.County, run.Year, run.State, p.Name, p.Title)
	base := []any{"统一社会信用代码 USCC", "企业名称 Name", "等级 Class"}
	sheets := []struct {
		name string
		head []any
		rows []Measures
		row  func(m Measures) []any
	}{
		{"税务 土地使用税减免", []any{"减免比例% Relief %"}, l.Tax, func(m Measures) []any { return []any{m.LandTaxReliefPct} }},
		{"供电 差别电价", []any{"连续年数 Years running", "加价 元/千瓦时 Surcharge", "用电量 千瓦时 kWh", "加价金额 元 Amount"}, l.Electricity,
			func(m Measures) []any {
				return []any{m.Running, m.ElectricityYuanPerKwh, m.Kwh, round2(m.ElectricityYuan)}
			}},
		{"水务 差别水价", []any{"加价 元/吨 Surcharge", "加价比例% Surcharge %"}, l.Water,
			func(m Measures) []any { return []any{m.WaterYuanPerT, m.WaterSurchargePct} }},
		{"发改经信 用能额度", []any{"综合能耗 吨标煤 Energy", "额度比例% Quota %", "用能额度 吨标煤 Quota"}, l.Energy,
			func(m Measures) []any { return []any{m.EnergyTce, m.EnergyQuotaPct, round2(m.EnergyQuotaTce)} }},
	}
	for i, sh := range sheets {
		if i == 0 && first {
			if err := x.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{title}); err != nil {
			return err
		}
		if err := sw.SetRow("A2", append(slices.Clone(base), sh.head...)); err != nil {
			return err
		}
		for j, m := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+3)
			if err := sw.SetRow(cell, append([]any{m.USCC, m.Name, m.Class}, sh.row(m)...)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
