package app_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ecoindustry/internal/app"
	"ecoindustry/internal/config"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// TestLiveAlarmsInABrowser: the alarms page in chromium follows the alarm
// stream (decision 0027): an alarm written to the store appears in the
// list without a reload, marked as changed, and an officer acknowledges
// it from the list.
func TestLiveAlarmsInABrowser(t *testing.T) {
	exe := browser(t)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := config.Defaults()
	cfg.Data, cfg.HTTP, cfg.HJ212 = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	a, err := app.Open(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.LoadDemo(ctx, log, 1, 200))
	var out bytes.Buffer
	must(a.DemoAccounts(ctx, &out))
	f, err := os.Open(filepath.Join(cfg.Data, "demo-accounts.txt"))
	must(err)
	passwords := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if fs := strings.Fields(sc.Text()); len(fs) >= 3 {
			passwords[fs[0]] = fs[2]
		}
	}
	f.Close()
	addr, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- a.Serve(ctx, log, app.Serving{HTTP: app.HTTPDefaults(), Ingest: ingest.Defaults(),
			Prepare: func(_ context.Context, _ *slog.Logger, httpAddr, _ string) error { addr <- httpAddr; return nil }})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	var base string
	select {
	case h := <-addr:
		base = "http://" + h
	case err := <-done:
		t.Fatal(err)
	}
	alloc, stop := chromedp.NewExecAllocator(context.Background(), browserOptions(exe)...)
	defer stop()
	s := newSession(t, alloc, base)
	s.login("city-ecology", passwords["city-ecology"])
	s.open("/alarms?state=open")
	s.run("the stream connects", chromedp.WaitVisible(`#live-status[data-state="on"]`, chromedp.ByQuery))

	es, _, err := a.DB.Enterprises(ctx, registry.EnterpriseFilter{Status: "operating", Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("an enterprise: %v", err)
	}
	at := time.Now().Truncate(time.Hour)
	must(a.DB.RaiseAlarm(ctx, rules.Alarm{Kind: rules.Exceedance, State: rules.Open, USCC: es[0].USCC, Outlet: "DA001", Pollutant: "a21026",
		StartedAt: at, EndedAt: at.Add(time.Hour), Limit: 50, LimitSource: "GB 13271-2014", Peak: 80, Multiple: 1.6, Periods: 1}))
	as, _, err := a.DB.Alarms(ctx, rules.AlarmFilter{USCC: es[0].USCC, From: at, To: at.Add(time.Second)})
	if err != nil || len(as) != 1 {
		t.Fatalf("the alarm: %v %v", as, err)
	}
	row := "#alarm-" + strconv.FormatInt(as[0].ID, 10)
	start := time.Now()
	s.run("the alarm appears without a reload", chromedp.WaitVisible(`tr`+row+`.changed`, chromedp.ByQuery))
	t.Logf("written → shown in the browser: %d ms", time.Since(start).Milliseconds())
	// Acknowledged, the list (of open alarms) comes back without it.
	ack := `#ack-` + strconv.FormatInt(as[0].ID, 10)
	s.run("acknowledge from the list", chromedp.Click(ack+` button`, chromedp.ByQuery), chromedp.WaitNotPresent(ack, chromedp.ByQuery),
		chromedp.WaitVisible(`#live-status`, chromedp.ByQuery))
	got, err := a.DB.Alarm(ctx, as[0].ID)
	if err != nil || got.State != rules.Acknowledged || got.AcknowledgedBy != "city-ecology" {
		t.Fatalf("after acknowledging: %+v %v", got, err)
	}
}
