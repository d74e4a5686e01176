package simulate

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
	// maxFrame bounds what the logger reads: 9999 bytes of data segment,
	// the most a length field can say, as lenient framers allow (PROTOCOL.md §3).
	maxFrame = 9999 + 12
	// maxBackfill bounds the frames sent for one request.
	maxBackfill = 1000
)

// run keeps the logger connected and sending until ctx ends.
func (s *sim) run(ctx context.Context, r *runner, phase time.Duration) {
	if !sleep(ctx, phase) {
		return
	}
	next := time.Now() // when the next real-time frame is due
	if r.pace != nil {
		next = r.pace.reserve(r.cfg.Window)
	}
	backoff := minBackoff
	for connected := false; ; {
		d := net.Dialer{Timeout: ackTimeout}
		c, err := d.DialContext(ctx, "tcp", r.cfg.Target)
		if err == nil {
			if connected {
				r.reconnects.Add(1)
			}
			connected = true
			began := time.Now()
			err = s.session(ctx, r, c, &next)
			c.Close()
			if time.Since(began) > time.Minute {
				backoff = minBackoff
			}
		} else if r.dialWarned.CompareAndSwap(false, true) && ctx.Err() == nil {
			r.log.Warn("simulate: cannot connect, retrying", "target", r.cfg.Target, "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		r.log.Debug("simulate: disconnected", "mn", s.MN, "err", err)
		// Jitter, so that loggers that lost the same server do not all come back at once.
		if !sleep(ctx, backoff/2+time.Duration(s.rng.Int64N(int64(backoff/2)))) {
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// link is one connection of one logger. One goroutine writes and reads:
// after a frame that asks for an answer it reads until the 9014, and
// between frames it reads until the next is due, so that a request of the
// platform is seen as it comes.
type link struct {
	*sim
	r    *runner
	c    net.Conn
	in   *hj212.Framer
	ans  hj212.Frame    // the last frame read, reused
	reqs []*hj212.Frame // the platform's requests, not yet carried out
	out  []byte         // frames staged for one write
	pend []sent         // the data frames in out, awaiting answers
}

// session sends on c until the connection or ctx ends.
func (s *sim) session(ctx context.Context, r *runner, c net.Conn, next *time.Time) error {
	x := &link{sim: s, r: r, c: c, in: hj212.NewFramer(c, maxFrame)}
	defer context.AfterFunc(ctx, func() { c.Close() })()
	s.lastWrite = time.Now()
	for {
		var err error
		if len(x.reqs) > 0 {
			req := x.reqs[0]
			x.reqs = x.reqs[1:]
			err = x.answer(req)
		} else if _, err = x.read(x.wake(*next), ""); err == nil && len(x.reqs) == 0 {
			err = x.tick(next)
		}
		if err != nil {
			return err
		}
	}
}

// clock is the logger's clock: the simulated one, or one second past its
// last real-time frame if that is later.
func (x *link) clock(now time.Time) time.Time {
	t := x.r.clock(now)
	if t.Unix() <= x.lastRtd {
		t = time.Unix(x.lastRtd+1, 0)
	}
	return t
}

// wake is the real time of the logger's next action: the next real-time
// frame, the end of the current minute period, or a 2025 heartbeat.
func (x *link) wake(next time.Time) time.Time {
	end := periodStart(x.mark, periods[0].length) + periods[0].length
	w := x.r.began.Add(time.Unix(end, 0).Sub(x.r.cfg.Start))
	if next.Before(w) {
		w = next
	}
	if h := x.lastWrite.Add(heartbeatIdle); x.version == "2025" && h.Before(w) {
		w = h
	}
	return w
}

// tick sends what is due: the data of the periods that ended since the
// last tick, the real-time data, a heartbeat. In a gap it sends nothing,
// and the periods that end in it are sent only on request; its clock goes
// on as if it sent.
func (x *link) tick(next *time.Time) error {
	now := time.Now()
	t := x.clock(now)
	silent := x.silent(t.Unix())
	// After a long disconnection, a day's worth of periods at most.
	x.mark = max(x.mark, t.Unix()-86400)
	for _, p := range periods {
		for start := periodStart(x.mark, p.length); start+p.length <= t.Unix() && !silent; start += p.length {
			if err := x.sendData(x.aggregated(p.cn, start, t, x.ack)); err != nil {
				return err
			}
		}
	}
	x.mark = t.Unix()
	if silent {
		x.lastWrite = now // no heartbeat in a gap either
	}
	if !now.Before(*next) {
		if err := x.sendRealtime(t, silent); err != nil {
			return err
		}
		x.advance(next, now)
	}
	if x.version == "2025" && !silent && time.Since(x.lastWrite) >= heartbeatIdle {
		b, err := x.heartbeat(t)
		if err == nil {
			err = x.write(b)
		}
		return err
	}
	return nil
}

// advance sets when the next real-time frame is due: the pacer's next slot,
// or the next tick of the interval (ticks missed while waiting are skipped).
func (x *link) advance(next *time.Time, now time.Time) {
	if x.r.pace != nil {
		*next = x.r.pace.reserve(x.r.cfg.Window)
		return
	}
	if d := now.Sub(*next); d >= 0 {
		*next = next.Add((d/x.r.cfg.Interval + 1) * x.r.cfg.Interval)
	}
}

// sendRealtime sends the real-time data due at logger time t: one frame,
// or, with a window and a rate, the next Window seconds' frames in one
// write, after which it waits for their answers. In a gap it sends nothing.
func (x *link) sendRealtime(t time.Time, silent bool) error {
	n := 1
	if x.r.pace != nil {
		n = max(x.r.cfg.Window, 1)
	}
	x.lastRtd = t.Unix() + int64(n) - 1
	if silent {
		return nil
	}
	for k := range n {
		frame, qn, err := x.realtime(t.Add(time.Duration(k)*time.Second), x.ack)
		if err != nil {
			return err // newSim encoded the same kind of frame already
		}
		x.stage(frame, qn)
	}
	return x.flush()
}

// sent is a data frame written and not yet answered.
type sent struct {
	frame []byte
	qn    string
}

func (x *link) sendData(frame []byte, qn string, err error) error {
	if err != nil {
		return err // newSim encoded the same kinds of frame already
	}
	x.stage(frame, qn)
	return x.flush()
}

// stage queues a data frame for the next write, now and then after a
// corrupt one (the malformed fault) or twice (resend), and its QN for the
// answer to wait for.
func (x *link) stage(frame []byte, qn string) {
	x.pend = append(x.pend, sent{frame, qn})
	if x.faults&malformed != 0 && x.rng.Float64() < pMalformed {
		x.out = append(x.out, x.corrupt(frame)...)
		x.r.malformed.Add(1)
		x.r.sent.Add(1)
	}
	x.out = append(x.out, frame...)
	x.r.sent.Add(1)
	if x.faults&resend != 0 && x.rng.Float64() < pResend {
		x.out = append(x.out, frame...)
		x.r.resent.Add(1)
		x.r.sent.Add(1)
	}
}

// flush writes what is staged and, if the frames ask for answers, waits
// for the 9014 that echoes each one's QN, in the order sent, writing a
// frame again after each timeout (HJ 212-2017 Table 1).
func (x *link) flush() error {
	defer func() { x.out, x.pend = x.out[:0], x.pend[:0] }()
	if err := x.writeN(x.out, 0); err != nil {
		return err
	}
	sentAt := time.Now()
	if !x.ack {
		return nil
	}
	for _, p := range x.pend {
		for tries := 0; ; tries++ {
			acked, err := x.read(time.Now().Add(ackTimeout), p.qn)
			switch {
			case err != nil:
				return err
			case acked:
				x.r.latency[latBucket(time.Since(sentAt))].Add(1)
			case tries == reCount: // given up, as a logger does after ReCount tries
			default:
				if err := x.write(p.frame); err != nil {
					return err
				}
				x.r.resent.Add(1)
				continue
			}
			break
		}
	}
	return nil
}

// write writes one frame.
func (x *link) write(b []byte) error { return x.writeN(b, 1) }

// writeN writes b, which holds n frames to count as sent.
func (x *link) writeN(b []byte, n int64) error {
	if _, err := x.c.Write(b); err != nil {
		return err
	}
	x.r.sent.Add(n)
	x.lastWrite = time.Now()
	return nil
}

// read reads the server's frames until the deadline, the 9014 that echoes
// qn (then acked), or, when qn is "", a request of the platform, which it
// queues in x.reqs for the session.
func (x *link) read(deadline time.Time, qn string) (acked bool, err error) {
	if err := x.c.SetReadDeadline(deadline); err != nil {
		return false, err
	}
	for {
		tok := x.in.Next()
		if tok == nil { // no whole frame yet
			if err := x.in.Fill(); errors.Is(err, os.ErrDeadlineExceeded) {
				return false, nil
			} else if err != nil {
				return false, err
			}
			continue
		}
		acked = x.handle(tok, qn)
		if acked || qn == "" && len(x.reqs) > 0 {
			return acked, nil
		}
	}
}

// handle takes one frame (or garbage) from the server: it counts an
// answer and reports whether it is the 9014 to qn, and queues a request.
func (x *link) handle(tok []byte, qn string) (acked bool) {
	if isAck(tok, qn) {
		x.r.acked.Add(1)
		return true
	}
	if hj212.DecodeInto(&x.ans, tok, hj212.Options{}) != nil {
		return false // not the logger's business
	}
	switch x.ans.CN {
	case "9014":
		x.r.acked.Add(1)
		return qn != "" && x.ans.QN == qn
	case "9013": // answers a notification or heartbeat; the logger waits for none
	default:
		if f, err := hj212.Decode(tok, hj212.Options{}); err == nil { // a Frame of its own
			x.reqs = append(x.reqs, f)
		}
	}
	return false
}

// answer carries out a request of the platform (HJ 212-2017 §6.5: request,
// 9011, data, 9012). The logger's memory holds the minute, hour and day
// data of any past period, sent or not; other commands it refuses.
func (x *link) answer(req *hj212.Frame) error {
	now := x.clock(time.Now())
	if x.silent(now.Unix()) {
		return nil // in a gap the request never arrives
	}
	length, _ := periodOf(req.CN)
	begin, end, ok := timeRange(req)
	rtn := 1 // QnRtn (Table 7): 1 ready, 2 rejected, 3 PW wrong, 4 MN wrong
	switch {
	case req.PW != x.PW:
		rtn = 3
	case req.MN != x.MN:
		rtn = 4
	case length == 0 || !ok:
		rtn = 2
	}
	b, err := x.reply("9011", req.QN, "QnRtn", rtn)
	if err == nil {
		err = x.write(b)
	}
	if err != nil || rtn != 1 {
		return err
	}
	// With a window, the periods go that many to a write.
	n := 0
	for p := periodStart(begin, length); p <= end && p+length <= now.Unix() && n < maxBackfill; p += length {
		frame, qn, err := x.aggregated(req.CN, p, now, x.ack)
		if err != nil {
			return err
		}
		x.stage(frame, qn)
		if n++; len(x.pend) == max(x.r.cfg.Window, 1) {
			if err := x.flush(); err != nil {
				return err
			}
		}
	}
	if len(x.pend) > 0 {
		if err := x.flush(); err != nil {
			return err
		}
	}
	exe := 1 // ExeRtn (Table 6): 1 success, 100 no data
	if n == 0 {
		exe = 100
	}
	if b, err = x.reply("9012", req.QN, "ExeRtn", exe); err == nil {
		err = x.write(b)
	}
	return err
}

// timeRange reads a request's BeginTime and EndTime.
func timeRange(f *hj212.Frame) (begin, end int64, ok bool) {
	var b, e time.Time
	for _, c := range f.CP {
		// Some platforms add milliseconds.
		t, err := time.ParseInLocation("20060102150405", c.Value[:min(len(c.Value), 14)], cst.Zone)
		switch {
		case err != nil:
		case c.Key == "BeginTime":
			b = t
		case c.Key == "EndTime":
			e = t
		}
	}
	return b.Unix(), e.Unix(), !b.IsZero() && !e.IsZero() && !e.Before(b)
}

// isAck reports, cheaply, whether tok (a whole frame from SplitFrames) is
// the 9014 answer to qn as hj212.DataAck writes it: QN first, then ST=91
// and CN=9014, and a right CRC in uppercase. Other answers are decoded.
func isAck(tok []byte, qn string) bool {
	if qn == "" || len(tok) < 12 {
		return false
	}
	data := tok[6 : len(tok)-6]
	rest, ok := bytes.CutPrefix(data, []byte("QN="))
	if !ok || len(rest) <= len(qn) || string(rest[:len(qn)]) != qn ||
		!bytes.HasPrefix(rest[len(qn):], []byte(";ST=91;CN=9014;")) {
		return false
	}
	c := hj212.CRC(data)
	for i, d := range tok[len(tok)-6 : len(tok)-2] {
		if d != "0123456789ABCDEF"[c>>(12-4*i)&15] {
			return false
		}
	}
	return true
}
