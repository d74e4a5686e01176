package web

import (
	"ecoindustry/internal/registry"
	"ecoindustry/internal/web/i18n"
)

// chart is what static/app.js draws in a [data-chart] element: an ECharts
// option, or several to switch between (the buttons [data-for] name them),
// on the map of Lishui's counties when Map is set. Data items may carry a
// url, which a click follows.
type chart struct {
	Map     bool           `json:"map,omitempty"`
	Option  map[string]any `json:"option"`
	Options map[string]any `json:"options,omitempty"`
}

type obj = map[string]any

// regionItem is one county's value on the map, linked to the list behind it.
type regionItem struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	URL   string  `json:"url,omitempty"`
}

// countyMap is a choropleth of the nine counties: the GeoJSON's names are
// Chinese, so in English nameMap gives the registry's English names.
func countyMap(l, title string, items []regionItem, counties []registry.AdminUnit) map[string]any {
	hi := 1.0
	for _, it := range items {
		hi = max(hi, it.Value)
	}
	series := obj{"type": "map", "map": "lishui", "roam": false, "data": items, "selectedMode": false,
		"label": obj{"show": true, "fontSize": 11, "color": "#1d2b26", "textBorderColor": "#fff", "textBorderWidth": 2}, "emphasis": obj{"label": obj{"show": true}}}
	if l == "en" {
		names := obj{}
		for _, u := range counties {
			names[u.Name] = u.NameEn
		}
		// nameMap renames the regions: the data must use the new names.
		series["nameMap"] = names
		for i := range items {
			if n, ok := names[items[i].Name].(string); ok {
				items[i].Name = n
			}
		}
	}
	return obj{
		"title":   obj{"text": title, "left": "center", "textStyle": obj{"fontSize": 14}},
		"tooltip": obj{"trigger": "item"},
		"visualMap": obj{"min": 0, "max": hi, "left": 8, "bottom": 8, "calculable": true, "itemHeight": 90,
			"text": []string{i18n.T(l, "chart.high"), i18n.T(l, "chart.low")}, "inRange": obj{"color": []string{"#e8f4ef", "#1b7a5a"}}},
		"series": []any{series},
	}
}

// lineChart is a chart over time: x values are CST times, or categories;
// yName is the values' unit.
func lineChart(title string, xCategories []string, series []any, yName string) map[string]any {
	x := obj{"type": "time", "axisLabel": obj{"hideOverlap": true}}
	if xCategories != nil {
		x = obj{"type": "category", "data": xCategories}
	}
	if yName != "" {
		title += " · " + yName // in the title: an axis name would overlap it
	}
	return obj{
		"title":   obj{"text": title, "left": 0, "textStyle": obj{"fontSize": 13}},
		"tooltip": obj{"trigger": "axis"},
		"legend":  obj{"bottom": 0, "type": "scroll"},
		"grid":    obj{"left": 48, "right": 16, "top": 48, "bottom": 56},
		"xAxis":   x,
		"yAxis":   obj{"type": "value", "scale": true},
		"series":  series,
	}
}
