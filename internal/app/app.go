// Package app wires EcoIndustry together: it parses the command line,
// opens the store and starts what a subcommand needs. It is the only
// package that knows every other.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/config"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
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
		{"migrate", "bring the store's schema up to date and print its version", runMigrate},
		{"backup", "backup --out FILE: copy the embedded store while it runs (PostgreSQL: use pg_dump)", runBackup},
		{"config", "print the effective configuration, secrets masked", runConfig},
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

// flags returns a FlagSet for command name with the named configuration
// settings, their defaults taken from the environment.
func flags(e *env, name, args string, settings ...string) (*flag.FlagSet, *config.Config) {
	cfg := config.Defaults()
	cfg.FromEnv(e.getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ecoind %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	cfg.Flags(fs, settings...)
	return fs, &cfg
}

// parse parses args, flags before, between or after the positional
// arguments (`ecoind export enterprises --out e.xlsx`), and returns the
// positional ones; flag errors become usage errors.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// parseNoArgs parses a command that takes flags only.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parse(fs, args)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	return err
}

// open opens the store the configuration names: PostgreSQL for a
// postgres:// URL, else SQLite in the data directory.
func open(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	switch {
	case cfg.Store == "":
		return sqlite.OpenDir(ctx, cfg.Data)
	case strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://"):
		n, err := cfg.Pool()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		return postgres.Open(ctx, cfg.Store, n)
	}
	return nil, fmt.Errorf("%w: store %q: give a postgres:// URL, or nothing for SQLite in the data directory", errUsage, config.MaskURL(cfg.Store))
}

// rectification returns the compliance service over db.
func rectification(db *store.DB, cfg *config.Config) *compliance.Service {
	return compliance.NewService(db, attachments(db, cfg))
}

// attachments are kept in the data directory on SQLite, in the database
// on PostgreSQL, where several servers share them.
func attachments(db *store.DB, cfg *config.Config) *store.Attachments {
	dir := ""
	if cfg.Store == "" {
		dir = filepath.Join(cfg.Data, "attachments")
	}
	return db.Attachments(dir)
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "migrate", "", "data", "store", "pool-size")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d\n", v)
	return nil
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "backup", "", "data", "store")
	out := fs.String("out", "", "the new file to write the copy to")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	}
	if cfg.Store != "" {
		return fmt.Errorf("%w: backup copies the embedded store; back PostgreSQL up with pg_dump or a base backup (docs/operations.md)", errUsage)
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sqlite.Backup(ctx, db, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", cfg.Data, *out)
	return nil
}

func runConfig(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "config", "", "data", "store", "pool-size", "http", "log-level", "log-format")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg.Print(e.stdout)
	return nil
}

// Version is set at build time with -ldflags "-X ecoindustry/internal/app.Version=…".
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
