package app

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"strconv"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/gep/synth"
)

// demoGEP accounts the demo's synthetic inputs for synth.AccountYears
// through the runs' service, as POST /api/v1/gep/runs would for the
// server itself, each year compared with the one before (decision 0033).
// A year whose run is already done (a second start on the same data) is
// not run again. It returns the runs by year.
func (a *App) demoGEP(ctx context.Context, log *slog.Logger) (map[int]gep.RunView, error) {
	svc := gep.NewService(a.DB, a.Config.Data, log)
	by := auth.Server("demo")
	runs, err := svc.Runs(ctx, by)
	if err != nil {
		return nil, err
	}
	done := map[int]gep.RunView{}
	for _, y := range synth.AccountYears {
		name := fmt.Sprintf("丽水市 %d 年 GEP 核算（合成演示数据）", y)
		for _, r := range runs {
			if r.Name == name && r.Status == gep.Done {
				if _, ok := done[y]; !ok {
					done[y] = r
				}
			}
		}
		if _, ok := done[y]; ok {
			continue
		}
		previous := ""
		if p, ok := done[y-1]; ok {
			previous = path.Join("gep", "runs", strconv.FormatInt(p.ID, 10), "account.json")
		}
		run, wait, err := svc.Start(ctx, by, synth.AccountConfig(y, "gep/", previous))
		if err != nil {
			return nil, fmt.Errorf("demo GEP account %d: %w", y, err)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if run, err = svc.Run(ctx, by, run.ID); err != nil {
			return nil, err
		}
		if run.Status != gep.Done {
			return nil, fmt.Errorf("demo GEP account %d: run %d %s: %s", y, run.ID, run.Status, run.Error)
		}
		done[y] = run
	}
	return done, nil
}
