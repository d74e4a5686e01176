package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
)

// Kinds of alarm about what the data can be compared with.
const (
	// UnknownLimit: readings of a pollutant code, or in a unit, the
	// catalogue does not know, which are therefore not compared.
	UnknownLimit = "unknown_limit"
	// Mismatch: the logger's own hourly mean (2061) disagrees with ours of
	// its real-time values (2011) by over MismatchShare.
	Mismatch = "hourly_mismatch"
)

// MismatchShare is how far, as a share of the larger, the logger's hourly
// mean may be from ours before they disagree: its hour is computed from
// its minute values, ours from the real-time values it sent, and a few
// values lost or rounded move a mean by a few per cent, not ten.
const MismatchShare = 0.1

// unknownLimit raises an unknown_limit alarm, once per outlet and
// pollutant while it lasts, for a concentration (or a code HJ 212's table
// lacks) that has no limit at site or whose limit's unit does not
// convert; and resolves it by the system once the catalogue has a limit
// (ok). Flows, O₂, temperatures and the like have no concentration limit
// and raise nothing.
func (r *Runner) unknownLimit(ctx context.Context, x monitoring.Rollup, ok bool) error {
	k := series{x.USCC, x.Outlet, x.Code}
	var open []Alarm
	for _, a := range r.open[k] {
		if a.Kind == UnknownLimit {
			open = append(open, a)
		}
	}
	if ok {
		for _, a := range open {
			a.State, a.EndedAt = Resolved, x.Start
			a.ResolvedBy, a.ResolvedAt, a.ResolveReason = "system", r.Now().UTC().Format(time.RFC3339), "标准目录已有限值 / the catalogue has a limit now"
			if err := r.s.SetAlarm(ctx, a); err != nil && !errors.Is(err, ErrStale) {
				return err
			}
		}
		if len(open) > 0 {
			r.open[k] = nil
			delete(r.noted, x.USCC+"/"+x.Outlet+"/"+x.Code)
		}
		return nil
	}
	p, known := hj212.LookupPollutant(x.Code)
	if _, conc := units[p.Unit]; known && !conc {
		return nil
	}
	nk := x.USCC + "/" + x.Outlet + "/" + x.Code
	if len(open) > 0 || r.noted[nk] {
		return nil
	}
	r.noted[nk] = true
	ev, err := json.Marshal(map[string]any{"rule": UnknownLimit, "code_known": known, "unit": p.Unit, "period": x.Period, "cn": x.CN, "first": x.Start})
	if err != nil {
		return err
	}
	src := fmt.Sprintf("标准目录无此污染物（%s）的限值或单位（%s）：未比对 / the catalogue has no limit for %s, or none in its unit (%s): not compared",
		x.Code, p.Unit, x.Code, p.Unit)
	if !known {
		src = fmt.Sprintf("未知的污染物编码 %s：未比对 / an unknown pollutant code %s: not compared", x.Code, x.Code)
	}
	a := Alarm{Kind: UnknownLimit, State: Open, USCC: x.USCC, Outlet: x.Outlet, Pollutant: x.Code, StartedAt: x.Start, EndedAt: x.Start,
		LimitSource: src, Evidence: ev}
	r.open[k] = append(r.open[k], a)
	return r.s.RaiseAlarm(ctx, a)
}

// disagree: a and b differ by more than MismatchShare of the larger.
func disagree(a, b float64) bool {
	return math.Abs(a-b) > MismatchShare*math.Max(math.Abs(a), math.Abs(b))
}

// mismatch compares a changed hour of the logger's own (2061) with ours of
// the same hour (2011), where there is one, and raises the run of
// consecutive hours that disagree as one hourly_mismatch alarm, resolved
// by the system once a later hour agrees. Only the logger's hour costs a
// read, once an hour.
func (r *Runner) mismatch(ctx context.Context, x monitoring.Rollup) error {
	if x.Period != monitoring.Hour || x.CN != "2061" || x.Count == 0 {
		return nil
	}
	rg := monitoring.Range{USCC: x.USCC, Outlet: x.Outlet, Code: x.Code, From: x.Start, To: x.Start.Add(time.Hour)}
	rs, err := r.s.Rollups(ctx, monitoring.Hour, rg)
	if err != nil {
		return err
	}
	var ours monitoring.Rollup
	for _, y := range rs {
		if y.CN == monitoring.RealTime {
			ours = y
		}
	}
	k := series{x.USCC, x.Outlet, x.Code}
	var open []Alarm
	for _, a := range r.open[k] {
		if a.Kind == Mismatch && !x.Start.Before(a.EndedAt) {
			open = append(open, a)
		}
	}
	if ours.Count == 0 || !disagree(x.Avg(), ours.Avg()) && len(open) == 0 {
		return nil
	}
	// Both series around it, to find the run.
	from := x.Start.Add(-48 * time.Hour)
	for _, a := range open {
		if a.StartedAt.Before(from) {
			from = a.StartedAt
		}
	}
	rg.From, rg.To = from, x.Start.Add(48*time.Hour)
	if rs, err = r.s.Rollups(ctx, monitoring.Hour, rg); err != nil {
		return err
	}
	both := map[int64][2]monitoring.Rollup{}
	for _, y := range rs {
		i := 0
		if y.CN == "2061" {
			i = 1
		} else if y.CN != monitoring.RealTime {
			continue
		}
		p := both[y.Start.Unix()]
		p[i] = y
		both[y.Start.Unix()] = p
	}
	bad := func(t time.Time) bool {
		p := both[t.Unix()]
		return p[0].Count > 0 && p[1].Count > 0 && disagree(p[0].Avg(), p[1].Avg())
	}
	t := x.Start
	if !bad(t) {
		if len(open) == 0 {
			return nil
		}
		t = open[0].StartedAt
	}
	for bad(t.Add(-time.Hour)) {
		t = t.Add(-time.Hour)
	}
	first := t
	type hour struct {
		Start  time.Time `json:"start"`
		Ours   float64   `json:"ours"`
		Logger float64   `json:"logger"`
		Count  int       `json:"count"`
	}
	var hs []hour
	peak := 0.0
	for ; bad(t); t = t.Add(time.Hour) {
		p := both[t.Unix()]
		hs = append(hs, hour{t, p[0].Avg(), p[1].Avg(), p[0].Count})
		peak = max(peak, math.Abs(p[1].Avg()-p[0].Avg())/math.Max(math.Abs(p[0].Avg()), math.Abs(p[1].Avg())))
	}
	if len(hs) == 0 {
		return nil
	}
	ev, err := json.Marshal(map[string]any{"rule": Mismatch, "share": MismatchShare, "periods": hs})
	if err != nil {
		return err
	}
	a := Alarm{Kind: Mismatch, State: Open, USCC: x.USCC, Outlet: x.Outlet, Pollutant: x.Code, StartedAt: first, EndedAt: t,
		LimitSource: fmt.Sprintf("数采仪小时均值与实时数据小时均值相差超过 %.0f%% / the logger's hourly mean differs from ours of its real-time values by over %.0f%%",
			100*MismatchShare, 100*MismatchShare),
		Peak: peak, Periods: len(hs), Evidence: ev}
	if err := r.s.RaiseAlarm(ctx, a); err != nil {
		return err
	}
	over := false
	for u, p := range both {
		over = over || u > t.Unix() && p[0].Count > 0 && p[1].Count > 0
	}
	if !over {
		r.open[k] = append(r.open[k], a)
		return nil
	}
	as, _, err := r.s.Alarms(ctx, AlarmFilter{Kind: Mismatch, USCC: a.USCC, Outlet: a.Outlet, Pollutant: a.Pollutant,
		States: []string{Open, Acknowledged}, From: first, To: first.Add(time.Second)})
	if err != nil {
		return err
	}
	for _, b := range as {
		b.State, b.EndedAt = Resolved, t
		b.ResolvedBy, b.ResolvedAt, b.ResolveReason = "system", r.Now().UTC().Format(time.RFC3339), "数采仪小时数据与实时数据一致 / the logger's hours agree with ours again"
		if err := r.s.SetAlarm(ctx, b); err != nil && !errors.Is(err, ErrStale) {
			return err
		}
	}
	return nil
}
