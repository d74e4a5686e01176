package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // on --pprof's own listener only
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/metrics"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/web"
)

// ServeProfiler serves the profiler on addr, if any, on a listener of its
// own (http.DefaultServeMux, where net/http/pprof registers), never the
// API's.
func ServeProfiler(addr string) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	go http.Serve(l, nil)
	return func() { l.Close() }, nil
}

// maxBatch bounds the frames the writer commits together. Under load the
// batches grow to it: the frames' key index takes each batch's inserts at
// one place per logger, and the more frames a commit holds, the fewer of
// that index's pages it writes per frame. End to end (10,000 loggers,
// window 4, asked 25,000/s, 60 s): 15,900 frames/s at 4,096, 21,300–23,100
// at 16,384, 21,800 at 32,768.
const maxBatch = 16384

// HTTP are the HTTP server's limits (decision 0014). A request must
// arrive whole within ReadTimeout, its headers within 10 s: a client that
// sends a body a byte at a time no longer holds a handler for ever. The
// defaults let a 64 MiB spreadsheet upload through a link of 1 Mbit/s
// (64 MiB at 125 kB/s is about 9 minutes).
type HTTP struct {
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// HTTPDefaults are the limits of `ecoind serve` unless flags say otherwise.
func HTTPDefaults() HTTP {
	return HTTP{ReadTimeout: 10 * time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}
}

// Serving is what Serve runs.
type Serving struct {
	HTTP   HTTP
	Ingest ingest.Config
	// Prepare, if set, runs once the listeners are open, with the HJ 212
	// address the loggers reach (the demo loads its data and starts its
	// simulated loggers there).
	Prepare func(ctx context.Context, log *slog.Logger, hj212Addr string) error
}

// Serve serves HTTP and HJ 212 until ctx ends, then shuts down
// gracefully: the listeners close, frames in flight are written and
// answered, then the writer stops.
func (a *App) Serve(ctx context.Context, log *slog.Logger, sv Serving) error {
	cfg, db := a.Config, a.DB
	if cfg.Store != "" {
		go postgres.KeepPartitions(ctx, db, log)
	}
	m := metrics.New()

	hl, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return err
	}
	il, err := net.Listen("tcp", cfg.HJ212)
	if err != nil {
		hl.Close()
		return err
	}
	writerCtx, stopWriter := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWriter()
	w := monitoring.NewWriter(db, maxBatch, log, m)
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); w.Run(writerCtx) }()
	// Rollups follow the writer every 30 s: the longer the step, the more
	// values each upserted sum takes in. On PostgreSQL, writers on other
	// servers may commit frame ids out of order: roll only what is 10 s old.
	lag := time.Duration(0)
	if cfg.Store != "" {
		lag = 10 * time.Second
	}
	go monitoring.Roller(writerCtx, db, 30*time.Second, lag, log)
	ingestDone := make(chan error, 1)
	go func() {
		srv := ingest.New(sv.Ingest, ingest.NewDirectory(db, time.Minute), w, log, m)
		srv.Watch(a.Compliance.RelapseWatcher(ctx, log))
		ingestDone <- srv.Serve(ctx, il)
	}()

	mux := http.NewServeMux()
	mon := monitoring.NewService(db)
	apiHandler := api.New(a.Registry, mon, a.Compliance, log).Handler()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	pages := web.New(a.Registry, mon, a.Compliance, nil, log).Handler()
	if isLoopback(hl.Addr()) {
		// Until accounts (issue 13) sign people in, the pages on loopback
		// act as "loopback", as the API takes anonymous callers there
		// (decisions 0014, 0020); accounts' middleware replaces this.
		pages = loopbackPrincipal(pages)
	}
	mux.Handle("/", pages)
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: sv.HTTP.ReadTimeout, WriteTimeout: sv.HTTP.WriteTimeout, IdleTimeout: sv.HTTP.IdleTimeout}
	log.Info("serving", "http", "http://"+hl.Addr().String(), "hj212", il.Addr().String(), "data", cfg.Data)
	if isLoopback(hl.Addr()) {
		log.Warn("the API listens on loopback only: it has no authentication yet; to open it to other machines, " +
			"give --http ADDR (e.g. --http :8080) behind a firewall or a reverse proxy (docs/operations.md)")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(hl) }()
	if sv.Prepare != nil {
		if err := sv.Prepare(ctx, log, il.Addr().String()); err != nil {
			return err
		}
	}
	select {
	case err := <-errc:
		return err
	case err := <-ingestDone:
		return fmt.Errorf("hj212 listener: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-ingestDone; err != nil {
		return err
	}
	stopWriter()
	<-writerDone
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loopbackPrincipal(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.FromContext(r.Context()); !ok {
			r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Kind: auth.API, Name: "loopback"}))
		}
		h.ServeHTTP(w, r)
	})
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
