package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

func runImport(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "import", "KIND FILE", storeFlags...)
	dryRun := cm.fs.Bool("dry-run", false, "validate only; write nothing")
	if err := cm.parse(args); err != nil {
		return err
	}
	k, err := kindArg(cm.pos[0])
	if err != nil {
		return err
	}
	rows, err := sheet.Open(cm.pos[1])
	if err != nil {
		return err
	}
	defer rows.Close()
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Registry.ImportRows(ctx, k, rows, cliActor(e), *dryRun)
	if rows.Err() != nil {
		return rows.Err()
	}
	if invalid, ok := errors.AsType[*registry.InvalidError](err); ok {
		for _, p := range invalid.Problems {
			fmt.Fprintln(e.stderr, p)
		}
		en, zh := invalid.Summary()
		return fmt.Errorf("%s: %s / %s", rows.File, zh, en)
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
	cm := newCmd(e, "export", "KIND", storeFlags...)
	format := cm.fs.String("format", "", "csv or xlsx (default: from --out's extension, else csv)")
	out := cm.fs.String("out", "", "file to write (default: standard output)")
	secrets := cm.fs.Bool("include-secrets", false, "write data logger passwords instead of masking them")
	if err := cm.parse(args); err != nil {
		return err
	}
	k, err := kindArg(cm.pos[0])
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
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	rows, err := a.Registry.Rows(ctx, cliActor(e), k, *secrets)
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
