package api_test

import (
	"mime"
	"strings"
	"testing"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/storetest"
)

const csvType = "text/csv; charset=utf-8"

func TestImport(t *testing.T) {
	e := newEnv(t)
	e.must(t, 201, "POST", "/api/v1/parks", park, nil)
	u1, u2 := storetest.USCC("331102", 1), storetest.USCC("331121", 2)
	header := "统一社会信用代码,企业名称,所属县区,行业代码,企业规模,经营状态\n"
	good := header + u1 + ",甲合成革有限公司,莲都区,2925,规上,在产\n" + u2 + ",乙阀门有限公司,青田县,3443,规下,在产\n"
	bad := strings.Replace(good, u2, u2[:17]+"0", 1)
	if bad == good {
		bad = strings.Replace(good, u2, u2[:17]+"1", 1)
	}
	total := func(t *testing.T) int {
		var p struct{ Total int }
		e.must(t, 200, "GET", "/api/v1/enterprises", nil, &p)
		return p.Total
	}

	t.Run("a bad row writes nothing", func(t *testing.T) {
		var got apiError
		e.must(t, 422, "POST", "/api/v1/import/enterprises?format=csv&name=企业.csv", bad, &got)
		if p := got.Error.Problems; len(p) != 1 || p[0].File != "企业.csv" || p[0].Row != 3 || p[0].Column != "统一社会信用代码" || p[0].MessageZh == "" {
			t.Fatalf("problems %+v, want 企业.csv:3:统一社会信用代码", p)
		}
		if n := total(t); n != 0 {
			t.Fatalf("%d enterprises written", n)
		}
	})
	t.Run("file name defaults to upload", func(t *testing.T) {
		var got apiError
		e.must(t, 422, "POST", "/api/v1/import/enterprises", bad, &got, "Content-Type", csvType)
		if p := got.Error.Problems; len(p) != 1 || p[0].File != "upload" {
			t.Fatalf("problems %+v", p)
		}
	})
	t.Run("dry run writes nothing", func(t *testing.T) {
		var r registry.Result
		e.must(t, 200, "POST", "/api/v1/import/enterprises?dry_run=1", good, &r, "Content-Type", csvType)
		if r != (registry.Result{Kind: "enterprises", Rows: 2, Created: 2, DryRun: true}) {
			t.Fatalf("result %+v", r)
		}
		if n := total(t); n != 0 {
			t.Fatalf("%d enterprises written", n)
		}
	})
	t.Run("good file", func(t *testing.T) {
		var r registry.Result
		e.must(t, 200, "POST", "/api/v1/import/enterprises", good, &r, append(e.as(t, officer("bob")), "Content-Type", csvType)...)
		if r != (registry.Result{Kind: "enterprises", Rows: 2, Created: 2}) {
			t.Fatalf("result %+v", r)
		}
		if n := total(t); n != 2 {
			t.Fatalf("%d enterprises, want 2", n)
		}
		var h struct{ Items []registry.Change }
		e.must(t, 200, "GET", "/api/v1/enterprises/"+u2+"/history", nil, &h)
		if len(h.Items) != 1 || h.Items[0].Actor != "token:bob/test" {
			t.Fatalf("history %+v", h.Items)
		}
		e.must(t, 200, "POST", "/api/v1/import/enterprises?format=csv", good, &r)
		if r.Unchanged != 2 || r.Created+r.Updated != 0 {
			t.Fatalf("again: %+v", r)
		}
	})
	for _, tc := range []struct {
		name, path, body string
		header           []string
		status           int
	}{
		{"no format", "/api/v1/import/enterprises", good, nil, 400},
		{"unknown format", "/api/v1/import/enterprises?format=xls", good, nil, 400},
		{"not a workbook", "/api/v1/import/enterprises?format=xlsx", good, nil, 400},
		{"empty file", "/api/v1/import/enterprises?format=csv", "", nil, 400},
		{"bad dry_run", "/api/v1/import/enterprises?format=csv&dry_run=maybe", good, nil, 400},
		{"unknown kind", "/api/v1/import/widgets?format=csv", good, nil, 404},
		{"missing column", "/api/v1/import/enterprises?format=csv", "uscc,name\n" + u1 + ",甲\n", nil, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got apiError
			e.must(t, tc.status, "POST", tc.path, tc.body, &got, tc.header...)
			if got.Error.Code == "" || got.Error.MessageZh == "" {
				t.Fatalf("error %+v", got.Error)
			}
		})
	}
}

// TestExportReimport exports every kind and imports the files again:
// nothing may change.
func TestExportReimport(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	permitNo := usccA + "001P"
	for _, r := range []struct {
		kind string
		body obj
	}{
		{"licences", obj{"uscc": usccA, "licence_no": "LN-001", "issued": "2016/5/1", "valid_to": "长期", "status": "有效"}},
		{"sites", obj{"uscc": usccA, "land_status": "legal", "certificate_no": "浙(2018)丽水市不动产权第0001234号"}},
		{"safety", obj{"uscc": usccA, "assessed_on": "2024-06-01", "result": "pass", "valid_to": "2027-05-31"}},
		// No logger password here: export masks it, so re-importing the file
		// would change it (see TestOutletPasswordNeverReturned).
		{"outlets", obj{"uscc": usccA, "outlet_code": "DA001", "kind": "air", "name": "涂层废气排放口", "height_m": 25, "lon": 119.871, "lat": 28.421}},
		{"outlets", obj{"uscc": usccA, "outlet_code": "DW001", "kind": "water", "name": "废水总排口"}},
		{"facilities", obj{"uscc": usccA, "facility_code": "TA001", "kind": "RTO焚烧", "outlet_code": "DA001", "in_service": true, "installed": "2019-08-01"}},
		{"permits", obj{"permit_no": permitNo, "uscc": usccA, "class": "key", "valid_from": "2021-01-01", "valid_to": "2025-12-31",
			"outlet_code": "DA001", "pollutant_code": "a24088", "limit_concentration": 60, "limit_unit": "mg/m3", "annual_quantity_t": 12.5}},
		{"annual", obj{"uscc": usccA, "year": 2024, "tax": 120.5, "value_added": 800, "electricity_kwh": 1.5e6, "employees": 40, "land_mu": 12, "source": "统计"}},
	} {
		e.must(t, 201, "POST", "/api/v1/"+r.kind, r.body, nil)
	}
	// A key with slashes reaches its record.
	var l registry.PermitLimit
	e.must(t, 200, "PATCH", "/api/v1/permits/"+permitNo+"/DA001/a24088", obj{"limit_concentration": 50}, &l, e.as(t, officer("carol"))...)
	if l.LimitConcentration != 50 || l.AnnualQuantityT != 12.5 {
		t.Fatalf("patched permit %+v", l)
	}

	for _, k := range registry.Kinds {
		for _, format := range []string{"csv", "xlsx"} {
			t.Run(k.Name+"."+format, func(t *testing.T) {
				status, h, file := e.call(t, "GET", "/api/v1/export/"+k.Name+"?format="+format, "")
				_, params, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
				if status != 200 || params["filename"] != k.Name+"."+format {
					t.Fatalf("export: %d %v %s", status, h, file)
				}
				var r registry.Result
				e.must(t, 200, "POST", "/api/v1/import/"+k.Name, string(file), &r, "Content-Type", h.Get("Content-Type"))
				if r.Rows == 0 || r.Unchanged != r.Rows {
					t.Fatalf("re-import: %+v, want every row unchanged", r)
				}
			})
		}
	}
}
