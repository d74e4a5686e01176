package compliance

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// maxListed caps a scope's explicit enterprise list.
const maxListed = 20_000

// CreateCampaign validates c and stores it as a new campaign made by by.
// Rules with Criteria nil screen with the four built-in criteria.
func (s *Service) CreateCampaign(ctx context.Context, c Campaign, by auth.Principal) (Campaign, error) {
	if err := by.Check(); err != nil {
		return c, err
	}
	if err := auth.CanWrite(by, campaignObject); err != nil {
		return c, err
	}
	c, err := s.checkCampaign(ctx, c)
	if err != nil {
		return c, err
	}
	c.Version, c.CreatedAt, c.CreatedBy = 1, s.now().UTC(), by.Actor()
	err = s.store.UpdateCompliance(ctx, func(tx Tx) error {
		c.ID, err = tx.AddCampaign(ctx, c)
		return err
	})
	return c, err
}

// UpdateCampaign replaces campaign c.ID with c if its version is still
// version (the one the caller read); cases already surveyed stay.
func (s *Service) UpdateCampaign(ctx context.Context, c Campaign, version int, by auth.Principal) (Campaign, error) {
	if err := by.Check(); err != nil {
		return c, err
	}
	if err := auth.CanWrite(by, campaignObject); err != nil {
		return c, err
	}
	c, err := s.checkCampaign(ctx, c)
	if err != nil {
		return c, err
	}
	err = s.store.UpdateCompliance(ctx, func(tx Tx) error {
		cur, ok, err := tx.Campaign(ctx, c.ID)
		switch {
		case err != nil:
			return err
		case !ok:
			return notFound("campaign", "整治行动", c.ID)
		case cur.Version != version:
			return staleCampaign(c.ID, cur.Version, version)
		}
		c.Version, c.CreatedAt, c.CreatedBy = version+1, cur.CreatedAt, cur.CreatedBy
		err = tx.UpdateCampaign(ctx, c, version)
		if errors.Is(err, ErrStale) {
			return staleCampaign(c.ID, version+1, version)
		}
		return err
	})
	return c, err
}

func staleCampaign(id int64, stored, read int) error {
	return apperr.Newf(apperr.Conflict, "campaign %d was changed by someone else (version %d; you read %d): reload it and try again",
		"整治行动 %d 已被他人修改（当前版本 %d，您读取的是 %d）：请刷新后重试", id, stored, read)
}

// Campaigns lists the campaigns by id.
func (s *Service) Campaigns(ctx context.Context, by auth.Principal) ([]Campaign, error) {
	if err := auth.CanList(by, auth.Campaigns); err != nil {
		return nil, err
	}
	return s.store.Campaigns(ctx)
}

// Campaign returns one campaign.
func (s *Service) Campaign(ctx context.Context, by auth.Principal, id int64) (Campaign, error) {
	if err := auth.CanRead(by, campaignObject); err != nil {
		return Campaign{}, err
	}
	c, ok, err := s.store.Campaign(ctx, id)
	if err == nil && !ok {
		err = notFound("campaign", "整治行动", id)
	}
	return c, err
}

func (s *Service) checkCampaign(ctx context.Context, c Campaign) (Campaign, error) {
	if err := checkText("name", "行动名称", c.Name, 200); err != nil {
		return c, err
	}
	if err := checkText("lead_unit", "牵头单位", c.LeadUnit, 200); err != nil {
		return c, err
	}
	c.Name, c.LeadUnit = strings.TrimSpace(c.Name), strings.TrimSpace(c.LeadUnit)
	if err := checkDate("start", "开始日期", c.Start); err != nil {
		return c, err
	}
	if err := checkDate("end", "结束日期", c.End); err != nil {
		return c, err
	}
	if c.End < c.Start {
		return c, apperr.Newf(apperr.Invalid, "the campaign ends (%s) before it starts (%s)", "行动结束日期（%s）早于开始日期（%s）", c.End, c.Start)
	}
	for _, t := range []float64{c.Targets.SurveyRate, c.Targets.DisposalRate} {
		if t < 0 || t > 100 {
			return c, apperr.Newf(apperr.Invalid, "target %g%% is not a percentage from 0 to 100", "目标 %g%% 应为 0 至 100 之间的百分比", t)
		}
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return c, err
	}
	if c.Rules, err = c.Rules.check(units); err != nil {
		return c, err
	}
	sc := &c.Scope
	for _, code := range sc.Counties {
		if u, ok := registry.FindUnit(units, code); !ok || u.Code != code || u.Level != "county" {
			return c, apperr.Newf(apperr.Invalid, "scope: %q is not the GB/T 2260 code of a county in the registry", "范围：%q 不是登记库中县级行政区的 GB/T 2260 代码", code)
		}
	}
	for _, code := range sc.Townships {
		if u, ok := registry.FindUnit(units, code); !ok || u.Code != code || u.Level != "township" {
			return c, apperr.Newf(apperr.Invalid, "scope: %q is not the GB/T 2260 code of a township in the registry (import the townships as units first)",
				"范围：%q 不是登记库中乡镇（街道）的 GB/T 2260 代码（请先导入乡镇行政区划）", code)
		}
	}
	for _, p := range sc.IndustryPrefixes {
		if !validPrefix(p) {
			return c, apperr.Newf(apperr.Invalid, "scope: %q is not a GB/T 4754-2017 code (division, group or class)", "范围：%q 不是 GB/T 4754-2017 行业代码（大类、中类或小类）", p)
		}
	}
	if len(sc.Enterprises) > maxListed {
		return c, apperr.Newf(apperr.Invalid, "scope: at most %d listed enterprises", "范围：列名企业不能超过 %d 家", maxListed)
	}
	for i, u := range sc.Enterprises {
		u = strings.ToUpper(strings.TrimSpace(u))
		sc.Enterprises[i] = u
		es, _, err := s.store.Enterprises(ctx, registry.EnterpriseFilter{USCC: u})
		if err != nil {
			return c, err
		}
		if len(es) == 0 {
			return c, apperr.Newf(apperr.Invalid, "scope: no enterprise %s in the registry", "范围：登记库中无统一社会信用代码为 %s 的企业", u)
		}
	}
	return c, nil
}

// scope decides whether an enterprise is in a campaign's scope.
type scope struct {
	listed     map[string]bool
	counties   []string
	townships  []registry.AdminUnit
	prefixes   []string
	conditions bool
}

func newScope(sc Scope, units []registry.AdminUnit) *scope {
	m := &scope{listed: map[string]bool{}, counties: sc.Counties, prefixes: sc.IndustryPrefixes,
		conditions: len(sc.Counties)+len(sc.Townships)+len(sc.IndustryPrefixes) > 0}
	for _, u := range sc.Enterprises {
		m.listed[u] = true
	}
	for _, u := range units {
		if slices.Contains(sc.Townships, u.Code) {
			m.townships = append(m.townships, u)
		}
	}
	return m
}

func (m *scope) match(e *registry.Enterprise) bool {
	if m.listed[e.USCC] {
		return true
	}
	if !m.conditions {
		return len(m.listed) == 0
	}
	return (len(m.counties) == 0 || slices.Contains(m.counties, e.County)) &&
		(len(m.townships) == 0 || townshipOf(e, m.townships) != "") &&
		(len(m.prefixes) == 0 || slices.ContainsFunc(m.prefixes, func(p string) bool { return strings.HasPrefix(e.IndustryCode, p) }))
}

// townshipOf returns the code of the first of units (townships) that is in
// e's county and whose name e's address contains, "" if none.
func townshipOf(e *registry.Enterprise, units []registry.AdminUnit) string {
	for _, u := range units {
		if u.Level == "township" && u.Parent == e.County && u.Name != "" && strings.Contains(e.Address, u.Name) {
			return u.Code
		}
	}
	return ""
}

// SurveyOptions change what a survey does.
type SurveyOptions struct {
	// All opens a case for every enterprise in scope, not only those the
	// campaign's screening selects (a door-to-door survey of an industry).
	All bool
	// AsOf is the date screening judges validity at; "" is today.
	AsOf string
}

// SurveyResult says what a survey found and did.
type SurveyResult struct {
	Run      Run `json:"run"`
	InScope  int `json:"in_scope"`
	Selected int `json:"selected"` // cases due: the screening's candidates, or all in scope
	Created  int `json:"created"`
	Existing int `json:"existing"` // of those selected, already with a case in the campaign
}

// Survey screens the enterprises in a campaign's scope with its rules,
// stores the screening as a run of the campaign, and opens a case for
// each selected enterprise that has none in the campaign yet: running it
// again adds only the new ones. Each case carries the criteria and
// evidence that selected it, and an "open" event.
func (s *Service) Survey(ctx context.Context, campaignID int64, opt SurveyOptions, by auth.Principal) (SurveyResult, error) {
	var res SurveyResult
	if err := by.Check(); err != nil {
		return res, err
	}
	if err := auth.CanWrite(by, campaignObject); err != nil {
		return res, err
	}
	c, err := s.Campaign(ctx, by, campaignID)
	if err != nil {
		return res, err
	}
	today := s.Today()
	if today > c.End {
		return res, apperr.Newf(apperr.Conflict, "campaign %d ended on %s: extend its end date to survey again", "整治行动 %d 已于 %s 结束：如需再次排查请延长结束日期", c.ID, c.End)
	}
	asOf := opt.AsOf
	if asOf == "" {
		asOf = today
	} else if err := checkDate("as_of", "筛查基准日", asOf); err != nil {
		return res, err
	}
	recs, err := s.store.Records(ctx)
	if err != nil {
		return res, err
	}
	rules, err := c.Rules.check(recs.Units)
	if err != nil {
		return res, err
	}
	sc := newScope(c.Scope, recs.Units)
	var inScope []*registry.Enterprise
	cands, _ := Evaluate(recs, rules, asOf, func(e *registry.Enterprise) bool {
		if !sc.match(e) {
			return false
		}
		inScope = append(inScope, e)
		return true
	})
	counts := map[ScopeCount]int{}
	for _, e := range inScope {
		counts[ScopeCount{County: e.County, Division: division(e.IndustryCode)}]++
	}
	run := Run{At: s.now().UTC(), Actor: by.Actor(), AsOf: asOf, Rules: rules, Campaign: c.ID, Scope: &c.Scope,
		Screened: len(inScope), Selected: len(cands)}
	for k, n := range counts {
		k.N = n
		run.InScope = append(run.InScope, k)
	}
	slices.SortFunc(run.InScope, func(a, b ScopeCount) int {
		return strings.Compare(a.County+a.Division, b.County+b.Division)
	})
	selected := cands
	if opt.All {
		found := make(map[string]Candidate, len(cands))
		for _, cd := range cands {
			found[cd.USCC] = cd
		}
		selected = make([]Candidate, 0, len(inScope))
		for _, e := range inScope {
			cd, ok := found[e.USCC]
			if !ok {
				cd = Candidate{USCC: e.USCC, Name: e.Name, County: e.County, Industry: e.IndustryCode}
			}
			selected = append(selected, cd)
		}
	}
	var towns []registry.AdminUnit
	for _, u := range recs.Units {
		if u.Level == "township" {
			towns = append(towns, u)
		}
	}
	byUSCC := make(map[string]*registry.Enterprise, len(inScope))
	for _, e := range inScope {
		byUSCC[e.USCC] = e
	}
	res = SurveyResult{InScope: len(inScope), Selected: len(selected)}
	err = s.store.UpdateCompliance(ctx, func(tx Tx) error {
		if err := tx.LockCampaign(ctx, c.ID); err != nil {
			return err
		}
		existing, err := tx.Summaries(ctx, c.ID)
		if err != nil {
			return err
		}
		has := make(map[string]bool, len(existing))
		for _, k := range existing {
			has[k.USCC] = true
		}
		if run.ID, err = tx.AddRun(ctx, run, unlabelled(cands)); err != nil {
			return err
		}
		var news []Case
		for _, cd := range selected {
			if has[cd.USCC] {
				continue
			}
			news = append(news, Case{Summary: Summary{Campaign: c.ID, USCC: cd.USCC, County: cd.County, Township: townshipOf(byUSCC[cd.USCC], towns),
				Industry: cd.Industry, State: Surveyed, Version: 1, OpenedOn: today},
				Record: Record{Criteria: cd.Criteria, Findings: cd.Findings}})
		}
		ids, err := tx.AddCases(ctx, news)
		if err != nil {
			return err
		}
		at := s.now().UTC()
		events := make([]Event, len(news))
		for i, k := range news {
			data, _ := json.Marshal(map[string]any{"run": run.ID, "criteria": k.Criteria})
			events[i] = Event{Case: ids[i], Seq: 1, At: at, Actor: by.Actor(), Action: ActOpen, To: Surveyed, Data: data}
		}
		res.Created, res.Existing = len(news), len(selected)-len(news)
		return tx.AddEvents(ctx, events)
	})
	res.Run = run
	return res, err
}

// division is the two-digit GB/T 4754 division of a class code.
func division(code string) string {
	if len(code) < 2 {
		return code
	}
	return code[:2]
}
