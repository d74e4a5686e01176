// Package simulate runs simulated HJ 212 data loggers that send to an
// ingestion server over TCP, one connection each: for the demo, load tests
// and interoperability checks. Every logger sends real-time data (CN 2011)
// and, at the boundaries of its clock, minute (2051), hour (2061) and day
// (2031) data; it answers the platform's requests for past data, and it
// can misbehave as real loggers do.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"ecoindustry/internal/hj212"
)

// Config is what to simulate and where to send it.
type Config struct {
	Target   string        // host:port of the ingestion server
	Loggers  int           // how many of the loggers to run; 0: all
	Interval time.Duration // real-time (2011) interval per logger; default 30 s (App. C RtdInterval=30)
	// Rate is the total of real-time frames per second across loggers; when
	// above 0 it replaces Interval, for load tests.
	Rate    float64
	Version string   // "2005", "2017" (default) or "2025"
	Faults  []string // exceed, flatline, gap, calibration, resend, malformed
	Seed    int64    // the same seed gives the same values and faults
	// Start is the simulated clock at the start (default now); it then
	// advances with the real clock. A logger never sends two real-time
	// frames for the same second: asked for more than one a second, its
	// clock runs ahead of the real one.
	Start time.Time
	// NoAck sends frames with Flag A=0 and waits for nothing. By default a
	// frame asks for an answer (A=1) and the logger waits for the 9014
	// before its next frame. Version 2005 frames carry no Flag and never ask.
	NoAck bool
	// Window is how many data frames a logger writes at once before it
	// waits for their answers, as a logger with a backlog does: the periods
	// it back-fills and, with Rate, its real-time frames (for the next
	// seconds of its clock). 1 (the default) waits after each.
	Window int
	// Backlog is how much of the past each logger kept and sends when it
	// first connects, as one does after an outage: the minute, hour and
	// day data of the periods that ended in it (at most a day).
	Backlog time.Duration
}

// Logger is one simulated data logger at one outlet.
type Logger struct {
	MN, PW   string
	Kind     string  // air (ST=31) or water (ST=32)
	Industry string  // GB/T 4754-2017 class of the enterprise: its production hours
	RefO2    float64 // reference O2 (%) of the converted (Zs) flue-gas values; 0: none
	// Pollutants are what the logger measures, flows and O2 included.
	Pollutants []Pollutant
	// Act, if set, is how the logger misbehaves from the run's start, on
	// top of the run's faults: the demo's show of every kind of alarm.
	Act *Act
}

// Act is a logger's scripted misbehaviour (decision 0027), from the run's
// start (its Backlog included) and in its clock.
type Act struct {
	// Exceed runs its first pollutant with a limit at 1.6 times the limit.
	Exceed bool
	// Stuck holds its first pollutant with a limit at its typical level,
	// as a frozen analyser reports it.
	Stuck bool
	// Flag marks every value with this data flag (HJ 212-2017 Table 8:
	// D fault, M maintenance, C calibration...).
	Flag string
	// Silent: the logger sends nothing from Silent[0] after the start for
	// Silent[1], then speaks again.
	Silent [2]time.Duration
	// Copy sends the values of the logger of this MN (given its
	// pollutants, kind and industry), as a faked series copied from another
	// outlet does.
	Copy string
}

// Pollutant is one measured factor.
type Pollutant struct {
	Code string // HJ 212-2017
	// Typical is the level in full production, in the code's default unit
	// (hj212.Pollutants); with RefO2 it is the converted (Zs) level.
	Typical float64
	Limit   float64 // the permit's concentration limit in the same unit; 0: none
}

// Stats is what a run did.
type Stats struct {
	Sent       int64         // frames written, resent and malformed ones included
	Acked      int64         // 9014 answers received
	Malformed  int64         // corrupt frames written (the malformed fault)
	Resent     int64         // frames written again: the resend fault, or no 9014 in time
	Reconnects int64         // connections made again after one was lost
	Elapsed    time.Duration // until the last logger stopped
	AckLatency Latency       // from writing a frame to its 9014
}

// faults is a set of the faults a run injects, each logger on its own
// schedule fixed by the seed. Episodes are in simulated time:
//   - exceed: in one hour in six, one pollutant with a limit runs at 1.1–1.7
//     times it for 20 minutes (flag N);
//   - flatline: in one 6-hour slot in four, one pollutant is stuck for 90
//     minutes (flag N);
//   - gap: on one day in three the logger is silent for 2 hours: it keeps
//     its connection but sends and answers nothing, and sends the periods
//     that ended in the gap only when the platform asks for them;
//   - calibration: a daily 15-minute zero check (flag C, the analysers read
//     their standard) and, one day in seven, 2 hours of maintenance (flag M).
//
// And per frame:
//   - resend: 2 % of data frames are written twice at once;
//   - malformed: 1 % of data frames follow a corrupt one: a wrong CRC, a
//     frame cut in half, or line noise.
type faults uint8

const (
	exceed faults = 1 << iota
	flatline
	gap
	calibration
	resend
	malformed
)

var faultNames = map[string]faults{"exceed": exceed, "flatline": flatline, "gap": gap,
	"calibration": calibration, "resend": resend, "malformed": malformed}

// How often the per-frame faults strike.
const (
	pResend    = 0.02
	pMalformed = 0.01
)

// HJ 212-2017 Table 1: a sender waits 10 s for an answer and tries 3 more times.
const (
	ackTimeout = 10 * time.Second
	reCount    = 3
)

// heartbeatIdle is how long a 2025 logger stays quiet before it sends a
// 9015 heartbeat. The 2025 text was not available to us; one minute is a
// common DTU default.
var heartbeatIdle = time.Minute

// Run runs the loggers until ctx ends, each on its own connection to
// cfg.Target, reconnecting with backoff when the connection is lost, and
// returns what they did. It fails only on a bad configuration.
func Run(ctx context.Context, cfg Config, loggers []Logger, log *slog.Logger) (Stats, error) {
	fs, err := cfg.check(len(loggers))
	if err != nil {
		return Stats{}, err
	}
	if cfg.Loggers > 0 {
		loggers = loggers[:cfg.Loggers]
	}
	r := &runner{cfg: cfg, log: log, began: time.Now()}
	if cfg.Rate > 0 {
		r.pace = &pacer{step: time.Duration(float64(time.Second) / cfg.Rate)}
	}
	sims := make([]*sim, len(loggers))
	seen := make(map[string]bool, len(loggers))
	for i, l := range loggers {
		if seen[l.MN] {
			return Stats{}, fmt.Errorf("simulate: MN %s twice", l.MN)
		}
		seen[l.MN] = true
		if sims[i], err = newSim(l, cfg, fs); err != nil {
			return Stats{}, err
		}
	}
	log.Info("simulate: starting", "target", cfg.Target, "loggers", len(sims), "version", cfg.Version,
		"interval", cfg.Interval, "rate", cfg.Rate, "faults", cfg.Faults, "ack", !cfg.NoAck)
	// Loggers start at random moments of their first interval, not all at
	// once; paced ones within 0.2 ms per logger, 5,000 connections a second.
	spread := cfg.Interval
	if r.pace != nil {
		spread = time.Duration(len(sims)) * 200 * time.Microsecond
	}
	var wg sync.WaitGroup
	for _, s := range sims {
		phase := time.Duration(s.rng.Int64N(int64(spread)))
		wg.Go(func() { s.run(ctx, r, phase) })
	}
	wg.Wait()
	return r.stats(), nil
}

func (c *Config) check(n int) (faults, error) {
	if c.Target == "" {
		return 0, errors.New("simulate: no target")
	}
	if c.Loggers < 0 || c.Loggers > n {
		return 0, fmt.Errorf("simulate: %d loggers asked, %d available", c.Loggers, n)
	}
	if n == 0 {
		return 0, errors.New("simulate: no loggers")
	}
	if c.Interval == 0 {
		c.Interval = 30 * time.Second
	}
	if c.Interval < 0 || c.Rate < 0 {
		return 0, errors.New("simulate: interval and rate must be positive")
	}
	if c.Window < 0 {
		return 0, errors.New("simulate: window must be positive")
	}
	if c.Backlog < 0 || c.Backlog > 24*time.Hour {
		return 0, errors.New("simulate: backlog must be from 0 to 24 h")
	}
	switch c.Version {
	case "":
		c.Version = "2017"
	case "2005", "2017", "2025":
	default:
		return 0, fmt.Errorf("simulate: version %q: use 2005, 2017 or 2025", c.Version)
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	var fs faults
	for _, name := range c.Faults {
		f, ok := faultNames[name]
		if !ok {
			return 0, fmt.Errorf("simulate: unknown fault %q (exceed, flatline, gap, calibration, resend, malformed)", name)
		}
		fs |= f
	}
	return fs, nil
}

// runner is what the loggers of one run share.
type runner struct {
	cfg   Config
	log   *slog.Logger
	began time.Time
	pace  *pacer // nil without a Rate

	sent, acked, malformed, resent, reconnects atomic.Int64
	latency                                    [latBuckets]atomic.Int64
	dialWarned                                 atomic.Bool
}

// clock is the simulated time at real time now.
func (r *runner) clock(now time.Time) time.Time { return r.cfg.Start.Add(now.Sub(r.began)) }

func (r *runner) stats() Stats {
	s := Stats{Sent: r.sent.Load(), Acked: r.acked.Load(), Malformed: r.malformed.Load(), Resent: r.resent.Load(),
		Reconnects: r.reconnects.Load(), Elapsed: time.Since(r.began)}
	for i := range r.latency {
		s.AckLatency.counts[i] = r.latency[i].Load()
	}
	return s
}

// pacer hands out send times 1/Rate apart to all loggers: a token bucket
// of depth one, so the total stays near the rate however many loggers
// share it, and a stall earns no burst afterwards.
type pacer struct {
	mu   sync.Mutex
	step time.Duration
	next time.Time
}

// reserve reserves n frames' slots and returns when to send them.
func (p *pacer) reserve(n int) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	t := p.next
	p.next = t.Add(time.Duration(max(n, 1)) * p.step)
	if t.After(now) {
		// Rounded up to a whole tick: the loggers due in one tick wake
		// together, which costs the machine one wake-up instead of one each.
		t = t.Add(paceTick - 1).Truncate(paceTick)
	}
	return t
}

// paceTick is how finely the pacer spreads frames over time.
const paceTick = 5 * time.Millisecond

// Latency is a histogram of durations with buckets 12.5 % wide, from 1 µs to 4.6 min.
type Latency struct{ counts [latBuckets]int64 }

const (
	latMinExp  = 10 // the first bucket ends at 2^10 ns ≈ 1 µs
	latMaxExp  = 38 // the last starts at 2^38 ns ≈ 4.6 min
	latSubBits = 3  // 8 buckets per doubling
	latBuckets = (latMaxExp - latMinExp) << latSubBits
)

func latBucket(d time.Duration) int {
	ns := uint64(max(d, 1))
	e := bits.Len64(ns) - 1
	switch {
	case e < latMinExp:
		return 0
	case e >= latMaxExp:
		return latBuckets - 1
	}
	return (e-latMinExp)<<latSubBits | int(ns>>(e-latSubBits)&(1<<latSubBits-1))
}

// Count is the number of durations recorded.
func (l *Latency) Count() int64 {
	var n int64
	for _, c := range l.counts {
		n += c
	}
	return n
}

// Quantile returns the duration below which a fraction q of them fall (the
// middle of its bucket), 0 when there are none.
func (l *Latency) Quantile(q float64) time.Duration {
	n := l.Count()
	if n == 0 {
		return 0
	}
	rank := int64(q*float64(n-1)) + 1
	for i, c := range l.counts {
		if rank -= c; rank <= 0 {
			e, sub := i>>latSubBits+latMinExp, uint64(i&(1<<latSubBits-1))
			lo := uint64(1)<<e + sub<<(e-latSubBits)
			return time.Duration(lo + uint64(1)<<(e-latSubBits)/2)
		}
	}
	return 0
}

// sim is one running logger: its model (model.go), its frames (frames.go)
// and its connection (conn.go).
type sim struct {
	Logger
	id      uint64 // fixes the logger's noise and fault episodes
	st      string // HJ 212-2017 Table 5: 31 flue gas, 32 wastewater
	version string
	ack     bool
	faults  faults
	shift   shift
	flow    int       // index of the flow in Pollutants, -1 when none
	o2      int       // index of the O2, -1 when none
	zs      []bool    // which pollutants have converted (Zs) values
	couK    []float64 // Cou = Σ value × volume × couK; 0: no Cou
	limited []int     // pollutants with a limit
	code05  []string  // 2005 codes for version 2005 frames, "" where the 2005 table has none

	rng      *rand.Rand // per-frame faults, start phase, backoff jitter; the logger's goroutine only
	readings []reading
	aggs     []agg
	f        hj212.Frame // reused for every frame
	qnBuf    []byte
	lastQN   time.Time

	start     int64     // the run's start in the logger's clock (Unix s)
	mark      int64     // logger clock (Unix s) up to which periods have been reported
	lastRtd   int64     // data time of the last real-time frame
	lastWrite time.Time // real time of the last frame written, or of silence in a gap
}

func newSim(l Logger, cfg Config, fs faults) (*sim, error) {
	if l.MN == "" || (l.Kind != "air" && l.Kind != "water") || len(l.Pollutants) == 0 {
		return nil, fmt.Errorf("simulate: logger %q: needs an MN, kind air or water, and pollutants", l.MN)
	}
	seriesOf := l.MN
	if l.Act != nil && l.Act.Copy != "" {
		seriesOf = l.Act.Copy // the same noise and episodes: the same values
	}
	id := mix(uint64(cfg.Seed) ^ mix(hashString(seriesOf)))
	s := &sim{Logger: l, id: id, st: "32", version: cfg.Version, ack: !cfg.NoAck && cfg.Version != "2005",
		faults: fs, shift: shiftOf(l.Industry), flow: -1, o2: -1,
		rng:      rand.New(rand.NewPCG(id, uint64(cfg.Seed))),
		readings: make([]reading, len(l.Pollutants)), aggs: make([]agg, len(l.Pollutants)),
		start: cfg.Start.Unix(), mark: cfg.Start.Unix() - int64(cfg.Backlog/time.Second), lastRtd: cfg.Start.Unix() - 1}
	if l.Kind == "air" {
		s.st = "31"
	}
	for i, p := range l.Pollutants {
		info, known := hj212.LookupPollutant(p.Code)
		code05 := ""
		if cfg.Version == "2005" {
			// A pollutant the 2005 table lacks keeps its 2017 code: loggers of the
			// time sent a vendor code, and a server can map the 2017 one at least.
			code05 = info.Code2005
		}
		s.code05 = append(s.code05, code05)
		s.zs = append(s.zs, known && l.RefO2 > 0 && info.Unit == "mg/m3")
		k := 0.0
		switch {
		case p.Code == "a00000" || p.Code == "w00000":
			s.flow, k = i, 1 // the volume itself, m³
		case info.CouUnit == "" || !known:
		case l.Kind == "water":
			k = 1e-3 // mg/L × m³ = g → kg; µg/L × m³ = mg → g
		default:
			k = 1e-6 // mg/m³ × m³ = mg → kg
		}
		s.couK = append(s.couK, k)
		if p.Code == "a19001" {
			s.o2 = i
		}
		if p.Limit > 0 {
			s.limited = append(s.limited, i)
		}
	}
	// A frame that cannot be encoded (too long, a bad code) fails the run now,
	// not each time the logger would send it.
	if _, _, err := s.realtime(cfg.Start, s.ack); err != nil {
		return nil, fmt.Errorf("simulate: logger %s: %w", l.MN, err)
	}
	if _, _, err := s.aggregated("2051", cfg.Start.Unix(), cfg.Start, s.ack); err != nil {
		return nil, fmt.Errorf("simulate: logger %s: %w", l.MN, err)
	}
	return s, nil
}

// hashString is FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}
