package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"ecoindustry/internal/monitoring"
)

var framesTable = &Table{Name: "frames",
	Cols: []string{"id", "mn", "cn", "dkey", "pno", "revision", "hash", "uscc", "outlet_code", "at", "peer", "frame", "vals"}}

// framesNumbered is framesTable written without ids, for a dialect
// that numbers the frames itself (Dialect.FrameIDs nil).
var framesNumbered = &Table{Name: framesTable.Name, Cols: framesTable.Cols[1:]}

// realtime is the command of real-time data, which our rollups are built from.
const realtime = "2011"

// WriteBatch implements monitoring.Store. A frame is one row, its readings
// a JSON array in it (decision 0007): one row per frame is what lets the
// writer keep up with thousands of loggers.
func (s *DB) WriteBatch(ctx context.Context, batch []*monitoring.Received) ([]monitoring.Outcome, error) {
	out := make([]monitoring.Outcome, len(batch))
	keys := make([]monitoring.Key, len(batch))
	hashes := make([]string, len(batch))
	for i, r := range batch {
		r.Prepare()
		keys[i], hashes[i] = r.Key, r.Hash
	}
	var commit func(written int)
	var loggersStored func()
	n := 0
	err := s.Tx(ctx, func(c *Conn) error {
		loggersStored = s.loggers.add(c, batch)
		var fresh []bool
		if s.d.FrameIDs == nil {
			var err error
			if fresh, commit, err = s.newest.fresh(ctx, c, s.d, keys); err != nil {
				return err
			}
		}
		revs, err := s.revisions(ctx, c, keys, fresh, hashes, out)
		if err != nil {
			return err
		}
		n = 0
		for _, o := range out {
			if o != monitoring.Duplicate {
				n++
			}
		}
		var ids []int64
		if s.d.FrameIDs != nil {
			if ids, err = s.d.FrameIDs(ctx, c, n); err != nil {
				return fmt.Errorf("%s: frame ids: %w", s.d.Name, err)
			}
		}
		for i, r := range batch {
			if out[i] == monitoring.Duplicate {
				continue
			}
			k := keys[i]
			row := []any{k.MN, k.CN, k.DKey, k.PNO, revs[i], hashes[i], r.USCC, r.Outlet, s.d.Time(r.At), r.Peer, string(r.Raw), r.Vals}
			if s.d.FrameIDs == nil {
				c.Put(framesNumbered, row)
				continue
			}
			c.Put(framesTable, append([]any{ids[0]}, row...))
			ids = ids[1:]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if commit != nil {
		commit(n)
	}
	loggersStored()
	return out, nil
}

// keysPerLookup is how many frame keys one lookup statement asks for.
const keysPerLookup = 100

// revisions decides for each frame whether it is new, a duplicate or a
// revision of a stored one, and its revision number; a key repeated within
// the batch counts against the batch's earlier frame. The stored frames
// of the batch's keys are read a hundred keys a statement, but for the
// frames known to be fresh (newer than any stored of their logger; fresh
// may be nil).
func (s *DB) revisions(ctx context.Context, c *Conn, keys []monitoring.Key, fresh []bool, hashes []string, out []monitoring.Outcome) ([]int, error) {
	type seen struct {
		rev    int
		hashes map[string]bool
	}
	known := make(map[monitoring.Key]*seen, len(keys))
	var ask []monitoring.Key
	for i, k := range keys {
		if known[k] == nil {
			known[k] = &seen{rev: -1}
			if fresh == nil || !fresh[i] {
				ask = append(ask, k)
			}
		}
	}
	args := make([]any, 0, 4*keysPerLookup)
	for len(ask) > 0 {
		n := min(len(ask), keysPerLookup)
		var q strings.Builder
		q.WriteString(`SELECT mn, cn, dkey, pno, revision, hash FROM frames WHERE (mn, cn, dkey, pno) IN (VALUES `)
		args = args[:0]
		for i, k := range ask[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + s.d.Param(4*i+1) + ", " + s.d.Param(4*i+2) + ", " + s.d.Param(4*i+3) + ", CAST(" + s.d.Param(4*i+4) + " AS INTEGER))")
			args = append(args, k.MN, k.CN, k.DKey, k.PNO)
		}
		q.WriteString(")")
		ask = ask[n:]
		rows, err := c.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: frame keys: %w", s.d.Name, err)
		}
		for rows.Next() {
			var k monitoring.Key
			var rev int
			var hash string
			if err := rows.Scan(&k.MN, &k.CN, &k.DKey, &k.PNO, &rev, &hash); err != nil {
				rows.Close()
				return nil, err
			}
			sn := known[k]
			if sn == nil {
				continue // not asked for (a key that differs only in case, say)
			}
			if sn.hashes == nil {
				sn.hashes = map[string]bool{}
			}
			sn.rev = max(sn.rev, rev)
			sn.hashes[hash] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	revs := make([]int, len(keys))
	for i, k := range keys {
		sn := known[k]
		switch {
		case sn.hashes[hashes[i]]:
			out[i] = monitoring.Duplicate
			continue
		case sn.rev < 0:
			out[i] = monitoring.New
		default:
			out[i] = monitoring.Revision
		}
		if sn.hashes == nil {
			sn.hashes = map[string]bool{}
		}
		sn.rev++
		sn.hashes[hashes[i]] = true
		revs[i] = sn.rev
	}
	return revs, nil
}

// periods are the rollups' lengths, each with how much of a data key
// (YYYYMMDDhhmmss, China Standard Time) names its start.
var periods = [...]struct {
	p    monitoring.Period
	keep int
}{{monitoring.Minute, 12}, {monitoring.Hour, 10}, {monitoring.Day, 8}}

// rollupsTable is written with statements of its own: a roll adds to the
// stored sums rather than replacing them.
var rollupsTable = &Table{Name: "rollups", Cols: []string{"uscc", "outlet_code", "code", "period", "start", "count", "sum", "min", "max", "flagged"}}

type rollupKey struct{ uscc, outlet, code, start string }

type sum struct {
	count, flagged int
	sum, min, max  float64
}

// Roll implements monitoring.Store: it folds the real-time values of the
// frames stored since the last roll (at most maxFrames of them, and none
// received less than lag ago) into the rollups, and records how far it
// got, per part (a period's rollups of a shard of the outlets). The sums
// are made in Go from a read outside any write transaction; then each
// part's are added to the stored ones in a transaction of its own that
// first checks that no other roll got there before and records the new
// progress: every value counts once, and the writer waits only for one
// part's additions at a time.
func (s *DB) Roll(ctx context.Context, maxFrames int, lag time.Duration) (int, error) {
	progress, err := s.progress(ctx, s.reader.q)
	if err != nil {
		return 0, err
	}
	from := progress[rollPart{periods[0].p, 0}]
	for _, p := range progress {
		from = min(from, p)
	}
	// Frames committed out of id order (PostgreSQL, several writers) are
	// past the lag: roll no further than the newest frame before it.
	var safe int64
	if err := scanOne(ctx, s.reader.q, `SELECT COALESCE(MAX(id), 0) FROM frames WHERE id > $1 AND at < $2`,
		[]any{from, s.d.Time(time.Now().Add(-lag))}, &safe); err != nil {
		return 0, err
	}
	safe = min(safe, from+int64(maxFrames))
	if safe <= from {
		return 0, nil
	}
	sums, safe, err := s.sums(ctx, progress, from, safe)
	if err != nil {
		return 0, err
	}
	for _, pt := range rollParts {
		if progress[pt] >= safe {
			continue
		}
		err := s.Tx(ctx, func(c *Conn) error {
			now, err := s.progress(ctx, c)
			if err != nil {
				return err
			}
			if now[pt] != progress[pt] {
				return errRolledMeanwhile
			}
			if err := s.addRollups(ctx, c, pt.p, sums[pt]); err != nil {
				return fmt.Errorf("%s: %s rollups: %w", s.d.Name, pt.p, err)
			}
			_, err = c.ExecContext(ctx, `INSERT INTO rollup_progress (period, last_frame) VALUES ($1, $2)
				ON CONFLICT (period) DO UPDATE SET last_frame = excluded.last_frame`, pt.String(), safe)
			return err
		})
		if err != nil && !errors.Is(err, errRolledMeanwhile) {
			return 0, err
		}
	}
	return int(safe - from), nil
}

// rollShards is how many parts a period's additions are cut into, by
// outlet, each a transaction of its own: at 10,000 outlets one period's
// additions took the writing connection, and with it the frames' answers,
// for up to a second. An outlet's shard never changes: progress is kept
// per shard.
const rollShards = 32

// rollPart is a period's rollups of the outlets of one shard, with
// progress of its own (in rollup_progress as "minute/3").
type rollPart struct {
	p     monitoring.Period
	shard int
}

func (pt rollPart) String() string { return string(pt.p) + "/" + strconv.Itoa(pt.shard) }

// rollParts are all the parts, period by period.
var rollParts = func() []rollPart {
	var pts []rollPart
	for _, p := range periods {
		for shard := range rollShards {
			pts = append(pts, rollPart{p.p, shard})
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

// progress is the last frame folded into each part's rollups. A period's
// progress from before the shards ("minute") stands for each of its
// shards until the shard has its own.
func (s *DB) progress(ctx context.Context, q querier) (map[rollPart]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT period, last_frame FROM rollup_progress`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	stored := map[string]int64{}
	for rows.Next() {
		var p string
		var last int64
		if err := rows.Scan(&p, &last); err != nil {
			return nil, err
		}
		stored[p] = last
	}
	out := map[rollPart]int64{}
	for _, pt := range rollParts {
		last, ok := stored[pt.String()]
		if !ok {
			last = stored[string(pt.p)]
		}
		out[pt] = last
	}
	return out, rows.Err()
}

// maxSums bounds the memory of a roll: it stops after the frame that
// makes this many sums (about 150 bytes each), and the next roll goes on.
const maxSums = 300_000

// sums reads the real-time values of the original frames with ids in
// (from, to] and sums them per outlet, pollutant and period start, for
// each period not yet folded past the frame. It returns the last frame id
// it summed: to, or less where it stopped at maxSums.
func (s *DB) sums(ctx context.Context, progress map[rollPart]int64, from, to int64) (map[rollPart]map[rollupKey]*sum, int64, error) {
	rows, err := s.reader.q.QueryContext(ctx, `SELECT id, uscc, outlet_code, dkey, vals FROM frames
		WHERE id > $1 AND id <= $2 AND cn = '`+realtime+`' AND revision = 0 ORDER BY id`, from, to)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: rollups: %w", s.d.Name, err)
	}
	defer rows.Close()
	out := map[rollPart]map[rollupKey]*sum{}
	for _, pt := range rollParts {
		out[pt] = map[rollupKey]*sum{}
	}
	n := 0
	var vals []byte
	// fastjson reads the values where encoding/json, through reflection,
	// took 4.5 µs a frame, the largest part of a roll.
	var parser fastjson.Parser
	// An outlet's frames come in time order: each outlet keeps its current
	// period starts with their sums at hand, and the map of all sums is
	// asked only when a period starts (a lookup by four strings per value
	// and period was a third of a roll).
	type current struct {
		shard int
		start [len(periods)]string
		sums  [len(periods)][]codeSum
	}
	outlets := map[[2]string]*current{}
	for rows.Next() {
		var id int64
		var uscc, outlet, dkey string
		if err := rows.Scan(&id, &uscc, &outlet, &dkey, &vals); err != nil {
			return nil, 0, err
		}
		if n >= maxSums {
			return out, id - 1, nil
		}
		if len(dkey) != 14 { // no data time
			continue
		}
		v, err := parser.ParseBytes(vals)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: rollups: frame %d: %w", s.d.Name, id, err)
		}
		rs, err := v.Array()
		if err != nil {
			return nil, 0, fmt.Errorf("%s: rollups: frame %d: %w", s.d.Name, id, err)
		}
		cur := outlets[[2]string{uscc, outlet}]
		if cur == nil {
			cur = &current{shard: shardOf(uscc, outlet)}
			outlets[[2]string{uscc, outlet}] = cur
		}
		for i, p := range periods {
			pt := rollPart{p.p, cur.shard}
			if id <= progress[pt] {
				continue
			}
			start := dkey[:p.keep] + "000000"[:14-p.keep]
			if cur.start[i] != start {
				cur.start[i], cur.sums[i] = start, cur.sums[i][:0]
			}
			for _, r := range rs {
				rv := r.Get("rtd")
				if rv == nil || rv.Type() != fastjson.TypeNumber {
					continue
				}
				rtd := rv.GetFloat64()
				code := r.GetStringBytes("code")
				x := find(cur.sums[i], code)
				if x == nil {
					k := rollupKey{uscc, outlet, string(code), start}
					if x = out[pt][k]; x == nil {
						x = &sum{min: rtd, max: rtd}
						out[pt][k] = x
						n++
					}
					cur.sums[i] = append(cur.sums[i], codeSum{k.code, x})
				}
				x.count++
				x.sum += rtd
				x.min, x.max = min(x.min, rtd), max(x.max, rtd)
				if flag := r.GetStringBytes("flag"); len(flag) > 0 && string(flag) != "N" {
					x.flagged++
				}
			}
		}
	}
	return out, to, rows.Err()
}

// codeSum is a pollutant's sum in an outlet's current period.
type codeSum struct {
	code string
	x    *sum
}

func find(sums []codeSum, code []byte) *sum {
	for _, c := range sums {
		if c.code == string(code) {
			return c.x
		}
	}
	return nil
}

// addRollups adds sums to the stored rollups of period p, in key order,
// many rows a statement.
func (s *DB) addRollups(ctx context.Context, c *Conn, p monitoring.Period, sums map[rollupKey]*sum) error {
	keys := make([]rollupKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(strings.Compare(a.uscc, b.uscc), strings.Compare(a.outlet, b.outlet), strings.Compare(a.code, b.code), strings.Compare(a.start, b.start))
	})
	n := len(rollupsTable.Cols)
	args := make([]any, 0, rowsPerStatement*n)
	for len(keys) > 0 {
		rows := min(len(keys), rowsPerStatement)
		if rows < rowsPerStatement {
			rows = 1 // the rest one by one: two statement shapes, not one per size
		}
		var q strings.Builder
		q.WriteString(`INSERT INTO rollups (` + strings.Join(rollupsTable.Cols, ", ") + `) VALUES `)
		args = args[:0]
		for i, k := range keys[:rows] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range n {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(s.d.Param(i*n + j + 1))
			}
			q.WriteString(")")
			x := sums[k]
			args = append(args, k.uscc, k.outlet, k.code, string(p), k.start, x.count, x.sum, x.min, x.max, x.flagged)
		}
		q.WriteString(` ON CONFLICT (uscc, outlet_code, code, period, start) DO UPDATE SET count = rollups.count + excluded.count,
			sum = rollups.sum + excluded.sum, min = ` + s.d.Least + `(rollups.min, excluded.min), max = ` + s.d.Greatest + `(rollups.max, excluded.max),
			flagged = rollups.flagged + excluded.flagged`)
		if _, err := c.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		keys = keys[rows:]
	}
	return nil
}

// errRolledMeanwhile: another roll folded these frames first.
var errRolledMeanwhile = errors.New("rolled meanwhile")

func scanOne(ctx context.Context, q querier, query string, args []any, dst any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(dst); err != nil {
			return err
		}
	}
	return rows.Err()
}

// page appends LIMIT and OFFSET for r to a query.
func page(q string, args []any, r monitoring.Range) (string, []any) {
	if r.Limit > 0 {
		q += " LIMIT $" + strconv.Itoa(len(args)+1) + " OFFSET $" + strconv.Itoa(len(args)+2)
		args = append(args, r.Limit, r.Offset)
	}
	return q, args
}

// dkeys are a time range as data keys (CST, YYYYMMDDhhmmss).
func dkeys(r monitoring.Range) (string, string) {
	return r.From.In(monitoring.CST).Format("20060102150405"), r.To.In(monitoring.CST).Format("20060102150405")
}

// Readings implements monitoring.Store: an outlet's readings with data
// times in [From, To), oldest first, a frame's by pollutant code.
// The page is cut here, since a frame row holds several readings.
func (r reader) Readings(ctx context.Context, rg monitoring.Range) ([]monitoring.Reading, error) {
	from, to := dkeys(rg)
	// Through the outlet's loggers and commands to the frames' key index;
	// a logger moved to another outlet keeps its older frames there.
	conds := []string{"o.uscc = $1", "o.outlet_code = $2", "f.uscc = $1", "f.outlet_code = $2"}
	args := []any{rg.USCC, rg.Outlet, from, to}
	if rg.CN != "" {
		args = append(args, rg.CN)
		conds = append(conds, "o.cn = $"+strconv.Itoa(len(args)))
	}
	rows, err := r.q.QueryContext(ctx, `SELECT f.mn, f.cn, f.dkey, f.revision, f.at, f.vals
		FROM outlet_loggers o JOIN frames f ON f.mn = o.mn AND f.cn = o.cn AND f.dkey >= $3 AND f.dkey < $4
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY f.dkey, f.cn, f.revision, f.pno`, args...)
	if err != nil {
		return nil, r.wrap("readings", err)
	}
	defer rows.Close()
	out := []monitoring.Reading{}
	skip := rg.Offset
	for rows.Next() && (rg.Limit <= 0 || len(out) < rg.Limit) {
		var f monitoring.Reading
		var dkey, vals string
		var at timestamp
		if err := rows.Scan(&f.MN, &f.CN, &dkey, &f.Revision, &at, &vals); err != nil {
			return nil, r.wrap("readings", err)
		}
		f.USCC, f.Outlet, f.ReceivedAt = rg.USCC, rg.Outlet, at.Time
		if f.DataTime, err = time.ParseInLocation("20060102150405", dkey, monitoring.CST); err != nil {
			return nil, r.wrap("readings", err)
		}
		var rs []monitoring.Reading
		if err := json.Unmarshal([]byte(vals), &rs); err != nil {
			return nil, r.wrap("readings", fmt.Errorf("frame %s %s %s: %w", f.MN, f.CN, dkey, err))
		}
		slices.SortStableFunc(rs, func(a, b monitoring.Reading) int { return strings.Compare(a.Code, b.Code) })
		for _, x := range rs {
			if rg.Code != "" && x.Code != rg.Code {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if rg.Limit > 0 && len(out) == rg.Limit {
				break
			}
			f.Code, f.Unit, f.Flag = x.Code, x.Unit, x.Flag
			f.Rtd, f.Avg, f.Min, f.Max, f.Cou, f.ZsRtd, f.ZsAvg = x.Rtd, x.Avg, x.Min, x.Max, x.Cou, x.ZsRtd, x.ZsAvg
			out = append(out, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, r.wrap("readings", err)
	}
	return out, nil
}

// Rollups implements monitoring.Store.
func (r reader) Rollups(ctx context.Context, p monitoring.Period, rg monitoring.Range) ([]monitoring.Rollup, error) {
	from, to := dkeys(rg)
	args := []any{rg.USCC, rg.Outlet, string(p), from, to}
	cond := ""
	if rg.Code != "" {
		args = append(args, rg.Code)
		cond = " AND code = $6"
	}
	q, args := page(`SELECT uscc, outlet_code, code, period, start, count, sum, min, max, flagged FROM rollups
		WHERE uscc = $1 AND outlet_code = $2 AND period = $3 AND start >= $4 AND start < $5`+cond+` ORDER BY start, code`, args, rg)
	return list(ctx, r, "rollups", q, args, func(rows *sql.Rows, x *monitoring.Rollup) error {
		var start, period string
		if err := rows.Scan(&x.USCC, &x.Outlet, &x.Code, &period, &start, &x.Count, &x.Sum, &x.Min, &x.Max, &x.Flagged); err != nil {
			return err
		}
		x.Period = monitoring.Period(period)
		t, err := time.ParseInLocation("20060102150405", start, monitoring.CST)
		x.Start = t
		return err
	})
}

// Frames implements monitoring.Store: the frames received from logger mn
// (and, when given, for one outlet) with receive times in [From, To).
func (r reader) Frames(ctx context.Context, mn string, rg monitoring.Range) ([]monitoring.RawFrame, error) {
	args := []any{mn, r.d.Time(rg.From), r.d.Time(rg.To)}
	q, args := page(`SELECT mn, cn, dkey, pno, revision, uscc, outlet_code, at, peer, frame FROM frames
		WHERE mn = $1 AND at >= $2 AND at < $3 ORDER BY id`, args, rg)
	return list(ctx, r, "frames", q, args, func(rows *sql.Rows, x *monitoring.RawFrame) error {
		var at timestamp
		err := rows.Scan(&x.MN, &x.CN, &x.DKey, &x.PNO, &x.Revision, &x.USCC, &x.Outlet, &at, &x.Peer, &x.Frame)
		x.ReceivedAt = at.Time
		return err
	})
}
