package economy

import (
	"context"
	"slices"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// public reports whether enterprises may read the run (their own result).
func (sr StoredRun) public() bool {
	return sr.State == Notice || sr.State == Approved || sr.State == Published
}

// Runs lists the runs of a county and year ("" and 0: all), newest first:
// an officer's of their county; an enterprise's, the public runs of its
// county.
func (s *Service) Runs(ctx context.Context, by auth.Principal, county string, year int) ([]Run, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Evaluations); err != nil {
		return nil, err
	}
	v := auth.Visible(by)
	if v.USCC != "" {
		es, _, err := s.store.Enterprises(ctx, registry.EnterpriseFilter{USCC: v.USCC, Limit: 1})
		if err != nil || len(es) == 0 {
			return []Run{}, err
		}
		v.County = es[0].County
	}
	if v.County != "" {
		if county != "" && county != v.County {
			return []Run{}, nil
		}
		county = v.County
	}
	srs, err := s.store.EvaluationRuns(ctx, county, year)
	if err != nil {
		return nil, err
	}
	out := []Run{}
	for _, sr := range srs {
		if by.Role == auth.Enterprise && !sr.public() {
			continue
		}
		out = append(out, listed(sr))
	}
	return out, nil
}

// YearResult is an enterprise's result in one year's run.
type YearResult struct {
	Run    Run    `json:"run"`
	Result Result `json:"result"`
}

// Years returns an enterprise's results over the years, oldest first: in
// each year, its county's latest run not superseded (a published one
// first; for the enterprise itself, public runs only), explained.
func (s *Service) Years(ctx context.Context, by auth.Principal, uscc string) ([]YearResult, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Evaluations); err != nil {
		return nil, err
	}
	missing := apperr.Newf(apperr.NotFound, "no enterprise %s", "登记库中无统一社会信用代码为 %s 的企业", uscc)
	es, _, err := s.store.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, missing
	}
	if err := auth.CanRead(by, auth.Object{What: auth.Evaluations, County: es[0].County, Park: es[0].Park, USCC: uscc, Missing: missing}); err != nil {
		return nil, err
	}
	srs, err := s.store.EvaluationRuns(ctx, es[0].County, 0)
	if err != nil {
		return nil, err
	}
	best := map[int]StoredRun{} // by year
	for _, sr := range srs {
		if sr.State == Superseded || by.Role == auth.Enterprise && !sr.public() {
			continue
		}
		b, ok := best[sr.Year]
		if !ok || b.State != Published && sr.State == Published {
			best[sr.Year] = sr // newest first: the first seen is the latest
		}
	}
	out := []YearResult{}
	for _, b := range best {
		sr, err := s.store.Evaluation(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		o, err := unpackOutcome(sr.Outcome)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(o.Results, func(r Result) bool { return r.USCC == uscc })
		if i >= 0 {
			out = append(out, YearResult{Run: summary(sr, o), Result: o.Results[i].Explained()})
		}
	}
	slices.SortFunc(out, func(a, b YearResult) int { return a.Run.Year - b.Run.Year })
	return out, nil
}
