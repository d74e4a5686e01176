package hj212

import (
	"syscall"
	"testing"
	"time"

	"ecoindustry/internal/cst"
)

// benchFrame is a typical hourly (2061) flue-gas upload: six pollutants,
// each with Avg, Min, Max, ZsAvg and its flag.
func benchFrame() *Frame {
	f := &Frame{QN: "20261130100000123", ST: "31", CN: "2061", PW: "123456", MN: "33110200000000000000P001", Flag: 5,
		DataTime: time.Date(2026, 11, 30, 9, 0, 0, 0, cst.Zone)}
	for i, code := range []string{"a34013", "a21026", "a21002", "a21005", "a21024", "a24088"} {
		x := float64(i+1) * 7.25 // instruments report a few decimals (Nn.m, Table 4)
		f.Values = append(f.Values,
			Value{Code: code, Field: "Avg", Value: x},
			Value{Code: code, Field: "Min", Value: x - 1.5},
			Value{Code: code, Field: "Max", Value: x + 2.125},
			Value{Code: code, Field: "ZsAvg", Value: x * 1.25},
			Value{Code: code, Field: "Flag", Text: "N", IsText: true})
	}
	return f
}

// BenchmarkDecode decodes the hourly frame into a new Frame (Decode) and
// into one the loop reuses (DecodeInto), as a connection's reader can.
func BenchmarkDecode(b *testing.B) {
	frame, err := Encode(benchFrame())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(frame)))
		for b.Loop() {
			if _, err := Decode(frame, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeInto", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(frame)))
		var f Frame
		cpu := cpuTime()
		for b.Loop() {
			if err := DecodeInto(&f, frame, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
	})
}

// cpuTime is the CPU time this process has used, GC included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per frame since start: on a shared machine
// the wall-clock ns/op also counts the time other processes held the core,
// and "frames per second per core" is 1e9 over this.
func reportCPU(b *testing.B, start time.Duration) {
	if start > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkEncode(b *testing.B) {
	f := benchFrame()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(f); err != nil {
			b.Fatal(err)
		}
	}
}

// realtimeFrame is the issue's "typical 2011 flue-gas frame with six
// pollutants": each with Rtd, ZsRtd and its flag.
func realtimeFrame() *Frame {
	f := &Frame{QN: "20261130100000123", ST: "31", CN: "2011", PW: "123456", MN: "33110200000000000000P001", Flag: 5,
		DataTime: time.Date(2026, 11, 30, 10, 0, 0, 0, cst.Zone)}
	for i, code := range []string{"a34013", "a21026", "a21002", "a21005", "a21024", "a24088"} {
		x := float64(i+1) * 7.25
		f.Values = append(f.Values,
			Value{Code: code, Field: "Rtd", Value: x},
			Value{Code: code, Field: "ZsRtd", Value: x * 1.25},
			Value{Code: code, Field: "Flag", Text: "N", IsText: true})
	}
	return f
}

// BenchmarkDecodeRealtime decodes the real-time frame into a reused Frame,
// as a connection's reader does.
func BenchmarkDecodeRealtime(b *testing.B) {
	frame, err := Encode(realtimeFrame())
	if err != nil {
		b.Fatal(err)
	}
	var f Frame
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := DecodeInto(&f, frame, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
