// Command ruleslag measures how long after its commit a frame's rule
// results come, while `ecoind serve` takes the ingestion benchmark's load
// (bench/rules-lag.sh runs it). `ruleslag seed` puts a probe enterprise
// with a gas-fired boiler (SO2 limited to 50 mg/m3, GB 13271-2014) in the
// store before the server starts; `ruleslag probe` then sends, every
// --every, a frame of SO2 1000 for an hour of its own (each a new episode)
// and, from the frame's answer (sent after its commit), times three
// things: its hour rollup written (the roll), the rules' cursor past that
// rollup (judged), the exceedance alarm of that hour stored (the result).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

var (
	ent    = storetest.Ent
	outlet = storetest.Outlet
)

func init() {
	ent.USCC, ent.Name = storetest.USCC("331102", 9999), "规则时延探针有限公司"
	outlet.USCC, outlet.MN = ent.USCC, "999999900000000000009999"
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ruleslag seed|probe [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "", "SQLite data directory")
	url := fs.String("store", "", "PostgreSQL URL (instead of --data)")
	target := fs.String("target", "127.0.0.1:19290", "the server's HJ 212 address")
	probes := fs.Int("probes", 30, "probe frames")
	every := fs.Duration("every", 2*time.Second, "time between probes")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up on a probe's results after this")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	var db *store.DB
	var err error
	if *url != "" {
		db, err = postgres.Open(ctx, *url, 4)
	} else {
		db, err = sqlite.OpenDir(ctx, *data)
	}
	if err == nil {
		defer db.Close()
		switch os.Args[1] {
		case "seed":
			err = seed(ctx, db)
		case "probe":
			err = probe(ctx, db, *target, *probes, *every, *timeout)
		default:
			err = fmt.Errorf("unknown command %q", os.Args[1])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ruleslag:", err)
		os.Exit(1)
	}
}

func seed(ctx context.Context, db *store.DB) error {
	return db.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, ent), tx.PutOutlet(ctx, outlet),
			tx.PutFacility(ctx, registry.Facility{USCC: ent.USCC, FacilityCode: "TA001", Kind: "燃气锅炉", OutletCode: outlet.OutletCode, InService: true}))
	})
}

// lags are one probe's times from its answer.
type lags struct{ rolled, judged, alarm time.Duration }

func probe(ctx context.Context, db *store.DB, target string, n int, every, timeout time.Duration) error {
	c, err := net.Dial("tcp", target)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	// Hours two apart, back from three days ago: each probe an episode.
	base := time.Now().In(cst.Zone).Truncate(time.Hour).Add(-72 * time.Hour)
	var mu sync.Mutex
	var got []lags
	var wg sync.WaitGroup
	var failed error
	for k := range n {
		hour := base.Add(time.Duration(2*k) * time.Hour)
		f := &hj212.Frame{QN: hour.Format("20060102150405") + "000", ST: "31", CN: "2011", PW: outlet.PW, MN: outlet.MN, Flag: 5,
			DataTime: hour.Add(time.Minute), Values: []hj212.Value{{Code: "a21026", Field: "Rtd", Value: 1000}}}
		raw, err := hj212.Encode(f)
		if err != nil {
			return err
		}
		c.SetDeadline(time.Now().Add(time.Minute))
		if _, err := c.Write(raw); err != nil {
			return err
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("probe %d: no answer: %w", k, err)
			}
			if strings.Contains(line, "CN=9014") {
				break
			}
		}
		t0 := time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := follow(ctx, db, hour, t0, timeout)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = errors.Join(failed, fmt.Errorf("probe %d: %w", k, err))
				return
			}
			got = append(got, l)
		}()
		time.Sleep(every)
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	report := func(name string, d func(lags) time.Duration) {
		ds := make([]time.Duration, len(got))
		for i, l := range got {
			ds[i] = d(l)
		}
		slices.Sort(ds)
		fmt.Printf("%-30s p50 %8v  p99 %8v  max %8v\n", name, ds[len(ds)/2].Round(time.Millisecond),
			ds[min(len(ds)-1, len(ds)*99/100)].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	fmt.Printf("%d probes, lag from the frame's answer (after its commit) to:\n", len(got))
	report("its hour rolled up", func(l lags) time.Duration { return l.rolled })
	report("the rules' cursor past it", func(l lags) time.Duration { return l.judged })
	report("its exceedance alarm stored", func(l lags) time.Duration { return l.alarm })
	return nil
}

// follow polls every 10 ms for the probe's hour rollup, the cursor past
// its seq and its alarm.
func follow(ctx context.Context, db *store.DB, hour, t0 time.Time, timeout time.Duration) (lags, error) {
	var l lags
	var seq int64
	for deadline := t0.Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if seq == 0 {
			rs, err := db.Rollups(ctx, monitoring.Hour, monitoring.Range{USCC: ent.USCC, Outlet: outlet.OutletCode, Code: "a21026", CN: "2011",
				From: hour, To: hour.Add(time.Hour)})
			if err != nil {
				return l, err
			}
			if len(rs) == 0 {
				continue
			}
			seq, l.rolled = rs[0].Seq, time.Since(t0)
		}
		if l.judged == 0 {
			cur, err := db.Cursor(ctx, "exceedance")
			if err != nil {
				return l, err
			}
			if cur < seq {
				continue
			}
			l.judged = time.Since(t0)
		}
		as, _, err := db.Alarms(ctx, rules.AlarmFilter{Kind: rules.Exceedance, USCC: ent.USCC, From: hour, To: hour.Add(time.Second)})
		if err != nil {
			return l, err
		}
		if len(as) > 0 {
			l.alarm = time.Since(t0)
			return l, nil
		}
	}
	return l, fmt.Errorf("no results within %v (rolled %v, judged %v)", timeout, l.rolled, l.judged)
}
