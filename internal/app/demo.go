package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/simulate"
)

// LoadDemo loads the demo's registry of n synthetic enterprises, then
// replays the rectification campaigns on it; both are deterministic from
// the seed.
func (a *App) LoadDemo(ctx context.Context, log *slog.Logger, seed int64, n int) error {
	start := time.Now()
	if err := demo.Load(ctx, a.Registry, demo.Generate(seed, n)); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	sum, err := demo.Campaigns(ctx, a.DB, attachments(a.DB, a.Config), seed)
	if err != nil {
		return fmt.Errorf("demo campaigns: %w", err)
	}
	log.Info("demo data loaded (synthetic, not real enterprises)", "dir", a.Config.Data, "enterprises", n, "seed", seed,
		"campaigns", sum.String(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// DemoLoggers are the loggers the demo runs: a closed plant does not
// send readings, so the outlets of closed enterprises stay silent, all but
// one of a plant whose closure case is closed out: its logger speaks on
// purpose, and the evidence reopens the case.
func (a *App) DemoLoggers(ctx context.Context) ([]simulate.Logger, error) {
	db, comp := a.DB, a.Compliance
	ls, err := simulate.LoggersFrom(ctx, db)
	if err != nil {
		return nil, err
	}
	closed, _, err := db.Enterprises(ctx, registry.EnterpriseFilter{Status: "closed"})
	if err != nil {
		return nil, err
	}
	cases, _, err := comp.Cases(ctx, auth.Server("demo"), compliance.CaseFilter{Disposition: compliance.Close, State: compliance.ClosedOut})
	if err != nil {
		return nil, err
	}
	watched := map[string]bool{}
	for _, c := range cases {
		watched[c.USCC] = true
	}
	silent := map[string]string{} // MN → USCC
	for _, e := range closed {
		os, err := db.Outlets(ctx, e.USCC)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			silent[o.MN] = e.USCC
		}
	}
	// The relapser goes first: the demo runs the first --loggers of them.
	var relapser []simulate.Logger
	ls = slices.DeleteFunc(ls, func(l simulate.Logger) bool {
		uscc, ok := silent[l.MN]
		if ok && len(relapser) == 0 && watched[uscc] {
			relapser = append(relapser, l)
		}
		return ok
	})
	return append(relapser, ls...), nil
}
