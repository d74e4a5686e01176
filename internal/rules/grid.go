package rules

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
)

// The statuses of an enterprise's quarter, worst first: the worst of its
// alarms wins (decision 0026).
const (
	StatusExceedance  = "exceedance"   // a limit exceeded, or a permitted annual quantity
	StatusDataGap     = "data_gap"     // missing data: a reporting violation in ECHO's terms
	StatusDataQuality = "data_quality" // data that cannot be trusted: flat, flagged, out of range, copied
	StatusCompliant   = "compliant"
)

// statusRank orders the statuses, worst highest.
var statusRank = map[string]int{StatusCompliant: 0, StatusDataQuality: 1, StatusDataGap: 2, StatusExceedance: 3}

// statusOf is the status alarms of a kind give their quarters, the
// largest multiple of their limits given: "" for those that only count (a
// load projected to run out, a kind not judged here).
func statusOf(kind string, multiple float64) string {
	switch kind {
	case Exceedance:
		return StatusExceedance
	case Load:
		if multiple > 1 {
			return StatusExceedance
		}
	case DataGap:
		return StatusDataGap
	case "flat_line", "flag", "out_of_range", "duplicate_series":
		return StatusDataQuality
	}
	return ""
}

// QuarterCount is how many alarms of an enterprise and kind overlap
// periods First to Last of a grid (indexes into its quarters), and the
// largest multiple of their limits.
type QuarterCount struct {
	USCC        string
	Kind        string
	First, Last int
	Count       int
	MaxMultiple float64
}

// SNCRule is when a quarter is in significant non-compliance: an
// exceedance in at least Min of the Of quarters ending with it, or an
// exceedance of more than Multiple times its limit in it.
type SNCRule struct {
	Min, Of  int
	Multiple float64
}

// DefaultSNC is 2 of the last 4 quarters, or above 3 times the limit.
var DefaultSNC = SNCRule{Min: 2, Of: 4, Multiple: 3}

// ParseSNC reads a rule written "MIN/OF,MULTIPLE" ("2/4,3").
func ParseSNC(s string) (SNCRule, error) {
	bad := apperr.Newf(apperr.Invalid, "significant non-compliance rule %q: write MIN/OF,MULTIPLE, e.g. 2/4,3 (1 ≤ MIN ≤ OF ≤ 12, MULTIPLE > 1)",
		"严重违规规则 %q：应写作 次数/季度数,倍数，如 2/4,3（1 ≤ 次数 ≤ 季度数 ≤ 12，倍数 > 1）", s)
	q, m, ok := strings.Cut(strings.TrimSpace(s), ",")
	minS, ofS, ok2 := strings.Cut(q, "/")
	if !ok || !ok2 {
		return SNCRule{}, bad
	}
	var r SNCRule
	var err1, err2, err3 error
	r.Min, err1 = strconv.Atoi(strings.TrimSpace(minS))
	r.Of, err2 = strconv.Atoi(strings.TrimSpace(ofS))
	r.Multiple, err3 = strconv.ParseFloat(strings.TrimSpace(m), 64)
	if err1 != nil || err2 != nil || err3 != nil || r.Min < 1 || r.Of < r.Min || r.Of > 12 || !(r.Multiple > 1) || r.Multiple > 1e6 {
		return SNCRule{}, bad
	}
	return r, nil
}

// String writes the rule as ParseSNC reads it.
func (r SNCRule) String() string {
	return fmt.Sprintf("%d/%d,%s", r.Min, r.Of, strconv.FormatFloat(r.Multiple, 'f', -1, 64))
}

// Explain says the rule in both languages.
func (r SNCRule) Explain() string {
	m := strconv.FormatFloat(r.Multiple, 'f', -1, 64)
	return fmt.Sprintf("严重违规：截至该季度的 %d 个季度中有 %d 个季度超标，或该季度有超过限值 %s 倍的超标 / "+
		"significant non-compliance: an exceedance in %d of the %d quarters ending with the quarter, or one above %s times its limit in it",
		r.Of, r.Min, m, r.Min, r.Of, m)
}

// Quarter is an enterprise's compliance in one calendar quarter (CST).
type Quarter struct {
	Quarter string         `json:"quarter"` // 2026Q4
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	Current bool           `json:"current"`
	Status  string         `json:"status"`
	Counts  map[string]int `json:"counts"` // alarms by kind overlapping the quarter
	// MaxMultiple is the largest multiple of its exceedances' limits.
	MaxMultiple float64 `json:"max_multiple"`
	SNC         bool    `json:"snc"`
}

// Grid is an enterprise's last twelve quarters and the current one, oldest first.
type Grid struct {
	USCC     string    `json:"uscc"`
	Name     string    `json:"name"`
	County   string    `json:"county"`
	AsOf     time.Time `json:"as_of"`
	Quarters []Quarter `json:"quarters"`
	// SNC: the current quarter is in significant non-compliance.
	SNC     bool   `json:"snc"`
	SNCRule string `json:"snc_rule"`
	// Violations is how many of the quarters are not compliant.
	Violations int `json:"quarters_in_noncompliance"`
}

// Quarters is how many quarters a grid has: twelve and the current one.
const Quarters = 13

// quarterStart is the first instant (CST) of the quarter holding t.
func quarterStart(t time.Time) time.Time {
	t = t.In(cst.Zone)
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, cst.Zone)
}

// Window is the time the grid as of asOf covers: the first instant of
// the quarter twelve before asOf's, and the end of asOf's.
func Window(asOf time.Time) (time.Time, time.Time) {
	q := quarterStart(asOf)
	return q.AddDate(0, -3*(Quarters-1), 0), q.AddDate(0, 3, 0)
}

// quarterName names the quarter starting at t: 2026Q4.
func quarterName(t time.Time) string {
	t = t.In(cst.Zone)
	return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())+2)/3)
}

// bounds are the starts of the grid's quarters as of asOf, and the end
// of the last: what the store counts the alarms by.
func bounds(asOf time.Time) []time.Time {
	from, _ := Window(asOf)
	b := make([]time.Time, Quarters+1)
	for i := range b {
		b[i] = from.AddDate(0, 3*i, 0)
	}
	return b
}

// BuildGrid makes an enterprise's grid as of asOf from its alarms'
// counts (the store's AlarmQuarters over bounds(asOf)).
func BuildGrid(e registry.Enterprise, counts []QuarterCount, asOf time.Time, rule SNCRule) Grid {
	b := bounds(asOf)
	g := Grid{USCC: e.USCC, Name: e.Name, County: e.County, AsOf: asOf, SNCRule: rule.Explain(), Quarters: make([]Quarter, Quarters)}
	for i := range g.Quarters {
		q := &g.Quarters[i]
		q.From, q.To = b[i], b[i+1]
		q.Quarter = quarterName(q.From)
		q.Current = i == Quarters-1
		q.Status, q.Counts = StatusCompliant, map[string]int{}
	}
	for _, c := range counts {
		st := statusOf(c.Kind, c.MaxMultiple)
		for i := max(c.First, 0); i <= min(c.Last, Quarters-1); i++ {
			q := &g.Quarters[i]
			q.Counts[c.Kind] += c.Count
			if st != "" && statusRank[st] > statusRank[q.Status] {
				q.Status = st
			}
			if c.Kind == Exceedance {
				q.MaxMultiple = max(q.MaxMultiple, c.MaxMultiple)
			}
		}
	}
	for i := range g.Quarters {
		q := &g.Quarters[i]
		n := 0
		for j := max(0, i-rule.Of+1); j <= i; j++ {
			if g.Quarters[j].Status == StatusExceedance {
				n++
			}
		}
		q.SNC = n >= rule.Min || q.MaxMultiple > rule.Multiple
		if q.Status != StatusCompliant {
			g.Violations++
		}
	}
	g.SNC = g.Quarters[Quarters-1].SNC
	return g
}

// Compliance returns an enterprise's grid as of asOf.
func (v *Service) Compliance(ctx context.Context, by auth.Principal, uscc string, asOf time.Time) (Grid, error) {
	e, err := v.readable(ctx, by, uscc)
	if err != nil {
		return Grid{}, err
	}
	counts, err := v.s.AlarmQuarters(ctx, []string{uscc}, bounds(asOf))
	if err != nil {
		return Grid{}, err
	}
	return BuildGrid(e, counts, asOf, v.snc), nil
}

// GridPage is a page of enterprises' grids.
type GridPage struct {
	Items  []Grid `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
}

// Grids returns the grids of one page of the enterprises f selects (by
// USCC order), of those by may see, as of asOf: two reads, the page's
// enterprises and their alarms.
func (v *Service) Grids(ctx context.Context, by auth.Principal, f registry.EnterpriseFilter, asOf time.Time) (GridPage, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return GridPage{}, err
	}
	p := GridPage{Items: []Grid{}, Limit: f.Limit, Offset: f.Offset}
	sc := auth.Visible(by)
	for _, c := range []struct{ f, scope *string }{{&f.County, &sc.County}, {&f.Park, &sc.Park}, {&f.USCC, &sc.USCC}} {
		switch {
		case *c.scope == "":
		case *c.f != "" && *c.f != *c.scope:
			return p, nil
		default:
			*c.f = *c.scope
		}
	}
	es, total, err := v.s.Enterprises(ctx, f)
	if err != nil || len(es) == 0 {
		p.Total = total
		return p, err
	}
	usccs := make([]string, len(es))
	for i, e := range es {
		usccs[i] = e.USCC
	}
	counts, err := v.s.AlarmQuarters(ctx, usccs, bounds(asOf))
	if err != nil {
		return p, err
	}
	byUSCC := map[string][]QuarterCount{}
	for _, c := range counts {
		byUSCC[c.USCC] = append(byUSCC[c.USCC], c)
	}
	for _, e := range es {
		p.Items = append(p.Items, BuildGrid(e, byUSCC[e.USCC], asOf, v.snc))
	}
	p.Total = total
	return p, nil
}
