package web

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/demo"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/web/i18n"
)

// env is the pages over a SQLite store with a small demo registry, its
// campaigns and a few frames from one logger.
type env struct {
	srv    *Server
	h      http.Handler
	comp   *compliance.Service
	logger registry.Outlet
	db     *store.DB
}

var (
	envOnce sync.Once
	shared  *env
	envErr  error
)

// sharedEnv builds the store once for the package's tests: the pages only
// read it, but for the steps, which take cases of their own.
func sharedEnv(t *testing.T) *env {
	t.Helper()
	envOnce.Do(func() { shared, envErr = newEnv() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return shared
}

func newEnv() (*env, error) {
	ctx := context.Background()
	dir := testDir
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	reg := registry.NewService(db)
	if err := demo.Load(ctx, reg, demo.Generate(1, 400)); err != nil {
		return nil, err
	}
	files := db.Attachments(filepath.Join(dir, "attachments"))
	if _, err := demo.Campaigns(ctx, db, files, 1); err != nil {
		return nil, err
	}
	k, _ := registry.KindByName("outlets")
	outs, err := registry.NewService(db).List(ctx, auth.Command("test"), k, "")
	if err != nil {
		return nil, err
	}
	var o registry.Outlet
	for _, x := range outs {
		if x := x.(registry.Outlet); x.MN != "" {
			o = x
			break
		}
	}
	now := time.Now()
	var batch []*monitoring.Received
	for i := range 5 {
		at := now.Add(time.Duration(i-5) * time.Minute).Truncate(time.Minute)
		f := &hj212.Frame{Version: "2017", QN: at.In(cst.Zone).Format("20060102150405") + "000", ST: "31", CN: "2011", PW: "secretpw",
			MN: o.MN, Flag: 5, DataTime: at, Values: []hj212.Value{{Code: "a21026", Field: "Rtd", Value: 12.5 + float64(i), Unit: "mg/m3", Flag: "N"}}}
		raw, err := hj212.Encode(f)
		if err != nil {
			return nil, err
		}
		batch = append(batch, &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:50000", At: now.Add(time.Duration(i-5) * time.Second), USCC: o.USCC, Outlet: o.OutletCode})
	}
	if _, err := db.WriteBatch(ctx, batch); err != nil {
		return nil, err
	}
	if _, err := monitoring.Roll(ctx, db, 100_000, 0); err != nil {
		return nil, err
	}
	comp := compliance.NewService(db, files)
	s := New(reg, monitoring.NewService(db, db), comp, economy.NewService(db), rules.NewService(db), nil, auth.NewService(db), slog.New(slog.NewTextHandler(io.Discard, nil)),
		WithWatchLists(notify.NewService(db, db)))
	h := s.Handler()
	signedIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Anonymous") == "" {
			r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Kind: auth.User, Name: "张三", Role: auth.Admin}))
		}
		h.ServeHTTP(w, r)
	})
	return &env{srv: s, h: signedIn, comp: comp, logger: o, db: db}, nil
}

// testDir holds the package's shared store (TestMain removes it).
var testDir string

func TestMain(m *testing.M) {
	var err error
	if testDir, err = os.MkdirTemp("", "ecoind-web-test-*"); err != nil {
		panic(err)
	}
	code := m.Run()
	if shared != nil {
		shared.db.Close()
	}
	os.RemoveAll(testDir)
	os.Exit(code)
}

// get fetches path as the signed-in user in language l.
func (e *env) get(t *testing.T, l, path string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if l != "" {
		req.AddCookie(&http.Cookie{Name: "lang", Value: l})
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestPages(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	cases, _, err := e.comp.Cases(ctx, auth.Command("test"), compliance.CaseFilter{Limit: 1})
	if err != nil || len(cases) == 0 {
		t.Fatalf("no case: %v", err)
	}
	runs, err := e.comp.Runs(ctx, auth.Command("test"))
	if err != nil || len(runs) == 0 {
		t.Fatalf("no screening run: %v", err)
	}
	id := strconv.FormatInt(cases[0].ID, 10)
	run := strconv.FormatInt(runs[0].ID, 10)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{`id="figures"`, `id="county-map"`, `id="county-map-data"`, `"map":true`, `id="counties"`, `href="/enterprises?status=operating"`}},
		{"/enterprises", []string{`id="enterprise-filters"`, `id="enterprise-table"`, `id="export-xlsx"`, `/api/v1/export/enterprises?format=xlsx`, `id="enterprise-map"`}},
		{"/enterprises?county=331102&status=operating", []string{`id="enterprise-table"`, `selected`}},
		{"/enterprises/" + e.logger.USCC, []string{`id="registry"`, `id="outlets"`, `id="outlet-` + e.logger.OutletCode + `"`, `id="chart-` + e.logger.OutletCode + `-a21026"`, `id="history"`, `id="enterprise-cases"`}},
		{"/monitoring", []string{`id="logger-table"`, `id="frames"`, e.logger.MN, `PW=******`, `hx-trigger="every 30s"`}},
		{"/monitoring/loggers/" + e.logger.MN, []string{`id="frames"`, `PW=******`}},
		{"/screenings", []string{`id="runs"`, `href="/screenings/` + run + `"`}},
		{"/screenings/" + run, []string{`id="candidates"`, `id="diff-form"`}},
		{"/campaigns", []string{`id="campaign-table"`}},
		{"/campaigns/1", []string{`id="campaign-figures"`, `id="campaign-timeline"`, `/api/v1/campaigns/1/report`}},
		{"/cases", []string{`id="case-filters"`, `id="case-table"`}},
		{"/cases/" + id, []string{`id="case-state"`, `id="case-actions"`, `id="audit-log"`}},
		{"/import", []string{`id="import-form"`, `name="csrf"`}},
	} {
		for _, l := range []string{"zh", "en"} {
			status, body := e.get(t, l, tc.path)
			if status != 200 {
				t.Errorf("%s %s: status %d", l, tc.path, status)
				continue
			}
			for _, w := range append(tc.want, `<main>`, `id="lang-switch"`, `name="csrf-token"`) {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %s", l, tc.path, w)
				}
			}
			if strings.Contains(body, "secretpw") {
				t.Errorf("%s %s shows a logger's password", l, tc.path)
			}
			if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
				t.Errorf("%s %s: message missing from the catalogue: %s", l, tc.path, m)
			}
		}
	}
	if _, body := e.get(t, "en", "/"); !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Overview") {
		t.Error("English was not chosen by the lang cookie")
	}
	if _, body := e.get(t, "", "/"); !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, "总览") {
		t.Error("Chinese is not the default")
	}
}

func TestSignInRequired(t *testing.T) {
	e := sharedEnv(t)
	req := httptest.NewRequest("GET", "/cases?state=rectifying", nil)
	req.Header.Set("X-Test-Anonymous", "1")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next="+url.QueryEscape("/cases?state=rectifying") {
		t.Fatalf("anonymous: %d %s, want 303 to /login", rec.Code, rec.Header().Get("Location"))
	}
	status, body := e.get(t, "", "/login?next=/cases")
	if status != 200 || !strings.Contains(body, `id="login-form"`) || !strings.Contains(body, `value="/cases"`) {
		t.Fatalf("login form: %d", status)
	}
	form := url.Values{"name": {"a"}, "password": {"b"}, "next": {"/cases"}}
	req = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "尚未启用账户") || !strings.Contains(rec.Body.String(), "accounts are not set up") {
		t.Fatalf("sign-in without accounts: %d, want 409 saying so in both languages", rec.Code)
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := sharedEnv(t)
	for next, want := range map[string]string{"/cases?state=reopened": "/cases?state=reopened", "//evil.example": "/", "https://evil.example/": "/", "": "/"} {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest("GET", "/lang?l=en&next="+url.QueryEscape(next), nil))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
			t.Errorf("next %q: %d to %q, want %q", next, rec.Code, rec.Header().Get("Location"), want)
		}
		if c := rec.Result().Cookies(); len(c) != 1 || c[0].Name != "lang" || c[0].Value != "en" {
			t.Errorf("cookie: %v", c)
		}
	}
}

func TestAssetsNotBuilt(t *testing.T) {
	e := sharedEnv(t)
	built := e.srv.built
	e.srv.built = false
	defer func() { e.srv.built = built }()
	for _, l := range []string{"zh", "en"} {
		_, body := e.get(t, l, "/")
		if !strings.Contains(body, `id="assets-notice"`) || !strings.Contains(body, "make assets") ||
			!strings.Contains(body, "页面资源未构建") || !strings.Contains(body, "not built") {
			t.Errorf("%s: no bilingual notice that the assets are not built", l)
		}
		if strings.Contains(body, "vendor/echarts.min.js") {
			t.Errorf("%s: the page loads assets that are not there", l)
		}
	}
	e.srv.built = true
	if _, body := e.get(t, "zh", "/"); strings.Contains(body, `id="assets-notice"`) || !strings.Contains(body, "/static/vendor/echarts.min.js") {
		t.Error("built assets: the notice shows, or the scripts are missing")
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := sharedEnv(t)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") || strings.Contains(strings.SplitN(csp, "script-src", 2)[1], "unsafe-inline;") {
		t.Errorf("CSP %q", csp)
	}
	// No inline script or handler in any template: scripts are files, data
	// is JSON in <script type="application/json">.
	err := fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, p)
		for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(string(b), -1) {
			if !strings.Contains(m, "src=") && !strings.Contains(m, `type="application/json"`) {
				t.Errorf("%s: inline script %s", p, m)
			}
		}
		if m := regexp.MustCompile(`\son[a-z]+=`).FindString(string(b)); m != "" {
			t.Errorf("%s: inline event handler %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCatalogueUsed: every key a template or the Go code names is in the
// catalogue (in both languages: i18n's test holds them equal), and so is
// every key a template builds from a code.
func TestCatalogueUsed(t *testing.T) {
	known := map[string]bool{}
	for _, k := range i18n.Keys("zh") {
		known[k] = true
	}
	literal := regexp.MustCompile(`\btf? "([^"]+)"`)
	err := fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, p)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s uses %q, which the catalogue lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`i18n\.T\(\w+, "([^"]+)"\)`)
	gos, _ := filepath.Glob("*.go")
	for _, p := range gos {
		b, _ := os.ReadFile(p)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s uses %q, which the catalogue lacks", p, m[1])
			}
		}
	}
	// Keys built from codes: (print "status." .Status) and the like.
	built := map[string][]string{
		"status.": {"operating", "suspended", "closed", "relocated"}, "size.": {"above", "below"},
		"licence.": {"valid", "suspended", "revoked", "cancelled"}, "land.": {"legal", "pending", "illegal"},
		"result.": {"pass", "fail"}, "permit.": {"key", "simplified", "registration"}, "outlet.": {"air", "water"},
		"op.": {"create", "update"}, "level.": {"1", "2", "3"}, "measure.": measures,
		"alarm.kind.": alarmKinds, "alarm.state.": alarmStates, "alarm.step.": {"acknowledge", "resolve"},
	}
	for _, st := range steps {
		built["step."] = append(built["step."], st.Name)
	}
	for _, r := range roles {
		built["role."] = append(built["role."], string(r))
	}
	for _, b := range bureaus {
		built["bureau."] = append(built["bureau."], string(b))
	}
	for _, k := range eventKinds {
		built["event."] = append(built["event."], string(k))
	}
	for prefix, codes := range built {
		for _, c := range codes {
			if !known[prefix+c] {
				t.Errorf("the catalogue lacks %s%s", prefix, c)
			}
		}
	}
}

// TestCaseStep: a surveyed case classified through its form moves to
// rectifying; a refused step shows the case with the reason in both
// languages.
func TestCaseStep(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	who := auth.Principal{Kind: auth.User, Name: "张三", Role: auth.Admin}
	cp, err := e.comp.CreateCampaign(ctx, compliance.Campaign{Name: "测试行动", LeadUnit: "丽水市生态环境局", Start: "2026-01-01", End: "2099-12-31",
		Rules: compliance.RuleSet{Criteria: compliance.FourNos}, Scope: compliance.Scope{Enterprises: []string{e.logger.USCC}}}, who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.comp.Survey(ctx, cp.ID, compliance.SurveyOptions{All: true}, who); err != nil {
		t.Fatal(err)
	}
	cs, _, err := e.comp.Cases(ctx, auth.Command("test"), compliance.CaseFilter{Campaign: cp.ID, Limit: 1})
	if err != nil || len(cs) != 1 || cs[0].State != compliance.Surveyed {
		t.Fatalf("no surveyed case: %v %v", cs, err)
	}
	c := cs[0]
	id := strconv.FormatInt(c.ID, 10)
	_, page := e.get(t, "zh", "/cases/"+id)
	for _, want := range []string{`id="form-classify"`, `id="form-dismiss"`} {
		if !strings.Contains(page, want) {
			t.Errorf("surveyed case: no %s", want)
		}
	}
	if strings.Contains(page, `id="form-close-out"`) {
		t.Error("surveyed case offers close-out, which its state does not allow")
	}
	post := func(step string, fields map[string]string) *httptest.ResponseRecorder {
		var b strings.Builder
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		mw.Close()
		req := httptest.NewRequest("POST", "/cases/"+id+"/"+step, strings.NewReader(b.String()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	rec := post("classify", map[string]string{"version": strconv.Itoa(c.Version), "disposition": "upgrade", "unit": "莲都区生态环境分局",
		"person": "李四", "measures": "加装废气收集处理设施", "deadline": "2099-12-31"})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/cases/"+id+"?done=classify" {
		t.Fatalf("classify: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	got, err := e.comp.Case(ctx, auth.Command("test"), c.ID)
	if err != nil || got.State != compliance.Rectifying || got.Plan.Person != "李四" {
		t.Fatalf("after classify: %s %+v %v", got.State, got.Plan, err)
	}
	events, _ := e.comp.Events(ctx, auth.Command("test"), c.ID)
	if last := events[len(events)-1]; last.Actor != "user:张三" {
		t.Errorf("the step was recorded as %q, not the principal", last.Actor)
	}
	rec = post("classify", map[string]string{"version": strconv.Itoa(c.Version), "disposition": "upgrade", "unit": "x", "person": "y", "measures": "z", "deadline": "2099-12-31"})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `id="error"`) || !strings.Contains(rec.Body.String(), `id="case-actions"`) {
		t.Fatalf("stale version: %d, want 409 with the case and the error", rec.Code)
	}
}

func TestImportDryRunProblems(t *testing.T) {
	e := sharedEnv(t)
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	mw.WriteField("kind", "enterprises")
	fw, _ := mw.CreateFormFile("file", "bad.csv")
	io.WriteString(fw, "uscc,name,county,industry_code,size,status\nNOTAUSCC,某某厂,331102,2925,above,operating\n")
	mw.Close()
	for _, l := range []string{"zh", "en"} {
		req := httptest.NewRequest("POST", "/import", strings.NewReader(b.String()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "lang", Value: l})
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="problems"`) || strings.Contains(body, `id="commit-form"`) {
			t.Fatalf("%s: bad file: %d, want 422 with its problems and no import button", l, rec.Code)
		}
		if !strings.Contains(body, "<td>2</td>") || !strings.Contains(body, "<td>uscc</td>") {
			t.Errorf("%s: the problem does not name row 2, column uscc", l)
		}
	}
}

func TestPointsShiftedToGCJ02(t *testing.T) {
	// Liandu, Lishui: GCJ-02 lies about 0.5 km north-east of WGS84 here.
	lon, lat := wgs84ToGCJ02(119.9229, 28.4676)
	dx, dy := (lon-119.9229)*97900, (lat-28.4676)*111000
	if dx < 300 || dx > 700 || dy < -500 || dy > 0 {
		t.Errorf("shift at Lishui: %.0f m east, %.0f m north", dx, dy)
	}
	if lon, lat := wgs84ToGCJ02(2.35, 48.85); lon != 2.35 || lat != 48.85 {
		t.Error("a point outside China was shifted")
	}
}
