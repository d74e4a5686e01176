package hj212

import (
	"math/rand/v2"
	"testing"
)

// crcAppendixA is HJ 212-2017 Appendix A bit by bit, as the standard's C
// code does it: the reference the table-driven CRC is checked against.
func crcAppendixA(data []byte) uint16 {
	c := uint16(0xFFFF)
	for _, b := range data {
		c = c>>8 ^ uint16(b)
		for range 8 {
			lsb := c & 1
			c >>= 1
			if lsb != 0 {
				c ^= 0xA001
			}
		}
	}
	return c
}

func TestCRCVectors(t *testing.T) {
	// PROTOCOL.md §1.5; the last is the standard's worked example (whose
	// prose mistypes it as 1C08).
	for _, tc := range []struct {
		in            string
		hj212, modbus uint16
	}{
		{"", 0xFFFF, 0xFFFF},
		{"A", 0x7080, 0x707F},
		{"123456789", 0x2F80, 0x4B37},
		{"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&", 0x1C80, 0x0759},
	} {
		if got := CRC([]byte(tc.in)); got != tc.hj212 {
			t.Errorf("CRC(%q) = %04X, want %04X", tc.in, got, tc.hj212)
		}
		if got := modbusCRC([]byte(tc.in)); got != tc.modbus {
			t.Errorf("modbusCRC(%q) = %04X, want %04X", tc.in, got, tc.modbus)
		}
	}
}

func TestCRCMatchesAppendixA(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := CRC(b), crcAppendixA(b); got != want {
			t.Fatalf("len %d: CRC %04X, Appendix A %04X", n, got, want)
		}
	}
}

func BenchmarkCRC(b *testing.B) {
	data := make([]byte, 600)
	for i := range data {
		data[i] = byte('0' + i%10)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		CRC(data)
	}
}
