package rules

import (
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/cst"
)

// The downloads of alarms, loads and grids (decision 0026): each a table
// whose first row says as of when ("截至 / as of", the time in CST), then
// the column names, Chinese with the English beside, then the rows.

// AsOfStamp is asOf as a file name's part: 20261204T1700 (CST).
func AsOfStamp(asOf time.Time) string { return asOf.In(cst.Zone).Format("20060102T1504") }

func cstTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst.Zone).Format("2006-01-02 15:04")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// sheetOf puts the as-of row above the columns and rows, padded to the
// columns' width.
func sheetOf(asOf time.Time, cols []string, rows [][]string) ([]string, [][]string) {
	first := make([]string, len(cols))
	first[0], first[1] = "截至 / as of", cstTime(asOf)+" (UTC+8)"
	return first, append([][]string{cols}, rows...)
}

// AlarmsSheet is the table of alarms.
func AlarmsSheet(as []Alarm, asOf time.Time) ([]string, [][]string) {
	cols := []string{"编号 / id", "类型 / kind", "状态 / state", "统一社会信用代码 / uscc", "县区 / county", "排放口 / outlet", "污染物 / pollutant",
		"开始 / started", "结束 / ended", "限值 / limit", "限值来源 / limit source", "峰值 / peak", "倍数 / multiple", "时段数 / periods"}
	rows := make([][]string, 0, len(as))
	for _, a := range as {
		rows = append(rows, []string{strconv.FormatInt(a.ID, 10), a.Kind, a.State, a.USCC, a.County, a.Outlet, a.Pollutant,
			cstTime(a.StartedAt), cstTime(a.EndedAt), num(a.Limit), a.LimitSource, num(a.Peak), num(a.Multiple), strconv.Itoa(a.Periods)})
	}
	return sheetOf(asOf, cols, rows)
}

// LoadsSheet is the table of an outlet's loads: a row a day, a month and
// the year of each pollutant, the year's with its permit.
func LoadsSheet(ls Loads) ([]string, [][]string) {
	cols := []string{"污染物 / pollutant", "名称 / name", "时段 / level", "日期 / period", "排放量(kg) / load (kg)", "方法 / method",
		"许可证 / permit", "年许可量(t) / annual quantity (t)", "已用比例 / share used", "预计用完 / runs out", "当前速率(kg/日) / rate (kg/day)"}
	var rows [][]string
	for _, p := range ls.Pollutants {
		for _, d := range p.Days {
			rows = append(rows, []string{p.Code, p.Name, "日 / day", d.Day, num(d.KG), d.Method})
		}
		for _, m := range p.Months {
			rows = append(rows, []string{p.Code, p.Name, "月 / month", m.Month, num(m.KG)})
		}
		share := ""
		if p.UsedShare != nil {
			share = num(*p.UsedShare)
		}
		rows = append(rows, []string{p.Code, p.Name, "年 / year", strconv.Itoa(ls.Year), num(p.YearKG), "", p.PermitNo, num(p.PermitQuantityT),
			share, p.RunOut, num(p.RateKGPerDay)})
	}
	return sheetOf(ls.AsOf, cols, rows)
}

// GridsSheet is the table of enterprises' grids: a column a quarter, its
// status and alarms by kind, "SNC" where significant.
func GridsSheet(gs []Grid, asOf time.Time) ([]string, [][]string) {
	cols := []string{"统一社会信用代码 / uscc", "名称 / name", "县区 / county", "严重违规 / snc", "违规季度数 / quarters in noncompliance"}
	b := bounds(asOf)
	for i := range Quarters {
		cols = append(cols, quarterName(b[i]))
	}
	var rows [][]string
	for _, g := range gs {
		row := []string{g.USCC, g.Name, g.County, strconv.FormatBool(g.SNC), strconv.Itoa(g.Violations)}
		for _, q := range g.Quarters {
			cell := q.Status
			var counts []string
			for _, k := range []string{Exceedance, Load, DataGap, "flat_line", "flag", "out_of_range", "duplicate_series"} {
				if n := q.Counts[k]; n > 0 {
					counts = append(counts, k+" "+strconv.Itoa(n))
				}
			}
			if len(counts) > 0 {
				cell += " (" + strings.Join(counts, ", ") + ")"
			}
			if q.SNC {
				cell += " SNC"
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return sheetOf(asOf, cols, rows)
}
