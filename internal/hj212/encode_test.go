package hj212

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/cst"
)

func decoded(t testing.TB, id string) *Frame {
	t.Helper()
	for _, ex := range examples(t) {
		if ex.id == id {
			f, err := Decode(ex.frame, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no example %s", id)
	return nil
}

func exampleFrame(t testing.TB, id string) string {
	t.Helper()
	for _, ex := range examples(t) {
		if ex.id == id {
			return string(ex.frame) + "\r\n"
		}
	}
	t.Fatalf("no example %s", id)
	return ""
}

// TestEncodeStandardFrames re-encodes the App. C frames byte for byte: the
// standard's field order and number forms (these have no "63.0", which
// Encode writes "63").
func TestEncodeStandardFrames(t *testing.T) {
	for _, id := range []string{"std-appA", "std-C1-1000", "std-C1-9011", "std-C1-9012", "std-C2-1011req", "std-C3-1012",
		"std-C8-1064", "std-C9-1072", "std-C10-2011req", "std-C11-9013", "std-C14-2011", "std-C14-9014", "std-C15-2021",
		"std-C21-2061req", "std-C24-2081", "std-C39-3019", "std-C40-3020-utf8", "gh-libem-2011"} {
		b, err := Encode(decoded(t, id))
		if err != nil {
			t.Fatal(err)
		}
		if want := exampleFrame(t, id); string(b) != want {
			t.Errorf("%s:\n got %q\nwant %q", id, b, want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	ok := func() *Frame {
		return &Frame{ST: "32", CN: "2011", MN: "1", Flag: 4, CP: []Field{{"PolId", "w01018"}},
			Values: []Value{{Code: "w01018", Field: "Rtd", Value: 1}}}
	}
	if _, err := Encode(ok()); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(f *Frame){
		"no ST":            func(f *Frame) { f.ST = "" },
		"no MN":            func(f *Frame) { f.MN = "" },
		"separator in PW":  func(f *Frame) { f.PW = "1;2" },
		"CP=&& in a field": func(f *Frame) { f.Extra = []Field{{"XCP", "&&1"}} },
		"extra is Table 3": func(f *Frame) { f.Extra = []Field{{"MN", "2"}} },
		"flag":             func(f *Frame) { f.Flag = 256 },
		"PNO over PNUM":    func(f *Frame) { f.PNUM, f.PNO = 2, 3 },
		"PNO alone":        func(f *Frame) { f.PNO = 1 },
		"CP key with =":    func(f *Frame) { f.CP[0].Key = "a=b" },
		"CP DataTime":      func(f *Frame) { f.CP[0].Key = "DataTime" },
		"CP value key":     func(f *Frame) { f.CP[0].Key = "w01018-Rtd" },
		"CP value ,":       func(f *Frame) { f.CP[0].Value = "1,2" },
		"CP value spaces":  func(f *Frame) { f.CP[0].Value = " 1" },
		"NaN":              func(f *Frame) { f.Values[0].Value = math.NaN() },
		"field with -":     func(f *Frame) { f.Values[0].Field = "a-Rtd" },
		"field of the CP":  func(f *Frame) { f.Values[0].Field = "SN" },
		"no code":          func(f *Frame) { f.Values[0].Code = "" },
		"wrong 2005 code":  func(f *Frame) { f.Values[0].Code2005 = "060" },
		"text with ;":      func(f *Frame) { f.Values[0].IsText, f.Values[0].Text = true, "a;b" },
		"DataTime too old": func(f *Frame) { f.DataTime = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC) },
		"over 9999 bytes":  func(f *Frame) { f.CP[0].Value = strings.Repeat("x", 10000) },
	} {
		f := ok()
		change(f)
		if b, err := Encode(f); err == nil {
			t.Errorf("%s: encoded %q", name, b)
		}
	}
}

// TestEncodeDecode round-trips frames built in code, as the simulator and
// the platform build them.
func TestEncodeDecode(t *testing.T) {
	for name, f := range map[string]*Frame{
		"hourly":  benchFrame(),
		"millis":  {ST: "32", CN: "2011", MN: "m", Flag: 4, DataTime: time.Date(2026, 11, 30, 10, 0, 0, 123e6, cst.Zone)},
		"utc":     {ST: "32", CN: "2011", MN: "m", Flag: 4, DataTime: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)},
		"split":   {QN: "20160801085857534", ST: "32", CN: "2061", MN: "m", Flag: 7, PNUM: 2, PNO: 1},
		"2005":    {ST: "32", CN: "2061", MN: "m", Flag: -1, CP: []Field{{"BeginTime", "20160801080000"}, {"EndTime", "20160801090000"}}},
		"extra":   {ST: "32", CN: "2011", MN: "m", Flag: 8, Extra: []Field{{"RF", "1"}}},
		"text":    {ST: "32", CN: "2011", MN: "m", Flag: 4, Values: []Value{{Code: "w01018", Field: "SampleTime", Text: "20160801070000", IsText: true}}},
		"amp":     {ST: "32", CN: "3020", MN: "m", Flag: 4, CP: []Field{{"i11001-Info", "a&&b&"}}},
		"runs":    {ST: "32", CN: "2011", MN: "m", Flag: 4, Values: []Value{{Code: "a", Field: "Rtd"}, {Code: "b", Field: "Rtd"}, {Code: "a", Field: "Flag", Text: "N", IsText: true}}},
		"mercury": {ST: "32", CN: "2011", MN: "m", Flag: -1, Values: []Value{{Code: "w20111", Code2005: "020", Field: "Rtd", Value: 0.1 + 0.2}}},
	} {
		b, err := Encode(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g, err := Decode(b, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Version = version(f.Flag)
		if f.Flag < 0 {
			f.Version = "2005"
		}
		// Decode derives units and flags; Encode ignores them.
		for i := range g.Values {
			g.Values[i].Unit, g.Values[i].Flag = f.Values[i].Unit, f.Values[i].Flag
		}
		if !sameFrame(f, g) {
			t.Errorf("%s: through %q\n got %+v\nwant %+v", name, b, g, f)
		}
	}
	b, _ := Encode(&Frame{ST: "32", CN: "2061", MN: "m", Flag: 1, CP: []Field{{"BeginTime", "20160801080000"}, {"EndTime", "20160801090000"}}})
	if !bytes.Contains(b, []byte("BeginTime=20160801080000,EndTime=")) {
		t.Errorf("2005 BeginTime and EndTime not joined by a comma: %s", b)
	}
}

func TestJSON(t *testing.T) {
	for _, ex := range examples(t) {
		f, err := Decode(ex.frame, Options{ModbusCRC: true})
		if err != nil {
			continue
		}
		js, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var g Frame
		if err := json.Unmarshal(js, &g); err != nil {
			t.Fatalf("%s: %v\n%s", ex.id, err, js)
		}
		if !sameFrame(f, &g) {
			t.Errorf("%s: through %s", ex.id, js)
		}
	}
	for _, tc := range []struct{ js, want string }{
		{`{"ok":false}`, "not a frame"},
		{`{"version":"2017","flag":1}`, "is version"},
		{`{"version":"2018"}`, "want 2005"},
		{`{"values":[{"code":"w01018","field":"Rtd"}]}`, "one of value and text"},
		{`{"values":[{"code":"w20111","field":"Rtd","value":1,"unit":"mg/L"}]}`, "µg/L"},
		{`{"cp":{"a":1}}`, "cannot unmarshal"},
	} {
		var f Frame
		if err := json.Unmarshal([]byte(tc.js), &f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.js, err, tc.want)
		}
	}
	var f Frame
	if err := json.Unmarshal([]byte(`{"version":"2017","st":"31","cn":"2061","mn":"m","pnum":2,"pno":1,"data_time":"2026-11-30T10:00:00+08:00"}`), &f); err != nil || f.Flag != 6 {
		t.Errorf("flag from version: %d %v", f.Flag, err)
	}
}
