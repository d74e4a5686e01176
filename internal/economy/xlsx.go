package economy

import (
	"io"
	"slices"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes an evaluation's results, a sheet per class (in the
// bands' order), each with its enterprises by group and rank.
func WriteXLSX(w io.Writer, m *Method, rs []Result) error {
	x := excelize.NewFile()
	defer x.Close()
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
	return x.Write(w)
}

func round2(f float64) float64 {
	return float64(int64(f*100+0.5)) / 100
}
