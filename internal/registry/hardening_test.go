package registry_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
)

// eachStore runs test on a new SQLite store and a new PostgreSQL one.
func eachStore(t *testing.T, test func(t *testing.T, db *store.DB, svc *registry.Service)) {
	for _, st := range []struct {
		name string
		open func(t *testing.T) (*store.DB, error)
	}{
		{"sqlite", func(t *testing.T) (*store.DB, error) {
			return sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		}},
		{"postgres", func(t *testing.T) (*store.DB, error) {
			return postgres.Open(context.Background(), pgtest.URL(t), 0)
		}},
	} {
		t.Run(st.name, func(t *testing.T) {
			db, err := st.open(t)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			test(t, db, registry.NewService(db))
		})
	}
}

// TestDryRunAgreesWithImport imports files whose numbers are not finite
// (which SQLite stores as NULL and PostgreSQL as NaN) or whose text holds
// control characters: the dry run must refuse what the import refuses,
// with the same problems, naming the field.
func TestDryRunAgreesWithImport(t *testing.T) {
	outletHeader := "uscc,outlet_code,kind,name,lon,lat,height_m,mn,pw"
	entHeader := "uscc,name,county,industry_code,size,status,address,lon,lat,land_mu"
	for _, tc := range []struct {
		name, kind string
		file       *sheet.Table
		want       string // the first problem's prefix; "" for a good file
	}{
		{"good", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,,120.29,28.14,12"), ""},
		{"NaN lon", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,,NaN,28.14,"), "e.csv:2:lon: \"NaN\" 不是有限数值"},
		{"NaN lat", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,,120.29,nan,"), "e.csv:2:lat: \"nan\" 不是有限数值"},
		{"NaN land_mu", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,,,,NaN"), "e.csv:2:land_mu: \"NaN\" 不是有限数值"},
		{"Inf land_mu", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,,,,+Inf"), "e.csv:2:land_mu: \"+Inf\" 不是有限数值"},
		{"NaN height_m", "outlets", table("o.csv", outletHeader, u1+",DA009,air,废气,,,NaN,,"), "o.csv:2:height_m: \"NaN\" 不是有限数值"},
		{"Infinity height_m", "outlets", table("o.csv", outletHeader, u1+",DA009,air,废气,,,-Infinity,,"), "o.csv:2:height_m: \"-Infinity\" 不是有限数值"},
		{"newline in name", "enterprises", table("e.csv", entHeader, u2+",乙\n阀门,青田,3443,below,operating,,,,"), "e.csv:2:name: 第2个字符 U+000A 是控制字符"},
		{"C1 in address", "enterprises", table("e.csv", entHeader, u2+",乙,青田,3443,below,operating,丽水\u0085路,,,"), "e.csv:2:address: 第3个字符 U+0085 是控制字符"},
		{"line separator in name", "outlets", table("o.csv", outletHeader, u1+",DA009,water,废\u2028水,,,,,"), "o.csv:2:name: 第2个字符 U+2028 是控制字符"},
		{"NUL in code", "outlets", table("o.csv", outletHeader, u1+",DA\x00,water,废水,,,,,"), "o.csv:2:outlet_code: 第3个字符 U+0000 是控制字符"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, _ *store.DB, svc *registry.Service) {
				mustImport(t, svc, "parks", parks())
				mustImport(t, svc, "enterprises", table("e.csv", entHeader, u1+",甲,莲都,2925,above,operating,,,,"))
				k := kindOf(t, tc.kind)
				dry, dryErr := svc.Import(context.Background(), k, tc.file, auth.Command("test"), true)
				res, err := svc.Import(context.Background(), k, tc.file, auth.Command("test"), false)
				dry.DryRun = false
				if dry != res || !reflect.DeepEqual(dryErr, err) {
					t.Fatalf("dry run %+v %v\nimport  %+v %v", dry, dryErr, res, err)
				}
				if tc.want == "" {
					if err != nil || res.Created != 1 {
						t.Fatalf("%+v %v", res, err)
					}
					return
				}
				invalid, ok := errors.AsType[*registry.InvalidError](err)
				if !ok || !strings.HasPrefix(invalid.Problems[0].String(), tc.want) || invalid.Problems[0].En == "" {
					t.Fatalf("got %v, want %s", err, tc.want)
				}
			})
		})
	}
}

// TestSaveRefusesNonFiniteAndControls sends the API's path (Save) the same
// values an import refuses.
func TestSaveRefusesNonFiniteAndControls(t *testing.T) {
	svc := newService(t)
	mustImport(t, svc, "parks", parks())
	ent := map[string]string{"uscc": u1, "name": "甲", "county": "莲都", "industry_code": "2925", "size": "above", "status": "operating"}
	for field, v := range map[string]string{"lon": "NaN", "land_mu": "Inf", "name": "甲\t乙", "address": "路\u2029口"} {
		fs := map[string]string{field: v}
		for f, v := range ent {
			if f != field {
				fs[f] = v
			}
		}
		_, err := svc.Save(context.Background(), kindOf(t, "enterprises"), "", fs, auth.Principal{Kind: auth.API, Name: "test"})
		if invalid, ok := errors.AsType[*registry.InvalidError](err); !ok || invalid.Problems[0].Column != field {
			t.Errorf("%s=%q: got %v, want a problem in %s", field, v, err, field)
		}
	}
}

func TestParseCircleRefusesNonFinite(t *testing.T) {
	for _, s := range []string{"NaN,28.4,1000", "119.9,NaN,1000", "119.9,28.4,NaN", "Inf,28.4,1000", "119.9,28.4,+Inf"} {
		if _, err := registry.ParseCircle(s); err == nil || !strings.Contains(err.Error(), "near") {
			t.Errorf("%s: got %v, want an error naming near", s, err)
		}
	}
}

// TestImportProblemsCapped streams a file of 1,500 bad rows, each with
// two problems and every one after the first repeating its key: the first
// 1,000 problems are listed, in row order, and all 4,499 counted.
func TestImportProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("uscc,name,county,industry_code,size,status\n")
	for range 1500 {
		b.WriteString("x,甲,莲都,2925,huge,operating\n")
	}
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	eachStore(t, func(t *testing.T, _ *store.DB, svc *registry.Service) {
		rows, err := sheet.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		res, err := svc.ImportRows(context.Background(), kindOf(t, "enterprises"), rows, auth.Command("test"), false)
		invalid, ok := errors.AsType[*registry.InvalidError](err)
		if !ok || res.Rows != 1500 || invalid.Total != 4499 || len(invalid.Problems) != registry.MaxProblems {
			t.Fatalf("%+v %T", res, err)
		}
		// Row 2 has two problems, rows 3 to 334 three each, and row 335 the
		// rest: its USCC and its size.
		if p := invalid.Problems; !strings.HasPrefix(p[0].String(), path+":2:uscc: ") || !strings.HasPrefix(p[999].String(), path+":335:size: ") {
			t.Fatalf("first %v, last %v", p[0], p[999])
		}
		en, zh := invalid.Summary()
		if en != "1,000 of 4,499 problems shown; nothing was written" || zh != "共 4,499 处问题，显示前 1,000 处；未写入任何数据" ||
			!strings.HasSuffix(err.Error(), "\n"+zh+" / "+en) {
			t.Fatalf("summary %q %q", en, zh)
		}
	})
}
