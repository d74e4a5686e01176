package api

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/gep"
)

// TestGEPRunsAPI, on both stores: a YAML config starts a run (202 and
// Location) read to its account; bad paths and inputs are refused before
// it starts; a land-cover code missing from the table fails the run with
// the file named.
func TestGEPRunsAPI(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			eco, stat, county := roles[1], roles[3], roles[4]
			config := strings.Replace(f.gepConfig, "name: 测试市 2010", "name: 测试市 2010 API", 1)
			r := httptestPost(f, stat, config)
			if r.code != 202 || r.location == "" {
				t.Fatalf("start: %d %s", r.code, r.body)
			}
			var v gep.RunView
			for i := 0; ; i++ {
				code, body := f.call(county, "GET", r.location, "")
				if code != 200 || json.Unmarshal(body, &v) != nil {
					t.Fatalf("run: %d %s", code, body)
				}
				if v.Status != gep.Running || i > 500 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if v.Status != gep.Done || v.Progress != 1 || v.Actor != "user:city-stat" || v.Account == nil || len(v.Account.Zones) != 2 ||
				v.Account.Zones[1].Name != "莲都区" || v.Account.Zones[0].GEP <= 0 || !strings.Contains(v.Config, "API") {
				t.Fatalf("run %+v", v)
			}
			// Year on year against run 1 (the fixture's, the same inputs):
			// its account.json lies in the data directory.
			r2 := httptestPost(f, eco, config+"previous: gep/runs/1/account.json\n")
			if r2.code != 202 {
				t.Fatalf("start with previous: %d %s", r2.code, r2.body)
			}
			var v2 gep.RunView
			for i := 0; v2.Status != gep.Done && i < 500; i++ {
				time.Sleep(10 * time.Millisecond)
				_, body := f.call(eco, "GET", r2.location, "")
				v2 = gep.RunView{}
				json.Unmarshal(body, &v2)
			}
			if v2.Account == nil || v2.Account.Zones[1].ChangePct == nil || *v2.Account.Zones[1].ChangePct != 0 || v2.Account.Provenance.Previous == nil {
				t.Errorf("year on year: %+v", v2)
			}
			// The provenance names the inputs as the config did, not the
			// server's folders.
			p := v.Account.Provenance
			if len(p.Inputs) == 0 || p.Inputs[0].SHA256 == "" || strings.Contains(string(mustJSON(t, p)), f.gepData) {
				t.Errorf("provenance %+v", p)
			}
			code, body := f.call(county, "GET", r.location+"/account.xlsx", "")
			if code != 200 {
				t.Fatalf("xlsx: %d %s", code, body)
			}
			x, err := excelize.OpenReader(strings.NewReader(string(body)))
			if err != nil || x.GetSheetList()[0] != "汇总 Summary" {
				t.Fatalf("xlsx: %v", err)
			}
			code, body = f.call(county, "GET", "/api/v1/gep/runs", "")
			if code != 200 || !strings.Contains(string(body), "测试市 2010 API") {
				t.Errorf("list: %d %s", code, body)
			}
			// Refused before a run starts: paths out of the data
			// directory, the server's own out, a missing price year.
			for _, c := range []struct{ config, want string }{
				{strings.Replace(config, "lulc: lulc.tif", "lulc: ../lulc.tif", 1), "须为数据目录内的路径"},
				{strings.Replace(config, "lulc: lulc.tif", "lulc: /etc/passwd", 1), "must be a path inside the data directory"},
				{config + "out: elsewhere\n", "the server chooses the output directory"},
				{strings.Replace(config, "year: 2010", "year: 2024", 1), "no price for 2024"},
				{strings.Replace(config, "ls: ls.tif", "ls: bio.csv", 1), "gep: geotiff: bio.csv"},
			} {
				if r := httptestPost(f, eco, c.config); r.code != 400 || !strings.Contains(r.body, c.want) {
					t.Errorf("%q: %d %s", c.want, r.code, r.body)
				}
			}
			// A code the biophysical table lacks: found while computing.
			bio := filepath.Join(f.gepData, "bio.csv")
			b, _ := os.ReadFile(bio)
			os.WriteFile(filepath.Join(f.gepData, "bio2.csv"), []byte(strings.Replace(string(b), "\n1,", "\n2,", 1)), 0o644)
			r = httptestPost(f, eco, strings.Replace(config, "bio.csv", "bio2.csv", 1))
			if r.code != 202 {
				t.Fatalf("start: %d %s", r.code, r.body)
			}
			for i := 0; v.Status != gep.Failed && i < 500; i++ {
				time.Sleep(10 * time.Millisecond)
				_, body := f.call(eco, "GET", r.location, "")
				v = gep.RunView{}
				json.Unmarshal(body, &v)
			}
			if v.Status != gep.Failed || !strings.Contains(v.Error, "gep: lulc.tif: land-cover code 1") || !strings.Contains(v.ErrorZh, "不在 bio2.csv 中") || v.Account != nil {
				t.Errorf("failed run %+v", v)
			}
		})
	}
}

type posted struct {
	code           int
	body, location string
}

// httptestPost posts a YAML config as p.
func httptestPost(f *fixture, p auth.Principal, config string) posted {
	r := httptest.NewRequest("POST", "/api/v1/gep/runs", strings.NewReader(config))
	r.Header.Set("Content-Type", "application/yaml")
	w := httptest.NewRecorder()
	f.s.mux().ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	return posted{w.Code, w.Body.String(), w.Header().Get("Location")}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
