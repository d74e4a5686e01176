package hj212

import "time"

// Reassembler joins the parts of split packets (Flag bit D, PNUM/PNO;
// HJ 212-2017 §6.3.2, App. C Tables C.49–C.50). Each part is a whole frame
// with its own QN, CRC and self-contained CP that repeats DataTime, so the
// parts of one packet are those with the same MN, CN, PNUM and DataTime.
// QN is not part of that key: App. C gives each part its own (…534, …535).
//
// The joined frame has the header (QN, ST, PW, Flag, Extra) of part 1,
// Flag bit D cleared and PNUM = PNO = 0; its Values, CP and Warnings are
// those of parts 1, 2, … one after the other (a CP field that every part
// repeats appears once per part), and DataLen is their sum. Answer each
// part as it arrives (DataAck per part, Table C.50), not the joined frame.
//
// A Reassembler is not safe for concurrent use; one per connection, or one
// behind a mutex.
type Reassembler struct {
	max     int
	pending map[partKey]*partGroup
	evicted int
}

type partKey struct {
	mn, cn   string
	pnum     int
	dataTime int64 // Unix milliseconds; that of the zero Time when there is none
}

type partGroup struct {
	first time.Time // arrival of its first part
	parts []*Frame  // by PNO-1
	have  int
}

// NewReassembler returns a Reassembler that holds at most maxPending
// incomplete packets (at least 1).
func NewReassembler(maxPending int) *Reassembler {
	return &Reassembler{max: max(maxPending, 1), pending: map[partKey]*partGroup{}}
}

// Add takes a decoded frame that arrived at now. It returns f itself when
// f is not a part (PNUM ≤ 1), the joined frame when f completes its
// packet, and nil while the packet waits for parts; parts come in any
// order, and a part already held (same PNO) is ignored, as is one whose
// PNO is out of range. When maxPending packets are waiting, the one whose
// first part is oldest is dropped to make room (see Evicted).
func (r *Reassembler) Add(f *Frame, now time.Time) *Frame {
	if f.PNUM <= 1 {
		return f
	}
	if f.PNO < 1 || f.PNO > f.PNUM {
		return nil
	}
	k := partKey{f.MN, f.CN, f.PNUM, f.DataTime.UnixMilli()}
	g := r.pending[k]
	if g == nil {
		if len(r.pending) >= r.max {
			r.evictOldest()
		}
		g = &partGroup{first: now, parts: make([]*Frame, f.PNUM)}
		r.pending[k] = g
	}
	if g.parts[f.PNO-1] != nil {
		return nil
	}
	g.parts[f.PNO-1] = f
	if g.have++; g.have < len(g.parts) {
		return nil
	}
	delete(r.pending, k)
	return join(g.parts)
}

func (r *Reassembler) evictOldest() {
	var oldest partKey
	var at time.Time
	for k, g := range r.pending {
		if at.IsZero() || g.first.Before(at) {
			oldest, at = k, g.first
		}
	}
	delete(r.pending, oldest)
	r.evicted++
}

// Expire drops the packets whose first part arrived before olderThan and
// returns how many it dropped: their other parts are not coming (a logger
// that lost the connection sends the whole packet again).
func (r *Reassembler) Expire(olderThan time.Time) int {
	n := 0
	for k, g := range r.pending {
		if g.first.Before(olderThan) {
			delete(r.pending, k)
			n++
		}
	}
	return n
}

// Pending returns how many packets wait for parts.
func (r *Reassembler) Pending() int { return len(r.pending) }

// Evicted returns how many packets Add dropped to stay within maxPending.
func (r *Reassembler) Evicted() int { return r.evicted }

func join(parts []*Frame) *Frame {
	j := *parts[0]
	j.PNUM, j.PNO, j.DataLen = 0, 0, 0
	if j.Flag >= 0 {
		j.Flag &^= 2
	}
	j.Values, j.CP, j.Warnings = nil, nil, nil
	for _, p := range parts {
		j.Values = append(j.Values, p.Values...)
		j.CP = append(j.CP, p.CP...)
		j.Warnings = append(j.Warnings, p.Warnings...)
		j.DataLen += p.DataLen
	}
	return &j
}
