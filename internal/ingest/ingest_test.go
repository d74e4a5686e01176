package ingest_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/metrics"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

type env struct {
	addr  string
	store *store.DB
	m     *metrics.Metrics
}

// start runs a server over a registry holding the fixture outlet.
func start(t *testing.T, edit func(*ingest.Config), watch ...ingest.Watcher) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "i.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent), tx.PutOutlet(ctx, storetest.Outlet))
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := metrics.New()
	w := monitoring.NewWriter(db, 256, log, m)
	wctx, stopWriter := context.WithCancel(context.Background())
	go w.Run(wctx)
	cfg := ingest.Defaults()
	cfg.IdleTimeout = 2 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	srv := ingest.New(cfg, ingest.NewDirectory(db, time.Minute), w, log, m)
	for _, wt := range watch {
		srv.Watch(wt)
	}
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		stopWriter()
		db.Close()
	})
	return &env{addr: ln.Addr().String(), store: db, m: m}
}

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, cst.Zone)

// frame encodes a frame of the fixture logger.
func frame(t *testing.T, cn string, at time.Time, so2 float64, mutate ...func(*hj212.Frame)) []byte {
	t.Helper()
	f := &hj212.Frame{Version: "2017", QN: at.Format("20060102150405") + "000", ST: "31", CN: cn, PW: storetest.Outlet.PW,
		MN: storetest.Outlet.MN, Flag: 5, DataTime: at, Values: []hj212.Value{
			{Code: "a21026", Field: "Rtd", Value: so2}, {Code: "a21026", Field: "Flag", Text: "N", IsText: true},
			{Code: "a21002", Field: "Rtd", Value: 100}, {Code: "a21002", Field: "Flag", Text: "N", IsText: true}}}
	for _, m := range mutate {
		m(f)
	}
	b, err := hj212.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type client struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c, bufio.NewReader(c)}
}

// answer reads one answer frame and decodes it.
func (c *client) answer(t *testing.T) *hj212.Frame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	f, err := hj212.Decode(line, hj212.Options{})
	if err != nil {
		t.Fatalf("answer %q: %v", line, err)
	}
	return f
}

// closed reports whether the server closes the connection within d.
func (c *client) closed(d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(c.r)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

func readings(t *testing.T, e *env, code string) []monitoring.Reading {
	t.Helper()
	rs, err := e.store.Readings(context.Background(), monitoring.Range{USCC: storetest.Ent.USCC, Outlet: storetest.Outlet.OutletCode,
		Code: code, From: t0.Add(-24 * time.Hour), To: t0.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestStreamFraming sends frames several to a write, cut at every byte,
// and with garbage between: every frame is answered once and stored once.
func TestStreamFraming(t *testing.T) {
	e := start(t, nil)
	c := dial(t, e.addr)
	var stream []byte
	n := 0
	for i := range 3 {
		stream = append(stream, frame(t, "2011", t0.Add(time.Duration(i)*30*time.Second), float64(i))...)
		n++
	}
	stream = append(stream, []byte("garbage\x00\xff## not a frame\r\n")...)
	cut := frame(t, "2011", t0.Add(2*time.Minute), 42)
	c.Write(stream)
	for range n {
		if a := c.answer(t); a.CN != "9014" {
			t.Fatalf("answer %+v", a)
		}
	}
	for i := 1; i < len(cut); i += 7 {
		f := frame(t, "2011", t0.Add(time.Duration(10+i)*time.Minute), float64(i))
		c.Write(f[:i])
		time.Sleep(time.Millisecond)
		c.Write(f[i:])
		if a := c.answer(t); a.CN != "9014" || a.QN != f2qn(t0.Add(time.Duration(10+i)*time.Minute)) {
			t.Fatalf("cut at %d: %+v", i, a)
		}
		n++
	}
	if got := len(readings(t, e, "a21026")); got != n {
		t.Fatalf("%d readings, want %d", got, n)
	}
}

// TestSeveralFramesBeforeTheAnswers: a logger that sends 100 frames
// before it reads (a back-fill) has them stored in a few commits, not one
// each, and answered in the order sent.
func TestSeveralFramesBeforeTheAnswers(t *testing.T) {
	e := start(t, nil)
	c := dial(t, e.addr)
	var stream []byte
	const n = 100
	for i := range n {
		stream = append(stream, frame(t, "2011", t0.Add(time.Duration(i)*time.Second), float64(i))...)
	}
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if a := c.answer(t); a.CN != "9014" || a.QN != f2qn(t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("answer %d: %s %s", i, a.CN, a.QN)
		}
	}
	if got := len(readings(t, e, "a21026")); got != n {
		t.Fatalf("%d readings, want %d", got, n)
	}
	var d dto.Metric
	if err := e.m.BatchFrames.Write(&d); err != nil {
		t.Fatal(err)
	}
	// A read of the connection's 4 KiB buffer holds about 20 frames.
	commits := d.GetHistogram().GetSampleCount()
	t.Logf("%d frames in %d commits", n, commits)
	if commits > n/4 {
		t.Fatalf("%d frames in %d commits", n, commits)
	}
}

func f2qn(at time.Time) string { return at.Format("20060102150405") + "000" }

func TestResendStoredOnceAndAnsweredTwice(t *testing.T) {
	e := start(t, nil)
	c := dial(t, e.addr)
	f := frame(t, "2011", t0, 7)
	for range 2 {
		c.Write(f)
		c.answer(t)
	}
	// The same data sent again as a new request (another QN): no new data.
	c.Write(frame(t, "2011", t0, 7, func(f *hj212.Frame) { f.QN = "20261130101010999" }))
	c.answer(t)
	if rs := readings(t, e, "a21026"); len(rs) != 1 {
		t.Fatalf("%d readings", len(rs))
	}
	// Other values for the same time: kept as a revision.
	c.Write(frame(t, "2011", t0, 8))
	c.answer(t)
	if rs := readings(t, e, "a21026"); len(rs) != 2 || rs[1].Revision != 1 || *rs[1].Rtd != 8 {
		t.Fatalf("revision: %+v", rs)
	}
}

func TestUnauthenticatedGetNothing(t *testing.T) {
	e := start(t, nil)
	good := dial(t, e.addr)
	bad := dial(t, e.addr)
	unknown := frame(t, "2011", t0, 1, func(f *hj212.Frame) { f.MN = "999999999999999999999999" })
	wrongPW := frame(t, "2011", t0, 1, func(f *hj212.Frame) { f.PW = "000000" })
	bad.Write(unknown)
	bad.Write(wrongPW)
	good.Write(frame(t, "2011", t0, 5))
	good.answer(t) // the other logger is served
	bad.Write(unknown)
	if !bad.closed(3 * time.Second) {
		t.Fatal("three failures did not close the connection")
	}
	if rs := readings(t, e, "a21026"); len(rs) != 1 {
		t.Fatalf("%d readings stored", len(rs))
	}
}

func TestBadFramesAreDroppedNotFatal(t *testing.T) {
	e := start(t, nil)
	c := dial(t, e.addr)
	f := frame(t, "2011", t0, 5)
	badCRC := append([]byte{}, f...)
	badCRC[len(badCRC)-3] ^= 1 // a CRC digit
	badLen := append([]byte("##0999"), f[6:]...)
	c.Write(badCRC)
	c.Write(badLen)
	c.Write(f)
	if a := c.answer(t); a.CN != "9014" {
		t.Fatalf("%+v", a)
	}
}

func TestIdleAndUnfinishedFramesTimeOut(t *testing.T) {
	e := start(t, func(c *ingest.Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := dial(t, e.addr)
	f := frame(t, "2011", t0, 5)
	c.Write(f[:20]) // never finished
	if !c.closed(3 * time.Second) {
		t.Fatal("an unfinished frame kept the connection open")
	}
}

// Only whole frames that are accepted keep a connection open: a garbage
// byte every 50 ms does not, with an idle timeout of 300 ms.
func TestGarbageDoesNotKeepTheConnectionOpen(t *testing.T) {
	e := start(t, func(c *ingest.Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := dial(t, e.addr)
	c.Write(frame(t, "2011", t0, 5))
	c.answer(t)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	if !c.closed(5 * time.Second) {
		t.Fatal("a garbage byte every 50 ms kept the connection open")
	}
}

func TestConnectionLimits(t *testing.T) {
	e := start(t, func(c *ingest.Config) { c.MaxConnsPer = 2 })
	a, b := dial(t, e.addr), dial(t, e.addr)
	for _, c := range []*client{a, b} {
		c.Write(frame(t, "2011", t0, 1))
		c.answer(t)
	}
	if c := dial(t, e.addr); !c.closed(3 * time.Second) {
		t.Fatal("a third connection from one address was kept")
	}
}

// MaxConnsPer 0 lets any number of loggers share an address (a carrier
// NAT).
func TestNoLimitPerAddress(t *testing.T) {
	e := start(t, func(c *ingest.Config) { c.MaxConnsPer = 0 })
	for range 3 {
		c := dial(t, e.addr)
		c.Write(frame(t, "2011", t0, 1))
		c.answer(t)
	}
}

func TestNoticeAndBackfillRequest(t *testing.T) {
	e := start(t, nil)
	defer func() {
		if rs := readings(t, e, "a21026"); len(rs) != 2 {
			t.Errorf("%d hourly readings stored", len(rs))
		}
	}()
	c := dial(t, e.addr)
	c.Write(frame(t, "2081", t0, 0, func(f *hj212.Frame) {
		f.Values = nil
		f.CP = []hj212.Field{{Key: "RestartTime", Value: "20261130095500"}}
	}))
	if a := c.answer(t); a.CN != "9013" {
		t.Fatalf("notice answered %+v", a)
	}
	c.Write(frame(t, "2061", t0, 10))
	c.answer(t)
	c.Write(frame(t, "2061", t0.Add(3*time.Hour), 10))
	if a := c.answer(t); a.CN != "9014" {
		t.Fatalf("%+v", a)
	}
	req := c.answer(t)
	cp := map[string]string{}
	for _, f := range req.CP {
		cp[f.Key] = f.Value
	}
	if req.CN != "2061" || cp["BeginTime"] != "20261130110000" || cp["EndTime"] != "20261130120000" {
		t.Fatalf("backfill request %+v", req)
	}
}

// TestOversizeAndNoiseDoNotStopTheConnection sends a frame longer than the
// limit and binary noise, then a good frame, which is answered.
func TestOversizeAndNoiseDoNotStopTheConnection(t *testing.T) {
	e := start(t, func(c *ingest.Config) { c.MaxFrame = 512 })
	c := dial(t, e.addr)
	big := append([]byte("##2000QN=1;"), make([]byte, 2000)...)
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(i * 7919)
	}
	c.Write(big)
	c.Write(noise)
	c.Write(frame(t, "2011", t0, 5))
	if a := c.answer(t); a.CN != "9014" {
		t.Fatalf("%+v", a)
	}
}

// The watcher hears of a logger's connection once and of each frame, with
// the enterprise the logger belongs to, before the frame is answered.
func TestWatcher(t *testing.T) {
	var mu sync.Mutex
	var heard []string
	e := start(t, nil, func(_ context.Context, uscc, mn, kind string, _ time.Time) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, uscc+" "+mn+" "+kind)
	})
	c := dial(t, e.addr)
	for i := range 2 {
		c.Write(frame(t, "2011", t0.Add(time.Duration(i)*30*time.Second), 10))
		if a := c.answer(t); a.CN != "9014" {
			t.Fatalf("answer %s", a.CN)
		}
	}
	wrong := frame(t, "2011", t0.Add(time.Hour), 10, func(f *hj212.Frame) { f.PW = "wrong" })
	c.Write(wrong)
	c.Write(frame(t, "2011", t0.Add(2*time.Hour), 10)) // answered: the wrong one was not
	c.answer(t)
	mu.Lock()
	defer mu.Unlock()
	who := storetest.Ent.USCC + " " + storetest.Outlet.MN
	want := []string{who + " logger_connection", who + " hj212_frame", who + " hj212_frame", who + " hj212_frame"}
	if strings.Join(heard, "\n") != strings.Join(want, "\n") {
		t.Fatalf("heard\n%s\nwant\n%s", strings.Join(heard, "\n"), strings.Join(want, "\n"))
	}
}

// Every watcher is told of every connection and frame (relapse evidence,
// compliance rules).
func TestWatchers(t *testing.T) {
	var mu sync.Mutex
	heard := map[int][]string{}
	hear := func(n int) ingest.Watcher {
		return func(_ context.Context, _, _, kind string, _ time.Time) {
			mu.Lock()
			defer mu.Unlock()
			heard[n] = append(heard[n], kind)
		}
	}
	e := start(t, nil, hear(1), hear(2))
	c := dial(t, e.addr)
	c.Write(frame(t, "2011", t0, 10))
	c.answer(t)
	mu.Lock()
	defer mu.Unlock()
	for n := 1; n <= 2; n++ {
		if got := strings.Join(heard[n], " "); got != "logger_connection hj212_frame" {
			t.Errorf("watcher %d heard %q", n, got)
		}
	}
}
