package hj212

import "encoding/binary"

// The HJ 212 CRC (HJ 212-2017 Appendix A) is not Modbus CRC16: each byte
// is folded in with crc = (crc>>8) ^ b, then eight shifts with 0xA001. The
// fold leaves only eight bits of state, x, between bytes, and the step from
// one state to the next, x' = h(x) ^ b with h(x) = arc[x]>>8, is linear over
// GF(2). So eight bytes at a time cost one dependent lookup instead of eight
// (PROTOCOL.md §1.5; the bit-by-bit algorithm of the standard is in the
// tests, which check this one against it).

// arc is the table of the reflected polynomial 0xA001: arc[x] is x after
// eight shifts. Modbus CRC16 uses the same table.
var arc = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// hpow[k][x] is h applied k times to x; hpow[0] is the identity.
var hpow = func() (t [9][256]byte) {
	for x := range 256 {
		t[0][x] = byte(x)
	}
	for k := 1; k < len(t); k++ {
		for x := range 256 {
			t[k][x] = byte(arc[t[k-1][x]] >> 8)
		}
	}
	return t
}()

// hpowp lets crc index hpow from a register, not from its address each
// time (the compiler does not hoist the address of a global table).
var hpowp = &hpow

func crc(data []byte) uint16 {
	if len(data) == 0 {
		return 0xFFFF
	}
	t := hpowp
	x := 0xFF ^ data[0] // the initial register 0xFFFF contributes its high byte
	p := data[1:]
	for len(p) >= 8 {
		w := binary.LittleEndian.Uint64(p) // one load, no bounds checks
		// The bytes' part first: it does not wait for x.
		y := t[7][byte(w)] ^ t[6][byte(w>>8)] ^ t[5][byte(w>>16)] ^ t[4][byte(w>>24)] ^
			t[3][byte(w>>32)] ^ t[2][byte(w>>40)] ^ t[1][byte(w>>48)] ^ byte(w>>56)
		x = t[8][x] ^ y
		p = p[8:]
	}
	for _, b := range p {
		x = t[1][x] ^ b
	}
	return arc[x]
}

// modbusCRC is Modbus CRC16 (crc ^= b), which some loggers send instead.
func modbusCRC(data []byte) uint16 {
	c := uint16(0xFFFF)
	for _, b := range data {
		c = c>>8 ^ arc[byte(c)^b]
	}
	return c
}
