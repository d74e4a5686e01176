package hj212

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// example is one line of testdata/examples.txt with its row of
// examples.labels.tsv (both from shared/reference/hj212).
type example struct {
	n, id, expect, reason string
	frame                 []byte
}

func examples(t testing.TB) []example {
	t.Helper()
	frames, err := os.ReadFile("testdata/examples.txt")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := os.ReadFile("testdata/examples.labels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(frames), "\n"), "\n")
	rows := strings.Split(strings.TrimSuffix(string(labels), "\n"), "\n")[1:]
	if len(lines) != len(rows) {
		t.Fatalf("%d frames, %d labels", len(lines), len(rows))
	}
	var ex []example
	for i, r := range rows {
		c := strings.Split(r, "\t")
		ex = append(ex, example{n: c[0], id: c[1], expect: c[2], reason: c[3], frame: []byte(lines[i])})
	}
	return ex
}

// labelReason maps the labels' reasons to Decode's codes. The frame that
// lacks its closing "&&" declares more bytes than it has, which Decode
// finds first.
var labelReason = map[string]string{
	"crc_modbus_variant":             reasonCRCMismatch,
	"crc_modbus_swapped":             reasonCRCMismatch,
	"len_gt_1024+crc_modbus_swapped": reasonCRCMismatch,
	"crc_mismatch":                   reasonCRCMismatch,
	"length_mismatch":                reasonBadLength,
	"malformed_no_cp_terminator":     reasonBadLength,
}

// TestExamples decodes every example in lenient mode, strict mode and with
// Options.ModbusCRC, checks the lenient verdict against the labels, and
// keeps all three in testdata/examples.golden.jsonl (go test -update
// rewrites it).
func TestExamples(t *testing.T) {
	var golden bytes.Buffer
	enc := json.NewEncoder(&golden)
	enc.SetEscapeHTML(false)
	strictRejects := map[string]int{}
	for _, ex := range examples(t) {
		f, err := Decode(ex.frame, Options{})
		switch {
		case ex.expect == "valid" && err != nil:
			t.Errorf("%s %s: %v", ex.n, ex.id, err)
		case ex.expect == "invalid" && (err == nil || err.(*Error).Code != labelReason[ex.reason]):
			t.Errorf("%s %s: got %v, want %s (label %s)", ex.n, ex.id, err, labelReason[ex.reason], ex.reason)
		}
		if err == nil {
			roundTrip(t, ex.id, f)
		}
		_, serr := Decode(ex.frame, Options{Strict: true})
		if serr != nil {
			strictRejects[serr.(*Error).Code]++
		}
		mf, merr := Decode(ex.frame, Options{ModbusCRC: true})
		if strings.HasPrefix(ex.reason, "crc_modbus") || strings.HasSuffix(ex.reason, "crc_modbus_swapped") {
			if merr != nil || !strings.Contains(codes(mf.Warnings), "modbus_crc") {
				t.Errorf("%s %s with ModbusCRC: %v", ex.n, ex.id, merr)
			}
		}
		line := struct {
			N        string `json:"n"`
			ID       string `json:"id"`
			Expect   string `json:"expect"`
			Reason   string `json:"reason,omitempty"`
			Lenient  any    `json:"lenient"`
			Strict   any    `json:"strict"`
			ModbusOK any    `json:"modbus_crc"`
		}{ex.n, ex.id, ex.expect, ex.reason, verdict(f, err), short(nil, serr), short(mf, merr)}
		if err := enc.Encode(line); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("strict mode rejects: %v", strictRejects)
	compareGolden(t, "testdata/examples.golden.jsonl", golden.Bytes())
}

// verdict is what `ecoind hj212 decode` writes for a frame.
func verdict(f *Frame, err error) any {
	if err != nil {
		return struct {
			OK    bool   `json:"ok"`
			Error *Error `json:"error"`
		}{false, err.(*Error)}
	}
	return f
}

// short is "ok" with the warnings' codes, or the error's code.
func short(f *Frame, err error) string {
	switch {
	case err != nil:
		return "rejected: " + err.(*Error).Code
	case f == nil || len(f.Warnings) == 0:
		return "ok"
	}
	return "ok: " + codes(f.Warnings)
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	gs, ws := bufio.NewScanner(bytes.NewReader(got)), bufio.NewScanner(bytes.NewReader(want))
	gs.Buffer(nil, 1<<20)
	ws.Buffer(nil, 1<<20)
	for n := 1; ; n++ {
		g, w := gs.Scan(), ws.Scan()
		if !g && !w {
			return
		}
		if g != w || gs.Text() != ws.Text() {
			t.Fatalf("%s line %d differs (go test -update rewrites it):\ngot  %s\nwant %s", path, n, gs.Text(), ws.Text())
		}
	}
}

// roundTrip checks that f encodes and decodes back to itself, warnings and
// length apart.
func roundTrip(t testing.TB, name string, f *Frame) {
	t.Helper()
	b, err := Encode(f)
	if err != nil {
		t.Fatalf("%s: encode: %v\n%+v", name, err, f)
	}
	g, err := Decode(b, Options{})
	if err != nil {
		t.Fatalf("%s: decode of %q: %v", name, b, err)
	}
	if !sameFrame(f, g) {
		t.Fatalf("%s: round trip through %q:\n got %+v\nwant %+v", name, b, g, f)
	}
}

func sameFrame(a, b *Frame) bool {
	x, y := *a, *b
	x.Warnings, y.Warnings, x.DataLen, y.DataLen = nil, nil, 0, 0
	for _, f := range []*Frame{&x, &y} { // nil and empty are the same list
		if len(f.Values) == 0 {
			f.Values = nil
		}
		if len(f.CP) == 0 {
			f.CP = nil
		}
		if len(f.Extra) == 0 {
			f.Extra = nil
		}
	}
	if !x.DataTime.Equal(y.DataTime) {
		return false
	}
	x.DataTime = y.DataTime
	return reflect.DeepEqual(x, y)
}
