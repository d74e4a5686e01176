package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// event is one server-sent event as a client reads it.
type event struct {
	id    int64
	name  string
	alarm rules.Alarm
}

// stream is a client reading GET /api/v1/alarms/stream over a real
// connection.
type stream struct {
	resp   *http.Response
	events chan event
}

func openStream(t *testing.T, base, token, query string, header ...string) *stream {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/api/v1/alarms/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("stream%s: %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, events: make(chan event, 100)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				e.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[6:]), &e.alarm); err != nil {
					t.Errorf("event data %q: %v", line, err)
				}
			case line == "" && e.name != "":
				s.events <- e
				e = event{}
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next returns the next event, failing after a while without one.
func (s *stream) next(t *testing.T) event {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return event{}
}

// quiet checks that no event comes for a while.
func (s *stream) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-s.events:
		t.Fatalf("unexpected event %d: %s %s %s", e.id, e.alarm.Kind, e.alarm.USCC, e.alarm.State)
	case <-time.After(d):
	}
}

// TestAlarmStream runs two API servers over one store, as two `ecoind
// serve` processes: alarms raised by the rules (the store) and changed
// through the other server reach each stream that may see them and that
// the query passes, and a stream resumed from its last event id gets
// what it missed.
func TestAlarmStream(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *store.DB{
		"sqlite": func(t *testing.T) *store.DB {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "stream.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"postgres": func(t *testing.T) *store.DB {
			st, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	} {
		t.Run(name, func(t *testing.T) { testAlarmStream(t, open(t)) })
	}
}

func testAlarmStream(t *testing.T, st *store.DB) {
	ctx := context.Background()
	t.Cleanup(func() { st.Close() })
	entA := storetest.Ent
	entB := storetest.Ent
	entB.USCC, entB.County, entB.Park = storetest.USCC("331121", 2), "331121", ""
	if err := st.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, entA), tx.PutEnterprise(ctx, entB))
	}); err != nil {
		t.Fatal(err)
	}
	acc := auth.NewService(st)
	var urls [2]string
	var services [2]*rules.Service
	for i := range urls {
		services[i] = rules.NewService(st)
		a := api.New(registry.NewService(st), monitoring.NewService(st, st), compliance.NewService(st, st.Attachments(t.TempDir())),
			economy.NewService(st), acc, services[i], nil, slog.New(slog.NewTextHandler(t.Output(), nil)))
		srv := httptest.NewUnstartedServer(a.Handler())
		// The servers' limits as `ecoind serve` sets them, shortened: a
		// stream outlives both.
		srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
		srv.Config.RegisterOnShutdown(services[i].Close)
		srv.Start()
		t.Cleanup(srv.Close)
		t.Cleanup(services[i].Close) // first: the streams end, then the server
		urls[i] = srv.URL
	}
	e := &env{store: st, acc: acc}
	admin := e.as(t, auth.Account{Name: "admin", Role: auth.Admin})[1]
	county := e.as(t, auth.Account{Name: "county-a", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}})[1]
	ent := e.as(t, auth.Account{Name: "ent-b", Role: auth.Enterprise, Scope: auth.Scope{USCC: entB.USCC}})[1]

	services[0].SetMaxStreams(2)
	all := openStream(t, urls[0], admin, "")
	ofA := openStream(t, urls[1], county, "")
	gaps := openStream(t, urls[1], admin, "?kind=data_gap&state=open")
	ofB := openStream(t, urls[0], ent, "")
	// A server serves so many streams at once, no more.
	if code, body := get(t, urls[0], admin, "/api/v1/alarms/stream"); code != 429 || !strings.Contains(body, "告警推送连接已满") {
		t.Fatalf("a third stream: %d %s", code, body)
	}
	services[0].SetMaxStreams(rules.MaxSubscribers)

	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	raise := func(kind, uscc string, at time.Time) time.Time {
		t.Helper()
		a := rules.Alarm{Kind: kind, State: rules.Open, USCC: uscc, Outlet: "DA001", Pollutant: "a21026", StartedAt: at, EndedAt: at.Add(time.Hour),
			Limit: 50, LimitSource: "GB 13271-2014", Peak: 80, Multiple: 1.6, Periods: 1}
		if kind == rules.DataGap {
			a.Pollutant = ""
		}
		if err := st.RaiseAlarm(ctx, a); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	var lags []time.Duration
	lag := func(from time.Time) { lags = append(lags, time.Since(from)) }

	// An exceedance of enterprise A: the admin and county A see it; the
	// gaps' stream and enterprise B do not.
	sent := raise(rules.Exceedance, entA.USCC, t0)
	x := all.next(t)
	lag(sent)
	if x.name != "alarm" || x.alarm.Kind != rules.Exceedance || x.alarm.USCC != entA.USCC || x.alarm.County != "331102" || x.id != x.alarm.Seq || x.id == 0 {
		t.Fatalf("admin's event: %+v", x)
	}
	if y := ofA.next(t); y.id != x.id || y.alarm.ID != x.alarm.ID {
		t.Fatalf("county A's event %+v, want alarm %d", y, x.alarm.ID)
	}
	lag(sent)
	// A data gap of enterprise B: the admin, its enterprise and the gaps' stream.
	sent = raise(rules.DataGap, entB.USCC, t0)
	gap := all.next(t)
	lag(sent)
	if gap.alarm.Kind != rules.DataGap || gap.alarm.USCC != entB.USCC || gap.id <= x.id {
		t.Fatalf("admin's second event: %+v", gap)
	}
	for _, s := range []*stream{gaps, ofB} {
		if y := s.next(t); y.alarm.ID != gap.alarm.ID {
			t.Fatalf("event %+v, want the gap %d", y, gap.alarm.ID)
		}
	}
	ofA.quiet(t, time.Second)

	// Acknowledged through the other server: a change, with its new
	// version, to the streams that see it; no longer open, so not to the
	// open gaps' stream.
	code, body := post(t, urls[1], admin, fmt.Sprintf("/api/v1/alarms/%d/acknowledge", gap.alarm.ID),
		fmt.Sprintf(`{"version": %d, "comment": "已通知企业"}`, gap.alarm.Version))
	if code != 200 {
		t.Fatalf("acknowledge: %d %s", code, body)
	}
	var ack event
	for _, s := range []*stream{all, ofB} {
		if ack = s.next(t); ack.alarm.ID != gap.alarm.ID || ack.alarm.State != rules.Acknowledged || ack.alarm.Version != gap.alarm.Version+1 || ack.id <= gap.id {
			t.Fatalf("acknowledged event %+v", ack)
		}
	}
	gaps.quiet(t, time.Second)

	// A stream resumed from its last event gets what it missed, once, then
	// what comes.
	all.resp.Body.Close()
	missed := []int64{}
	for i := range 3 {
		raise(rules.Exceedance, entA.USCC, t0.Add(time.Duration(2+i)*time.Hour))
	}
	as, _, err := st.Alarms(ctx, rules.AlarmFilter{Kind: rules.Exceedance})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Seq > ack.id {
			missed = append(missed, a.ID)
		}
	}
	resumed := openStream(t, urls[0], admin, "", "Last-Event-ID", strconv.FormatInt(ack.id, 10))
	var got []int64
	for range 3 {
		got = append(got, resumed.next(t).alarm.ID)
	}
	slices.Sort(got)
	slices.Sort(missed)
	if !slices.Equal(got, missed) || len(got) != 3 {
		t.Fatalf("resumed with %v, want %v", got, missed)
	}
	sent = raise(rules.Exceedance, entA.USCC, t0.Add(10*time.Hour))
	if y := resumed.next(t); y.alarm.StartedAt.Equal(t0.Add(10 * time.Hour)) {
		lag(sent)
	} else {
		t.Fatalf("after the backlog: %+v", y)
	}
	resumed.quiet(t, time.Second)

	// Past the servers' read and write timeouts (1 s), the streams still
	// deliver.
	time.Sleep(1500 * time.Millisecond)
	sent = raise(rules.Exceedance, entA.USCC, t0.Add(20*time.Hour))
	if y := resumed.next(t); !y.alarm.StartedAt.Equal(t0.Add(20 * time.Hour)) {
		t.Fatalf("after the timeouts: %+v", y)
	}
	lag(sent)

	// A bad event id or time is refused with a bilingual error.
	for _, q := range []string{"?last_event_id=x", "?from=yesterday"} {
		if code, body := get(t, urls[0], admin, "/api/v1/alarms/stream"+q); code != 400 || !strings.Contains(body, "message_zh") {
			t.Fatalf("stream%s: %d %s", q, code, body)
		}
	}
	// Nobody unauthenticated listens.
	if code, _ := get(t, urls[0], "", "/api/v1/alarms/stream"); code != 401 {
		t.Fatalf("stream without a token: %d", code)
	}

	// Shutting a server down ends its streams.
	services[1].Close()
	for range ofA.events {
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	t.Logf("%s: raise → event over HTTP: %d events, median %v, max %v (poll every %v)", t.Name(), len(lags), lags[len(lags)/2], lags[len(lags)-1], rules.PollEvery)
}

// get asks path with the given Authorization header (none if empty).
func get(t *testing.T, base, token, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	// A stream answered where an error is wanted would never end.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// post sends a JSON body with the given Authorization header.
func post(t *testing.T, base, token, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
