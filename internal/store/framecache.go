package store

// What the frame writer keeps in memory of what it wrote, to ask the
// database less.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"ecoindustry/internal/monitoring"
)

// newest knows, per logger and command, the data time of the newest frame
// stored, so that a frame with a later data time (nearly every frame a
// logger sends) is new without a lookup of its key: the lookups were a
// sixth of the frame writer's time. It serves only a database that numbers
// the frames itself (SQLite, one writer at a time): a batch that finds the
// largest frame id other than this store left it knows another writer came
// between, and forgets.
type newest struct {
	mu     sync.Mutex
	times  map[loggerCN]string // "" for a logger and command with no frames
	lastID int64               // the largest frame id when times was right
}

type loggerCN struct{ mn, cn string }

// timeKey reports whether a data key is a data time (YYYYMMDDhhmmss),
// which sort as text in time order: keys made of a QN or a hash are
// always looked up.
func timeKey(dkey string) bool { return len(dkey) == 14 && dkey[0] >= '0' && dkey[0] <= '9' }

// fresh reports, for each frame of a batch in transaction c, whether it is
// newer than every stored frame of its logger and command, reading the
// newest data time of the pairs it does not know yet. commit is to be
// called once the batch has committed.
func (n *newest) fresh(ctx context.Context, c *Conn, d Dialect, keys []monitoring.Key) (fresh []bool, commit func(written int), err error) {
	var maxID int64
	if err := scanOne(ctx, c, `SELECT COALESCE(MAX(id), 0) FROM frames`, nil, &maxID); err != nil {
		return nil, nil, fmt.Errorf("%s: frame ids: %w", d.Name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.times == nil || maxID != n.lastID {
		n.times, n.lastID = map[loggerCN]string{}, maxID
	}
	var ask []loggerCN
	got := map[loggerCN]string{} // the pairs asked for, with their answers
	for _, k := range keys {
		p := loggerCN{k.MN, k.CN}
		if _, known := n.times[p]; known || !timeKey(k.DKey) {
			continue
		}
		if _, asked := got[p]; !asked {
			got[p] = ""
			ask = append(ask, p)
		}
	}
	// One scalar subquery per pair: MAX over the key index's (mn, cn)
	// range is a seek to its end. With a GROUP BY over (mn, cn) IN
	// (VALUES …), SQLite 3.54 read each pair's whole range, every frame
	// the logger ever sent with that command.
	for len(ask) > 0 {
		m := min(len(ask), keysPerLookup)
		var q strings.Builder
		args := make([]any, 0, 4*m)
		for i, p := range ask[:m] {
			if i > 0 {
				q.WriteString(" UNION ALL ")
			}
			q.WriteString("SELECT " + d.Param(4*i+1) + ", " + d.Param(4*i+2) + ", (SELECT COALESCE(MAX(dkey), '') FROM frames WHERE mn = " +
				d.Param(4*i+3) + " AND cn = " + d.Param(4*i+4) + " AND dkey < 'A')")
			args = append(args, p.mn, p.cn, p.mn, p.cn)
		}
		ask = ask[m:]
		if err := newestOf(ctx, c, q.String(), args, got); err != nil {
			return nil, nil, fmt.Errorf("%s: newest frames: %w", d.Name, err)
		}
	}
	fresh = make([]bool, len(keys))
	for i, k := range keys {
		p := loggerCN{k.MN, k.CN}
		t, ok := n.times[p]
		if !ok {
			t, ok = got[p]
		}
		fresh[i] = ok && timeKey(k.DKey) && k.DKey > t
	}
	return fresh, func(written int) {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.lastID != maxID {
			return // forgotten since
		}
		for p, t := range got {
			n.times[p] = t
		}
		for _, k := range keys {
			p := loggerCN{k.MN, k.CN}
			if t, ok := n.times[p]; ok && timeKey(k.DKey) && k.DKey > t {
				n.times[p] = k.DKey
			}
		}
		n.lastID = maxID + int64(written)
	}, nil
}

func newestOf(ctx context.Context, c *Conn, query string, args []any, got map[loggerCN]string) error {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p loggerCN
		var t string
		if err := rows.Scan(&p.mn, &p.cn, &t); err != nil {
			return err
		}
		got[p] = t
	}
	return rows.Err()
}

// outletLoggers are the outlet_loggers rows known to be stored, so that a
// batch writes only those it brings for the first time. Several writers
// (PostgreSQL) may add the same row: the insert ignores a conflict, and
// rows go in key order.
type outletLoggers struct {
	mu    sync.Mutex
	known map[[4]string]bool
}

// add puts the batch's rows not known to be stored into transaction c;
// commit is to be called once it has committed.
func (o *outletLoggers) add(c *Conn, batch []*monitoring.Received) (commit func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var rows [][4]string
	for _, r := range batch {
		if k := [4]string{r.USCC, r.Outlet, r.Key.MN, r.Key.CN}; !o.known[k] {
			rows = append(rows, k)
		}
	}
	slices.SortFunc(rows, func(a, b [4]string) int { return slices.Compare(a[:], b[:]) })
	rows = slices.Compact(rows)
	for _, k := range rows {
		c.Put(outletLoggersTable, []any{k[0], k[1], k[2], k[3]})
	}
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.known == nil {
			o.known = map[[4]string]bool{}
		}
		for _, k := range rows {
			o.known[k] = true
		}
	}
}

// outletLoggersTable is written as a batch: a row already there is left
// as it is (every column is the key: ON CONFLICT DO NOTHING).
var outletLoggersTable = &Table{Name: "outlet_loggers", Cols: []string{"uscc", "outlet_code", "mn", "cn"},
	Key: []string{"uscc", "outlet_code", "mn", "cn"}}
