// Package app wires EcoIndustry together: it opens the store the
// configuration names, builds the domain services over it and starts the
// servers. It is the only package that knows the concrete stores; the
// command line (internal/cli) asks it for what a subcommand needs.
package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/config"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/sqlite"
)

// App is EcoIndustry over one opened store: the services that the command
// line, the API and the servers share.
type App struct {
	Config     *config.Config
	DB         *store.DB
	Registry   *registry.Service
	Compliance *compliance.Service
	Economy    *economy.Service
	Accounts   *auth.Service
	Purchases  *gep.PurchaseService
}

// ErrStoreURL is a store setting that names no store this binary opens.
var ErrStoreURL = errors.New("store")

// Open opens the store the configuration names (PostgreSQL for a
// postgres:// URL, else SQLite in the data directory) and the services
// over it. The caller closes it.
func Open(ctx context.Context, cfg *config.Config) (*App, error) {
	var db *store.DB
	var err error
	switch {
	case cfg.Store == "":
		db, err = sqlite.OpenDir(ctx, cfg.Data)
	case strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://"):
		n, perr := cfg.Pool()
		if perr != nil {
			return nil, fmt.Errorf("%w: %v", ErrStoreURL, perr)
		}
		db, err = postgres.Open(ctx, cfg.Store, n)
	default:
		return nil, fmt.Errorf("%w %q: give a postgres:// URL, or nothing for SQLite in the data directory", ErrStoreURL, config.MaskURL(cfg.Store))
	}
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg, DB: db, Registry: registry.NewService(db), Compliance: compliance.NewService(db, attachments(db, cfg)),
		Economy: economy.NewService(db), Accounts: auth.NewService(db), Purchases: gep.NewPurchaseService(db)}, nil
}

// Close closes the store.
func (a *App) Close() error { return a.DB.Close() }

// attachments are kept in the data directory on SQLite, in the database
// on PostgreSQL, where several servers share them.
func attachments(db *store.DB, cfg *config.Config) *store.Attachments {
	dir := ""
	if cfg.Store == "" {
		dir = filepath.Join(cfg.Data, "attachments")
	}
	return db.Attachments(dir)
}
