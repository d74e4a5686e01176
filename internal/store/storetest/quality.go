package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// Outlet2 is a second outlet of the fixture enterprise, with a logger of
// its own.
var Outlet2 = registry.Outlet{USCC: Ent.USCC, OutletCode: "DA002", Kind: "air", Name: "锅炉废气排放口", Lon: 119.872, Lat: 28.422,
	HeightM: 20, MN: "888888800000000000000002", PW: "123456"}

// seedTwoOutlets is seedBoiler with Outlet2 beside the outlet.
func seedTwoOutlets(t *testing.T, s RulesStore) {
	seedBoiler(t, s, "operating")
	put(t, s, func(ctx context.Context, tx registry.Tx) error { return tx.PutOutlet(ctx, Outlet2) })
}

// series writes SO2 values for the hours of day0 given, one value every
// 20 minutes, at outlet (the fixture's or Outlet2), NOx of nox.
func series(t *testing.T, s monitoring.Store, outlet registry.Outlet, so2 map[int][3]float64, nox float64) {
	var batch []*monitoring.Received
	for h, vs := range so2 {
		for i, v := range vs {
			f := rtd(day0.Add(time.Duration(h)*time.Hour+time.Duration(i*20)*time.Minute), v, nox+float64(h*3+i), "N")
			f.Frame.MN, f.Outlet = outlet.MN, outlet.OutletCode
			batch = append(batch, f)
		}
	}
	write(t, s, batch...)
}

// copied is four hours of SO2 that two outlets share, as a copied series.
var copied = map[int][3]float64{0: {21, 23, 22}, 1: {24, 20.5, 26}, 2: {19, 22, 23.5}, 3: {30, 28, 27}}

func testDuplicateSeries(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedTwoOutlets(t, s)
	series(t, s, Outlet, copied, 100)
	r := runner(s)
	check(t, r.Follow(ctx))
	if as := alarms(t, s, rules.DuplicateSeries); len(as) != 0 {
		t.Fatalf("one outlet's series raised %+v", as)
	}
	series(t, s, Outlet2, copied, 200)
	check(t, r.Follow(ctx))
	check(t, r.Follow(ctx))
	as := alarms(t, s, rules.DuplicateSeries)
	a := one(t, as, 4, day0, day0.Add(4*time.Hour), rules.Open)
	if a.Outlet != Outlet.OutletCode || !strings.Contains(string(a.Evidence), `"outlet_code":"DA002"`) ||
		!strings.Contains(string(a.Evidence), `"outlet_code":"DA001"`) || !strings.Contains(string(a.Evidence), `"min_hours":3`) {
		t.Fatalf("alarm %+v: want it on DA001 naming DA002", a)
	}
	if m := quality(t, s); len(m) != 0 || len(alarms(t, s, rules.Exceedance)) != 0 {
		t.Fatalf("a copied series raised more: %+v", m)
	}
	// The copy ends: both send different hours after it.
	series(t, s, Outlet, map[int][3]float64{4: {10, 12, 11}, 5: {13, 12, 14}}, 100)
	series(t, s, Outlet2, map[int][3]float64{4: {15, 16, 18}, 5: {17, 19, 14}}, 200)
	check(t, r.Follow(ctx))
	one(t, alarms(t, s, rules.DuplicateSeries), 4, day0, day0.Add(4*time.Hour), rules.Resolved)
}

// testDuplicateShort: two hours alike, or identical flat hours (two
// stopped plants), are no copy.
func testDuplicateShort(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedTwoOutlets(t, s)
	r := runner(s)
	two := map[int][3]float64{0: copied[0], 1: copied[1], 2: {5, 6, 7}}
	series(t, s, Outlet, two, 100)
	two[2] = [3]float64{8, 6, 7}
	series(t, s, Outlet2, two, 200)
	flat := map[int][3]float64{5: {0, 0, 0}, 6: {0, 0, 0}, 7: {0, 0, 0}, 8: {0, 0, 0}}
	series(t, s, Outlet, flat, 100)
	series(t, s, Outlet2, flat, 200)
	check(t, r.Follow(ctx))
	if as := alarms(t, s, rules.DuplicateSeries); len(as) != 0 {
		t.Fatalf("two hours alike, or flat zeros, raised %+v", as)
	}
}

// testDuplicateAcrossRunners: each outlet's hours judged by another
// process still find each other (every process indexes every change).
func testDuplicateAcrossRunners(t *testing.T, a, b RulesStore) {
	ctx := context.Background()
	seedTwoOutlets(t, a)
	ra, rb := runner(a), runner(b)
	check(t, ra.Follow(ctx))
	check(t, rb.Follow(ctx))
	series(t, a, Outlet, copied, 100)
	check(t, ra.Follow(ctx))
	series(t, a, Outlet2, copied, 200)
	check(t, rb.Follow(ctx))
	one(t, alarms(t, b, rules.DuplicateSeries), 4, day0, day0.Add(4*time.Hour), rules.Open)
}

// frame is a frame of command cn of the fixture outlet with data time at,
// received at got, carrying code's field (Rtd or Avg) of v.
func frame(cn string, at, got time.Time, code, field string, v float64) *monitoring.Received {
	f := rtd(at, 0, 0, "N")
	f.Frame.CN, f.At = cn, got
	f.Frame.Values = []hj212.Value{{Code: code, Field: field, Value: v, Unit: "mg/m3", Flag: "N"}}
	f.Raw = []byte(fmt.Sprintf("##RAW;CN=%s;DataTime=%s;%s-%s=%g\r\n", cn, at.Format("20060102150405"), code, field, v))
	return f
}

// testClock: a logger's data time in the future, or years back, is
// placed at its receipt, and the hour raises one clock alarm.
func testClock(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	got := time.Now().Truncate(time.Second)
	hour := got.Truncate(time.Hour)
	write(t, s, frame("2011", got.Add(5*time.Hour), got, "a21026", "Rtd", 10),
		frame("2011", time.Date(2000, 1, 1, 0, 0, 0, 0, cst.Zone), got, "a21026", "Rtd", 12),
		frame("2011", hour.Add(-2*time.Hour), got, "a21026", "Rtd", 14))
	hs, err := s.Rollups(ctx, monitoring.Hour, monitoring.Range{USCC: Ent.USCC, Outlet: Outlet.OutletCode, Code: "a21026", CN: "2011",
		From: time.Date(1999, 1, 1, 0, 0, 0, 0, cst.Zone), To: got.Add(24 * time.Hour)})
	check(t, err)
	if len(hs) != 2 || !hs[1].Start.Equal(hour) || hs[1].Count != 2 || hs[1].Skewed != 2 || hs[1].Sum != 22 || hs[0].Skewed != 0 {
		t.Fatalf("hours %+v: want the two skewed values in the hour of their receipt", hs)
	}
	check(t, runner(s).Follow(ctx))
	as := alarms(t, s, rules.Clock)
	if len(as) != 1 || !as[0].StartedAt.Equal(hour) || as[0].Periods != 1 || as[0].Peak != 1 {
		t.Fatalf("clock alarms %+v", as)
	}
}

// testMagnitude: an hour a thousand times the day before's values raises
// a magnitude alarm; a start-up from zero does not.
func testMagnitude(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	yesterday := map[int][3]float64{-20: {20, 25, 30}, -18: {22, 27, 28}, -12: {0, 0.5, 1}}
	series(t, s, Outlet, yesterday, 100)
	r := runner(s)
	check(t, r.Follow(ctx))
	series(t, s, Outlet, map[int][3]float64{0: {24, 26, 25}, 1: {24000, 26000, 25000}, 2: {23, 24, 22}, 3: {23, 24, 22}}, 100)
	check(t, r.Follow(ctx))
	a := one(t, alarms(t, s, rules.Magnitude), 1, day0.Add(time.Hour), day0.Add(2*time.Hour), rules.Resolved)
	if a.Peak != 25000 {
		t.Fatalf("magnitude %+v", a)
	}
	// Values near zero are no change of scale where the day before had
	// zeros; a fresh process reads the day before it had not seen.
	series(t, s, Outlet, map[int][3]float64{5: {0.001, 0.002, 0.003}}, 100)
	check(t, r.Follow(ctx))
	series(t, s, Outlet, map[int][3]float64{7: {30000, 31000, 32000}}, 100)
	check(t, runner(s).Follow(ctx))
	if as := alarms(t, s, rules.Magnitude); len(as) != 2 || !as[0].StartedAt.Equal(day0.Add(7*time.Hour)) {
		t.Fatalf("magnitude alarms %+v: want the hours at 1 and 7", as)
	}
}

// testUnknownLimit: a concentration the catalogue has no limit for
// raises one unknown_limit alarm, resolved when a catalogue with its limit
// comes; flows raise none.
func testUnknownLimit(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	r := runner(s)
	for h := range 3 {
		at := day0.Add(time.Duration(h) * time.Hour)
		write(t, s, frame("2011", at, time.Now(), "a24088", "Rtd", 5), frame("2011", at.Add(time.Minute), time.Now(), "a00000", "Rtd", 3),
			frame("2011", at.Add(2*time.Minute), time.Now(), "x99999", "Rtd", 3))
		check(t, r.Follow(ctx))
	}
	check(t, runner(s).Follow(ctx))
	as := alarms(t, s, rules.UnknownLimit)
	if len(as) != 2 || as[0].State != rules.Open || as[1].State != rules.Open {
		t.Fatalf("unknown limits %+v, want one for a24088, one for x99999", as)
	}
	svc := rules.NewService(s)
	_, err := svc.ImportStandards(ctx, sys, "nmhc.csv", []byte("standard,scope,source_kind,pollutant_code,limit,unit,basis,reference_o2,effective_from,source,checked\n"+
		"地方标准,*,air,a24088,60,mg/m3,hour_zs,,2020-01-01,test,false\n"))
	check(t, err)
	at := day0.Add(3 * time.Hour)
	write(t, s, frame("2011", at, time.Now(), "a24088", "Rtd", 5))
	check(t, r.Follow(ctx))
	as, _, err = s.Alarms(ctx, rules.AlarmFilter{Kind: rules.UnknownLimit, Pollutant: "a24088"})
	check(t, err)
	if len(as) != 1 || as[0].State != rules.Resolved || as[0].ResolvedBy != "system" {
		t.Fatalf("a24088 once the catalogue has it: %+v", as)
	}
}

// testMismatch: the logger's own hourly mean a third off ours for two
// hours raises one hourly_mismatch alarm of two hours.
func testMismatch(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	ours := map[int][3]float64{0: {20, 22, 24}, 1: {20, 22, 24}, 2: {20, 22, 24}, 3: {20, 22, 24}, 4: {20, 22, 24}}
	series(t, s, Outlet, ours, 100)
	for h, avg := range []float64{21.5, 30, 31, 22.5, 21} {
		at := day0.Add(time.Duration(h) * time.Hour)
		write(t, s, frame("2061", at, time.Now(), "a21026", "Avg", avg))
	}
	check(t, runner(s).Follow(ctx))
	a := one(t, alarms(t, s, rules.Mismatch), 2, day0.Add(time.Hour), day0.Add(3*time.Hour), rules.Resolved)
	if !strings.Contains(string(a.Evidence), `"logger":30`) {
		t.Fatalf("mismatch %+v", a)
	}
}
