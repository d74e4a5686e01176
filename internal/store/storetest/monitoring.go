package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
)

// RunMonitoring runs the monitoring store's part of the suite.
func RunMonitoring(t *testing.T, open func(t *testing.T) monitoring.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, monitoring.Store)
	}{
		{"ReadingsAndRollups", testReadingsAndRollups},
		{"ResendsAndRevisions", testResends},
		{"OlderAfterNewer", testOlderAfterNewer},
		{"LoggerMovedToAnotherOutlet", testLoggerMoved},
		{"ManyOutletsInABatch", testManyOutlets},
		{"LoggerAggregatesKeptBeside", testLoggerAggregates},
		{"BigBatch", testBigBatch},
		{"PasswordsMaskedInFrames", testPasswordsMasked},
		{"LoggerRollupsAndCou", testLoggerRollups},
		{"RollupChangesAndCursors", testRollupChanges},
		{"RollProgressMovedMeanwhile", testProgressMoved},
		{"LatestFramesAndLoggerFrames", testLatestFrames},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var day0 = time.Date(2026, 11, 30, 10, 0, 0, 0, cst.Zone)

// rtd is a real-time frame of the fixture outlet with SO2 and NOx values.
func rtd(at time.Time, so2, nox float64, flag string) *monitoring.Received {
	f := &hj212.Frame{Version: "2017", QN: at.Format("20060102150405") + "000", ST: "31", CN: "2011", PW: "123456",
		MN: Outlet.MN, Flag: 5, DataTime: at, Values: []hj212.Value{
			{Code: "a21026", Field: "Rtd", Value: so2, Unit: "mg/m3", Flag: flag},
			{Code: "a21026", Field: "Flag", Text: flag, IsText: true, Flag: flag},
			{Code: "a21002", Field: "Rtd", Value: nox, Unit: "mg/m3", Flag: "N"},
			{Code: "a21002", Field: "ZsRtd", Value: nox * 1.1, Unit: "mg/m3", Flag: "N"},
		}}
	raw := fmt.Sprintf("##RAW;DataTime=%s;a21026=%g,%s;a21002=%g\r\n", at.Format("20060102150405"), so2, flag, nox)
	return &monitoring.Received{Frame: f, Raw: []byte(raw), Peer: "127.0.0.1:50000", At: time.Now(), USCC: Ent.USCC, Outlet: Outlet.OutletCode}
}

// write stores a batch and rolls it up.
func write(t *testing.T, s monitoring.Store, batch ...*monitoring.Received) []monitoring.Outcome {
	t.Helper()
	out, err := s.WriteBatch(context.Background(), batch)
	check(t, err)
	_, err = monitoring.Roll(context.Background(), s, 100_000, 0)
	check(t, err)
	return out
}

func dayRange() monitoring.Range {
	return monitoring.Range{USCC: Ent.USCC, Outlet: Outlet.OutletCode, From: day0.Add(-10 * time.Hour), To: day0.Add(24 * time.Hour)}
}

func testReadingsAndRollups(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	out := write(t, s, rtd(day0, 10, 100, "N"), rtd(day0.Add(30*time.Second), 20, 110, "N"), rtd(day0.Add(time.Minute), 30, 120, "D"))
	equal(t, "outcomes", out, []monitoring.Outcome{monitoring.New, monitoring.New, monitoring.New})
	rs, err := s.Readings(ctx, dayRange())
	check(t, err)
	if len(rs) != 6 {
		t.Fatalf("%d readings, want 6", len(rs))
	}
	first := rs[1] // a21026 sorts after a21002
	if first.Code != "a21026" || *first.Rtd != 10 || first.Flag != "N" || !first.DataTime.Equal(day0) || first.Avg != nil || first.MN != Outlet.MN {
		t.Fatalf("first reading %+v", first)
	}
	if z := rs[0]; z.Code != "a21002" || z.ZsRtd == nil || *z.ZsRtd != 110.00000000000001 && *z.ZsRtd != 110 {
		t.Fatalf("NOx reading %+v", z)
	}
	one := dayRange()
	one.Code, one.Limit, one.Offset = "a21026", 1, 2
	rs, err = s.Readings(ctx, one)
	check(t, err)
	if len(rs) != 1 || *rs[0].Rtd != 30 || rs[0].Flag != "D" {
		t.Fatalf("third SO2 reading: %+v", rs)
	}
	so2 := dayRange()
	so2.Code = "a21026"
	for _, tc := range []struct {
		p    monitoring.Period
		want []monitoring.Rollup
	}{
		{monitoring.Minute, []monitoring.Rollup{
			{Period: monitoring.Minute, Start: day0, Count: 2, Sum: 30, Min: 10, Max: 20},
			{Period: monitoring.Minute, Start: day0.Add(time.Minute), Count: 1, Sum: 30, Min: 30, Max: 30, Flagged: 1}}},
		{monitoring.Hour, []monitoring.Rollup{{Period: monitoring.Hour, Start: day0, Count: 3, Sum: 60, Min: 10, Max: 30, Flagged: 1}}},
		{monitoring.Day, []monitoring.Rollup{{Period: monitoring.Day, Start: day0.Add(-10 * time.Hour), Count: 3, Sum: 60, Min: 10, Max: 30, Flagged: 1}}},
	} {
		got, err := s.Rollups(ctx, tc.p, so2)
		check(t, err)
		for i := range tc.want {
			tc.want[i].USCC, tc.want[i].Outlet, tc.want[i].Code, tc.want[i].CN = Ent.USCC, Outlet.OutletCode, "a21026", monitoring.RealTime
		}
		for i := range got {
			if got[i].Seq <= 0 {
				t.Errorf("%s rollup %d has seq %d", tc.p, i, got[i].Seq)
			}
			got[i].Seq = 0
			if !got[i].Start.Equal(tc.want[min(i, len(tc.want)-1)].Start) {
				t.Errorf("%s rollup %d starts %v", tc.p, i, got[i].Start)
			}
			got[i].Start = tc.want[min(i, len(tc.want)-1)].Start
		}
		equal(t, string(tc.p)+" rollups", got, tc.want)
	}
	// A second batch adds to the same rollups.
	write(t, s, rtd(day0.Add(90*time.Second), 40, 130, "N"))
	hour, err := s.Rollups(ctx, monitoring.Hour, so2)
	check(t, err)
	if len(hour) != 1 || hour[0].Count != 4 || hour[0].Max != 40 || hour[0].Avg() != 25 {
		t.Fatalf("hour after a second batch: %+v", hour)
	}
	frames, err := s.Frames(ctx, Outlet.MN, monitoring.Range{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
	check(t, err)
	if len(frames) != 4 || frames[0].DKey != "20261130100000" || frames[0].Frame != string(rtd(day0, 10, 100, "N").Raw) || frames[0].Peer == "" {
		t.Fatalf("frames: %+v", frames)
	}
}

func testResends(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	a := rtd(day0, 10, 100, "N")
	write(t, s, a)
	// The same frame again, twice in one batch with a changed one: a
	// duplicate, a revision, and the revision's own resend.
	b := rtd(day0, 11, 100, "N")
	out := write(t, s, rtd(day0, 10, 100, "N"), b, rtd(day0, 11, 100, "N"))
	equal(t, "outcomes", out, []monitoring.Outcome{monitoring.Duplicate, monitoring.Revision, monitoring.Duplicate})
	c := rtd(day0, 12, 100, "N")
	equal(t, "third version", write(t, s, c), []monitoring.Outcome{monitoring.Revision})
	rg := dayRange()
	rg.Code = "a21026"
	rs, err := s.Readings(ctx, rg)
	check(t, err)
	if len(rs) != 3 || rs[0].Revision != 0 || *rs[0].Rtd != 10 || rs[1].Revision != 1 || *rs[1].Rtd != 11 || rs[2].Revision != 2 {
		t.Fatalf("revisions: %+v", rs)
	}
	// The rollups count the original only.
	hour, err := s.Rollups(ctx, monitoring.Hour, rg)
	check(t, err)
	if len(hour) != 1 || hour[0].Count != 1 || hour[0].Sum != 10 {
		t.Fatalf("rollups after revisions: %+v", hour)
	}
}

// testOlderAfterNewer sends a logger's frames out of time order, as
// back-filled hours come: an older frame is new, and its resend is found
// although newer frames were stored since.
func testOlderAfterNewer(t *testing.T, s monitoring.Store) {
	t2, t1, t3 := day0.Add(time.Minute), day0, day0.Add(2*time.Minute)
	equal(t, "newer", write(t, s, rtd(t2, 2, 100, "N")), []monitoring.Outcome{monitoring.New})
	equal(t, "older", write(t, s, rtd(t1, 1, 100, "N")), []monitoring.Outcome{monitoring.New})
	equal(t, "resends", write(t, s, rtd(t1, 1, 100, "N"), rtd(t2, 2, 100, "N"), rtd(t3, 3, 100, "N"), rtd(t1, 9, 100, "N")),
		[]monitoring.Outcome{monitoring.Duplicate, monitoring.Duplicate, monitoring.New, monitoring.Revision})
	equal(t, "newest again", write(t, s, rtd(t3, 3, 100, "N"), rtd(t3, 4, 100, "N")),
		[]monitoring.Outcome{monitoring.Duplicate, monitoring.Revision})
}

// testLoggerMoved moves a logger to another outlet: each outlet's
// readings are the frames received for it.
func testLoggerMoved(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	before := rtd(day0, 1, 100, "N")
	after := rtd(day0.Add(time.Hour), 2, 100, "N")
	after.Outlet = "DA099"
	write(t, s, before, after)
	for _, c := range []struct {
		outlet string
		want   float64
	}{{Outlet.OutletCode, 1}, {"DA099", 2}} {
		rg := dayRange()
		rg.Outlet, rg.Code = c.outlet, "a21026"
		rs, err := s.Readings(ctx, rg)
		check(t, err)
		if len(rs) != 1 || *rs[0].Rtd != c.want || rs[0].Outlet != c.outlet {
			t.Fatalf("outlet %s: %+v", c.outlet, rs)
		}
	}
}

// testManyOutlets writes a batch of 100 outlets' first frames (on
// PostgreSQL their outlet_loggers rows go by COPY), twice: each outlet's
// readings are its frame.
func testManyOutlets(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	var batch []*monitoring.Received
	for i := range 100 {
		r := rtd(day0, float64(i), 100, "N")
		r.Frame.MN = fmt.Sprintf("%s%03d", Outlet.MN[:len(Outlet.MN)-3], i)
		r.Outlet = fmt.Sprintf("DA%03d", i)
		batch = append(batch, r)
	}
	write(t, s, batch...)
	write(t, s, batch...)
	for _, i := range []int{0, 57, 99} {
		rg := dayRange()
		rg.Outlet, rg.Code = fmt.Sprintf("DA%03d", i), "a21026"
		rs, err := s.Readings(ctx, rg)
		check(t, err)
		if len(rs) != 1 || *rs[0].Rtd != float64(i) {
			t.Fatalf("outlet %d: %+v", i, rs)
		}
	}
}

func testLoggerAggregates(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	m := rtd(day0, 0, 0, "N")
	m.Frame.CN = "2051"
	m.Frame.Values = []hj212.Value{
		{Code: "a21026", Field: "Avg", Value: 15, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Min", Value: 10, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Max", Value: 20, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Cou", Value: 0.5, Unit: "kg", Flag: "N"},
	}
	m.Raw = []byte("##MINUTE\r\n")
	write(t, s, m, rtd(day0, 12, 100, "N"))
	rg := dayRange()
	rg.CN, rg.Code = "2051", "a21026"
	rs, err := s.Readings(ctx, rg)
	check(t, err)
	if len(rs) != 1 || *rs[0].Avg != 15 || *rs[0].Min != 10 || *rs[0].Max != 20 || *rs[0].Cou != 0.5 || rs[0].Rtd != nil {
		t.Fatalf("the logger's minute data: %+v", rs)
	}
	minute, err := s.Rollups(ctx, monitoring.Minute, monitoring.Range{USCC: Ent.USCC, Outlet: Outlet.OutletCode, Code: "a21026", From: day0, To: day0.Add(time.Hour)})
	check(t, err)
	if len(minute) != 1 || minute[0].Count != 1 || minute[0].Sum != 12 {
		t.Fatalf("our minute rollup beside the logger's: %+v", minute)
	}
}

func testBigBatch(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	var batch []*monitoring.Received
	for i := range 500 {
		batch = append(batch, rtd(day0.Add(time.Duration(i)*30*time.Second), float64(i), 100, "N"))
	}
	out := write(t, s, batch...)
	for i, o := range out {
		if o != monitoring.New {
			t.Fatalf("frame %d: %v", i, o)
		}
	}
	rg := dayRange()
	rg.Code = "a21026"
	rs, err := s.Readings(ctx, rg)
	check(t, err)
	if len(rs) != 500 || *rs[499].Rtd != 499 {
		t.Fatalf("%d readings", len(rs))
	}
	day, err := s.Rollups(ctx, monitoring.Day, rg)
	check(t, err)
	if len(day) != 1 || day[0].Count != 500 || day[0].Sum != 499*500/2 {
		t.Fatalf("day rollup %+v", day)
	}
	again := write(t, s, batch...)
	for i, o := range again {
		if o != monitoring.Duplicate {
			t.Fatalf("resent frame %d: %v", i, o)
		}
	}
}

// testPasswordsMasked: the frames archived keep the password as received;
// the service shows them with it masked, in the header and in a
// set-password request's CP alike.
func testPasswordsMasked(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	a := rtd(day0, 10, 100, "N")
	a.Raw = []byte("##0101QN=20261130100000000;ST=31;CN=2011;PW=s3cret;MN=" + Outlet.MN + ";Flag=5;CP=&&DataTime=20261130100000;a21026-Rtd=10&&0000\r\n")
	b := rtd(day0.Add(time.Minute), 10, 100, "N")
	b.Frame.CN, b.Frame.DataTime, b.Frame.QN = "1072", time.Time{}, "20261130100100000"
	b.Raw = []byte("##0086QN=20261130100100000;ST=31;CN=1072;PW=s3cret;MN=" + Outlet.MN + ";Flag=5;CP=&&NewPW=n3w;PW=old&&0000\r\n")
	write(t, s, a, b)
	rg := monitoring.Range{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}
	stored, err := s.Frames(ctx, Outlet.MN, rg)
	check(t, err)
	if len(stored) != 2 || stored[0].Frame != string(a.Raw) || stored[1].Frame != string(b.Raw) {
		t.Fatalf("the archive changed the frames: %+v", stored)
	}
	shown, err := monitoring.NewService(s, nil).Frames(ctx, auth.Server("test"), Outlet.MN, rg)
	check(t, err)
	if len(shown) != 2 {
		t.Fatalf("%d frames shown", len(shown))
	}
	for i, f := range shown {
		if strings.Contains(f.Frame, "s3cret") || strings.Contains(f.Frame, "n3w") || strings.Contains(f.Frame, "=old") || !strings.Contains(f.Frame, ";PW=******;MN=") {
			t.Errorf("frame %d shown with a password: %s", i, f.Frame)
		}
	}
}

// hourly is the logger's own hourly data (2061) of the fixture outlet, or
// daily (2031): SO2 with its Avg, Min, Max and Cou, and a flow's total.
func hourly(cn string, at time.Time, avg, cou float64) *monitoring.Received {
	r := rtd(at, 0, 0, "N")
	r.Frame.CN = cn
	r.Frame.Values = []hj212.Value{
		{Code: "a21026", Field: "Avg", Value: avg, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Min", Value: avg - 5, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Max", Value: avg + 5, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Cou", Value: cou, Unit: "kg", Flag: "N"},
		{Code: "a00000", Field: "Cou", Value: 3600, Unit: "m3", Flag: "N"}, // a total without a mean: not counted
	}
	r.Raw = []byte(fmt.Sprintf("##%s;DataTime=%s;a21026-Avg=%g,a21026-Cou=%g\r\n", cn, at.Format("20060102150405"), avg, cou))
	return r
}

// testLoggerRollups: the logger's hourly and daily data are rolled apart
// from ours, their Avg summed with their own Min and Max; Cou values are
// summed in both; a revision of the logger's data counts no more than ours.
func testLoggerRollups(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	withCou := rtd(day0, 10, 100, "N")
	withCou.Frame.Values = append(withCou.Frame.Values, hj212.Value{Code: "a21026", Field: "Cou", Value: 0.25, Unit: "kg", Flag: "N"})
	write(t, s, withCou, rtd(day0.Add(time.Minute), 20, 100, "N"),
		hourly("2061", day0, 12, 1.5), hourly("2061", day0.Add(time.Hour), 14, 2.5), hourly("2031", day0.Add(-10*time.Hour), 13, 40))
	write(t, s, hourly("2061", day0, 99, 9)) // a revision
	rg := dayRange()
	rg.Code = "a21026"
	type row struct {
		cn                 string
		start              time.Time
		count              int
		sum, min, max, cou float64
	}
	for _, tc := range []struct {
		p    monitoring.Period
		cn   string
		want []row
	}{
		{monitoring.Hour, "2061", []row{{"2061", day0, 1, 12, 7, 17, 1.5}, {"2061", day0.Add(time.Hour), 1, 14, 9, 19, 2.5}}},
		{monitoring.Day, "2031", []row{{"2031", day0.Add(-10 * time.Hour), 1, 13, 8, 18, 40}}},
		{monitoring.Hour, monitoring.RealTime, []row{{"2011", day0, 2, 30, 10, 20, 0.25}}},
		{monitoring.Hour, "", []row{{"2011", day0, 2, 30, 10, 20, 0.25}, {"2061", day0, 1, 12, 7, 17, 1.5}, {"2061", day0.Add(time.Hour), 1, 14, 9, 19, 2.5}}},
		{monitoring.Day, "2061", nil},
	} {
		rg.CN = tc.cn
		rs, err := s.Rollups(ctx, tc.p, rg)
		check(t, err)
		var got []row
		for _, x := range rs {
			got = append(got, row{x.CN, x.Start.In(cst.Zone), x.Count, x.Sum, x.Min, x.Max, x.Cou})
		}
		for i := range tc.want {
			tc.want[i].start = tc.want[i].start.In(cst.Zone)
		}
		equal(t, fmt.Sprintf("%s rollups of %q", tc.p, tc.cn), got, tc.want)
	}
	flow := dayRange()
	flow.Code = "a00000"
	rs, err := s.Rollups(ctx, monitoring.Hour, flow)
	check(t, err)
	if len(rs) != 0 {
		t.Fatalf("a Cou without an Avg rolled: %+v", rs)
	}
}

// testRollupChanges follows the rollups as a consumer would: from its
// cursor, the rollups changed since, each with a larger seq.
func testRollupChanges(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	write(t, s, rtd(day0, 10, 100, "N"))
	const consumer = "exceedance"
	cur, err := s.Cursor(ctx, consumer)
	check(t, err)
	if cur != 0 {
		t.Fatalf("a new consumer's cursor at %d", cur)
	}
	first, err := s.RollupsSince(ctx, cur, 100)
	check(t, err)
	if len(first) != 6 { // two pollutants, three periods
		t.Fatalf("%d rollups changed, want 6: %+v", len(first), first)
	}
	for i := 1; i < len(first); i++ {
		if first[i].Seq <= first[i-1].Seq {
			t.Fatalf("seqs not increasing: %+v", first)
		}
	}
	last := first[len(first)-1].Seq
	check(t, s.MoveCursor(ctx, consumer, 0, last))
	if err := s.MoveCursor(ctx, consumer, 0, last+1); !errors.Is(err, monitoring.ErrMoved) {
		t.Fatalf("a cursor moved from where it was not: %v", err)
	}
	if err := s.MoveCursor(ctx, "load", 5, 6); !errors.Is(err, monitoring.ErrMoved) {
		t.Fatalf("a new cursor moved from 5: %v", err)
	}
	cur, err = s.Cursor(ctx, consumer)
	check(t, err)
	if cur != last {
		t.Fatalf("cursor at %d, want %d", cur, last)
	}
	// A value in the next minute: a new minute rollup per pollutant, and
	// the hour and day rollups changed again.
	write(t, s, rtd(day0.Add(time.Minute), 20, 100, "N"))
	next, err := s.RollupsSince(ctx, cur, 100)
	check(t, err)
	count := map[monitoring.Period]int{}
	for _, x := range next {
		if x.Seq <= last {
			t.Fatalf("rollup %+v from before the cursor", x)
		}
		count[x.Period]++
		if x.Code == "a21026" && x.Period == monitoring.Hour && (x.Count != 2 || x.Sum != 30) {
			t.Fatalf("changed hour %+v", x)
		}
	}
	equal(t, "rollups changed by period", count, map[monitoring.Period]int{monitoring.Minute: 2, monitoring.Hour: 2, monitoring.Day: 2})
	page, err := s.RollupsSince(ctx, 0, 4)
	check(t, err)
	if len(page) != 4 {
		t.Fatalf("a page of %d", len(page))
	}
}

// testProgressMoved: sums for a part whose progress another roll moved
// first are refused, and nothing of them is added.
func testProgressMoved(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	write(t, s, rtd(day0, 10, 100, "N"))
	progress, err := s.RollProgress(ctx)
	check(t, err)
	var pt monitoring.Part
	for _, p := range []monitoring.Part{{Period: monitoring.Hour, CN: monitoring.RealTime}} {
		for shard := range 32 {
			p.Shard = shard
			if progress[p.String()] > 0 {
				pt = p
			}
		}
	}
	if pt.Period == "" {
		t.Fatalf("no hour part rolled: %v", progress)
	}
	at := progress[pt.String()]
	add := monitoring.Addition{Part: pt, From: at - 1, Sums: []monitoring.Sum{{USCC: Ent.USCC, Outlet: Outlet.OutletCode, Code: "a21026", Start: "20261130100000", Count: 1, Sum: 5, Min: 5, Max: 5}}}
	if err := s.AddRollups(ctx, at+1, []monitoring.Addition{add}); !errors.Is(err, monitoring.ErrMoved) {
		t.Fatalf("added from a stale progress: %v", err)
	}
	rg := dayRange()
	rg.Code = "a21026"
	hour, err := s.Rollups(ctx, monitoring.Hour, rg)
	check(t, err)
	if len(hour) != 1 || hour[0].Count != 1 {
		t.Fatalf("hour after a refused addition: %+v", hour)
	}
	add.From = at
	check(t, s.AddRollups(ctx, at+1, []monitoring.Addition{add}))
	hour, err = s.Rollups(ctx, monitoring.Hour, rg)
	check(t, err)
	if len(hour) != 1 || hour[0].Count != 2 || hour[0].Min != 5 {
		t.Fatalf("hour after an addition: %+v", hour)
	}
}

// testLatestFrames: the frames received last come newest first; a
// logger's latest frame is by data time, so a back-filled older frame
// received last does not hide it.
func testLatestFrames(t *testing.T, s monitoring.Store) {
	ctx := context.Background()
	if fs, err := s.LoggerFrames(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("empty store: %v, %v", fs, err)
	}
	for i := range 3 {
		write(t, s, rtd(day0.Add(time.Duration(i)*time.Minute), 1, 2, "N"))
	}
	write(t, s, rtd(day0.Add(-time.Hour), 1, 2, "N"))
	fs, err := s.LatestFrames(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{day0.Add(-time.Hour).Format("20060102150405"), day0.Add(2 * time.Minute).Format("20060102150405")}
	if len(fs) != 2 || fs[0].DKey != want[0] || fs[1].DKey != want[1] || !strings.Contains(fs[0].Frame, "DataTime=") {
		t.Fatalf("latest frames: %+v, want data keys %v", fs, want)
	}
	ls, err := s.LoggerFrames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].MN != Outlet.MN || ls[0].CN != "2011" || ls[0].DKey != want[1] || ls[0].USCC != Ent.USCC || ls[0].Outlet != Outlet.OutletCode {
		t.Fatalf("logger frames: %+v, want %s 2011 at %s", ls, Outlet.MN, want[1])
	}
}
