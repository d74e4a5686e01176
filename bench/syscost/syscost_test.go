// Package syscost measures what system calls cost on the machine the
// benchmarks run on: the end-to-end figures of docs/benchmarks.md are
// bound by them. Run by hand:
//
//	go test ./bench/syscost -run '^$' -bench .
package syscost

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkGetppid is the cheapest system call.
func BenchmarkGetppid(b *testing.B) {
	for b.Loop() {
		syscall.Getppid()
	}
}

// BenchmarkPwrite4KiB writes a page, as SQLite writes its log.
func BenchmarkPwrite4KiB(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for i := 0; b.Loop(); i++ {
		if _, err := f.WriteAt(page, int64(i%10000)*4096); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTCPExchange sends a frame-sized message over loopback TCP and
// reads an answer-sized one back, both ends in this process: a logger's
// frame and its 9014, without anything done with them.
func BenchmarkTCPExchange(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		frame, ack := make([]byte, 420), make([]byte, 100)
		for {
			if _, err := c.Read(frame); err != nil {
				return
			}
			if _, err := c.Write(ack); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	frame, ack := make([]byte, 420), make([]byte, 100)
	for b.Loop() {
		if _, err := c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(ack); err != nil {
			b.Fatal(err)
		}
	}
}
