package compliance

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/registry"
)

// The four criteria of a "四无" enterprise (governance.md §2.1), built in:
// each reads the registry's records and fires with the records it rests on.
const (
	NoLicence     = "no_licence"      // 无证无照
	NoLegalSite   = "no_legal_site"   // 无合法场所
	NoSafety      = "no_safety"       // 无安全保障
	NoEnvFacility = "no_env_facility" // 无环保措施
)

// Limits on a rule set, so that a mistyped one cannot slow screening down.
const (
	maxRules       = 32
	maxRuleMatches = 256
)

// FourNos are the built-in criteria, in the order they are evaluated.
var FourNos = []string{NoLicence, NoLegalSite, NoSafety, NoEnvFacility}

var builtinNames = map[string][2]string{
	NoLicence:     {"no valid business licence", "无证无照"},
	NoLegalSite:   {"no legal production site", "无合法场所"},
	NoSafety:      {"no safety assurance", "无安全保障"},
	NoEnvFacility: {"no environmental protection facilities", "无环保措施"},
}

// RuleSet is what a screening applies: some or all of the built-in
// criteria (Criteria; nil means all four) and declarative rules of its own
// (Extra), evaluated in that order. An enterprise is a candidate if any
// criterion or rule fires.
type RuleSet struct {
	Criteria []string `json:"criteria"`
	Extra    []Rule   `json:"extra,omitempty"`
}

// Rule is a declarative criterion, JSON-serialisable, for the 散乱污
// variant and for a campaign's own criteria. It fires for an enterprise
// that meets every condition given; a rule must give at least one.
//
//	{"code": "san", "name_zh": "散", "name_en": "scattered: below designated size, outside any park",
//	 "when": {"size": "below", "in_park": false}}
//	{"code": "valves", "name_zh": "阀门铸造", "name_en": "valve casting",
//	 "when": {"industry_prefixes": ["3391", "3392", "3443"], "counties": ["331121"]}}
//	{"code": "luan", "name_zh": "乱", "name_en": "lacks required approvals",
//	 "when": {"any_of": ["no_licence", "no_legal_site", "no_safety", "no_env_facility"]}}
//
// Codes are lower-case letters, digits and '_', at most 32, and may not
// repeat a built-in code.
type Rule struct {
	Code   string     `json:"code"`
	NameZh string     `json:"name_zh"`
	NameEn string     `json:"name_en"`
	When   Conditions `json:"when"`
}

// Conditions of a Rule; all given must hold. Lists match any of their values.
type Conditions struct {
	IndustryPrefixes []string `json:"industry_prefixes,omitempty"` // GB/T 4754-2017 code prefixes
	Size             string   `json:"size,omitempty"`              // above or below (规上/规下)
	InPark           *bool    `json:"in_park,omitempty"`           // registered to a park, or not
	Counties         []string `json:"counties,omitempty"`          // GB/T 2260 county codes
	Statuses         []string `json:"statuses,omitempty"`          // operating, suspended, relocated
	// AnyOf: one of these criteria (built-in codes, or codes of rules
	// before this one) fired for the enterprise.
	AnyOf []string `json:"any_of,omitempty"`
}

// The 散乱污 variant's rules that the registry can decide (governance.md
// §2.1, 增府办函〔2018〕80号). 污 (illegal or excessive discharge) needs
// monitoring and inspection records, not the registry: it is left to the
// survey on site.
var (
	RuleSan = Rule{Code: "san", NameZh: "散", NameEn: "scattered: below designated size and outside any park",
		When: Conditions{Size: "below", InPark: new(false)}}
	RuleLuan = Rule{Code: "luan", NameZh: "乱", NameEn: "disorderly: lacks a licence, a legal site, safety or environmental approval",
		When: Conditions{AnyOf: FourNos}}
)

// SanLuanWu is the rule set of a 散乱污 screening: the four criteria and
// the 散 and 乱 rules.
func SanLuanWu() RuleSet { return RuleSet{Criteria: FourNos, Extra: []Rule{RuleSan, RuleLuan}} }

// Finding is one criterion fired for an enterprise, with its evidence.
// Stored runs keep only the code; the names come from the run's rules.
type Finding struct {
	Code     string `json:"code"`
	NameZh   string `json:"name_zh,omitempty"`
	NameEn   string `json:"name_en,omitempty"`
	Evidence []Fact `json:"evidence"`
}

// Fact is one registry record a finding rests on, or the absence of one
// (Key ""), with the values read and what about them counts (Why; Explain
// says it in words).
type Fact struct {
	Kind   string            `json:"kind"` // enterprises, licences, sites, safety, facilities, outlets
	Key    string            `json:"key,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	Why    string            `json:"why"`
}

// What about a record makes a fact of a finding.
const (
	WhyNone           = "none"             // no record of the kind
	WhyLicenceStatus  = "licence_status"   // a licence not valid
	WhyLicenceExpired = "licence_expired"  // a valid licence past its end
	WhyLandStatus     = "land_status"      // a site not legal
	WhySafetyFailed   = "safety_failed"    // the latest assessment failed
	WhySafetyExpired  = "safety_expired"   // the latest assessment past its end
	WhyNeedsFacility  = "needs_facility"   // a polluting industry without any facility in service
	WhyUntreated      = "untreated_outlet" // an outlet no facility in service treats
	WhyRule           = "rule"             // the enterprise's fields meet a rule's conditions
)

var kindNames = map[string][2]string{
	"licences": {"business licence", "营业执照"}, "sites": {"production site", "生产场所"}, "safety": {"safety assessment", "安全评价"},
}

// Explain says why a fact counts, in English and Chinese.
func (f Fact) Explain() (en, zh string) {
	v := f.Fields
	switch f.Why {
	case WhyNone:
		return "no " + kindNames[f.Kind][0] + " recorded", "未登记" + kindNames[f.Kind][1]
	case WhyLicenceStatus:
		return "licence " + v["licence_no"] + " is " + v["status"], "营业执照 " + v["licence_no"] + " 状态为 " + v["status"]
	case WhyLicenceExpired:
		return "licence " + v["licence_no"] + " expired on " + v["valid_to"], "营业执照 " + v["licence_no"] + " 已于 " + v["valid_to"] + " 到期"
	case WhyLandStatus:
		return "the site's land status is " + v["land_status"], "场所用地状态为 " + v["land_status"]
	case WhySafetyFailed:
		return "the latest safety assessment (" + v["assessed_on"] + ") failed", "最近一次安全评价（" + v["assessed_on"] + "）不合格"
	case WhySafetyExpired:
		return "the latest safety assessment (" + v["assessed_on"] + ") expired on " + v["valid_to"],
			"最近一次安全评价（" + v["assessed_on"] + "）已于 " + v["valid_to"] + " 过期"
	case WhyNeedsFacility:
		name, _ := registry.IndustryName(v["industry_code"])
		return fmt.Sprintf("industry %s (%s) needs environmental protection facilities; none of its %s is in service", v["industry_code"], name, v["facilities"]),
			fmt.Sprintf("行业 %s（%s）须配套环保设施，其 %s 套设施均未在用", v["industry_code"], name, v["facilities"])
	case WhyUntreated:
		return "no facility in service treats outlet " + v["outlet_code"], "排放口 " + v["outlet_code"] + " 无在用治理设施"
	case WhyRule:
		var kv []string
		for k, x := range v {
			kv = append(kv, k+"="+x)
		}
		slices.Sort(kv)
		return "meets the rule's conditions: " + strings.Join(kv, ", "), "符合规则条件：" + strings.Join(kv, "，")
	}
	return f.Why, f.Why
}

// pollutingIndustries are the GB/T 4754-2017 code prefixes of industries
// that cannot operate without environmental protection facilities. They
// are Wenzhou's six heavy-polluting industries and seven key industries of
// the 2016–17 "四无" action (governance.md §2.2), mapped to their classes
// in ../shared/reference/gbt4754-2017.csv, with Jinyun's stone processing
// (§2.3) and ferrous and non-ferrous smelting. 卤制品 (a food trade) is
// left out: its classes also hold trades without discharge.
var pollutingIndustries = []struct{ prefix, en string }{
	{"3360", "metal surface treatment: electroplating, etching (电镀, 金属表面处理, 蚀刻)"},
	{"1713", "cotton printing and dyeing (印染)"},
	{"1723", "wool dyeing and finishing (印染)"},
	{"1733", "hemp dyeing and finishing (印染)"},
	{"1743", "silk printing and dyeing (印染)"},
	{"1752", "chemical-fibre fabric dyeing and finishing (印染)"},
	{"1762", "knitted fabric printing and dyeing (印染)"},
	{"221", "pulp (造纸)"},
	{"222", "papermaking (造纸)"},
	{"26", "chemical raw materials and products (化工)"},
	{"1910", "leather tanning, incl. film-transfer and finishing (制革, 移膜革, 皮革后处理)"},
	{"1931", "fur tanning (制革)"},
	{"2925", "plastic artificial and synthetic leather (合成革)"},
	{"3982", "electronic circuits: printed circuit boards (线路板)"},
	{"3391", "ferrous casting (铸造)"},
	{"3392", "non-ferrous casting (铸造)"},
	{"3032", "building stone processing (Jinyun stone, §2.3)"},
	{"31", "ferrous smelting and rolling"},
	{"321", "common non-ferrous smelting"},
	{"322", "precious metal smelting"},
	{"323", "rare and rare-earth metal smelting"},
}

// pollutingPrefix returns the polluting-industry prefix code matches, "" if none.
func pollutingPrefix(code string) string {
	for _, p := range pollutingIndustries {
		if strings.HasPrefix(code, p.prefix) {
			return p.prefix
		}
	}
	return ""
}

// validPrefix reports whether p is a GB/T 4754-2017 division, group or
// class code. A group not divided further has no row of its own in the
// catalogue, only its class, numbered with a final 0 (336: 3360).
func validPrefix(p string) bool {
	if len(p) < 2 || len(p) > 4 || strings.Trim(p, "0123456789") != "" {
		return false
	}
	_, ok := registry.IndustryName(p)
	if !ok && len(p) == 3 {
		_, ok = registry.IndustryName(p + "0")
	}
	return ok
}

var ruleCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// check validates a rule set against the registry's units (for counties)
// and returns it with Criteria filled in when nil. Problems are apperr
// Invalid, naming the rule.
func (rs RuleSet) check(units []registry.AdminUnit) (RuleSet, error) {
	if rs.Criteria == nil {
		rs.Criteria = slices.Clone(FourNos)
	}
	known := map[string]bool{}
	for _, c := range rs.Criteria {
		if _, ok := builtinNames[c]; !ok {
			return rs, apperr.Newf(apperr.Invalid, "%q is not a built-in criterion (%s)", "%q 不是内置判定标准（%s）", c, strings.Join(FourNos, ", "))
		}
		if known[c] {
			return rs, apperr.Newf(apperr.Invalid, "criterion %s is given twice", "判定标准 %s 重复", c)
		}
		known[c] = true
	}
	if len(rs.Extra) > maxRules {
		return rs, apperr.Newf(apperr.Invalid, "at most %d rules", "规则不能超过 %d 条", maxRules)
	}
	for _, r := range rs.Extra {
		bad := func(en, zh string, args ...any) error {
			return apperr.New(apperr.Invalid, "rule "+r.Code+": "+fmt.Sprintf(en, args...), "规则 "+r.Code+"："+fmt.Sprintf(zh, args...))
		}
		switch {
		case !ruleCodeRE.MatchString(r.Code):
			return rs, apperr.Newf(apperr.Invalid, "rule code %q: use a lower-case letter, then letters, digits or '_' (at most 32)",
				"规则代码 %q：须以小写字母开头，由小写字母、数字或“_”组成（不超过32位）", r.Code)
		case builtinNames[r.Code] != [2]string{} || known[r.Code]:
			return rs, bad("the code is taken", "代码已被使用")
		case strings.TrimSpace(r.NameZh) == "" || strings.TrimSpace(r.NameEn) == "":
			return rs, bad("give name_zh and name_en", "须填写中文和英文名称")
		}
		w := r.When
		if len(w.IndustryPrefixes)+len(w.Counties)+len(w.Statuses)+len(w.AnyOf) == 0 && w.Size == "" && w.InPark == nil {
			return rs, bad("give at least one condition", "须至少给出一个条件")
		}
		if len(w.IndustryPrefixes)+len(w.Counties)+len(w.Statuses)+len(w.AnyOf) > maxRuleMatches {
			return rs, bad("at most %d values in its conditions", "条件取值不能超过 %d 个", maxRuleMatches)
		}
		for _, p := range w.IndustryPrefixes {
			if !validPrefix(p) {
				return rs, bad("%q is not a GB/T 4754-2017 code (division, group or class)", "%q 不是 GB/T 4754-2017 行业代码（大类、中类或小类）", p)
			}
		}
		if w.Size != "" && w.Size != "above" && w.Size != "below" {
			return rs, bad("size %q: want above or below", "规模 %q：应为 above（规上）或 below（规下）", w.Size)
		}
		for _, c := range w.Counties {
			if u, ok := registry.FindUnit(units, c); !ok || u.Code != c || u.Level != "county" {
				return rs, bad("%q is not the GB/T 2260 code of a county in the registry", "%q 不是登记库中县级行政区的 GB/T 2260 代码", c)
			}
		}
		for _, s := range w.Statuses {
			if s != "operating" && s != "suspended" && s != "relocated" {
				return rs, bad("status %q: want operating, suspended or relocated (closed enterprises are not screened)",
					"经营状态 %q：应为 operating、suspended 或 relocated（已关停企业不参与筛查）", s)
			}
		}
		for _, c := range w.AnyOf {
			if !known[c] {
				return rs, bad("any_of %q: not a criterion of this set before this rule", "any_of %q：不是本规则之前已启用的判定标准", c)
			}
		}
		known[r.Code] = true
	}
	return rs, nil
}

// Records are the registry's records that screening reads, each list but
// the enterprises sorted by USCC, safety assessments by date within it; of each record
// only the fields screening reads need be filled (an enterprise's USCC,
// name, county, industry, size, status, park and address; a licence's
// number, status and end; a facility's outlet and service; an outlet's
// code and kind).
type Records struct {
	Enterprises []registry.Enterprise
	Licences    []registry.Licence
	Sites       []registry.Site
	Safety      []registry.Safety
	Facilities  []registry.Facility
	Outlets     []registry.Outlet
	Units       []registry.AdminUnit
}

// names returns the English and Chinese names of the criteria and rules of rs.
func (rs RuleSet) names() map[string][2]string {
	m := maps.Clone(builtinNames)
	for _, r := range rs.Extra {
		m[r.Code] = [2]string{r.NameEn, r.NameZh}
	}
	return m
}

// label gives the findings of candidates the names of rs's criteria.
func (rs RuleSet) label(cands []Candidate) {
	names := rs.names()
	for i := range cands {
		for j := range cands[i].Findings {
			f := &cands[i].Findings[j]
			f.NameEn, f.NameZh = names[f.Code][0], names[f.Code][1]
		}
	}
}

// unlabelled returns copies of candidates' findings without names, as runs store them.
func unlabelled(cands []Candidate) []Candidate {
	out := slices.Clone(cands)
	for i := range out {
		out[i].Findings = slices.Clone(out[i].Findings)
		for j := range out[i].Findings {
			out[i].Findings[j].NameEn, out[i].Findings[j].NameZh = "", ""
		}
	}
	return out
}

// Candidate is an enterprise a screening selected, with what fired.
type Candidate struct {
	USCC     string    `json:"uscc"`
	Name     string    `json:"name"`
	County   string    `json:"county"`
	Industry string    `json:"industry"`
	Criteria []string  `json:"criteria"`
	Findings []Finding `json:"findings"`
}

// span walks a list sorted by USCC alongside enterprises taken in USCC
// order, returning each one's records without a map.
type span[T any] struct {
	recs []T
	key  func(*T) string
}

func (s *span[T]) of(uscc string) []T {
	for len(s.recs) > 0 && s.key(&s.recs[0]) < uscc {
		s.recs = s.recs[1:]
	}
	n := 0
	for n < len(s.recs) && s.key(&s.recs[n]) == uscc {
		n++
	}
	out := s.recs[:n]
	s.recs = s.recs[n:]
	return out
}

// Evaluate applies rule set rs (already checked) as of date asOf
// (YYYY-MM-DD) to every enterprise of recs that is not closed and that
// inScope accepts (nil: all), and returns the candidates in USCC order and
// how many enterprises were screened. It does no I/O.
func Evaluate(recs *Records, rs RuleSet, asOf string, inScope func(*registry.Enterprise) bool) ([]Candidate, int) {
	ents := recs.Enterprises
	byUSCC := func(a, b registry.Enterprise) int { return strings.Compare(a.USCC, b.USCC) }
	if !slices.IsSortedFunc(ents, byUSCC) {
		ents = slices.Clone(ents)
		slices.SortFunc(ents, byUSCC)
	}
	lic := span[registry.Licence]{recs.Licences, func(r *registry.Licence) string { return r.USCC }}
	sit := span[registry.Site]{recs.Sites, func(r *registry.Site) string { return r.USCC }}
	saf := span[registry.Safety]{recs.Safety, func(r *registry.Safety) string { return r.USCC }}
	fac := span[registry.Facility]{recs.Facilities, func(r *registry.Facility) string { return r.USCC }}
	out := span[registry.Outlet]{recs.Outlets, func(r *registry.Outlet) string { return r.USCC }}
	var cands []Candidate
	screened := 0
	fired := map[string]bool{}
	for i := range ents {
		e := &ents[i]
		ls, ss, sa, fs, os := lic.of(e.USCC), sit.of(e.USCC), saf.of(e.USCC), fac.of(e.USCC), out.of(e.USCC)
		if e.Status == "closed" || inScope != nil && !inScope(e) {
			continue
		}
		screened++
		var found []Finding
		clear(fired)
		for _, c := range rs.Criteria {
			var ev []Fact
			switch c {
			case NoLicence:
				ev = noLicence(ls, asOf)
			case NoLegalSite:
				ev = noLegalSite(ss)
			case NoSafety:
				ev = noSafety(sa, asOf)
			case NoEnvFacility:
				ev = noEnvFacility(e, fs, os)
			}
			if ev != nil {
				n := builtinNames[c]
				found = append(found, Finding{Code: c, NameEn: n[0], NameZh: n[1], Evidence: ev})
				fired[c] = true
			}
		}
		for _, r := range rs.Extra {
			if ev := r.match(e, fired); ev != nil {
				found = append(found, Finding{Code: r.Code, NameEn: r.NameEn, NameZh: r.NameZh, Evidence: ev})
				fired[r.Code] = true
			}
		}
		if len(found) == 0 {
			continue
		}
		c := Candidate{USCC: e.USCC, Name: e.Name, County: e.County, Industry: e.IndustryCode, Findings: found}
		for _, f := range found {
			c.Criteria = append(c.Criteria, f.Code)
		}
		cands = append(cands, c)
	}
	return cands, screened
}

func noLicence(ls []registry.Licence, asOf string) []Fact {
	if len(ls) == 0 {
		return []Fact{{Kind: "licences", Why: WhyNone}}
	}
	var ev []Fact
	for _, l := range ls {
		why := WhyLicenceStatus
		switch {
		case l.Status != "valid":
		case l.ValidTo != "" && l.ValidTo < asOf:
			why = WhyLicenceExpired
		default:
			return nil // one valid licence is enough
		}
		ev = append(ev, Fact{Kind: "licences", Key: l.USCC + "/" + l.LicenceNo, Why: why,
			Fields: map[string]string{"licence_no": l.LicenceNo, "status": l.Status, "valid_to": l.ValidTo}})
	}
	return ev
}

func noLegalSite(ss []registry.Site) []Fact {
	if len(ss) == 0 {
		return []Fact{{Kind: "sites", Why: WhyNone}}
	}
	s := ss[0]
	if s.LandStatus == "legal" {
		return nil
	}
	return []Fact{{Kind: "sites", Key: s.USCC, Fields: map[string]string{"land_status": s.LandStatus, "certificate_no": s.CertificateNo}, Why: WhyLandStatus}}
}

// noSafety reads the latest assessment (the store lists them by date).
func noSafety(sa []registry.Safety, asOf string) []Fact {
	if len(sa) == 0 {
		return []Fact{{Kind: "safety", Why: WhyNone}}
	}
	s := sa[len(sa)-1]
	why := WhySafetyFailed
	switch {
	case s.Result != "pass":
	case s.ValidTo != "" && s.ValidTo < asOf:
		why = WhySafetyExpired
	default:
		return nil
	}
	return []Fact{{Kind: "safety", Key: s.USCC + "/" + s.AssessedOn, Why: why,
		Fields: map[string]string{"assessed_on": s.AssessedOn, "result": s.Result, "valid_to": s.ValidTo}}}
}

// noEnvFacility fires for a polluting industry without any facility in
// service, and for every outlet that no facility in service treats.
func noEnvFacility(e *registry.Enterprise, fs []registry.Facility, os []registry.Outlet) []Fact {
	var ev []Fact
	if pollutingPrefix(e.IndustryCode) != "" && !slices.ContainsFunc(fs, func(f registry.Facility) bool { return f.InService }) {
		ev = append(ev, Fact{Kind: "enterprises", Key: e.USCC, Fields: map[string]string{"industry_code": e.IndustryCode, "facilities": strconv.Itoa(len(fs))},
			Why: WhyNeedsFacility})
	}
	for _, o := range os {
		if slices.ContainsFunc(fs, func(f registry.Facility) bool { return f.InService && f.OutletCode == o.OutletCode }) {
			continue
		}
		ev = append(ev, Fact{Kind: "outlets", Key: o.USCC + "/" + o.OutletCode, Fields: map[string]string{"outlet_code": o.OutletCode, "kind": o.Kind}, Why: WhyUntreated})
	}
	return ev
}

// match returns the evidence of rule r for e, nil if it does not fire.
func (r Rule) match(e *registry.Enterprise, fired map[string]bool) []Fact {
	w := r.When
	fields := map[string]string{}
	if len(w.IndustryPrefixes) > 0 {
		if !slices.ContainsFunc(w.IndustryPrefixes, func(p string) bool { return strings.HasPrefix(e.IndustryCode, p) }) {
			return nil
		}
		fields["industry_code"] = e.IndustryCode
	}
	if w.Size != "" {
		if e.Size != w.Size {
			return nil
		}
		fields["size"] = e.Size
	}
	if w.InPark != nil {
		if (e.Park != "") != *w.InPark {
			return nil
		}
		fields["park"] = e.Park
	}
	if len(w.Counties) > 0 {
		if !slices.Contains(w.Counties, e.County) {
			return nil
		}
		fields["county"] = e.County
	}
	if len(w.Statuses) > 0 {
		if !slices.Contains(w.Statuses, e.Status) {
			return nil
		}
		fields["status"] = e.Status
	}
	if len(w.AnyOf) > 0 {
		var which []string
		for _, c := range w.AnyOf {
			if fired[c] {
				which = append(which, c)
			}
		}
		if which == nil {
			return nil
		}
		fields["criteria"] = strings.Join(which, ",")
	}
	return []Fact{{Kind: "enterprises", Key: e.USCC, Fields: fields, Why: WhyRule}}
}
