package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ecoindustry/internal/config"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

func runImport(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "import", "KIND FILE", "data", "store", "pool-size")
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: want KIND FILE, got %d arguments", errUsage, len(pos))
	}
	k, err := kindArg(pos[0])
	if err != nil {
		return err
	}
	t, err := sheet.Read(pos[1])
	if err != nil {
		return err
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := registry.NewService(db).Import(ctx, k, t, "cli:"+config.User(e.getenv), *dryRun)
	if invalid, ok := errors.AsType[*registry.InvalidError](err); ok {
		for _, p := range invalid.Problems {
			fmt.Fprintln(e.stderr, p)
		}
		return fmt.Errorf("%d problems in %s; nothing was imported / 发现 %d 处问题，未导入任何数据", len(invalid.Problems), t.File, len(invalid.Problems))
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(e.stdout, "%s: %d rows %s: %d created, %d updated, %d unchanged\n", k.Name, res.Rows, verb, res.Created, res.Updated, res.Unchanged)
	return nil
}

func runExport(ctx context.Context, e *env, args []string) (err error) {
	fs, cfg := flags(e, "export", "KIND", "data", "store", "pool-size")
	format := fs.String("format", "", "csv or xlsx (default: from --out's extension, else csv)")
	out := fs.String("out", "", "file to write (default: standard output)")
	secrets := fs.Bool("include-secrets", false, "write data logger passwords instead of masking them")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want KIND", errUsage)
	}
	k, err := kindArg(pos[0])
	if err != nil {
		return err
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = "xlsx"
		}
	}
	if *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("%w: --format %q: use csv or xlsx", errUsage, *format)
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := registry.NewService(db).Rows(ctx, k, *secrets)
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	return sheet.Write(w, *format, k.Header(), rows)
}
