package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"ecoindustry/internal/app"
	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/config"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
)

// The rectification on the command line: `ecoind screen`, `ecoind
// campaign` and `ecoind case`, over the same compliance.Service as the
// API. Files and --body take the API's JSON bodies, strictly; --json
// prints the API's JSON; otherwise tables for officials, Chinese with the
// English beside.

// subcommand is one verb of a command with several (campaign list, case show...).
type subcommand struct {
	name, args, usage string
	run               func(ctx context.Context, e *env, args []string) error
}

// dispatch runs the subcommand args[0] of command cmd.
func dispatch(ctx context.Context, e *env, cmd string, subs []subcommand, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "Usage:\n")
		for _, s := range subs {
			fmt.Fprintf(e.stderr, "  ecoind %s %s %s\n        %s\n", cmd, s.name, s.args, s.usage)
		}
		fmt.Fprintf(e.stderr, "\nRun 'ecoind %s COMMAND -h' for a command's flags.\n", cmd)
		if len(args) == 0 {
			return fmt.Errorf("%w: want a %s command", errUsage, cmd)
		}
		return flag.ErrHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:])
		}
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	return fmt.Errorf("%w: unknown %s command %q (one of %s)", errUsage, cmd, args[0], strings.Join(names, ", "))
}

// cliActor is the person at the command line.
func cliActor(e *env) auth.Principal { return auth.Command(config.User(e.getenv)) }

// asOfFlag is a date flag checked as a usage error before anything opens.
func asOfFlag(fs *flag.FlagSet, usage string) *string {
	return fs.String("as-of", "", usage+", YYYY-MM-DD (default today, China Standard Time)")
}

func checkAsOf(v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return fmt.Errorf("%w: --as-of %q: want a date YYYY-MM-DD", errUsage, v)
	}
	return nil
}

// readFile reads file, "-" standard input, as an error officials can read.
func readFile(e *env, file string) ([]byte, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(e.stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "cannot read " + file, Zh: "无法读取文件 " + file, Err: err}
	}
	return b, nil
}

// readJSON decodes the JSON object in file ("-": standard input) into v.
func readJSON(e *env, file string, v any) error {
	b, err := readFile(e, file)
	if err != nil {
		return err
	}
	return apperr.DecodeJSON(file, b, v)
}

// jsonDone ends a command that failed or was asked for JSON: it reports
// err, or prints v as JSON. It is not done when the caller is to print a
// table of v.
func jsonDone(w io.Writer, asJSON bool, v any, err error) (bool, error) {
	if err != nil || !asJSON {
		return err != nil, err
	}
	return true, printJSON(w, v)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// items is the API's shape of a list.
type items[T any] struct {
	Items []T `json:"items"`
}

func listOf[T any](s []T) items[T] {
	if s == nil {
		s = []T{}
	}
	return items[T]{s}
}

// table is rows of cells written in aligned columns, two spaces apart.
// text/tabwriter counts a Chinese character as one column where a terminal
// shows two, so the widths here are display widths.
type table [][]string

func (t *table) add(cells ...string) { *t = append(*t, cells) }

// head adds a header of two rows: the Chinese names, the English beneath.
func (t *table) head(cols ...[2]string) {
	zh, en := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		zh[i], en[i] = c[0], c[1]
	}
	t.add(zh...)
	t.add(en...)
}

func (t table) write(w io.Writer) error {
	var widths []int
	for _, r := range t {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is the columns s takes on a terminal: East Asian wide and
// fullwidth characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cstTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(cst.Zone).Format("2006-01-02 15:04")
}

func stateName(s compliance.State) string {
	if s == "" {
		return "-"
	}
	return s.Zh() + " " + s.En()
}

func dispositionName(d compliance.Disposition) string {
	if d == "" {
		return "-"
	}
	return d.Zh() + " " + d.En()
}

func industryName(code string) string {
	if name, ok := registry.IndustryName(code); ok {
		return code + " " + strings.TrimSpace(name)
	}
	return dash(code)
}

// unitNames names the registry's administrative units by code.
func unitNames(ctx context.Context, db *store.DB) (map[string]string, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(units))
	for _, u := range units {
		m[u.Code] = u.Name
	}
	return m, nil
}

func unitName(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return dash(code)
}

// findingNames are a candidate's or case's criteria, Chinese with English beside.
func findingNames(fs []compliance.Finding) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.NameZh + " " + f.NameEn
		if f.NameZh == "" {
			s[i] = f.Code
		}
	}
	return strings.Join(s, "; ")
}

// writeFindings writes findings with their evidence explained.
func writeFindings(w io.Writer, indent string, fs []compliance.Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "%s%s %s [%s]\n", indent, f.NameZh, f.NameEn, f.Code)
		for _, x := range f.Evidence {
			en, zh := x.Explain()
			key := ""
			if x.Key != "" {
				key = " (" + x.Kind + " " + x.Key + ")"
			}
			fmt.Fprintf(w, "%s  - %s / %s%s\n", indent, zh, en, key)
		}
	}
}

// ——— ecoind screen ———

var screenSubs = []subcommand{
	{"runs", "[--json]", "list the screening runs, newest first", screenRuns},
	{"show", "ID [--json]", "a screening run with its candidates and their evidence", screenShow},
	{"diff", "A B [--json]", "what changed from run A to run B: added, removed, changed", screenDiff},
}

// runScreen is `ecoind screen`: without a subcommand it screens the
// registry and keeps the run; runs, show and diff look at kept runs.
func runScreen(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return dispatch(ctx, e, "screen", screenSubs, args)
	}
	cm := newCmd(e, "screen", "", storeFlags...)
	preset := cm.fs.String("preset", "four_nos", "built-in rules: four_nos (四无) or san_luan_wu (散乱污)")
	rulesFile := cm.fs.String("rules", "", "a JSON rule set instead of a preset: {\"criteria\": [...], \"extra\": [rules]}")
	asOf := asOfFlag(cm.fs, "the date licences and assessments are judged valid at")
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	if err := checkAsOf(*asOf); err != nil {
		return err
	}
	var rules compliance.RuleSet
	switch {
	case *rulesFile != "":
		if given(cm.fs, "preset") {
			return fmt.Errorf("%w: give --preset or --rules, not both", errUsage)
		}
		if err := readJSON(e, *rulesFile, &rules); err != nil {
			return err
		}
	case *preset == "four_nos":
		rules = compliance.RuleSet{Criteria: compliance.FourNos}
	case *preset == "san_luan_wu":
		rules = compliance.SanLuanWu()
	default:
		return fmt.Errorf("%w: --preset %q: want four_nos or san_luan_wu", errUsage, *preset)
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	run, err := a.Compliance.Screen(ctx, rules, *asOf, cliActor(e))
	if err != nil {
		return err
	}
	return showRun(ctx, e, a, run.ID, *cm.json, false)
}

// given reports whether flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runBody is the API's shape of a run with its candidates.
type runBody struct {
	Run        compliance.Run         `json:"run"`
	Candidates []compliance.Candidate `json:"candidates"`
}

// showRun prints run id: its counts and a table of its candidates, with
// their evidence if evidence.
func showRun(ctx context.Context, e *env, a *app.App, id int64, asJSON, evidence bool) error {
	run, cands, err := a.Compliance.Run(ctx, cliActor(e), id)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, runBody{run, listOf(cands).Items})
	}
	names, err := unitNames(ctx, a.DB)
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "筛查批次 Screening run %d: 基准日 as of %s, %s, by %s\n", run.ID, run.AsOf, cstTime(run.At), run.Actor)
	if run.Campaign != 0 {
		fmt.Fprintf(w, "整治行动 Campaign %d (survey)\n", run.Campaign)
	}
	fmt.Fprintf(w, "筛查 Screened %d, 选出 selected %d\n", run.Screened, run.Selected)
	// Criteria are named by their findings: the names of one that fired
	// for no one are not at hand, its code is.
	var counts table
	var none []string
	for _, code := range ruleCodes(run.Rules) {
		n, name := 0, ""
		for _, c := range cands {
			for _, f := range c.Findings {
				if f.Code == code {
					n, name = n+1, f.NameZh+" "+f.NameEn
				}
			}
		}
		if n == 0 {
			none = append(none, code)
			continue
		}
		counts.add("  "+name, strconv.Itoa(n))
	}
	if err := counts.write(w); err != nil {
		return err
	}
	if len(none) > 0 {
		fmt.Fprintf(w, "  未命中 fired for none: %s\n", strings.Join(none, ", "))
	}
	if len(cands) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	if err := candidateTable(cands, names).write(w); err != nil {
		return err
	}
	if evidence {
		fmt.Fprintln(w, "\n依据 Evidence:")
		for _, c := range cands {
			fmt.Fprintf(w, "%s %s\n", c.USCC, c.Name)
			writeFindings(w, "  ", c.Findings)
		}
	}
	return nil
}

// ruleCodes are the codes of a rule set's criteria and rules, in order.
func ruleCodes(rs compliance.RuleSet) []string {
	codes := slices.Clone(rs.Criteria)
	for _, r := range rs.Extra {
		codes = append(codes, r.Code)
	}
	return codes
}

func candidateTable(cands []compliance.Candidate, names map[string]string) table {
	var t table
	t.head([2]string{"统一社会信用代码", "USCC"}, [2]string{"企业名称", "Name"}, [2]string{"县区", "County"},
		[2]string{"行业", "Industry"}, [2]string{"问题", "Criteria"})
	for _, c := range cands {
		t.add(c.USCC, c.Name, unitName(names, c.County), dash(c.Industry), findingNames(c.Findings))
	}
	return t
}

func screenRuns(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "screen runs", "", storeFlags...)
	cm.jsonFlag()
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	runs, err := a.Compliance.Runs(ctx, cliActor(e))
	if done, err := cm.done(listOf(runs), err); done {
		return err
	}
	var t table
	t.head([2]string{"批次", "Run"}, [2]string{"时间", "At"}, [2]string{"操作人", "Actor"}, [2]string{"基准日", "As of"},
		[2]string{"整治行动", "Campaign"}, [2]string{"筛查", "Screened"}, [2]string{"选出", "Selected"}, [2]string{"判定标准", "Criteria"})
	for _, r := range runs {
		campaign := "-"
		if r.Campaign != 0 {
			campaign = strconv.FormatInt(r.Campaign, 10)
		}
		t.add(strconv.FormatInt(r.ID, 10), cstTime(r.At), r.Actor, r.AsOf, campaign, strconv.Itoa(r.Screened), strconv.Itoa(r.Selected),
			strings.Join(ruleCodes(r.Rules), ","))
	}
	return t.write(e.stdout)
}

func screenShow(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "screen show", "ID", storeFlags...)
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	id, err := cm.id(0, "run")
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return showRun(ctx, e, a, id, *cm.json, true)
}

func screenDiff(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "screen diff", "A B", storeFlags...)
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	from, err := cm.id(0, "run")
	if err != nil {
		return err
	}
	to, err := cm.id(1, "run")
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.Compliance.Diff(ctx, cliActor(e), from, to)
	if err != nil {
		return err
	}
	if *cm.json {
		d.Added, d.Removed, d.Changed = listOf(d.Added).Items, listOf(d.Removed).Items, listOf(d.Changed).Items
		return printJSON(e.stdout, d)
	}
	names, err := unitNames(ctx, a.DB)
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "筛查批次 Run %d → %d: 新增 added %d, 移出 removed %d, 变化 changed %d\n", from, to, len(d.Added), len(d.Removed), len(d.Changed))
	for _, part := range []struct {
		title string
		cands []compliance.Candidate
	}{{"新增 Added", d.Added}, {"移出 Removed", d.Removed}} {
		if len(part.cands) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", part.title)
		if err := candidateTable(part.cands, names).write(w); err != nil {
			return err
		}
	}
	if len(d.Changed) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\n变化 Changed:")
	var t table
	t.head([2]string{"统一社会信用代码", "USCC"}, [2]string{"企业名称", "Name"}, [2]string{"新增问题", "Now fires"}, [2]string{"不再符合", "No longer fires"})
	var evidence []compliance.Change
	for _, c := range d.Changed {
		gained, lost := findingsNotIn(c.After.Findings, c.Before.Findings), findingsNotIn(c.Before.Findings, c.After.Findings)
		if len(gained)+len(lost) == 0 {
			evidence = append(evidence, c)
			gained = []compliance.Finding{{NameZh: "依据变化", NameEn: "evidence changed"}}
		}
		t.add(c.USCC, c.After.Name, dash(findingNames(gained)), dash(findingNames(lost)))
	}
	if err := t.write(w); err != nil {
		return err
	}
	// The same criteria on other records: the evidence says which.
	for _, c := range evidence {
		fmt.Fprintf(w, "\n%s %s\n  之前 before:\n", c.USCC, c.After.Name)
		writeFindings(w, "    ", c.Before.Findings)
		fmt.Fprintln(w, "  之后 after:")
		writeFindings(w, "    ", c.After.Findings)
	}
	return nil
}

// findingsNotIn are the findings of a whose criterion b lacks.
func findingsNotIn(a, b []compliance.Finding) []compliance.Finding {
	var out []compliance.Finding
	for _, f := range a {
		if !slices.ContainsFunc(b, func(g compliance.Finding) bool { return g.Code == f.Code }) {
			out = append(out, f)
		}
	}
	return out
}

// ——— ecoind campaign ———

func runCampaign(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "campaign", []subcommand{
		{"list", "[--json]", "the campaigns", campaignList},
		{"show", "ID [--json]", "one campaign: scope, dates, targets, rules", campaignShow},
		{"create", "FILE.json", "create a campaign from the API's JSON body (POST /api/v1/campaigns)", campaignCreate},
		{"update", "ID FILE.json", `replace a campaign's settings; the file's "version" is the one read`, campaignUpdate},
		{"survey", "ID [--all] [--as-of D]", "open a case for each enterprise the campaign selects (re-runnable)", campaignSurvey},
		{"stats", "ID [--as-of D] [--json]", "progress by county, industry and month against the targets", campaignStats},
		{"report", "ID --out FILE.xlsx [--as-of D] [--unit U]", "the statistics and case ledger as reported upward", campaignReport},
	}, args)
}

func campaignList(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign list", "", storeFlags...)
	cm.jsonFlag()
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	cs, err := a.Compliance.Campaigns(ctx, cliActor(e))
	if done, err := cm.done(listOf(cs), err); done {
		return err
	}
	var t table
	t.head([2]string{"编号", "ID"}, [2]string{"行动名称", "Name"}, [2]string{"牵头单位", "Lead unit"}, [2]string{"开始", "Start"},
		[2]string{"结束", "End"}, [2]string{"版本", "Version"}, [2]string{"", ""})
	for _, c := range cs {
		note := ""
		if c.Synthetic {
			note = "演示数据 synthetic"
		}
		t.add(strconv.FormatInt(c.ID, 10), c.Name, c.LeadUnit, c.Start, c.End, strconv.Itoa(c.Version), note)
	}
	return t.write(e.stdout)
}

func campaignShow(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign show", "ID", storeFlags...)
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "campaign", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Compliance.Campaign(ctx, cliActor(e), id)
	if done, err := cm.done(c, err); done {
		return err
	}
	names, err := unitNames(ctx, a.DB)
	if err != nil {
		return err
	}
	return writeCampaign(e.stdout, c, names)
}

func writeCampaign(w io.Writer, c compliance.Campaign, names map[string]string) error {
	units := func(codes []string) string {
		s := make([]string, len(codes))
		for i, code := range codes {
			s[i] = unitName(names, code) + " " + code
		}
		return strings.Join(s, ", ")
	}
	var t table
	t.add("整治行动 Campaign", fmt.Sprintf("%d %s", c.ID, c.Name))
	if c.Synthetic {
		t.add("", "演示数据，非真实行动 synthetic demo data, not a real campaign")
	}
	t.add("牵头单位 Lead unit", c.LeadUnit)
	t.add("起止 Period", c.Start+" – "+c.End)
	t.add("目标 Targets", fmt.Sprintf("排查率 survey rate %g%%, 处置率 disposal rate %g%%", c.Targets.SurveyRate, c.Targets.DisposalRate))
	sc := c.Scope
	if len(sc.Counties)+len(sc.Townships)+len(sc.IndustryPrefixes)+len(sc.Enterprises) == 0 {
		t.add("范围 Scope", "全部登记企业 the whole registry")
	}
	if len(sc.Counties) > 0 {
		t.add("县区 Counties", units(sc.Counties))
	}
	if len(sc.Townships) > 0 {
		t.add("乡镇 Townships", units(sc.Townships))
	}
	if len(sc.IndustryPrefixes) > 0 {
		t.add("行业 Industries", strings.Join(sc.IndustryPrefixes, ", "))
	}
	if len(sc.Enterprises) > 0 {
		t.add("列名企业 Listed", fmt.Sprintf("%d: %s", len(sc.Enterprises), strings.Join(sc.Enterprises, ", ")))
	}
	criteria := c.Rules.Criteria
	if criteria == nil {
		criteria = compliance.FourNos
	}
	t.add("判定标准 Criteria", dash(strings.Join(criteria, ", ")))
	for _, r := range c.Rules.Extra {
		t.add("规则 Rule", fmt.Sprintf("%s %s %s", r.Code, r.NameZh, r.NameEn))
	}
	t.add("版本 Version", strconv.Itoa(c.Version))
	t.add("创建 Created", cstTime(c.CreatedAt)+" by "+c.CreatedBy)
	return t.write(w)
}

func campaignCreate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign create", "FILE.json", storeFlags...)
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	var c compliance.Campaign
	if err := readJSON(e, cm.pos[0], &c); err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err = a.Compliance.CreateCampaign(ctx, c, cliActor(e))
	if done, err := cm.done(c, err); done {
		return err
	}
	fmt.Fprintf(e.stdout, "整治行动 campaign %d created (version %d): %s\n", c.ID, c.Version, c.Name)
	return nil
}

func campaignUpdate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign update", "ID FILE.json", storeFlags...)
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	id, err := cm.id(0, "campaign")
	if err != nil {
		return err
	}
	var c compliance.Campaign
	if err := readJSON(e, cm.pos[1], &c); err != nil {
		return err
	}
	if c.Version <= 0 {
		return apperr.Newf(apperr.Invalid, `%[1]s: give "version", the campaign's version as read (ecoind campaign show %[2]d)`,
			`%[1]s：须给出 "version"，即读取时整治行动的版本号（ecoind campaign show %[2]d）`, cm.pos[1], id)
	}
	c.ID = id
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err = a.Compliance.UpdateCampaign(ctx, c, c.Version, cliActor(e))
	if done, err := cm.done(c, err); done {
		return err
	}
	fmt.Fprintf(e.stdout, "整治行动 campaign %d updated (version %d): %s\n", c.ID, c.Version, c.Name)
	return nil
}

func campaignSurvey(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign survey", "ID", storeFlags...)
	all := cm.fs.Bool("all", false, "open a case for every enterprise in scope, not only those the screening selects")
	asOf := asOfFlag(cm.fs, "the date the screening judges validity at")
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "campaign", func() error { return checkAsOf(*asOf) })
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Compliance.Survey(ctx, id, compliance.SurveyOptions{All: *all, AsOf: *asOf}, cliActor(e))
	if done, err := cm.done(res, err); done {
		return err
	}
	fmt.Fprintf(e.stdout, "整治行动 campaign %d 排查 surveyed as of %s (筛查批次 run %d)\n", id, res.Run.AsOf, res.Run.ID)
	var t table
	t.add("范围内 In scope", strconv.Itoa(res.InScope))
	t.add("应立案 Selected", strconv.Itoa(res.Selected))
	t.add("新立案 Cases opened", strconv.Itoa(res.Created))
	t.add("已有案件 Already open", strconv.Itoa(res.Existing))
	return t.write(e.stdout)
}

// statColumns are the columns of the statistics tables, as in the report.
var statColumns = []struct {
	zh, en string
	val    func(n *compliance.Counts) string
}{
	{"应排查", "In scope", func(n *compliance.Counts) string { return strconv.Itoa(n.InScope) }},
	{"已排查", "Surveyed", func(n *compliance.Counts) string { return strconv.Itoa(n.Surveyed) }},
	{"排查率%", "Survey %", func(n *compliance.Counts) string { return strconv.FormatFloat(n.SurveyRate, 'f', 1, 64) }},
	{"核查合规", "Dismissed", func(n *compliance.Counts) string { return strconv.Itoa(n.Dismissed) }},
	{"关停取缔", "Close", func(n *compliance.Counts) string { return strconv.Itoa(n.Close) }},
	{"整合搬迁", "Relocate", func(n *compliance.Counts) string { return strconv.Itoa(n.Relocate) }},
	{"整改提升", "Upgrade", func(n *compliance.Counts) string { return strconv.Itoa(n.Upgrade) }},
	{"停产整改", "Stop", func(n *compliance.Counts) string { return strconv.Itoa(n.StopRectify) }},
	{"验收通过", "Accepted", func(n *compliance.Counts) string { return strconv.Itoa(n.Accepted) }},
	{"已销号", "Closed out", func(n *compliance.Counts) string { return strconv.Itoa(n.ClosedOut) }},
	{"处置率%", "Disposal %", func(n *compliance.Counts) string { return strconv.FormatFloat(n.DisposalRate, 'f', 1, 64) }},
	{"逾期", "Overdue", func(n *compliance.Counts) string { return strconv.Itoa(n.Overdue) }},
	{"复产", "Relapsed", func(n *compliance.Counts) string { return strconv.Itoa(n.Relapsed) }},
	{"待核查", "Reopened", func(n *compliance.Counts) string { return strconv.Itoa(n.Reopened) }},
}

func campaignStats(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "campaign stats", "ID", storeFlags...)
	asOf := asOfFlag(cm.fs, "the date the statistics are taken at")
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "campaign", func() error { return checkAsOf(*asOf) })
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.Compliance.Stats(ctx, cliActor(e), id, *asOf)
	if done, err := cm.done(st, err); done {
		return err
	}
	w := e.stdout
	met := func(ok bool) string {
		if ok {
			return "达标 met"
		}
		return "未达标 not met"
	}
	fmt.Fprintf(w, "整治行动 Campaign %d %s, 统计日期 as of %s\n", st.Campaign.ID, st.Campaign.Name, st.AsOf)
	fmt.Fprintf(w, "排查率 Survey rate %.1f%% (目标 target %g%%, %s); 处置率 disposal rate %.1f%% (目标 target %g%%, %s)\n",
		st.Total.SurveyRate, st.Campaign.Targets.SurveyRate, met(st.SurveyMet), st.Total.DisposalRate, st.Campaign.Targets.DisposalRate, met(st.DisposalMet))
	for _, part := range []struct {
		title  string
		key    [2]string
		groups []compliance.Group
	}{{"按县区 By county", [2]string{"县区", "County"}, st.ByCounty}, {"按行业 By industry", [2]string{"行业大类", "Division"}, st.ByIndustry}} {
		fmt.Fprintf(w, "\n%s:\n", part.title)
		var t table
		cols := [][2]string{part.key}
		for _, c := range statColumns {
			cols = append(cols, [2]string{c.zh, c.en})
		}
		t.head(cols...)
		row := func(label string, n *compliance.Counts) {
			cells := []string{label}
			for _, c := range statColumns {
				cells = append(cells, c.val(n))
			}
			t.add(cells...)
		}
		for _, g := range part.groups {
			row(strings.TrimSpace(g.Code+" "+g.Name), &g.Counts)
		}
		row("合计 Total", &st.Total)
		if err := t.write(w); err != nil {
			return err
		}
	}
	if len(st.Timeline) > 0 {
		fmt.Fprintln(w, "\n月度进展 Timeline:")
		var t table
		t.head([2]string{"月份", "Month"}, [2]string{"排查", "Surveyed"}, [2]string{"销号", "Closed out"}, [2]string{"复产", "Relapsed"})
		for _, m := range st.Timeline {
			t.add(m.Month, strconv.Itoa(m.Surveyed), strconv.Itoa(m.ClosedOut), strconv.Itoa(m.Relapsed))
		}
		return t.write(w)
	}
	return nil
}

func campaignReport(ctx context.Context, e *env, args []string) (err error) {
	cm := newCmd(e, "campaign report", "ID", storeFlags...)
	out := cm.fs.String("out", "", "the XLSX file to write (required)")
	asOf := asOfFlag(cm.fs, "the date the statistics are taken at")
	unit := cm.fs.String("unit", "", "the reporting unit (填报单位) named in the header (default: the lead unit)")
	id, a, err := cm.openID(ctx, args, "campaign", func() error {
		if *out == "" {
			return fmt.Errorf("%w: --out FILE.xlsx is required", errUsage)
		}
		if !strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			return fmt.Errorf("%w: --out %q: the report is a workbook: name it .xlsx", errUsage, *out)
		}
		return checkAsOf(*asOf)
	})
	if err != nil {
		return err
	}
	defer a.Close()
	// The workbook is made whole before the file is written: a refused
	// report leaves no half-written file behind.
	var b bytes.Buffer
	if err := a.Compliance.ExportXLSX(ctx, cliActor(e), &b, id, *asOf, *unit); err != nil {
		return err
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: 整治行动 campaign %d report (%d bytes)\n", *out, id, b.Len())
	return nil
}

// ——— ecoind case ———

// caseStep is a step of a case: it decodes the step's JSON body, the API's
// POST /api/v1/cases/{id}/<step> without "version", and returns what applies it.
type caseStep func(src string, body []byte) (func(context.Context, *compliance.Service, compliance.Edit) (compliance.Case, error), error)

func stepOf[T any](apply func(*compliance.Service, context.Context, compliance.Edit, T) (compliance.Case, error)) caseStep {
	return func(src string, body []byte) (func(context.Context, *compliance.Service, compliance.Edit) (compliance.Case, error), error) {
		var v T
		if err := apperr.DecodeJSON(src, body, &v); err != nil {
			return nil, err
		}
		return func(ctx context.Context, s *compliance.Service, ed compliance.Edit) (compliance.Case, error) {
			return apply(s, ctx, ed, v)
		}, nil
	}
}

// dismissBody is the API's body of a dismissal.
type assignBody struct {
	Assignee string `json:"assignee"`
}

type dismissBody struct {
	Reason string `json:"reason"`
}

func runCase(ctx context.Context, e *env, args []string) error {
	subs := []subcommand{
		{"list", "[--campaign ID] [--state S] [--county C] [--township T] [--disposition D] [--uscc U] [--limit N] [--offset N] [--json]", "cases, filtered", caseList},
		{"show", "ID [--json]", "a case with its record", caseShow},
		{"events", "ID [--json]", "a case's audit log, oldest first", caseEvents},
		{"attach", "FILE [--type image/jpeg|image/png|application/pdf]", "store a photo or scanned document and print its id", caseAttach},
	}
	for _, s := range []struct {
		name, body, usage string
		step              caseStep
	}{
		{"assign", `{"assignee"}`, "assign the case to an inspector, who may then act on it (a user name; \"\" for none)",
			stepOf(func(s *compliance.Service, ctx context.Context, ed compliance.Edit, v assignBody) (compliance.Case, error) {
				return s.Assign(ctx, ed, v.Assignee)
			})},
		{"dismiss", `{"reason"}`, "dismiss a surveyed case as compliant (排除)",
			stepOf(func(s *compliance.Service, ctx context.Context, ed compliance.Edit, v dismissBody) (compliance.Case, error) {
				return s.Dismiss(ctx, ed, v.Reason)
			})},
		{"classify", `{"disposition", "unit", "person", "measures", "deadline"}`, "decide the disposition and plan (分类处置)", stepOf((*compliance.Service).Classify)},
		{"checklist", `{"step", "date", "attachments", "note"}`, "record one 两断三清 step of a closure", stepOf((*compliance.Service).RecordChecklist)},
		{"relocation", `{"address", "park", "lon", "lat", "moved_on", "attachments"}`, "record a relocation's site and move (搬迁)", stepOf((*compliance.Service).SetRelocation)},
		{"items", `{"no", "text", "done", "attachments"}`, "add or complete a rectification item (整改事项)", stepOf((*compliance.Service).RecordItem)},
		{"acceptances", `{"level", "result", "date", "inspector", "note", "attachments"}`, "record an acceptance level's verdict (验收: 1 属地自查, 2 牵头单位复查, 3 督察办核查)",
			stepOf((*compliance.Service).Accept)},
		{"close-out", `{"date", "document_no", "note"}`, "销号: close the case out", stepOf((*compliance.Service).CloseOut)},
		{"visits", `{"date", "inspector", "finding", "relapsed", "attachments"}`, "record a 回头看 follow-up visit", stepOf((*compliance.Service).Visit)},
	} {
		subs = append(subs, subcommand{s.name, "ID --version N (--body JSON | --file FILE.json)", s.usage + "; body " + s.body,
			func(ctx context.Context, e *env, args []string) error {
				return caseChange(ctx, e, s.name, s.step, args)
			}})
	}
	return dispatch(ctx, e, "case", subs, args)
}

func caseList(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "case list", "", storeFlags...)
	campaign := cm.fs.Int64("campaign", 0, "only the cases of this campaign")
	state := cm.fs.String("state", "", "surveyed, dismissed, rectifying, accepting, accepted, closed_out or reopened")
	county := cm.fs.String("county", "", "GB/T 2260 county code or name (莲都区, 莲都)")
	township := cm.fs.String("township", "", "GB/T 2260 township code or name")
	disposition := cm.fs.String("disposition", "", "close, relocate, upgrade or stop_rectify")
	uscc := cm.fs.String("uscc", "", "one enterprise's cases")
	limit := cm.fs.Int("limit", 100, "cases to list (0: all)")
	offset := cm.fs.Int("offset", 0, "cases to skip")
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	f := compliance.CaseFilter{Campaign: *campaign, USCC: strings.ToUpper(strings.TrimSpace(*uscc)),
		State: compliance.State(*state), Disposition: compliance.Disposition(*disposition), Limit: *limit, Offset: *offset}
	switch {
	case *campaign < 0:
		return fmt.Errorf("%w: --campaign %d is not an id", errUsage, *campaign)
	case *limit < 0 || *offset < 0:
		return fmt.Errorf("%w: --limit and --offset are counts, 0 or more", errUsage)
	case f.State != "" && !slices.Contains(compliance.States, f.State):
		return fmt.Errorf("%w: --state %q: want one of %s", errUsage, *state, joinStrings(compliance.States))
	case f.Disposition != "" && !slices.Contains(compliance.Dispositions, f.Disposition):
		return fmt.Errorf("%w: --disposition %q: want one of %s", errUsage, *disposition, joinStrings(compliance.Dispositions))
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	units, err := a.DB.Units(ctx)
	if err != nil {
		return err
	}
	for _, a := range []struct {
		name, v string
		code    *string
	}{{"county", *county, &f.County}, {"township", *township, &f.Township}} {
		if a.v == "" {
			continue
		}
		u, ok := registry.FindUnit(units, a.v)
		if !ok || u.Level != a.name {
			return fmt.Errorf("%w: --%s %q is not a %s of the registry (code or name)", errUsage, a.name, a.v, a.name)
		}
		*a.code = u.Code
	}
	cs, total, err := a.Compliance.Cases(ctx, cliActor(e), f)
	if err != nil {
		return err
	}
	if *cm.json {
		return printJSON(e.stdout, struct {
			Total int               `json:"total"`
			Items []compliance.Case `json:"items"`
		}{total, listOf(cs).Items})
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	var t table
	t.head([2]string{"案件", "Case"}, [2]string{"整治行动", "Campaign"}, [2]string{"统一社会信用代码", "USCC"}, [2]string{"企业名称", "Name"},
		[2]string{"县区", "County"}, [2]string{"状态", "State"}, [2]string{"处置方式", "Disposition"}, [2]string{"完成时限", "Deadline"}, [2]string{"版本", "Version"})
	for _, c := range cs {
		t.add(strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.Campaign, 10), c.USCC, c.Name, unitName(names, c.County),
			stateName(c.State), dispositionName(c.Disposition), dash(c.Deadline), strconv.Itoa(c.Version))
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	if len(cs) < total {
		fmt.Fprintf(e.stdout, "%d–%d of %d cases (--offset %d for more) / 共 %d 件\n", f.Offset+1, f.Offset+len(cs), total, f.Offset+len(cs), total)
	} else {
		fmt.Fprintf(e.stdout, "%d cases / 共 %d 件\n", total, total)
	}
	return nil
}

func joinStrings[T ~string](s []T) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

func caseShow(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "case show", "ID", storeFlags...)
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "case", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Compliance.Case(ctx, cliActor(e), id)
	if done, err := cm.done(c, err); done {
		return err
	}
	names, err := unitNames(ctx, a.DB)
	if err != nil {
		return err
	}
	return writeCase(e.stdout, c, names)
}

// writeCase writes a case for an official: its columns, then its record
// step by step.
func writeCase(w io.Writer, c compliance.Case, names map[string]string) error {
	var t table
	t.add("案件 Case", fmt.Sprintf("%d (版本 version %d)", c.ID, c.Version))
	t.add("整治行动 Campaign", strconv.FormatInt(c.Campaign, 10))
	t.add("企业 Enterprise", c.USCC+" "+c.Name)
	t.add("县区 County", unitName(names, c.County)+" "+c.County)
	if c.Township != "" {
		t.add("乡镇 Township", unitName(names, c.Township)+" "+c.Township)
	}
	t.add("行业 Industry", industryName(c.Industry))
	t.add("状态 State", stateName(c.State))
	if c.ReopenedFrom != "" {
		t.add("重新打开前 Reopened from", stateName(c.ReopenedFrom))
	}
	t.add("处置方式 Disposition", dispositionName(c.Disposition))
	for _, d := range []struct{ label, v string }{
		{"立案日期 Opened", c.OpenedOn}, {"完成时限 Deadline", c.Deadline}, {"处置完成 Carried out", c.CarriedOutOn},
		{"整治完成 Rectified", c.RectifiedOn}, {"验收通过 Accepted", c.AcceptedOn}, {"销号 Closed out", c.ClosedOutOn},
	} {
		if d.v != "" {
			t.add(d.label, d.v)
		}
	}
	if c.Relapses > 0 {
		t.add("复产 Relapses", fmt.Sprintf("%d, 最近 last %s", c.Relapses, c.RelapsedOn))
	}
	if c.RelapseEvidence > 0 {
		t.add("复产线索 Relapse evidence", fmt.Sprintf("%d, 最近 last %s", c.RelapseEvidence, cstTime(c.RelapseAt)))
	}
	if c.Dismissal != "" {
		t.add("排除理由 Dismissed because", c.Dismissal)
	}
	if err := t.write(w); err != nil {
		return err
	}
	if len(c.Findings) > 0 {
		fmt.Fprintln(w, "\n问题 Findings:")
		writeFindings(w, "  ", c.Findings)
	}
	if c.Plan.Disposition != "" {
		fmt.Fprintln(w, "\n处置方案 Plan:")
		var p table
		p.add("  责任单位 Unit", c.Plan.Unit)
		p.add("  责任人 Person", c.Plan.Person)
		p.add("  整治措施 Measures", c.Plan.Measures)
		p.add("  完成时限 Deadline", c.Plan.Deadline)
		if err := p.write(w); err != nil {
			return err
		}
	}
	attached := func(ids []string) string {
		if len(ids) == 0 {
			return "-"
		}
		return fmt.Sprintf("%d 份 attachments", len(ids))
	}
	if c.Disposition == compliance.Close {
		fmt.Fprintln(w, "\n两断三清 Checklist:")
		var k table
		for _, st := range compliance.Steps {
			i := slices.IndexFunc(c.Checklist, func(x compliance.CheckItem) bool { return x.Step == st })
			if i < 0 {
				k.add("  "+st.Zh(), st.En(), "未完成 not done")
				continue
			}
			x := c.Checklist[i]
			k.add("  "+st.Zh(), st.En(), x.Date, attached(x.Attachments), x.Note)
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	if r := c.Relocation; r != nil {
		fmt.Fprintln(w, "\n搬迁 Relocation:")
		var k table
		k.add("  地址 Address", r.Address)
		if r.Park != "" {
			k.add("  园区 Park", r.Park)
		}
		k.add("  搬迁完成 Moved on", dash(r.MovedOn))
		k.add("  附件 Attachments", attached(r.Attachments))
		if err := k.write(w); err != nil {
			return err
		}
	}
	if len(c.Items) > 0 {
		fmt.Fprintln(w, "\n整改事项 Items:")
		var k table
		k.head([2]string{"  序号", "  No."}, [2]string{"整改内容", "Text"}, [2]string{"完成日期", "Done"}, [2]string{"附件", "Attachments"})
		for _, it := range c.Items {
			k.add("  "+strconv.Itoa(it.No), it.Text, dash(it.Done), attached(it.Attachments))
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	if len(c.Accepts) > 0 {
		fmt.Fprintln(w, "\n验收 Acceptances:")
		var k table
		k.head([2]string{"  轮次", "  Round"}, [2]string{"级别", "Level"}, [2]string{"结论", "Result"}, [2]string{"日期", "Date"},
			[2]string{"验收人", "Inspector"}, [2]string{"附件", "Attachments"}, [2]string{"说明", "Note"})
		for _, a := range c.Accepts {
			result := "通过 pass"
			if a.Result == compliance.Fail {
				result = "不通过 fail"
			}
			k.add("  "+strconv.Itoa(a.Round), levelName(a.Level), result, a.Date, a.Inspector, attached(a.Attachments), a.Note)
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	if co := c.CloseOut; co != nil {
		fmt.Fprintf(w, "\n销号 Close-out: %s", co.Date)
		if co.DocumentNo != "" {
			fmt.Fprintf(w, ", 文号 document %s", co.DocumentNo)
		}
		if co.Note != "" {
			fmt.Fprintf(w, ", %s", co.Note)
		}
		fmt.Fprintln(w)
	}
	if len(c.Visits) > 0 {
		fmt.Fprintln(w, "\n回头看 Visits:")
		var k table
		k.head([2]string{"  日期", "  Date"}, [2]string{"检查人", "Inspector"}, [2]string{"复产", "Relapsed"}, [2]string{"附件", "Attachments"}, [2]string{"检查情况", "Finding"})
		for _, v := range c.Visits {
			relapsed := "否 no"
			if v.Relapsed {
				relapsed = "是 yes"
			}
			k.add("  "+v.Date, v.Inspector, relapsed, attached(v.Attachments), v.Finding)
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	return nil
}

func levelName(level int) string {
	switch level {
	case compliance.TownshipSelfCheck:
		return "1 属地自查 township"
	case compliance.LeadUnitReview:
		return "2 牵头单位复查 lead unit"
	case compliance.InspectionVerifies:
		return "3 督察办核查 inspection office"
	}
	return strconv.Itoa(level)
}

func caseEvents(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "case events", "ID", storeFlags...)
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "case", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	evs, err := a.Compliance.Events(ctx, cliActor(e), id)
	if done, err := cm.done(listOf(evs), err); done {
		return err
	}
	var t table
	t.head([2]string{"版本", "Seq"}, [2]string{"时间", "At"}, [2]string{"操作人", "Actor"}, [2]string{"操作", "Action"},
		[2]string{"状态变化", "From → to"}, [2]string{"说明", "Reason"})
	for _, ev := range evs {
		move := stateName(ev.To)
		if ev.From != ev.To {
			move = stateName(ev.From) + " → " + stateName(ev.To)
		}
		t.add(strconv.Itoa(ev.Seq), cstTime(ev.At), ev.Actor, ev.Action.Zh()+" "+string(ev.Action), move, ev.Reason)
	}
	return t.write(e.stdout)
}

// caseChange is `ecoind case STEP ID --version N (--body JSON | --file FILE)`.
func caseChange(ctx context.Context, e *env, name string, step caseStep, args []string) error {
	cm := newCmd(e, "case "+name, "ID", storeFlags...)
	version := cm.fs.Int("version", 0, "the case's version as read (ecoind case show ID): a stale one is refused (required)")
	bodyArg := cm.fs.String("body", "", "the step's JSON object, as the API takes it without \"version\"")
	file := cm.fs.String("file", "", "a file holding the step's JSON object (-: standard input)")
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	id, err := cm.id(0, "case")
	if err != nil {
		return err
	}
	switch {
	case *version <= 0:
		return fmt.Errorf("%w: --version N is required: the case's version as read (ecoind case show %d)", errUsage, id)
	case (*bodyArg == "") == (*file == ""):
		return fmt.Errorf("%w: give the step's JSON with --body JSON or --file FILE.json (one of them)", errUsage)
	}
	src, body := "--body", []byte(*bodyArg)
	if *file != "" {
		if body, err = readFile(e, *file); err != nil {
			return err
		}
		src = *file
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		if _, ok := fields["version"]; ok {
			return fmt.Errorf("%w: %s: the version goes in --version, not in the body", errUsage, src)
		}
	}
	apply, err := step(src, body)
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := apply(ctx, a.Compliance, compliance.Edit{Case: id, Version: *version, By: cliActor(e)})
	if done, err := cm.done(c, err); done {
		return err
	}
	fmt.Fprintf(e.stdout, "案件 case %d: %s, %s (版本 version %d)\n", c.ID, stateName(c.State), dispositionName(c.Disposition), c.Version)
	return nil
}

// attachmentTypes are the accepted types by file extension.
var attachmentTypes = map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}

func caseAttach(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "case attach", "FILE", storeFlags...)
	typ := cm.fs.String("type", "", "image/jpeg, image/png or application/pdf (default: from the file's extension)")
	cm.jsonFlag()
	if err := cm.parse(args); err != nil {
		return err
	}
	if *typ == "" {
		if *typ = attachmentTypes[strings.ToLower(filepath.Ext(cm.pos[0]))]; *typ == "" {
			return fmt.Errorf("%w: %s: give --type (%s), or name the file .jpg, .png or .pdf", errUsage, cm.pos[0], strings.Join(compliance.AttachmentTypes, ", "))
		}
	}
	f, err := os.Open(cm.pos[0])
	if err != nil {
		return &apperr.Error{Code: apperr.Invalid, Message: "cannot read " + cm.pos[0], Zh: "无法读取文件 " + cm.pos[0], Err: err}
	}
	defer f.Close()
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	att, err := a.Compliance.PutAttachment(ctx, cliActor(e), filepath.Base(cm.pos[0]), *typ, f)
	if done, err := cm.done(att, err); done {
		return err
	}
	fmt.Fprintln(e.stdout, att.ID)
	return nil
}
