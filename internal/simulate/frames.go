package simulate

import (
	"math"
	"strconv"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

// periods are the aggregated data: CN, length and sampling step (seconds).
var periods = []struct {
	cn           string
	length, step int64
}{
	{"2051", 10 * 60, 30}, // MinInterval=10, as in App. C; RtdInterval=30
	{"2061", 3600, 60},
	{"2031", 86400, 600},
}

// periodOf returns the length of the period of a data CN, 0 for other CNs.
func periodOf(cn string) (length, step int64) {
	for _, p := range periods {
		if p.cn == cn {
			return p.length, p.step
		}
	}
	return 0, 0
}

// periodStart is the start of the period of the given length holding t,
// aligned on local midnight.
func periodStart(t, length int64) int64 {
	return floorDiv(t+cst.Offset, length)*length - cst.Offset
}

// begin resets the reused frame for a new one.
func (s *sim) begin(cn, st, qn string, flag int, dataTime time.Time) {
	s.f = hj212.Frame{Version: s.version, QN: qn, ST: st, CN: cn, PW: s.PW, MN: s.MN, Flag: flag,
		DataTime: dataTime, Values: s.f.Values[:0], CP: s.f.CP[:0]}
}

// flag is the Flag field (HJ 212-2017 Table 3): version bits V5–V0 in bits
// 2–7 (000001 for 2017, 000010 for 2025 after caoyiliang/HJ212 Enum.cs), A
// in bit 0. 2005 loggers commonly send none (PROTOCOL.md §0.3), and -1 leaves it out.
func (s *sim) flag(ack bool) int {
	f := 4
	switch s.version {
	case "2005":
		return -1
	case "2025":
		f = 8
	}
	if ack {
		f |= 1
	}
	return f
}

// qn is the request ID of a frame sent at t: a millisecond timestamp that
// identifies the exchange (Table 3), so each is kept unique per logger.
// 2005 loggers commonly send none.
func (s *sim) qn(t time.Time) string {
	if s.version == "2005" {
		return ""
	}
	if t = t.Truncate(time.Millisecond); !t.After(s.lastQN) {
		t = s.lastQN.Add(time.Millisecond)
	}
	s.lastQN = t
	b := t.In(cst.Zone).AppendFormat(s.qnBuf[:0], "20060102150405.000")
	s.qnBuf = append(b[:14], b[15:]...) // without the point
	return string(s.qnBuf)
}

func (s *sim) num(i int, field string, v float64) {
	s.f.Values = append(s.f.Values, hj212.Value{Code: s.Pollutants[i].Code, Code2005: s.code05[i], Field: field, Value: round(v)})
}

func (s *sim) text(i int, field, v string) {
	s.f.Values = append(s.f.Values, hj212.Value{Code: s.Pollutants[i].Code, Code2005: s.code05[i], Field: field, Text: v, IsText: true})
}

// round keeps 4 significant digits: instruments report no more.
func round(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	p := math.Pow10(3 - int(math.Floor(math.Log10(math.Abs(v)))))
	return math.Round(v*p) / p
}

func (s *sim) encode() ([]byte, string, error) {
	b, err := hj212.Encode(&s.f)
	return b, s.f.QN, err
}

// realtime is the real-time data (CN 2011) at t: Rtd, ZsRtd and the flag of
// each pollutant.
func (s *sim) realtime(t time.Time, ack bool) (frame []byte, qn string, err error) {
	r := s.readAt(t.Unix())
	s.begin("2011", s.st, s.qn(t), s.flag(ack), t.Truncate(time.Second).In(cst.Zone))
	for i := range r {
		s.num(i, "Rtd", r[i].v)
		if s.zs[i] {
			s.num(i, "ZsRtd", r[i].zs)
		}
		s.text(i, "Flag", r[i].flag)
	}
	return s.encode()
}

// aggregated is the minute, hour or day data (CN 2051, 2061, 2031) of the
// period starting at start, sent at now: Cou, Min, Avg, Max (and the Zs
// ones) and the flag of each pollutant, as App. C Tables C.16–C.18.
func (s *sim) aggregated(cn string, start int64, now time.Time, ack bool) (frame []byte, qn string, err error) {
	length, step := periodOf(cn)
	volume := s.aggregate(start, start+length, step)
	s.begin(cn, s.st, s.qn(now), s.flag(ack), time.Unix(start, 0).In(cst.Zone))
	for i := range s.aggs {
		a := &s.aggs[i]
		avg := a.sum / float64(a.n)
		if s.Kind == "water" && s.couK[i] > 0 && i != s.flow && volume > 0 {
			avg = a.mass / volume // flow-weighted (App. D.1)
		}
		switch {
		case i == s.flow:
			s.num(i, "Cou", volume)
		case s.couK[i] > 0 && s.flow >= 0:
			s.num(i, "Cou", a.mass*s.couK[i])
		}
		s.num(i, "Min", a.min)
		s.num(i, "Avg", avg)
		s.num(i, "Max", a.max)
		if s.zs[i] {
			s.num(i, "ZsMin", a.zmin)
			s.num(i, "ZsAvg", a.zsum/float64(a.n))
			s.num(i, "ZsMax", a.zmax)
		}
		s.text(i, "Flag", a.aggFlag(s.Kind))
	}
	return s.encode()
}

// reply is a 9011 (QnRtn) or 9012 (ExeRtn) answer to the request qn: system
// interaction, ST=91 (Table 5), asking for no answer.
func (s *sim) reply(cn, qn, key string, v int) ([]byte, error) {
	s.begin(cn, "91", qn, s.flag(false), time.Time{})
	s.f.CP = append(s.f.CP, hj212.Field{Key: key, Value: strconv.Itoa(v)})
	b, _, err := s.encode()
	return b, err
}

// heartbeat is the HJ 212-2025 heartbeat (CN 9015): the logger's ST and
// an empty CP, asking for an answer unless NoAck (caoyiliang/HJ212
// HeartbeatReq.cs). The logger does not wait for it.
func (s *sim) heartbeat(now time.Time) ([]byte, error) {
	s.begin("9015", s.st, s.qn(now), s.flag(s.ack), time.Time{})
	b, _, err := s.encode()
	return b, err
}

// corrupt returns a broken copy of frame, or bytes that are no frame, as
// a line or a modem produces them now and then.
func (s *sim) corrupt(frame []byte) []byte {
	switch s.rng.IntN(3) {
	case 0: // a wrong CRC: one of its hex digits changed
		b := append([]byte(nil), frame...)
		i := len(b) - 3 // the last CRC digit, before CRLF
		d, _ := strconv.ParseUint(string(b[i]), 16, 8)
		b[i] = "0123456789ABCDEF"[(d+1)%16]
		return b
	case 1: // cut short, as when a link drops mid-frame
		return frame[:len(frame)/2]
	}
	b := make([]byte, 8+s.rng.IntN(32)) // line noise
	for i := range b {
		b[i] = byte(s.rng.IntN(256))
		if b[i] == '#' {
			b[i] = '*' // no false frame start
		}
	}
	return b
}
