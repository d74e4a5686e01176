package api_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestNearRefusesNonFinite(t *testing.T) {
	e := newEnv(t)
	for _, near := range []string{"NaN,28.4,1000", "119.9,NaN,1000", "119.9,28.4,NaN", "+Inf,28.4,1000", "119.9,28.4,Inf"} {
		var got apiError
		e.must(t, 400, "GET", "/api/v1/enterprises?near="+url.QueryEscape(near), nil, &got)
		if !strings.Contains(got.Error.Message, "near") || !strings.Contains(got.Error.MessageZh, "near") {
			t.Errorf("near=%s: %+v, want the parameter named", near, got.Error)
		}
	}
}

// TestExportNeutralisesFormulas exports a name and an address a
// spreadsheet would run: the CSV carries them quoted, and imports again
// unchanged.
func TestExportNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	e.must(t, 200, "PATCH", "/api/v1/enterprises/"+usccA, obj{"name": `=HYPERLINK("http://evil.example","点击")`, "address": "@SUM(1+1)"}, nil)
	status, h, file := e.call(t, "GET", "/api/v1/export/enterprises?format=csv", "")
	if status != 200 || !strings.Contains(string(file), `"'=HYPERLINK(`) || !strings.Contains(string(file), ",'@SUM(1+1),") ||
		!strings.Contains(string(file), ",119.87,28.42,") {
		t.Fatalf("export: %d\n%s", status, file)
	}
	var r struct{ Rows, Unchanged int }
	e.must(t, 200, "POST", "/api/v1/import/enterprises", string(file), &r, "Content-Type", h.Get("Content-Type"))
	if r.Rows != 1 || r.Unchanged != 1 {
		t.Fatalf("re-import: %+v, want the row unchanged", r)
	}
}
