package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"ecoindustry/internal/rules"
)

// `ecoind standards`: the emission standards' catalogue the rules judge
// by (decision 0023), over the same rules.Service as the API.
func runStandards(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "standards", []subcommand{
		{"list", "", "the catalogue in force: the imported one, or the one built in", runStandardsList},
		{"import", "FILE.csv", "replace the catalogue with FILE's, whole; a file with any problem is refused with each one's place", runStandardsImport},
	}, args)
}

func runStandardsImport(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "standards import", "FILE.csv", storeFlags...)
	if err := cm.parse(args); err != nil {
		return err
	}
	data, err := readFile(e, cm.pos[0])
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := rules.NewService(a.DB).ImportStandards(ctx, cliActor(e), filepath.Base(cm.pos[0]), data)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已导入 %d 条排放限值 / %d limits imported\n", n, n)
	return nil
}

func runStandardsList(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "standards list", "", storeFlags...)
	cm.jsonFlag()
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	cat, err := rules.NewService(a.DB).Standards(ctx, cliActor(e))
	if done, err := cm.done(cat, err); done {
		return err
	}
	if cat.BuiltIn {
		fmt.Fprintln(e.stdout, "内置标准目录 / the built-in catalogue")
	}
	var t table
	t.head([2]string{"标准", "standard"}, [2]string{"范围", "scope"}, [2]string{"类别", "kind"}, [2]string{"污染物", "pollutant"},
		[2]string{"限值", "limit"}, [2]string{"单位", "unit"}, [2]string{"依据", "basis"}, [2]string{"起始", "from"}, [2]string{"已核", "checked"})
	for _, s := range cat.Items {
		t.add(s.Standard, s.Scope, s.SourceKind, s.PollutantCode, strconv.FormatFloat(s.Limit, 'g', -1, 64), s.Unit, s.Basis, s.EffectiveFrom, strconv.FormatBool(s.Checked))
	}
	return t.write(e.stdout)
}
