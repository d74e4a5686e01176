package compliance

import (
	"context"
	"math"
	"slices"
	"strings"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Counts are a campaign's progress over a set of enterprises.
type Counts struct {
	// InScope: enterprises in the campaign's scope at its latest survey.
	InScope int `json:"in_scope"`
	// Surveyed: cases opened (排查); Pending: of those, not yet verified on
	// site (neither classified nor dismissed); Dismissed: found compliant.
	Surveyed  int `json:"surveyed"`
	Pending   int `json:"pending"`
	Dismissed int `json:"dismissed"`
	// By disposition decided.
	Close       int `json:"close"`
	Relocate    int `json:"relocate"`
	Upgrade     int `json:"upgrade"`
	StopRectify int `json:"stop_rectify"`
	// Closed and Relocated: closures and relocations carried out.
	// Upgraded: upgrades and stop-and-rectify cases closed out.
	Closed    int `json:"closed"`
	Relocated int `json:"relocated"`
	Upgraded  int `json:"upgraded"`
	// Accepted: passed all three levels (closed out or not);
	// ClosedOut: closed out now (销号).
	Accepted  int `json:"accepted"`
	ClosedOut int `json:"closed_out"`
	// Overdue: past the deadline and neither closed out nor dismissed.
	Overdue int `json:"overdue"`
	// Relapsed: cases with a relapse found (复产) at least once;
	// Reopened: cases reopened on monitoring evidence, awaiting a visit.
	Relapsed int `json:"relapsed"`
	Reopened int `json:"reopened"`
	// SurveyRate (排查率) is the share of the enterprises in scope whose
	// survey is done: the screening cleared them, or an official verified
	// their case on site (classified or dismissed it): (InScope − Pending)
	// / InScope. DisposalRate is ClosedOut / (Surveyed − Dismissed):
	// "整治一个, 销号一个" (governance.md §2.2). In percent, one decimal; 0
	// where the denominator is.
	SurveyRate   float64 `json:"survey_rate"`
	DisposalRate float64 `json:"disposal_rate"`
}

// Group is the counts of one county or one industry division.
type Group struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Counts Counts `json:"counts"`
}

// Month is one month (YYYY-MM, CST) of a campaign's timeline: cases opened,
// closed out (by their latest 销号) and relapsed (by their latest relapse).
type Month struct {
	Month     string `json:"month"`
	Surveyed  int    `json:"surveyed"`
	ClosedOut int    `json:"closed_out"`
	Relapsed  int    `json:"relapsed"`
}

// Stats are a campaign's figures as of a date, against its targets.
type Stats struct {
	Campaign   Campaign `json:"campaign"`
	AsOf       string   `json:"as_of"`
	Total      Counts   `json:"total"`
	ByCounty   []Group  `json:"by_county"`
	ByIndustry []Group  `json:"by_industry"` // GB/T 4754 divisions (two digits)
	Timeline   []Month  `json:"timeline"`
	// SurveyMet and DisposalMet: the rates reach the campaign's targets.
	SurveyMet   bool `json:"survey_met"`
	DisposalMet bool `json:"disposal_met"`
}

// Stats counts a campaign's cases as of asOf ("" is today): the store
// counts the cases' own columns (a GROUP BY), the latest survey gives the
// enterprises in scope. A principal of one county counts that county's.
func (s *Service) Stats(ctx context.Context, by auth.Principal, campaignID int64, asOf string) (Stats, error) {
	c, err := s.Campaign(ctx, by, campaignID)
	if err != nil {
		return Stats{}, err
	}
	if asOf == "" {
		asOf = s.Today()
	} else if err := checkDate("as_of", "统计日期", asOf); err != nil {
		return Stats{}, err
	}
	if err := auth.CanList(by, auth.Cases); err != nil {
		return Stats{}, err
	}
	county := auth.Visible(by).County
	cells, months, err := s.store.Tally(ctx, campaignID, asOf, county)
	if err != nil {
		return Stats{}, err
	}
	run, _, err := s.store.LatestSurvey(ctx, campaignID)
	if err != nil {
		return Stats{}, err
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Campaign: c, AsOf: asOf, Timeline: months}
	counties, industries := map[string]*Counts{}, map[string]*Counts{}
	group := func(m map[string]*Counts, k string) *Counts {
		if m[k] == nil {
			m[k] = &Counts{}
		}
		return m[k]
	}
	for _, sc := range run.InScope {
		if county != "" && sc.County != county {
			continue
		}
		for _, n := range []*Counts{&st.Total, group(counties, sc.County), group(industries, sc.Division)} {
			n.InScope += sc.N
		}
	}
	for _, cell := range cells {
		for _, n := range []*Counts{&st.Total, group(counties, cell.County), group(industries, cell.Division)} {
			n.plus(&cell.Counts)
		}
	}
	st.Total.rates()
	for code, n := range counties {
		n.rates()
		name := code
		if u, ok := registry.FindUnit(units, code); ok {
			name = u.Name
		}
		st.ByCounty = append(st.ByCounty, Group{Code: code, Name: name, Counts: *n})
	}
	for code, n := range industries {
		n.rates()
		name, _ := registry.IndustryName(code)
		st.ByIndustry = append(st.ByIndustry, Group{Code: code, Name: strings.TrimSpace(name), Counts: *n})
	}
	byCode := func(a, b Group) int { return strings.Compare(a.Code, b.Code) }
	slices.SortFunc(st.ByCounty, byCode)
	slices.SortFunc(st.ByIndustry, byCode)
	st.SurveyMet = st.Total.SurveyRate >= c.Targets.SurveyRate
	st.DisposalMet = st.Total.DisposalRate >= c.Targets.DisposalRate
	return st, nil
}

// plus adds the case counts of o to n.
func (n *Counts) plus(o *Counts) {
	n.Surveyed += o.Surveyed
	n.Pending += o.Pending
	n.Dismissed += o.Dismissed
	n.Close += o.Close
	n.Relocate += o.Relocate
	n.Upgrade += o.Upgrade
	n.StopRectify += o.StopRectify
	n.Closed += o.Closed
	n.Relocated += o.Relocated
	n.Upgraded += o.Upgraded
	n.Accepted += o.Accepted
	n.ClosedOut += o.ClosedOut
	n.Overdue += o.Overdue
	n.Relapsed += o.Relapsed
	n.Reopened += o.Reopened
}

func (n *Counts) rates() {
	n.SurveyRate = percent(max(n.InScope-n.Pending, 0), n.InScope)
	n.DisposalRate = percent(n.ClosedOut, n.Surveyed-n.Dismissed)
}

func percent(a, b int) float64 {
	if b <= 0 {
		return 0
	}
	return math.Round(float64(a)*1000/float64(b)) / 10
}
