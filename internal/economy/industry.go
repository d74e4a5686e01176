package economy

import (
	"context"
	"sync"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// IndustryStore is what the leading industries' statistics, the action
// plan, transformation projects and shared facilities read and keep
// (decision 0029).
type IndustryStore interface {
	// ClusterFacts sums the annual figures of years from..to by year,
	// county, GB/T 4754 class and size, every enterprise's (closed ones
	// produced in their years too).
	ClusterFacts(ctx context.Context, from, to int) ([]ClusterFact, error)
	// FirmFigures are the enterprises' revenue of a year, without classes.
	FirmFigures(ctx context.Context, year int) ([]FirmFigure, error)
	// LatestEvaluations returns each county's latest run of the year,
	// with its outcome.
	LatestEvaluations(ctx context.Context, year int) ([]StoredRun, error)
	// IndustryVersion returns the newest registry change (annual figures
	// and enterprises change through it) and the newest evaluation.
	IndustryVersion(ctx context.Context) (changes, evaluations int64, err error)
	// AnnualYears returns the first and last year with annual figures (0, 0: none).
	AnnualYears(ctx context.Context) (first, last int, err error)
	PlanStore
	ProjectStore
	FacilityStore
}

// clusterCache keeps the figures of one year's statistics while the
// registry and the evaluations do not change: the figures of ten years
// are one GROUP BY over every annual row (0.7 s for 300,000 on SQLite,
// docs/benchmarks.md), the statistics from them a few milliseconds.
// Kept at most clusterTTL, since on PostgreSQL a change may commit after
// a newer one and leave the newest id as it was.
type clusterCache struct {
	mu                   sync.Mutex
	year                 int
	changes, evaluations int64
	at                   time.Time
	facts                []ClusterFact
	firms                []FirmFigure
}

const clusterTTL = time.Minute

// Clusters returns the leading industries of a county ("" the city) in a
// year by a shipped mapping ("" the default), with ten years' series.
// They are aggregates, read by every officer (not parks or enterprises).
func (s *Service) Clusters(ctx context.Context, by auth.Principal, year int, county, mapping string) (ClusterReport, error) {
	if err := by.Check(); err != nil {
		return ClusterReport{}, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return ClusterReport{}, err
	}
	m, err := MappingPreset(mapping)
	if err != nil {
		return ClusterReport{}, err
	}
	if year < 2000 || year > 2100 {
		return ClusterReport{}, apperr.Newf(apperr.Invalid, "year %d: want 2000–2100", "年度 %d 应在 2000–2100 之间", year)
	}
	if county, err = s.countyCode(ctx, county); err != nil {
		return ClusterReport{}, err
	}
	facts, firms, err := s.clusterFigures(ctx, year)
	if err != nil {
		return ClusterReport{}, err
	}
	return Clusters(m, year, county, facts, firms), nil
}

// clusterFigures are the facts of year-9..year and the year's firms with
// their classes, from the cache while nothing changed.
func (s *Service) clusterFigures(ctx context.Context, year int) ([]ClusterFact, []FirmFigure, error) {
	changes, evals, err := s.store.IndustryVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &s.clusters
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.facts != nil && c.year == year && c.changes == changes && c.evaluations == evals && s.now().Sub(c.at) < clusterTTL {
		return c.facts, c.firms, nil
	}
	at := s.now()
	facts, err := s.store.ClusterFacts(ctx, year-9, year)
	if err != nil {
		return nil, nil, err
	}
	firms, err := s.classedFirms(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	c.year, c.changes, c.evaluations, c.at, c.facts, c.firms = year, changes, evals, at, facts, firms
	return facts, firms, nil
}

// classedFirms are the year's firms with their class in their county's
// latest evaluation of the year.
func (s *Service) classedFirms(ctx context.Context, year int) ([]FirmFigure, error) {
	firms, err := s.store.FirmFigures(ctx, year)
	if err != nil {
		return nil, err
	}
	runs, err := s.store.LatestEvaluations(ctx, year)
	if err != nil {
		return nil, err
	}
	class := map[string]string{}
	for _, r := range runs {
		out, err := unpackOutcome(r.Outcome)
		if err != nil {
			return nil, err
		}
		for _, x := range out.Results {
			class[x.USCC] = x.Class
		}
	}
	for i := range firms {
		firms[i].Class = class[firms[i].USCC]
	}
	return firms, nil
}

// countyCode is a county's GB/T 2260 code from its code or name; "" stays "".
func (s *Service) countyCode(ctx context.Context, county string) (string, error) {
	if county == "" {
		return "", nil
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return "", err
	}
	if u, ok := registry.FindUnit(units, county); ok && u.Level == "county" {
		return u.Code, nil
	}
	return "", apperr.Newf(apperr.Invalid, "county %q is no county of the registry (GB/T 2260 code or name)", "%q 不是登记的县（市、区）（GB/T 2260 代码或名称）", county)
}

// LatestRuns returns each county's latest evaluation run of the year (a
// county officer's: their county's), summarised.
func (s *Service) LatestRuns(ctx context.Context, by auth.Principal, year int) ([]Run, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Evaluations); err != nil {
		return nil, err
	}
	srs, err := s.store.LatestEvaluations(ctx, year)
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, sr := range srs {
		if !auth.Visible(by).Allows(sr.County, "", "") {
			continue
		}
		o, err := unpackOutcome(sr.Outcome)
		if err != nil {
			return nil, err
		}
		out = append(out, summary(sr, o))
	}
	return out, nil
}

// AnnualYears returns the first and last years with annual figures, for
// the pages' choice of year (0, 0 where there are none).
func (s *Service) AnnualYears(ctx context.Context, by auth.Principal) (first, last int, err error) {
	if err := by.Check(); err != nil {
		return 0, 0, err
	}
	if err := auth.CanList(by, auth.Industry); err != nil {
		return 0, 0, err
	}
	return s.store.AnnualYears(ctx)
}
