package demo

import (
	"context"
	"fmt"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
)

// Economy adds what the economy bureau keeps besides the annual figures
// (loaded with the registry): an evaluation of each county's LastYear by
// the lishui-default method, where the county has none of that year.
func Economy(ctx context.Context, svc *economy.Service) error {
	by := auth.Server("demo")
	runs, err := svc.LatestRuns(ctx, by, LastYear)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, r := range runs {
		done[r.County] = true
	}
	m, text, err := economy.Preset("lishui-default")
	if err != nil {
		return err
	}
	for _, u := range registry.LishuiUnits {
		if u.Level != "county" || done[u.Code] {
			continue
		}
		if _, _, err := svc.Evaluate(ctx, by, u.Code, LastYear, m, string(text)); err != nil {
			return fmt.Errorf("demo: evaluate %s %d: %w", u.Name, LastYear, err)
		}
	}
	return nil
}
