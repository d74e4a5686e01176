package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"ecoindustry/internal/api"
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

// TestImportProblemsCapped imports 1,500 rows with two problems each: the
// body lists the first 1,000 and says how many there were.
func TestImportProblemsCapped(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("uscc,name,county,industry_code,size,status\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "x%d,甲,莲都,2925,huge,operating\n", i)
	}
	var got struct {
		Error struct {
			Message   string
			MessageZh string `json:"message_zh"`
			Total     int    `json:"total_problems"`
			Problems  []struct{ Row int }
		}
	}
	e.must(t, 422, "POST", "/api/v1/import/enterprises?format=csv&name=bad.csv", b.String(), &got)
	p := got.Error.Problems
	if len(p) != 1000 || got.Error.Total != 3000 || p[0].Row != 2 || p[999].Row != 501 {
		t.Fatalf("%d problems (rows %d…%d), total %d", len(p), p[0].Row, p[len(p)-1].Row, got.Error.Total)
	}
	if !strings.Contains(got.Error.Message, "1,000 of 3,000 problems shown") || !strings.Contains(got.Error.MessageZh, "共 3,000 处问题，显示前 1,000 处") {
		t.Fatalf("messages %q %q", got.Error.Message, got.Error.MessageZh)
	}
}

// TestOneImportAtATime holds the import slot: a second import is told to
// come back later, and runs once the slot is free.
func TestOneImportAtATime(t *testing.T) {
	e := newEnv(t)
	e.must(t, 201, "POST", "/api/v1/parks", park, nil)
	file := "code,name,county,kind\nQT-IP01,青田县阀门产业园,331121,industrial park\n"
	release := api.HoldImport(e.api)
	for _, dry := range []string{"false", "true"} {
		status, h, body := e.call(t, "POST", "/api/v1/import/parks?format=csv&dry_run="+dry, file)
		var got apiError
		if err := json.Unmarshal(body, &got); err != nil || status != 429 || h.Get("Retry-After") == "" ||
			got.Error.Code != "busy" || got.Error.Message == "" || got.Error.MessageZh == "" {
			t.Fatalf("while busy: %d %v %s", status, h, body)
		}
	}
	release()
	e.must(t, 200, "POST", "/api/v1/import/parks?format=csv", file, nil)
	e.must(t, 200, "POST", "/api/v1/import/parks?format=csv", file, nil)
}
