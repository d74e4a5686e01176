package cli_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
)

// TestKillDuringLoadLosesNothingAcknowledged runs `ecoind serve` as a
// process, sends it frames from many loggers at once, kills it with
// SIGKILL in the middle, and finds every acknowledged frame in the store.
// Half the loggers send four frames before they wait.
func TestKillDuringLoadLosesNothingAcknowledged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, registry.NewService(db), demo.Generate(3, 400)); err != nil {
		t.Fatal(err)
	}
	outlets, err := db.Outlets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var loggers []registry.Outlet
	for _, o := range outlets {
		if o.MN != "" {
			loggers = append(loggers, o)
		}
	}
	if len(loggers) < 10 {
		t.Fatalf("only %d loggers in the demo registry", len(loggers))
	}

	cmd := exec.Command(os.Args[0], "serve", "--data", dir, "--http", "127.0.0.1:0", "--hj212", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "ECOIND_TEST_AS_ECOIND=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrRE := regexp.MustCompile(`hj212=([0-9.:]+)`)
	addr := ""
	sc := bufio.NewScanner(stderr)
	for addr == "" && sc.Scan() {
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if addr == "" {
		t.Fatal("the server did not say where it listens")
	}

	type key struct {
		mn string
		at time.Time
	}
	var mu sync.Mutex
	var acked []key
	var sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for n, o := range loggers {
		// Half the loggers write four frames at once before they read the
		// answers, which the server stores and answers together.
		burst := 1 + n%2*3
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dialRetry(addr)
			if err != nil {
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			at := time.Date(2026, 11, 30, 0, 0, 0, 0, cst.Zone)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var out []byte
				var times []time.Time // the data times written, in order
				for range burst {
					at = at.Add(30 * time.Second)
					f := &hj212.Frame{Version: "2017", QN: at.Format("20060102150405") + "000", ST: "31", CN: "2011", PW: o.PW, MN: o.MN, Flag: 5,
						DataTime: at, Values: []hj212.Value{{Code: "a34013", Field: "Rtd", Value: float64(i)}}}
					b, err := hj212.Encode(f)
					if err != nil {
						t.Error(err)
						return
					}
					out = append(out, b...)
					times = append(times, at)
				}
				if _, err := c.Write(out); err != nil {
					return
				}
				sent.Add(int64(burst))
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				for _, at := range times {
					line, err := r.ReadBytes('\n')
					if err != nil {
						return // killed: this frame was not acknowledged
					}
					if a, err := hj212.Decode(line, hj212.Options{}); err == nil && a.CN == "9014" && a.QN == at.Format("20060102150405")+"000" {
						mu.Lock()
						acked = append(acked, key{o.MN, at})
						mu.Unlock()
					}
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d frames acknowledged of %d sent before the kill", len(acked), sent.Load())
	}

	db, err = sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[key]bool{}
	for _, o := range loggers {
		fs, err := db.Frames(ctx, o.MN, monitoring.Range{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			at, _ := time.ParseInLocation("20060102150405", f.DKey, cst.Zone)
			stored[key{f.MN, at}] = true
		}
	}
	lost := 0
	for _, k := range acked {
		if !stored[k] {
			lost++
		}
	}
	t.Logf("%d loggers, %d frames sent, %d acknowledged, %d stored", len(loggers), sent.Load(), len(acked), len(stored))
	if lost > 0 {
		t.Fatalf("%d acknowledged frames are not in the store", lost)
	}
}
