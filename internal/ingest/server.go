// Package ingest is the HJ 212 TCP server: it frames the byte streams of
// data loggers, authenticates them by MN and password, hands each frame to
// the batch writer and answers only once the frame is durable.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

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
	// IdleTimeout closes a connection that sends nothing, or never finishes
	// a frame, for that long.
	IdleTimeout  time.Duration
	WriteTimeout time.Duration
	MaxConns     int // in total
	MaxConnsPer  int // per remote address
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

	watch Watcher

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
// produces again (compliance.Service.RecordRelapse). It runs in the
// connection's goroutine before the frame is answered.
type Watcher func(ctx context.Context, uscc, mn, kind string, at time.Time)

// Watch has w told of the loggers' connections and frames.
func (s *Server) Watch(w Watcher) { s.watch = w }

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
	case s.perIP[ip] >= s.cfg.MaxConnsPer:
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

// conn is the state of one logger's connection.
type conn struct {
	net.Conn
	peer      string
	authFails int
	seen      bool                 // a frame of this connection authenticated
	lastHour  map[string]time.Time // MN → DataTime of the last hourly (2061) frame
	// The frame being handled and its bytes, reused: the writer holds them
	// only until Write returns, and a connection handles one frame at a time.
	f   hj212.Frame
	raw []byte
}

func (s *Server) handle(ctx context.Context, nc net.Conn) {
	c := &conn{Conn: nc, peer: nc.RemoteAddr().String(), lastHour: map[string]time.Time{}}
	sc := bufio.NewScanner(nc)
	sc.Buffer(make([]byte, 4096), 2*s.cfg.MaxFrame+64)
	sc.Split(hj212.SplitFrames(s.cfg.MaxFrame))
	for {
		nc.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		if !sc.Scan() {
			if err := sc.Err(); err != nil && ctx.Err() == nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					s.reject("idle_timeout", "connection idle or frame unfinished: closed", "peer", c.peer)
				} else {
					s.reject("read_error", "read failed", "peer", c.peer, "err", err)
				}
			}
			return
		}
		tok := sc.Bytes()
		if !bytes.HasPrefix(tok, []byte("##")) {
			s.reject("garbage", "bytes that are no frame dropped", "peer", c.peer, "bytes", len(tok))
			continue
		}
		c.raw = append(c.raw[:0], tok...)
		if !s.frame(ctx, c, c.raw) {
			return
		}
	}
}

// frame handles one whole frame and reports whether the connection stays open.
func (s *Server) frame(ctx context.Context, c *conn, raw []byte) bool {
	f := &c.f
	if err := hj212.DecodeInto(f, raw, s.cfg.Decode); err != nil {
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
	if s.watch != nil {
		now := time.Now()
		if !c.seen {
			s.watch(ctx, o.USCC, f.MN, "logger_connection", now)
		}
		if f.CN != "9015" {
			s.watch(ctx, o.USCC, f.MN, "hj212_frame", now)
		}
	}
	c.seen = true
	if f.CN == "9015" { // the 2025 heartbeat: nothing to store
		s.m.Frames.WithLabelValues(f.CN, "heartbeat").Inc()
		return s.reply(c, hj212.HeartbeatAck(f))
	}
	out, err := s.w.Write(ctx, &monitoring.Received{Frame: f, Raw: raw, Peer: c.peer, At: time.Now(), USCC: o.USCC, Outlet: o.OutletCode})
	if err != nil {
		// Not durable, so not answered: close, and the logger will resend.
		s.m.Frames.WithLabelValues(f.CN, "store_failed").Inc()
		s.reject("store_failed", "frame not stored", "peer", c.peer, "mn", f.MN, "err", err)
		return false
	}
	s.m.Frames.WithLabelValues(f.CN, out.String()).Inc()
	if out == monitoring.Revision {
		s.log.Warn("hj212: a resend with other values kept as a revision", "mn", f.MN, "cn", f.CN, "data_time", f.DataTime)
	}
	switch {
	case notices[f.CN]:
		if !s.reply(c, hj212.NoticeAck(f)) {
			return false
		}
	case f.WantsAck():
		if !s.reply(c, hj212.DataAck(f)) {
			return false
		}
	}
	if f.CN == "2061" && out == monitoring.New {
		return s.backfill(c, f, o.PW)
	}
	return true
}

// backfill asks a logger for the hourly data it skipped: when an hour
// arrives more than an hour after the last one this connection saw, the
// hours between are requested (2061 with BeginTime and EndTime, §6.5; the
// logger answers 9011, the data, then 9012).
func (s *Server) backfill(c *conn, f *hj212.Frame, pw string) bool {
	last, seen := c.lastHour[f.MN]
	if seen && !f.DataTime.After(last) {
		return true // a back-filled hour: the gap it fills was asked for already
	}
	c.lastHour[f.MN] = f.DataTime
	if !seen || f.DataTime.Sub(last) <= time.Hour {
		return true
	}
	begin, end := last.Add(time.Hour).In(monitoring.CST), f.DataTime.Add(-time.Hour).In(monitoring.CST)
	qn := time.Now().In(monitoring.CST).Format("20060102150405") + "000"
	req := hj212.Request(f.MN, pw, f.ST, "2061", f.Version, qn, []hj212.Field{
		{Key: "BeginTime", Value: begin.Format("20060102150405")}, {Key: "EndTime", Value: end.Format("20060102150405")}})
	s.log.Info("hj212: requesting missed hourly data", "mn", f.MN, "from", begin, "to", end, "hours", strconv.Itoa(int(end.Sub(begin)/time.Hour)+1))
	return s.reply(c, req)
}

func (s *Server) reply(c *conn, b []byte) bool {
	if b == nil {
		return true
	}
	c.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	if _, err := c.Write(b); err != nil {
		s.reject("write_error", "answer not delivered", "peer", c.peer, "err", err)
		return false
	}
	return true
}
