package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/gep/synth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/simulate"
)

// LoadDemo loads the demo's registry of n synthetic enterprises, then
// replays the rectification campaigns on it and writes the GEP inputs
// into the data directory's gep/; all are deterministic from the seed.
func (a *App) LoadDemo(ctx context.Context, log *slog.Logger, seed int64, n int) error {
	start := time.Now()
	d := demo.Generate(seed, n)
	if err := demo.Load(ctx, a.Registry, d.Without("annual")); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	sum, err := demo.Campaigns(ctx, a.DB, attachments(a.DB, a.Config), seed)
	if err != nil {
		return fmt.Errorf("demo campaigns: %w", err)
	}
	// The annual figures after the campaigns, which decide who closed.
	annual, _ := d.Table("annual")
	if err := demo.Load(ctx, a.Registry, &demo.Dataset{Tables: []demo.Table{annual}}); err != nil {
		return fmt.Errorf("demo annual data: %w", err)
	}
	if err := demo.Economy(ctx, a.Registry, a.Economy, a.DB, seed); err != nil {
		return fmt.Errorf("demo economy: %w", err)
	}
	// The GEP pieces' inputs: synthetic rasters and tables of the nine
	// counties at 100 m (decision 0031), the same bytes for the same seed.
	gepDir := filepath.Join(a.Config.Data, "gep")
	if _, err := synth.Write(ctx, synth.Options{Dir: gepDir, Seed: uint64(seed)}); err != nil {
		return fmt.Errorf("demo GEP inputs: %w", err)
	}
	gepStart := time.Now()
	if _, err := a.demoGEP(ctx, log); err != nil {
		return err
	}
	gepTook := time.Since(gepStart)
	log.Info("demo data loaded (synthetic, not real enterprises)", "dir", a.Config.Data, "enterprises", n, "seed", seed,
		"campaigns", sum.String(), "gep_inputs", gepDir, "gep_accounts_took", gepTook.Round(time.Millisecond), "took", time.Since(start).Round(time.Millisecond))
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

// DemoAccounts adds the demo's accounts, one a role, with generated
// passwords, prints them to w and appends them to demo-accounts.txt
// (mode 0600) in the data directory. On a second run the accounts exist
// and keep their passwords.
func (a *App) DemoAccounts(ctx context.Context, w io.Writer) error {
	ent, err := a.demoEnterprise(ctx)
	if err != nil {
		return err
	}
	accounts := []auth.Account{
		{Name: "admin", Display: "系统管理员", Role: auth.Admin},
		{Name: "city-ecology", Display: "市生态环境局 张敏", Role: auth.City, Bureau: auth.Ecology},
		{Name: "city-economy", Display: "市经信局 李强", Role: auth.City, Bureau: auth.Economy},
		{Name: "city-statistics", Display: "市统计局 陈静", Role: auth.City, Bureau: auth.Statistics},
		{Name: "jinyun-ecology", Display: "缙云县生态环境分局 王芳", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331122"}},
		{Name: "park-lsetdz", Display: "丽水经济技术开发区管委会 刘洋", Role: auth.Park, Scope: auth.Scope{Park: "LS-ETDZ"}},
		{Name: "inspector-jinyun", Display: "缙云县执法大队 赵磊", Role: auth.Inspector, Scope: auth.Scope{County: "331122"}},
		{Name: "enterprise-demo", Display: "企业用户（演示）", Role: auth.Enterprise, Scope: auth.Scope{USCC: ent}},
	}
	if err := os.MkdirAll(a.Config.Data, 0o700); err != nil {
		return err
	}
	path := filepath.Join(a.Config.Data, "demo-accounts.txt")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	by := auth.Server("demo")
	for _, acc := range accounts {
		pw := auth.GeneratePassword()
		_, err := a.Accounts.AddAccount(ctx, acc, pw, by)
		switch {
		case apperr.CodeOf(err) == apperr.Conflict:
			fmt.Fprintf(w, "%-17s %-10s exists: its password is unchanged (see %s)\n", acc.Name, acc.Role, path)
			continue
		case err != nil:
			return fmt.Errorf("demo account %s: %w", acc.Name, err)
		}
		line := fmt.Sprintf("%-17s %-10s %s  %s\n", acc.Name, acc.Role, pw, acc.Display)
		if _, err := io.WriteString(f, line); err != nil {
			return err
		}
		io.WriteString(w, line)
	}
	fmt.Fprintf(w, "demo accounts (synthetic) are in %s\n", path)
	return f.Close()
}

// demoEnterprise is the first operating synthetic enterprise with outlets.
func (a *App) demoEnterprise(ctx context.Context) (string, error) {
	es, _, err := a.DB.Enterprises(ctx, registry.EnterpriseFilter{Status: "operating", Limit: 200})
	if err != nil {
		return "", err
	}
	for _, e := range es {
		os, err := a.DB.Outlets(ctx, e.USCC)
		if err != nil {
			return "", err
		}
		if len(os) > 0 && e.Synthetic {
			return e.USCC, nil
		}
	}
	return "", fmt.Errorf("demo accounts: no synthetic enterprise with outlets")
}

// DemoShow is the demo's show of every kind of alarm (decision 0027):
// loggers of operating enterprises taken from ls, each misbehaving from
// the start, that send four hours of backlog when they connect, so that
// a new user sees within minutes an exceedance, a flat line, a bad flag,
// a data gap that ends and a series copied from another outlet.
type DemoShow struct {
	Loggers []simulate.Logger // the show's, to run with Backlog
	Rest    []simulate.Logger // ls without them
	Backlog time.Duration
}

// Show picks the show's loggers from ls (DemoLoggers'): the silent one
// stops silentAt after the start for silentFor, which the demo's rules
// must take for a gap (Serving.GapAfter).
func (a *App) Show(ctx context.Context, ls []simulate.Logger, silentAt, silentFor time.Duration) (DemoShow, error) {
	ops, _, err := a.DB.Enterprises(ctx, registry.EnterpriseFilter{Status: "operating"})
	if err != nil {
		return DemoShow{}, err
	}
	operating := map[string]bool{}
	permitted := map[string]bool{} // MN and pollutant with a permit's limit in force today
	today := time.Now().In(cst.Zone).Format("2006-01-02")
	for _, e := range ops {
		os, err := a.DB.Outlets(ctx, e.USCC)
		if err != nil {
			return DemoShow{}, err
		}
		ps, err := a.DB.Permits(ctx, e.USCC)
		if err != nil {
			return DemoShow{}, err
		}
		for _, o := range os {
			operating[o.MN] = true
			for _, p := range ps {
				if p.OutletCode == o.OutletCode && p.LimitConcentration > 0 && p.ValidFrom <= today && today <= p.ValidTo {
					permitted[o.MN+"/"+p.PollutantCode] = true
				}
			}
		}
	}
	acts := []*simulate.Act{{Exceed: true}, {Stuck: true}, {Flag: "D"}, {Silent: [2]time.Duration{silentAt, silentFor}}, nil, nil}
	show := DemoShow{Backlog: 4 * time.Hour}
	taken := map[string]bool{}
	for _, l := range ls {
		n := len(show.Loggers)
		first := slices.IndexFunc(l.Pollutants, func(p simulate.Pollutant) bool { return p.Limit > 0 })
		if n == len(acts) || !operating[l.MN] || first < 0 {
			continue
		}
		if n == 0 && !permitted[l.MN+"/"+l.Pollutants[first].Code] {
			// The exceedance: over a limit in force, which the catalogue's
			// may make only stricter.
			continue
		}
		if n == len(acts)-1 && l.Kind != show.Loggers[n-1].Kind {
			// The copy is an outlet of the original's kind (a chimney's
			// values on a wastewater outlet would raise more than the copy).
			continue
		}
		if n == len(acts)-1 {
			// The copy: another outlet's logger sending the original's
			// values, its pollutants and industry.
			orig := show.Loggers[n-1]
			l.Industry, l.RefO2, l.Pollutants = orig.Industry, orig.RefO2, orig.Pollutants
			l.Act = &simulate.Act{Copy: orig.MN}
		} else {
			l.Act = acts[n]
		}
		show.Loggers = append(show.Loggers, l)
		taken[l.MN] = true
	}
	if len(show.Loggers) < len(acts) {
		return DemoShow{}, fmt.Errorf("demo: %d loggers of operating enterprises with limits, the show needs %d", len(show.Loggers), len(acts))
	}
	for _, l := range ls {
		if !taken[l.MN] {
			show.Rest = append(show.Rest, l)
		}
	}
	return show, nil
}
