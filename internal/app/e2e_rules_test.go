package app_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// The end-to-end judgement (issue 14's "done when"): real `ecoind serve`
// processes, their HJ 212 listeners over TCP, simulated loggers that send
// eight past hours at once (their DataTime places them: the rollups go by
// the data time) and then keep speaking in the present, on both stores.
// Every logger's outlet is a gas-fired boiler's: GB 13271-2014 table 2
// limits its SO2 to 50 mg/m3, its NOx to 200.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// ecoind builds the command once for the package's tests.
func ecoind(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ecoind-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "ecoind")
		out, err := exec.Command("go", "build", "-o", binary, "ecoindustry/cmd/ecoind").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// e2eLogger is one simulated logger: its outlet, and its SO2 for each of
// the eight past hours (six values, ten minutes apart) with their flags.
type e2eLogger struct {
	name   string
	ent    registry.Enterprise
	outlet registry.Outlet
	so2    func(h, i int) (float64, string)
	silent bool // stops speaking in the present until told
}

// varied is a series of values from base up, which seed makes unlike
// the others'.
func varied(base float64, seed int) func(h, i int) (float64, string) {
	return func(h, i int) (float64, string) { return base + float64((h*7+i*3+seed)%11) + float64(seed)/10, "N" }
}

func e2eLoggers() []e2eLogger {
	mk := func(n int, name string, so2 func(h, i int) (float64, string)) e2eLogger {
		e := storetest.Ent
		e.USCC, e.Name = storetest.USCC("331102", 100+n), fmt.Sprintf("丽水端到端测试%d有限公司", n)
		o := storetest.Outlet
		o.USCC, o.MN = e.USCC, fmt.Sprintf("88888880000000000000%04d", n)
		return e2eLogger{name: name, ent: e, outlet: o, so2: so2}
	}
	copied := func(h, i int) (float64, string) { return 20 + float64((h*5+i*13)%17)/2, "N" }
	ls := []e2eLogger{
		mk(1, "normal", varied(20, 1)),
		// Hours 2, 3 and 4 over 50: means 100, 150 and 120.
		mk(2, "exceed", func(h, i int) (float64, string) {
			if m, ok := map[int]float64{2: 100, 3: 150, 4: 120}[h]; ok {
				return m + float64(i%3-1)*5, "N" // -5, 0, +5 around the mean
			}
			return varied(25, 2)(h, i)
		}),
		// SO2 stuck at 25 for hours 2 to 5.
		mk(3, "flat", func(h, i int) (float64, string) {
			if h >= 2 && h <= 5 {
				return 25, "N"
			}
			return varied(20, 3)(h, i)
		}),
		// Hour 3 in maintenance.
		mk(4, "flag", func(h, i int) (float64, string) {
			v, _ := varied(20, 4)(h, i)
			if h == 3 {
				return v, "M"
			}
			return v, "N"
		}),
		mk(5, "copy", copied),
		mk(6, "copied", copied),
		mk(7, "silent", varied(30, 7)),
	}
	ls[6].silent = true
	return ls
}

// seedE2E puts the loggers' enterprises, outlets and boilers.
func seedE2E(t *testing.T, db *store.DB, ls []e2eLogger) {
	err := db.Update(context.Background(), func(tx registry.Tx) error {
		ctx := context.Background()
		errs := []error{tx.PutPark(ctx, storetest.Park)}
		for _, l := range ls {
			errs = append(errs, tx.PutEnterprise(ctx, l.ent), tx.PutOutlet(ctx, l.outlet),
				tx.PutFacility(ctx, registry.Facility{USCC: l.ent.USCC, FacilityCode: "TA001", Kind: "燃气锅炉", OutletCode: l.outlet.OutletCode, InService: true}))
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// freeAddr is a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveE2E starts `ecoind serve` with the rules' steps short, and returns
// its HJ 212 address; it is stopped at the test's end.
func serveE2E(t *testing.T, env []string, args ...string) string {
	hj := freeAddr(t)
	cmd := exec.Command(ecoind(t), append([]string{"serve", "--http", freeAddr(t), "--hj212", hj, "--log-level", "warn",
		"--roll-every", "1s", "--rules-every", "500ms", "--gap-after", "10s"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve %v:\n%s", args, logs.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", hj); err == nil {
			c.Close()
			return hj
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen on %s:\n%s", hj, logs.String())
		}
	}
}

// conn is a logger's connection: it sends frames asking for answers and
// waits for each answer (9014), leaving aside the server's requests.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{c, bufio.NewReader(c)}
}

func (c *conn) send(l e2eLogger, at time.Time, so2 float64, flag string, nox float64) error {
	f := &hj212.Frame{QN: at.In(cst.Zone).Format("20060102150405.000")[:14] + "000", ST: "31", CN: "2011", PW: l.outlet.PW, MN: l.outlet.MN,
		Flag: 5, DataTime: at, Values: []hj212.Value{
			{Code: "a21026", Field: "Rtd", Value: so2}, {Code: "a21026", Field: "Flag", Text: flag, IsText: true},
			{Code: "a21002", Field: "Rtd", Value: nox}, {Code: "a21002", Field: "Flag", Text: "N", IsText: true}}}
	raw, err := hj212.Encode(f)
	if err != nil {
		return err
	}
	c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(raw); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("%s: no answer: %w", l.name, err)
		}
		if strings.Contains(line, "CN=9014") {
			return nil
		}
	}
}

// alarmsOf lists the alarms stored, by kind and the logger they are on.
func alarmsOf(t *testing.T, db *store.DB, ls []e2eLogger) (map[string][]rules.Alarm, []string) {
	as, _, err := db.Alarms(context.Background(), rules.AlarmFilter{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]rules.Alarm{}
	var names []string
	for _, a := range as {
		i := slices.IndexFunc(ls, func(l e2eLogger) bool { return l.ent.USCC == a.USCC })
		name := "?"
		if i >= 0 {
			name = ls[i].name
		}
		k := a.Kind + "@" + name
		m[k] = append(m[k], a)
		names = append(names, k)
	}
	slices.Sort(names)
	return m, names
}

// runE2E drives the loggers against the servers at addrs (logger i at
// addrs[i%len]) and checks the alarms db holds.
func runE2E(t *testing.T, db *store.DB, addrs []string) {
	ls := e2eLoggers()
	// Eight past hours, a day and a half ago: hours h0 to h0+7.
	h0 := time.Now().In(cst.Zone).Truncate(time.Hour).Add(-36 * time.Hour)
	// Each logger sends its past hours, then speaks in the present every
	// second (the silent one once told), with values that vary and differ
	// between loggers.
	var mu sync.Mutex
	silent := true
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for i, l := range ls {
		c := dial(t, addrs[i%len(addrs)])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range 8 {
				for j := range 6 {
					so2, flag := l.so2(h, j)
					at := h0.Add(time.Duration(h)*time.Hour + time.Duration(j)*10*time.Minute)
					if err := c.send(l, at, so2, flag, 80+float64((h*3+j+i)%9)); err != nil {
						t.Error(err)
						return
					}
				}
			}
			now := time.Now().Truncate(time.Second)
			for n := 0; ctx.Err() == nil; n++ {
				mu.Lock()
				quiet := l.silent && silent
				mu.Unlock()
				if !quiet {
					// One data time a second, never twice the same.
					if err := c.send(l, now.Add(time.Duration(n)*time.Second), 10+float64((n*7+i*5)%13), "N", 60+float64((n*3+i)%7)); err != nil && ctx.Err() == nil {
						t.Error(err)
						return
					}
				}
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	want := []string{"data_gap@silent", "duplicate_series@copy", "exceedance@exceed", "flag@flag", "flat_line@flat"}
	waitFor := func(what string, ok func(map[string][]rules.Alarm) bool) map[string][]rules.Alarm {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			m, names := alarmsOf(t, db, ls)
			if ok(m) {
				return m
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: alarms %v", what, names)
			}
		}
	}
	m := waitFor("all raised", func(m map[string][]rules.Alarm) bool {
		for _, k := range want {
			if len(m[k]) == 0 {
				return false
			}
		}
		return m["flat_line@flat"][0].Periods == 4
	})
	// The silent logger speaks again: its gap is resolved.
	mu.Lock()
	silent = false
	mu.Unlock()
	m = waitFor("the gap resolved", func(m map[string][]rules.Alarm) bool {
		return len(m["data_gap@silent"]) > 0 && m["data_gap@silent"][0].State == rules.Resolved
	})
	// A few more steps, in case anything else were to come.
	time.Sleep(3 * time.Second)
	m, names := alarmsOf(t, db, ls)
	if !slices.Equal(names, want) {
		t.Fatalf("alarms %v, want exactly %v", names, want)
	}
	ex := m["exceedance@exceed"][0]
	if ex.Periods != 3 || !ex.StartedAt.Equal(h0.Add(2*time.Hour)) || ex.Peak != 150 || ex.Multiple != 3 || ex.Limit != 50 {
		t.Errorf("exceedance %+v: want three hours from %v, peak 150, 3 times the limit of 50", ex, h0.Add(2*time.Hour))
	}
	if fl := m["flat_line@flat"][0]; fl.Periods != 4 || !fl.StartedAt.Equal(h0.Add(2*time.Hour)) || fl.Peak != 25 {
		t.Errorf("flat line %+v", fl)
	}
	if fg := m["flag@flag"][0]; fg.Periods != 1 || !fg.StartedAt.Equal(h0.Add(3*time.Hour)) {
		t.Errorf("flag %+v", fg)
	}
	d := m["duplicate_series@copy"][0]
	if d.Periods != 8 || !d.StartedAt.Equal(h0) || !strings.Contains(string(d.Evidence), ls[5].ent.USCC) || !strings.Contains(string(d.Evidence), ls[4].ent.USCC) {
		t.Errorf("duplicate series %+v: want eight hours naming both", d)
	}
}

func TestE2ERulesSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ecoind")
	}
	dir := t.TempDir()
	db, err := sqlite.OpenDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedE2E(t, db, e2eLoggers())
	runE2E(t, db, []string{serveE2E(t, nil, "--data", dir)})
}

// TestE2ERulesPostgres: two servers on one database, the loggers split
// between them; each episode is still one alarm.
func TestE2ERulesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ecoind")
	}
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedE2E(t, db, e2eLoggers())
	env := []string{"ECOIND_STORE=" + url}
	a := serveE2E(t, env, "--data", t.TempDir())
	b := serveE2E(t, env, "--data", t.TempDir())
	runE2E(t, db, []string{a, b})
}
