package economy_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

func eachStore(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "e.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
}

func csv(file string, lines ...string) *sheet.Table {
	t := &sheet.Table{File: file, Header: strings.Split(lines[0], ",")}
	for i, l := range lines[1:] {
		t.Rows = append(t.Rows, sheet.Row{Num: i + 2, Cells: strings.Split(l, ",")})
	}
	return t
}

var (
	sys     = auth.Command("test")
	econ    = auth.Principal{Kind: auth.User, Name: "econ", Role: auth.City, Bureau: auth.Economy}
	ecology = auth.Principal{Kind: auth.User, Name: "eco", Role: auth.City, Bureau: auth.Ecology}
)

// TestImportAndEvaluate imports annual data through the registry's one
// write path (Chinese headers, a revision, an unknown USCC refused) and
// evaluates the county's year, land taken from the registry where the
// year's data gives none.
func TestImportAndEvaluate(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		u1, u2, u3 := storetest.USCC("331102", 1), storetest.USCC("331102", 2), storetest.USCC("331121", 3)
		ents := csv("企业.csv", "uscc,name,county,industry_code,size,status,land_mu",
			u1+",甲,331102,3443,below,operating,10", u2+",乙,331102,3443,below,operating,10", u3+",丙,331121,3443,below,operating,10")
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, ents, sys, false); err != nil {
			t.Fatal(err)
		}
		header := "统一社会信用代码,年度,评价税收(万元),用电量,用地面积,数据来源"
		unknown := storetest.USCC("331102", 9)
		_, err := reg.Import(ctx, economy.AnnualKind, csv("亩均.csv", header, u1+",2024,100,,,税务", unknown+",2024,1,,,税务", u2+",2024,1,,,海关"), econ, false)
		var inv *registry.InvalidError
		if !errors.As(err, &inv) || inv.Total != 2 || !strings.Contains(inv.Problems[0].String(), "登记库中无统一社会信用代码为 "+unknown) ||
			!strings.Contains(inv.Problems[1].String(), "\"海关\" 不是有效来源") {
			t.Fatalf("want two problems, got %v", err)
		}
		if _, err := reg.Import(ctx, economy.AnnualKind, csv("亩均.csv", header, u1+",2024,100,,,税务"), ecology, false); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Fatalf("the ecology bureau imports annual data: %v", err)
		}
		good := csv("亩均.csv", header, u1+",2024,100,,,税务", u2+",2024,10,,,税务", u3+",2024,50,,,税务")
		if res, err := reg.Import(ctx, economy.AnnualKind, good, econ, false); err != nil || res.Created != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		// A revision: 乙's tax corrected, its land now 5 mu.
		if res, err := reg.Import(ctx, economy.AnnualKind, csv("更正.csv", header, u2+",2024,10,,5,统计"), econ, false); err != nil || res.Updated != 1 {
			t.Fatalf("revision: %+v %v", res, err)
		}
		h, err := reg.History(ctx, sys, u2)
		if err != nil || len(h) != 3 || h[2].Kind != "annual" || h[2].Op != "update" || h[2].Fields["land_mu"] != (registry.FieldChange{From: "", To: "5"}) {
			t.Fatalf("history %+v %v", h, err)
		}

		svc := economy.NewService(db)
		m, text, err := economy.Preset("yueqing-2016")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Evaluate(ctx, ecology, "331102", 2024, m, string(text)); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Fatalf("the ecology bureau evaluates: %v", err)
		}
		// 甲 100/10 = 10 per mu, 乙 10/5 = 2; mean 110/15: 甲 100×10/7.33 → cap 150, 乙 100×2/7.33.
		run, _, err := svc.Evaluate(ctx, econ, "331102", 2024, m, string(text))
		if err != nil || run.Evaluated != 2 || run.Classes["A"] != 1 || run.Classes["B"] != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		got, rs, err := svc.Results(ctx, sys, run.ID, "B", "")
		want := 100 * 2 / (110.0 / 15)
		if err != nil || got.ID != run.ID || len(rs) != 1 || rs[0].USCC != u2 || fmt.Sprintf("%.9f", rs[0].Score) != fmt.Sprintf("%.9f", want) {
			t.Fatalf("results %+v %+v %v", got, rs, err)
		}
		countyB := auth.Principal{Kind: auth.User, Name: "b", Role: auth.County, Bureau: auth.Economy, Scope: auth.Scope{County: "331121"}}
		if _, _, err := svc.Results(ctx, countyB, run.ID, "", ""); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Fatalf("another county's officer reads the run: %v", err)
		}
		if _, _, err := svc.Results(ctx, sys, run.ID+1, "", ""); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Fatalf("no such run: %v", err)
		}
		if time.Since(got.At) > time.Minute || got.Method != "yueqing-2016" {
			t.Fatalf("run %+v", got)
		}
	})
}
