package demo

import (
	"fmt"
	"strconv"

	"ecoindustry/internal/hj212"
)

func (g *gen) enterprises() Table {
	t := Table{Kind: "enterprises", Header: []string{"uscc", "name", "county", "industry_code", "size", "status", "park",
		"address", "lon", "lat", "land_mu", "employees", "founded", "synthetic"}}
	for _, e := range g.ents {
		t.Rows = append(t.Rows, e.row)
	}
	return t
}

// fourNosBefore: only firms founded before it lack a licence, a legal site,
// a safety assessment or treatment facilities, so that the city's "四无"
// survey of 2020 (fourNos) finds them all, and its evidence predates it.
var fourNosBefore = day(2020, 1, 1)

// licences: a business licence per enterprise, numbered by its USCC (firms
// founded before the 2015 "三证合一" reform were re-issued one then). About
// 3% have none, or a revoked or expired (before 2020) one, for the "四无"
// screening.
func (g *gen) licences() Table {
	t := Table{Kind: "licences", Header: []string{"uscc", "licence_no", "issued", "valid_to", "status"}}
	for _, e := range g.ents {
		u := g.r.Float64()
		if !e.founded.Before(fourNosBefore) && e.status != "closed" {
			u = 1
		}
		if u < 0.012 {
			continue
		}
		issued := iff(e.founded.Before(day(2015, 10, 1)), g.between(day(2015, 10, 1), day(2017, 12, 31)), e.founded)
		validTo, status := iff(g.p(0.25), date(e.founded.AddDate(50, 0, -1)), "长期"), "valid"
		switch {
		case e.status == "closed" && u < 0.6:
			status = "cancelled"
		case e.status == "closed" || u < 0.02:
			status = "revoked"
		case u < 0.03:
			status, validTo = "expired", date(g.between(issued.AddDate(1, 0, 0), fourNosBefore.AddDate(0, 0, -1)))
		}
		t.Rows = append(t.Rows, []string{e.uscc, e.uscc, date(issued), validTo, status})
	}
	return t
}

// sites: most production sites are legal with a 不动产权 certificate; some
// are pending or illegal, more of them outside parks and in campaign industries.
func (g *gen) sites() Table {
	t := Table{Kind: "sites", Header: []string{"uscc", "land_status", "certificate_no"}}
	for _, e := range g.ents {
		bad := iff(e.inPark, 0.02, iff(e.sec.camp, 0.12, 0.05))
		if !e.founded.Before(fourNosBefore) {
			bad = 0
		}
		status, cert := "legal", ""
		switch u := g.r.Float64(); {
		case u < bad*0.6:
			status = "pending"
		case u < bad:
			status = "illegal"
		default:
			y := max(e.founded.Year(), 2016) + g.r.IntN(3) // 不动产登记 began in 2016
			cert = fmt.Sprintf("浙(%d)%s不动产权第%07d号", min(y, 2026), counties[e.county].name, 1+g.r.IntN(99999))
		}
		t.Rows = append(t.Rows, []string{e.uscc, status, cert})
	}
	return t
}

// safety: most enterprises passed an assessment within three years of asOf
// (valid three years), some three years before that too; some failed
// (before 2020, and never assessed again), some let it lapse, some have none.
func (g *gen) safety() Table {
	t := Table{Kind: "safety", Header: []string{"uscc", "assessed_on", "result", "valid_to"}}
	for _, e := range g.ents {
		u := g.r.Float64()
		if !e.founded.Before(fourNosBefore) {
			u = max(u, 0.06)
		}
		if u < 0.03 {
			continue
		}
		on, result := g.between(asOf.AddDate(-3, 0, 1), asOf.AddDate(0, 0, -7)), "pass"
		switch {
		case u < 0.06:
			on, result = g.between(day(2017, 1, 1), fourNosBefore.AddDate(0, 0, -1)), "fail"
		case u < 0.12:
			on = g.between(asOf.AddDate(-6, 0, 0), asOf.AddDate(-3, 0, -1))
		}
		on = iff(on.Before(e.founded), e.founded, on)
		validTo := iff(result == "fail", on, on.AddDate(3, 0, -1))
		if prev := on.AddDate(-3, 0, 0); g.p(0.3) && prev.After(e.founded) {
			t.Rows = append(t.Rows, []string{e.uscc, date(prev), "pass", date(on.AddDate(0, 0, -1))})
		}
		t.Rows = append(t.Rows, []string{e.uscc, date(on), result, date(validTo)})
	}
	return t
}

// lim is a permitted concentration in the pollutant's HJ 212-2017 default unit.
type lim struct {
	code string
	v    float64
}

// outletT is a kind of outlet an industry has, with its treatment facility
// and the limits of its permit.
type outletT struct {
	kind, name, fac string
	lims            []lim
}

var (
	// GB 13271-2014 Table 2, new gas-fired boilers (PROTOCOL.md §4.1).
	gasBoiler = outletT{"air", "锅炉废气排放口", "低氮燃烧", []lim{{"a34013", 20}, {"a21026", 50}, {"a21002", 200}}}
	// GB 13271-2014 Table 2, coal column ([M]), which biomass-briquette boilers follow (§4.1).
	bioBoiler = outletT{"air", "生物质锅炉废气排放口", "旋风+布袋除尘", []lim{{"a34013", 50}, {"a21026", 300}, {"a21002", 300}}}
	// GB 16297-1996 new-source NMHC, the fallback of §4.6 for industries whose
	// own VOCs standard is not tabulated in PROTOCOL.md.
	coating = outletT{"air", "喷涂废气排放口", "活性炭吸附", []lim{{"a24088", 120}}}
	// To a sewer ending in a secondary treatment plant: GB 8978-1996 Table 4
	// grade 3 COD 500; NH3-N has no grade-3 limit, so DB33/887-2013's 35 (§4.5, §4.6).
	sewer = []lim{{"w01018", 500}, {"w21003", 35}}
	// GB 39726-2020 Table 1, electric furnaces, moulding, shake-out (§4.4, [M]).
	foundryDust = []lim{{"a34013", 30}}
)

// profiles are the outlets of each polluting industry; the first is always
// there, each other one often.
var profiles = map[string][]outletT{
	"leather": {
		// GB 21902-2008 new plants (§4.3, recalled [M]): VOCs 200 recorded as NMHC, toluene 30, xylene 40.
		{"air", "干法生产线废气排放口", "DMF回收+RTO焚烧", []lim{{"a24088", 200}, {"a25003", 30}, {"a25005", 40}}},
		{"air", "湿法生产线废气排放口", "DMF回收+水喷淋", []lim{{"a24088", 200}}},
		// GB 21902-2008 water, direct discharge (§4.3, [M]): COD 80, NH3-N 8.
		{"water", "污水处理站排放口", "污水处理站", []lim{{"w01018", 80}, {"w21003", 8}}},
		gasBoiler,
	},
	"fabric": {{"air", "定型机废气排放口", "静电除油+水喷淋", coating.lims}, {"water", "污水处理站排放口", "污水处理站", sewer}},
	"resin":  {{"air", "反应釜废气排放口", "冷凝+活性炭吸附", coating.lims}, {"water", "污水处理站排放口", "污水处理站", sewer}, gasBoiler},
	"plating": {
		// GB 21900-2008 Table 2 at the workshop outlet (§4.2, Table 2 is [M]): total Cr 1.0, Cr(VI) 0.2 mg/L = 200 µg/L, Ni 0.5, Cu 0.5, Zn 1.5.
		{"water", "电镀废水车间排放口", "重金属废水处理", []lim{{"w20116", 1.0}, {"w20117", 200}, {"w20121", 0.5}, {"w20122", 0.5}, {"w20123", 1.5}}},
		// GB 21900-2008 Table 2 at the plant outlet: COD 80, NH3-N 15, TP 1.0.
		{"water", "综合废水排放口", "污水处理站", []lim{{"w01018", 80}, {"w21003", 15}, {"w21011", 1.0}}},
		// GB 21900-2008 Table 5 (§4.2, [M]): HCl 30, sulfuric-acid mist 30, chromic-acid mist 0.05.
		{"air", "酸雾废气排放口", "碱液喷淋", []lim{{"a21024", 30}, {"a34039", 30}, {"a34040", 0.05}}},
	},
	"valve": {
		// GB 39726-2020 Table 1, surface coating (§4.4): PM 30, NMHC 100.
		{"air", "喷涂废气排放口", "活性炭吸附", []lim{{"a34013", 30}, {"a24088", 100}}},
		{"air", "熔炼废气排放口", "布袋除尘", foundryDust},
		{"air", "抛丸粉尘排放口", "布袋除尘", foundryDust},
		// GB 8978-1996 Table 4 grade 3, oils 20.
		{"water", "清洗废水排放口", "污水处理站", append([]lim{{"w22001", 20}}, sewer...)},
	},
	"foundry": {
		{"air", "熔炼废气排放口", "布袋除尘", foundryDust},
		{"air", "造型制芯废气排放口", "布袋除尘+活性炭吸附", foundryDust},
		{"air", "落砂清理废气排放口", "布袋除尘", foundryDust},
		// GB 39726-2020 Table 1, cupola: PM 40, SO2 200, NOx 300.
		{"air", "冲天炉废气排放口", "布袋除尘+脱硫", []lim{{"a34013", 40}, {"a21026", 200}, {"a21002", 300}}},
	},
	// Phosphating rinse water: GB 8978-1996 Table 4 grade 3, Zn 5.0.
	"doors":  {coating, {"water", "前处理废水排放口", "磷化废水处理", append([]lim{{"w20123", 5}}, sewer...)}},
	"bamboo": {bioBoiler, {"water", "蒸煮废水排放口", "污水处理站", sewer}},
	// GB 8978-1996 Table 4 grade 1 (to a river): SS 70, COD 100.
	"stone": {{"water", "石材加工废水排放口", "沉淀池+压滤", []lim{{"w01012", 70}, {"w01018", 100}}}},
	"steel": {
		// GB 28665-2012 (rolling) is not tabulated in PROTOCOL.md: the GB 39726-2020
		// Table 1 gas-fired furnace row stands in (PM 30, SO2 100, NOx 400).
		{"air", "加热炉废气排放口", "低氮燃烧", []lim{{"a34013", 30}, {"a21026", 100}, {"a21002", 400}}},
		{"air", "电炉烟气排放口", "布袋除尘", foundryDust},
		// GB 8978-1996 Table 1 class I (workshop outlet): total Cr 1.5, Ni 1.0; COD grade 3.
		{"water", "酸洗废水排放口", "酸洗废水处理", []lim{{"w20116", 1.5}, {"w20121", 1.0}, {"w01018", 500}}},
	},
	// GB 8978-1996 Table 4 grade 3, fluoride 20.
	"semi":   {{"air", "工艺废气排放口", "碱液喷淋+活性炭吸附", coating.lims}, {"water", "含氟废水排放口", "含氟废水处理", append([]lim{{"w21017", 20}}, sewer...)}},
	"pharma": {{"air", "工艺废气排放口", "RTO焚烧", coating.lims}, {"water", "污水处理站排放口", "污水处理站", sewer}, gasBoiler},
	"coat":   {coating, {"water", "生产废水排放口", "污水处理站", sewer}},
	"boiler": {bioBoiler},
}

// outlets: polluting firms get 1–4 outlets numbered by the permit-system
// convention (DA = air, DW = water); key discharge units' main outlet, and
// about half their others, carry an HJ 212 data logger (24-character MN,
// 6-digit password).
func (g *gen) outlets() Table {
	t := Table{Kind: "outlets", Header: []string{"uscc", "outlet_code", "kind", "name", "lon", "lat", "height_m", "mn", "pw"}}
	seq := 0
	for i := range g.ents {
		e := &g.ents[i]
		ts := profiles[e.sec.prof]
		// Firms founded since 2020 with a polluting profile all have outlets.
		if len(ts) == 0 || !g.p(e.sec.pol) && e.founded.Before(fourNosBefore) {
			continue
		}
		na, nw := 0, 0
		for j := range ts {
			if j > 0 && (len(e.outlets) == 4 || g.p(0.4)) {
				continue
			}
			o, height := outletRec{t: &ts[j]}, ""
			if o.t.kind == "air" {
				na++
				o.code, height = fmt.Sprintf("DA%03d", na), strconv.Itoa(15+g.r.IntN(46))
			} else {
				nw++
				o.code = fmt.Sprintf("DW%03d", nw)
			}
			mn, pw := "", ""
			if e.key && (j == 0 || g.p(0.5)) {
				seq++
				mn, pw = fmt.Sprintf("88888880%s%010d", counties[e.county].code, seq), fmt.Sprintf("%06d", g.r.IntN(1000000))
			}
			e.outlets = append(e.outlets, o)
			t.Rows = append(t.Rows, []string{e.uscc, o.code, o.t.kind, o.t.name,
				ff(e.lon+g.jitter(0.0005), 6), ff(e.lat+g.jitter(0.0005), 6), height, mn, pw})
		}
	}
	return t
}

// facilities: a treatment facility per outlet (TA for air, TW for water),
// mostly in service; about 3% of polluters founded before 2020 have none,
// for the "四无" screening.
func (g *gen) facilities() Table {
	t := Table{Kind: "facilities", Header: []string{"uscc", "facility_code", "kind", "outlet_code", "in_service", "installed"}}
	for _, e := range g.ents {
		if len(e.outlets) == 0 || g.p(0.03) && e.founded.Before(fourNosBefore) {
			continue
		}
		from := iff(e.founded.Before(day(2005, 1, 1)), day(2005, 1, 1), e.founded)
		for _, o := range e.outlets {
			// Closed and relocated firms' facilities are out of service, half the
			// suspended ones', a few others'; firms founded since 2020 keep theirs.
			inService := e.status != "closed" && (!e.founded.Before(fourNosBefore) ||
				e.status != "relocated" && g.p(iff(e.status == "suspended", 0.5, 0.985)))
			t.Rows = append(t.Rows, []string{e.uscc, "T" + o.code[1:], o.t.fac, o.code, strconv.FormatBool(inService),
				date(g.between(from, asOf.AddDate(-1, 0, 0)))})
		}
	}
	return t
}

// quota is a typical annual permitted quantity (t) of a below-size firm for
// the pollutants under total-quantity control.
var quota = map[string]float64{"a34013": 1.5, "a21026": 2, "a21002": 5, "a24088": 8, "w01018": 6, "w21003": 0.6}

// permits: one discharge permit per firm with outlets (national numbering,
// USCC + "001P"; key or simplified class; five years), one row per outlet
// and pollutant. About 2% have none.
func (g *gen) permits() Table {
	t := Table{Kind: "permits", Header: []string{"permit_no", "uscc", "class", "valid_from", "valid_to", "outlet_code",
		"pollutant_code", "limit_concentration", "limit_unit", "annual_quantity_t"}}
	for _, e := range g.ents {
		if len(e.outlets) == 0 || g.p(0.02) {
			continue
		}
		class, scale := iff(e.key, "key", "simplified"), iff(e.above, 3.0, 1.0)
		from := g.between(iff(e.founded.After(day(2020, 1, 1)), e.founded, day(2020, 1, 1)), asOf.AddDate(0, -1, 0))
		for _, o := range e.outlets {
			for _, l := range o.t.lims {
				p, ok := hj212.LookupPollutant(l.code)
				if !ok {
					panic("demo: no HJ 212 pollutant " + l.code)
				}
				q := ""
				if base, ok := quota[l.code]; ok {
					q = ff(base*scale*(0.3+1.2*g.r.Float64()), 3)
				}
				t.Rows = append(t.Rows, []string{e.uscc + "001P", e.uscc, class, date(from), date(from.AddDate(5, 0, -1)),
					o.code, l.code, ff(l.v, 3), p.Unit, q})
			}
		}
	}
	return t
}
