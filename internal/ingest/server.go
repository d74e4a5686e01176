// Package ingest is the HJ 212 TCP server: it frames the byte streams of
// data loggers, authenticates them by MN and password, hands each frame to
// the batch writer and answers only once the frame is durable.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/metrics"
	"ecoindustry/internal/monitoring"
)

// Config is the server's limits and protocol options.
type Config struct {
	Decode hj212.Options
	// MaxFrame is the largest frame accepted, in bytes. The standard's is
	// 1036 (a 1024-byte data segment); loggers in the field send more.
	MaxFrame int
	// IdleTimeout closes a connection that sends no frame accepted (decoded,
	// from a logger that authenticated) for that long: neither garbage nor
	// frames refused nor half a frame keep it open.
	IdleTimeout  time.Duration
	WriteTimeout time.Duration
	MaxConns     int // in total
	// MaxConnsPer bounds the connections from one remote address, so that
	// one host cannot take them all; 0 is no bound. Loggers behind one
	// carrier NAT share an address.
	MaxConnsPer int
	// MaxAuthFailures closes a connection after that many frames from an
	// unknown MN or with a wrong password.
	MaxAuthFailures int
}

// Defaults are the limits of `ecoind serve`.
func Defaults() Config {
	return Config{MaxFrame: 8192, IdleTimeout: 10 * time.Minute, WriteTimeout: 30 * time.Second,
		MaxConns: 20000, MaxConnsPer: 2000, MaxAuthFailures: 3}
}

// Server is the ingestion server.
type Server struct {
	cfg Config
	dir *Directory
	w   *monitoring.Writer
	log *slog.Logger
	m   *metrics.Metrics

	watch []Watcher

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	perIP  map[string]int
	logged map[string]time.Time // reason → last logged, to rate-limit the log
}

// New returns a server.
func New(cfg Config, dir *Directory, w *monitoring.Writer, log *slog.Logger, m *metrics.Metrics) *Server {
	return &Server{cfg: cfg, dir: dir, w: w, log: log, m: m,
		conns: map[net.Conn]struct{}{}, perIP: map[string]int{}, logged: map[string]time.Time{}}
}

// Watcher is told of each authenticated logger's connection (kind
// logger_connection, once per connection) and of each frame it sends
// (hj212_frame), with the enterprise whose outlet the logger belongs to:
// data from an enterprise whose closure is on record is evidence that it
// produces again (compliance.Service.RelapseWatcher). It runs in the
// connection's goroutine before the frame is answered.
type Watcher func(ctx context.Context, uscc, mn, kind string, at time.Time)

// Watch adds watchers to be told of the loggers' connections and frames,
// each in turn; call it before Serve.
func (s *Server) Watch(w ...Watcher) { s.watch = append(s.watch, w...) }

// Serve accepts connections on ln until ctx ends, then closes the listener,
// lets every connection finish the frame it is writing and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.SetReadDeadline(time.Now()) // a read in progress returns; a write in progress finishes
		}
		s.mu.Unlock()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				wg.Wait()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			wg.Wait()
			return err
		}
		if !s.admit(c) {
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.release(c)
			s.handle(ctx, c)
		}()
	}
}

// admit counts a connection in, unless a limit says no.
func (s *Server) admit(c net.Conn) bool {
	ip := host(c.RemoteAddr())
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(s.conns) >= s.cfg.MaxConns:
		s.rejectLocked("conn_limit", "too many connections", "peer", ip)
		return false
	case s.cfg.MaxConnsPer > 0 && s.perIP[ip] >= s.cfg.MaxConnsPer:
		s.rejectLocked("conn_limit_per_address", "too many connections from one address", "peer", ip)
		return false
	}
	s.conns[c] = struct{}{}
	s.perIP[ip]++
	s.m.Connections.Inc()
	return true
}

func (s *Server) release(c net.Conn) {
	c.Close()
	ip := host(c.RemoteAddr())
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.m.Connections.Dec()
}

func host(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// reject counts input refused for reason and logs it, at most once a
// second per reason, so that a flood does not flood the log too.
func (s *Server) reject(reason, msg string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectLocked(reason, msg, args...)
}

func (s *Server) rejectLocked(reason, msg string, args ...any) {
	s.m.Rejects.WithLabelValues(reason).Inc()
	if now := time.Now(); now.Sub(s.logged[reason]) >= time.Second {
		s.logged[reason] = now
		s.log.Warn("hj212: "+msg, append([]any{"reason", reason}, args...)...)
	}
}

// notices are the commands a logger sends as notifications, answered with
// 9013 (HJ 212-2017 §6.5, Table 9): its restart time and its request for
// time calibration.
var notices = map[string]bool{"2081": true, "1013": true}

// maxGroup bounds how many of a connection's frames are written together.
const maxGroup = 64

// conn is the state of one logger's connection.
type conn struct {
	net.Conn
	peer      string
	authFails int
	seen      bool                 // a frame of this connection authenticated
	active    bool                 // a frame was accepted since the idle deadline was set
	lastHour  map[string]time.Time // MN → DataTime of the last hourly (2061) frame
	in        *hj212.Framer
	// The frames read and not yet stored: a logger may send several before
	// it waits for their answers (a back-fill, a backlog after a
	// reconnection). They go to the writer together when no whole frame is
	// left to read, and their answers go back in one write. The slots, with
	// their decoded frames, are reused.
	group []*pending
	n     int // slots of group in use
	recs  []*monitoring.Received
	outs  []monitoring.Outcome
	out   []byte // answers not yet written
}

type pending struct {
	f   hj212.Frame
	raw []byte
	pw  string // the logger's password, for a back-fill request
	rec monitoring.Received
}

func (s *Server) handle(ctx context.Context, nc net.Conn) {
	c := &conn{Conn: nc, peer: nc.RemoteAddr().String(), lastHour: map[string]time.Time{},
		in: hj212.NewFramer(nc, s.cfg.MaxFrame)}
	nc.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
	for {
		tok := c.in.Next()
		if tok == nil {
			// Nothing whole is left to read: what was read is stored and
			// answered before the wait for more.
			if !s.flush(ctx, c) {
				return
			}
			if c.active {
				nc.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
				c.active = false
			}
			if ctx.Err() != nil {
				return // shutting down: the deadline just set may have replaced Serve's
			}
			if err := c.in.Fill(); err != nil {
				var ne net.Error
				switch {
				case ctx.Err() != nil, errors.Is(err, io.EOF):
				case errors.As(err, &ne) && ne.Timeout():
					s.reject("idle_timeout", "no frame accepted within the idle timeout: closed", "peer", c.peer)
				default:
					s.reject("read_error", "read failed", "peer", c.peer, "err", err)
				}
				return
			}
			continue
		}
		if !bytes.HasPrefix(tok, []byte("##")) {
			s.reject("garbage", "bytes that are no frame dropped", "peer", c.peer, "bytes", len(tok))
			continue
		}
		if !s.frame(ctx, c, tok) {
			s.flush(ctx, c)
			return
		}
	}
}

// frame handles one whole frame and reports whether the connection stays
// open. A frame to store joins the connection's group.
func (s *Server) frame(ctx context.Context, c *conn, tok []byte) bool {
	if c.n == len(c.group) {
		c.group = append(c.group, &pending{})
	}
	g := c.group[c.n]
	g.raw = append(g.raw[:0], tok...)
	f := &g.f
	if err := hj212.DecodeInto(f, g.raw, s.cfg.Decode); err != nil {
		code := "decode"
		var he *hj212.Error
		if errors.As(err, &he) {
			code = he.Code
		}
		s.m.Frames.WithLabelValues("", "rejected").Inc()
		s.reject(code, "frame rejected", "peer", c.peer, "err", err)
		return true // the standard ends execution for this frame only
	}
	o, ok, err := s.dir.Lookup(ctx, f.MN)
	if err != nil {
		s.log.Error("hj212: registry lookup", "err", err)
		return false
	}
	if !ok || o.PW != f.PW {
		c.authFails++
		s.m.AuthFailures.Inc()
		reason := "unknown_mn"
		if ok {
			reason = "wrong_password"
		}
		s.m.Frames.WithLabelValues(f.CN, "rejected").Inc()
		s.reject(reason, "frame from a logger that did not authenticate", "peer", c.peer, "mn", f.MN)
		return c.authFails < s.cfg.MaxAuthFailures
	}
	now := time.Now()
	for _, w := range s.watch {
		if !c.seen {
			w(ctx, o.USCC, f.MN, "logger_connection", now)
		}
		if f.CN != "9015" {
			w(ctx, o.USCC, f.MN, "hj212_frame", now)
		}
	}
	c.seen, c.active = true, true
	if f.CN == "9015" { // the 2025 heartbeat: nothing to store, answered after the frames before it
		s.m.Frames.WithLabelValues(f.CN, "heartbeat").Inc()
		ok := s.store(ctx, c)
		c.out = append(c.out, hj212.HeartbeatAck(f)...)
		return ok
	}
	g.rec = monitoring.Received{Frame: f, Raw: g.raw, Peer: c.peer, At: now, USCC: o.USCC, Outlet: o.OutletCode}
	g.pw = o.PW
	if c.n++; c.n == maxGroup {
		return s.flush(ctx, c)
	}
	return true
}

// flush stores the connection's group and writes the answers, and reports
// whether the connection stays open.
func (s *Server) flush(ctx context.Context, c *conn) bool {
	ok := s.store(ctx, c)
	if len(c.out) == 0 {
		return ok
	}
	c.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	_, err := c.Write(c.out)
	c.out = c.out[:0]
	if err != nil {
		s.reject("write_error", "answer not delivered", "peer", c.peer, "err", err)
		return false
	}
	return ok
}

// store writes the connection's group and queues the answers of the
// frames stored. When one is not stored, those after it are not answered
// either, and the connection is to close: the logger will resend.
func (s *Server) store(ctx context.Context, c *conn) bool {
	if c.n == 0 {
		return true
	}
	group := c.group[:c.n]
	c.n = 0
	c.recs = c.recs[:0]
	for _, g := range group {
		c.recs = append(c.recs, &g.rec)
	}
	outs, err := s.w.WriteAll(ctx, c.recs, c.outs[:0])
	c.outs = outs
	for i, out := range outs {
		f := &group[i].f
		s.m.Frames.WithLabelValues(f.CN, out.String()).Inc()
		if out == monitoring.Revision {
			s.log.Warn("hj212: a resend with other values kept as a revision", "mn", f.MN, "cn", f.CN, "data_time", f.DataTime)
		}
		switch {
		case notices[f.CN]:
			c.out = append(c.out, hj212.NoticeAck(f)...)
		case f.WantsAck():
			c.out = append(c.out, hj212.DataAck(f)...)
		}
		if f.CN == "2061" && out == monitoring.New {
			c.out = append(c.out, s.backfill(c, f, group[i].pw)...)
		}
	}
	if err != nil {
		// Not durable, so not answered: close, and the logger will resend.
		f := &group[len(outs)].f
		s.m.Frames.WithLabelValues(f.CN, "store_failed").Inc()
		s.reject("store_failed", "frame not stored", "peer", c.peer, "mn", f.MN, "err", err)
		return false
	}
	return true
}

// backfill asks a logger for the hourly data it skipped: when an hour
// arrives more than an hour after the last one this connection saw, the
// hours between are requested (2061 with BeginTime and EndTime, §6.5; the
// logger answers 9011, the data, then 9012). It returns the request, or nil.
func (s *Server) backfill(c *conn, f *hj212.Frame, pw string) []byte {
	last, seen := c.lastHour[f.MN]
	if seen && !f.DataTime.After(last) {
		return nil // a back-filled hour: the gap it fills was asked for already
	}
	c.lastHour[f.MN] = f.DataTime
	if !seen || f.DataTime.Sub(last) <= time.Hour {
		return nil
	}
	begin, end := last.Add(time.Hour).In(cst.Zone), f.DataTime.Add(-time.Hour).In(cst.Zone)
	qn := time.Now().In(cst.Zone).Format("20060102150405") + "000"
	req := hj212.Request(f.MN, pw, f.ST, "2061", f.Version, qn, []hj212.Field{
		{Key: "BeginTime", Value: begin.Format("20060102150405")}, {Key: "EndTime", Value: end.Format("20060102150405")}})
	s.log.Info("hj212: requesting missed hourly data", "mn", f.MN, "from", begin, "to", end, "hours", strconv.Itoa(int(end.Sub(begin)/time.Hour)+1))
	return req
}
