package monitoring

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"strconv"
	"time"

	"ecoindustry/internal/cst"

	"github.com/valyala/fastjson"
)

// RealTime is the command of real-time data, which our rollups are built from.
const RealTime = "2011"

// sources are the rollups a roll keeps (decision 0017), each of one
// command's values over one period: ours of the real-time values (Rtd),
// and the logger's own hourly and daily data (Avg), kept apart by command.
var sources = [...]struct {
	period Period
	cn     string
	field  string // the value counted and summed
	keep   int    // how much of a data key (YYYYMMDDhhmmss) names the period's start
}{
	{Minute, RealTime, "rtd", 12}, {Hour, RealTime, "rtd", 10}, {Day, RealTime, "rtd", 8},
	{Hour, "2061", "avg", 10}, {Day, "2031", "avg", 8},
}

// rolledCommands are the commands whose frames a roll reads.
var rolledCommands = []string{RealTime, "2061", "2031"}

// rollShards is how many parts a source's additions are cut into, by
// outlet, each a transaction of its own: at 10,000 outlets one period's
// additions took the writing connection, and with it the frames' answers,
// for up to a second. An outlet's shard never changes: progress is kept
// per shard.
const rollShards = 32

// Part is one source's rollups of the outlets of one shard, folded with a
// progress of its own.
type Part struct {
	Period Period
	CN     string
	Shard  int
}

// String names the part's progress: "minute/3" for ours (as before the
// logger's sources), "hour/2061/3" for the logger's.
func (pt Part) String() string {
	if pt.CN == RealTime {
		return string(pt.Period) + "/" + strconv.Itoa(pt.Shard)
	}
	return string(pt.Period) + "/" + pt.CN + "/" + strconv.Itoa(pt.Shard)
}

// parts are all the parts, source by source.
var parts = func() []Part {
	var pts []Part
	for _, src := range sources {
		for shard := range rollShards {
			pts = append(pts, Part{src.period, src.cn, shard})
		}
	}
	return pts
}()

// shardOf is the shard of an outlet's rollups: FNV-1a, the same in every
// process and release.
func shardOf(uscc, outlet string) int {
	h := fnv.New32a()
	h.Write([]byte(uscc))
	h.Write([]byte{0})
	h.Write([]byte(outlet))
	return int(h.Sum32() % rollShards)
}

// RollFrame is what a roll reads of a stored frame. Vals is valid only
// during the call it is passed to.
type RollFrame struct {
	ID                     int64
	USCC, Outlet, CN, DKey string
	Revision               int
	At                     time.Time // received
	Vals                   []byte
}

// A logger's own data time is unusable when it is more than ClockAhead
// after the frame's receipt (no logger measures the future) or before
// ClockFloor (a clock reset to its epoch, 2000-01-01 or 1970, after a
// power loss: no HJ 212-2017 logger sent data before the standard): such a
// frame's values are rolled into the periods of its receipt instead, and
// counted as skewed, which the rules raise as a clock alarm (decision
// 0025). The frame and its readings keep the logger's time as sent. A
// backlog sent after an outage keeps its own time, however old: the past
// bound is a date, not a distance from the receipt.
const ClockAhead = 10 * time.Minute

// ClockFloor is HJ 212-2017's year, as a data key.
const ClockFloor = "20170101000000"

// Sum is what a roll adds to one rollup of a part.
type Sum struct {
	USCC, Outlet, Code string
	Start              string // the period's start as a data key (YYYYMMDDhhmmss, CST)
	Count, Flagged     int
	Skewed             int // values placed by receipt, their data time unusable
	Sum, Min, Max, Cou float64
}

// Addition is a part's sums, and the progress they take it from.
type Addition struct {
	Part Part
	From int64
	Sums []Sum
}

var (
	// ErrEnough, from a roll's fn, stops the reading before that frame.
	ErrEnough = errors.New("monitoring: roll full")
	// ErrMoved: another process moved the progress or cursor first.
	ErrMoved = errors.New("monitoring: moved meanwhile")
)

// rollChunk is the most frames one roll folds. The sums are made outside
// the store's write transactions, and the more frames a roll takes, the
// fewer rollup rows it adds to per frame.
const rollChunk = 500_000

// maxSums bounds the memory of a roll: it stops after the frame that
// makes this many sums (about 150 bytes each), and the next roll goes on.
const maxSums = 300_000

// Roller builds the rollups behind the writer, off the path of the
// acknowledgements: every interval it folds what was stored since, a chunk
// at a time.
func Roller(ctx context.Context, s Store, interval, lag time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := Roll(ctx, s, rollChunk, lag)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("monitoring: rollups", "err", err)
				}
				break
			}
			if n < rollChunk {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Roll folds the frames stored since the last roll into the rollups (at
// most maxFrames of them, none received less than lag ago) and returns
// how many frame ids it went past. The sums are made here, from one read
// of the frames in id order outside any write transaction; then each
// part's are added to the stored ones in a transaction of its own that
// also moves the part's progress, if no other roll did first: every value
// counts once, and the writer waits for one part's additions at a time.
// Parts with nothing to add move together.
func Roll(ctx context.Context, s Store, maxFrames int, lag time.Duration) (int, error) {
	stored, err := s.RollProgress(ctx)
	if err != nil {
		return 0, err
	}
	r := roll{progress: make(map[Part]int64, len(parts)), sums: map[Part]map[sumKey]*Sum{}, outlets: map[[2]string]*current{}}
	from := int64(math.MaxInt64)
	for _, pt := range parts {
		last, ok := stored[pt.String()]
		if !ok && pt.CN == RealTime {
			// Progress from before the shards ("minute") stands for the
			// period's shards until they have their own.
			last = stored[string(pt.Period)]
		}
		r.progress[pt] = last
		from = min(from, last)
		r.sums[pt] = map[sumKey]*Sum{}
	}
	to, err := s.RollFrames(ctx, from, maxFrames, lag, rolledCommands, r.add)
	if err != nil || to <= from {
		return 0, err
	}
	var idle []Addition
	for _, pt := range parts {
		if r.progress[pt] >= to {
			continue
		}
		a := Addition{Part: pt, From: r.progress[pt]}
		if len(r.sums[pt]) == 0 {
			idle = append(idle, a)
			continue
		}
		a.Sums = make([]Sum, 0, len(r.sums[pt]))
		for _, x := range r.sums[pt] {
			a.Sums = append(a.Sums, *x)
		}
		if err := s.AddRollups(ctx, to, []Addition{a}); err != nil && !errors.Is(err, ErrMoved) {
			return 0, err
		}
	}
	if len(idle) > 0 {
		if err := s.AddRollups(ctx, to, idle); err != nil && !errors.Is(err, ErrMoved) {
			return 0, err
		}
	}
	return int(to - from), nil
}

// roll is a roll's sums as they are made.
type roll struct {
	progress map[Part]int64
	sums     map[Part]map[sumKey]*Sum
	n        int
	// fastjson reads the values where encoding/json, through reflection,
	// took 4.5 µs a frame, the largest part of a roll.
	parser fastjson.Parser
	vals   []value
	// An outlet's frames come in time order: each outlet keeps its current
	// period starts with their sums at hand, and the map of all sums is
	// asked only when a period starts (a lookup by four strings per value
	// and period was a third of a roll).
	outlets map[[2]string]*current
}

type sumKey struct{ uscc, outlet, code, start string }

type current struct {
	shard int
	start [len(sources)]string
	sums  [len(sources)][]codeSum
}

// codeSum is a pollutant's sum in an outlet's current period.
type codeSum struct {
	code string
	x    *Sum
}

// value is what a roll takes of one reading: the value of its source's
// field, its Min and Max where it has them (the logger's data), its Cou
// (a flow total, or a pollutant's amount) and whether it was flagged.
type value struct {
	code             []byte
	rtd, avg, lo, hi *fastjson.Value
	cou              float64
	flagged          bool
}

// add sums the values of one frame into each source whose command it is
// and whose part has not folded it yet: the original revision only (a
// revision is for review), and only frames with a data time.
func (r *roll) add(f RollFrame) error {
	if r.n >= maxSums {
		return ErrEnough
	}
	if f.Revision != 0 || len(f.DKey) != 14 {
		return nil
	}
	dkey, skewed := placed(f)
	cur := r.outlets[[2]string{f.USCC, f.Outlet}]
	if cur == nil {
		cur = &current{shard: shardOf(f.USCC, f.Outlet)}
		r.outlets[[2]string{f.USCC, f.Outlet}] = cur
	}
	parsed := false
	for i, src := range sources {
		pt := Part{src.period, src.cn, cur.shard}
		if src.cn != f.CN || f.ID <= r.progress[pt] {
			continue
		}
		if !parsed {
			if err := r.parse(f); err != nil {
				return err
			}
			parsed = true
		}
		start := dkey[:src.keep] + "000000"[:14-src.keep]
		if cur.start[i] != start {
			cur.start[i], cur.sums[i] = start, cur.sums[i][:0]
		}
		for _, v := range r.vals {
			fv, lo, hi := v.rtd, v.rtd, v.rtd
			if src.field == "avg" { // the logger's own mean, with its own Min and Max
				fv, lo, hi = v.avg, cmp.Or(v.lo, v.avg), cmp.Or(v.hi, v.avg)
			}
			if fv == nil {
				continue // a Cou without its value is not counted
			}
			x := find(cur.sums[i], v.code)
			if x == nil {
				k := sumKey{f.USCC, f.Outlet, string(v.code), start}
				if x = r.sums[pt][k]; x == nil {
					x = &Sum{USCC: k.uscc, Outlet: k.outlet, Code: k.code, Start: start, Min: math.Inf(1), Max: math.Inf(-1)}
					r.sums[pt][k] = x
					r.n++
				}
				cur.sums[i] = append(cur.sums[i], codeSum{k.code, x})
			}
			x.Count++
			x.Sum += fv.GetFloat64()
			x.Cou += v.cou
			x.Min, x.Max = min(x.Min, lo.GetFloat64()), max(x.Max, hi.GetFloat64())
			if v.flagged {
				x.Flagged++
			}
			if skewed {
				x.Skewed++
			}
		}
	}
	return nil
}

// placed is the data key a frame's values are rolled under: its own, or
// its receipt's where its own is unusable (ClockAhead, ClockFloor).
func placed(f RollFrame) (string, bool) {
	if f.At.IsZero() {
		return f.DKey, false
	}
	if f.DKey < ClockFloor || f.DKey > dataKey(f.At.Add(ClockAhead)) {
		return dataKey(f.At), true
	}
	return f.DKey, false
}

// dataKey is t as a data key (YYYYMMDDhhmmss, CST).
func dataKey(t time.Time) string { return t.In(cst.Zone).Format("20060102150405") }

// parse reads a frame's readings (AppendReadings) into r.vals.
func (r *roll) parse(f RollFrame) error {
	v, err := r.parser.ParseBytes(f.Vals)
	if err != nil {
		return fmt.Errorf("monitoring: rollups: frame %d: %w", f.ID, err)
	}
	rs, err := v.Array()
	if err != nil {
		return fmt.Errorf("monitoring: rollups: frame %d: %w", f.ID, err)
	}
	r.vals = r.vals[:0]
	for _, o := range rs {
		x := value{code: o.GetStringBytes("code"), rtd: number(o, "rtd"), avg: number(o, "avg"), lo: number(o, "min"), hi: number(o, "max")}
		if c := number(o, "cou"); c != nil {
			x.cou = c.GetFloat64()
		}
		if flag := o.GetStringBytes("flag"); len(flag) > 0 && string(flag) != "N" {
			x.flagged = true
		}
		r.vals = append(r.vals, x)
	}
	return nil
}

// number is o's field k if it is a number, else nil.
func number(o *fastjson.Value, k string) *fastjson.Value {
	if v := o.Get(k); v != nil && v.Type() == fastjson.TypeNumber {
		return v
	}
	return nil
}

func find(sums []codeSum, code []byte) *Sum {
	for _, c := range sums {
		if c.code == string(code) {
			return c.x
		}
	}
	return nil
}
