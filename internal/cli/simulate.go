package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ecoindustry/internal/app"
	"ecoindustry/internal/simulate"
)

// runSimulate is `ecoind simulate`: a simulated HJ 212 data logger for each
// outlet of the registry with an MN sends to an ingestion server, for the
// demo and for load tests, until --duration ends or the process is
// interrupted; then it prints what they did.
func runSimulate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "simulate", "", "data", "store", "log-level", "log-format")
	var sc simulate.Config
	cm.fs.StringVar(&sc.Target, "target", "127.0.0.1:9212", "host:port of the HJ 212 ingestion server")
	cm.fs.IntVar(&sc.Loggers, "loggers", 0, "how many loggers (outlets with an MN) to run; 0: all")
	cm.fs.DurationVar(&sc.Interval, "interval", 30*time.Second, "real-time data (2011) interval of each logger")
	cm.fs.Float64Var(&sc.Rate, "rate", 0, "real-time frames per second across all loggers, instead of --interval (load tests)")
	cm.fs.IntVar(&sc.Window, "window", 1, "data frames a logger writes at once before it waits for their answers, as one with a backlog does: back-filled periods and, with --rate, real-time frames")
	cm.fs.StringVar(&sc.Version, "version", "2017", "HJ 212 version: 2005, 2017 or 2025")
	faults := cm.fs.String("faults", "", "comma-separated faults to inject: exceed, flatline, gap, calibration, resend, malformed")
	cm.fs.Int64Var(&sc.Seed, "seed", 1, "seed of the values and faults")
	ack := cm.fs.Bool("ack", true, "ask for a 9014 answer to every frame and wait for it before the next")
	duration := cm.fs.Duration("duration", 0, "how long to run (0: until interrupted)")
	profile := profilerFlag(cm.fs)
	if err := cm.parse(args); err != nil {
		return err
	}
	stop, err := app.ServeProfiler(*profile)
	if err != nil {
		return err
	}
	defer stop()
	if *faults != "" {
		sc.Faults = strings.Split(*faults, ",")
	}
	sc.NoAck = !*ack
	log, err := cm.logger()
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	loggers, err := simulate.LoggersFrom(ctx, a.DB)
	a.Close()
	if err != nil {
		return err
	}
	if len(loggers) == 0 {
		return fmt.Errorf("no outlet in the registry has a data logger (an MN); load some first, e.g. with ecoind demo --data %s", cm.cfg.Data)
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	st, err := simulate.Run(ctx, sc, loggers, log)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	fmt.Fprintf(e.stdout, "sent %d frames in %s, %.0f frames/s: %d acked, %d resent, %d malformed; %d reconnects\n",
		st.Sent, st.Elapsed.Round(time.Millisecond), float64(st.Sent)/st.Elapsed.Seconds(), st.Acked, st.Resent, st.Malformed, st.Reconnects)
	if st.AckLatency.Count() > 0 {
		fmt.Fprintf(e.stdout, "ack latency: p50 %s, p99 %s\n", st.AckLatency.Quantile(0.5), st.AckLatency.Quantile(0.99))
	}
	return nil
}
