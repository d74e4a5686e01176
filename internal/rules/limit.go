package rules

import (
	"strings"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
)

// Site is what the limit of an outlet depends on: its enterprise's
// industry, the outlet's kind, the kinds of the facilities treating it and
// the enterprise's permit rows for it.
type Site struct {
	Enterprise registry.Enterprise
	Outlet     registry.Outlet
	Facilities []string // kinds
	Permits    []registry.PermitLimit
}

// Limit is the limit an outlet's pollutant is judged against, in the unit
// its readings come in (HJ 212's default unit of the pollutant).
type Limit struct {
	Value  float64 `json:"limit"`
	Unit   string  `json:"unit"`
	Basis  string  `json:"basis"`
	Source string  `json:"limit_source"` // "permit PERMIT_NO" or the standard's name and scope
	// Checked: the standard's value was checked against its text; a
	// permit's limit is the permit's own and counts as checked.
	Checked bool `json:"checked"`
}

// LimitFor returns the limit of pollutant code at site on day at: the
// catalogue's row of the most specific matching scope (a facility's kind
// before an industry prefix, the longer prefix first), in force then
// (the latest effective date not after at); the permit's own limit where
// stricter. False: the catalogue has no row, or cannot convert the units.
func LimitFor(cat []Standard, site Site, code string, at time.Time) (Limit, bool) {
	p, ok := hj212.LookupPollutant(code)
	if !ok {
		return Limit{}, false
	}
	day := at.In(cst.Zone).Format("2006-01-02")
	var best *Standard
	bestScore := -1
	for i := range cat {
		s := &cat[i]
		if s.PollutantCode != code || s.SourceKind != site.Outlet.Kind || s.EffectiveFrom > day {
			continue
		}
		score, ok := match(s.Scope, site)
		if !ok {
			continue
		}
		if score > bestScore || score == bestScore && s.EffectiveFrom > best.EffectiveFrom {
			best, bestScore = s, score
		}
	}
	var l Limit
	found := false
	if best != nil {
		if v, ok := convert(best.Limit, best.Unit, p.Unit); ok {
			l = Limit{Value: v, Unit: p.Unit, Basis: best.Basis, Source: best.Standard + " (" + best.Scope + ")", Checked: best.Checked}
			found = true
		}
	}
	for _, pl := range site.Permits {
		if pl.OutletCode != site.Outlet.OutletCode || pl.PollutantCode != code || pl.LimitConcentration <= 0 ||
			pl.ValidFrom != "" && pl.ValidFrom > day || pl.ValidTo != "" && pl.ValidTo < day {
			continue
		}
		v, ok := convert(pl.LimitConcentration, pl.LimitUnit, p.Unit)
		if !ok || found && v >= l.Value {
			continue
		}
		basis := l.Basis
		if !found {
			basis = HourZs
			if site.Outlet.Kind == "water" {
				basis = DayAvg
			}
		}
		l, found = Limit{Value: v, Unit: p.Unit, Basis: basis, Source: "permit " + pl.PermitNo, Checked: true}, true
	}
	return l, found
}

// match reports whether scope applies at site, and how specifically: a
// facility's kind counts above any industry prefix, a longer prefix above
// a shorter one.
func match(scope string, site Site) (int, bool) {
	if scope == "*" {
		return 0, true
	}
	ind, fac, hasFac := strings.Cut(scope, "/")
	if !strings.HasPrefix(site.Enterprise.IndustryCode, ind) {
		return 0, false
	}
	score := len(ind)
	if hasFac {
		ok := false
		for _, k := range site.Facilities {
			ok = ok || strings.Contains(k, fac)
		}
		if !ok {
			return 0, false
		}
		score += 100
	}
	return score, true
}
