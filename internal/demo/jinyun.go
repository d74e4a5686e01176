package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/compliance"
)

// jinyunCounty and jinyunIndustries are the Jinyun special campaign's
// scope: 缙云县, and in GB/T 4754-2017 electroplating (3360), metal doors
// and windows, where anti-theft doors are classed (3312), bamboo, rattan,
// palm and straw products (204), building stone processing (3032), and
// ferrous smelting and rolling (31).
const jinyunCounty = "331122"

var jinyunIndustries = []string{"3360", "3312", "204", "3032", "31"}

func inIndustries(code string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(code, p) })
}

// jinyun is a Jinyun-style special campaign: a door-to-door survey of the
// county's firms in five industries in March 2014, then 关停取缔 for most,
// 整合搬迁 into parks or 整改提升 for some, 销号 after the 两断三清 and three
// acceptance levels, and 回头看 visits that find a few firms producing again.
//
// "Over 200 closures (关停取缔) since 2014" is the seed story's figure,
// not a published one: governance.md §2.3 says it was not found in public
// sources. The demo makes it come true on its synthetic firms. The stone
// firms' stop on 15 June and equipment gone by 15 September follow the 46
// stone firms of 官店, 周村, 下洋 and 仙都 (§2.3), whose year the source does
// not give: 2014 here.
var jinyun = &campaignDef{
	key: "JY",
	campaign: compliance.Campaign{
		Name:      "缙云县电镀、防盗门、竹制品、石材、钢铁行业专项整治",
		LeadUnit:  "缙云县重点行业整治提升工作领导小组办公室",
		Scope:     compliance.Scope{Counties: []string{jinyunCounty}, IndustryPrefixes: jinyunIndustries},
		Start:     "2014-03-01",
		End:       "2026-12-31",
		Targets:   compliance.Targets{SurveyRate: 100, DisposalRate: 95},
		Synthetic: true,
	},
	created:  dayCST(2014, 3, 3).Add(10 * time.Hour),
	surveyed: dayCST(2014, 3, 17).Add(9*time.Hour + 30*time.Minute),
	survey:   compliance.SurveyOptions{All: true},
	plan:     planJinyun,
}

// jinyunUntil is the demo's date (asOf): no step after it.
var jinyunUntil = dayCST(asOf.Year(), asOf.Month(), asOf.Day())

// jyIndustry is one industry of the campaign: when its cases are decided,
// the shares of its dispositions (close, relocate, upgrade, stop and
// rectify, dismiss), where its relocations go, and its rectification items.
type jyIndustry struct {
	prefix, zh string
	from, to   time.Time
	shares     []float64
	park       string
	items      []string
}

var jyIndustries = []jyIndustry{
	{"3360", "电镀", dayCST(2014, 4, 1), dayCST(2014, 8, 31), []float64{.80, .12, .04, .02, .02}, "JY-IP02",
		[]string{"电镀生产线整体封闭，酸雾废气收集处理", "含铬、含镍废水分质分流，重金属废水处理设施提标改造", "规范危险废物贮存场所并委托有资质单位处置"}},
	{"3032", "石材加工", dayCST(2014, 5, 20), dayCST(2014, 6, 10), []float64{.90, .05, 0, 0, .05}, "JY-SM01", nil},
	{"204", "竹制品", dayCST(2014, 9, 1), dayCST(2015, 6, 30), []float64{.78, 0, .12, .05, .05}, "",
		[]string{"淘汰生物质锅炉，改用天然气", "蒸煮、炭化废水收集处理", "粉尘收集治理，规范车间布局"}},
	{"31", "钢铁", dayCST(2015, 3, 1), dayCST(2016, 6, 30), []float64{.70, 0, .20, .05, .05}, "",
		[]string{"加热炉低氮燃烧改造", "酸洗废水处理设施改造", "无组织粉尘收集治理"}},
	{"3312", "防盗门", dayCST(2015, 6, 1), dayCST(2018, 6, 30), []float64{.74, .10, .10, .03, .03}, "JY-IP01",
		[]string{"喷涂废气收集，活性炭吸附装置改造", "磷化废水处理设施改造", "焊接烟尘收集治理"}},
}

var jyDispositions = []compliance.Disposition{compliance.Close, compliance.Relocate, compliance.Upgrade, compliance.StopRectify, ""}

// Outcomes as of the demo's date, by disposition, with their shares.
const (
	// closures
	jyRelapsedRedone = iota
	jyRelapsedRectifying
	jyRelapsedAccepting
	jyOverdue
	jyExtended
	jyAccepting
	jyAccepted
	jyFailedOnce
	jyClosedOut
)

var jyCloseShares = []float64{.015, .01, .01, .02, .015, .025, .01, .03, 1}

// relocations, upgrades and stop-and-rectify
const (
	jyLate = iota // still rectifying, its deadline extended
	jyLateAccepting
	jyRedone // failed an acceptance once
	jyDone
)

var jyOtherShares = []float64{.1, .1, .08, 1}

// jyRounds are the county's 回头看 rounds.
var jyRounds = [][2]time.Time{
	{dayCST(2017, 5, 8), dayCST(2017, 6, 30)},
	{dayCST(2019, 6, 3), dayCST(2019, 7, 31)},
	{dayCST(2021, 9, 1), dayCST(2021, 10, 29)},
	{dayCST(2023, 10, 9), dayCST(2023, 11, 30)},
	{dayCST(2025, 11, 3), dayCST(2025, 12, 19)},
	{dayCST(2026, 6, 1), dayCST(2026, 7, 31)},
}

func planJinyun(r *replay, cr *campaignRun) {
	rng := r.rng(cr, "")
	byInd := make([][]*caseRun, len(jyIndustries))
	for _, k := range cr.cases {
		i := max(0, slices.IndexFunc(jyIndustries, func(in jyIndustry) bool { return strings.HasPrefix(k.c.Industry, in.prefix) }))
		byInd[i] = append(byInd[i], k)
	}
	var closes, others []*caseRun
	for i, ks := range byInd {
		rng.Shuffle(len(ks), func(a, b int) { ks[a], ks[b] = ks[b], ks[a] })
		for j, d := range quotas(len(ks), jyIndustries[i].shares) {
			ks[j].disp = jyDispositions[d]
			switch ks[j].disp {
			case compliance.Close:
				closes = append(closes, ks[j])
			case "":
			default:
				others = append(others, ks[j])
			}
		}
	}
	outcome := map[*caseRun]int{}
	for _, group := range []struct {
		ks     []*caseRun
		shares []float64
	}{{closes, jyCloseShares}, {others, jyOtherShares}} {
		rng.Shuffle(len(group.ks), func(a, b int) { group.ks[a], group.ks[b] = group.ks[b], group.ks[a] })
		for j, o := range quotas(len(group.ks), group.shares) {
			outcome[group.ks[j]] = o
		}
	}
	for i, ks := range byInd {
		for _, k := range ks {
			planJinyunCase(r, cr, k, &jyIndustries[i], outcome[k])
		}
	}
}

func planJinyunCase(r *replay, cr *campaignRun, k *caseRun, in *jyIndustry, outcome int) {
	t := r.timeline(cr, k, cr.def.surveyed, jinyunUntil)
	town := ""
	if e := r.ents[k.c.USCC]; e != nil {
		town = townOf(e)
	}
	unit, chief := townGov(jinyunCounty, town), person(t.r)
	insp := [3]string{unit + "：" + person(t.r), "县整治办：" + person(t.r), "县环保督察办：" + person(t.r)}
	d0 := t.between(in.from, in.to)
	plan := func(measures string, deadline time.Time) compliance.Plan {
		return compliance.Plan{Disposition: k.disp, Unit: unit, Person: chief, Measures: measures, Deadline: deadline.Format(time.DateOnly)}
	}
	// extend revises the plan on day d: a later deadline, and why.
	extend := func(d, deadline time.Time, why string) {
		t.add(d, classify(plan("延期整治："+why, deadline)))
	}
	// drag extends the deadline by a year, some time after the latest step.
	drag := func(lo, hi int, why string) {
		d := t.after(lo, hi)
		extend(d, d.AddDate(1, 0, 0), why)
	}
	switch k.disp {
	case "":
		t.dismiss(t.after(10, 60), "现场核查：环评、排污许可手续齐全，治污设施运行正常，符合行业规范条件，不列入整治对象")
		return
	case compliance.Close:
		measures := "关停取缔：断电断水，清除原料、设备和产品，拆除" + in.zh + "生产设施"
		t.add(d0, classify(plan(measures, d0.AddDate(0, 3+t.r.IntN(6), 0))))
		cut, clearBy := t.after(3, 30), time.Time{}
		if in.prefix == "3032" {
			cut, clearBy = later(dayCST(2014, 6, 15), t.day()), dayCST(2014, 9, 15)
		}
		switch outcome {
		case jyOverdue, jyExtended, jyAccepting, jyAccepted:
			// A hard case: stopped by the cuts, the clearing dragged on.
			cuts := t.photo()
			t.add(cut, checklist(compliance.PowerCut, cuts, closureNotes[0]))
			t.add(t.after(0, 5), checklist(compliance.WaterCut, cuts, closureNotes[1]))
			drag(200, 500, "企业对设备处置有异议，协调中")
			switch outcome {
			case jyOverdue:
				d := t.between(dayCST(2024, 1, 8), dayCST(2025, 6, 30))
				extend(d, d.AddDate(0, 4+t.r.IntN(5), 0), "设备权属纠纷诉讼中")
			case jyExtended:
				d := t.between(dayCST(2026, 3, 2), dayCST(2026, 7, 31))
				extend(d, dayCST(2026, 12, 31), "设备权属纠纷已判决，限期清除")
			case jyAccepting, jyAccepted:
				start := t.between(dayCST(2026, 2, 2), dayCST(2026, 4, 30))
				if outcome == jyAccepted {
					start = t.between(dayCST(2025, 9, 1), dayCST(2025, 11, 28))
				}
				extend(start.AddDate(0, 0, -30), start.AddDate(0, 6, 0), "纠纷已调解，限期完成三清")
				clears := t.photo()
				t.add(start, checklist(compliance.MaterialsCleared, clears, closureNotes[2]))
				t.add(t.after(5, 50), checklist(compliance.EquipmentCleared, clears, closureNotes[3]))
				t.add(t.after(0, 15), checklist(compliance.ProductsCleared, clears, closureNotes[4]))
				t.acceptance(0, iff(outcome == jyAccepted, 3, 1+t.r.IntN(2)), insp, 7)
			}
			return
		}
		t.twoCutsThreeClears(cut, clearBy, closureNotes)
		if outcome == jyFailedOnce {
			t.acceptance(2+t.r.IntN(2), 3, insp, 7)
			t.add(t.after(10, 40), checklist(compliance.EquipmentCleared, t.photo(), "残留设备及原料全部清运"))
		}
		t.acceptance(0, 3, insp, 7)
		t.closeOut(t.after(5, 30), "缙整治办销", "整治一个，销号一个")
		relapse := -1 // the round of 回头看 that finds it producing
		switch outcome {
		case jyRelapsedRedone:
			relapse = 1 + t.r.IntN(2)
		case jyRelapsedAccepting:
			relapse = 4
		case jyRelapsedRectifying:
			relapse = 4 + t.r.IntN(2)
		}
		for round, rd := range jyRounds {
			if !rd[0].After(t.day()) {
				continue
			}
			if round >= relapse && relapse >= 0 {
				t.relapse(t.between(rd[0], rd[1]), measures, unit, chief, insp, outcome)
				relapse = -1
				if outcome != jyRelapsedRedone {
					return
				}
				continue
			}
			if t.closedOut && t.r.Float64() < 0.12 {
				t.add(t.between(rd[0], rd[1]), visit("县整治办回头看组："+person(t.r), "回头看：现场无生产迹象，两断三清到位", false, nil))
			}
		}
	case compliance.Relocate:
		p := parkByCode(in.park)
		target := compliance.Relocation{Address: countyName(jinyunCounty) + p.town + pick(t.r, roads) + strconv.Itoa(1+t.r.IntN(200)) + "号（" + p.name + "）",
			Park: p.code, Lon: round6(p.lon + jitter(t.r, 0.015)), Lat: round6(p.lat + jitter(t.r, 0.015))}
		t.add(d0, classify(plan("整合搬迁：迁入"+p.name+"，原址停产并拆除生产设施", d0.AddDate(0, 8+t.r.IntN(7), 0))))
		t.add(t.after(5, 30), relocation(target, nil))
		move := t.photo()
		switch outcome {
		case jyLate:
			drag(300, 500, "园区标准厂房尚未交付")
			d := t.between(dayCST(2024, 3, 1), dayCST(2025, 9, 30))
			extend(d, d.AddDate(0, 6, 0), "新厂区建设进度滞后")
			return
		case jyLateAccepting:
			drag(300, 500, "园区标准厂房尚未交付")
			extend(t.between(dayCST(2025, 3, 3), dayCST(2025, 9, 30)), dayCST(2026, 6, 30), "标准厂房已建成，限期搬迁")
			t.add(t.between(dayCST(2026, 3, 2), dayCST(2026, 6, 19)), relocation(target, &move))
			t.acceptance(0, 1+t.r.IntN(2), insp, 7)
			return
		}
		t.add(t.after(90, 300), relocation(target, &move))
		t.finish(outcome, insp, func() {
			t.add(t.after(10, 40), relocation(target, &move))
		})
		t.visits(jyRounds, 0.12, "县整治办回头看组：", "回头看：原址无生产，生产设施已拆除")
	default: // upgrade, stop and rectify
		n := 2 + t.r.IntN(len(in.items)-1)
		items := in.items[:n]
		head := iff(k.disp == compliance.Upgrade, "整改提升：", "停产整改：")
		t.add(d0, classify(plan(head+strings.Join(items, "；"), d0.AddDate(0, 6+t.r.IntN(7), 0))))
		for _, it := range items {
			t.add(t.after(0, 7), item(0, it, photo{}))
		}
		done := t.photo()
		switch outcome {
		case jyLate:
			t.add(t.after(30, 150), item(1, items[0], done))
			drag(200, 400, "资金未到位，分步实施")
			extend(t.between(dayCST(2026, 3, 2), dayCST(2026, 6, 30)), dayCST(2026, 12, 31), "治理设施设备采购中")
			return
		case jyLateAccepting:
			drag(200, 400, "资金未到位，分步实施")
			extend(t.between(dayCST(2025, 6, 2), dayCST(2025, 11, 28)), dayCST(2026, 6, 30), "治理工程已开工，限期完成")
			start := t.between(dayCST(2026, 1, 5), dayCST(2026, 5, 29))
			for i, it := range items {
				t.add(iff(i == 0, start, t.after(5, 20)), item(i+1, it, done))
			}
			t.acceptance(0, 1+t.r.IntN(2), insp, 7)
			return
		}
		for i, it := range items {
			t.add(t.after(20, 120), item(i+1, it, done))
		}
		t.finish(outcome, insp, func() {
			t.add(t.after(15, 60), item(n, items[n-1], t.photo()))
		})
		t.visits(jyRounds, 0.08, "县整治办回头看组：", "回头看：治理设施运行正常，未发现反弹")
	}
}

// finish plans the acceptance and the 销号 of a relocation or an upgrade;
// jyRedone fails a level first, and redo plans what puts it right.
func (t *timeline) finish(outcome int, insp [3]string, redo func()) {
	if outcome == jyRedone {
		t.acceptance(1+t.r.IntN(3), 3, insp, 7)
		redo()
	}
	if t.acceptance(0, 3, insp, 7) {
		t.closeOut(t.after(5, 30), "缙整治办销", "整治一个，销号一个")
	}
}

// visits plans a 回头看 that finds nothing in each round after the latest
// step, with probability p, if the case is closed out.
func (t *timeline) visits(rounds [][2]time.Time, p float64, team, finding string) {
	for _, rd := range rounds {
		if t.closedOut && rd[0].After(t.day()) && t.r.Float64() < p {
			t.add(t.between(rd[0], rd[1]), visit(team+person(t.r), finding, false, nil))
		}
	}
}

// relapse plans a 回头看 on day d that finds a closed firm producing again,
// and the closure done again: all of it (jyRelapsedRedone), up to the
// acceptance (jyRelapsedAccepting), or the cuts only.
func (t *timeline) relapse(d time.Time, measures, unit, chief string, insp [3]string, outcome int) {
	ev := t.photo()
	t.add(d, visit("县整治办回头看组："+person(t.r), "回头看发现擅自恢复供电，重新组织生产（死灰复燃）", true, &ev))
	t.closedOut = false
	deadline := t.after(60, 120)
	if outcome == jyRelapsedRectifying && t.r.IntN(2) == 0 {
		deadline = dayCST(2026, 12, 31)
	}
	t.add(t.after(1, 7), classify(compliance.Plan{Disposition: compliance.Close, Unit: unit, Person: chief,
		Measures: "复产整治：再次两断三清，依法查封扣押生产设备；" + measures, Deadline: deadline.Format(time.DateOnly)}))
	notes := closureNotes
	notes[0] = "再次切断生产用电，拆除私接线路"
	switch outcome {
	case jyRelapsedRectifying:
		cuts := t.photo()
		t.add(t.after(1, 10), checklist(compliance.PowerCut, cuts, notes[0]))
		t.add(t.after(0, 5), checklist(compliance.WaterCut, cuts, notes[1]))
	case jyRelapsedAccepting:
		t.twoCutsThreeClears(t.after(1, 10), time.Time{}, notes)
		t.acceptance(0, 1+t.r.IntN(2), insp, 10)
	default:
		t.twoCutsThreeClears(t.after(1, 10), time.Time{}, notes)
		if t.acceptance(0, 3, insp, 10) {
			t.closeOut(t.after(5, 30), "缙整治办销", "复产整治完成，再次销号")
		}
	}
}

// Small helpers.

func pick(r *rand.Rand, s []string) string   { return s[r.IntN(len(s))] }
func jitter(r *rand.Rand, d float64) float64 { return (r.Float64() - 0.5) * 2 * d }
func round6(x float64) float64               { return float64(int64(x*1e6+0.5)) / 1e6 }
func parkByCode(code string) park {
	return parks[max(0, slices.IndexFunc(parks, func(p park) bool { return p.code == code }))]
}
