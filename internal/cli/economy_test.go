package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/cst"

	"github.com/xuri/excelize/v2"
)

// TestEvaluateCommands: the annual data through `import annual`, a bad
// method refused by `method check` with its places, and `evaluate` with
// a preset and the XLSX of its classes.
func TestEvaluateCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ECOIND_DATA": filepath.Join(dir, "data"), "USER": "alice"}
	if code, _, errOut := run(t, env, "import", "parks", write(t, dir, "parks.csv", parksCSV)); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, env, "import", "enterprises", write(t, dir, "ents.csv", entsCSV())); code != 0 {
		t.Fatal(errOut)
	}
	annual := "统一社会信用代码,年度,评价税收（万元）,工业增加值,用地面积,用电量,数据来源\n" + u1 + ",2024,120,900,10,800000,税务\n"
	code, out, errOut := run(t, env, "import", "annual", write(t, dir, "annual.csv", annual))
	if code != 0 || !strings.Contains(out, "annual: 1 rows imported: 1 created") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}

	bad := "name: bad\ngroups:\n  above:\n    indicators:\n      - {id: tax_per_mu, weight: 50, benchmark: 10}\n      - {id: va_per_acre, weight: 40, benchmark: 10}\n" +
		"bands:\n  by: percentile\n  classes:\n    - {class: A, from: 0, to: 30}\n    - {class: B, from: 20, to: 100}\n"
	code, _, errOut = run(t, env, "method", "check", write(t, dir, "bad.yaml", bad))
	for _, want := range []string{"第6行 line 6, groups.above.indicators[1]: 未知指标 \"va_per_acre\"", "groups.above: 规上组权重合计为 90，应为 100",
		"bands.classes (B): 起点 20 与前一等级重叠（前一等级止于 30）"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("method check: %d %s\nwant %s", code, errOut, want)
		}
	}
	if code, out, errOut := run(t, env, "method", "check", "yueqing-2016"); code != 0 || !strings.Contains(out, "无误") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}

	xlsx := filepath.Join(dir, "r.xlsx")
	code, out, errOut = run(t, env, "evaluate", "--county", "331102", "--year", "2024", "--method", "lishui-default", "--out", xlsx)
	if code != 0 || !strings.Contains(out, "lishui-default  1") || !strings.Contains(out, "A 优先发展类  1") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	f, err := os.Open(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := excelize.OpenReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("A 类")
	if err != nil || len(rows) != 2 || rows[1][0] != u1 || !strings.Contains(strings.Join(rows[1], " "), "拉低得分的指标：单位能耗增加值无数据（分母为 0 或缺失）") {
		t.Fatalf("sheet A: %q %v (sheets %v)", rows, err, x.GetSheetList())
	}
	if code, _, errOut := run(t, env, "evaluate", "--county", "331102", "--year", "2024", "--method", "huangyan-2022"); code != 1 ||
		!strings.Contains(errOut, "评价办法 huangyan-2022 适用于 2022 年度，不适用于 2024 年度") {
		t.Fatalf("%d %s", code, errOut)
	}

	// The public notice (decision 0028): on notice for a week from today,
	// not approved before it ends; a re-run takes run 1's place; the
	// history shows both runs' steps.
	today := time.Now().In(cst.Zone)
	code, out, errOut = run(t, env, "evaluation", "notice", "1", "--from", today.Format(time.DateOnly), "--to", today.AddDate(0, 0, 6).Format(time.DateOnly))
	if code != 0 || !strings.Contains(out, "评价 1：公示中 / run 1: notice") {
		t.Fatalf("notice: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, env, "evaluation", "approve", "1", "--document", "常务会议"); code != 1 || !strings.Contains(errOut, "期满后方可审定") {
		t.Fatalf("approve on notice: %d %s", code, errOut)
	}
	if code, out, errOut := run(t, env, "evaluation", "rerun", "1"); code != 0 || !strings.Contains(out, "评价 2 取代 1 / run 2 supersedes 1") {
		t.Fatalf("rerun: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "evaluation", "history", "2")
	if code != 0 || !strings.Contains(out, "rerun") || !strings.Contains(out, "notice → superseded") || !strings.Contains(out, "cli:alice") {
		t.Fatalf("history: %d %s %s", code, out, errOut)
	}
	lists := filepath.Join(dir, "lists.xlsx")
	if code, out, errOut := run(t, env, "evaluation", "policies", "2", "--out", lists); code != 0 || !strings.Contains(out, "税务 土地使用税减免 tax relief") {
		t.Fatalf("policies: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(lists); err != nil {
		t.Fatal(err)
	}
}
