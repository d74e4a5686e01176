package economy

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/registry"
)

// Mapping assigns GB/T 4754-2017 codes to leading industries (主导产业),
// as data: an enterprise counts in the industry of its class's longest
// matching prefix, or in none. Presets in clusters/*.yaml.
type Mapping struct {
	Name       string          `yaml:"name" json:"name"`
	Title      string          `yaml:"title" json:"title"`
	Source     string          `yaml:"source" json:"source"`
	Reference  MappingRef      `yaml:"reference" json:"reference"`
	Industries []IndustryGroup `yaml:"industries" json:"industries"`
}

// MappingRef says where the Zhejiang shares of the location quotient come
// from, and whether they are assumed rather than published.
type MappingRef struct {
	Source  string `yaml:"source" json:"source"`
	Assumed bool   `yaml:"assumed" json:"assumed"`
}

// IndustryGroup is one leading industry: its GB/T 4754 code prefixes and
// its share of Zhejiang's industrial revenue (the location quotient's
// denominator; 0: no quotient).
type IndustryGroup struct {
	ID            string   `yaml:"id" json:"id"`
	Zh            string   `yaml:"zh" json:"zh"`
	En            string   `yaml:"en" json:"en"`
	Codes         []string `yaml:"codes" json:"codes"`
	ZhejiangShare float64  `yaml:"zhejiang_share" json:"zhejiang_share"`
	line          int
}

// UnmarshalYAML keeps the industry's line for the problems of Check.
func (g *IndustryGroup) UnmarshalYAML(n *yaml.Node) error {
	type plain IndustryGroup
	if err := n.Decode((*plain)(g)); err != nil {
		return err
	}
	g.line = n.Line
	return nil
}

// ParseMapping reads and checks a mapping: ids unique, every code a
// GB/T 4754-2017 division, group or class prefix, no prefix in two
// industries, shares in [0, 1) summing to less than 1.
func ParseMapping(name string, data []byte) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, &MethodError{File: name, Problems: []MethodProblem{{Place: "YAML", En: err.Error(), Zh: "YAML 格式错误：" + err.Error()}}}
	}
	var ps []MethodProblem
	fail := func(place string, line int, en, zh string, args ...any) {
		ps = append(ps, MethodProblem{Place: place, Line: line, En: fmt.Sprintf(en, args...), Zh: fmt.Sprintf(zh, args...)})
	}
	if m.Name == "" {
		fail("name", 0, "required", "必填项为空")
	}
	if len(m.Industries) == 0 {
		fail("industries", 0, "no industries", "未列产业")
	}
	ids, owner, sum := map[string]bool{}, map[string]string{}, 0.0
	for i, g := range m.Industries {
		at := fmt.Sprintf("industries[%d]", i)
		if g.ID == "" || ids[g.ID] {
			fail(at, g.line, "each industry needs an id of its own", "每个产业须有不重复的 id")
		}
		ids[g.ID] = true
		if g.Zh == "" || g.En == "" {
			fail(at, g.line, "zh and en names are required", "须填写中文名（zh）和英文名（en）")
		}
		if len(g.Codes) == 0 {
			fail(at, g.line, "no codes", "未列行业代码")
		}
		for _, c := range g.Codes {
			switch {
			case !isIndustryPrefix(c):
				fail(at, g.line, "%q is no GB/T 4754-2017 division, group or class", "%q 不是 GB/T 4754-2017 的大类、中类或小类代码", c)
			case owner[c] != "":
				fail(at, g.line, "code %s is already in %s", "行业代码 %s 已归入 %s", c, owner[c])
			}
			owner[c] = g.ID
		}
		if g.ZhejiangShare < 0 || g.ZhejiangShare >= 1 || math.IsNaN(g.ZhejiangShare) {
			fail(at, g.line, "zhejiang_share %g: want 0 ≤ share < 1", "全省占比 %g 应满足 0 ≤ 占比 < 1", g.ZhejiangShare)
		}
		sum += g.ZhejiangShare
	}
	if sum >= 1 {
		fail("industries", 0, "the Zhejiang shares sum to %g: want less than 1", "全省占比合计 %g，应小于 1", sum)
	}
	if len(ps) > 0 {
		return nil, &MethodError{File: name, Problems: ps}
	}
	return &m, nil
}

// isIndustryPrefix: a division (2 digits), a group (3: the catalogue's
// group rows are incomplete, so one with a class under it) or a class.
func isIndustryPrefix(c string) bool {
	if len(c) < 2 || len(c) > 4 || strings.Trim(c, "0123456789") != "" {
		return false
	}
	if _, ok := registry.IndustryName(c); ok {
		return true
	}
	for d := '0'; d <= '9' && len(c) == 3; d++ {
		if registry.IsIndustryClass(c + string(d)) {
			return true
		}
	}
	return false
}

// IndustryOf returns the id of the industry a GB/T 4754 code belongs to,
// by its longest matching prefix, or "".
func (m *Mapping) IndustryOf(code string) string {
	best, id := 0, ""
	for _, g := range m.Industries {
		for _, c := range g.Codes {
			if len(c) > best && strings.HasPrefix(code, c) {
				best, id = len(c), g.ID
			}
		}
	}
	return id
}

//go:embed clusters/*.yaml
var mappings embed.FS

// Mappings are the names of the shipped mappings.
func Mappings() []string {
	es, _ := mappings.ReadDir("clusters")
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// DefaultMapping is the mapping of a request that names none: Lishui's
// current five.
const DefaultMapping = "lishui-2021"

// MappingPreset returns a shipped mapping.
func MappingPreset(name string) (*Mapping, error) {
	data, err := mappings.ReadFile("clusters/" + cmp.Or(name, DefaultMapping) + ".yaml")
	if err != nil {
		return nil, apperr.Newf(apperr.Invalid, "no industry mapping %q (one of %s)", "无主导产业口径 %q（可选：%s）", name, strings.Join(Mappings(), ", "))
	}
	return ParseMapping(name, data)
}

// ClusterFact is the sum of one group of enterprises' figures for a year:
// a county's enterprises of one GB/T 4754 class and size.
type ClusterFact struct {
	Year                             int
	County                           string
	Industry                         string // GB/T 4754 class
	Size                             string // above, below
	N                                int
	Revenue, ValueAdded, Tax, LandMu float64
}

// FirmFigure is one enterprise's revenue in a year, for concentration,
// and its class in the county's latest evaluation of that year ("" none).
type FirmFigure struct {
	USCC, County, Industry string
	Revenue                float64
	Class                  string
}

// ClusterReport is the leading industries of a county (or the city) in a
// year, each with its ten years' series.
type ClusterReport struct {
	Mapping   string     `json:"mapping"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Reference MappingRef `json:"reference"`
	Year      int        `json:"year"`
	County    string     `json:"county,omitempty"` // "": the city
	FromYear  int        `json:"from_year"`
	// Revenue and ValueAdded are all enterprises' of the scope (county or
	// city), every industry: what the shares are of.
	Revenue    float64       `json:"revenue"`
	ValueAdded float64       `json:"value_added"`
	Industries []ClusterStat `json:"industries"`
	Method     string        `json:"method"`
	MethodZh   string        `json:"method_zh"`
}

// ClusterStat is one leading industry in the report's year and scope.
// Amounts are in 万元; shares and growth are fractions; a figure without
// a base (no revenue the year before) is null.
type ClusterStat struct {
	ID          string   `json:"id"`
	Zh          string   `json:"zh"`
	En          string   `json:"en"`
	Enterprises int      `json:"enterprises"`
	Above       int      `json:"above"` // 规上
	Revenue     float64  `json:"revenue"`
	ValueAdded  float64  `json:"value_added"`
	Tax         float64  `json:"tax"`
	GrowthYoY   *float64 `json:"growth_yoy"`
	VAGrowthYoY *float64 `json:"va_growth_yoy"`
	CAGR        *float64 `json:"cagr"`
	CAGRFrom    int      `json:"cagr_from,omitempty"`
	Share       float64  `json:"share"`      // of the scope's revenue
	CityShare   float64  `json:"city_share"` // of the city's revenue
	LQ          *float64 `json:"location_quotient"`
	TopN        int      `json:"top_n"`
	TopNShare   float64  `json:"top_n_share"`
	HHI         float64  `json:"hhi"` // 0–10,000
	TaxPerMu    *float64 `json:"tax_per_mu"`
	VAPerMu     *float64 `json:"va_per_mu"`
	// Classes count the industry's enterprises by their class in each
	// county's latest evaluation of the year; Evaluated how many had one.
	Classes   map[string]int `json:"classes"`
	Evaluated int            `json:"evaluated"`
	Series    []ClusterYear  `json:"series"`
}

// ClusterYear is one year of an industry's series.
type ClusterYear struct {
	Year       int     `json:"year"`
	Revenue    float64 `json:"revenue"`
	ValueAdded float64 `json:"value_added"`
	Above      int     `json:"above"`
	Share      float64 `json:"share"`
}

// TopN is how many of the largest enterprises the concentration share counts.
const TopN = 5

// Clusters computes the report from the facts of years from..year (all
// counties: the city's shares need them) and the firms of the year. It
// is pure, and every figure is finite.
func Clusters(m *Mapping, year int, county string, facts []ClusterFact, firms []FirmFigure) ClusterReport {
	from := year - 9
	rep := ClusterReport{Mapping: m.Name, Title: m.Title, Source: m.Source, Reference: m.Reference, Year: year, County: county, FromYear: from,
		Method: "Output is main-business revenue (主营业务收入); share of the scope's (county or city) revenue of all industries; " +
			"location quotient = share ÷ the industry's Zhejiang share (mapping's reference); growth on the year before; CAGR from the first year of the ten with revenue; " +
			"top-5 share and HHI (Σ shares², ×10,000) of the industry's enterprises' revenue; per-mu figures are sums over land; classes from each county's latest evaluation of the year.",
		MethodZh: "产值按主营业务收入计；占比为本范围（县或全市）全部行业收入之比；区位商 = 占比 ÷ 该产业全省占比（口径所附参考值）；增速为同比；年均复合增速自十年内首个有收入的年份起算；" +
			"前 5 家集中度与 HHI（份额平方和 ×10,000）按企业收入；亩均数为合计之比；等级取各县当年最新一次评价。"}
	idx := map[string]int{}
	for i, g := range m.Industries {
		idx[g.ID] = i
		st := ClusterStat{ID: g.ID, Zh: g.Zh, En: g.En, TopN: TopN, Classes: map[string]int{}, Series: make([]ClusterYear, 10)}
		for k := range st.Series {
			st.Series[k].Year = from + k
		}
		rep.Industries = append(rep.Industries, st)
	}
	scope := make([]float64, 10) // all industries' revenue of the scope, by year
	city := make([]float64, 10)
	land := make([]float64, len(m.Industries)) // the year's, by industry
	for _, f := range facts {
		k := f.Year - from
		if k < 0 || k >= 10 {
			continue
		}
		city[k] += f.Revenue
		in := county == "" || f.County == county
		if in {
			scope[k] += f.Revenue
			if f.Year == year {
				rep.Revenue += f.Revenue
				rep.ValueAdded += f.ValueAdded
			}
		}
		i, ok := idx[m.IndustryOf(f.Industry)]
		if !ok || !in {
			continue
		}
		st := &rep.Industries[i]
		s := &st.Series[k]
		s.Revenue += f.Revenue
		s.ValueAdded += f.ValueAdded
		if f.Size == "above" {
			s.Above += f.N
		}
		if f.Year == year {
			st.Enterprises += f.N
			st.Tax += f.Tax
			land[i] += f.LandMu
		}
	}
	// Concentration and classes of the year's firms.
	byInd := make([][]float64, len(m.Industries))
	for _, f := range firms {
		i, ok := idx[m.IndustryOf(f.Industry)]
		if !ok || county != "" && f.County != county {
			continue
		}
		byInd[i] = append(byInd[i], max(f.Revenue, 0))
		if f.Class != "" {
			rep.Industries[i].Classes[f.Class]++
			rep.Industries[i].Evaluated++
		}
	}
	for i := range rep.Industries {
		st := &rep.Industries[i]
		for k := range st.Series {
			st.Series[k].Share = ratio(st.Series[k].Revenue, scope[k])
		}
		cur := st.Series[9]
		st.Revenue, st.ValueAdded, st.Above = cur.Revenue, cur.ValueAdded, cur.Above
		st.Share = cur.Share
		st.CityShare = ratio(cur.Revenue, city[9])
		if g := m.Industries[i].ZhejiangShare; g > 0 && scope[9] > 0 {
			st.LQ = ptr(cur.Share / g)
		}
		if prev := st.Series[8]; prev.Revenue > 0 {
			st.GrowthYoY = ptr(cur.Revenue/prev.Revenue - 1)
		}
		if prev := st.Series[8]; prev.ValueAdded > 0 {
			st.VAGrowthYoY = ptr(cur.ValueAdded/prev.ValueAdded - 1)
		}
		for k, s := range st.Series[:9] {
			if s.Revenue > 0 && cur.Revenue > 0 {
				st.CAGR, st.CAGRFrom = ptr(math.Pow(cur.Revenue/s.Revenue, 1/float64(9-k))-1), s.Year
				break
			}
		}
		if land[i] > 0 {
			st.TaxPerMu, st.VAPerMu = ptr(st.Tax/land[i]), ptr(st.ValueAdded/land[i])
		}
		xs := byInd[i]
		total := 0.0
		for _, x := range xs {
			total += x
		}
		if total > 0 {
			slices.SortFunc(xs, func(a, b float64) int { return cmp.Compare(b, a) })
			top := 0.0
			for _, x := range xs[:min(TopN, len(xs))] {
				top += x
			}
			st.TopNShare = top / total
			for _, x := range xs {
				st.HHI += (x / total) * (x / total) * 10000
			}
		}
	}
	return rep
}

func ratio(a, b float64) float64 {
	if b > 0 {
		return a / b
	}
	return 0
}

func ptr(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
