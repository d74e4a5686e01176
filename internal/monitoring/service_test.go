package monitoring

import (
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

// TestCheckDecodesBeforeMasking: a frame is decoded as received (its CRC
// covers the password) and shown with the password masked.
func TestCheckDecodesBeforeMasking(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, cst.Zone)
	raw, err := hj212.Encode(&hj212.Frame{Version: "2017", QN: "20261201100000000", ST: "31", CN: "2011", PW: "s3cret", MN: "888888800000000000000001",
		Flag: 5, DataTime: at, Values: []hj212.Value{{Code: "a21026", Field: "Rtd", Value: 12.5, Unit: "mg/m3", Flag: "N"}}})
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(raw), "a21026-Rtd=12.5", "a21026-Rtd=13.5", 1) // the CRC no longer holds
	got := check([]RawFrame{{Frame: string(raw)}, {Frame: bad}})
	if got[0].Error != "" || strings.Contains(got[0].Frame, "s3cret") || !strings.Contains(got[0].Frame, "PW=******") {
		t.Errorf("good frame: error %q, text %q", got[0].Error, got[0].Frame)
	}
	if !strings.Contains(got[1].Error, "crc") || strings.Contains(got[1].Frame, "s3cret") {
		t.Errorf("altered frame: error %q, text %q", got[1].Error, got[1].Frame)
	}
}
