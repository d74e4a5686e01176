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
	for i := range ins {
		in := &ins[i]
		g := m.Groups[in.Size]
		if g == nil || excluded(m.Scope.ExcludeIndustries, in.Industry) || in.LandMu < g.MinLandMu {
			out.OutOfScope++
			continue
		}
		byGroup[in.Size] = append(byGroup[in.Size], in)
	}
	for _, name := range slices.Sorted(maps.Keys(byGroup)) {
		out.Results = append(out.Results, evaluateGroup(m, name, byGroup[name], out.Benchmarks)...)
	}
	return out
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
		rs[i] = Result{USCC: in.USCC, Name: in.Name, Group: name, Of: len(ins), Points: make([]Points, len(g.Indicators))}
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
	}
	slices.SortFunc(rs, func(a, b Result) int { return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.USCC, b.USCC)) })
	for i := range rs {
		rs[i].Rank = i + 1
		if i > 0 && rs[i].Score == rs[i-1].Score {
			rs[i].Rank = rs[i-1].Rank
		}
		rs[i].Class = m.Bands.classOf(rs[i])
	}
	return rs
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
	x := r.Score
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
