package simulate

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

// testLoggers are a gas boiler (converted values), a coating line and an
// electroplating workshop outlet (a µg/L metal).
var testLoggers = []Logger{
	{MN: "888888803311020000000001", PW: "123456", Kind: "air", Industry: "2925", RefO2: 3.5, Pollutants: []Pollutant{
		{Code: "a00000", Typical: 10}, {Code: "a19001", Typical: 5},
		{Code: "a34013", Typical: 8, Limit: 20}, {Code: "a21026", Typical: 20, Limit: 50}, {Code: "a21002", Typical: 80, Limit: 200}}},
	{MN: "888888803311210000000002", PW: "654321", Kind: "air", Industry: "3443", Pollutants: []Pollutant{
		{Code: "a00000", Typical: 8}, {Code: "a24088", Typical: 40, Limit: 120}}},
	{MN: "888888803311220000000003", PW: "000111", Kind: "water", Industry: "3360", Pollutants: []Pollutant{
		{Code: "w00000", Typical: 5}, {Code: "w01001", Typical: 7.2},
		{Code: "w20117", Typical: 60, Limit: 200}, {Code: "w01018", Typical: 30, Limit: 80}}},
}

// morning is in production hours on a weekday.
var morning = time.Date(2026, 9, 30, 10, 0, 0, 0, cst.Zone)

// token is one token a test server read: a frame, or bytes that are none.
type token struct {
	conn int // the connection's number, from 1
	raw  []byte
	f    *hj212.Frame // nil when raw does not decode
	at   time.Time
	read int // how many reads of its connection had been made when it was cut
}

// counted counts the reads of a connection.
type counted struct {
	net.Conn
	reads int
}

func (c *counted) Read(p []byte) (int, error) {
	c.reads++
	return c.Conn.Read(p)
}

// server is a test ingestion server: it splits and decodes what loggers
// send and answers the frames that ask (9014 to data, hj212.DataAck). hook, if set, sees
// every decoded frame first and may write to the connection or close it.
type server struct {
	ln   net.Listener
	hook func(conn int, c net.Conn, f *hj212.Frame)

	mu     sync.Mutex
	tokens []token
	conns  int
}

func newServer(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			n := s.conns
			s.mu.Unlock()
			go s.serve(n, c)
		}
	}()
	return s
}

func (s *server) serve(n int, c net.Conn) {
	defer c.Close()
	cr := &counted{Conn: c}
	sc := bufio.NewScanner(cr)
	sc.Buffer(make([]byte, 0, 4096), 1036)
	sc.Split(hj212.SplitFrames(0))
	for sc.Scan() {
		tok := token{conn: n, raw: bytes.Clone(sc.Bytes()), at: time.Now(), read: cr.reads}
		tok.f, _ = hj212.Decode(tok.raw, hj212.Options{})
		s.mu.Lock()
		s.tokens = append(s.tokens, tok)
		s.mu.Unlock()
		if tok.f == nil {
			continue
		}
		if s.hook != nil {
			s.hook(n, c, tok.f)
		}
		if ack := hj212.Ack(tok.f); ack != nil {
			if _, err := c.Write(ack); err != nil {
				return
			}
		}
	}
}

func (s *server) got() []token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tokens)
}

// waitFor polls until cond holds for the tokens received, or fails after d.
func (s *server) waitFor(t *testing.T, d time.Duration, what string, cond func([]token) bool) []token {
	t.Helper()
	for end := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		if got := s.got(); cond(got) {
			return got
		} else if time.Now().After(end) {
			t.Fatalf("after %v, %d tokens and still no %s", d, len(got), what)
		}
	}
}

// start runs the loggers against s until the returned stop is called.
func start(t *testing.T, s *server, cfg Config, ls []Logger) (stop func() Stats) {
	t.Helper()
	cfg.Target = s.ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var st Stats
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		st, err = Run(ctx, cfg, ls, slog.New(slog.DiscardHandler))
	}()
	stopped := false
	stop = func() Stats {
		if !stopped {
			stopped = true
			cancel()
			<-done
			if err != nil {
				t.Fatal(err)
			}
		}
		return st
	}
	t.Cleanup(func() { stop() })
	return stop
}

func frames(ts []token, cn string) []*hj212.Frame {
	var fs []*hj212.Frame
	for _, t := range ts {
		if t.f != nil && (cn == "" || t.f.CN == cn) {
			fs = append(fs, t.f)
		}
	}
	return fs
}

func byMN(mn string) Logger {
	for _, l := range testLoggers {
		if l.MN == mn {
			return l
		}
	}
	return Logger{}
}

// values returns a frame's numeric values of one code and field ("" for any field).
func values(f *hj212.Frame, code, field string) []float64 {
	var vs []float64
	for _, v := range f.Values {
		if v.Code == code && !v.IsText && (field == "" || v.Field == field) {
			vs = append(vs, v.Value)
		}
	}
	return vs
}

func TestFramesDecodeAndStayBelowLimits(t *testing.T) {
	s := newServer(t)
	// Before midnight, so that the run sees minute, hour and day boundaries.
	stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: time.Date(2026, 9, 30, 23, 45, 0, 0, cst.Zone)}, testLoggers)
	s.waitFor(t, 15*time.Second, "2031 from every logger", func(ts []token) bool {
		return len(frames(ts, "2031")) >= len(testLoggers) && len(frames(ts, "2011")) >= 3000
	})
	st := stop()
	ts := s.got()
	conns := map[string]map[int]bool{}
	cns := map[string]int{}
	for _, tok := range ts {
		f, err := hj212.Decode(tok.raw, hj212.Options{Strict: true})
		if err != nil {
			t.Fatalf("%q: %v", tok.raw, err)
		}
		l := byMN(f.MN)
		if l.MN == "" || f.PW != l.PW {
			t.Fatalf("MN %s PW %s: not a test logger's", f.MN, f.PW)
		}
		if conns[f.MN] == nil {
			conns[f.MN] = map[int]bool{}
		}
		conns[f.MN][tok.conn] = true
		cns[f.CN]++
		if want := map[string]string{"air": "31", "water": "32"}[l.Kind]; f.ST != want || f.Flag != 5 || f.Version != "2017" {
			t.Fatalf("%s: ST %s Flag %d version %s, want ST %s Flag 5 (2017, ack)", f.MN, f.ST, f.Flag, f.Version, want)
		}
		checkValues(t, l, f, false)
	}
	if len(conns) != len(testLoggers) {
		t.Errorf("%d loggers connected, want %d", len(conns), len(testLoggers))
	}
	for mn, cs := range conns {
		if len(cs) != 1 {
			t.Errorf("%s used %d connections", mn, len(cs))
		}
	}
	for _, cn := range []string{"2011", "2051", "2061", "2031"} {
		if cns[cn] == 0 {
			t.Errorf("no %s frame: %v", cn, cns)
		}
	}
	if int(st.Sent) < len(ts) || st.Acked < st.Sent-int64(len(testLoggers)) || st.Malformed+st.Resent+st.Reconnects != 0 {
		t.Errorf("stats %+v for %d frames received", st, len(ts))
	}
	if st.AckLatency.Count() == 0 || st.AckLatency.Quantile(0.5) <= 0 || st.AckLatency.Quantile(0.99) < st.AckLatency.Quantile(0.5) {
		t.Errorf("ack latency: %d, p50 %v, p99 %v", st.AckLatency.Count(), st.AckLatency.Quantile(0.5), st.AckLatency.Quantile(0.99))
	}
	t.Logf("%d frames %v; ack p50 %v p99 %v", len(ts), cns, st.AckLatency.Quantile(0.5), st.AckLatency.Quantile(0.99))
}

// checkValues checks a frame's values for plausibility and, unless
// exceeding is allowed, against the limits.
func checkValues(t *testing.T, l Logger, f *hj212.Frame, exceedOK bool) {
	t.Helper()
	for _, p := range l.Pollutants {
		if len(values(f, p.Code, "")) == 0 && (f.CN == "2011" || f.CN == "2051") {
			t.Fatalf("%s %s: no %s", f.MN, f.CN, p.Code)
		}
		_, zs := map[string]bool{"a34013": true, "a21026": true, "a21002": true}[p.Code]
		if got := len(values(f, p.Code, "ZsRtd")) + len(values(f, p.Code, "ZsAvg")); (got > 0) != (zs && l.RefO2 > 0) {
			t.Fatalf("%s %s: %d Zs values of %s", f.MN, f.CN, got, p.Code)
		}
	}
	for _, v := range f.Values {
		if v.IsText {
			if v.Field == "Flag" && v.Text != "N" {
				t.Fatalf("%s %s: %s flag %s without faults", f.MN, f.CN, v.Code, v.Text)
			}
			continue
		}
		p := l.Pollutants[slices.IndexFunc(l.Pollutants, func(p Pollutant) bool { return p.Code == v.Code })]
		lo, hi := 0.0, 1e9
		switch {
		case v.Field == "Cou":
		case v.Code == "w01001":
			lo, hi = 6, 9
		case v.Code == "a19001":
			hi = 21
		case p.Limit > 0 && !exceedOK:
			hi = p.Limit
		}
		if v.Value < lo || v.Value >= hi {
			t.Fatalf("%s %s: %s-%s=%v, want in [%v, %v)", f.MN, f.CN, v.Code, v.Field, v.Value, lo, hi)
		}
	}
}

// at returns a frame's DataTime in local time, for messages.
func at(f *hj212.Frame) string { return f.DataTime.In(cst.Zone).Format("2006-01-02 15:04:05") }

func TestAggregatesAtBoundaries(t *testing.T) {
	s := newServer(t)
	l := testLoggers[2]
	// The logger clock runs one second a frame: midnight comes at once.
	stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: time.Date(2026, 9, 30, 23, 59, 57, 0, cst.Zone)}, []Logger{l})
	s.waitFor(t, 5*time.Second, "2031", func(ts []token) bool { return len(frames(ts, "2031")) > 0 })
	ts := s.waitFor(t, 5*time.Second, "real-time data after midnight", func(ts []token) bool {
		return len(frames(ts, "2011")) > 0 && at(frames(ts, "2011")[len(frames(ts, "2011"))-1]) > "2026-10-01 00:00:03"
	})
	stop()
	var seq []string
	for _, f := range frames(ts, "") {
		if f.CN != "2011" || at(f) >= "2026-09-30 23:59:58" && at(f) <= "2026-10-01 00:00:01" {
			seq = append(seq, f.CN+" "+at(f))
		}
	}
	want := []string{"2011 2026-09-30 23:59:58", "2011 2026-09-30 23:59:59", "2051 2026-09-30 23:50:00",
		"2061 2026-09-30 23:00:00", "2031 2026-09-30 00:00:00", "2011 2026-10-01 00:00:00", "2011 2026-10-01 00:00:01"}
	if !slices.Equal(seq, want) {
		t.Fatalf("frames around midnight:\n%s\nwant\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range frames(ts, "") {
		if f.CN == "2011" {
			continue
		}
		for _, p := range l.Pollutants {
			lo, mid, hi := values(f, p.Code, "Min"), values(f, p.Code, "Avg"), values(f, p.Code, "Max")
			if len(lo)+len(mid)+len(hi) != 3 || lo[0] > mid[0] || mid[0] > hi[0] {
				t.Errorf("%s %s: Min %v Avg %v Max %v", f.CN, p.Code, lo, mid, hi)
			}
		}
		// Wastewater flow in L/s, its Cou in m³.
		length, _ := periodOf(f.CN)
		cou, avg := values(f, "w00000", "Cou")[0], values(f, "w00000", "Avg")[0]
		if want := avg * float64(length) / 1000; cou < want*0.99 || cou > want*1.01 {
			t.Errorf("%s: flow Cou %v m³, Avg %v L/s over %d s", f.CN, cou, avg, length)
		}
	}
}

// findEpisode returns the first episode of kind k from morning on for
// logger l that lasts at least d from the returned time on, and when it began.
func findEpisode(t *testing.T, l Logger, k int, d time.Duration) (from, began time.Time) {
	t.Helper()
	s, err := newSim(l, Config{Version: "2017", Start: morning}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for u := morning.Unix(); u < morning.Unix()+30*86400; u += 60 {
		if start, _, on := s.episode(k, u); on {
			if _, _, still := s.episode(k, u+int64(d/time.Second)); still {
				return time.Unix(u, 0).In(cst.Zone), time.Unix(start, 0).In(cst.Zone)
			}
		}
	}
	t.Fatalf("no episode %d in 30 days", k)
	return
}

func findStart(t *testing.T, l Logger, k int, d time.Duration) time.Time {
	from, _ := findEpisode(t, l, k, d)
	return from
}

func TestExceed(t *testing.T) {
	l := testLoggers[1] // one limited pollutant, a24088 at 120 mg/m³
	from := findStart(t, l, epExceed, 5*time.Minute)
	above := func(ts []token) int {
		n := 0
		for _, f := range frames(ts, "2011") {
			if values(f, "a24088", "Rtd")[0] > 120 {
				n++
			}
		}
		return n
	}
	for _, fs := range [][]string{nil, {"exceed"}} {
		s := newServer(t)
		stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: from, Faults: fs}, []Logger{l})
		ts := s.waitFor(t, 5*time.Second, "100 frames", func(ts []token) bool { return len(frames(ts, "2011")) >= 100 })
		stop()
		for _, f := range frames(ts, "") {
			checkValues(t, l, f, fs != nil)
		}
		if n := above(ts); (n > 0) != (fs != nil) {
			t.Errorf("faults %v: %d of %d values above the limit", fs, n, len(frames(ts, "2011")))
		}
	}
}

func TestFlatlineAndCalibration(t *testing.T) {
	l := testLoggers[2]
	t.Run("flatline", func(t *testing.T) {
		s := newServer(t)
		stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: findStart(t, l, epFlatline, 5*time.Minute), Faults: []string{"flatline"}}, []Logger{l})
		ts := s.waitFor(t, 5*time.Second, "100 frames", func(ts []token) bool { return len(frames(ts, "2011")) >= 100 })
		stop()
		stuck := 0
		for _, p := range l.Pollutants {
			seen := map[float64]bool{}
			for _, f := range frames(ts, "2011") {
				seen[values(f, p.Code, "Rtd")[0]] = true
			}
			if len(seen) == 1 {
				stuck++
			}
		}
		if stuck != 1 {
			t.Errorf("%d pollutants stuck, want 1", stuck)
		}
	})
	for _, c := range []struct {
		episode        int
		flag, flowFlag string
	}{{epCalibration, "C", "N"}, {epMaintenance, "M", "M"}} {
		t.Run(c.flag, func(t *testing.T) {
			s := newServer(t)
			stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: findStart(t, l, c.episode, 5*time.Minute), Faults: []string{"calibration"}}, []Logger{l})
			ts := s.waitFor(t, 5*time.Second, "10 frames", func(ts []token) bool { return len(frames(ts, "2011")) >= 10 })
			stop()
			for _, f := range frames(ts, "2011") {
				for _, v := range f.Values {
					if want := map[bool]string{true: c.flowFlag, false: c.flag}[v.Code == "w00000"]; v.Field == "Flag" && v.Text != want {
						t.Fatalf("%s %s: %s flag %s, want %s", at(f), f.CN, v.Code, v.Text, want)
					}
				}
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	s := newServer(t)
	stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: morning, Faults: []string{"malformed"}}, testLoggers)
	s.waitFor(t, 10*time.Second, "3 broken frames", func(ts []token) bool {
		return len(ts)-len(frames(ts, "")) >= 3
	})
	st := stop()
	ts := s.got()
	if st.Malformed == 0 || st.Acked == 0 || len(frames(ts, "2011")) == 0 {
		t.Errorf("stats %+v, %d real-time frames", st, len(frames(ts, "2011")))
	}
	// Every good frame arrives: a corrupt one never swallows the next.
	for _, l := range testLoggers {
		var last time.Time
		for _, f := range frames(ts, "2011") {
			if f.MN == l.MN {
				if !last.IsZero() && f.DataTime.Sub(last) != time.Second {
					t.Errorf("%s: real-time data at %s after %s", l.MN, at(f), last.In(cst.Zone))
				}
				last = f.DataTime
			}
		}
	}
}

func TestResend(t *testing.T) {
	s := newServer(t)
	stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: morning, Faults: []string{"resend"}}, testLoggers)
	s.waitFor(t, 10*time.Second, "a frame twice", func(ts []token) bool {
		for i := 1; i < len(ts); i++ {
			for j := i - 1; j >= 0; j-- {
				if ts[j].conn == ts[i].conn {
					if bytes.Equal(ts[j].raw, ts[i].raw) {
						return true
					}
					break
				}
			}
		}
		return false
	})
	if st := stop(); st.Resent == 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestGapAndBackfill: the hours that ended in a gap are sent when the
// platform asks for them, one to a write or, with a window, several.
func TestGapAndBackfill(t *testing.T) {
	for _, window := range []int{1, 3} {
		t.Run(strconv.Itoa(window), func(t *testing.T) { testGapAndBackfill(t, window) })
	}
}

func testGapAndBackfill(t *testing.T, window int) {
	l := testLoggers[2]
	_, gapStart := findEpisode(t, l, epGap, 0)
	end := gapStart.Add(time.Duration(episodes[epGap].length) * time.Second)
	s := newServer(t)
	var once sync.Once
	s.hook = func(_ int, c net.Conn, f *hj212.Frame) {
		once.Do(func() {
			// The hours that ended in the gap, as the ingestion server asks for them (§6.5).
			for i, pw := range []string{"wrong", l.PW} {
				b, err := hj212.Encode(&hj212.Frame{QN: "2026100100000000" + strconv.Itoa(i+1), ST: "32", CN: "2061", PW: pw, MN: l.MN, Flag: 5,
					CP: []hj212.Field{{Key: "BeginTime", Value: gapStart.Format("20060102150405")}, {Key: "EndTime", Value: end.Add(-time.Hour).Format("20060102150405")}}})
				if err != nil {
					t.Error(err)
				}
				c.Write(b)
			}
		})
	}
	stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: end.Add(-time.Second), Faults: []string{"gap"}, Window: window}, []Logger{l})
	ts := s.waitFor(t, 5*time.Second, "9012", func(ts []token) bool { return len(frames(ts, "9012")) > 0 })
	stop()
	// Silent for the gap's last second, and then the logger goes on from its end.
	if first := frames(ts, "")[0]; first.CN != "2011" || !first.DataTime.Equal(end) {
		t.Errorf("first frame %s %s; the gap ends at %s", first.CN, at(first), end)
	}
	var seq []string
	reads := map[int]int{} // back-filled hours per read of the connection
	for _, tok := range ts {
		f := tok.f
		if f == nil {
			continue
		}
		switch f.CN {
		case "9011", "9012":
			seq = append(seq, f.CN+" "+f.QN+" "+f.CP[0].Key+"="+f.CP[0].Value)
		case "2061":
			if !f.DataTime.After(end.Add(-time.Hour)) { // not a live one after the gap
				seq = append(seq, f.CN+" "+at(f))
				reads[tok.read]++
			}
		}
	}
	if most := slices.Max(slices.Collect(maps.Values(reads))); most > window || window > 1 && most == 1 {
		t.Errorf("window %d: up to %d back-filled hours in one read", window, most)
	}
	want := []string{"9011 20261001000000001 QnRtn=3", "9011 20261001000000002 QnRtn=1"}
	for p := gapStart.Truncate(time.Hour); !p.After(end.Add(-time.Hour)); p = p.Add(time.Hour) {
		want = append(want, "2061 "+p.Format("2006-01-02 15:04:05"))
	}
	want = append(want, "9012 20261001000000002 ExeRtn=1")
	if !slices.Equal(seq, want) {
		t.Errorf("answers:\n%s\nwant\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"))
	}
}

func TestVersions(t *testing.T) {
	t.Run("2005", func(t *testing.T) {
		s := newServer(t)
		stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: morning, Version: "2005"}, testLoggers)
		ts := s.waitFor(t, 5*time.Second, "frames", func(ts []token) bool { return len(frames(ts, "2011")) >= 30 })
		st := stop()
		for _, f := range frames(ts, "") {
			if f.QN != "" || f.Flag != -1 || f.Version != "2005" {
				t.Fatalf("QN %q Flag %d version %s", f.QN, f.Flag, f.Version)
			}
			for _, v := range f.Values {
				if p, _ := hj212.LookupPollutant(v.Code); v.Code2005 != p.Code2005 {
					t.Fatalf("%s written as %q, want its 2005 code %q", v.Code, v.Code2005, p.Code2005)
				}
			}
			checkValues(t, byMN(f.MN), f, false)
		}
		if st.Acked != 0 {
			t.Errorf("%d answers to frames that ask for none", st.Acked)
		}
	})
	t.Run("no ack", func(t *testing.T) {
		s := newServer(t)
		stop := start(t, s, Config{Interval: 2 * time.Millisecond, Start: morning, NoAck: true}, testLoggers)
		ts := s.waitFor(t, 5*time.Second, "frames", func(ts []token) bool { return len(frames(ts, "2011")) >= 30 })
		st := stop()
		for _, f := range frames(ts, "") {
			if f.Flag != 4 {
				t.Fatalf("Flag %d, want 4 (2017, no ack)", f.Flag)
			}
		}
		if st.Acked != 0 || st.AckLatency.Count() != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("2025", func(t *testing.T) {
		defer func(d time.Duration) { heartbeatIdle = d }(heartbeatIdle)
		heartbeatIdle = 20 * time.Millisecond
		s := newServer(t)
		stop := start(t, s, Config{Interval: 100 * time.Millisecond, Start: morning, Version: "2025"}, testLoggers[:1])
		ts := s.waitFor(t, 5*time.Second, "heartbeats", func(ts []token) bool { return len(frames(ts, "9015")) >= 3 })
		stop()
		for _, f := range frames(ts, "") {
			if f.Flag != 9 || f.Version != "2025" {
				t.Fatalf("%s: Flag %d version %s, want 9 (2025, ack)", f.CN, f.Flag, f.Version)
			}
		}
	})
}

func TestReconnect(t *testing.T) {
	s := newServer(t)
	s.hook = func(conn int, c net.Conn, f *hj212.Frame) {
		if conn == 1 {
			c.Close()
		}
	}
	stop := start(t, s, Config{Interval: 10 * time.Millisecond, Start: morning}, testLoggers[:1])
	s.waitFor(t, 5*time.Second, "frames on a second connection", func(ts []token) bool {
		return slices.ContainsFunc(ts, func(tok token) bool { return tok.conn > 1 })
	})
	if st := stop(); st.Reconnects == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRate(t *testing.T) {
	const loggers, rate = 40, 400.0
	ls := make([]Logger, loggers)
	for i := range ls {
		ls[i] = testLoggers[i%len(testLoggers)]
		ls[i].MN = ls[i].MN[:20] + string(rune('A'+i/26)) + string(rune('a'+i%26)) + "00"
	}
	s := newServer(t)
	stop := start(t, s, Config{Rate: rate, Start: morning}, ls)
	time.Sleep(2 * time.Second)
	stop()
	// Counted after a first 0.5 s of starting.
	ts := s.got()
	var n int
	for _, tok := range ts {
		if tok.f != nil && tok.f.CN == "2011" && tok.at.After(ts[0].at.Add(500*time.Millisecond)) {
			n++
		}
	}
	got := float64(n) / (ts[len(ts)-1].at.Sub(ts[0].at).Seconds() - 0.5)
	if got < rate*0.5 || got > rate*1.5 {
		t.Errorf("%.0f frames/s, asked %v", got, rate)
	}
	t.Logf("%.0f frames/s, asked %v", got, rate)
}

// TestWindow: with a window of 4, a logger's real-time frames come four
// to a write, for four consecutive seconds of its clock, each answered,
// and the rate is kept.
func TestWindow(t *testing.T) {
	const rate, window = 200.0, 4
	s := newServer(t)
	stop := start(t, s, Config{Rate: rate, Window: window, Start: morning}, testLoggers[:1])
	ts := s.waitFor(t, 10*time.Second, "40 real-time frames", func(ts []token) bool { return count(ts, "2011") >= 40 })
	st := stop()
	var times []time.Time
	for _, tok := range ts {
		if tok.f != nil && tok.f.CN == "2011" {
			times = append(times, tok.f.DataTime)
		}
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d != time.Second {
			t.Fatalf("frame %d: %v after the one before", i, d)
		}
	}
	// Four frames come in one write, and so, over loopback, in one read.
	var together int
	for i := 3; i < len(ts); i++ {
		if ts[i].read == ts[i-3].read {
			together++
		}
	}
	if together == 0 || st.Acked < 40 || st.AckLatency.Count() < 40 {
		t.Fatalf("%d runs of four together; stats %+v", together, st)
	}
}

func count(ts []token, cn string) int {
	n := 0
	for _, tok := range ts {
		if tok.f != nil && tok.f.CN == cn {
			n++
		}
	}
	return n
}

func TestConfig(t *testing.T) {
	for _, c := range []Config{
		{},
		{Target: "x:1", Loggers: 4},
		{Target: "x:1", Version: "2009"},
		{Target: "x:1", Faults: []string{"exceed", "fire"}},
		{Target: "x:1", Rate: -1},
		{Target: "x:1", Rate: 10, Window: -1},
	} {
		if _, err := Run(context.Background(), c, testLoggers, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	for _, ls := range [][]Logger{nil, {testLoggers[0], testLoggers[0]}, {{MN: "x", Kind: "air"}}} {
		if _, err := Run(context.Background(), Config{Target: "x:1"}, ls, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%d loggers: no error", len(ls))
		}
	}
}

func TestLatencyQuantiles(t *testing.T) {
	var l Latency
	for i := 1; i <= 1000; i++ {
		l.counts[latBucket(time.Duration(i)*time.Millisecond)]++
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0, time.Millisecond}} {
		if got := l.Quantile(c.q); got < c.want*7/8 || got > c.want*9/8 {
			t.Errorf("q%v = %v, want about %v", c.q, got, c.want)
		}
	}
}

func TestDailyCycle(t *testing.T) {
	day := time.Date(2026, 9, 30, 0, 0, 0, 0, cst.Zone).Unix() // a Wednesday
	for _, c := range []struct {
		industry         string
		nightMax, dayMin float64
	}{{"3360", 0.2, 1}, {"2925", 0.86, 0.95}} {
		sh := shiftOf(c.industry)
		if n, d := sh.load(day+3*3600), sh.load(day+10*3600); n > c.nightMax || d < c.dayMin {
			t.Errorf("%s: load %.2f at 03:00, %.2f at 10:00", c.industry, n, d)
		}
		if sun := sh.load(day + 4*86400 + 10*3600); !sh.continuous && sun != sh.idle {
			t.Errorf("%s: load %.2f on a Sunday morning", c.industry, sun)
		}
	}
}

func BenchmarkRealtimeFrame(b *testing.B) {
	s, err := newSim(testLoggers[0], Config{Version: "2017", Start: morning}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	t := morning
	for b.Loop() {
		t = t.Add(time.Second)
		if _, _, err := s.realtime(t, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHourFrame(b *testing.B) {
	s, err := newSim(testLoggers[0], Config{Version: "2017", Start: morning}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	t := morning.Unix()
	for b.Loop() {
		t += 3600
		if _, _, err := s.aggregated("2061", t, morning, true); err != nil {
			b.Fatal(err)
		}
	}
}

func TestIsAck(t *testing.T) {
	req := &hj212.Frame{QN: "20260930100000123", ST: "31", CN: "2011", PW: "123456", MN: testLoggers[0].MN, Flag: 5}
	ack := hj212.DataAck(req)
	if !isAck(ack, req.QN) {
		t.Errorf("%q is no ack to %s", ack, req.QN)
	}
	bad := bytes.Clone(ack)
	bad[len(bad)-3] ^= 1 // the CRC
	for _, c := range []struct {
		tok []byte
		qn  string
	}{{ack, "20260930100000124"}, {ack, "2026093010000012"}, {ack, ""}, {bad, req.QN}, {hj212.NoticeAck(req), req.QN}} {
		if isAck(c.tok, c.qn) {
			t.Errorf("%q taken for the ack to %q", c.tok, c.qn)
		}
	}
}
