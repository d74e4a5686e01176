package demo

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/compliance"
)

// fourNos is a city-wide "四无" campaign of 2020–2022 in the manner of
// governance.md §2.2 (Wenyan 2018, Wenzhou 2016–17): the survey screens the
// registry of all nine counties with the four criteria as of its day and
// opens a case for each candidate; most are put right in place (整改提升,
// 停产整改), fewer closed (取缔关停) or moved into a park. Its steps end
// with the campaign; cases left unfinished then are overdue since.
var fourNos = &campaignDef{
	key: "SW",
	campaign: compliance.Campaign{
		Name:      "丽水市“四无”企业（作坊）整治行动（2020—2022年）",
		LeadUnit:  "丽水市“四无”企业整治工作领导小组办公室",
		Scope:     compliance.Scope{Counties: countyCodes()},
		Start:     "2020-03-01",
		End:       "2022-12-31",
		Targets:   compliance.Targets{SurveyRate: 100, DisposalRate: 100},
		Synthetic: true,
	},
	created:  dayCST(2020, 3, 2).Add(10 * time.Hour),
	surveyed: dayCST(2020, 3, 16).Add(9 * time.Hour),
	plan:     planFourNos,
}

var fourNosUntil = dayCST(2022, 12, 31)

func countyCodes() []string {
	var cs []string
	for _, c := range counties {
		cs = append(cs, c.code)
	}
	slices.Sort(cs)
	return cs
}

// Outcomes as of the campaign's end, with their shares.
const (
	swOverdue = iota
	swAccepting
	swAccepted
	swRedone
	swDone
)

var swShares = []float64{.07, .04, .02, .03, 1}

// swItems are the rectification items of each criterion; the second, if
// any, half the time.
var swItems = map[string][]string{
	compliance.NoLicence:     {"依法办理营业执照"},
	compliance.NoLegalSite:   {"完善生产场所用地、规划手续，取得不动产权证书"},
	compliance.NoSafety:      {"委托有资质机构开展安全评价", "整改消防通道、电气线路等安全隐患"},
	compliance.NoEnvFacility: {"建设废气、废水治理设施并正常运行", "规范设置排污口及标志牌"},
}

// swDismissals say why a candidate was found compliant on site, by its first criterion.
var swDismissals = map[string]string{
	compliance.NoLicence:     "现场核查：营业执照已换发，登记信息未及时更新",
	compliance.NoLegalSite:   "现场核查：用地手续已办结，不动产权证书已取得",
	compliance.NoSafety:      "现场核查：安全评价已完成，结论合格",
	compliance.NoEnvFacility: "现场核查：治污设施运行正常，台账齐全",
}

func planFourNos(r *replay, cr *campaignRun) {
	rng := r.rng(cr, "")
	jy := r.camps[slices.IndexFunc(r.camps, func(c *campaignRun) bool { return c.def == jinyun })]
	ks := slices.Clone(cr.cases)
	rng.Shuffle(len(ks), func(a, b int) { ks[a], ks[b] = ks[b], ks[a] })
	var merged, rest []*caseRun
	for _, k := range ks {
		// A firm under the Jinyun campaign's open case is left to it (并案处理).
		if j := jy.byUSCC[k.c.USCC]; j != nil && (j.settled.IsZero() || j.settled.After(cr.def.surveyed)) {
			merged = append(merged, k)
		} else {
			rest = append(rest, k)
		}
	}
	// One in twelve is found compliant on site.
	nd := int(0.08*float64(len(rest)) + 0.5)
	dismissed, rest := rest[:nd], rest[nd:]
	outcome := quotas(len(rest), swShares)
	for i, k := range rest {
		planFourNosCase(r, cr, k, outcome[i])
	}
	for _, k := range dismissed {
		t := r.timeline(cr, k, cr.def.surveyed, fourNosUntil)
		t.dismiss(t.after(5, 40), swDismissals[k.c.Criteria[0]])
	}
	for _, k := range merged {
		t := r.timeline(cr, k, cr.def.surveyed, fourNosUntil)
		t.dismiss(t.after(3, 20), "已纳入缙云县电镀、防盗门、竹制品、石材、钢铁行业专项整治，由该行动跟踪处置，不重复立案")
	}
}

// swDisposition decides a candidate's disposition from what it lacks, u
// being a uniform draw.
func swDisposition(crit []string, u float64) compliance.Disposition {
	has := func(c string) bool { return slices.Contains(crit, c) }
	type share struct {
		d compliance.Disposition
		p float64
	}
	var shares []share
	switch {
	case has(compliance.NoLicence) && has(compliance.NoLegalSite):
		shares = []share{{compliance.Close, .6}, {compliance.Relocate, .2}, {compliance.StopRectify, 1}}
	case has(compliance.NoLicence):
		shares = []share{{compliance.Close, .3}, {compliance.StopRectify, .5}, {compliance.Upgrade, 1}}
	case has(compliance.NoLegalSite):
		shares = []share{{compliance.Relocate, .3}, {compliance.Close, .15}, {compliance.Upgrade, 1}}
	case has(compliance.NoEnvFacility):
		shares = []share{{compliance.Upgrade, .6}, {compliance.StopRectify, .35}, {compliance.Close, 1}}
	default:
		shares = []share{{compliance.StopRectify, .5}, {compliance.Upgrade, .45}, {compliance.Close, 1}}
	}
	for _, s := range shares {
		if u < s.p {
			return s.d
		}
		u -= s.p
	}
	return shares[len(shares)-1].d
}

func planFourNosCase(r *replay, cr *campaignRun, k *caseRun, outcome int) {
	t := r.timeline(cr, k, cr.def.surveyed, fourNosUntil)
	k.disp = swDisposition(k.c.Criteria, t.r.Float64())
	town := ""
	if e := r.ents[k.c.USCC]; e != nil {
		town = townOf(e)
	}
	cname := countyName(k.c.County)
	unit, chief := townGov(k.c.County, town), person(t.r)
	insp := [3]string{unit + "：" + person(t.r), cname + "四无整治办：" + person(t.r), "市四无整治办督察组：" + person(t.r)}
	ci := slices.IndexFunc(counties, func(c county) bool { return c.code == k.c.County })
	// Decided county by county, two in three in 2020, the rest in the
	// second round of 2021; put right over months or a year or more.
	d0 := dayCST(iff(t.r.IntN(3) == 0, 2021, 2020), 4, 1).AddDate(0, 0, 12*max(ci, 0)+t.r.IntN(120))
	deadline := d0.AddDate(0, 3+t.r.IntN(10), 0)
	plan := func(head, measures string, deadline time.Time) compliance.Plan {
		return compliance.Plan{Disposition: k.disp, Unit: unit, Person: chief, Measures: head + measures, Deadline: deadline.Format(time.DateOnly)}
	}
	// late is the day the unfinished work resumes, for the cases still in
	// acceptance at the campaign's end.
	late := func() time.Time {
		if outcome == swAccepted {
			return t.between(dayCST(2022, 5, 2), dayCST(2022, 7, 29))
		}
		return t.between(dayCST(2022, 8, 1), dayCST(2022, 10, 31))
	}
	// finish plans the acceptance and 销号, or as far as the outcome goes;
	// redo puts right what a failed level found.
	finish := func(redo func()) {
		switch outcome {
		case swAccepting:
			t.acceptance(0, 1+t.r.IntN(2), insp, 7)
			return
		case swAccepted:
			t.acceptance(0, 3, insp, 7)
			return
		case swRedone:
			t.acceptance(1+t.r.IntN(3), 3, insp, 7)
			redo()
		}
		if t.acceptance(0, 3, insp, 7) {
			t.closeOut(t.after(3, 20), "丽四无办销", "整治一个，销号一个")
		}
	}
	overdue := func(why string) {
		d := t.after(20, 60)
		t.add(d, classify(plan("延期整治：", why, dayCST(2022, 6, 30))))
	}
	switch k.disp {
	case compliance.Close:
		t.add(d0, classify(plan("取缔关停：", strings.Join(criteriaZh(k.c.Criteria), "、")+"，无法整改，依法取缔，两断三清", d0.AddDate(0, 1+t.r.IntN(3), 0))))
		if outcome == swOverdue {
			cuts := t.photo()
			t.add(t.after(3, 20), checklist(compliance.PowerCut, cuts, closureNotes[0]))
			overdue("经营者拒不配合清除设备，已移送执法部门")
			return
		}
		if outcome == swAccepting || outcome == swAccepted {
			t.twoCutsThreeClears(late(), time.Time{}, closureNotes)
		} else {
			t.twoCutsThreeClears(t.after(3, 120), time.Time{}, closureNotes)
		}
		finish(func() {
			t.add(t.after(10, 30), checklist(compliance.EquipmentCleared, t.photo(), "残留设备全部清运"))
		})
		t.visits([][2]time.Time{{dayCST(2022, 9, 1), dayCST(2022, 12, 20)}}, 0.3, "市四无整治办回头看组：", "回头看：现场无生产迹象")
	case compliance.Relocate:
		p := swPark(k.c.County)
		target := compliance.Relocation{Address: cname + p.town + pick(t.r, roads) + strconv.Itoa(1+t.r.IntN(200)) + "号（" + p.name + "）",
			Park: p.code, Lon: round6(p.lon + jitter(t.r, 0.015)), Lat: round6(p.lat + jitter(t.r, 0.015))}
		t.add(d0, classify(plan("整合搬迁：", "迁入"+p.name+"，原址停止生产", d0.AddDate(0, 6+t.r.IntN(7), 0))))
		t.add(t.after(5, 20), relocation(target, nil))
		move := t.photo()
		switch outcome {
		case swOverdue:
			overdue("小微企业园厂房尚未交付")
			return
		case swAccepting, swAccepted:
			t.add(late(), relocation(target, &move))
		default:
			t.add(t.after(60, 400), relocation(target, &move))
		}
		finish(func() { t.add(t.after(10, 30), relocation(target, &move)) })
	default: // upgrade, stop and rectify
		var items []string
		for _, c := range k.c.Criteria {
			its := swItems[c]
			items = append(items, its[0])
			if len(its) > 1 && t.r.IntN(2) == 0 {
				items = append(items, its[1])
			}
		}
		head := iff(k.disp == compliance.Upgrade, "整改提升：", "停产整改：")
		t.add(d0, classify(plan(head, strings.Join(items, "；"), deadline)))
		for _, it := range items {
			t.add(t.after(0, 7), item(0, it, photo{}))
		}
		done := t.photo()
		switch outcome {
		case swOverdue:
			if len(items) > 1 {
				t.add(t.after(20, 120), item(1, items[0], done))
			}
			overdue("整改资金不足，分步实施")
			return
		case swAccepting, swAccepted:
			start := late()
			for i, it := range items {
				t.add(iff(i == 0, start, t.after(3, 15)), item(i+1, it, done))
			}
		default:
			for i, it := range items {
				t.add(t.after(iff(i == 0, 30, 10), iff(i == 0, 360, 120)), item(i+1, it, done))
			}
		}
		n := len(items)
		finish(func() { t.add(t.after(10, 40), item(n, items[n-1], t.photo())) })
	}
}

var criterionZh = map[string]string{
	compliance.NoLicence: "无证无照", compliance.NoLegalSite: "无合法场所", compliance.NoSafety: "无安全保障", compliance.NoEnvFacility: "无环保措施",
}

func criteriaZh(cs []string) []string {
	var out []string
	for _, c := range cs {
		out = append(out, criterionZh[c])
	}
	return out
}

// swPark is where a county's relocated workshops go: its small and micro
// enterprise park, else its industrial park, else any park in it.
func swPark(county string) park {
	best := -1
	rank := map[string]int{"small_micro_park": 0, "industrial_park": 1, "development_zone": 2}
	for i, p := range parks {
		if p.county == county && (best < 0 || rank[p.kind] < rank[parks[best].kind]) {
			best = i
		}
	}
	return parks[max(best, 0)]
}
