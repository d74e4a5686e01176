package monitoring

import (
	"encoding/json"
	"math"
	"testing"

	"ecoindustry/internal/hj212"
)

func TestAppendReadings(t *testing.T) {
	f := &hj212.Frame{Values: []hj212.Value{
		{Code: "a21026", Field: "Rtd", Value: 12.5, Unit: "mg/m3", Flag: "N"},
		{Code: "a21026", Field: "Flag", Text: "N", IsText: true, Flag: "N"},
		{Code: "w01018", Field: "Avg", Value: 1e-7, Unit: `u"\` + "\x01", Flag: "D"},
		{Code: "w01018", Field: "Max", Value: math.NaN(), Unit: "mg/L", Flag: "D"},
		{Code: "a21026", Field: "ZsRtd", Value: 15, Unit: "mg/m3", Flag: "N"}, // back later: joins its first run
		{Code: "a01012", Field: "SampleTime", Text: "20261130100000", IsText: true},
	}}
	b := AppendReadings(nil, f)
	var got []Reading
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if len(got) != 3 {
		t.Fatalf("%s: %d readings, want 3", b, len(got))
	}
	so2, cod, temp := got[0], got[1], got[2]
	if so2.Code != "a21026" || *so2.Rtd != 12.5 || *so2.ZsRtd != 15 || so2.Unit != "mg/m3" || so2.Flag != "N" || so2.Avg != nil {
		t.Errorf("SO2 %+v", so2)
	}
	if cod.Code != "w01018" || *cod.Avg != 1e-7 || cod.Max != nil || cod.Unit != `u"\`+"\x01" || cod.Flag != "D" {
		t.Errorf("COD %+v (a value that is not a number is left out)", cod)
	}
	if temp.Code != "a01012" || temp.Rtd != nil || temp.Unit != "" {
		t.Errorf("text-only pollutant %+v", temp)
	}
	if s := string(AppendReadings(nil, &hj212.Frame{})); s != "[]" {
		t.Errorf("no values: %s", s)
	}
}
