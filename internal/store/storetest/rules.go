package storetest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// RulesStore is what the rules' tests need of a store: the registry to
// seed, the monitoring data to write and roll, and the rules' own.
type RulesStore interface {
	registry.Store
	monitoring.Store
	rules.Store
}

// RunRules runs the rules' part of the suite. open returns two stores
// over one new database, as two processes would have.
func RunRules(t *testing.T, open func(t *testing.T) (RulesStore, RulesStore)) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, RulesStore, RulesStore)
	}{
		{"ThreeHoursOverOneAlarm", testThreeHours},
		{"LongExceedanceOneAlarm", testLongExceedance},
		{"StricterPermitWins", testStricterPermit},
		{"DataGapRaisedAndResolved", testDataGap},
		{"TwoRunnersOneAlarm", testTwoRunners},
		{"StandardsRefusedWhole", testStandardsRefused},
		{"QualityNoneOnNormalData", testQualityNormal},
		{"FlatLineRaisedAndResolved", testFlatLine},
		{"FlaggedHoursOneAlarm", testFlagged},
		{"NegativeConcentrationOneAlarm", testOutOfRange},
		{"CopiedSeriesOneAlarm", testDuplicateSeries},
		{"ShortOrFlatNotCopied", testDuplicateShort},
		{"CopiedSeriesAcrossRunners", testDuplicateAcrossRunners},
		{"ClockOffPlacedByReceipt", testClock},
		{"MagnitudeChangeOneAlarm", testMagnitude},
		{"UnknownLimitRaisedAndResolved", testUnknownLimit},
		{"LoggerHourlyMismatch", testMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) { a, b := open(t); tc.fn(t, a, b) })
	}
}

// seedBoiler puts the fixture enterprise (status as given) with its
// outlet treated by a gas-fired boiler: GB 13271-2014 table 2 limits it
// to SO2 50 mg/m3.
func seedBoiler(t *testing.T, s RulesStore, status string, permits ...registry.PermitLimit) {
	e := Ent
	e.Status = status
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		errs := []error{tx.PutPark(ctx, Park), tx.PutEnterprise(ctx, e), tx.PutOutlet(ctx, Outlet),
			tx.PutFacility(ctx, registry.Facility{USCC: Ent.USCC, FacilityCode: "TA001", Kind: "燃气锅炉", OutletCode: Outlet.OutletCode, InService: true})}
		for _, p := range permits {
			errs = append(errs, tx.PutPermit(ctx, p))
		}
		return errors.Join(errs...)
	})
}

// exceedHours writes SO2 of 30 in the hour before day0, 100 and 100, 140
// and 100 over day0's three hours, and 30 in the hour after: three hours
// over 50, the peak hour's mean 120.
func exceedHours(t *testing.T, s monitoring.Store) {
	var batch []*monitoring.Received
	for _, v := range []struct {
		h   int
		so2 []float64
	}{{-1, []float64{30, 30}}, {0, []float64{100, 100}}, {1, []float64{100, 140}}, {2, []float64{100, 100}}, {3, []float64{30, 30}}} {
		for i, so2 := range v.so2 {
			batch = append(batch, rtd(day0.Add(time.Duration(v.h)*time.Hour+time.Duration(i*30)*time.Minute), so2, 100, "N"))
		}
	}
	write(t, s, batch...)
}

func runner(s rules.Store) *rules.Runner { return rules.NewRunner(s, slog.New(slog.DiscardHandler)) }

func alarms(t *testing.T, s rules.Store, kind string) []rules.Alarm {
	t.Helper()
	as, n, err := s.Alarms(context.Background(), rules.AlarmFilter{Kind: kind})
	check(t, err)
	if n != len(as) {
		t.Fatalf("%d alarms counted, %d listed", n, len(as))
	}
	return as
}

func testThreeHours(t *testing.T, s, _ RulesStore) {
	seedBoiler(t, s, "operating")
	exceedHours(t, s)
	r := runner(s)
	check(t, r.Follow(context.Background()))
	check(t, r.Follow(context.Background())) // nothing new: nothing raised again
	as := alarms(t, s, rules.Exceedance)
	if len(as) != 1 {
		t.Fatalf("%d alarms, want 1: %+v", len(as), as)
	}
	a := as[0]
	if a.Periods != 3 || a.Pollutant != "a21026" || a.Limit != 50 || a.Peak != 120 || a.Multiple != 2.4 ||
		!a.StartedAt.Equal(day0) || !a.EndedAt.Equal(day0.Add(3*time.Hour)) || a.State != rules.Open || a.County != Ent.County {
		t.Fatalf("alarm %+v", a)
	}
	if !strings.HasPrefix(a.LimitSource, "GB 13271-2014") || !strings.Contains(string(a.Evidence), `"checked":true`) {
		t.Fatalf("limit from %q, evidence %s", a.LimitSource, a.Evidence)
	}
	got, err := s.Alarm(context.Background(), a.ID)
	check(t, err)
	if got.ID != a.ID || got.Version != 1 {
		t.Fatalf("alarm by id: %+v", got)
	}
}

// testLongExceedance: an exceedance that goes on for three days, judged
// as its hours arrive, stays one alarm with one start, longer than the
// two days around an hour the rule reads.
func testLongExceedance(t *testing.T, s, _ RulesStore) {
	seedBoiler(t, s, "operating")
	r := runner(s)
	for day := 0; day < 3; day++ {
		var batch []*monitoring.Received
		for h := 24 * day; h < 24*(day+1); h++ {
			batch = append(batch, rtd(day0.Add(time.Duration(h)*time.Hour), 100, 100, "N"))
		}
		write(t, s, batch...)
		check(t, r.Follow(context.Background()))
	}
	as := alarms(t, s, rules.Exceedance)
	if len(as) != 1 || !as[0].StartedAt.Equal(day0) || as[0].Periods != 72 {
		t.Fatalf("%d alarms, want one from %s of 72 hours: %+v", len(as), day0, as)
	}
}

func testStricterPermit(t *testing.T, s, _ RulesStore) {
	p := Permit
	p.PollutantCode, p.LimitConcentration, p.ValidTo = "a21026", 40, "2099-12-31"
	loose := p
	loose.PermitNo, loose.OutletCode = "LOOSE", "DA002"
	seedBoiler(t, s, "operating", p)
	exceedHours(t, s)
	check(t, runner(s).Follow(context.Background()))
	as := alarms(t, s, rules.Exceedance)
	if len(as) != 1 || as[0].Limit != 40 || as[0].LimitSource != "permit "+p.PermitNo || as[0].Multiple != 3 {
		t.Fatalf("alarms %+v: want the permit's 40", as)
	}
	// A looser permit leaves the standard's limit.
	site := rules.Site{Enterprise: Ent, Outlet: Outlet, Facilities: []string{"燃气锅炉"}, Permits: []registry.PermitLimit{{PermitNo: "L", OutletCode: "DA001",
		PollutantCode: "a21026", LimitConcentration: 80, LimitUnit: "mg/m3"}}}
	if l, ok := rules.LimitFor(rules.BuiltIn(), site, "a21026", day0); !ok || l.Value != 50 || !strings.HasPrefix(l.Source, "GB 13271-2014") {
		t.Fatalf("a looser permit: %+v", l)
	}
}

// silentFrame is a frame of the fixture's logger received at at.
func silentFrame(t *testing.T, s monitoring.Store, at time.Time) {
	f := rtd(at, 10, 100, "N")
	f.At = at
	_, err := s.WriteBatch(context.Background(), []*monitoring.Received{f})
	check(t, err)
}

func testDataGap(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	t0 := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	silentFrame(t, s, t0)
	r := runner(s)
	r.Now = func() time.Time { return t0.Add(30 * time.Minute) }
	check(t, r.Gaps(ctx))
	if as := alarms(t, s, rules.DataGap); len(as) != 0 {
		t.Fatalf("a gap after 30 minutes: %+v", as)
	}
	r.Now = func() time.Time { return t0.Add(2 * time.Hour) }
	check(t, r.Gaps(ctx))
	check(t, r.Gaps(ctx))
	as := alarms(t, s, rules.DataGap)
	if len(as) != 1 || as[0].State != rules.Open || !as[0].StartedAt.Equal(t0) {
		t.Fatalf("gaps %+v, want one open since %v", as, t0)
	}
	silentFrame(t, s, t0.Add(2*time.Hour+time.Minute))
	r.Now = func() time.Time { return t0.Add(2*time.Hour + 2*time.Minute) }
	check(t, r.Gaps(ctx))
	as = alarms(t, s, rules.DataGap)
	if len(as) != 1 || as[0].State != rules.Resolved || as[0].ResolvedBy != "system" || !as[0].EndedAt.Equal(t0.Add(2*time.Hour+time.Minute)) {
		t.Fatalf("gaps %+v, want the one resolved", as)
	}

	// A closed enterprise expects nothing.
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		e := Ent
		e.Status = "closed"
		return tx.PutEnterprise(ctx, e)
	})
	r.Now = func() time.Time { return t0.Add(10 * time.Hour) }
	check(t, r.Gaps(ctx))
	if as := alarms(t, s, rules.DataGap); len(as) != 1 {
		t.Fatalf("a closed enterprise's silence raised: %+v", as)
	}
}

func testTwoRunners(t *testing.T, a, b RulesStore) {
	seedBoiler(t, a, "operating")
	exceedHours(t, a)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i, s := range []rules.Store{a, b, a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = runner(s).Follow(context.Background()) }()
	}
	wg.Wait()
	check(t, errors.Join(errs...))
	if as := alarms(t, b, rules.Exceedance); len(as) != 1 || as[0].Periods != 3 {
		t.Fatalf("alarms %+v, want one of three periods", as)
	}
}

func testStandardsRefused(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	svc := rules.NewService(s)
	good := "standard,scope,source_kind,pollutant_code,limit,unit,basis,reference_o2,effective_from,source,checked\n" +
		"地方标准,2925,air,a21026,35,mg/m3,hour_zs,,2020-01-01,test,false\n"
	n, err := svc.ImportStandards(ctx, sys, "good.csv", []byte(good))
	check(t, err)
	if n != 1 {
		t.Fatalf("%d rows imported", n)
	}
	bad := good + "地方标准,2925,air,a21002,abc,mg/m3,hour_zs,,2020-01-01,test,false\n"
	_, err = svc.ImportStandards(ctx, sys, "bad.csv", []byte(bad))
	var inv *registry.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 1 || inv.Problems[0].String() != `bad.csv:3:limit: "abc" 不是正数 / "abc" is not a positive number` {
		t.Fatalf("a bad file: %v", err)
	}
	cat, err := svc.Standards(ctx, sys)
	check(t, err)
	if cat.BuiltIn || len(cat.Items) != 1 || cat.Items[0].Limit != 35 {
		t.Fatalf("the catalogue after a refused file: %+v", cat)
	}
}

// hours writes, for each hour h of day0 given, SO2 values half an hour
// apart with their flags ("N" where none given), and NOx that varies.
func hours(t *testing.T, s monitoring.Store, so2 map[int][]float64, flags map[int][]string) {
	var batch []*monitoring.Received
	for h, vs := range so2 {
		for i, v := range vs {
			flag := "N"
			if i < len(flags[h]) {
				flag = flags[h][i]
			}
			batch = append(batch, rtd(day0.Add(time.Duration(h)*time.Hour+time.Duration(i*30)*time.Minute), v, 100+float64(2*h+i), flag))
		}
	}
	write(t, s, batch...)
}

// quality returns the alarms of the three data-quality kinds.
func quality(t *testing.T, s rules.Store) map[string][]rules.Alarm {
	m := map[string][]rules.Alarm{}
	for _, k := range []string{rules.FlatLine, rules.Flag, rules.OutOfRange} {
		if as := alarms(t, s, k); len(as) > 0 {
			m[k] = as
		}
	}
	return m
}

func testQualityNormal(t *testing.T, s, _ RulesStore) {
	seedBoiler(t, s, "operating")
	hours(t, s, map[int][]float64{-1: {10, 12}, 0: {11, 13}, 1: {0, 14}, 2: {12, 12.5}, 3: {10, 11}}, map[int][]string{1: {"N", "M"}})
	check(t, runner(s).Follow(context.Background()))
	if m := quality(t, s); len(m) != 0 {
		t.Fatalf("normal data raised %+v", m)
	}
}

// one checks that as is one alarm of n periods over [from, to),
// resolved by the system or open.
func one(t *testing.T, as []rules.Alarm, n int, from, to time.Time, state string) rules.Alarm {
	t.Helper()
	if len(as) != 1 || as[0].Periods != n || !as[0].StartedAt.Equal(from) || !as[0].EndedAt.Equal(to) || as[0].State != state ||
		as[0].Pollutant != "a21026" || state == rules.Resolved && as[0].ResolvedBy != "system" {
		t.Fatalf("alarms %+v, want one %s of %d hours from %v to %v", as, state, n, from, to)
	}
	return as[0]
}

func testFlatLine(t *testing.T, s, _ RulesStore) {
	ctx := context.Background()
	seedBoiler(t, s, "operating")
	// Two flat hours are not yet a flat line.
	hours(t, s, map[int][]float64{-1: {30, 40}, 0: {25, 25}, 1: {25, 25}}, nil)
	check(t, runner(s).Follow(ctx))
	if m := quality(t, s); len(m) != 0 {
		t.Fatalf("two flat hours raised %+v", m)
	}
	hours(t, s, map[int][]float64{2: {25, 25}, 3: {25, 25}}, nil)
	check(t, runner(s).Follow(ctx))
	m := quality(t, s)
	a := one(t, m[rules.FlatLine], 4, day0, day0.Add(4*time.Hour), rules.Open)
	if len(m) != 1 || a.Peak != 25 || !strings.Contains(string(a.Evidence), `"min_hours":3`) {
		t.Fatalf("alarms %+v", m)
	}
	// The line ends: the alarm is resolved, in a later step.
	hours(t, s, map[int][]float64{4: {30, 35}, 5: {31, 33}}, nil)
	check(t, runner(s).Follow(ctx))
	one(t, quality(t, s)[rules.FlatLine], 4, day0, day0.Add(4*time.Hour), rules.Resolved)

	// A closed plant's flat line is expected.
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		e := Ent
		e.Status = "closed"
		return tx.PutEnterprise(ctx, e)
	})
	hours(t, s, map[int][]float64{10: {0, 0}, 11: {0, 0}, 12: {0, 0}, 13: {0, 0}, 14: {1, 2}, 15: {1, 3}}, nil)
	check(t, runner(s).Follow(ctx))
	if as := quality(t, s)[rules.FlatLine]; len(as) != 1 {
		t.Fatalf("a closed plant's zeros raised %+v", as)
	}
}

func testFlagged(t *testing.T, s, _ RulesStore) {
	seedBoiler(t, s, "operating")
	hours(t, s, map[int][]float64{-1: {10, 12}, 0: {11, 13}, 1: {10, 14}, 2: {12, 12.5}, 3: {10, 11}},
		map[int][]string{0: {"M", "M"}, 1: {"C", "D"}, 2: {"M", "N"}})
	check(t, runner(s).Follow(context.Background()))
	m := quality(t, s)
	a := one(t, m[rules.Flag], 2, day0, day0.Add(2*time.Hour), rules.Resolved)
	if len(m) != 1 || a.Peak != 1 || !strings.Contains(string(a.Evidence), `"flagged":2`) {
		t.Fatalf("alarms %+v", m)
	}
}

func testOutOfRange(t *testing.T, s, _ RulesStore) {
	seedBoiler(t, s, "operating")
	hours(t, s, map[int][]float64{-1: {10, 12}, 0: {-5, 13}, 1: {-3, 14}, 2: {12, 12.5}, 3: {10, 11}}, nil)
	check(t, runner(s).Follow(context.Background()))
	m := quality(t, s)
	a := one(t, m[rules.OutOfRange], 2, day0, day0.Add(2*time.Hour), rules.Resolved)
	if len(m) != 1 || a.Peak != -5 || !strings.Contains(string(a.Evidence), `"min":-5`) {
		t.Fatalf("alarms %+v", m)
	}
}
