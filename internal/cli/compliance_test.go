package cli_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/width"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
)

// user runs ecoind commands over one data directory, as the user wang.
type user struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newCLI(t *testing.T) *user {
	dir := t.TempDir()
	return &user{t: t, dir: dir, env: map[string]string{"ECOIND_DATA": filepath.Join(dir, "data"), "USER": "wang"}}
}

// ok runs a command that must succeed and returns its output.
func (c *user) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := run(c.t, c.env, args...)
	if code != 0 {
		c.t.Fatalf("ecoind %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs a command that must exit with code and returns its standard error.
func (c *user) fails(code int, args ...string) string {
	c.t.Helper()
	got, out, errOut := run(c.t, c.env, args...)
	if got != code {
		c.t.Fatalf("ecoind %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errOut)
	}
	return errOut
}

// json runs a command with --json and decodes its output into v.
func (c *user) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("ecoind %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (c *user) file(name, content string) string {
	c.t.Helper()
	return write(c.t, c.dir, name, content)
}

func (c *user) caseOf(id int64) compliance.Case {
	c.t.Helper()
	var k compliance.Case
	c.json(&k, "case", "show", strconv.FormatInt(id, 10))
	return k
}

// contains checks that out has each of wants, runs of spaces counting as one
// (tables pad their columns).
func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	spaces := regexp.MustCompile(` {2,}`)
	for _, w := range wants {
		if !strings.Contains(spaces.ReplaceAllString(out, " "), spaces.ReplaceAllString(w, " ")) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// cstDate is a CST date days from today, as the service reckons dates.
func cstDate(days int) string {
	return time.Now().In(cst.Zone).AddDate(0, 0, days).Format("2006-01-02")
}

// campaignOfTwo imports the two enterprises of app_test.go (neither with a
// licence, site or safety assessment: both 四无), creates a campaign over
// the whole registry and surveys it, and returns the cases of u1 and u2.
func campaignOfTwo(c *user) (int64, int64) {
	c.t.Helper()
	c.ok("import", "parks", c.file("parks.csv", parksCSV))
	c.ok("import", "enterprises", c.file("ents.csv", entsCSV()))
	created := c.ok("campaign", "create", c.file("campaign.json", `{"name": "莲都区、青田县“四无”企业整治", "lead_unit": "丽水市生态环境局",
		"start": "`+cstDate(-10)+`", "end": "`+cstDate(365)+`", "targets": {"survey_rate": 100, "disposal_rate": 90}, "rules": {"criteria": null}}`))
	contains(c.t, "campaign create", created, "campaign 1 created (version 1)")
	var page struct {
		Total int
		Items []compliance.Case
	}
	c.json(&page, "case", "list", "--campaign", "1")
	if page.Total != 0 {
		c.t.Fatalf("cases before the survey: %+v", page)
	}
	surveyed := c.ok("campaign", "survey", "1")
	contains(c.t, "survey", surveyed, "范围内 In scope 2", "新立案 Cases opened 2")
	c.json(&page, "case", "list", "--campaign", "1")
	if page.Total != 2 || page.Items[0].USCC != u1 || page.Items[1].USCC != u2 || page.Items[0].State != compliance.Surveyed {
		c.t.Fatalf("cases after the survey: %+v", page)
	}
	return page.Items[0].ID, page.Items[1].ID
}

// pngFile writes a small PNG, a photo as far as attachments care.
func pngFile(t *testing.T, dir string) string {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return write(t, dir, "断电现场.png", b.String())
}

// column is where sub starts in line, in terminal columns.
func column(t *testing.T, line, sub string) int {
	t.Helper()
	i := strings.Index(line, sub)
	if i < 0 {
		t.Fatalf("%q not in %q", sub, line)
	}
	n := 0
	for _, r := range line[:i] {
		if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
			n++
		}
		n++
	}
	return n
}

func TestScreenFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.ok("import", "parks", c.file("parks.csv", parksCSV))
	c.ok("import", "enterprises", c.file("ents.csv", entsCSV()))

	out := c.ok("screen", "--as-of", "2026-01-01")
	contains(t, "screen", out, "筛查批次 Screening run 1: 基准日 as of 2026-01-01", "by cli:wang", "筛查 Screened 2, 选出 selected 2",
		"无证无照 no valid business licence", u1, "丽水市甲合成革有限公司", "青田县", "2925")
	// The table is aligned on a terminal, where a Chinese character takes two columns.
	lines := strings.Split(out, "\n")
	var rows []string
	for _, l := range lines {
		if strings.HasPrefix(l, "统一社会信用代码") || strings.HasPrefix(l, u1) || strings.HasPrefix(l, u2) {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 || column(t, rows[0], "县区") != column(t, rows[1], "莲都区  2925") || column(t, rows[0], "县区") != column(t, rows[2], "青田县  3443") {
		t.Errorf("columns not aligned:\n%s", strings.Join(rows, "\n"))
	}

	var sanLuanWu struct {
		Run        compliance.Run
		Candidates []compliance.Candidate
	}
	c.json(&sanLuanWu, "screen", "--preset", "san_luan_wu")
	if sanLuanWu.Run.ID != 2 || len(sanLuanWu.Candidates) != 2 || !strings.Contains(strings.Join(sanLuanWu.Candidates[1].Criteria, ","), "san") {
		t.Fatalf("散乱污: %+v", sanLuanWu)
	}
	rules := c.file("rules.json", `{"criteria": ["no_licence"], "extra": [{"code": "valves", "name_zh": "阀门铸造", "name_en": "valve casting",
		"when": {"industry_prefixes": ["3443"]}}]}`)
	out = c.ok("screen", "--rules", rules)
	contains(t, "screen --rules", out, "筛查批次 Screening run 3", "阀门铸造 valve casting 1", "无证无照 no valid business licence; 阀门铸造 valve casting")

	out = c.ok("screen", "runs")
	contains(t, "screen runs", out, "批次", "Selected", "no_licence,valves", "no_licence,no_legal_site,no_safety,no_env_facility,san,luan")
	out = c.ok("screen", "show", "1")
	contains(t, "screen show", out, "依据 Evidence:", "未登记营业执照 / no business licence recorded", "未登记生产场所 / no production site recorded")

	var d compliance.Diff
	c.json(&d, "screen", "diff", "1", "3")
	if len(d.Added)+len(d.Removed) != 0 || len(d.Changed) != 2 || d.Changed[0].USCC != u1 {
		t.Fatalf("diff: %+v", d)
	}
	out = c.ok("screen", "diff", "1", "3")
	contains(t, "screen diff", out, "Run 1 → 3: 新增 added 0, 移出 removed 0, 变化 changed 2", "新增问题 不再符合",
		u2+" 青田县乙阀门有限公司 阀门铸造 valve casting 无合法场所 no legal production site; 无安全保障 no safety assurance")
	// The same criteria on other evidence: a licence recorded, but revoked.
	c.ok("import", "licences", c.file("licences.csv", "uscc,licence_no,issued,valid_to,status\n"+u1+",L-2020-001,2020-03-01,长期,revoked\n"))
	c.ok("screen", "--as-of", "2026-01-01")
	out = c.ok("screen", "diff", "1", "4")
	contains(t, "screen diff of evidence", out, "变化 changed 1", u1+" 丽水市甲合成革有限公司 依据变化 evidence changed -",
		"之前 before:\n    无证无照 no valid business licence [no_licence]\n      - 未登记营业执照 / no business licence recorded",
		"之后 after:\n    无证无照 no valid business licence [no_licence]\n      - 营业执照 L-2020-001 状态为 revoked / licence L-2020-001 is revoked")

	if errOut := c.fails(1, "screen", "show", "9"); !strings.Contains(errOut, "无筛查批次 9 / no screening run 9") {
		t.Errorf("missing run: %s", errOut)
	}
	errOut := c.fails(1, "screen", "--rules", c.file("bad-rules.json", `{"criteria": ["no_licence"], "extras": []}`))
	contains(t, "unknown field in rules", errOut, "bad-rules.json", `unknown field "extras"`)
	for _, args := range [][]string{{"screen", "--preset", "five_nos"}, {"screen", "--preset", "four_nos", "--rules", rules},
		{"screen", "--as-of", "2026-13-01"}, {"screen", "show"}, {"screen", "diff", "1"}, {"screen", "show", "x"}, {"screen", "rerun"}} {
		c.fails(2, args...)
	}
}

// TestRectificationFromTheCommandLine takes a closure from the survey to
// its follow-up visit: classify, 两断三清 with a photo, three acceptances,
// 销号, 回头看; and a stale version refused with nothing changed.
func TestRectificationFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	plant, valves := campaignOfTwo(c)
	id := strconv.FormatInt(plant, 10)

	out := c.ok("campaign", "list")
	contains(t, "campaign list", out, "莲都区、青田县“四无”企业整治", "丽水市生态环境局")
	out = c.ok("campaign", "show", "1")
	contains(t, "campaign show", out, "全部登记企业 the whole registry", "no_licence, no_legal_site, no_safety, no_env_facility", "创建 Created", "by cli:wang")

	out = c.ok("case", "dismiss", strconv.FormatInt(valves, 10), "--version", "1", "--body", `{"reason": "现场核查：证照齐全，已补办"}`)
	contains(t, "dismiss", out, "已排除（核查合规） dismissed as compliant", "版本 version 2")

	out = c.ok("case", "classify", id, "--version", "1", "--file", c.file("plan.json",
		`{"disposition": "close", "unit": "莲都区南明山街道", "person": "李四", "measures": "断水断电，清除原料、设备和产品", "deadline": "`+cstDate(30)+`"}`))
	contains(t, "classify", out, "案件 case "+id+": 整治中 under rectification, 关停取缔 close down (版本 version 2)")

	photo := c.ok("case", "attach", pngFile(t, c.dir))
	photo = strings.TrimSpace(photo)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(photo) {
		t.Fatalf("attach printed %q", photo)
	}
	var att compliance.Attachment
	c.json(&att, "case", "attach", pngFile(t, c.dir))
	if att.ID != photo || att.Type != "image/png" || att.Name != "断电现场.png" {
		t.Fatalf("the same photo again: %+v", att)
	}
	for i, step := range compliance.Steps {
		out = c.ok("case", "checklist", id, "--version", strconv.Itoa(2+i),
			"--body", `{"step": "`+string(step)+`", "date": "`+cstDate(0)+`", "attachments": ["`+photo+`"]}`)
	}
	contains(t, "checklist", out, "版本 version 7")
	if _, exported, _ := run(t, c.env, "export", "enterprises"); !strings.Contains(exported, u1+",丽水市甲合成革有限公司,331102,2925,above,closed,") {
		t.Errorf("the closure did not close the enterprise in the registry:\n%s", exported)
	}
	for level := 1; level <= 3; level++ {
		out = c.ok("case", "acceptances", id, "--version", strconv.Itoa(6+level), "--body",
			`{"level": `+strconv.Itoa(level)+`, "result": "pass", "date": "`+cstDate(0)+`", "inspector": "王五"}`)
	}
	contains(t, "accept", out, "验收通过 accepted", "版本 version 10")

	// A stale version is refused and changes nothing.
	var before struct{ Items []compliance.Event }
	c.json(&before, "case", "events", id)
	errOut := c.fails(1, "case", "close-out", id, "--version", "9", "--body", `{"date": "`+cstDate(0)+`", "document_no": "丽环销〔2026〕1号"}`)
	contains(t, "stale version", errOut, "案件 "+id+" 在您读取（版本 9）之后已被他人修改", "case "+id+" was changed by someone else since you read its version 9")
	var after struct{ Items []compliance.Event }
	c.json(&after, "case", "events", id)
	if k := c.caseOf(plant); k.Version != 10 || k.State != compliance.Accepted || k.CloseOut != nil || len(after.Items) != len(before.Items) {
		t.Fatalf("a refused close-out changed the case: version %d, %s, %d events (was %d)", k.Version, k.State, len(after.Items), len(before.Items))
	}

	out = c.ok("case", "close-out", id, "--version", "10", "--body", `{"date": "`+cstDate(0)+`", "document_no": "丽环销〔2026〕1号"}`)
	contains(t, "close-out", out, "已销号 closed out", "版本 version 11")
	var visited compliance.Case
	c.json(&visited, "case", "visits", id, "--version", "11", "--file", c.file("visit.json",
		`{"date": "`+cstDate(0)+`", "inspector": "赵六", "finding": "厂房空置，未见生产", "relapsed": false, "attachments": ["`+photo+`"]}`))
	if visited.State != compliance.ClosedOut || visited.Version != 12 || len(visited.Visits) != 1 {
		t.Fatalf("visit: %+v", visited.Summary)
	}

	out = c.ok("case", "show", id)
	contains(t, "case show", out, "已销号 closed out", "关停取缔 close down", "莲都区 331102", "2925 ", "无证无照 no valid business licence [no_licence]",
		"断电", "power cut", "1 份 attachments", "3 督察办核查 inspection office", "王五", "文号 document 丽环销〔2026〕1号", "厂房空置，未见生产")
	out = c.ok("case", "events", id)
	contains(t, "case events", out, "cli:wang", "立案 open", "记录两断三清 checklist", "验收中 under acceptance → 验收通过 accepted", "销号 close_out", "厂房空置，未见生产")
	out = c.ok("case", "list", "--county", "莲都", "--state", "closed_out")
	contains(t, "case list", out, u1, "已销号 closed out", "1 cases / 共 1 件")
	if strings.Contains(out, u2) {
		t.Errorf("case list --county 莲都 lists %s:\n%s", u2, out)
	}

	var st compliance.Stats
	c.json(&st, "campaign", "stats", "1")
	if st.Total.InScope != 2 || st.Total.Surveyed != 2 || st.Total.Dismissed != 1 || st.Total.Closed != 1 || st.Total.ClosedOut != 1 || st.Total.DisposalRate != 100 || !st.DisposalMet {
		t.Fatalf("stats: %+v", st.Total)
	}
	out = c.ok("campaign", "stats", "1")
	contains(t, "campaign stats", out, "处置率 disposal rate 100.0% (目标 target 90%, 达标 met)", "按县区 By county:", "331102 莲都区", "按行业 By industry:", "合计 Total", "月度进展 Timeline:")
	report := filepath.Join(c.dir, "report.xlsx")
	out = c.ok("campaign", "report", "1", "--out", report, "--unit", "莲都分局")
	contains(t, "campaign report", out, "wrote "+report)
	if b, err := os.ReadFile(report); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("report: %v", err)
	}

	// Updating a campaign takes the version read, as the API does.
	update := c.file("update.json", `{"name": "四无企业整治（延期）", "lead_unit": "丽水市生态环境局", "start": "`+cstDate(-10)+`", "end": "`+cstDate(400)+`", "version": 1}`)
	contains(t, "campaign update", c.ok("campaign", "update", "1", update), "campaign 1 updated (version 2)")
	contains(t, "stale campaign update", c.fails(1, "campaign", "update", "1", update), "整治行动 1 已被他人修改", "version 2; you read 1")
}

// TestRectificationBadInput: unknown fields, missing files, illegal
// transitions and command-line mistakes are refused, clearly, and change nothing.
func TestRectificationBadInput(t *testing.T) {
	c := newCLI(t)
	plant, _ := campaignOfTwo(c)
	id := strconv.FormatInt(plant, 10)
	plan := `{"disposition": "close", "unit": "南明山街道", "person": "李四", "measures": "关停", "deadline": "` + cstDate(30) + `"}`

	errOut := c.fails(1, "case", "classify", id, "--version", "1", "--body", `{"disposition": "close", "colour": "red"}`)
	contains(t, "unknown field in --body", errOut, "--body：须为一个字段符合文档的 JSON 对象", `--body: want one JSON object of the documented fields: json: unknown field "colour"`)
	bad := c.file("plan.json", `{"disposition": "close", "deadline": "2026-12-31", "responsible": "李四"}`)
	errOut = c.fails(1, "case", "classify", id, "--version", "1", "--file", bad)
	contains(t, "unknown field in --file", errOut, bad+": want one JSON object", `unknown field "responsible"`)
	missing := filepath.Join(c.dir, "no-such-plan.json")
	errOut = c.fails(1, "case", "classify", id, "--version", "1", "--file", missing)
	contains(t, "missing file", errOut, "无法读取文件 "+missing, "cannot read "+missing, "no such file")
	errOut = c.fails(1, "campaign", "create", c.file("c.json", `{"name": "x", "lead_unit": "y", "start": "2026-01-01", "end": "2026-12-31", "budget": 1}`))
	contains(t, "unknown field in a campaign", errOut, "c.json: want one JSON object", `unknown field "budget"`)

	// 销号 of a case only surveyed: the state machine refuses it.
	errOut = c.fails(1, "case", "close-out", id, "--version", "1", "--body", `{"date": "`+cstDate(0)+`"}`)
	contains(t, "illegal transition", errOut, "案件 "+id+" 当前状态为“已排查”，不能销号", "case "+id+" is surveyed: cannot close out (销号) (allowed only when accepted)")
	// Evidence is required: a checklist step without a photo.
	c.ok("case", "classify", id, "--version", "1", "--body", plan)
	errOut = c.fails(1, "case", "checklist", id, "--version", "2", "--body", `{"step": "power_cut", "date": "`+cstDate(0)+`", "attachments": []}`)
	contains(t, "no photo", errOut, "须附至少 1 份照片或文件作为佐证", "needs evidence")
	errOut = c.fails(1, "case", "attach", c.file("fake.png", "not a picture"))
	contains(t, "fake png", errOut, "claims to be image/png but its content is text/plain")
	if k := c.caseOf(plant); k.Version != 2 || k.State != compliance.Rectifying || len(k.Checklist) != 0 {
		t.Fatalf("refused steps changed the case: %+v", k.Summary)
	}
	c.fails(1, "case", "show", "99")

	for _, args := range [][]string{
		{"case"}, {"case", "frobnicate", id}, {"case", "show"}, {"case", "show", "abc"}, {"case", "show", id, "2"},
		{"case", "classify", id, "--body", plan},                                  // no --version
		{"case", "classify", id, "--version", "2"},                                // no body
		{"case", "classify", id, "--version", "2", "--body", plan, "--file", bad}, // both
		{"case", "classify", id, "--version", "2", "--body", `{"version": 2}`},    // version in the body
		{"case", "list", "--state", "finished"}, {"case", "list", "--disposition", "demolish"}, {"case", "list", "--county", "杭州"},
		{"case", "attach", c.file("scan.tiff", "II*")}, {"case", "attach"},
		{"campaign", "report", "1"}, {"campaign", "report", "1", "--out", "r.csv"}, {"campaign", "survey", "1", "--as-of", "yesterday"},
		{"campaign", "show", "0"}, {"campaign", "update", "1"},
	} {
		if errOut := c.fails(2, args...); errOut == "" {
			t.Errorf("%v: no message", args)
		}
	}
	contains(t, "help", c.fails(0, "case", "-h"), "ecoind case classify ID --version N (--body JSON | --file FILE.json)", "ecoind case attach FILE")
}

// TestREADMECaseSteps: the steps the README lists are the command line's
// (and, by the api package's test, the API's).
func TestREADMECaseSteps(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := regexp.MustCompile(`# steps: (.*)`).FindSubmatch(readme)
	if steps == nil {
		t.Fatal("README lists no case steps (# steps: …)")
	}
	for _, step := range strings.Split(string(steps[1]), ", ") {
		if code, _, errOut := run(t, nil, "case", step, "-h"); code != 0 {
			t.Errorf("README's case step %q: ecoind case %s -h exits %d\n%s", step, step, code, errOut)
		}
	}
}
