package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/monitoring"
)

// DuplicateSeries is the alarm of one series sent as two outlets' (a
// known faking trick: one analyser's data reported for another outlet).
const DuplicateSeries = "duplicate_series"

// DuplicateHours is how many consecutive hours two outlets' series must
// be identical for to raise a duplicate_series alarm, unless
// Runner.DuplicateHours says otherwise.
const DuplicateHours = 3

// dupWindow is how long an hour's value stays in the index after its
// rollup last changed: a copy sent later than that is found from the next
// hour both send, whose check reads the earlier hours back.
const dupWindow = 2 * time.Hour

// seriesCN is an outlet's pollutant in one command's rollups (ours,
// 2011, or the logger's 2061): a copy is looked for in the same command.
type seriesCN struct{ uscc, outlet, code, cn string }

// dupKey finds the hours of other outlets with the same mean.
type dupKey struct {
	code, cn string
	start    int64
	mean     string // the mean to 10 significant digits: identical values share it
}

type dupEntry struct {
	key     dupKey
	touched time.Time
}

// dupIndex is the recent hour rollups by their mean, so that a changed
// hour finds the other outlets that had the same one without a read. Every
// process indexes every changed rollup, also those another process judged
// (seen runs ahead of the shared cursor's turns), since the copy may come
// in the other's turn.
type dupIndex struct {
	seen      int64
	byMean    map[dupKey][]seriesCN
	byHour    map[seriesCN]map[int64]dupEntry
	lastSweep time.Time
}

func newDupIndex() *dupIndex {
	return &dupIndex{seen: -1, byMean: map[dupKey][]seriesCN{}, byHour: map[seriesCN]map[int64]dupEntry{}}
}

// dupHour: an hour that can be compared: ours or the logger's, with data,
// not flat (two stopped plants both read zero, which copies nothing).
func dupHour(x monitoring.Rollup) bool {
	return x.Period == monitoring.Hour && (x.CN == monitoring.RealTime || x.CN == "2061") && x.Count > 0 && !same(x.Min, x.Max)
}

func meanKey(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

// add puts x's hour under its mean, in place of its mean before.
func (d *dupIndex) add(x monitoring.Rollup, now time.Time) {
	if x.Period != monitoring.Hour {
		return
	}
	s := seriesCN{x.USCC, x.Outlet, x.Code, x.CN}
	t := x.Start.Unix()
	if old, ok := d.byHour[s][t]; ok {
		d.remove(s, t, old.key)
	}
	if !dupHour(x) {
		return
	}
	k := dupKey{x.Code, x.CN, t, meanKey(x.Avg())}
	d.byMean[k] = append(d.byMean[k], s)
	if d.byHour[s] == nil {
		d.byHour[s] = map[int64]dupEntry{}
	}
	d.byHour[s][t] = dupEntry{k, now}
}

func (d *dupIndex) remove(s seriesCN, t int64, k dupKey) {
	d.byMean[k] = slices.DeleteFunc(d.byMean[k], func(o seriesCN) bool { return o == s })
	if len(d.byMean[k]) == 0 {
		delete(d.byMean, k)
	}
	delete(d.byHour[s], t)
	if len(d.byHour[s]) == 0 {
		delete(d.byHour, s)
	}
}

// sweep drops the hours unchanged for dupWindow, every tenth of it.
func (d *dupIndex) sweep(now time.Time) {
	if now.Sub(d.lastSweep) < dupWindow/10 {
		return
	}
	d.lastSweep = now
	for s, hs := range d.byHour {
		for t, e := range hs {
			if now.Sub(e.touched) > dupWindow {
				d.remove(s, t, e.key)
			}
		}
	}
}

// others are the other outlets whose same hour had x's mean.
func (d *dupIndex) others(x monitoring.Rollup) []seriesCN {
	var out []seriesCN
	for _, s := range d.byMean[dupKey{x.Code, x.CN, x.Start.Unix(), meanKey(x.Avg())}] {
		if s.uscc != x.USCC || s.outlet != x.Outlet {
			out = append(out, s)
		}
	}
	return out
}

// catchUp indexes the rollups changed up to seq that this process has not
// read: those of turns another process took. The first step starts at
// the cursor: an earlier copy is found from its next hour.
func (r *Runner) catchUp(ctx context.Context, seq int64) error {
	if r.dup.seen < 0 || r.dup.seen > seq {
		r.dup.seen = seq
		return nil
	}
	for r.dup.seen < seq {
		rows, err := r.s.RollupsSince(ctx, r.dup.seen, follow)
		if err != nil || len(rows) == 0 {
			return err
		}
		now := r.Now()
		for _, x := range rows {
			if x.Seq > seq {
				r.dup.seen = seq
				return nil
			}
			r.dup.add(x, now)
			r.dup.seen = x.Seq
			r.noteDay(x)
		}
	}
	return nil
}

// dupPair is two series found identical, and over which hours.
type dupPair struct {
	other      seriesCN
	first, end time.Time
	hours      []dupPeriod
	over       bool // both have a later hour: the run has ended
}

type dupPeriod struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
	Mean  float64   `json:"mean"`
	Min   float64   `json:"min"`
	Max   float64   `json:"max"`
}

// duplicate judges a changed hour for a series another outlet also sends:
// where its mean is in the index under another outlet, or its series is
// in an open duplicate_series alarm, it reads both series' hours and
// raises the run of identical hours that holds it, if DuplicateHours
// long, on the first outlet of those identical (by USCC and outlet code),
// the evidence naming them all; resolved by the system when both have an
// hour after the run.
func (r *Runner) duplicate(ctx context.Context, x monitoring.Rollup) error {
	if x.Period != monitoring.Hour || x.CN != monitoring.RealTime && x.CN != "2061" {
		return nil
	}
	self := seriesCN{x.USCC, x.Outlet, x.Code, x.CN}
	var cands []seriesCN
	anchor := x.Start
	if dupHour(x) {
		cands = r.dup.others(x)
	}
	for _, a := range r.dupOpen[self] {
		if x.Start.Before(a.EndedAt) {
			continue
		}
		for _, m := range dupMembers(a) {
			if m != self && !slices.Contains(cands, m) {
				cands = append(cands, m)
			}
		}
		if a.StartedAt.Before(anchor) {
			anchor = a.StartedAt
		}
	}
	if len(cands) == 0 {
		return nil
	}
	mine, err := r.hoursOf(ctx, self, anchor, x.Start)
	if err != nil {
		return err
	}
	n := r.DuplicateHours
	if n <= 0 {
		n = DuplicateHours
	}
	var found []dupPair
	for _, c := range cands {
		theirs, err := r.hoursOf(ctx, c, anchor, x.Start)
		if err != nil {
			return err
		}
		if p, ok := dupRun(mine, theirs, anchor, x.Start); ok && len(p.hours) >= n {
			p.other = c
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return nil
	}
	members := []seriesCN{self}
	first, end, over := found[0].first, found[0].end, true
	hours := found[0].hours
	for _, p := range found {
		members = append(members, p.other)
		if p.first.Before(first) {
			first = p.first
		}
		if p.end.After(end) {
			end = p.end
		}
		over = over && p.over
		if len(p.hours) > len(hours) {
			hours = p.hours
		}
	}
	slices.SortFunc(members, func(a, b seriesCN) int {
		return strings.Compare(a.uscc+"\x00"+a.outlet, b.uscc+"\x00"+b.outlet)
	})
	outlets := make([]map[string]string, len(members))
	for i, m := range members {
		outlets[i] = map[string]string{"uscc": m.uscc, "outlet_code": m.outlet}
	}
	ev, err := json.Marshal(map[string]any{"rule": DuplicateSeries, "min_hours": n, "cn": x.CN, "outlets": outlets, "periods": hours})
	if err != nil {
		return err
	}
	peak := 0.0
	for _, h := range hours {
		peak = max(peak, h.Mean)
	}
	owner := members[0]
	a := Alarm{Kind: DuplicateSeries, State: Open, USCC: owner.uscc, Outlet: owner.outlet, Pollutant: x.Code, StartedAt: first, EndedAt: end,
		LimitSource: fmt.Sprintf("与其他排口同一小时序列连续 %d 小时以上 / the same hourly series as another outlet's for %d hours or more", n, n),
		Peak:        peak, Periods: int(end.Sub(first) / time.Hour), Evidence: ev}
	if err := r.s.RaiseAlarm(ctx, a); err != nil {
		return err
	}
	if !over {
		return nil
	}
	as, _, err := r.s.Alarms(ctx, AlarmFilter{Kind: DuplicateSeries, USCC: a.USCC, Outlet: a.Outlet, Pollutant: a.Pollutant,
		States: []string{Open, Acknowledged}, From: first, To: first.Add(time.Second)})
	if err != nil {
		return err
	}
	for _, b := range as {
		b.State, b.EndedAt = Resolved, end
		b.ResolvedBy, b.ResolvedAt, b.ResolveReason = "system", r.Now().UTC().Format(time.RFC3339), "两个排口的数据已不再相同 / the outlets' data differ again"
		if err := r.s.SetAlarm(ctx, b); err != nil && !errors.Is(err, ErrStale) {
			return err
		}
	}
	for _, m := range members {
		r.dupOpen[m] = slices.DeleteFunc(r.dupOpen[m], func(b Alarm) bool { return b.USCC == a.USCC && b.Outlet == a.Outlet && b.StartedAt.Equal(first) })
	}
	return nil
}

// hoursOf reads a series' hours from 48 h before from to 48 h after to.
func (r *Runner) hoursOf(ctx context.Context, s seriesCN, from, to time.Time) (map[int64]monitoring.Rollup, error) {
	rs, err := r.s.Rollups(ctx, monitoring.Hour, monitoring.Range{USCC: s.uscc, Outlet: s.outlet, Code: s.code, CN: s.cn,
		From: from.Add(-48 * time.Hour), To: to.Add(48 * time.Hour)})
	hs := make(map[int64]monitoring.Rollup, len(rs))
	for _, y := range rs {
		if y.Count > 0 {
			hs[y.Start.Unix()] = y
		}
	}
	return hs, err
}

// dupRun is the run of hours identical in a and b (the same mean, minimum
// and maximum, not flat) that holds at, or, where at is not identical,
// the one that holds anchor (an open alarm's start).
func dupRun(a, b map[int64]monitoring.Rollup, anchor, at time.Time) (dupPair, bool) {
	ident := func(t time.Time) bool {
		x, ok1 := a[t.Unix()]
		y, ok2 := b[t.Unix()]
		return ok1 && ok2 && dupHour(x) && dupHour(y) && same(x.Avg(), y.Avg()) && same(x.Min, y.Min) && same(x.Max, y.Max)
	}
	t := at
	if !ident(t) {
		if t = anchor; !ident(t) {
			return dupPair{}, false
		}
	}
	for ident(t.Add(-time.Hour)) {
		t = t.Add(-time.Hour)
	}
	p := dupPair{first: t}
	for ; ident(t); t = t.Add(time.Hour) {
		x := a[t.Unix()]
		p.hours = append(p.hours, dupPeriod{x.Start, x.Count, x.Avg(), x.Min, x.Max})
	}
	p.end = t
	for u := range a {
		if _, ok := b[u]; ok && u > t.Unix() {
			p.over = true
		}
	}
	return p, true
}

// dupMembers are the series an open duplicate_series alarm names.
func dupMembers(a Alarm) []seriesCN {
	var ev struct {
		CN      string `json:"cn"`
		Outlets []struct {
			USCC   string `json:"uscc"`
			Outlet string `json:"outlet_code"`
		} `json:"outlets"`
	}
	if json.Unmarshal(a.Evidence, &ev) != nil {
		return nil
	}
	var out []seriesCN
	for _, o := range ev.Outlets {
		out = append(out, seriesCN{o.USCC, o.Outlet, a.Pollutant, ev.CN})
	}
	return out
}
