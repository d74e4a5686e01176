package economy

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Input is one enterprise as the evaluation sees it: its registry
// record's name, industry and size, and its year's figures, LandMu
// already the registry's where the year's data gave none.
type Input struct {
	Annual
	Name     string `json:"name"`
	Industry string `json:"industry_code"`
	Size     string `json:"size"`
	Founded  string `json:"founded,omitempty"` // YYYY-MM-DD, the registry's
	// Counts are the year's items: Annual.Items and the items derived
	// from the system's data (rectification cases, exceedance alarms).
	Counts map[string]int `json:"counts,omitempty"`
}

// Result is one enterprise's evaluation.
type Result struct {
	USCC  string  `json:"uscc"`
	Name  string  `json:"name"`
	Group string  `json:"group"` // above, below
	Score float64 `json:"score"`
	Rank  int     `json:"rank"` // within the group: 1 the best, ties share a rank
	Of    int     `json:"of"`   // how many the group ranks
	Class string  `json:"class"`
	// Points are per indicator, in the method's order.
	Points []Points `json:"points"`
	// Adjustments are the bonus and penalty items scored, in the score.
	Adjustments []Adjust `json:"adjustments,omitempty"`
	// Forced is the item that set the class whatever the rank (一票否决).
	Forced string `json:"forced_by,omitempty"`
	// Parcel is the shared parcel evaluated as one: every enterprise on
	// it has the same figures, score, rank and class (Suichang, §1.5).
	Parcel string `json:"parcel,omitempty"`
	// LastClass is the enterprise's class in the county's latest run of
	// the year before, where there is one ("" where none).
	LastClass string `json:"last_class,omitempty"`
	// Explain and ExplainEn are filled in by Explained, on reading: the
	// numbers above are what a run keeps.
	Explain   string `json:"explain_zh,omitempty"`
	ExplainEn string `json:"explain_en,omitempty"`
}

// Points are what one indicator gave an enterprise.
type Points struct {
	ID        string  `json:"id"`
	Value     float64 `json:"value"`
	Missing   bool    `json:"missing,omitempty"` // no value: scored as the method says
	Benchmark float64 `json:"benchmark"`
	Weight    float64 `json:"weight"`
	Points    float64 `json:"points"`
	Capped    bool    `json:"capped,omitempty"`
	Floored   bool    `json:"floored,omitempty"`
}

// Adjust is what one item gave an enterprise: count × points, bounded by
// the adjustment's max.
type Adjust struct {
	Item   string  `json:"item"`
	Count  int     `json:"count"`
	Points float64 `json:"points"`
}

// Outcome is an evaluation of one county's year.
type Outcome struct {
	// Benchmarks are the benchmarks used, by group and indicator: the
	// computed ones (county_mean, county_median) of this year's data.
	Benchmarks map[string]map[string]float64 `json:"benchmarks"`
	Results    []Result                      `json:"results"` // by group, then rank
	// OutOfScope counts the enterprises left out: of no group, an
	// excluded industry, or less land than the group's minimum.
	OutOfScope int `json:"out_of_scope"`
}

// Evaluate scores, ranks and classes the enterprises by m. It is pure:
// the same inputs give the same outcome, and no score is NaN or Inf.
func Evaluate(m *Method, ins []Input) Outcome {
	out := Outcome{Benchmarks: map[string]map[string]float64{}}
	byGroup := map[string][]*Input{}
	// Enterprises on a shared parcel are one unit: their figures summed,
	// members left out by scope first (§1.5: evaluated per legal person,
	// those sharing a parcel combined).
	parcels := map[string][]*Input{}
	var units []*Input
	for i := range ins {
		in := &ins[i]
		young := m.Scope.MinYears > 0 && in.Founded != "" && in.Founded > fmt.Sprintf("%04d-12-31", in.Year-m.Scope.MinYears)
		if m.Groups[in.Size] == nil && in.Parcel == "" || excluded(m.Scope.ExcludeIndustries, in.Industry) || young {
			out.OutOfScope++
			continue
		}
		if in.Parcel == "" {
			units = append(units, in)
			continue
		}
		if parcels[in.Parcel] == nil {
			units = append(units, in)
		}
		parcels[in.Parcel] = append(parcels[in.Parcel], in)
	}
	for i, u := range units {
		if ms := parcels[u.Parcel]; len(ms) > 1 {
			units[i] = combine(ms)
		}
		u = units[i]
		g := m.Groups[u.Size]
		if g == nil || !g.admits(u) {
			out.OutOfScope += max(1, len(parcels[u.Parcel]))
			continue
		}
		byGroup[u.Size] = append(byGroup[u.Size], u)
	}
	out.Results = make([]Result, 0, len(ins)-out.OutOfScope)
	for _, name := range slices.Sorted(maps.Keys(byGroup)) {
		rs := evaluateGroup(m, name, byGroup[name], out.Benchmarks)
		if len(parcels) == 0 {
			out.Results = append(out.Results, rs...)
			continue
		}
		for _, r := range rs {
			ms := parcels[r.Parcel]
			if len(ms) <= 1 {
				out.Results = append(out.Results, r)
				continue
			}
			for _, in := range ms {
				x := r
				x.USCC, x.Name = in.USCC, in.Name
				out.Results = append(out.Results, x)
			}
		}
	}
	return out
}

// combine is the enterprises of one parcel as one: figures and items
// summed, the parcel's land the largest any of them gives (a parcel's
// land is the holder's certificate, the tenants on it giving it again or
// none: summing would count it twice), the larger size group (规上 if any
// is), the first one's USCC, name and industry.
func combine(ms []*Input) *Input {
	u := *ms[0]
	u.Counts = map[string]int{}
	u.Tax, u.ValueAdded, u.Revenue, u.EnergyTce, u.Kwh, u.EmissionsT, u.RD, u.Employees, u.LandMu = 0, 0, 0, 0, 0, 0, 0, 0, 0
	for _, in := range ms {
		u.Tax, u.ValueAdded, u.Revenue, u.EnergyTce = u.Tax+in.Tax, u.ValueAdded+in.ValueAdded, u.Revenue+in.Revenue, u.EnergyTce+in.EnergyTce
		u.Kwh, u.EmissionsT, u.RD, u.Employees = u.Kwh+in.Kwh, u.EmissionsT+in.EmissionsT, u.RD+in.RD, u.Employees+in.Employees
		u.LandMu = max(u.LandMu, in.LandMu)
		if in.Size == "above" {
			u.Size = "above"
		}
		for id, n := range in.Counts {
			u.Counts[id] += n
		}
	}
	return &u
}

// admits reports whether in meets the group's minimum land and
// electricity (both, or either with MinEither).
func (g *Group) admits(in *Input) bool {
	land, kwh := in.LandMu >= g.MinLandMu, in.Kwh >= g.MinKwh
	if g.MinEither {
		return land || kwh
	}
	return land && kwh
}

func excluded(prefixes []string, industry string) bool {
	for _, p := range prefixes {
		if p != "" && strings.HasPrefix(industry, p) {
			return true
		}
	}
	return false
}

func evaluateGroup(m *Method, name string, ins []*Input, benchmarks map[string]map[string]float64) []Result {
	g := m.Groups[name]
	rs := make([]Result, len(ins))
	for i, in := range ins {
		rs[i] = Result{USCC: in.USCC, Name: in.Name, Group: name, Of: len(ins), Points: make([]Points, len(g.Indicators)), Parcel: in.Parcel}
	}
	benchmarks[name] = map[string]float64{}
	for j, ind := range g.Indicators {
		d := Indicators[ind.ID]
		bench := benchmark(ind.Benchmark, d, ins)
		benchmarks[name][ind.ID] = bench
		lo, hi := ind.Floor*ind.Weight, math.Inf(1)
		if ind.Cap != nil {
			hi = *ind.Cap * ind.Weight
		}
		sum, n := 0.0, 0
		for i, in := range ins {
			p := Points{ID: ind.ID, Benchmark: bench, Weight: ind.Weight}
			v, ok := d.value(in)
			p.Value, p.Missing = v, !ok
			if ok {
				raw := 0.0
				if bench > 0 {
					raw = ind.Weight * v / bench
				}
				p.Points = min(max(raw, lo), hi)
				p.Capped, p.Floored = raw > hi, raw < lo
				sum += p.Points
				n++
			}
			rs[i].Points[j] = p
		}
		if ind.Missing == "group_mean" && n > 0 {
			mean := sum / float64(n)
			for i := range rs {
				if rs[i].Points[j].Missing {
					rs[i].Points[j].Points = mean
				}
			}
		}
	}
	for i := range rs {
		for _, p := range rs[i].Points {
			rs[i].Score += p.Points
		}
		if len(m.Adjustments) > 0 && len(ins[i].Counts) > 0 {
			rs[i].adjust(m, ins[i].Counts)
		}
	}
	slices.SortFunc(rs, func(a, b Result) int { return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.USCC, b.USCC)) })
	for i := range rs {
		rs[i].Rank = i + 1
		if i > 0 && rs[i].Score == rs[i-1].Score {
			rs[i].Rank = rs[i-1].Rank
		}
		rs[i].Class = m.Bands.classOf(rs[i])
		if rs[i].Forced != "" {
			rs[i].Class = rs[i].forcedClass(m)
		}
	}
	return rs
}

// adjust adds the method's bonus and penalty items to r's score: count ×
// points, each item's total bounded by its max; an item with a class sets
// Forced (the later band wins where two do).
func (r *Result) adjust(m *Method, counts map[string]int) {
	band := func(class string) int {
		return slices.IndexFunc(m.Bands.Classes, func(b Band) bool { return b.Class == class })
	}
	for _, a := range m.Adjustments {
		n := counts[a.Item]
		if n <= 0 {
			continue
		}
		pts := a.Points * float64(n)
		if a.Max > 0 {
			pts = min(max(pts, -a.Max), a.Max)
		}
		r.Adjustments = append(r.Adjustments, Adjust{Item: a.Item, Count: n, Points: pts})
		r.Score += pts
		if a.Class != "" && (r.Forced == "" || band(a.Class) > band(r.forcedClass(m))) {
			r.Forced = a.Item
		}
	}
}

// forcedClass is the class the Forced item sets.
func (r *Result) forcedClass(m *Method) string {
	for _, a := range m.Adjustments {
		if a.Item == r.Forced {
			return a.Class
		}
	}
	return ""
}

// benchmark is the indicator's benchmark in this year: a fixed one, or
// k × the county's mean (the ratio of the group's sums: 全县亩均税收 is
// the county's tax over its land) or median of the values.
func benchmark(b Benchmark, d indicator, ins []*Input) float64 {
	switch b.Of {
	case "county_mean":
		var num, den float64
		for _, in := range ins {
			if n, dd := d.fig(in); dd > 0 {
				num, den = num+n, den+dd
			}
		}
		if den == 0 {
			return 0
		}
		return b.K * d.scale * num / den
	case "county_median":
		var vs []float64
		for _, in := range ins {
			if v, ok := d.value(in); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return 0
		}
		slices.Sort(vs)
		med := vs[len(vs)/2]
		if len(vs)%2 == 0 {
			med = (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
		}
		return b.K * med
	}
	return b.K
}

// classOf is the band of r: by its rank's percentile within the group
// (0 the best) or by its score.
func (b Bands) classOf(r Result) string {
	x := max(r.Score, 0) // penalties may take a score below the lowest band's 0
	if b.By == "percentile" {
		x = float64(r.Rank-1) / float64(r.Of) * 100
	}
	for _, c := range b.Classes {
		if x >= c.From && (c.To == nil || x < *c.To) {
			return c.Class
		}
	}
	return ""
}

// Explained returns r with its explanations.
func (r Result) Explained() Result {
	r.Explain, r.ExplainEn = explain(r)
	return r
}

// explain says, in Chinese and English, where the score came from and
// which indicators pulled it down most against their benchmarks.
func explain(r Result) (zh, en string) {
	var zs, es []string
	zs = append(zs, fmt.Sprintf("%s组得分 %.2f，第 %d/%d 名，%s 类。", groupZh[r.Group], r.Score, r.Rank, r.Of, r.Class))
	es = append(es, fmt.Sprintf("Score %.2f in %s, rank %d of %d, class %s.", r.Score, r.Group, r.Rank, r.Of, r.Class))
	if r.Parcel != "" {
		zs[0] += fmt.Sprintf("与共用地块 %s 上的企业合并评价，共享一个结果。", r.Parcel)
		es[0] += fmt.Sprintf(" Evaluated together with the enterprises sharing parcel %s, one result for all.", r.Parcel)
	}
	for _, a := range r.Adjustments {
		zs[0] += fmt.Sprintf("%s %d 次，%+.2f 分。", Items[a.Item].Zh, a.Count, a.Points)
		es[0] += fmt.Sprintf(" %s ×%d: %+.2f points.", Items[a.Item].En, a.Count, a.Points)
	}
	if r.Forced != "" {
		zs[0] += fmt.Sprintf("因%s，直接定为 %s 类。", Items[r.Forced].Zh, r.Class)
		es[0] += fmt.Sprintf(" Class %s set by the item %s, whatever the rank.", r.Class, Items[r.Forced].En)
	}
	down := slices.Clone(r.Points)
	down = slices.DeleteFunc(down, func(p Points) bool { return p.Points >= p.Weight })
	slices.SortStableFunc(down, func(a, b Points) int { return cmp.Compare(b.Weight-b.Points, a.Weight-a.Points) })
	if len(down) == 0 {
		return zs[0] + "各项指标均达到基准。", es[0] + " Every indicator reached its benchmark."
	}
	zs = append(zs, "拉低得分的指标：")
	es = append(es, " Pulled down by:")
	for i, p := range down[:min(3, len(down))] {
		d := Indicators[p.ID]
		lost := p.Weight - p.Points
		sep, sepEn := "；", ";"
		if i == 0 {
			sep, sepEn = "", ""
		}
		switch {
		case p.Missing:
			zs = append(zs, fmt.Sprintf("%s%s无数据（分母为 0 或缺失），得 %.2f 分，比权重 %g 少 %.2f 分", sep, d.Zh, p.Points, p.Weight, lost))
			es = append(es, fmt.Sprintf("%s %s has no value (no denominator), %.2f points, %.2f below its weight %g", sepEn, d.En, p.Points, lost, p.Weight))
		default:
			pct := 0.0
			if p.Benchmark > 0 {
				pct = p.Value / p.Benchmark * 100
			}
			zs = append(zs, fmt.Sprintf("%s%s %.4g%s，为基准 %.4g 的 %.0f%%，得 %.2f 分，比权重 %g 少 %.2f 分", sep, d.Zh, p.Value, d.Unit, p.Benchmark, pct, p.Points, p.Weight, lost))
			es = append(es, fmt.Sprintf("%s %s %.4g %s, %.0f%% of the benchmark %.4g, %.2f points, %.2f below its weight %g", sepEn, d.En, p.Value, d.Unit, pct, p.Benchmark, p.Points, lost, p.Weight))
		}
	}
	return strings.Join(zs, "") + "。", strings.Join(es, "") + "."
}
