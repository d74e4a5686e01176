// Package demo generates a synthetic, Lishui-like registry (parks,
// enterprises and everything a bureau keeps on them) and loads it through
// the registry's ordinary import path; Campaigns then replays two
// rectification campaigns over it through the compliance service. Every
// enterprise and campaign is made up and marked synthetic; the story they
// tell follows shared/reference/governance.md (§2 rectification and the
// §2.3 campaign facts, §4.3 industry codes, §6 Lishui facts).
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// Dataset is a generated Lishui-like registry as tables, one per kind, in import order.
type Dataset struct{ Tables []Table }

// Table is the rows of one registry kind, with the kind's English field
// names as header.
type Table struct {
	Kind   string
	Header []string
	Rows   [][]string
}

// Table returns the dataset's table of a kind.
func (d *Dataset) Table(kind string) (Table, bool) {
	for _, t := range d.Tables {
		if t.Kind == kind {
			return t, true
		}
	}
	return Table{}, false
}

// asOf is the day the dataset describes: "valid", "expired" and "within
// three years" are relative to it, so that a seed always gives the same data.
var asOf = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)

// Generate builds a deterministic dataset from seed with n enterprises (the demo uses 3000).
func Generate(seed int64, n int) *Dataset {
	g := newGen(seed, n)
	return &Dataset{Tables: []Table{Units(), Parks(), g.enterprises(), g.licences(), g.sites(), g.safety(), g.outlets(), g.facilities(), g.permits(), g.annual()}}
}

// Without returns the dataset without the tables of the kinds named: the
// demo loads its annual figures after the campaigns have closed firms.
func (d *Dataset) Without(kinds ...string) *Dataset {
	return &Dataset{Tables: slices.DeleteFunc(slices.Clone(d.Tables), func(t Table) bool { return slices.Contains(kinds, t.Kind) })}
}

// Enterprises returns only the enterprises table of Generate(seed, n), for
// the large import benchmark. Its rows refer to the parks of Parks(): import
// those first.
func Enterprises(seed int64, n int) Table { return newGen(seed, n).enterprises() }

// Load imports a dataset into svc, kind by kind in registry.Kinds order, each
// all-or-nothing, with actor "demo". Enterprises already stored keep their
// status (keepStatuses).
func Load(ctx context.Context, svc *registry.Service, d *Dataset) error {
	_, err := load(ctx, svc, d)
	return err
}

func load(ctx context.Context, svc *registry.Service, d *Dataset) ([]registry.Result, error) {
	for _, t := range d.Tables {
		if _, ok := registry.KindByName(t.Kind); !ok {
			return nil, fmt.Errorf("demo: no registry kind %q", t.Kind)
		}
	}
	var res []registry.Result
	for _, k := range registry.Kinds {
		t, ok := d.Table(k.Name)
		if !ok {
			continue
		}
		var err error
		switch k.Name {
		case "enterprises":
			t, err = keepStatuses(ctx, svc.Store(), t)
		case "annual":
			t, err = activeYears(ctx, svc.Store(), t)
		}
		if err != nil {
			return res, fmt.Errorf("demo: load %s: %w", k.Name, err)
		}
		st := &sheet.Table{File: "demo/" + t.Kind + ".csv", Header: t.Header, Rows: make([]sheet.Row, len(t.Rows))}
		for i, cells := range t.Rows {
			st.Rows[i] = sheet.Row{Num: i + 2, Cells: cells}
		}
		r, err := svc.Import(ctx, k, st, auth.Server("demo"), false)
		if err != nil {
			return res, fmt.Errorf("demo: load %s: %w", k.Name, err)
		}
		res = append(res, r)
	}
	return res, nil
}

// keepStatuses returns the enterprises table with the stored status of
// each enterprise already stored: once stored, an enterprise's status is
// the registry's own (the campaigns' cases close, move and suspend
// enterprises), and loading the demo again must not undo that.
func keepStatuses(ctx context.Context, r registry.Reader, t Table) (Table, error) {
	stored, _, err := r.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		return t, fmt.Errorf("demo: load enterprises: %w", err)
	}
	status := make(map[string]string, len(stored))
	for _, e := range stored {
		status[e.USCC] = e.Status
	}
	col := slices.Index(t.Header, "status")
	out := Table{Kind: t.Kind, Header: t.Header, Rows: make([][]string, len(t.Rows))}
	for i, row := range t.Rows {
		if st, ok := status[row[0]]; ok && st != row[col] {
			row = slices.Clone(row)
			row[col] = st
		}
		out.Rows[i] = row
	}
	return out, nil
}

// county is a county-level unit of Lishui with the approximate position of
// its seat (WGS84) and some of its towns and sub-districts.
type county struct {
	ab, code, name string
	lon, lat       float64
	towns          []string
}

var counties = []county{
	{"LD", "331102", "莲都区", 119.92, 28.45, strings.Fields("水阁街道 南明山街道 碧湖镇 紫金街道 岩泉街道 联城街道 大港头镇 老竹畲族镇")},
	{"QT", "331121", "青田县", 120.29, 28.14, strings.Fields("温溪镇 船寮镇 东源镇 高湖镇 油竹街道 鹤城街道 山口镇 海口镇")},
	{"JY", "331122", "缙云县", 120.09, 28.66, strings.Fields("壶镇镇 新碧街道 五云街道 东渡镇 新建镇 舒洪镇 东方镇 仙都街道")},
	{"SC", "331123", "遂昌县", 119.27, 28.59, strings.Fields("妙高街道 云峰街道 大柘镇 石练镇 金竹镇")},
	{"SY", "331124", "松阳县", 119.48, 28.45, strings.Fields("西屏街道 水南街道 望松街道 古市镇 象溪镇 赤寿乡")},
	{"YH", "331125", "云和县", 119.57, 28.12, strings.Fields("浮云街道 白龙山街道 元和街道 凤凰山街道 崇头镇 紧水滩镇")},
	{"QY", "331126", "庆元县", 119.06, 27.62, strings.Fields("松源街道 濛洲街道 屏都街道 竹口镇 黄田镇")},
	{"JN", "331127", "景宁畲族自治县", 119.63, 27.97, strings.Fields("红星街道 鹤溪街道 澄照乡 东坑镇 沙湾镇")},
	{"LQ", "331181", "龙泉市", 119.14, 28.07, strings.Fields("龙渊街道 剑池街道 西街街道 塔石街道 上垟镇 宝溪乡 八都镇")},
}

// park is a park with its town and approximate centre. The development zone
// (with the 水阁 synthetic-leather cluster) and 丽缙高新区 are real names
// (governance.md §6); the other parks are illustrative.
type park struct {
	code, name, county, kind, town string
	lon, lat                       float64
}

var parks = []park{
	{"LS-ETDZ", "丽水经济技术开发区", "331102", "development_zone", "水阁街道", 119.85, 28.41},
	{"LS-LJHT", "丽缙高新区", "331122", "development_zone", "新碧街道", 120.03, 28.60},
	{"LD-IP01", "莲都区碧湖工业园区", "331102", "industrial_park", "碧湖镇", 119.79, 28.34},
	{"QT-IP01", "青田县油竹工业园区", "331121", "industrial_park", "油竹街道", 120.26, 28.12},
	{"QT-IP02", "青田县船寮阀门产业园", "331121", "industrial_park", "船寮镇", 120.15, 28.18},
	{"JY-IP01", "缙云县壶镇工业园区", "331122", "industrial_park", "壶镇镇", 120.23, 28.79},
	{"JY-IP02", "缙云县东方工业园区", "331122", "industrial_park", "东方镇", 120.12, 28.69},
	{"SC-IP01", "遂昌县工业园区", "331123", "industrial_park", "云峰街道", 119.30, 28.57},
	{"SY-IP01", "松阳县工业园区", "331124", "industrial_park", "水南街道", 119.50, 28.44},
	{"YH-IP01", "云和县工业园区", "331125", "industrial_park", "白龙山街道", 119.59, 28.11},
	{"QY-IP01", "庆元县工业园区", "331126", "industrial_park", "屏都街道", 119.09, 27.63},
	{"JN-IP01", "景宁县澄照工业园区", "331127", "industrial_park", "澄照乡", 119.61, 27.99},
	{"LQ-IP01", "龙泉市工业园区", "331181", "industrial_park", "塔石街道", 119.18, 28.08},
	{"LD-SM01", "莲都区南明山小微企业园", "331102", "small_micro_park", "南明山街道", 119.90, 28.43},
	{"QT-SM01", "青田县温溪小微企业园", "331121", "small_micro_park", "温溪镇", 120.42, 28.10},
	{"JY-SM01", "缙云县东渡小微企业园", "331122", "small_micro_park", "东渡镇", 120.13, 28.72},
	{"LQ-SM01", "龙泉市剑池小微企业园", "331181", "small_micro_park", "剑池街道", 119.13, 28.06},
}

// Units returns the administrative units table: Lishui and its nine
// county-level units, real (governance.md §6), as the store is seeded with.
func Units() Table {
	k, _ := registry.KindByName("units")
	t := Table{Kind: "units", Header: k.Header()}
	for _, u := range registry.LishuiUnits {
		t.Rows = append(t.Rows, []string{u.Code, u.Name, u.Level, u.Parent, u.NameEn, ff(u.AreaKm2, 3), strconv.Itoa(u.Population)})
	}
	return t
}

// Parks returns the parks table, the same for every seed. Each park's
// boundary is an illustrative square of ±0.025° around its centre, which
// holds the firms placed in it (±0.02°): no park's real outline.
func Parks() Table {
	t := Table{Kind: "parks", Header: []string{"code", "name", "county", "kind", "lon", "lat", "boundary"}}
	for _, p := range parks {
		const d = 0.025
		w, e, so, n := ff(p.lon-d, 3), ff(p.lon+d, 3), ff(p.lat-d, 3), ff(p.lat+d, 3)
		boundary := `{"type":"Polygon","coordinates":[[[` + w + `,` + so + `],[` + e + `,` + so + `],[` + e + `,` + n + `],[` + w + `,` + n + `],[` + w + `,` + so + `]]]}`
		t.Rows = append(t.Rows, []string{p.code, p.name, p.county, p.kind, ff(p.lon, 2), ff(p.lat, 2), boundary})
	}
	return t
}

// sector is one industry of the story: its GB/T 4754-2017 classes (repeat
// one to weight it), the words that name its firms, its pollution profile
// and how often a firm has one, whether its firms are key discharge units
// (重点排污单位), whether it was a rectification campaign target (more
// closures and illegal sites), its earliest founding year, and where its
// firms are: "LD90@LS-ETDZ" is weight 90 in Liandu, mostly in LS-ETDZ.
type sector struct {
	codes, words string
	prof         string
	pol          float64
	key, camp    bool
	since        int
	where        string
}

var sectors = []sector{
	// Synthetic leather, its base fabric (革基布) and PU resin: the development zone (§2.3, §6).
	{"2925", "合成革 革业 超纤材料 人造革", "leather", 1, true, false, 2003, "LD95@LS-ETDZ"},
	{"1781", "革基布 非织造布 纺织", "fabric", 0.8, false, false, 2003, "LD25@LS-ETDZ"},
	{"2651", "树脂 化工 新材料", "resin", 1, true, false, 2003, "LD25@LS-ETDZ"},
	// Qingtian valves and their foundries (§2.3).
	{"3443", "阀门 阀业 流体控制 管阀", "valve", 0.85, false, true, 1995, "QT190@QT-IP02 LD20 JY10"},
	{"3391 3391 3392", "铸造 精密铸造 铸业", "foundry", 1, false, true, 1995, "QT60@QT-IP02 LD10 JY15"},
	// Jinyun campaign industries (seed story; §2.3).
	// Their Jinyun firms are the special campaign's scope (jinyunIndustries):
	// enough of them that it closes over 200 (campaigns.go).
	{"3360", "电镀 表面处理 金属表面处理", "plating", 1, true, true, 1995, "JY50@JY-IP02 QT10@QT-IP01 LD15@LS-ETDZ YH5"},
	{"3312", "防盗门 门业 安全门", "doors", 0.7, false, true, 1998, "JY135@JY-IP01 YH5"},
	{"2041", "竹业 竹制品 竹木", "bamboo", 0.5, false, true, 1995, "JY30 QY70@QY-IP01 LQ60@LQ-IP01 SC30 SY15 JN20"},
	{"3032", "石材 石业 建材", "stone", 0.6, false, true, 1995, "JY45 QT15 LD10"},
	{"3130 3120 3311 3311", "钢业 钢结构 型钢", "steel", 0.6, false, true, 1995, "JY30 LD15"},
	{"3321 3321 3421", "锯业 工具 锯床 机床", "coat", 0.2, false, false, 1995, "JY90@JY-IP01"},
	// Songyang special steel (415X 协同区, §4.2).
	{"3130 3130 3120", "特钢 不锈钢 钢管 特种材料", "steel", 1, true, false, 2000, "SY90@SY-IP01"},
	// The five leading industries (§4.2, §4.3).
	{"3973 3985 3985 3562", "半导体 电子材料 微电子 集成电路", "semi", 0.5, false, false, 2012, "LD45@LS-ETDZ JY10@LS-LJHT SC5"},
	{"3484 3489 3670", "精密机械 机械 汽车部件 零部件 精工", "coat", 0.3, false, false, 1995, "LD60@LS-ETDZ JY80@LS-LJHT LQ70@LQ-IP01 QT20 YH15 SC20"},
	{"2710 2720 2730 2740 2761", "制药 药业 生物科技 生物医药", "pharma", 1, true, false, 1998, "LD30@LS-ETDZ SC10 LQ10 JN8 QY8"},
	{"3581 3584 3589", "医疗器械 医疗科技 医疗设备", "", 0, false, false, 2005, "LD25@LS-ETDZ JY10@LS-LJHT"},
	{"1952", "鞋业 制鞋 皮鞋", "coat", 0.5, false, false, 1995, "QT40@QT-SM01 LD15"},
	{"1819 1830", "服饰 服装 制衣", "", 0, false, false, 1995, "LD20 SC5 QT5"},
	{"2459", "木制玩具 玩具 益智玩具 教玩具", "coat", 0.3, false, false, 1995, "YH120@YH-IP01 LD5"},
	{"2442 2442 2411", "体育用品 文体用品 运动器材 文具", "coat", 0.3, false, false, 1995, "QY45@QY-IP01 YH10 LQ5"},
	{"3075", "青瓷 瓷业 陶瓷", "", 0, false, false, 1995, "LQ90"},
	{"3324", "宝剑 刀剑 剑业", "", 0, false, false, 1995, "LQ40@LQ-SM01"},
	{"2431", "石雕 工艺品 石艺", "", 0, false, false, 1995, "QT45"},
	// No printed circuits (3982): a polluting industry, which firms without outlets would fail in the "四无" screening.
	{"3981 3976 3971 3919", "电子 电子科技 光电 智能科技", "", 0, false, false, 2005, "LD45@LS-ETDZ JY15@LS-LJHT SC10 YH5 LQ5"},
	// A tail of other common manufacturing.
	{"1530", "茶业 茶叶 名茶", "", 0, false, false, 1995, "SY35 SC20 JN20 LD5 QY5"},
	{"1372", "食用菌 菌业 食品", "", 0, false, false, 1995, "QY30 LQ15 JN5"},
	{"2029 2039 2110 2032", "木业 木制品 家具", "boiler", 0.2, false, false, 1995, "LD20 SC20 SY15 YH10 QY15 JN10 LQ20 JY10 QT10"},
	{"2231 2319", "包装 印刷 纸业", "coat", 0.3, false, false, 1995, "LD25@LD-SM01 JY10 QT10 LQ8 SC5 SY5"},
	{"2929", "塑业 塑料制品 塑胶", "", 0, false, false, 1995, "LD25@LD-IP01 JY15 QT15 YH5 LQ8"},
	{"3021 3099", "建材 水泥制品", "", 0, false, false, 1995, "LD10 SC8 SY8 JN8 QY5 LQ8 YH5 JY8 QT8"},
	{"3399 3340 3441 3831 3823 4090", "五金 机电 电器 电缆 仪表", "", 0, false, false, 1995, "LD30@LD-IP01 JY35@JY-SM01 QT15 LQ10 SC10 SY10 YH8 QY5 JN5"},
	{"2669", "化工 精细化工", "resin", 0.8, false, false, 1998, "SC10@SC-IP01 LD10@LD-IP01"},
}

// slot is one sector in one county, with its cumulative weight and preferred park.
type slot struct {
	sec    *sector
	county int
	park   string
	cumW   int
}

var slots, totalW = func() ([]slot, int) {
	var ss []slot
	total := 0
	for i := range sectors {
		s := &sectors[i]
		for _, c := range strings.Fields(s.codes) {
			if !registry.IsIndustryClass(c) {
				panic("demo: " + c + " is not a GB/T 4754-2017 class")
			}
		}
		for _, f := range strings.Fields(s.where) {
			f, pk, _ := strings.Cut(f, "@")
			w, err := strconv.Atoi(f[2:])
			ci := slices.IndexFunc(counties, func(c county) bool { return c.ab == f[:2] })
			if err != nil || ci < 0 || pk != "" && slices.IndexFunc(parks, func(p park) bool { return p.code == pk }) < 0 {
				panic("demo: bad sector place " + f + "@" + pk)
			}
			total += w
			ss = append(ss, slot{s, ci, pk, total})
		}
	}
	return ss, total
}()

// ent is what the later kinds need to know of a generated enterprise.
type ent struct {
	uscc, status  string
	sec           *sector
	county        int
	above, inPark bool
	key           bool // key discharge unit: online monitoring, key-class permit
	founded       time.Time
	lon, lat      float64
	outlets       []outletRec
	row           []string // the enterprises table row
}

type outletRec struct {
	code string
	t    *outletT
}

type gen struct {
	r    *rand.Rand
	seed uint64
	ents []ent
}

func newGen(seed int64, n int) *gen {
	g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x4c6973687569)), seed: uint64(seed)} // "Lishui"
	g.makeEnterprises(n)
	return g
}

func (g *gen) pick(s []string) string   { return s[g.r.IntN(len(s))] }
func (g *gen) p(p float64) bool         { return g.r.Float64() < p }
func (g *gen) jitter(d float64) float64 { return (g.r.Float64() - 0.5) * 2 * d }

func (g *gen) between(from, to time.Time) time.Time {
	return from.AddDate(0, 0, g.r.IntN(max(0, int(to.Sub(from).Hours()/24))+1))
}

func iff[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func date(t time.Time) string                  { return t.Format("2006-01-02") }
func ff(x float64, prec int) string {
	p := math.Pow(10, float64(prec))
	return strconv.FormatFloat(math.Round(x*p)/p, 'f', -1, 64)
}

// Name parts: brand characters and roads of synthetic company names and addresses.
var (
	brand1 = []rune("华金宏鑫恒永泰新长丰盛瑞天东中明佳建富凯利嘉隆兴源荣昌汇博德信达正万诚通欣康宇亚联海")
	brand2 = []rune("鑫达泰昌盛源丰利祥兴隆宝光华瑞通发顺康安旺腾科豪联业晟宏辉和凯创立嘉美信诚伟")
	roads  = strings.Fields("工业路 兴业路 创业大道 振兴路 科技路 园区路 发展大道 富民路 新华路 东环路 环城西路 开源路 通济路 绿谷大道 南山路 江滨路")
)

func (g *gen) makeEnterprises(n int) {
	names, usccs := map[string]bool{}, map[string]bool{}
	for range n {
		x := g.r.IntN(totalW)
		sl := &slots[sort.Search(len(slots), func(i int) bool { return slots[i].cumW > x })]
		s, c := sl.sec, counties[sl.county]
		e := ent{sec: s, county: sl.county, above: g.p(iff(s.key, 0.5, 0.28))}
		code := g.pick(strings.Fields(s.codes))
		// The Jinyun campaign's door-to-door survey of 2014 listed every firm
		// of its industries then: they were all founded before it.
		jinyun := c.code == jinyunCounty && inIndustries(code, jinyunIndustries)
		e.founded = g.between(day(max(s.since, 1995), 1, 1), iff(jinyun, day(2013, 12, 31), day(2022, 12, 31)))
		// Land is log-uniform, so most firms are small: 1–40 mu below size, 8–300 above.
		land := math.Max(1, iff(e.above, 8*math.Pow(300.0/8, g.r.Float64()), math.Pow(40, g.r.Float64())))
		employees := iff(e.above, 50+g.r.IntN(int(land*8)+50), 3+g.r.IntN(int(land*3)+8))
		// Closures are more frequent in the campaign industries, most in Jinyun's
		// (§2.3); those in the Jinyun campaign's scope close through it.
		closed, other := 0.02, 0.05
		if s.camp {
			closed, other = iff(c.ab == "JY", 0.18, 0.08), 0.07
		}
		switch u := g.r.Float64(); {
		case u < closed:
			e.status = "closed"
		case u < closed+other*0.6:
			e.status = "suspended"
		case u < closed+other:
			e.status = "relocated"
		default:
			e.status = "operating"
		}
		if jinyun {
			// Operating when the campaign began: its cases close, move and
			// suspend them (Campaigns), not the generator.
			e.status = "operating"
		}
		// Park: the sector's own park mostly, else one of the county's parks half the time.
		var cands []park
		for _, pk := range parks {
			if sl.park == "" && pk.county == c.code && pk.kind != "development_zone" || pk.code == sl.park {
				cands = append(cands, pk)
			}
		}
		town, parkCode := g.pick(c.towns), ""
		e.lon, e.lat = c.lon+g.jitter(0.1), c.lat+g.jitter(0.1)
		if len(cands) > 0 && g.p(iff(sl.park != "", 0.85, 0.5)) {
			pk := cands[g.r.IntN(len(cands))]
			e.inPark, town, parkCode = true, pk.town, pk.code
			e.lon, e.lat = pk.lon+g.jitter(0.02), pk.lat+g.jitter(0.02)
		}
		e.lon, e.lat = math.Round(e.lon*1e6)/1e6, math.Round(e.lat*1e6)/1e6
		e.uscc = g.uscc(c.code, e.founded.Year(), usccs)
		// Key discharge units (重点排污单位): most firms of the key industries, a few large polluters of others.
		e.key = s.prof != "" && (s.key && (e.above || g.p(0.25)) || e.above && g.p(0.1))
		addr := c.name + town + g.pick(roads) + strconv.Itoa(1+g.r.IntN(300)) + "号"
		e.row = []string{e.uscc, g.name(&e, names), c.code, code, iff(e.above, "above", "below"), e.status, parkCode, addr,
			ff(e.lon, 6), ff(e.lat, 6), ff(land, 1), strconv.Itoa(employees), date(e.founded), "true"}
		g.ents = append(g.ents, e)
	}
}

// name makes a unique synthetic company name: place + brand + industry word + 有限公司.
func (g *gen) name(e *ent, seen map[string]bool) string {
	for try := 0; ; try++ {
		place := iff(g.p(0.55), counties[e.county].name, iff(g.p(0.55), "丽水市", "浙江"))
		b := string([]rune{brand1[g.r.IntN(len(brand1))], brand2[g.r.IntN(len(brand2))]})
		if try >= 20 { // crowded: a three-character brand
			b += string(brand2[g.r.IntN(len(brand2))])
		}
		n := place + b + g.pick(strings.Fields(e.sec.words)) + iff(e.above && g.p(0.15), "股份有限公司", "有限公司")
		if !seen[n] {
			seen[n] = true
			return n
		}
	}
}

// usccChars is the GB 32100-2015 character set (no I, O, S, V, Z).
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc makes a unique USCC: registration authority 9 (市场监管), organisation
// type 1 (enterprise), the county's GB/T 2260 code, a GB 11714 organisation
// code (8 characters and its check character; "MA…" for firms registered
// after the 2015 reform) and the GB 32100-2015 check character.
func (g *gen) uscc(county string, year int, seen map[string]bool) string {
	for {
		b, chars := [8]byte{'M', 'A'}, iff(year >= 2016, usccChars, "0123456789")
		for i := range b {
			if year < 2016 || i >= 2 {
				b[i] = chars[g.r.IntN(len(chars))]
			}
		}
		first17 := "91" + county + string(b[:]) + string(gb11714Check(b))
		if u := first17 + string(registry.USCCCheckDigit(first17)); !seen[u] {
			seen[u] = true
			return u
		}
	}
}

// gb11714Check is the GB 11714-1997 check character: weights 3,7,9,10,5,8,4,2,
// letters valued A=10 … Z=35, c9 = 11 − Σ mod 11, with 10 → 'X' and 11 → '0'.
func gb11714Check(b [8]byte) byte {
	sum := 0
	for i, c := range b {
		sum += iff(c >= 'A', int(c-'A')+10, int(c-'0')) * [8]int{3, 7, 9, 10, 5, 8, 4, 2}[i]
	}
	return "0123456789X0"[11-sum%11]
}
