package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/app"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/config"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/simulate"
)

// TestDemoShowRaisesEveryKind runs the demo's show of alarms (its logger
// plan, four hours of backlog) against a real server on SQLite: its
// HJ 212 listener, writer, rollups and rules, with time compressed (a
// roll a second, a gap after 3 s of silence). Each misbehaving logger
// raises its kind of alarm, the silent one's gap ends when it speaks
// again, the copy sends the very hours of its original, and the original
// raises nothing.
func TestDemoShowRaisesEveryKind(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := config.Defaults()
	cfg.Data, cfg.HTTP, cfg.HJ212 = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	a, err := app.Open(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if err := a.LoadDemo(ctx, log, 1, 400); err != nil {
		t.Fatal(err)
	}
	ls, err := a.DemoLoggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	show, err := a.Show(ctx, ls, 4*time.Second, 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- a.Serve(ctx, log, app.Serving{HTTP: app.HTTPDefaults(), Ingest: ingest.Defaults(),
			RollEvery: time.Second, RulesEvery: 500 * time.Millisecond, GapAfter: 3 * time.Second,
			Prepare: func(ctx context.Context, log *slog.Logger, _, hj212Addr string) error {
				go simulate.Run(ctx, simulate.Config{Target: hj212Addr, Interval: time.Second, Seed: 1, Backlog: show.Backlog}, show.Loggers, log)
				return nil
			}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		a.Close()
	})
	uscc := map[string]string{} // MN → USCC
	outlets, err := a.DB.Outlets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outlets {
		uscc[o.MN] = o.USCC + "/" + o.OutletCode
	}
	kinds := []string{rules.Exceedance, rules.FlatLine, rules.Flag, rules.DataGap}
	want := map[string]string{} // outlet → the kind it must raise
	for i, k := range kinds {
		want[uscc[show.Loggers[i].MN]] = k
	}
	original, copied := show.Loggers[4], show.Loggers[5]
	if copied.Act == nil || copied.Act.Copy != original.MN {
		t.Fatalf("the copy: %+v", copied.Act)
	}
	var got map[string][]rules.Alarm
	deadline := time.Now().Add(3 * time.Minute)
	for {
		as, _, err := a.DB.Alarms(ctx, rules.AlarmFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got = map[string][]rules.Alarm{}
		for _, x := range as {
			got[x.USCC+"/"+x.Outlet] = append(got[x.USCC+"/"+x.Outlet], x)
		}
		ok := true
		for o, k := range want {
			has := false
			for _, x := range got[o] {
				has = has || x.Kind == k && (k != rules.DataGap || x.State == rules.Resolved)
			}
			ok = ok && has
		}
		ok = ok && len(got[uscc[original.MN]])+len(got[uscc[copied.MN]]) > 0
		if ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	for o, k := range want {
		var seen []string
		found := false
		for _, x := range got[o] {
			seen = append(seen, x.Kind+":"+x.State)
			found = found || x.Kind == k && (k != rules.DataGap || x.State == rules.Resolved && x.ResolvedBy == "system")
		}
		if !found {
			t.Errorf("%s (%s) raised %v, want %s%s", o, k, seen, k, map[bool]string{true: " resolved"}[k == rules.DataGap])
		}
	}
	// The pair raises duplicate_series alarms (one per pollutant), on the
	// first of the two by USCC and outlet, naming both (decision 0025), and
	// nothing else.
	pair := append(append([]rules.Alarm{}, got[uscc[original.MN]]...), got[uscc[copied.MN]]...)
	ok := len(pair) > 0
	for _, x := range pair {
		if x.Kind == rules.UnknownLimit && x.USCC+"/"+x.Outlet == uscc[copied.MN] {
			continue // the copy's outlet may have no limit for the original's pollutants: true, and not the point
		}
		ev := string(x.Evidence)
		ok = ok && x.Kind == rules.DuplicateSeries && strings.Contains(ev, uscc[original.MN][:18]) && strings.Contains(ev, uscc[copied.MN][:18])
	}
	if !ok {
		var seen []string
		for _, x := range pair {
			seen = append(seen, x.Kind+" "+x.USCC+"/"+x.Outlet+" "+string(x.Evidence))
		}
		t.Errorf("the original and its copy raised %v, want duplicate_series naming both (one per pollutant)", seen)
	}
	// The copy's hours, as its logger sent them, are the original's.
	svc := monitoring.NewService(a.DB, a.DB)
	var hours [2][]monitoring.Rollup
	for i, l := range []simulate.Logger{original, copied} {
		o := uscc[l.MN]
		hours[i], err = svc.Rollups(ctx, auth.Command("test"), monitoring.Hour, monitoring.Range{USCC: o[:18], Outlet: o[19:], CN: "2061",
			From: time.Now().Add(-5 * time.Hour), To: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(hours[0]) < 4*len(original.Pollutants) || len(hours[0]) != len(hours[1]) {
		t.Fatalf("hours sent: the original %d, the copy %d", len(hours[0]), len(hours[1]))
	}
	for i, x := range hours[0] {
		y := hours[1][i]
		if x.Code != y.Code || !x.Start.Equal(y.Start) || x.Sum != y.Sum || x.Min != y.Min || x.Max != y.Max {
			t.Errorf("hour %v %s: the original %v, the copy %v", x.Start, x.Code, x, y)
		}
	}
}
