package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/monitoring"
)

var framesTable = &Table{Name: "frames",
	Cols: []string{"id", "mn", "cn", "dkey", "pno", "revision", "hash", "uscc", "outlet_code", "at", "peer", "frame", "vals"}}

// framesNumbered is framesTable written without ids, for a dialect
// that numbers the frames itself (Dialect.FrameIDs nil).
var framesNumbered = &Table{Name: framesTable.Name, Cols: framesTable.Cols[1:]}

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

// rollupsTable is written with statements of its own: a roll adds to the
// stored sums rather than replacing them.
var rollupsTable = &Table{Name: "rollups", Cols: []string{"uscc", "outlet_code", "code", "period", "cn", "start", "count", "sum", "min", "max", "cou", "flagged", "seq", "skewed"}}

// RollProgress implements monitoring.Store.
func (s *DB) RollProgress(ctx context.Context) (map[string]int64, error) {
	rows, err := s.reader.q.QueryContext(ctx, `SELECT period, last_frame FROM rollup_progress`)
	if err != nil {
		return nil, fmt.Errorf("%s: roll progress: %w", s.d.Name, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p string
		var last int64
		if err := rows.Scan(&p, &last); err != nil {
			return nil, err
		}
		out[p] = last
	}
	return out, rows.Err()
}

// RollFrames implements monitoring.Store, with one read outside any write
// transaction.
func (s *DB) RollFrames(ctx context.Context, after int64, max int, lag time.Duration, cns []string, fn func(monitoring.RollFrame) error) (int64, error) {
	// Frames committed out of id order (PostgreSQL, several writers) are
	// past the lag: go no further than the newest frame before it.
	var to int64
	if err := scanOne(ctx, s.reader.q, `SELECT COALESCE(MAX(id), 0) FROM frames WHERE id > $1 AND at < $2`,
		[]any{after, s.d.Time(time.Now().Add(-lag))}, &to); err != nil {
		return after, fmt.Errorf("%s: roll: %w", s.d.Name, err)
	}
	to = min(to, after+int64(max))
	if to <= after {
		return after, nil
	}
	args := []any{after, to}
	in := make([]string, len(cns))
	for i, cn := range cns {
		args = append(args, cn)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := s.reader.q.QueryContext(ctx, `SELECT id, uscc, outlet_code, cn, dkey, revision, at, vals FROM frames
		WHERE id > $1 AND id <= $2 AND cn IN (`+strings.Join(in, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return after, fmt.Errorf("%s: roll: %w", s.d.Name, err)
	}
	defer rows.Close()
	var f monitoring.RollFrame
	var at timestamp
	for rows.Next() {
		if err := rows.Scan(&f.ID, &f.USCC, &f.Outlet, &f.CN, &f.DKey, &f.Revision, &at, &f.Vals); err != nil {
			return after, fmt.Errorf("%s: roll: %w", s.d.Name, err)
		}
		f.At = at.Time
		if err := fn(f); errors.Is(err, monitoring.ErrEnough) {
			return f.ID - 1, nil
		} else if err != nil {
			return after, err
		}
	}
	if err := rows.Err(); err != nil {
		return after, fmt.Errorf("%s: roll: %w", s.d.Name, err)
	}
	return to, nil
}

// AddRollups implements monitoring.Store. The rollups of one transaction
// take their seqs from rollup_seq, whose row the transaction holds until
// it commits: seqs become visible in order, and a consumer that has read
// up to one has missed none before it.
func (s *DB) AddRollups(ctx context.Context, to int64, adds []monitoring.Addition) error {
	err := s.Tx(ctx, func(c *Conn) error {
		n := 0
		for _, a := range adds {
			if err := move(ctx, c, "rollup_progress", "period", "last_frame", a.Part.String(), a.From, to, true); err != nil {
				return err
			}
			n += len(a.Sums)
		}
		if n == 0 {
			return nil
		}
		var seq int64
		if err := scanOne(ctx, c, `UPDATE rollup_seq SET last = last + $1 RETURNING last`, []any{n}, &seq); err != nil {
			return err
		}
		seq -= int64(n)
		for _, a := range adds {
			var err error
			if seq, err = s.addRollups(ctx, c, a.Part, a.Sums, seq); err != nil {
				return fmt.Errorf("%s rollups: %w", a.Part, err)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, monitoring.ErrMoved) {
		return fmt.Errorf("%s: %w", s.d.Name, err)
	}
	return err
}

// move sets a progress column from from to to, or returns
// monitoring.ErrMoved. A key without a row is at from if absentAtFrom.
func move(ctx context.Context, c *Conn, table, keyCol, col, key string, from, to int64, absentAtFrom bool) error {
	res, err := c.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = $1 WHERE `+keyCol+` = $2 AND `+col+` = $3`, to, key, from)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	if absentAtFrom {
		res, err = c.ExecContext(ctx, `INSERT INTO `+table+` (`+keyCol+`, `+col+`) VALUES ($1, $2) ON CONFLICT DO NOTHING`, key, to)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
	}
	return monitoring.ErrMoved
}

// addRollups adds a part's sums to the stored rollups, in key order, many
// rows a statement, numbering them from seq+1; it returns the last seq.
func (s *DB) addRollups(ctx context.Context, c *Conn, pt monitoring.Part, sums []monitoring.Sum, seq int64) (int64, error) {
	slices.SortFunc(sums, func(a, b monitoring.Sum) int {
		return cmp.Or(strings.Compare(a.USCC, b.USCC), strings.Compare(a.Outlet, b.Outlet), strings.Compare(a.Code, b.Code), strings.Compare(a.Start, b.Start))
	})
	n := len(rollupsTable.Cols)
	args := make([]any, 0, rowsPerStatement*n)
	for len(sums) > 0 {
		rows := min(len(sums), rowsPerStatement)
		if rows < rowsPerStatement {
			rows = 1 // the rest one by one: two statement shapes, not one per size
		}
		var q strings.Builder
		q.WriteString(`INSERT INTO rollups (` + strings.Join(rollupsTable.Cols, ", ") + `) VALUES `)
		args = args[:0]
		for i, x := range sums[:rows] {
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
			seq++
			args = append(args, x.USCC, x.Outlet, x.Code, string(pt.Period), pt.CN, x.Start, x.Count, x.Sum, x.Min, x.Max, x.Cou, x.Flagged, seq, x.Skewed)
		}
		q.WriteString(` ON CONFLICT (uscc, outlet_code, code, period, cn, start) DO UPDATE SET count = rollups.count + excluded.count,
			sum = rollups.sum + excluded.sum, min = ` + s.d.Least + `(rollups.min, excluded.min), max = ` + s.d.Greatest + `(rollups.max, excluded.max),
			cou = rollups.cou + excluded.cou, flagged = rollups.flagged + excluded.flagged, seq = excluded.seq,
			skewed = rollups.skewed + excluded.skewed`)
		if _, err := c.ExecContext(ctx, q.String(), args...); err != nil {
			return seq, err
		}
		sums = sums[rows:]
	}
	return seq, nil
}

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
	return r.From.In(cst.Zone).Format("20060102150405"), r.To.In(cst.Zone).Format("20060102150405")
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
		if f.DataTime, err = time.ParseInLocation("20060102150405", dkey, cst.Zone); err != nil {
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

// rollupCols are the columns a Rollup is read from (scanRollup).
const rollupCols = `uscc, outlet_code, code, period, cn, start, count, sum, min, max, cou, flagged, seq, skewed`

func scanRollup(rows *sql.Rows, x *monitoring.Rollup) error {
	var start, period string
	if err := rows.Scan(&x.USCC, &x.Outlet, &x.Code, &period, &x.CN, &start, &x.Count, &x.Sum, &x.Min, &x.Max, &x.Cou, &x.Flagged, &x.Seq, &x.Skewed); err != nil {
		return err
	}
	x.Period = monitoring.Period(period)
	t, err := time.ParseInLocation("20060102150405", start, cst.Zone)
	x.Start = t
	return err
}

// Rollups implements monitoring.Store: an outlet's rollups of period p
// with starts in [From, To), of one command's values (rg.CN) or all.
func (r reader) Rollups(ctx context.Context, p monitoring.Period, rg monitoring.Range) ([]monitoring.Rollup, error) {
	from, to := dkeys(rg)
	args := []any{rg.USCC, rg.Outlet, string(p), from, to}
	cond := ""
	if rg.Code != "" {
		args = append(args, rg.Code)
		cond += " AND code = $" + strconv.Itoa(len(args))
	}
	if rg.CN != "" {
		args = append(args, rg.CN)
		cond += " AND cn = $" + strconv.Itoa(len(args))
	}
	q, args := page(`SELECT `+rollupCols+` FROM rollups
		WHERE uscc = $1 AND outlet_code = $2 AND period = $3 AND start >= $4 AND start < $5`+cond+` ORDER BY start, code, cn`, args, rg)
	return list(ctx, r, "rollups", q, args, scanRollup)
}

// RollupsSince implements monitoring.Store.
func (r reader) RollupsSince(ctx context.Context, seq int64, limit int) ([]monitoring.Rollup, error) {
	return list(ctx, r, "rollups since", `SELECT `+rollupCols+` FROM rollups WHERE seq > $1 ORDER BY seq LIMIT $2`, []any{seq, limit}, scanRollup)
}

// Cursor implements monitoring.Store.
func (r reader) Cursor(ctx context.Context, consumer string) (int64, error) {
	var seq int64
	err := scanOne(ctx, r.q, `SELECT seq FROM cursors WHERE consumer = $1`, []any{consumer}, &seq)
	return seq, r.wrap("cursor", err)
}

// MoveCursor implements monitoring.Store.
func (s *DB) MoveCursor(ctx context.Context, consumer string, from, to int64) error {
	err := s.Tx(ctx, func(c *Conn) error {
		return move(ctx, c, "cursors", "consumer", "seq", consumer, from, to, from == 0)
	})
	if err != nil && !errors.Is(err, monitoring.ErrMoved) {
		return fmt.Errorf("%s: cursor %s: %w", s.d.Name, consumer, err)
	}
	return err
}

// Frames implements monitoring.Store: the frames received from logger mn
// (and, when given, for one outlet) with receive times in [From, To).
func (r reader) Frames(ctx context.Context, mn string, rg monitoring.Range) ([]monitoring.RawFrame, error) {
	args := []any{mn, r.d.Time(rg.From), r.d.Time(rg.To)}
	q, args := page(`SELECT `+frameCols+` FROM frames
		WHERE mn = $1 AND at >= $2 AND at < $3 ORDER BY id`, args, rg)
	return list(ctx, r, "frames", q, args, scanFrame)
}

// frameCols are the columns a RawFrame is read from (scanFrame).
const frameCols = `mn, cn, dkey, pno, revision, uscc, outlet_code, at, peer, frame`

func scanFrame(rows *sql.Rows, x *monitoring.RawFrame) error {
	var at timestamp
	err := rows.Scan(&x.MN, &x.CN, &x.DKey, &x.PNO, &x.Revision, &x.USCC, &x.Outlet, &at, &x.Peer, &x.Frame)
	x.ReceivedAt = at.Time
	return err
}

// LatestFrames implements monitoring.Store: the frames written last, by id.
func (r reader) LatestFrames(ctx context.Context, limit int) ([]monitoring.RawFrame, error) {
	return list(ctx, r, "latest frames", `SELECT `+frameCols+` FROM frames ORDER BY id DESC LIMIT $1`, []any{limit}, scanFrame)
}

// LoggerFrames implements monitoring.Store: for each logger and command of
// outlet_loggers, its frame of the latest data key, found at the end of
// the logger's and command's run of the frames' key index (one short
// descent each, however many frames a logger has sent).
func (r reader) LoggerFrames(ctx context.Context) ([]monitoring.RawFrame, error) {
	return list(ctx, r, "logger frames", `SELECT f.mn, f.cn, f.dkey, f.pno, f.revision, f.uscc, f.outlet_code, f.at, f.peer, ''
		FROM (SELECT DISTINCT mn, cn FROM outlet_loggers) o
		JOIN frames f ON f.id = (SELECT x.id FROM frames x WHERE x.mn = o.mn AND x.cn = o.cn
			ORDER BY x.dkey DESC, x.pno DESC, x.revision DESC LIMIT 1)
		ORDER BY f.mn, f.cn`, nil, scanFrame)
}
