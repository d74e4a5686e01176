package compliance

import (
	"context"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/monitoring"
)

// RollupReader is the monitoring data a case's comparison reads, as by
// may read it.
type RollupReader interface {
	Rollups(ctx context.Context, by auth.Principal, p monitoring.Period, r monitoring.Range) ([]monitoring.Rollup, error)
}

// BeforeAfter is one outlet's pollutant over the days before a case opened
// and the days after its rectification was complete.
type BeforeAfter struct {
	Outlet string `json:"outlet_code"`
	Code   string `json:"code"`
	// Means of the daily rollups' means; nil where there was no data.
	Before     *float64 `json:"before"`
	After      *float64 `json:"after"`
	BeforeDays int      `json:"before_days"` // days with data
	AfterDays  int      `json:"after_days"`
	// ChangePct is (after - before) / before in percent, nil without both.
	ChangePct *float64 `json:"change_pct"`
}

// BeforeAfter compares case id's enterprise's monitoring data, read from
// mon, outlet by outlet and pollutant by pollutant: the mean of the daily
// means over the days before the case opened, and over as many days from
// the day after its rectification was complete (none while it is not).
func (s *Service) BeforeAfter(ctx context.Context, by auth.Principal, mon RollupReader, id int64, days int) ([]BeforeAfter, error) {
	c, err := s.Case(ctx, by, id)
	if err != nil {
		return nil, err
	}
	opened, err := time.ParseInLocation(dateLayout, c.OpenedOn, cst.Zone)
	if err != nil {
		return nil, err
	}
	var after time.Time
	if c.RectifiedOn != "" {
		if after, err = time.ParseInLocation(dateLayout, c.RectifiedOn, cst.Zone); err != nil {
			return nil, err
		}
		after = after.AddDate(0, 0, 1)
	}
	outlets, err := s.store.Outlets(ctx, c.USCC)
	if err != nil {
		return nil, err
	}
	span := time.Duration(days) * 24 * time.Hour
	out := []BeforeAfter{}
	for _, o := range outlets {
		means := map[string]*BeforeAfter{}
		var codes []string
		for side, from := range []time.Time{opened.Add(-span), after} {
			if from.IsZero() {
				continue // not rectified yet: no "after"
			}
			rs, err := mon.Rollups(ctx, by, monitoring.Day, monitoring.Range{USCC: c.USCC, Outlet: o.OutletCode, From: from, To: from.Add(span)})
			if err != nil {
				return nil, err
			}
			sums := map[string]float64{}
			for _, x := range rs {
				ba := means[x.Code]
				if ba == nil {
					ba = &BeforeAfter{Outlet: o.OutletCode, Code: x.Code}
					means[x.Code] = ba
					codes = append(codes, x.Code)
				}
				sums[x.Code] += x.Avg()
				if side == 0 {
					ba.BeforeDays++
				} else {
					ba.AfterDays++
				}
			}
			for code, sum := range sums {
				ba := means[code]
				if side == 0 {
					m := sum / float64(ba.BeforeDays)
					ba.Before = &m
				} else {
					m := sum / float64(ba.AfterDays)
					ba.After = &m
				}
			}
		}
		for _, code := range codes {
			ba := means[code]
			if ba.Before != nil && ba.After != nil && *ba.Before != 0 {
				pct := (*ba.After - *ba.Before) / *ba.Before * 100
				ba.ChangePct = &pct
			}
			out = append(out, *ba)
		}
	}
	return out, nil
}
