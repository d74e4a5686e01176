package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // on --pprof's own listener only
	"os"
	"sync"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/metrics"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/rules"
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
	// TLSCert and TLSKey, both set, serve HTTPS (session cookies Secure).
	TLSCert, TLSKey string
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto: only
	// behind a reverse proxy that sets them.
	TrustProxy bool
}

// HTTPDefaults are the limits of `ecoind serve` unless flags say otherwise.
func HTTPDefaults() HTTP {
	return HTTP{ReadTimeout: 10 * time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}
}

// Serving is what Serve runs.
type Serving struct {
	HTTP   HTTP
	Ingest ingest.Config
	// Prepare, if set, runs once the listeners are open, with the
	// addresses they listen on (the demo loads its data and starts its
	// simulated loggers on the HJ 212 one).
	Prepare func(ctx context.Context, log *slog.Logger, httpAddr, hj212Addr string) error
	// RollEvery, RulesEvery and GapAfter, where set, replace the
	// settings' roll-every, rules-every and gap-after (the demo's gaps;
	// tests that compress time).
	RollEvery, RulesEvery, GapAfter time.Duration
}

// Serve serves HTTP and HJ 212 until ctx ends, then shuts down
// gracefully: the listeners close, frames in flight are written and
// answered, then the writer stops.
func (a *App) Serve(ctx context.Context, log *slog.Logger, sv Serving) error {
	cfg, db := a.Config, a.DB
	snc := cfg.SNC
	if snc == "" {
		snc = rules.DefaultSNC.String()
	}
	if _, err := rules.ParseSNC(snc); err != nil {
		return err
	}
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
	// Rollups follow the writer every 30 s (--roll-every): the longer the
	// step, the more values each upserted sum takes in. On PostgreSQL,
	// writers on other servers may commit frame ids out of order: roll
	// only what is 10 s old.
	judging, err := cfg.Judging()
	if err != nil {
		hl.Close()
		il.Close()
		return err
	}
	lag := time.Duration(0)
	if cfg.Store != "" {
		lag = 10 * time.Second
	}
	// The rollups and rules stop with the writer, and Serve returns after
	// them: the store closes after it. The settings (decision 0025) give
	// the steps and thresholds; Serving's, where set, replace them.
	var followers sync.WaitGroup
	defer func() { stopWriter(); followers.Wait() }()
	rollEvery, rulesEvery := cmp.Or(sv.RollEvery, judging.RollEvery), cmp.Or(sv.RulesEvery, judging.RulesEvery)
	followers.Go(func() { monitoring.Roller(writerCtx, db, rollEvery, lag, log) })
	// The rules follow the rollups as they change (decision 0023), and
	// check for silent loggers.
	runner := rules.NewRunner(db, log)
	runner.FlatHours, runner.DuplicateHours, runner.GapAfter = judging.FlatHours, judging.DuplicateHours, cmp.Or(sv.GapAfter, judging.GapAfter)
	followers.Go(func() { runner.Run(writerCtx, rulesEvery) })
	ingestDone := make(chan error, 1)
	go func() {
		srv := ingest.New(sv.Ingest, ingest.NewDirectory(db, time.Minute), w, log, m)
		srv.Watch(a.Compliance.RelapseWatcher(ctx, log))
		ingestDone <- srv.Serve(ctx, il)
	}()

	mon := monitoring.NewService(db, db)
	rul := rules.NewService(db)
	if err := rul.SetSNC(snc); err != nil {
		return err
	}
	// The watch-lists' daily digest, once a day across processes (decision 0027).
	if err := notify.CheckAt(cfg.DigestAt); err != nil {
		return err
	}
	dg := notify.NewDigester(db, rul, db, a.Accounts, log)
	host, _ := os.Hostname()
	dg.Name, dg.At = fmt.Sprintf("%s/%d", host, os.Getpid()), cfg.DigestAt
	dg.Mail = notify.Mail{Addr: cfg.SMTP, User: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	dg.Webhook = notify.Webhook{URL: cfg.Webhook, Secret: cfg.WebhookSecret}
	followers.Go(func() { dg.Run(writerCtx) })
	watch := notify.NewService(db, db)
	gepRuns := gep.NewService(db, a.Config.Data, log)
	as := api.New(a.Registry, mon, a.Compliance, a.Economy, a.Accounts, rul, a.Purchases, log, api.WithWatchLists(watch)).WithGEP(gepRuns)
	as.TrustProxy = sv.HTTP.TrustProxy
	apiHandler := as.Handler()
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	// The pages sign people in through the API's accounts and behind its
	// authentication: a browser that has not signed in is sent to /login.
	mux.Handle("/", as.Authenticate(web.New(a.Registry, mon, a.Compliance, a.Economy, rul, as, a.Accounts, log, web.WithWatchLists(watch), web.WithGEP(gepRuns, a.Purchases, a.Config.Data)).Handler()))
	mux.Handle("GET /metrics", as.Authenticate(m.Handler()))
	srv := &http.Server{Handler: api.SecurityHeaders(mux), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: sv.HTTP.ReadTimeout, WriteTimeout: sv.HTTP.WriteTimeout, IdleTimeout: sv.HTTP.IdleTimeout}
	srv.RegisterOnShutdown(rul.Close) // the alarm streams end; Shutdown waits for no stream
	scheme := "http"
	if sv.HTTP.TLSCert != "" {
		scheme = "https"
	}
	log.Info("serving", "http", scheme+"://"+hl.Addr().String(), "hj212", il.Addr().String(), "data", cfg.Data)
	if isLoopback(hl.Addr()) {
		log.Warn("the API listens on loopback only; to open it to other machines, give --http ADDR (e.g. --http :8080), " +
			"with --tls-cert and --tls-key or behind a reverse proxy that terminates TLS (docs/operations.md)")
	}
	errc := make(chan error, 1)
	go func() {
		if sv.HTTP.TLSCert != "" {
			errc <- srv.ServeTLS(hl, sv.HTTP.TLSCert, sv.HTTP.TLSKey)
			return
		}
		errc <- srv.Serve(hl)
	}()
	if sv.Prepare != nil {
		if err := sv.Prepare(ctx, log, hl.Addr().String(), il.Addr().String()); err != nil {
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

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
