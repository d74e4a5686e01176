package gep

import (
	"bytes"
	_ "embed"
	"math"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/sheet"
)

// The built-in unit prices: Garzê 2010, the only complete, sourced set
// reference/gep.md §9.6 recommends shipping. An administrator gives the
// official table of a standard (DB33/T 2274, the national 2022 规范) as a
// file of the same columns.
//
//go:embed prices/default.csv
var defaultPrices []byte

// DefaultPrices returns the built-in price table as CSV: the template of
// a bureau's own.
func DefaultPrices() []byte { return bytes.Clone(defaultPrices) }

// DefaultPricesName names the built-in table in messages and provenance.
const DefaultPricesName = "built-in prices (Garzê 2010, reference/gep.md §9)"

// Price is one unit price: what it prices, in what unit, for which year,
// and where it comes from.
type Price struct {
	Item   string  `json:"item"`
	Year   int     `json:"year"`
	Price  float64 `json:"price"`
	Unit   string  `json:"unit"`
	Source string  `json:"source"`
}

// priceItems are the items a run prices, in the account's order, with
// the unit each price must be in.
var priceItems = []struct{ item, unit string }{
	{"water_storage", "元/m³"}, {"dredging", "元/m³"}, {"nitrogen", "元/t"}, {"phosphorus", "元/t"},
	{"cod", "元/t"}, {"nh3n", "元/t"}, {"so2", "元/t"}, {"nox", "元/t"}, {"dust", "元/t"},
	{"carbon", "元/t C"}, {"oxygen", "元/t"}, {"electricity", "元/kWh"},
}

// prices are the unit prices of one year, by item.
type prices map[string]Price

// readPrices reads the price table at path (the built-in one when empty):
// columns year,item,price,unit,source, every row with its source. It
// returns the prices of year and fails, naming the file, when one of the
// items is missing for that year, so a run stops before it computes.
func readPrices(path string, year int) (prices, string, error) {
	name := path
	var t *sheet.Table
	var err error
	if path == "" {
		name = DefaultPricesName
		t, err = sheet.ReadCSV(name, bytes.NewReader(defaultPrices))
	} else {
		t, err = sheet.Read(path)
	}
	if err != nil {
		return nil, name, err
	}
	col := map[string]int{}
	for _, c := range []string{"year", "item", "price", "unit", "source"} {
		i := slices.IndexFunc(t.Header, func(h string) bool { return strings.EqualFold(h, c) })
		if i < 0 {
			return nil, name, invalid("%s:1: no column %s (want year,item,price,unit,source)", "%s:1：缺少列 %s（应有 year,item,price,unit,source）", name, c)
		}
		col[c] = i
	}
	units := map[string]string{}
	for _, it := range priceItems {
		units[it.item] = it.unit
	}
	out := prices{}
	years := map[int]bool{}
	for _, r := range t.Rows {
		cell := func(c string) string { return r.Cells[col[c]] }
		y, err := strconv.Atoi(cell("year"))
		if err != nil {
			return nil, name, invalid("%s:%d:year: %q is not a year", "%s:%d:year：%q 不是年份", name, r.Num, cell("year"))
		}
		years[y] = true
		item := cell("item")
		unit, known := units[item]
		if !known {
			return nil, name, invalid("%s:%d:item: unknown item %q (known: %s)", "%s:%d:item：未知项目 %q（可用：%s）", name, r.Num, item, itemList())
		}
		v, err := strconv.ParseFloat(cell("price"), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, name, invalid("%s:%d:price: %q is not a price", "%s:%d:price：%q 不是有效价格", name, r.Num, cell("price"))
		}
		if cell("unit") != unit {
			return nil, name, invalid("%s:%d:unit: %s is priced in %s, not %q", "%s:%d:unit：%s 的单位应为 %s，而非 %q", name, r.Num, item, unit, cell("unit"))
		}
		if cell("source") == "" {
			return nil, name, invalid("%s:%d:source: every price names its source", "%s:%d:source：每个价格须注明来源", name, r.Num)
		}
		if y != year {
			continue
		}
		if _, dup := out[item]; dup {
			return nil, name, invalid("%s:%d: %s for %d appears twice", "%s:%d：%s 的 %d 年价格重复", name, r.Num, item, year)
		}
		out[item] = Price{Item: item, Year: y, Price: v, Unit: unit, Source: cell("source")}
	}
	var missing []string
	for _, it := range priceItems {
		if _, ok := out[it.item]; !ok {
			missing = append(missing, it.item)
		}
	}
	if len(missing) > 0 {
		var have []string
		for y := range years {
			have = append(have, strconv.Itoa(y))
		}
		slices.Sort(have)
		return nil, name, invalid("%s: no price for %d of %s (the table has years %s)", "%s：缺少 %d 年 %s 的价格（表中年份：%s）",
			name, year, strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	return out, name, nil
}

func itemList() string {
	var s []string
	for _, it := range priceItems {
		s = append(s, it.item)
	}
	return strings.Join(s, ", ")
}
