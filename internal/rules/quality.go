package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
)

// Kinds of the data-quality alarms: on an outlet's pollutant's hourly
// rollups, judged as the exceedance is, as the rollups change.
const (
	FlatLine   = "flat_line"
	Flag       = "flag"
	OutOfRange = "out_of_range"
	// Clock: values whose logger's data time was unusable, rolled by
	// their receipt (monitoring.ClockAhead, ClockFloor).
	Clock = "clock"
	// Magnitude: an hour's values MagnitudeFactor times above the day
	// before's highest, or below its lowest: a unit or scale changed.
	Magnitude = "magnitude"
)

// MagnitudeFactor is how far an hour must leave the range of the day
// before to be a change of unit or scale: a unit's step is 1,000 (mg and
// µg, g and mg), and a plant's own swings within a day, start-ups from
// near zero included, stay well under 500 times its day's highest.
const MagnitudeFactor = 500

// FlatHours is how many hours of one unchanging value make a flat line,
// unless Runner.FlatHours says otherwise.
const FlatHours = 3

// series is an outlet's pollutant.
type series struct{ uscc, outlet, code string }

// quality is one data-quality check: which hours are bad (same is the
// value of the hour judged, for a flat line's), how many of them in a
// row make an alarm, and what the alarm says.
type quality struct {
	kind, source string
	bad          func(h monitoring.Rollup, same float64) bool
	value        func(h monitoring.Rollup) float64 // an hour's value, in the evidence
	peak         func(a, b float64) float64        // the episode's peak from two values
	min          int
}

func (r *Runner) qualities() []quality {
	n := r.FlatHours
	if n <= 0 {
		n = FlatHours
	}
	return []quality{
		{kind: FlatLine, min: n, source: fmt.Sprintf("同一数值连续 %d 小时 / the same value %d hours running", n, n),
			bad:   func(h monitoring.Rollup, v float64) bool { return flat(h) && same(h.Min, v) },
			value: func(h monitoring.Rollup) float64 { return h.Min }, peak: func(_, b float64) float64 { return b }},
		{kind: Flag, min: 1, source: "过半数据标记非 N（维护、校准、故障等） / over half the values flagged other than N (maintenance, calibration, fault...)",
			bad:   func(h monitoring.Rollup, _ float64) bool { return h.Count > 0 && 2*h.Flagged > h.Count },
			value: func(h monitoring.Rollup) float64 { return float64(h.Flagged) / float64(h.Count) }, peak: math.Max},
		{kind: OutOfRange, min: 1, source: "浓度或流量为负 / a negative concentration or flow",
			bad:   func(h monitoring.Rollup, _ float64) bool { return h.Count > 0 && h.Min < 0 && nonNegative(h.Code) },
			value: func(h monitoring.Rollup) float64 { return h.Min }, peak: math.Min},
		{kind: Clock, min: 1, source: fmt.Sprintf("数采仪时钟错误（超前接收时间 %v 以上或早于 %s），数据按接收时间计 / the logger's clock over %v ahead of receipt or before %s: its values counted at their receipt",
			monitoring.ClockAhead, monitoring.ClockFloor[:4], monitoring.ClockAhead, monitoring.ClockFloor[:4]),
			bad:   func(h monitoring.Rollup, _ float64) bool { return h.Skewed > 0 },
			value: func(h monitoring.Rollup) float64 { return float64(h.Skewed) / float64(h.Count) }, peak: math.Max},
		{kind: Magnitude, min: 1, source: fmt.Sprintf("小时均值较前一日范围突变 %d 倍以上（单位或量程变化） / the hour's mean %d times beyond the day before's range (a unit or scale changed)",
			MagnitudeFactor, MagnitudeFactor),
			bad:   func(h monitoring.Rollup, _ float64) bool { return r.magnitude(h) },
			value: func(h monitoring.Rollup) float64 { return h.Avg() }, peak: math.Max},
	}
}

// dayRange is a day's lowest and highest value, ok false where the day
// had none.
type dayRange struct {
	min, max float64
	ok       bool
}

// dayOf names a day rollup of a series: ours (2011) or the logger's
// (2031), the day's start as Unix time.
type dayOf struct {
	uscc, outlet, code, cn string
	day                    int64
}

// prevDay is the day before h's, in the command whose days go with h's
// hours (2011 with 2011, 2031 with the logger's 2061).
func prevDay(h monitoring.Rollup) dayOf {
	t := h.Start.In(cst.Zone)
	cn := monitoring.RealTime
	if h.CN != monitoring.RealTime {
		cn = "2031"
	}
	return dayOf{h.USCC, h.Outlet, h.Code, cn, time.Date(t.Year(), t.Month(), t.Day()-1, 0, 0, 0, 0, cst.Zone).Unix()}
}

// noteDay keeps a changed day rollup's range: the day before of the hours
// to come, without a read. Days over a week older than the newest seen
// are dropped.
func (r *Runner) noteDay(x monitoring.Rollup) {
	if x.Period != monitoring.Day || x.CN != monitoring.RealTime && x.CN != "2031" || x.Count == 0 {
		return
	}
	r.days[dayOf{x.USCC, x.Outlet, x.Code, x.CN, x.Start.Unix()}] = dayRange{x.Min, x.Max, true}
	if u := x.Start.Unix(); u > r.newestDay {
		r.newestDay = u
		for k := range r.days {
			if k.day < u-7*86400 {
				delete(r.days, k)
			}
		}
	}
}

// loadDay reads the day before h's where this process has not seen it
// (before its start), once.
func (r *Runner) loadDay(ctx context.Context, h monitoring.Rollup) error {
	k := prevDay(h)
	if _, ok := r.days[k]; ok {
		return nil
	}
	from := time.Unix(k.day, 0)
	rs, err := r.s.Rollups(ctx, monitoring.Day, monitoring.Range{USCC: k.uscc, Outlet: k.outlet, Code: k.code, CN: k.cn, From: from, To: from.Add(time.Second)})
	if err != nil {
		return err
	}
	r.days[k] = dayRange{}
	if len(rs) == 1 && rs[0].Count > 0 {
		r.days[k] = dayRange{rs[0].Min, rs[0].Max, true}
	}
	return nil
}

// magnitude: h's mean over MagnitudeFactor times the day before's
// highest, or the whole hour (positive) under its lowest by that factor.
func (r *Runner) magnitude(h monitoring.Rollup) bool {
	d := r.days[prevDay(h)]
	return d.ok && h.Count > 0 && (d.max > 0 && h.Avg() > MagnitudeFactor*d.max || h.Min > 0 && h.Max*MagnitudeFactor < d.min)
}

// flat: an hour whose values are all one.
func flat(h monitoring.Rollup) bool { return h.Count > 0 && same(h.Min, h.Max) }

// same: equal within 1e-9 of the larger.
func same(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

// nonNegative: a concentration or a flow, which cannot be below zero.
func nonNegative(code string) bool {
	if code == "a00000" || code == "w00000" {
		return true
	}
	p, ok := hj212.LookupPollutant(code)
	_, conc := units[p.Unit]
	return ok && conc
}

// loadOpen reads the data-quality alarms still open, to be resolved when
// a later hour of their series shows their episode ended, and the
// exceedances still open, whose start anchors their episode however long
// it runs.
func (r *Runner) loadOpen(ctx context.Context) error {
	as, _, err := r.s.Alarms(ctx, AlarmFilter{States: []string{Open, Acknowledged}})
	r.open, r.dupOpen = map[series][]Alarm{}, map[seriesCN][]Alarm{}
	for _, a := range as {
		if a.Kind == DuplicateSeries {
			for _, m := range dupMembers(a) {
				r.dupOpen[m] = append(r.dupOpen[m], a)
			}
		}
		if a.Kind == FlatLine || a.Kind == Flag || a.Kind == OutOfRange || a.Kind == Clock || a.Kind == Magnitude ||
			a.Kind == Exceedance || a.Kind == UnknownLimit || a.Kind == Mismatch {
			k := series{a.USCC, a.Outlet, a.Pollutant}
			r.open[k] = append(r.open[k], a)
		}
	}
	return err
}

// quality judges a changed hour rollup for flat lines, flags and negative
// values: where it is bad, or follows an open episode of its series, it
// reads the series' hours ±48 h (ours, 2011, where there are some, else
// the logger's 2061) and raises the episode that holds it, resolved when
// a later hour shows it ended.
func (r *Runner) quality(ctx context.Context, site *Site, x monitoring.Rollup) error {
	if x.Period != monitoring.Hour || x.CN != monitoring.RealTime && x.CN != "2061" || x.Count == 0 {
		return nil
	}
	if err := r.loadDay(ctx, x); err != nil {
		return err
	}
	k := series{x.USCC, x.Outlet, x.Code}
	var todo []quality
	var anchors []time.Time
	for _, q := range r.qualities() {
		if q.kind == FlatLine && site.Enterprise.Status != "operating" {
			continue
		}
		if q.bad(x, x.Min) {
			todo, anchors = append(todo, q), append(anchors, x.Start)
		}
		for _, a := range r.open[k] {
			if a.Kind == q.kind && !x.Start.Before(a.EndedAt) {
				todo, anchors = append(todo, q), append(anchors, a.StartedAt)
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}
	from := x.Start.Add(-48 * time.Hour)
	for _, t := range anchors {
		if t.Before(from) {
			from = t
		}
	}
	rs, err := r.s.Rollups(ctx, monitoring.Hour, monitoring.Range{USCC: x.USCC, Outlet: x.Outlet, Code: x.Code,
		From: from.Add(-48 * time.Hour), To: x.Start.Add(48 * time.Hour)})
	if err != nil {
		return err
	}
	hours := map[int64]monitoring.Rollup{} // by Unix time: a time.Time's zone would split keys
	var last time.Time
	for _, y := range rs {
		if y.Count == 0 || y.CN != monitoring.RealTime && y.CN != "2061" || hours[y.Start.Unix()].CN == monitoring.RealTime {
			continue
		}
		hours[y.Start.Unix()] = y
		if y.Start.After(last) {
			last = y.Start
		}
	}
	for i, q := range todo {
		if err := r.episodeOf(ctx, q, hours, anchors[i], last); err != nil {
			return err
		}
	}
	return nil
}

// episodeOf raises the run of q's bad hours that holds hour t, if long
// enough, and resolves it by the system where a later hour has data.
func (r *Runner) episodeOf(ctx context.Context, q quality, hours map[int64]monitoring.Rollup, t, last time.Time) error {
	h, ok := hours[t.Unix()]
	if !ok || !q.bad(h, h.Min) {
		return nil
	}
	in := func(t time.Time) bool { y, ok := hours[t.Unix()]; return ok && q.bad(y, h.Min) }
	first := t
	for in(first.Add(-time.Hour)) {
		first = first.Add(-time.Hour)
	}
	type hour struct {
		Start   time.Time `json:"start"`
		CN      string    `json:"cn"`
		Count   int       `json:"count"`
		Flagged int       `json:"flagged"`
		Min     float64   `json:"min"`
		Max     float64   `json:"max"`
		Value   float64   `json:"value"`
	}
	var ps []hour
	peak := q.value(hours[first.Unix()])
	end := first
	for ; in(end); end = end.Add(time.Hour) {
		y := hours[end.Unix()]
		ps = append(ps, hour{y.Start, y.CN, y.Count, y.Flagged, y.Min, y.Max, q.value(y)})
		peak = q.peak(peak, q.value(y))
	}
	if len(ps) < q.min {
		return nil
	}
	ev, err := json.Marshal(map[string]any{"rule": q.kind, "min_hours": q.min, "periods": ps})
	if err != nil {
		return err
	}
	a := Alarm{Kind: q.kind, State: Open, USCC: h.USCC, Outlet: h.Outlet, Pollutant: h.Code, StartedAt: first, EndedAt: end,
		LimitSource: q.source, Peak: peak, Periods: len(ps), Evidence: ev}
	if err := r.s.RaiseAlarm(ctx, a); err != nil {
		return err
	}
	k := series{a.USCC, a.Outlet, a.Pollutant}
	if !last.After(end) {
		// Not over yet: a later hour of the series resolves it.
		r.open[k] = append(r.open[k], a)
		return nil
	}
	// A later hour has come (end's, the first not bad, is then complete):
	// the episode is over.
	r.open[k] = slices.DeleteFunc(r.open[k], func(b Alarm) bool { return b.Kind == q.kind && b.StartedAt.Equal(first) })
	as, _, err := r.s.Alarms(ctx, AlarmFilter{Kind: q.kind, USCC: a.USCC, Outlet: a.Outlet, Pollutant: a.Pollutant,
		States: []string{Open, Acknowledged}, From: first, To: first.Add(time.Second)})
	if err != nil {
		return err
	}
	for _, b := range as {
		b.State, b.EndedAt = Resolved, end
		b.ResolvedBy, b.ResolvedAt, b.ResolveReason = "system", r.Now().UTC().Format(time.RFC3339), "数据恢复正常 / the data are normal again"
		if err := r.s.SetAlarm(ctx, b); err != nil && !errors.Is(err, ErrStale) {
			return err
		}
	}
	return nil
}
