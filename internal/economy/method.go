package economy

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"ecoindustry/internal/apperr"
)

// Method is an evaluation method as data: one county's rules for one
// year (governance.md §1.5: weights, benchmarks, caps and bands are
// configuration, not code). The YAML format is documented in
// docs/decisions/0024-per-mu-evaluation.md and by the presets.
type Method struct {
	Name   string `yaml:"name" json:"name"`
	Title  string `yaml:"title" json:"title"`
	Source string `yaml:"source" json:"source"` // where the numbers come from
	// County and Year, where given, are the only ones the method is for.
	County string `yaml:"county" json:"county,omitempty"`
	Year   int    `yaml:"year" json:"year,omitempty"`
	Scope  Scope  `yaml:"scope" json:"scope"`
	// Groups are the size groups evaluated, "above" (规上) and "below"
	// (规下); an enterprise of a size without a group is out of scope.
	Groups map[string]*Group `yaml:"groups" json:"groups"`
	// Adjustments are the bonus and penalty items (加分/减分): points per
	// occurrence of an item in an enterprise's year (Annual.Items).
	Adjustments []Adjustment `yaml:"adjustments" json:"adjustments,omitempty"`
	Bands       Bands        `yaml:"bands" json:"bands"`
}

// Scope is what is left out of every group.
type Scope struct {
	// ExcludeIndustries are GB/T 4754 code prefixes: utilities, say.
	ExcludeIndustries []string `yaml:"exclude_industries" json:"exclude_industries,omitempty"`
	// MinYears leaves out enterprises founded less than this many years
	// before the end of the evaluated year (Huai'an's new firms under 2
	// years, governance.md §1.4); an enterprise without a founding date
	// stays in.
	MinYears int `yaml:"min_years" json:"min_years,omitempty"`
}

// Group is one size group's rules.
type Group struct {
	MinLandMu float64 `yaml:"min_land_mu" json:"min_land_mu,omitempty"`
	MinKwh    float64 `yaml:"min_kwh" json:"min_kwh,omitempty"`
	// MinEither takes an enterprise that meets either minimum (Ruian 2018:
	// ≥ 100,000 kWh a year or ≥ 1 mu, governance.md §1.3); without it both
	// must be met.
	MinEither  bool        `yaml:"min_either" json:"min_either,omitempty"`
	Indicators []Indicator `yaml:"indicators" json:"indicators"`
}

// Adjustment is a bonus (points > 0) or penalty (points < 0) per
// occurrence of an item; Max, where given, bounds the item's total in
// absolute value. Class, where given, puts an enterprise with the item in
// that class whatever its rank (一票否决: our option, common in county
// rules, none cited in governance.md).
type Adjustment struct {
	Item   string  `yaml:"item" json:"item"`
	Points float64 `yaml:"points" json:"points"`
	Max    float64 `yaml:"max" json:"max,omitempty"`
	Class  string  `yaml:"class" json:"class,omitempty"`
	line   int
}

// Indicator is one indicator of a group: points = weight × value /
// benchmark, clamped to [floor × weight, cap × weight].
type Indicator struct {
	ID        string    `yaml:"id" json:"id"`
	Weight    float64   `yaml:"weight" json:"weight"`
	Benchmark Benchmark `yaml:"benchmark" json:"benchmark"`
	Cap       *float64  `yaml:"cap" json:"cap,omitempty"` // nil: no cap
	Floor     float64   `yaml:"floor" json:"floor"`
	// Missing is what an enterprise without the value scores: "0" (the
	// default) or "group_mean", the mean points of the group's others.
	Missing string `yaml:"missing" json:"missing,omitempty"`
	line    int
}

// Benchmark is a fixed number, or k times the county's mean or median of
// the indicator in the evaluated year: `24.097`, `county_mean × 2`.
type Benchmark struct {
	Of string  `json:"of,omitempty"` // "", "county_mean" or "county_median"
	K  float64 `json:"k"`            // the number itself where Of is ""
}

func (b Benchmark) String() string {
	if b.Of == "" {
		return strconv.FormatFloat(b.K, 'g', -1, 64)
	}
	return fmt.Sprintf("%s × %g", b.Of, b.K)
}

// Bands are the classes: by "percentile" of rank within the group (0 the
// best, 100 the last) or by "score"; each class from (inclusive) to
// (exclusive, none for the top score band).
type Bands struct {
	By      string `yaml:"by" json:"by"`
	Classes []Band `yaml:"classes" json:"classes"`
}

// Band is one class.
type Band struct {
	Class string   `yaml:"class" json:"class"`
	Name  string   `yaml:"name" json:"name,omitempty"` // 优先发展类...
	From  float64  `yaml:"from" json:"from"`
	To    *float64 `yaml:"to" json:"to,omitempty"`
	line  int
}

// indicator is what an id names: a ratio of two of an enterprise's
// figures (times scale), its names and unit.
type indicator struct {
	Zh, En, Unit string
	fig          func(in *Input) (num, den float64)
	scale        float64
}

// Indicators are the indicators a method may name (governance.md §1.2).
var Indicators = map[string]indicator{
	"tax_per_mu":          {"亩均税收", "tax per mu", "万元/亩", func(i *Input) (float64, float64) { return i.Tax, i.LandMu }, 1},
	"va_per_mu":           {"亩均增加值", "value added per mu", "万元/亩", func(i *Input) (float64, float64) { return i.ValueAdded, i.LandMu }, 1},
	"va_per_energy":       {"单位能耗增加值", "value added per tce", "万元/吨标煤", func(i *Input) (float64, float64) { return i.ValueAdded, i.EnergyTce }, 1},
	"va_per_emission":     {"单位排放增加值", "value added per tonne emitted", "万元/吨", func(i *Input) (float64, float64) { return i.ValueAdded, i.EmissionsT }, 1},
	"labour_productivity": {"全员劳动生产率", "labour productivity", "万元/人", func(i *Input) (float64, float64) { return i.ValueAdded, float64(i.Employees) }, 1},
	"rd_ratio":            {"R&D经费占主营业务收入比", "R&D to revenue", "", func(i *Input) (float64, float64) { return i.RD, i.Revenue }, 1},
	// In yuan per kWh (tax is in 万元), the unit of Huangyan's benchmark 0.2352.
	"tax_per_kwh":      {"单位电耗税收", "tax per kWh", "元/千瓦时", func(i *Input) (float64, float64) { return i.Tax, i.Kwh }, 1e4},
	"revenue_per_mu":   {"亩均营业收入", "revenue per mu", "万元/亩", func(i *Input) (float64, float64) { return i.Revenue, i.LandMu }, 1},
	"tax_per_employee": {"人均税收", "tax per employee", "万元/人", func(i *Input) (float64, float64) { return i.Tax, float64(i.Employees) }, 1},
}

// value is the indicator of in: missing (false) where its denominator is
// zero or less (no land, no energy), never NaN or Inf.
func (d indicator) value(in *Input) (float64, bool) {
	n, den := d.fig(in)
	if !(den > 0) {
		return 0, false
	}
	v := d.scale * n / den
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

var groupZh = map[string]string{"above": "规上", "below": "规下"}

// MethodProblem is one thing wrong with a method: where, and why.
type MethodProblem struct {
	Place string `json:"place"`
	Line  int    `json:"line,omitempty"`
	En    string `json:"message"`
	Zh    string `json:"message_zh"`
}

func (p MethodProblem) String() string {
	at := p.Place
	if p.Line > 0 {
		at = fmt.Sprintf("第%d行 line %d, %s", p.Line, p.Line, p.Place)
	}
	return fmt.Sprintf("%s: %s / %s", at, p.Zh, p.En)
}

// MethodError is a method refused, with every problem found.
type MethodError struct {
	File     string
	Problems []MethodProblem
}

func (e *MethodError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = e.File + ": " + p.String()
	}
	return strings.Join(s, "\n")
}

// ParseMethod reads a method from YAML (name names the file in errors)
// and checks it: unknown keys and indicator ids, weights that do not sum
// to 100 in a group, bands with gaps or overlaps are refused, each with
// its place and reason, as a *MethodError.
func ParseMethod(name string, data []byte) (*Method, error) {
	var m Method
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, &MethodError{File: name, Problems: []MethodProblem{{Place: "YAML", En: err.Error(), Zh: "YAML 格式错误：" + err.Error()}}}
	}
	if ps := m.Check(); len(ps) > 0 {
		return nil, &MethodError{File: name, Problems: ps}
	}
	return &m, nil
}

// UnmarshalYAML reads a benchmark: a number, or `county_mean × k`,
// `county_median * k` (× or *; k defaults to 1).
func (b *Benchmark) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*b = Benchmark{K: f}
		return nil
	}
	of, k, found := strings.Cut(strings.ReplaceAll(s, "×", "*"), "*")
	*b = Benchmark{Of: strings.TrimSpace(of), K: 1}
	if found {
		f, err := strconv.ParseFloat(strings.TrimSpace(k), 64)
		if err != nil {
			return fmt.Errorf("line %d: benchmark %q: want a number, or county_mean × k or county_median × k", n.Line, s)
		}
		b.K = f
	}
	if b.Of != "county_mean" && b.Of != "county_median" {
		return fmt.Errorf("line %d: benchmark %q: want a number, or county_mean × k or county_median × k", n.Line, s)
	}
	return nil
}

// UnmarshalYAML keeps the indicator's line for the problems of Check.
func (in *Indicator) UnmarshalYAML(n *yaml.Node) error {
	type plain Indicator
	if err := n.Decode((*plain)(in)); err != nil {
		return err
	}
	in.line = n.Line
	return nil
}

// UnmarshalYAML keeps the adjustment's line for the problems of Check.
func (a *Adjustment) UnmarshalYAML(n *yaml.Node) error {
	type plain Adjustment
	if err := n.Decode((*plain)(a)); err != nil {
		return err
	}
	a.line = n.Line
	return nil
}

// UnmarshalYAML reads the bands, or names a shipped band scheme
// (`bands: huaian`, presets/bands: governance.md §1.4).
func (b *Bands) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		data, err := bandSchemes.ReadFile("presets/bands/" + n.Value + ".yaml")
		if err != nil {
			return fmt.Errorf("line %d: no band scheme %q (one of %s)", n.Line, n.Value, strings.Join(BandSchemes(), ", "))
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		return dec.Decode(b)
	}
	type plain Bands
	return n.Decode((*plain)(b))
}

// UnmarshalYAML keeps the band's line for the problems of Check.
func (b *Band) UnmarshalYAML(n *yaml.Node) error {
	type plain Band
	if err := n.Decode((*plain)(b)); err != nil {
		return err
	}
	b.line = n.Line
	return nil
}

// Check returns every problem of the method, in order.
func (m *Method) Check() []MethodProblem {
	var ps []MethodProblem
	fail := func(place string, line int, en, zh string, args ...any) {
		ps = append(ps, MethodProblem{Place: place, Line: line, En: fmt.Sprintf(en, args...), Zh: fmt.Sprintf(zh, args...)})
	}
	if m.Name == "" {
		fail("name", 0, "required", "必填项为空")
	}
	if len(m.Groups) == 0 {
		fail("groups", 0, "give at least one size group: above (规上) or below (规下)", "至少须有一个规模组：above（规上）或 below（规下）")
	}
	for _, g := range slices.Sorted(maps.Keys(m.Groups)) {
		grp := m.Groups[g]
		place := "groups." + g
		if groupZh[g] == "" {
			fail(place, 0, "unknown size group %q: above (规上) or below (规下)", "未知规模组 %q：应为 above（规上）或 below（规下）", g)
			continue
		}
		if grp == nil || len(grp.Indicators) == 0 {
			fail(place, 0, "no indicators", "未列指标")
			continue
		}
		if grp.MinEither && !(grp.MinLandMu > 0 && grp.MinKwh > 0) {
			fail(place, 0, "min_either needs both min_land_mu and min_kwh", "min_either 须同时给出 min_land_mu 和 min_kwh")
		}
		sum, seen := 0.0, map[string]bool{}
		for i, in := range grp.Indicators {
			at := fmt.Sprintf("%s.indicators[%d]", place, i)
			if _, ok := Indicators[in.ID]; !ok {
				fail(at, in.line, "unknown indicator id %q (one of %s)", "未知指标 %q（应为 %s 之一）", in.ID, strings.Join(slices.Sorted(maps.Keys(Indicators)), ", "))
			} else if seen[in.ID] {
				fail(at, in.line, "indicator %s listed twice", "指标 %s 重复", in.ID)
			}
			seen[in.ID] = true
			if !(in.Weight > 0) {
				fail(at, in.line, "weight %g: want more than 0", "权重 %g 应大于 0", in.Weight)
			}
			sum += in.Weight
			if !(in.Benchmark.K > 0) {
				fail(at, in.line, "benchmark %s: want more than 0", "基准值 %s 应大于 0", in.Benchmark)
			}
			if in.Floor < 0 || in.Cap != nil && *in.Cap < in.Floor {
				fail(at, in.line, "floor %g and cap %v: want 0 ≤ floor ≤ cap", "下限 %g、上限 %v 应满足 0 ≤ 下限 ≤ 上限", in.Floor, capText(in.Cap))
			}
			if in.Missing != "" && in.Missing != "0" && in.Missing != "group_mean" {
				fail(at, in.line, "missing %q: want 0 or group_mean", "缺失值计分 %q 应为 0 或 group_mean", in.Missing)
			}
		}
		if math.Abs(sum-100) > 1e-9 {
			fail(place, grp.Indicators[0].line, "the weights of %s (%s) sum to %g, not 100", "%[2]s组权重合计为 %[3]g，应为 100", g, groupZh[g], sum)
		}
	}
	if m.Scope.MinYears < 0 || m.Scope.MinYears > 100 {
		fail("scope.min_years", 0, "%d: want 0 to 100", "%d 应在 0 到 100 之间", m.Scope.MinYears)
	}
	for i, a := range m.Adjustments {
		at := fmt.Sprintf("adjustments[%d]", i)
		if _, ok := Items[a.Item]; !ok {
			fail(at, a.line, "unknown item %q (one of %s)", "未知加减分事项 %q（应为 %s 之一）", a.Item, strings.Join(slices.Sorted(maps.Keys(Items)), ", "))
		}
		if a.Points == 0 && a.Class == "" || math.Abs(a.Points) > 100 || a.Max < 0 {
			fail(at, a.line, "points %g, max %g: want points from −100 to 100, not 0, and max ≥ 0", "分值 %g、上限 %g：分值应在 −100 到 100 之间且不为 0，上限不小于 0", a.Points, a.Max)
		}
		if a.Class != "" && !slices.ContainsFunc(m.Bands.Classes, func(b Band) bool { return b.Class == a.Class }) {
			fail(at, a.line, "class %q is none of the bands", "等级 %q 不在等级划分中", a.Class)
		}
	}
	ps = append(ps, m.Bands.check()...)
	return ps
}

func capText(c *float64) string {
	if c == nil {
		return "none"
	}
	return strconv.FormatFloat(*c, 'g', -1, 64)
}

// check: the bands must tile [0, 100] (percentile) or [0, ∞) (score)
// without a gap or an overlap, and name each class once.
func (b Bands) check() []MethodProblem {
	var ps []MethodProblem
	fail := func(place string, line int, en, zh string, args ...any) {
		ps = append(ps, MethodProblem{Place: place, Line: line, En: fmt.Sprintf(en, args...), Zh: fmt.Sprintf(zh, args...)})
	}
	if b.By != "percentile" && b.By != "score" {
		fail("bands.by", 0, "%q: want percentile or score", "%q 应为 percentile（按排名百分位）或 score（按得分）", b.By)
		return ps
	}
	if len(b.Classes) == 0 {
		fail("bands.classes", 0, "no classes", "未列等级")
		return ps
	}
	cs := slices.Clone(b.Classes)
	slices.SortStableFunc(cs, func(x, y Band) int { return cmp.Compare(x.From, y.From) })
	end := 0.0
	names := map[string]bool{}
	for i, c := range cs {
		at := "bands.classes (" + c.Class + ")"
		if c.Class == "" || names[c.Class] {
			fail(at, c.line, "each band needs a class of its own", "每个等级须有不重复的名称")
		}
		names[c.Class] = true
		last := i == len(cs)-1
		switch {
		case c.From < end:
			fail(at, c.line, "from %g overlaps the band before, which ends at %g", "起点 %g 与前一等级重叠（前一等级止于 %g）", c.From, end)
		case c.From > end:
			fail(at, c.line, "from %g leaves a gap after %g", "起点 %g 与前一等级（止于 %g）之间有空档", c.From, end)
		}
		switch {
		case c.To == nil && !(last && b.By == "score"):
			fail(at, c.line, "to is required (only the top score band may leave it out)", "须填写止点（仅按得分划分的最高等级可不填）")
			end = c.From
		case c.To != nil && *c.To <= c.From:
			fail(at, c.line, "to %g is not after from %g", "止点 %g 应大于起点 %g", *c.To, c.From)
			end = *c.To
		case c.To != nil:
			end = *c.To
		}
	}
	if last := cs[len(cs)-1]; b.By == "percentile" && end != 100 {
		fail("bands.classes ("+last.Class+")", last.line, "the bands end at %g, not 100", "各等级止于 %g，未覆盖至 100", end)
	}
	return ps
}

//go:embed presets/*.yaml
var presets embed.FS

//go:embed presets/bands/*.yaml
var bandSchemes embed.FS

// BandSchemes are the names of the band schemes shipped with ecoind.
func BandSchemes() []string {
	es, _ := bandSchemes.ReadDir("presets/bands")
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Presets are the names of the methods shipped with ecoind.
func Presets() []string {
	es, _ := presets.ReadDir("presets")
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Preset returns a shipped method and its YAML.
func Preset(name string) (*Method, []byte, error) {
	data, err := presets.ReadFile("presets/" + name + ".yaml")
	if err != nil {
		return nil, nil, apperr.Newf(apperr.Invalid, "no preset method %q (one of %s)", "无预置评价办法 %q（可选：%s）", name, strings.Join(Presets(), ", "))
	}
	m, err := ParseMethod(name, data)
	return m, data, err
}

// LoadMethod parses the YAML of a request (an API body, a file): a
// *MethodError becomes an invalid error listing the problems.
func LoadMethod(name string, data []byte) (*Method, error) {
	m, err := ParseMethod(name, data)
	if me, ok := errors.AsType[*MethodError](err); ok {
		en, zh := make([]string, len(me.Problems)), make([]string, len(me.Problems))
		for i, p := range me.Problems {
			en[i], zh[i] = p.Place+": "+p.En, p.Place+"："+p.Zh
		}
		return nil, apperr.New(apperr.Invalid, "method "+name+": "+strings.Join(en, "; "), "评价办法 "+name+"："+strings.Join(zh, "；"))
	}
	return m, err
}
