package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

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
