package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"ecoindustry/internal/economy"
)

// The per-mu evaluation on the command line (decision 0024): `ecoind
// method check FILE` and `ecoind evaluate`. The annual data come in
// through `ecoind import annual FILE`.

var methodSubs = []subcommand{
	{"check", "FILE", "check an evaluation method (YAML): weights, bands, indicator ids", runMethodCheck},
	{"presets", "", "list the methods shipped with ecoind", func(_ context.Context, e *env, _ []string) error {
		for _, p := range economy.Presets() {
			m, _, err := economy.Preset(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\t%s\n", p, m.Title)
		}
		return nil
	}},
}

func runMethod(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "method", methodSubs, args)
}

func runMethodCheck(_ context.Context, e *env, args []string) error {
	cm := newCmd(e, "method check", "FILE")
	if err := cm.parse(args); err != nil {
		return err
	}
	m, _, err := readMethod(cm.pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: 评价办法 %s 无误 / method %s is valid (%d size groups, %d classes by %s)\n",
		cm.pos[0], m.Name, m.Name, len(m.Groups), len(m.Bands.Classes), m.Bands.By)
	return nil
}

// readMethod reads a method file, or a preset by name where no such file exists.
func readMethod(arg string) (*economy.Method, []byte, error) {
	data, err := os.ReadFile(arg)
	if errors.Is(err, os.ErrNotExist) {
		return economy.Preset(arg)
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := economy.ParseMethod(arg, data)
	return m, data, err
}

func runEvaluate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "evaluate", "", storeFlags...)
	county := cm.fs.String("county", "", "the county-level unit's code (GB/T 2260), e.g. 331102")
	year := cm.fs.Int("year", 0, "the year evaluated")
	method := cm.fs.String("method", "lishui-default", "a method file (YAML) or a preset: "+fmt.Sprint(economy.Presets()))
	out := cm.fs.String("out", "", "also write the results to this XLSX file, a sheet per class, then the policy lists")
	policy := cm.fs.String("policy", "zhejiang-2019", "the policy preset of the lists in --out: "+strings.Join(economy.PolicyPresets(), ", "))
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	if *county == "" || *year == 0 {
		return fmt.Errorf("%w: give --county and --year", errUsage)
	}
	m, text, err := readMethod(*method)
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	run, _, err := a.Economy.Evaluate(ctx, cliActor(e), *county, *year, m, string(text))
	if err != nil {
		return err
	}
	if *out != "" {
		p, err := economy.LoadPolicy(*policy, nil)
		if err != nil {
			return err
		}
		if err := writeFile(*out, func(w io.Writer) error { return a.Economy.WriteRunXLSX(ctx, cliActor(e), w, run.ID, p) }); err != nil {
			return err
		}
	}
	if ok, err := cm.done(run, nil); ok {
		return err
	}
	var t table
	t.head([2]string{"评价编号", "run"}, [2]string{"县（市、区）", "county"}, [2]string{"年度", "year"}, [2]string{"办法", "method"},
		[2]string{"参评", "evaluated"}, [2]string{"范围外", "out of scope"})
	t.add(strconv.FormatInt(run.ID, 10), run.County, strconv.Itoa(run.Year), run.Method, strconv.Itoa(run.Evaluated), strconv.Itoa(run.OutOfScope))
	if err := t.write(e.stdout); err != nil {
		return err
	}
	var c table
	c.head([2]string{"等级", "class"}, [2]string{"企业数", "enterprises"})
	for _, b := range m.Bands.Classes {
		c.add(b.Class+" "+b.Name, strconv.Itoa(run.Classes[b.Class]))
	}
	fmt.Fprintln(e.stdout)
	return c.write(e.stdout)
}
