package simulate

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
)

// LoggersFrom returns a logger for every outlet of the registry with an MN,
// sorted by MN. The enterprise's industry sets its production hours and the
// outlet's permit its pollutants and limits (the strictest, when several
// rows name one); flows, O2 and pH are added as loggers measure them.
// Levels are drawn from the MN, so a registry always gives the same loggers.
func LoggersFrom(ctx context.Context, r registry.Reader) ([]Logger, error) {
	outlets, err := r.Outlets(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("simulate: loggers: %w", err)
	}
	ents, _, err := r.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		return nil, fmt.Errorf("simulate: loggers: %w", err)
	}
	permits, err := r.Permits(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("simulate: loggers: %w", err)
	}
	industry := make(map[string]string, len(ents))
	for _, e := range ents {
		industry[e.USCC] = e.IndustryCode
	}
	type outlet struct{ uscc, code string }
	limits := map[outlet]map[string]float64{}
	for _, p := range permits {
		if p.LimitConcentration <= 0 {
			continue
		}
		k := outlet{p.USCC, p.OutletCode}
		if limits[k] == nil {
			limits[k] = map[string]float64{}
		}
		v := limitIn(p)
		if old, ok := limits[k][p.PollutantCode]; !ok || v < old {
			limits[k][p.PollutantCode] = v
		}
	}
	var ls []Logger
	for _, o := range outlets {
		if o.MN == "" {
			continue
		}
		h := hashString(o.MN)
		draw := func(n uint64) float64 { return float64(mix(h+n)>>11) / (1 << 53) }
		l := Logger{MN: o.MN, PW: o.PW, Kind: o.Kind, Industry: industry[o.USCC]}
		lim := limits[outlet{o.USCC, o.OutletCode}]
		if o.Kind == "air" {
			l.Pollutants = append(l.Pollutants, Pollutant{Code: "a00000", Typical: 3 + 20*draw(0)}) // m³/s
			if _, so2 := lim["a21026"]; so2 || lim["a21002"] > 0 {
				// A combustion source: its limits apply at the reference O2 of
				// GB 13271-2014, 3.5 % for gas and oil boilers (whose PM limit
				// is 20 or 30) and 9 % for coal and biomass (PROTOCOL.md §4.1).
				// Taking industrial furnaces as coal is a simplification.
				l.RefO2 = 9
				if pm, ok := lim["a34013"]; ok && pm <= 20 {
					l.RefO2 = 3.5
				}
				l.Pollutants = append(l.Pollutants, Pollutant{Code: "a19001", Typical: l.RefO2 + 1.5}) // %
			}
		} else {
			l.Pollutants = append(l.Pollutants,
				Pollutant{Code: "w00000", Typical: 1 + 14*draw(0)}, // L/s
				Pollutant{Code: "w01001", Typical: 6.8 + 0.8*draw(1)})
		}
		codes := make([]string, 0, len(lim))
		for c := range lim {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for j, c := range codes {
			// Typical levels between a quarter and 60 % of the limit.
			l.Pollutants = append(l.Pollutants, Pollutant{Code: c, Typical: lim[c] * (0.25 + 0.35*draw(uint64(2+j))), Limit: lim[c]})
		}
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b Logger) int { return cmp.Compare(a.MN, b.MN) })
	return ls, nil
}

// limitIn returns a permit's limit in its pollutant's HJ 212 unit, where
// only the prefix differs: heavy metals in water are coded in µg/L, and
// their limits are written in mg/L (PROTOCOL.md §0.4).
func limitIn(p registry.PermitLimit) float64 {
	info, _ := hj212.LookupPollutant(p.PollutantCode)
	switch {
	case info.Unit == "µg/L" && p.LimitUnit == "mg/L":
		return p.LimitConcentration * 1000
	case info.Unit == "mg/L" && p.LimitUnit == "µg/L":
		return p.LimitConcentration / 1000
	}
	return p.LimitConcentration
}
