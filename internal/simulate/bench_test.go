package simulate

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"ecoindustry/internal/hj212"
)

// TestAckServer is not a test: run as a child process by
// BenchmarkLoggersAgainstLocalServer, it is a lean ingestion server that
// answers every frame that asks with its 9014, so that the simulator's
// CPU can be measured apart from the server's. It prints its address and
// serves until its stdin closes.
func TestAckServer(t *testing.T) {
	if os.Getenv("SIMULATE_ACK_SERVER") == "" {
		t.Skip("the benchmark's child process")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("addr=" + ln.Addr().String())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				sc.Buffer(make([]byte, 0, 4096), maxFrame)
				sc.Split(hj212.SplitFrames(maxFrame))
				var f hj212.Frame
				for sc.Scan() {
					if hj212.DecodeInto(&f, sc.Bytes(), hj212.Options{}) != nil {
						continue
					}
					if ack := hj212.Ack(&f); ack != nil {
						if _, err := c.Write(ack); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	os.Stdin.Read(make([]byte, 1))
}

// BenchmarkLoggersAgainstLocalServer runs loggers that wait for the 9014
// of each frame against a server in a child process, for a few seconds
// each, and reports the simulator's CPU (user + system) per frame written,
// the server's, and the frames per second. b.N is ignored: run it with
// -benchtime=1x.
func BenchmarkLoggersAgainstLocalServer(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestAckServer$")
	cmd.Env = append(os.Environ(), "SIMULATE_ACK_SERVER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var addr string
	for sc := bufio.NewScanner(out); addr == "" && sc.Scan(); {
		addr, _ = strings.CutPrefix(sc.Text(), "addr=")
	}
	if addr == "" {
		b.Fatal("no address from the server")
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	serverCPU := func() time.Duration {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)); err == nil {
			// utime and stime, fields 14 and 15, in clock ticks (100 Hz).
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
			var u, s int64
			fmt.Sscan(f[11], &u)
			fmt.Sscan(f[12], &s)
			return time.Duration(u+s) * 10 * time.Millisecond
		}
		return 0
	}
	for _, c := range []struct {
		loggers int
		rate    float64
	}{{2000, 10000}, {2000, 1e7}} {
		name := fmt.Sprintf("loggers=%d/rate=%g", c.loggers, c.rate)
		b.Run(name, func(b *testing.B) {
			ls := make([]Logger, c.loggers)
			for i := range ls {
				ls[i] = testLoggers[i%len(testLoggers)]
				ls[i].MN = fmt.Sprintf("%s%06d", ls[i].MN[:18], i)
			}
			// Two runs, a short and a long one: the difference leaves out
			// connecting and starting, which the loggers do once.
			run := func(d time.Duration) (Stats, time.Duration, time.Duration) {
				ctx, cancel := context.WithTimeout(context.Background(), d)
				defer cancel()
				cpu0, srv0 := selfCPU(), serverCPU()
				st, err := Run(ctx, Config{Target: addr, Rate: c.rate, Start: morning}, ls, slog.New(slog.DiscardHandler))
				if err != nil {
					b.Fatal(err)
				}
				if st.Sent == 0 || st.Reconnects > 0 {
					b.Fatalf("stats %+v", st)
				}
				return st, selfCPU() - cpu0, serverCPU() - srv0
			}
			for b.Loop() {
				st1, cpu1, srv1 := run(1500 * time.Millisecond)
				st2, cpu2, srv2 := run(5500 * time.Millisecond)
				n := float64(st2.Sent - st1.Sent)
				b.ReportMetric(float64((cpu2-cpu1).Nanoseconds())/n, "sim-cpu-ns/frame")
				b.ReportMetric(float64((srv2-srv1).Nanoseconds())/n, "srv-cpu-ns/frame")
				b.ReportMetric(n/(st2.Elapsed-st1.Elapsed).Seconds(), "frames/s")
			}
		})
	}
}

// selfCPU is the CPU (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
