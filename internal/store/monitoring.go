package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
)

var (
	framesTable = &Table{Name: "frames",
		Cols: []string{"id", "mn", "cn", "dkey", "pno", "revision", "hash", "uscc", "outlet_code", "at", "peer", "frame"}}
	readingsTable = &Table{Name: "readings",
		Cols: []string{"frame_id", "at", "code", "unit", "rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "flag"}}
)

// realtime is the command of real-time data, which our rollups are built from.
const realtime = "2011"

// WriteBatch implements monitoring.Store.
func (s *DB) WriteBatch(ctx context.Context, batch []*monitoring.Received) ([]monitoring.Outcome, error) {
	out := make([]monitoring.Outcome, len(batch))
	err := s.Tx(ctx, func(c *Conn) error {
		revs, err := s.revisions(ctx, c, batch, out)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range out {
			if o != monitoring.Duplicate {
				n++
			}
		}
		ids, err := s.d.FrameIDs(ctx, c, n)
		if err != nil {
			return fmt.Errorf("%s: frame ids: %w", s.d.Name, err)
		}
		var readings [][]any
		for i, r := range batch {
			if out[i] == monitoring.Duplicate {
				continue
			}
			id := ids[0]
			ids = ids[1:]
			k := monitoring.KeyOf(r)
			at := s.d.Time(r.At)
			c.Put(framesTable, []any{id, k.MN, k.CN, k.DKey, k.PNO, revs[i], monitoring.Hash(r.Raw), r.USCC, r.Outlet, at, r.Peer, string(r.Raw)})
			for _, rd := range readingsOf(r.Frame) {
				readings = append(readings, []any{id, at, rd.code, rd.unit, rd.rtd, rd.avg, rd.min, rd.max, rd.cou, rd.zsRtd, rd.zsAvg, rd.flag})
			}
		}
		// Frames, then their readings: each table's rows go together.
		for _, row := range readings {
			c.Put(readingsTable, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// revisions decides for each frame whether it is new, a duplicate or a
// revision of a stored one, and its revision number; a key repeated within
// the batch counts against the batch's earlier frame.
func (s *DB) revisions(ctx context.Context, c *Conn, batch []*monitoring.Received, out []monitoring.Outcome) ([]int, error) {
	type seen struct {
		rev    int
		hashes map[string]bool
	}
	known := map[monitoring.Key]*seen{}
	revs := make([]int, len(batch))
	for i, r := range batch {
		k := monitoring.KeyOf(r)
		h := monitoring.Hash(r.Raw)
		sn, ok := known[k]
		if !ok {
			sn = &seen{rev: -1, hashes: map[string]bool{}}
			rows, err := c.QueryContext(ctx, `SELECT revision, hash FROM frames WHERE mn = $1 AND cn = $2 AND dkey = $3 AND pno = $4`,
				k.MN, k.CN, k.DKey, k.PNO)
			if err != nil {
				return nil, fmt.Errorf("%s: frame key: %w", s.d.Name, err)
			}
			for rows.Next() {
				var rev int
				var hash string
				if err := rows.Scan(&rev, &hash); err != nil {
					rows.Close()
					return nil, err
				}
				sn.rev = max(sn.rev, rev)
				sn.hashes[hash] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			known[k] = sn
		}
		switch {
		case sn.hashes[h]:
			out[i] = monitoring.Duplicate
		case sn.rev < 0:
			out[i] = monitoring.New
		default:
			out[i] = monitoring.Revision
		}
		if out[i] != monitoring.Duplicate {
			sn.rev++
			sn.hashes[h] = true
			revs[i] = sn.rev
		}
	}
	return revs, nil
}

// reading is one pollutant's fields of a frame, nil where absent.
type reading struct {
	code, unit, flag                      string
	rtd, avg, min, max, cou, zsRtd, zsAvg *float64
}

func readingsOf(f *hj212.Frame) []reading {
	var out []reading
	index := map[string]int{}
	for _, v := range f.Values {
		i, ok := index[v.Code]
		if !ok {
			i = len(out)
			index[v.Code] = i
			out = append(out, reading{code: v.Code})
		}
		rd := &out[i]
		if v.Flag != "" {
			rd.flag = v.Flag
		}
		if v.IsText {
			continue
		}
		if rd.unit == "" {
			rd.unit = v.Unit
		}
		val := v.Value
		switch v.Field {
		case "Rtd":
			rd.rtd = &val
		case "Avg":
			rd.avg = &val
		case "Min":
			rd.min = &val
		case "Max":
			rd.max = &val
		case "Cou":
			rd.cou = &val
		case "ZsRtd":
			rd.zsRtd = &val
		case "ZsAvg":
			rd.zsAvg = &val
		}
	}
	return out
}

// Roll implements monitoring.Store: it folds the real-time values of the
// frames stored since the last roll (at most maxFrames of them, and none
// received less than lag ago) into the rollups, and records how far it
// got. The database sums them (INSERT … SELECT … GROUP BY … ON CONFLICT),
// in one transaction that first checks no other roll got there before:
// every value counts once.
func (s *DB) Roll(ctx context.Context, maxFrames int, lag time.Duration) (int, error) {
	var last, safe int64
	if err := scanOne(ctx, s.reader.q, `SELECT COALESCE(MAX(last_frame), 0) FROM rollup_progress`, nil, &last); err != nil {
		return 0, err
	}
	// Frames committed out of id order (PostgreSQL, several writers) are
	// past the lag: roll no further than the newest frame before it.
	if err := scanOne(ctx, s.reader.q, `SELECT COALESCE(MAX(id), 0) FROM frames WHERE id > $1 AND at < $2`,
		[]any{last, s.d.Time(time.Now().Add(-lag))}, &safe); err != nil {
		return 0, err
	}
	safe = min(safe, last+int64(maxFrames))
	if safe <= last {
		return 0, nil
	}
	err := s.Tx(ctx, func(c *Conn) error {
		var now int64
		if err := scanOne(ctx, c, `SELECT COALESCE(MAX(last_frame), 0) FROM rollup_progress`, nil, &now); err != nil {
			return err
		}
		if now != last {
			return errRolledMeanwhile
		}
		// A period's start is its data key cut to the period, zero-padded:
		// YYYYMMDDhhmm00, YYYYMMDDhh0000, YYYYMMDD000000 (China Standard Time).
		for _, p := range []struct {
			period monitoring.Period
			keep   int
			pad    string
		}{{monitoring.Minute, 12, "00"}, {monitoring.Hour, 10, "0000"}, {monitoring.Day, 8, "000000"}} {
			start := `substr(f.dkey, 1, ` + strconv.Itoa(p.keep) + `) || '` + p.pad + `'`
			_, err := c.ExecContext(ctx, `INSERT INTO rollups (uscc, outlet_code, code, period, start, count, sum, min, max, flagged)
				SELECT f.uscc, f.outlet_code, g.code, '`+string(p.period)+`', `+start+`, COUNT(*), SUM(g.rtd), MIN(g.rtd), MAX(g.rtd),
					SUM(CASE WHEN g.flag <> '' AND g.flag <> 'N' THEN 1 ELSE 0 END)
				FROM frames f JOIN readings g ON g.frame_id = f.id
				WHERE f.id > $1 AND f.id <= $2 AND f.cn = '`+realtime+`' AND f.revision = 0 AND g.rtd IS NOT NULL AND length(f.dkey) = 14
				GROUP BY f.uscc, f.outlet_code, g.code, `+start+`
				ON CONFLICT (uscc, outlet_code, code, period, start) DO UPDATE SET count = rollups.count + excluded.count,
				sum = rollups.sum + excluded.sum, min = `+s.d.Least+`(rollups.min, excluded.min), max = `+s.d.Greatest+`(rollups.max, excluded.max),
				flagged = rollups.flagged + excluded.flagged`, last, safe)
			if err != nil {
				return fmt.Errorf("%s: %s rollups: %w", s.d.Name, p.period, err)
			}
		}
		_, err := c.ExecContext(ctx, `INSERT INTO rollup_progress (id, last_frame) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET last_frame = excluded.last_frame`, safe)
		return err
	})
	if errors.Is(err, errRolledMeanwhile) {
		return 0, nil
	}
	return int(safe - last), err
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
// times in [From, To), oldest first.
func (r reader) Readings(ctx context.Context, rg monitoring.Range) ([]monitoring.Reading, error) {
	from, to := dkeys(rg)
	conds := []string{"f.uscc = $1", "f.outlet_code = $2", "f.dkey >= $3", "f.dkey < $4"}
	args := []any{rg.USCC, rg.Outlet, from, to}
	if rg.CN != "" {
		args = append(args, rg.CN)
		conds = append(conds, "f.cn = $"+strconv.Itoa(len(args)))
	}
	if rg.Code != "" {
		args = append(args, rg.Code)
		conds = append(conds, "g.code = $"+strconv.Itoa(len(args)))
	}
	q, args := page(`SELECT f.uscc, f.outlet_code, f.mn, f.cn, f.dkey, f.revision, f.at, g.code, g.unit,
		g.rtd, g.avg, g.min, g.max, g.cou, g.zs_rtd, g.zs_avg, g.flag
		FROM frames f JOIN readings g ON g.frame_id = f.id WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY f.dkey, f.cn, g.code, f.revision`, args, rg)
	return list(ctx, r, "readings", q, args, func(rows *sql.Rows, x *monitoring.Reading) error {
		var dkey string
		var at timestamp
		if err := rows.Scan(&x.USCC, &x.Outlet, &x.MN, &x.CN, &dkey, &x.Revision, &at, &x.Code, &x.Unit,
			&x.Rtd, &x.Avg, &x.Min, &x.Max, &x.Cou, &x.ZsRtd, &x.ZsAvg, &x.Flag); err != nil {
			return err
		}
		x.ReceivedAt = at.Time
		t, err := time.ParseInLocation("20060102150405", dkey, monitoring.CST)
		x.DataTime = t
		return err
	})
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
