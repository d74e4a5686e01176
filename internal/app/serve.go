package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/config"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/postgres"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "serve", "", "data", "store", "pool-size", "http", "log-level", "log-format")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return serve(ctx, e, cfg, nil)
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "demo", "", "data", "store", "pool-size", "http", "log-level", "log-format")
	// The demo is for one person on one machine: its own directory, and
	// loopback only unless asked.
	fs.Lookup("data").DefValue, cfg.Data = "./demo-data", "./demo-data"
	fs.Lookup("http").DefValue, cfg.HTTP = "127.0.0.1:8080", "127.0.0.1:8080"
	cfg.FromEnv(e.getenv)
	seed := fs.Int64("seed", 1, "seed of the generated dataset")
	n := fs.Int("enterprises", 3000, "number of synthetic enterprises")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return serve(ctx, e, cfg, func(ctx context.Context, log *slog.Logger, reg *registry.Service) error {
		start := time.Now()
		if err := demo.Load(ctx, reg, demo.Generate(*seed, *n)); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Info("demo data loaded (synthetic, not real enterprises)", "dir", cfg.Data, "enterprises", *n, "seed", *seed, "took", time.Since(start).Round(time.Millisecond))
		return nil
	})
}

// serve opens the store, runs prepare if given, and serves HTTP until ctx
// ends, then shuts down gracefully.
func serve(ctx context.Context, e *env, cfg *config.Config, prepare func(context.Context, *slog.Logger, *registry.Service) error) error {
	log, err := cfg.Logger(e.stderr)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Store != "" {
		go postgres.KeepPartitions(ctx, db, log)
	}
	reg := registry.NewService(db)
	if prepare != nil {
		if err := prepare(ctx, log, reg); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.New(reg, log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("serving", "http", "http://"+ln.Addr().String(), "data", cfg.Data)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
