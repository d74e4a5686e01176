package cli

import (
	"context"
	"fmt"
	"time"

	"ecoindustry/internal/gep/synth"
)

// gepDemoData is `ecoind gep demo-data`: synthetic inputs for Lishui's
// GEP account (internal/gep/synth, decision 0031).
func gepDemoData(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "gep demo-data", "")
	var opt synth.Options
	cm.fs.StringVar(&opt.Dir, "out", "", "directory to write the rasters, tables and README into")
	cm.fs.Float64Var(&opt.Res, "res", 100, "pixel size in metres: 100 or 30")
	cm.fs.Uint64Var(&opt.Seed, "seed", 1, "seed of the synthetic terrain and land cover")
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := required(cm.fs, "out"); err != nil {
		return err
	}
	if opt.Res != 100 && opt.Res != 30 {
		return fmt.Errorf("%w: --res %g: want 100 or 30", errUsage, opt.Res)
	}
	start := time.Now()
	sum, err := synth.Write(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "合成数据 / synthetic GEP inputs: %s, %d×%d pixels of %g m (EPSG:%d), %d files, %s\n",
		sum.Dir, sum.Width, sum.Height, opt.Res, synth.EPSG, len(sum.Files), time.Since(start).Round(time.Millisecond))
	for _, c := range synth.Classes {
		fmt.Fprintf(e.stdout, "  %d %-6s %-18s %5.1f %%\n", c.Code, c.Name, c.NameEn, 100*sum.Shares[c.Code])
	}
	return nil
}
