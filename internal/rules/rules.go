package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
)

// Kinds and states of alarms (and FlatLine, Flag, OutOfRange).
const (
	Exceedance = "exceedance"
	DataGap    = "data_gap"

	Open         = "open"
	Acknowledged = "acknowledged"
	Resolved     = "resolved"
)

// Kinds are the kinds of alarm the rules raise, in the order pages offer
// them.
var Kinds = []string{Exceedance, DataGap, FlatLine, Flag, OutOfRange, Clock, Magnitude, DuplicateSeries, UnknownLimit, Mismatch}

// Alarm is one episode: a continuous run of periods over the limit, of
// hours flat, flagged or negative, or a logger's silence. Its identity (kind, outlet, pollutant, start) is
// unique in the store: however many processes find it, it is raised once.
type Alarm struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	USCC        string          `json:"uscc"`
	County      string          `json:"county"` // the enterprise's, as read
	Park        string          `json:"park"`
	Outlet      string          `json:"outlet_code"`
	Pollutant   string          `json:"pollutant"` // "" for a data gap
	StartedAt   time.Time       `json:"started_at"`
	EndedAt     time.Time       `json:"ended_at"`
	Limit       float64         `json:"limit"`
	LimitSource string          `json:"limit_source"`
	Peak        float64         `json:"peak"`
	Multiple    float64         `json:"multiple"` // peak / limit
	Periods     int             `json:"periods"`
	Evidence    json.RawMessage `json:"evidence"`
	Version     int             `json:"version"`

	AcknowledgedBy string `json:"acknowledged_by"`
	AcknowledgedAt string `json:"acknowledged_at"`
	AckComment     string `json:"acknowledge_comment"`
	ResolvedBy     string `json:"resolved_by"`
	ResolvedAt     string `json:"resolved_at"`
	ResolveReason  string `json:"resolve_reason"`
	// Seq is the number of the alarm's last change, across every process
	// on the store: the stream's event id.
	Seq int64 `json:"seq"`
}

// AlarmFilter selects alarms; empty fields match all.
type AlarmFilter struct {
	States                                []string
	Kind, County, USCC, Outlet, Pollutant string
	From, To                              time.Time // started in [From, To)
	Scope                                 auth.Filter
	Limit, Offset                         int
}

// Store is what the rules read and keep.
type Store interface {
	RollupsSince(ctx context.Context, seq int64, limit int) ([]monitoring.Rollup, error)
	Cursor(ctx context.Context, consumer string) (int64, error)
	MoveCursor(ctx context.Context, consumer string, from, to int64) error
	Rollups(ctx context.Context, p monitoring.Period, r monitoring.Range) ([]monitoring.Rollup, error)
	LoggerFrames(ctx context.Context) ([]monitoring.RawFrame, error)

	Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error)
	Outlets(ctx context.Context, uscc string) ([]registry.Outlet, error)
	Facilities(ctx context.Context, uscc string) ([]registry.Facility, error)
	Permits(ctx context.Context, uscc string) ([]registry.PermitLimit, error)

	// Standards returns the imported catalogue; none if none was.
	Standards(ctx context.Context) ([]Standard, error)
	// ReplaceStandards puts a catalogue in the place of the last, whole.
	ReplaceStandards(ctx context.Context, s []Standard) error
	// RaiseAlarm adds a, or, where an alarm of its identity is stored,
	// sets that one's end, limit, peak, multiple, periods and evidence
	// to a's (a new version) if they changed.
	RaiseAlarm(ctx context.Context, a Alarm) error
	// Alarms returns a page of the alarms f selects, newest first, and
	// their number, counted up to one past CountUpTo(f).
	Alarms(ctx context.Context, f AlarmFilter) ([]Alarm, int, error)
	// Alarm returns alarm id, or NoAlarm(id).
	Alarm(ctx context.Context, id int64) (Alarm, error)
	// AlarmQuarters counts the alarms of enterprises usccs by enterprise,
	// kind and the first and last of the periods [bounds[i], bounds[i+1])
	// they overlap, from their start to their end (a data gap not resolved
	// to the last bound); alarms outside all periods are left out.
	AlarmQuarters(ctx context.Context, usccs []string, bounds []time.Time) ([]QuarterCount, error)
	// SetAlarm stores a's state, end, acknowledgement and resolution as
	// version a.Version+1 if the stored one is a.Version, else ErrStale.
	SetAlarm(ctx context.Context, a Alarm) error
	// AlarmChanges returns up to limit alarms whose last change is after
	// seq after, in the order of their changes (decision 0027).
	AlarmChanges(ctx context.Context, after int64, limit int) ([]Alarm, error)
	// AlarmSeq is the number of the last change of any alarm.
	AlarmSeq(ctx context.Context) (int64, error)
}

// CountCap is how many alarms a list counts at least: past it, and past
// the page asked for, a list's total says "more than" (decision 0026).
const CountCap = 1000

// CountUpTo is how far the alarms of f are counted: the total of a list
// is exact up to it, and one more means more.
func CountUpTo(f AlarmFilter) int { return max(CountCap, f.Offset+f.Limit) }

// ErrStale: the alarm changed since the version given.
var ErrStale = apperr.New(apperr.Conflict, "the alarm changed meanwhile: read it again", "告警已被他人更新，请刷新后重试")

// NoAlarm is the error of an alarm that does not exist.
func NoAlarm(id int64) error {
	return apperr.Newf(apperr.NotFound, "no alarm %d", "无此告警 %d", id)
}

// Catalogue is the catalogue in force: the imported one, else the built-in.
func Catalogue(ctx context.Context, s Store) ([]Standard, bool, error) {
	cat, err := s.Standards(ctx)
	if err != nil || len(cat) > 0 {
		return cat, false, err
	}
	return BuiltIn(), true, nil
}

// GapAfter is how long an operating enterprise's logger may be silent,
// unless Runner.GapAfter says otherwise.
const GapAfter = time.Hour

// Runner follows the rollups with a cursor of its own and judges them,
// and checks for silent loggers.
type Runner struct {
	s        Store
	log      *slog.Logger
	Consumer string           // the cursor's name
	Now      func() time.Time // the gap check's clock
	noted    map[string]bool  // unknown limits already logged
	// FlatHours is how many hours of one value make a flat line (FlatHours
	// where 0).
	FlatHours int
	// DuplicateHours is how many identical hours make a duplicate series
	// (DuplicateHours where 0).
	DuplicateHours int
	// GapAfter is how long a logger may be silent (GapAfter where 0).
	GapAfter  time.Duration
	open      map[series][]Alarm   // data-quality alarms open, read each step
	dupOpen   map[seriesCN][]Alarm // duplicate_series alarms open, by each series they name
	dup       *dupIndex
	days      map[dayOf]dayRange // days' ranges, for the magnitude rule
	newestDay int64
	sites     map[[2]string]*Site // what limits depend on, read again every siteTTL
	sitesAt   time.Time
}

// siteTTL is how long a runner keeps what an outlet's limits depend on
// (its enterprise, outlet, facilities and permits): reading them at every
// step was four queries per outlet a step, at 10,000 outlets most of a
// step's time. A registry change is judged with within a minute.
const siteTTL = time.Minute

// NewRunner returns a runner over s, following as "exceedance".
func NewRunner(s Store, log *slog.Logger) *Runner {
	return &Runner{s: s, log: log, Consumer: "exceedance", Now: time.Now, noted: map[string]bool{}, dup: newDupIndex(), days: map[dayOf]dayRange{}}
}

// Run follows the rollups every interval, checks for data gaps every
// minute (a quarter of GapAfter where that is shorter) and the loads
// against the permits every LoadEvery, until ctx ends.
func (r *Runner) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastGaps, lastLoads time.Time
	gapEvery := min(time.Minute, r.gapAfter()/4)
	for {
		if err := r.Follow(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("rules: exceedance", "err", err)
		}
		if time.Since(lastGaps) >= gapEvery {
			lastGaps = time.Now()
			if err := r.Gaps(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("rules: data gaps", "err", err)
			}
		}
		if time.Since(lastLoads) >= LoadEvery {
			lastLoads = time.Now()
			if err := r.LoadCheck(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("rules: loads", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// follow is how many changed rollups a step reads at a time.
const follow = 1000

// Follow judges the rollups changed since the cursor, then moves it. An
// alarm is raised by its episode's identity, so a rollup judged twice
// (after a crash, or by two processes) raises nothing twice; a cursor
// another process moved first ends this one's turn.
func (r *Runner) Follow(ctx context.Context) error {
	cat, _, err := Catalogue(ctx, r.s)
	if err != nil {
		return err
	}
	if err := r.loadOpen(ctx); err != nil {
		return err
	}
	if now := time.Now(); r.sites == nil || now.Sub(r.sitesAt) > siteTTL {
		r.sites, r.sitesAt = map[[2]string]*Site{}, now
	}
	sites := r.sites
	for {
		cur, err := r.s.Cursor(ctx, r.Consumer)
		if err != nil {
			return err
		}
		if err := r.catchUp(ctx, cur); err != nil {
			return err
		}
		rows, err := r.s.RollupsSince(ctx, cur, follow)
		if err != nil || len(rows) == 0 {
			return err
		}
		now := r.Now()
		r.dup.sweep(now)
		for _, x := range rows {
			if x.Seq > r.dup.seen {
				r.dup.add(x, now)
				r.dup.seen = x.Seq
			}
			r.noteDay(x)
			if err := r.judge(ctx, cat, sites, x); err != nil {
				return err
			}
		}
		if err := r.s.MoveCursor(ctx, r.Consumer, cur, rows[len(rows)-1].Seq); errors.Is(err, monitoring.ErrMoved) {
			return nil
		} else if err != nil {
			return err
		}
		if len(rows) < follow {
			return nil
		}
	}
}

// site returns what an outlet's limits depend on, read once every
// siteTTL; nil for an outlet the registry does not know.
func (r *Runner) site(ctx context.Context, sites map[[2]string]*Site, uscc, outlet string) (*Site, error) {
	k := [2]string{uscc, outlet}
	if s, ok := sites[k]; ok {
		return s, nil
	}
	sites[k] = nil
	s, err := siteOf(ctx, r.s, uscc, outlet)
	if err != nil || s == nil {
		return nil, err
	}
	sites[k] = s
	return s, nil
}

// siteOf reads what an outlet's limits depend on; nil for an outlet the
// registry does not know.
func siteOf(ctx context.Context, st Store, uscc, outlet string) (*Site, error) {
	es, _, err := st.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc})
	if err != nil || len(es) == 0 {
		return nil, err
	}
	os, err := st.Outlets(ctx, uscc)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(os, func(o registry.Outlet) bool { return o.OutletCode == outlet })
	if i < 0 {
		return nil, nil
	}
	s := &Site{Enterprise: es[0], Outlet: os[i]}
	fs, err := st.Facilities(ctx, uscc)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.OutletCode == outlet {
			s.Facilities = append(s.Facilities, f.Kind)
		}
	}
	if s.Permits, err = st.Permits(ctx, uscc); err != nil {
		return nil, err
	}
	return s, nil
}

// judge looks again at the episode around a changed hour or day rollup,
// if its period is the one its limit's basis compares.
func (r *Runner) judge(ctx context.Context, cat []Standard, sites map[[2]string]*Site, x monitoring.Rollup) error {
	if x.Period == monitoring.Minute {
		return nil
	}
	site, err := r.site(ctx, sites, x.USCC, x.Outlet)
	if err != nil || site == nil {
		return err
	}
	if err := r.quality(ctx, site, x); err != nil {
		return err
	}
	if err := r.duplicate(ctx, x); err != nil {
		return err
	}
	if err := r.mismatch(ctx, x); err != nil {
		return err
	}
	l, ok := LimitFor(cat, *site, x.Code, x.Start)
	if err := r.unknownLimit(ctx, x, ok); err != nil || !ok {
		return err
	}
	if (l.Basis == DayAvg) != (x.Period == monitoring.Day) || x.Count == 0 {
		return nil
	}
	// Most periods are under the limit: only one over is worth the read
	// of its neighbours.
	if v := x.Avg(); l.Basis == Instant && x.Max <= l.Value || l.Basis != Instant && v <= l.Value {
		return nil
	}
	a, ok, err := r.episode(ctx, site, x, l)
	if err != nil || !ok {
		return err
	}
	return r.s.RaiseAlarm(ctx, a)
}

// period is one judged period of an episode.
type period struct {
	Start time.Time `json:"start"`
	Value float64   `json:"value"`
	CN    string    `json:"cn"`
	Count int       `json:"count"`
}

// episode finds the run of consecutive periods over the limit that holds
// x's period: from our rollups of the real-time data where there are
// some, else the logger's own (2061 hourly, 2031 daily).
func (r *Runner) episode(ctx context.Context, site *Site, x monitoring.Rollup, l Limit) (Alarm, bool, error) {
	step := func(t time.Time) time.Time { return t.Add(time.Hour) }
	window, logger := 48*time.Hour, "2061"
	if x.Period == monitoring.Day {
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
		window, logger = 31*24*time.Hour, "2031"
	}
	// An episode still open reaches back to its start, however long ago:
	// read from there, so that its start, and with it the alarm's
	// identity, stays the same as the episode goes on.
	from := x.Start.Add(-window)
	for _, a := range r.open[series{x.USCC, x.Outlet, x.Code}] {
		if a.Kind == Exceedance && !x.Start.Before(a.StartedAt) && a.StartedAt.Before(from) {
			from = a.StartedAt
		}
	}
	rs, err := r.s.Rollups(ctx, x.Period, monitoring.Range{USCC: x.USCC, Outlet: x.Outlet, Code: x.Code,
		From: from, To: x.Start.Add(window)})
	if err != nil {
		return Alarm{}, false, err
	}
	values := map[time.Time]period{}
	for _, y := range rs {
		if y.Count == 0 || y.CN != monitoring.RealTime && y.CN != logger {
			continue
		}
		if p, ok := values[y.Start]; ok && p.CN == monitoring.RealTime {
			continue
		}
		v := y.Avg()
		if l.Basis == Instant {
			v = y.Max
		}
		values[y.Start] = period{Start: y.Start, Value: v, CN: y.CN, Count: y.Count}
	}
	over := func(t time.Time) bool { p, ok := values[t]; return ok && p.Value > l.Value }
	if !over(x.Start) {
		return Alarm{}, false, nil
	}
	first := x.Start
	for {
		prev := first.Add(-time.Hour)
		if x.Period == monitoring.Day {
			prev = first.AddDate(0, 0, -1)
		}
		if !over(prev) {
			break
		}
		first = prev
	}
	var ps []period
	peak := 0.0
	end := first
	for t := first; over(t); t = step(t) {
		ps = append(ps, values[t])
		peak = max(peak, values[t].Value)
		end = step(t)
	}
	ev, err := json.Marshal(map[string]any{"basis": l.Basis, "unit": l.Unit, "checked": l.Checked, "periods": ps})
	if err != nil {
		return Alarm{}, false, err
	}
	return Alarm{Kind: Exceedance, State: Open, USCC: x.USCC, Outlet: x.Outlet, Pollutant: x.Code, StartedAt: first, EndedAt: end,
		Limit: l.Value, LimitSource: l.Source, Peak: peak, Multiple: peak / l.Value, Periods: len(ps), Evidence: ev}, true, nil
}

func (r *Runner) gapAfter() time.Duration {
	if r.GapAfter > 0 {
		return r.GapAfter
	}
	return GapAfter
}

// Gaps raises a data gap for each outlet whose logger has sent nothing
// for GapAfter while its enterprise is operating, and resolves those
// whose logger spoke again.
func (r *Runner) Gaps(ctx context.Context) error {
	fs, err := r.s.LoggerFrames(ctx)
	if err != nil {
		return err
	}
	last := map[[2]string]monitoring.RawFrame{}
	for _, f := range fs {
		k := [2]string{f.USCC, f.Outlet}
		if l, ok := last[k]; !ok || f.ReceivedAt.After(l.ReceivedAt) {
			last[k] = f
		}
	}
	open, _, err := r.s.Alarms(ctx, AlarmFilter{Kind: DataGap, States: []string{Open, Acknowledged}})
	if err != nil {
		return err
	}
	raised := map[[2]string]time.Time{} // the gaps open, by outlet: raised once, not every minute
	for _, a := range open {
		raised[[2]string{a.USCC, a.Outlet}] = a.StartedAt
	}
	now := r.Now()
	operating := map[string]bool{}
	after := r.gapAfter()
	for k, f := range last {
		if now.Sub(f.ReceivedAt) <= after {
			continue
		}
		if at, ok := raised[k]; ok && at.Equal(f.ReceivedAt) {
			continue
		}
		op, ok := operating[k[0]]
		if !ok {
			es, _, err := r.s.Enterprises(ctx, registry.EnterpriseFilter{USCC: k[0]})
			if err != nil {
				return err
			}
			op = len(es) == 1 && es[0].Status == "operating"
			operating[k[0]] = op
		}
		if !op {
			continue
		}
		ev, _ := json.Marshal(map[string]any{"mn": f.MN, "last_cn": f.CN, "last_received_at": f.ReceivedAt})
		a := Alarm{Kind: DataGap, State: Open, USCC: k[0], Outlet: k[1], StartedAt: f.ReceivedAt, EndedAt: f.ReceivedAt,
			LimitSource: fmt.Sprintf("silent over %v / 超过 %v 无数据", after, after), Evidence: ev}
		if err := r.s.RaiseAlarm(ctx, a); err != nil {
			return err
		}
	}
	for _, a := range open {
		f, ok := last[[2]string{a.USCC, a.Outlet}]
		if !ok || !f.ReceivedAt.After(a.StartedAt) {
			continue
		}
		a.State, a.EndedAt = Resolved, f.ReceivedAt
		a.ResolvedBy, a.ResolvedAt, a.ResolveReason = "system", now.UTC().Format(time.RFC3339), "数据已恢复 / the logger sent data again"
		if err := r.s.SetAlarm(ctx, a); err != nil && !errors.Is(err, ErrStale) {
			return err
		}
	}
	return nil
}
