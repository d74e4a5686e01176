package hj212

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func addExamples(f *testing.F) {
	for _, ex := range examples(f) {
		f.Add(ex.frame)
	}
	for _, tc := range reasonCases {
		f.Add(tc.frame)
	}
}

// FuzzDecode: Decode never panics, in any mode, and whatever it accepts
// encodes, decodes to the same frame and goes through JSON unchanged.
func FuzzDecode(f *testing.F) {
	addExamples(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		// A valid CRC is 1 in 256 for random bytes; fixing it up lets the
		// fuzzer reach the data segment.
		for _, in := range [][]byte{b, fixCRC(b)} {
			var got *Frame
			for _, opt := range []Options{{}, {Strict: true}, {ModbusCRC: true}} {
				fr, err := Decode(in, opt)
				if err != nil {
					if _, ok := err.(*Error); !ok {
						t.Fatalf("%v: error of type %T", opt, err)
					}
					continue
				}
				if got == nil {
					got = fr
				}
			}
			if got == nil {
				continue
			}
			roundTrip(t, "fuzz", got)
			js, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var back Frame
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatalf("%v\n%s", err, js)
			}
			if !sameFrame(got, &back) {
				t.Fatalf("through JSON %s", js)
			}
		}
	})
}

// fixCRC frames what looks like the data segment of b with the right
// length and CRC.
func fixCRC(b []byte) []byte {
	body := bytes.TrimSuffix(b, []byte("\r\n"))
	if len(body) < 10 {
		return b
	}
	return mk(string(body[6 : len(body)-4]))
}

// FuzzSplitFrames: however a stream arrives, the same frames come out, and
// no byte is lost or invented.
func FuzzSplitFrames(f *testing.F) {
	var all []byte
	for _, ex := range examples(f) {
		all = append(append(all, ex.frame...), "\r\n"...)
		f.Add(append(ex.frame, "\r\n"...), uint64(len(ex.frame)))
	}
	f.Add(all, uint64(1))
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64) {
		const maxFrame = 300
		whole := tokens(t, bytes.NewReader(stream), maxFrame)
		var sizes []int
		for n, s := 0, seed|1; n < len(stream); n += sizes[len(sizes)-1] {
			s = s*6364136223846793005 + 1442695040888963407
			sizes = append(sizes, 1+int(s>>58))
		}
		chunked := tokens(t, &chunkReader{stream, sizes}, maxFrame)
		if !equal(whole, chunked) {
			t.Fatalf("whole %q\nchunked %q", whole, chunked)
		}
		var joined strings.Builder
		for _, tok := range whole {
			joined.WriteString(tok[2:])
			if strings.HasPrefix(tok, "F:") {
				fr := tok[2:]
				n, ok := atoi(fr[2:6])
				if !ok || len(fr) != n+12 || len(fr) > maxFrame || !strings.HasSuffix(fr, "\r\n") {
					t.Fatalf("frame token %q", fr)
				}
			}
		}
		if joined.String() != string(stream) {
			t.Fatalf("tokens %q do not make up the stream", whole)
		}
	})
}

// FuzzParseNumber: parseNumber takes exactly the plain decimal numbers and
// reads them as strconv.ParseFloat does, bit for bit (see checkNumber).
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "7.25", "-0.052", "+3", ".5", "5.", "123456789012345678", "0.000000000000000000000000001",
		"99999999999999.99", "1e5", "1.2.3", "", "-", "Inf"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, scale uint8) {
		checkNumber(t, s, int(scale%8))
	})
}
