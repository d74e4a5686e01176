package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examplesFile = "../hj212/testdata/examples.txt"

// decodeLines parses the JSON lines of `ecoind hj212 decode`.
func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		objs = append(objs, o)
	}
	return objs
}

func errorCode(o map[string]any) string {
	if o["ok"] == true {
		return ""
	}
	return o["error"].(map[string]any)["code"].(string)
}

func TestHJ212Decode(t *testing.T) {
	labels, err := os.ReadFile("../hj212/testdata/examples.labels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(labels)), "\n")[1:]
	for _, mode := range []struct {
		flags    []string
		rejected int
	}{{nil, 16}, {[]string{"--strict"}, 32}, {[]string{"--modbus-crc"}, 6}} {
		code, out, errOut := run(t, nil, append(append([]string{"hj212", "decode"}, mode.flags...), examplesFile)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", mode.flags, code, errOut)
		}
		objs := decodeLines(t, out)
		if len(objs) != len(rows) {
			t.Fatalf("%v: %d objects for %d frames", mode.flags, len(objs), len(rows))
		}
		rejected := 0
		for i, o := range objs {
			valid := strings.Split(rows[i], "\t")[2] == "valid"
			if c := errorCode(o); c != "" {
				rejected++
				if valid && mode.flags == nil {
					t.Errorf("line %d (valid) rejected: %s", i+1, c)
				}
			} else if !valid && mode.flags == nil {
				t.Errorf("line %d (invalid) accepted", i+1)
			}
		}
		if rejected != mode.rejected {
			t.Errorf("%v: %d rejected, want %d", mode.flags, rejected, mode.rejected)
		}
	}
}

func TestHJ212DecodeShape(t *testing.T) {
	dir := t.TempDir()
	in := write(t, dir, "frames.txt", "\r\n"+
		"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C81\r\n"+
		"\n"+
		"##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\n")
	code, out, errOut := run(t, nil, "hj212", "decode", in)
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		`{"ok":false,"error":{"code":"crc_mismatch","message":"computed 1C80, frame says 1C81"}}`,
		`{"ok":true,"version":"2005","st":"32","cn":"2011","pw":"123456","mn":"LD130133000015","pnum":0,"pno":0,` +
			`"data_time":"2016-08-24T00:38:17+08:00","values":[{"code":"w00000","code_2005":"B01","field":"Rtd","value":36.91,"unit":"L/s"},` +
			`{"code":"w01018","code_2005":"011","field":"Rtd","value":231,"unit":"mg/L","flag":"N"},` +
			`{"code":"w01018","code_2005":"011","field":"Flag","text":"N","flag":"N"},` +
			`{"code":"w21003","code_2005":"060","field":"Rtd","value":1.803,"unit":"mg/L","flag":"N"},` +
			`{"code":"w21003","code_2005":"060","field":"Flag","text":"N","flag":"N"}],` +
			`"warnings":[{"code":"missing_qn","message":"no QN"},{"code":"missing_flag","message":"no Flag: read as HJ/T 212-2005"},` +
			`{"code":"datatime_millis","message":"DataTime 20160824003817000 has milliseconds"}]}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines (blank lines are skipped):\n%s", len(lines), out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
		}
	}
}

// TestHJ212EncodeRoundTrip decodes the examples, encodes what decoded and
// decodes that again: the same JSON, warnings apart.
func TestHJ212EncodeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	_, out, _ := run(t, nil, "hj212", "decode", "--modbus-crc", examplesFile)
	var accepted []string
	for _, o := range decodeLines(t, out) {
		if o["ok"] == true {
			delete(o, "warnings")
			b, _ := json.Marshal(o)
			accepted = append(accepted, string(b))
		}
	}
	code, frames, errOut := run(t, nil, "hj212", "encode", write(t, dir, "frames.jsonl", strings.Join(accepted, "\n")+"\n"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(frames, "\r\n"); n != len(accepted) {
		t.Fatalf("%d frames for %d objects", n, len(accepted))
	}
	_, again, _ := run(t, nil, "hj212", "decode", write(t, dir, "frames.txt", frames))
	for i, o := range decodeLines(t, again) {
		delete(o, "warnings")
		b, _ := json.Marshal(o)
		if string(b) != accepted[i] {
			t.Errorf("frame %d:\n got %s\nwant %s", i+1, b, accepted[i])
		}
	}
}

func TestHJ212Usage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"hj212"}, 2, "want decode or encode"},
		{[]string{"hj212", "parse"}, 2, "unknown hj212 command"},
		{[]string{"hj212", "decode", "a", "b"}, 2, "at most 1 arguments ([FILE])"},
		{[]string{"hj212", "decode", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"hj212", "decode", filepath.Join(dir, "missing")}, 1, "no such file"},
		{[]string{"hj212", "encode", write(t, dir, "bad.jsonl", `{"ok":false,"error":{"code":"crc_mismatch"}}`+"\n")}, 1, "object 1"},
		{[]string{"hj212", "encode", write(t, dir, "nomn.jsonl", `{"st":"32","cn":"2011"}`+"\n")}, 1, "no MN"},
	} {
		code, _, errOut := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
