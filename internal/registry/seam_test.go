package registry_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store"
)

// output is a record of a kind declared outside the registry, as the
// enterprises' annual economic data will be: one enterprise's output in
// one year, kept in a table of its own.
type output struct {
	USCC   string
	Year   int
	Output float64 // 万元
	Note   string
}

var outputsTable = &registry.Table{Name: "test_outputs", Key: []string{"uscc", "year"}, Cols: []string{"uscc", "year", "output", "note"}}

var outputs = registry.NewKind("test_outputs", "工业总产值",
	[]registry.Field{
		{Name: "uscc", Zh: "统一社会信用代码", Required: true},
		{Name: "year", Zh: "年份", Required: true},
		{Name: "output", Zh: "工业总产值(万元)", Required: true},
		{Name: "note", Zh: "备注"},
	},
	registry.Def[output]{
		Parse: func(p *registry.Parser) output {
			return output{USCC: p.Enterprise("uscc"), Year: p.Int("year", 2000, 2100), Output: p.Float("output", 0, 1e9), Note: p.Text("note")}
		},
		Key:   func(o output) string { return o.USCC + "/" + strconv.Itoa(o.Year) },
		Owner: func(o output) string { return o.USCC },
		Values: func(o output) []string {
			return []string{o.USCC, strconv.Itoa(o.Year), strconv.FormatFloat(o.Output, 'f', -1, 64), o.Note}
		},
		Load: func(ctx context.Context, r registry.Reader, uscc string) ([]output, error) {
			var out []output
			err := r.ScanTable(ctx, outputsTable, uscc, func(scan func(...any) error) error {
				var o output
				err := scan(&o.USCC, &o.Year, &o.Output, &o.Note)
				out = append(out, o)
				return err
			})
			return out, err
		},
		Put: func(ctx context.Context, tx registry.Tx, o output) error {
			return tx.Put(ctx, outputsTable, []any{o.USCC, o.Year, o.Output, o.Note})
		},
	})

// TestForeignKind imports a kind declared here, outside the registry,
// through the registry's one write path, on both stores.
func TestForeignKind(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB, svc *registry.Service) {
		ctx := context.Background()
		err := db.Tx(ctx, func(c *store.Conn) error {
			_, err := c.ExecContext(ctx, `CREATE TABLE test_outputs (uscc TEXT NOT NULL REFERENCES enterprises (uscc),
				year INTEGER NOT NULL, output DOUBLE PRECISION NOT NULL, note TEXT NOT NULL, PRIMARY KEY (uscc, year))`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, svc, "parks", parks())
		mustImport(t, svc, "enterprises", enterprises())
		header := "统一社会信用代码,年份,工业总产值(万元),备注"
		file := func(lines ...string) *sheet.Table { return table("产值.csv", append([]string{header}, lines...)...) }

		_, err = svc.Import(ctx, outputs, file(u1+",2024,12500.5,", u1+",1999,NaN,", u1+",2024,1,", "914403001922038216,2024,1,"), auth.Command("test"), false)
		assertProblems(t, err, "产值.csv:3:年份: 1999 超出范围", "产值.csv:3:工业总产值(万元): \"NaN\" 不是有限数值",
			"产值.csv:4:统一社会信用代码: 工业总产值 "+u1+"/2024 与第2行重复", "产值.csv:5:统一社会信用代码: 登记库中无统一社会信用代码为 914403001922038216 的企业")

		good := file(u1+",2024,12500.5,", u1+",2023,11000,快报数", u2+",2024,3400,")
		if res, err := svc.Import(ctx, outputs, good, auth.Command("test"), true); err != nil || res.Created != 3 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if rows, err := svc.Rows(ctx, sys, outputs, false); err != nil || len(rows) != 0 {
			t.Fatalf("the dry run wrote %v %v", rows, err)
		}
		if res, err := svc.Import(ctx, outputs, good, auth.Command("test"), false); err != nil || res.Created != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err := svc.Import(ctx, outputs, file(u1+",2024,12500.5,", u1+",2023,11200,年报数"), auth.Command("test"), false)
		if err != nil || res.Unchanged != 1 || res.Updated != 1 {
			t.Fatalf("again: %+v %v", res, err)
		}
		rows, err := svc.Rows(ctx, sys, outputs, false)
		if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != u1+",2023,11200,年报数" {
			t.Fatalf("rows %q %v", rows, err)
		}
		h, err := svc.History(ctx, sys, u1)
		var kinds []string
		for _, c := range h {
			kinds = append(kinds, c.Kind+":"+c.Op)
		}
		if err != nil || strings.Join(kinds, " ") != "enterprises:create test_outputs:create test_outputs:create test_outputs:update" ||
			h[3].Fields["output"] != (registry.FieldChange{From: "11000", To: "11200"}) {
			t.Fatalf("history %v %v", kinds, err)
		}
		if _, err := svc.Save(ctx, outputs, u2+"/2024", map[string]string{"output": "Inf"}, auth.Principal{Kind: auth.API, Name: "test"}); !errors.As(err, new(*registry.InvalidError)) {
			t.Fatalf("save: %v", err)
		}
	})
}
