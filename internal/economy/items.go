package economy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// An item is a fact about an enterprise's year that a method's
// adjustments may score (加分/减分, governance.md §1.3's generic form
// "+ 加分 − 减分"). Most are data: the annual row's `items` column, filled
// from the lists the bureaus keep (科技局's high-tech enterprises, 应急管理局's
// accidents, 生态环境局's penalties). Two are the system's own data, counted
// when a run reads its inputs: the enterprise's rectification cases opened
// in the year and not dismissed, and its exceedance alarms started in the
// year.
type item struct{ Zh, En string }

// Items are the items a method may score and an annual row may carry.
var Items = map[string]item{
	"high_tech":               {"高新技术企业", "high-tech enterprise"},
	"specialised_sme":         {"专精特新企业", "specialised and innovative SME"},
	"green_factory":           {"绿色工厂", "green factory"},
	"safety_accident":         {"安全生产事故", "work-safety accident"},
	"environmental_violation": {"环境违法行政处罚", "environmental penalty"},
	"rectification_case":      {"整治案件（系统）", "rectification case (from the system)"},
	"exceedance_alarm":        {"超标告警（系统）", "exceedance alarm (from the system)"},
}

// derived are the items counted from the system's own data, not imported.
var derived = map[string]bool{"rectification_case": true, "exceedance_alarm": true}

// ParseItems reads an annual row's items: ids separated by ";" or ",",
// each with an optional count (`safety_accident*2`, `×` too), as a map
// of counts; en and zh are the first problem found.
func ParseItems(s string) (items map[string]int, en, zh string) {
	out := map[string]int{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '；' || r == '，' }) {
		id, n, found := strings.Cut(strings.ReplaceAll(strings.TrimSpace(f), "×", "*"), "*")
		id = strings.TrimSpace(id)
		count := 1
		if found {
			c, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil || c < 1 || c > 1000 {
				return nil, fmt.Sprintf("%q: the count after * is a whole number from 1 to 1000", f), fmt.Sprintf("%q：* 后的次数应为 1 到 1000 的整数", f)
			}
			count = c
		}
		if _, ok := Items[id]; !ok || derived[id] {
			return nil, fmt.Sprintf("%q is no item one imports (%s)", id, strings.Join(importable(), ", ")),
				fmt.Sprintf("%q 不是可导入的加减分事项（应为 %s 之一）", id, strings.Join(importable(), "、"))
		}
		out[id] += count
	}
	return out, "", ""
}

func importable() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(Items)) {
		if !derived[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// itemsText is items as ParseItems reads them, in id order.
func itemsText(items map[string]int) string {
	var s []string
	for _, id := range slices.Sorted(maps.Keys(items)) {
		if items[id] == 1 {
			s = append(s, id)
		} else if items[id] > 1 {
			s = append(s, id+"*"+strconv.Itoa(items[id]))
		}
	}
	return strings.Join(s, ";")
}
