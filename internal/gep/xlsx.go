package gep

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxZoneSheets bounds the sheets of one workbook: past it (villages),
// the zones are in the summary and the long account sheet only.
const maxZoneSheets = 200

// WriteXLSX writes the account as officials file it: a summary of every
// zone, the account sheet of every line of every zone, a sheet per zone
// (up to maxZoneSheets) and the provenance. Money in 万元.
func WriteXLSX(w io.Writer, acc *Account) error {
	x := excelize.NewFile()
	defer x.Close()
	wan := func(v float64) float64 { return v / 1e4 }
	opt := func(p *float64, f func(float64) float64) any {
		if p == nil {
			return ""
		}
		return f(*p)
	}
	id := func(v float64) float64 { return v }
	var sheets []xsheet
	summary := [][]any{{"层级 Level", "代码 Code", "名称 Name", "面积 Area (km²)", "物质产品 Material (万元)", "调节服务 Regulating (万元)",
		"文化服务 Cultural (万元)", "GEP (万元)", "GDP (万元)", "GEP/GDP", "上年 GEP Previous (万元)", "变化 Change (%)"}}
	lines := [][]any{{"层级 Level", "代码 Code", "名称 Name", "类别 Category", "服务 Service", "项目 Item", "功能量 Quantity", "单位 Unit",
		"单价 Price", "价格单位 Price unit", "价值量 Value (万元)", "上年 Previous (万元)", "价格来源 Price source"}}
	for _, z := range acc.Zones {
		summary = append(summary, []any{z.Level, z.Code, z.Name, z.AreaKm2, wan(z.Material), wan(z.Regulating), wan(z.Cultural), wan(z.GEP),
			wan(z.GDP), opt(z.GEPPerGDP, id), opt(z.PreviousGEP, wan), opt(z.ChangePct, id)})
		for _, r := range z.Rows {
			lines = append(lines, []any{z.Level, z.Code, z.Name, r.Category, r.Service, r.Zh + " " + r.En, r.Quantity, r.Unit, r.Price, r.PriceUnit,
				wan(r.Value), opt(r.Previous, wan), r.Source})
		}
	}
	sheets = append(sheets, xsheet{"汇总 Summary", summary}, xsheet{"核算表 Account", lines})
	if len(acc.Zones) <= maxZoneSheets {
		for i, z := range acc.Zones {
			rows := [][]any{{acc.Name, fmt.Sprintf("%d 年 / year %d", acc.Year, acc.Year)}, {z.Level, z.Code, z.Name},
				{"服务 Service", "项目 Item", "功能量 Quantity", "单位 Unit", "单价 Price", "价格单位 Price unit", "价值量 Value (万元)", "上年 Previous (万元)", "价格来源 Price source"}}
			for _, r := range z.Rows {
				rows = append(rows, []any{r.Service, r.Zh + " " + r.En, r.Quantity, r.Unit, r.Price, r.PriceUnit, wan(r.Value), opt(r.Previous, wan), r.Source})
			}
			rows = append(rows, []any{}, []any{"物质产品 Material", "", "", "", "", "", wan(z.Material)}, []any{"调节服务 Regulating", "", "", "", "", "", wan(z.Regulating)},
				[]any{"文化服务 Cultural", "", "", "", "", "", wan(z.Cultural)}, []any{"GEP", "", "", "", "", "", wan(z.GEP), opt(z.PreviousGEP, wan)},
				[]any{"GDP", "", "", "", "", "", wan(z.GDP)}, []any{"GEP/GDP", "", "", "", "", "", opt(z.GEPPerGDP, id)},
				[]any{"土壤保持量 Soil retained (t)", "", z.SoilT})
			sheets = append(sheets, xsheet{sheetName(i, z), rows})
		}
	}
	p := acc.Provenance
	prov := [][]any{{"项目 Field", "值 Value", "SHA-256", "字节 Bytes"},
		{"名称 Name", acc.Name}, {"年份 Year", acc.Year}, {"价格年份 Price year", acc.PriceYear}, {"价格表 Price table", p.PriceTable},
		{"程序 Code", p.Code.Module + " " + p.Code.Version, p.Code.Revision, fmt.Sprint("modified: ", p.Code.Modified)}, {"Go", p.Code.GoVersion},
		{"开始 Started (UTC)", p.Started.Format("2006-01-02 15:04:05")}, {"用时 Seconds", p.Seconds},
		{"栅格 Grid", fmt.Sprintf("%d×%d EPSG:%d, %v", p.Grid.Width, p.Grid.Height, p.Grid.EPSG, p.Grid.Transform)}}
	for _, in := range p.Inputs {
		prov = append(prov, []any{in.Field, in.Path, in.SHA256, in.Bytes})
	}
	prov = append(prov, []any{}, []any{"价格 Price", "年份 Year", "单价 Price", "单位 Unit", "来源 Source"})
	for _, pr := range p.Prices {
		prov = append(prov, []any{pr.Item, pr.Year, pr.Price, pr.Unit, pr.Source})
	}
	pa := p.Config.Parameters
	prov = append(prov, []any{}, []any{"参数 Parameter", "值 Value"}, []any{"z", pa.Z}, []any{"storm_depth_mm", pa.StormDepth},
		[]any{"siltation", pa.Siltation}, []any{"bulk_density", pa.BulkDensity}, []any{"soil_n", pa.SoilN}, []any{"soil_p", pa.SoilP},
		[]any{"ac_efficiency", pa.ACEfficiency}, []any{"cooling_days", pa.CoolingDays}, []any{"humidifier_kwh_m3", pa.HumidifierKWh})
	sheets = append(sheets, xsheet{"来源 Provenance", prov})
	for i, s := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(s.name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(s.name)
		if err != nil {
			return err
		}
		for j, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return x.Write(w)
}

type xsheet struct {
	name string
	rows [][]any
}

// sheetName is a zone's sheet: its number, code and name, without the
// characters Excel refuses, at most 31 characters.
func sheetName(i int, z ZoneAccount) string {
	s := fmt.Sprintf("%d %d %s", i+1, z.Code, z.Name)
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
