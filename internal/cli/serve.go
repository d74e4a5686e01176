package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"ecoindustry/internal/app"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/simulate"
)

// serveSettings are the configuration settings of the commands that serve.
var serveSettings = []string{"data", "store", "pool-size", "http", "hj212", "max-conns-per-address", "log-level", "log-format",
	"roll-every", "rules-every", "gap-after", "flat-hours", "duplicate-hours",
	"digest-at", "smtp", "smtp-user", "smtp-password", "smtp-from", "webhook", "webhook-secret", "snc"}

func runServe(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "serve", "", serveSettings...)
	icfg := ingestFlags(cm.fs)
	hcfg := httpFlags(cm.fs)
	profile := profilerFlag(cm.fs)
	if err := cm.parse(args); err != nil {
		return err
	}
	if (hcfg.TLSCert == "") != (hcfg.TLSKey == "") {
		return fmt.Errorf("%w: give both --tls-cert and --tls-key, or neither", errUsage)
	}
	if err := cm.perAddress(icfg); err != nil {
		return err
	}
	stop, err := app.ServeProfiler(*profile)
	if err != nil {
		return err
	}
	defer stop()
	log, err := cm.logger()
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, log, app.Serving{HTTP: *hcfg, Ingest: *icfg})
}

func profilerFlag(fs *flag.FlagSet) *string {
	return fs.String("pprof", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty")
}

func runDemo(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "demo", "", serveSettings...)
	// The demo is for one person on one machine: its own directory, and
	// loopback only unless asked.
	cm.fs.Lookup("data").DefValue, cm.cfg.Data = "./demo-data", "./demo-data"
	cm.fs.Lookup("hj212").DefValue, cm.cfg.HJ212 = "127.0.0.1:9212", "127.0.0.1:9212"
	cm.cfg.FromEnv(e.getenv)
	loggers := cm.fs.Int("loggers", 200, "simulated data loggers sending to the demo (0: none)")
	interval := cm.fs.Duration("interval", 30*time.Second, "real-time data interval of each simulated logger")
	prepareOnly := cm.fs.Bool("prepare-only", false, "build the data directory and exit without serving (for benchmarks)")
	seed := cm.fs.Int64("seed", 1, "seed of the generated dataset")
	n := cm.fs.Int("enterprises", 3000, "number of synthetic enterprises")
	if err := cm.parse(args); err != nil {
		return err
	}
	icfg := ingest.Defaults()
	if err := cm.perAddress(&icfg); err != nil {
		return err
	}
	log, err := cm.logger()
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if *prepareOnly {
		if err := a.LoadDemo(ctx, log, *seed, *n); err != nil {
			return err
		}
		return a.DemoAccounts(ctx, e.stdout)
	}
	// The show's silent logger stops 2 min after the start for 8 min; the
	// demo's rules take 4 min of silence for a gap (decision 0027).
	const silentAt, silentFor = 2 * time.Minute, 8 * time.Minute
	return a.Serve(ctx, log, app.Serving{HTTP: app.HTTPDefaults(), Ingest: icfg, GapAfter: silentFor / 2,
		Prepare: func(ctx context.Context, log *slog.Logger, _, hj212Addr string) error {
			if err := a.LoadDemo(ctx, log, *seed, *n); err != nil {
				return err
			}
			if err := a.DemoAccounts(ctx, e.stdout); err != nil {
				return err
			}
			if *loggers == 0 {
				return nil
			}
			ls, err := a.DemoLoggers(ctx)
			if err != nil {
				return err
			}
			show, err := a.Show(ctx, ls, silentAt, silentFor)
			if err != nil {
				log.Warn("no show of every kind of alarm", "err", err)
			} else {
				ls = show.Rest
				go func() {
					cfg := simulate.Config{Target: hj212Addr, Interval: *interval, Seed: *seed, Backlog: show.Backlog}
					if _, err := simulate.Run(ctx, cfg, show.Loggers, log.With("component", "simulate", "show", true)); err != nil && ctx.Err() == nil {
						log.Error("the show's simulated loggers stopped", "err", err)
					}
				}()
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
		}})
}

// perAddress sets the HJ 212 server's limit of connections per address
// from the configuration, a usage error when it is no number (nor the
// rules' settings right).
func (c *cmd) perAddress(icfg *ingest.Config) error {
	n, err := c.cfg.MaxConnsPerAddress()
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if _, err := c.cfg.Judging(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	icfg.MaxConnsPer = n
	return nil
}

// ingestFlags registers the HJ 212 server's options of serve.
func ingestFlags(fs *flag.FlagSet) *ingest.Config {
	cfg := ingest.Defaults()
	fs.BoolVar(&cfg.Decode.Strict, "strict", false, "accept only frames that follow HJ 212 to the letter")
	fs.BoolVar(&cfg.Decode.ModbusCRC, "modbus-crc", false, "also accept frames with a Modbus CRC16 (loggers configured for it)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "data-logger connections at most")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close a logger connection that sends no whole frame for this long")
	return &cfg
}

// httpFlags registers the HTTP server's limits of serve (decision 0014).
func httpFlags(fs *flag.FlagSet) *app.HTTP {
	cfg := app.HTTPDefaults()
	fs.DurationVar(&cfg.ReadTimeout, "http-read-timeout", cfg.ReadTimeout, "a request, body included, must arrive within this (the default takes a 64 MiB upload at 1 Mbit/s)")
	fs.DurationVar(&cfg.WriteTimeout, "http-write-timeout", cfg.WriteTimeout, "a response must be written within this after its request was read")
	fs.DurationVar(&cfg.IdleTimeout, "http-idle-timeout", cfg.IdleTimeout, "close a kept-alive HTTP connection idle for this long")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key); session cookies are then Secure")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "the private key (PEM) of --tls-cert")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take the client's address from X-Forwarded-For and HTTPS from X-Forwarded-Proto: only behind a reverse proxy that sets them")
	return &cfg
}
