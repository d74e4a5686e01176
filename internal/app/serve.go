package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // on --pprof's own listener only
	"slices"
	"sync/atomic"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/config"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/metrics"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/simulate"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "serve", "", "data", "store", "pool-size", "http", "hj212", "log-level", "log-format")
	icfg := ingestFlags(fs)
	profile := profilerFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	stop, err := serveProfiler(*profile)
	if err != nil {
		return err
	}
	defer stop()
	return serve(ctx, e, cfg, *icfg, nil)
}

func profilerFlag(fs *flag.FlagSet) *string {
	return fs.String("pprof", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty")
}

// serveProfiler serves the profiler on addr, if any, on a listener of its
// own (http.DefaultServeMux, where net/http/pprof registers), never the
// API's.
func serveProfiler(addr string) (stop func(), err error) {
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

func runDemo(ctx context.Context, e *env, args []string) error {
	fs, cfg := flags(e, "demo", "", "data", "store", "pool-size", "http", "hj212", "log-level", "log-format")
	// The demo is for one person on one machine: its own directory, and
	// loopback only unless asked.
	fs.Lookup("data").DefValue, cfg.Data = "./demo-data", "./demo-data"
	fs.Lookup("http").DefValue, cfg.HTTP = "127.0.0.1:8080", "127.0.0.1:8080"
	fs.Lookup("hj212").DefValue, cfg.HJ212 = "127.0.0.1:9212", "127.0.0.1:9212"
	cfg.FromEnv(e.getenv)
	loggers := fs.Int("loggers", 200, "simulated data loggers sending to the demo (0: none)")
	interval := fs.Duration("interval", 30*time.Second, "real-time data interval of each simulated logger")
	prepareOnly := fs.Bool("prepare-only", false, "build the data directory and exit without serving (for benchmarks)")
	seed := fs.Int64("seed", 1, "seed of the generated dataset")
	n := fs.Int("enterprises", 3000, "number of synthetic enterprises")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	// The registry, then the rectification campaigns replayed on it
	// (both synthetic, and deterministic from the seed).
	load := func(ctx context.Context, log *slog.Logger, db *store.DB) error {
		start := time.Now()
		if err := demo.Load(ctx, registry.NewService(db), demo.Generate(*seed, *n)); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		sum, err := demo.Campaigns(ctx, db, attachments(db, cfg), *seed)
		if err != nil {
			return fmt.Errorf("demo campaigns: %w", err)
		}
		log.Info("demo data loaded (synthetic, not real enterprises)", "dir", cfg.Data, "enterprises", *n, "seed", *seed,
			"campaigns", sum.String(), "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	if *prepareOnly {
		log, err := cfg.Logger(e.stderr)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		db, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		return load(ctx, log, db)
	}
	return serve(ctx, e, cfg, ingest.Defaults(), func(ctx context.Context, log *slog.Logger, db *store.DB, hj212Addr string) error {
		if err := load(ctx, log, db); err != nil {
			return err
		}
		if *loggers == 0 {
			return nil
		}
		ls, err := demoLoggers(ctx, db, rectification(db, cfg))
		if err != nil {
			return err
		}
		go func() {
			// The demo is alive: simulated loggers send to its own server.
			cfg := simulate.Config{Target: hj212Addr, Loggers: min(*loggers, len(ls)), Interval: *interval, Seed: *seed,
				Faults: []string{"exceed", "flatline", "gap", "calibration", "resend", "malformed"}}
			if _, err := simulate.Run(ctx, cfg, ls, log.With("component", "simulate")); err != nil && ctx.Err() == nil {
				log.Error("simulated loggers stopped", "err", err)
			}
		}()
		return nil
	})
}

// relapses is the ingestion's watcher: a closed enterprise's logger
// speaking again is evidence that it produces, which reopens the case that
// closed it. The evidence is queued and recorded by one goroutine: a
// frame is never answered later because a case is being written, and a
// burst of closed plants' loggers costs the frames' writer one case write
// at a time, not hundreds queued for the database. What does not fit the
// queue is dropped and logged; the loggers' next frames bring it again.
func relapses(ctx context.Context, comp *compliance.Service, log *slog.Logger) ingest.Watcher {
	type evidence struct {
		uscc string
		ev   compliance.Evidence
	}
	queue := make(chan evidence, 10_000)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-queue:
				if _, err := comp.RecordRelapse(ctx, e.uscc, e.ev); err != nil && ctx.Err() == nil {
					log.Error("compliance: relapse evidence", "uscc", e.uscc, "mn", e.ev.MN, "err", err)
				}
			}
		}
	}()
	var dropped atomic.Int64
	return func(_ context.Context, uscc, mn, kind string, at time.Time) {
		if !comp.MayRelapse(uscc) {
			return
		}
		select {
		case queue <- evidence{uscc, compliance.Evidence{Kind: kind, MN: mn, At: at}}:
		default:
			if dropped.Add(1)%1000 == 1 {
				log.Warn("compliance: relapse evidence queue full, evidence dropped", "dropped", dropped.Load())
			}
		}
	}
}

// demoLoggers are the loggers the demo runs: a closed plant does not
// send readings, so the outlets of closed enterprises stay silent, all but
// one of a plant whose closure case is closed out: its logger speaks on
// purpose, and the evidence reopens the case.
func demoLoggers(ctx context.Context, db *store.DB, comp *compliance.Service) ([]simulate.Logger, error) {
	ls, err := simulate.LoggersFrom(ctx, db)
	if err != nil {
		return nil, err
	}
	closed, _, err := db.Enterprises(ctx, registry.EnterpriseFilter{Status: "closed"})
	if err != nil {
		return nil, err
	}
	cases, _, err := comp.Cases(ctx, compliance.CaseFilter{Disposition: compliance.Close, State: compliance.ClosedOut})
	if err != nil {
		return nil, err
	}
	watched := map[string]bool{}
	for _, c := range cases {
		watched[c.USCC] = true
	}
	silent := map[string]string{} // MN → USCC
	for _, e := range closed {
		os, err := db.Outlets(ctx, e.USCC)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			silent[o.MN] = e.USCC
		}
	}
	// The relapser goes first: the demo runs the first --loggers of them.
	var relapser []simulate.Logger
	ls = slices.DeleteFunc(ls, func(l simulate.Logger) bool {
		uscc, ok := silent[l.MN]
		if ok && len(relapser) == 0 && watched[uscc] {
			relapser = append(relapser, l)
		}
		return ok
	})
	return append(relapser, ls...), nil
}

// maxBatch bounds the frames the writer commits together. Under load the
// batches grow to it: the frames' key index takes each batch's inserts at
// one place per logger, and the more frames a commit holds, the fewer of
// that index's pages it writes per frame. End to end (10,000 loggers,
// window 4, asked 25,000/s, 60 s): 15,900 frames/s at 4,096, 21,300–23,100
// at 16,384, 21,800 at 32,768.
const maxBatch = 16384

// serve opens the store, runs prepare if given, and serves HTTP and HJ 212
// until ctx ends, then shuts down gracefully: the listeners close, frames
// in flight are written and answered, then the writer stops.
func serve(ctx context.Context, e *env, cfg *config.Config, icfg ingest.Config,
	prepare func(context.Context, *slog.Logger, *store.DB, string) error) error {
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
	comp := rectification(db, cfg)
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
		srv := ingest.New(icfg, ingest.NewDirectory(db, time.Minute), w, log, m)
		srv.Watch(relapses(ctx, comp, log))
		ingestDone <- srv.Serve(ctx, il)
	}()

	mux := http.NewServeMux()
	mux.Handle("/", api.New(reg, monitoring.NewService(db), comp, log).Handler())
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("serving", "http", "http://"+hl.Addr().String(), "hj212", il.Addr().String(), "data", cfg.Data)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(hl) }()
	if prepare != nil {
		if err := prepare(ctx, log, db, il.Addr().String()); err != nil {
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

// ingestFlags registers the HJ 212 server's options of serve.
func ingestFlags(fs *flag.FlagSet) *ingest.Config {
	cfg := ingest.Defaults()
	fs.BoolVar(&cfg.Decode.Strict, "strict", false, "accept only frames that follow HJ 212 to the letter")
	fs.BoolVar(&cfg.Decode.ModbusCRC, "modbus-crc", false, "also accept frames with a Modbus CRC16 (loggers configured for it)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "data-logger connections at most")
	fs.IntVar(&cfg.MaxConnsPer, "max-conns-per-address", cfg.MaxConnsPer, "data-logger connections at most from one address (loggers behind one NAT share one)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close a logger connection silent, or in the middle of a frame, for this long")
	return &cfg
}
