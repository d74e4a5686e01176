// Package cli is ecoind's command line: one flag set per subcommand, the
// configuration they share, and tables for officials (Chinese with the
// English beside) or the API's JSON. What a command runs on, the store and
// the services, it gets from internal/app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"

	"ecoindustry/internal/app"
	"ecoindustry/internal/apperr"
	"ecoindustry/internal/config"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
)

// env is what a command sees of the process.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name, usage string
	run         func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "serve the API (and dashboard) over a data directory", runServe},
		{"demo", "build a Lishui demo data directory (synthetic data) and serve it", runDemo},
		{"import", "import KIND FILE: load a CSV or XLSX file into the registry, all or nothing", runImport},
		{"export", "export KIND: write the registry's records of a kind as CSV or XLSX", runExport},
		{"hj212", "hj212 decode|encode: HJ 212 frames to JSON lines and back", runHJ212},
		{"simulate", "simulated HJ 212 data loggers of the registry's outlets send to a server", runSimulate},
		{"screen", "screen [runs|show ID|diff A B]: screen the registry for 四无 or 散乱污 enterprises, keep and compare runs", runScreen},
		{"campaign", "campaign list|show|create|update|survey|stats|report: rectification campaigns", runCampaign},
		{"case", "case list|show|events|attach|STEP: rectification cases and their steps, dismiss to visit", runCase},
		{"standards", "standards list|import FILE.csv: the emission standards' catalogue the alarms judge by", runStandards},
		{"method", "method check FILE|presets: per-mu evaluation methods (YAML): check one, list the shipped ones", runMethod},
		{"evaluate", "evaluate --county CODE --year Y --method FILE|PRESET [--out result.xlsx]: per-mu evaluation (亩均论英雄), kept as a run", runEvaluate},
		{"evaluation", "evaluation notice|accept|reject|rerun|approve|publish|history: an evaluation run's public notice and objections", runEvaluation},
		{"user", "user add|list|disable|enable|unlock|passwd: accounts of people who sign in", runUser},
		{"token", "token create|list|revoke: API tokens for scripts and other systems", runToken},
		{"migrate", "bring the store's schema up to date and print its version", runMigrate},
		{"backup", "backup --out FILE: copy the embedded store while it runs (PostgreSQL: use pg_dump)", runBackup},
		{"config", "print the effective configuration, secrets masked", runConfig},
		{"gep", "gep carbon|water-yield|run: InVEST 3.14.1 carbon and annual water yield over GeoTIFF rasters; the GEP account (run --config)", runGEP},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

// Run runs ecoind with args (without the program name) and returns the
// process's exit status.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		return 2
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "ecoind %s: %v\n", c.name, err)
			return 2
		}
		if e := apperr.As(err); e != nil && e.Zh != "" {
			// What an official reads first, then the English.
			fmt.Fprintf(stderr, "ecoind %s: %s / %v\n", c.name, e.Zh, err)
			return 1
		}
		fmt.Fprintf(stderr, "ecoind %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "ecoind: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ecoind: EcoIndustry, the registry and monitoring of an ecological industry city")
	fmt.Fprintln(w, "\nUsage: ecoind COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun 'ecoind COMMAND -h' for a command's flags.")
}

// storeFlags are the settings of every command that opens the store.
var storeFlags = []string{"data", "store", "pool-size"}

// cmd is the setup that every subcommand shares: its flags and
// configuration, then its positional arguments once parsed, then the
// application once opened, and how it prints (--json or a table).
type cmd struct {
	*env
	fs   *flag.FlagSet
	cfg  *config.Config
	want []string // the positional arguments the usage names: FILE, or [FILE] when optional
	pos  []string
	json *bool
}

// newCmd returns the setup of command name, whose positional arguments
// are args ("ID FILE.json", "[FILE]"), with the named configuration
// settings as flags, their defaults taken from the environment.
func newCmd(e *env, name, args string, settings ...string) *cmd {
	cfg := config.Defaults()
	cfg.FromEnv(e.getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ecoind %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	cfg.Flags(fs, settings...)
	return &cmd{env: e, fs: fs, cfg: &cfg, want: strings.Fields(args)}
}

// jsonFlag adds every listing's --json.
func (c *cmd) jsonFlag() {
	c.json = c.fs.Bool("json", false, "print JSON, as the API returns it, instead of a table")
}

// parse parses args, flags before, between or after the positional
// arguments (`ecoind export enterprises --out e.xlsx`), and checks their
// number against the usage; flag errors become usage errors.
func (c *cmd) parse(args []string) error {
	c.pos = nil
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if c.fs.NArg() == 0 {
			break
		}
		c.pos, args = append(c.pos, c.fs.Arg(0)), c.fs.Args()[1:]
	}
	required := 0
	for _, w := range c.want {
		if !strings.HasPrefix(w, "[") {
			required++
		}
	}
	switch {
	case len(c.want) == 0 && len(c.pos) > 0:
		return fmt.Errorf("%w: unexpected argument %q", errUsage, c.pos[0])
	case len(c.pos) > len(c.want):
		return fmt.Errorf("%w: want at most %d arguments (%s), got %d", errUsage, len(c.want), strings.Join(c.want, " "), len(c.pos))
	case len(c.pos) < required:
		return fmt.Errorf("%w: want %s, got %d arguments", errUsage, strings.Join(c.want, " "), len(c.pos))
	}
	return nil
}

// id parses positional argument i as the id of a run, campaign or case.
func (c *cmd) id(i int, what string) (int64, error) {
	id, err := strconv.ParseInt(c.pos[i], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %s %q is not an id (a positive number)", errUsage, what, c.pos[i])
	}
	return id, nil
}

// open opens the store and the services over it; the caller closes it.
func (c *cmd) open(ctx context.Context) (*app.App, error) {
	a, err := app.Open(ctx, c.cfg)
	if errors.Is(err, app.ErrStoreURL) {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return a, err
}

// parseOpen parses args and opens the store and the services; the caller
// closes them.
func (c *cmd) parseOpen(ctx context.Context, args []string) (*app.App, error) {
	if err := c.parse(args); err != nil {
		return nil, err
	}
	return c.open(ctx)
}

// openID parses `ID`, the id of a what, runs check if given, and opens the
// store and the services; the caller closes them.
func (c *cmd) openID(ctx context.Context, args []string, what string, check func() error) (int64, *app.App, error) {
	if err := c.parse(args); err != nil {
		return 0, nil, err
	}
	id, err := c.id(0, what)
	if err != nil {
		return 0, nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return 0, nil, err
		}
	}
	a, err := c.open(ctx)
	return id, a, err
}

// logger is the logger the configuration asks for, on standard error.
func (c *cmd) logger() (*slog.Logger, error) {
	log, err := c.cfg.Logger(c.stderr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return log, nil
}

// done ends a command that failed or was asked for JSON: it reports err,
// or prints v as JSON. It is not done when the caller is to print a table.
func (c *cmd) done(v any, err error) (bool, error) {
	if err != nil || c.json == nil || !*c.json {
		return err != nil, err
	}
	return true, printJSON(c.stdout, v)
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "migrate", "", storeFlags...)
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d\n", v)
	return nil
}

func runBackup(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "backup", "", "data", "store")
	out := cm.fs.String("out", "", "the new file to write the copy to")
	if err := cm.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	}
	if cm.cfg.Store != "" {
		return fmt.Errorf("%w: backup copies the embedded store; back PostgreSQL up with pg_dump or a base backup (docs/operations.md)", errUsage)
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := sqlite.Backup(ctx, a.DB, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", cm.cfg.Data, *out)
	return nil
}

func runConfig(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "config", "", serveSettings...)
	if err := cm.parse(args); err != nil {
		return err
	}
	cm.cfg.Print(e.stdout)
	return nil
}

// Version is set at build time with -ldflags "-X ecoindustry/internal/cli.Version=…".
var Version = ""

func runVersion(ctx context.Context, e *env, args []string) error {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(e.stdout, "ecoind %s\n", v)
	return nil
}

// kindArg returns the registry kind named by a command's argument.
func kindArg(name string) (*registry.Kind, error) {
	if k, ok := registry.KindByName(name); ok {
		return k, nil
	}
	names := make([]string, len(registry.Kinds))
	for i, k := range registry.Kinds {
		names[i] = k.Name
	}
	return nil, fmt.Errorf("%w: unknown kind %q (one of %s)", errUsage, name, strings.Join(names, ", "))
}
