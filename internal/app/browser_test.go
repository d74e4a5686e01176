package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"ecoindustry/internal/app"
	"ecoindustry/internal/config"
	"ecoindustry/internal/ingest"
	"ecoindustry/internal/simulate"
)

// browser finds Debian's chromium: ECOIND_CHROMIUM, else on the PATH.
// Without it the browser tests are skipped on a developer's machine and
// fail in CI, where .ci/run installs it (scripts/browser.sh).
func browser(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ECOIND_CHROMIUM"), "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: scripts/browser.sh installs it (apt-get install chromium fonts-noto-cjk)")
	}
	t.Skip("chromium is not installed: apt-get install chromium fonts-noto-cjk, or set ECOIND_CHROMIUM")
	return ""
}

// demoServer serves a small demo (400 synthetic enterprises, its
// campaigns and accounts, 20 simulated loggers) on free loopback ports
// and returns its base URL and each demo account's password.
func demoServer(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := config.Defaults()
	cfg.Data, cfg.HTTP, cfg.HJ212 = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	a, err := app.Open(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if err := a.LoadDemo(ctx, log, 1, 400); err != nil {
		t.Fatal(err)
	}
	if err := a.DemoAccounts(ctx, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(cfg.Data, "demo-accounts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	passwords := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if fs := strings.Fields(sc.Text()); len(fs) >= 3 {
			passwords[fs[0]] = fs[2]
		}
	}
	f.Close()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- a.Serve(ctx, log, app.Serving{HTTP: app.HTTPDefaults(), Ingest: ingest.Defaults(),
			Prepare: func(ctx context.Context, log *slog.Logger, httpAddr, hj212Addr string) error {
				ls, err := a.DemoLoggers(ctx)
				if err != nil {
					return err
				}
				go simulate.Run(ctx, simulate.Config{Target: hj212Addr, Loggers: min(20, len(ls)), Interval: time.Second, Seed: 1}, ls, log)
				addr <- httpAddr
				return nil
			}})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	select {
	case h := <-addr:
		return "http://" + h, passwords
	case err := <-done:
		t.Fatal(err)
	}
	return "", nil
}

// browserOptions start chromium headless, as root, with none of its own
// traffic to the internet (the machine has none: its attempts only fail).
func browserOptions(exe string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 800))
}

// session is one browser profile: its own cookies.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newSession(t *testing.T, alloc context.Context, base string) *session {
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first Run starts the browser on ctx itself: a later timeout's
	// context ending must not close it.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return &session{t: t, ctx: ctx, base: base}
}

// run runs browser actions, each at most a minute.
func (s *session) run(what string, actions ...chromedp.Action) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var html string
		chromedp.Run(s.ctx, chromedp.OuterHTML("body", &html, chromedp.ByQuery))
		s.t.Fatalf("%s: %v\n%.3000s", what, err, html)
	}
}

// awaitPromise has an evaluation wait for the promise it returns.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// js evaluates expression in the page and returns its value.
func (s *session) js(expression string, v any) {
	s.t.Helper()
	s.run("evaluate "+expression, chromedp.Evaluate(expression, v, awaitPromise))
}

func (s *session) login(name, password string) {
	s.t.Helper()
	s.run("sign in as "+name,
		chromedp.Navigate(s.base+"/login"),
		chromedp.WaitVisible("#login-form", chromedp.ByQuery),
		chromedp.SendKeys("#login-name", name, chromedp.ByQuery),
		chromedp.SendKeys("#login-password", password, chromedp.ByQuery),
		chromedp.Submit("#login-form", chromedp.ByQuery),
		chromedp.WaitVisible("#principal", chromedp.ByQuery))
}

// open goes to path and waits until the page is usable: no error shown,
// and every chart and map drawn (the flag app.js sets on ECharts'
// finished event), never a sleep.
func (s *session) open(path string) {
	s.t.Helper()
	start := time.Now()
	s.run("open "+path, chromedp.Navigate(s.base+path), chromedp.WaitReady("body", chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-charts-ready="1"]`, chromedp.ByQuery))
	// How long the page took to be usable, charts drawn (docs/benchmarks.md):
	// a figure to read, never a test's verdict.
	s.t.Logf("usable: %s in %d ms", path, time.Since(start).Milliseconds())
	var errText string
	s.js(`(document.querySelector('#error') || {innerText: ''}).innerText`, &errText)
	if errText != "" {
		s.t.Fatalf("%s shows an error: %s", path, errText)
	}
}

// fetchText fetches path from the page, with its cookies, and returns the body.
func (s *session) fetchText(path string) string {
	s.t.Helper()
	var body string
	s.js(fmt.Sprintf(`fetch(%q).then(async r => r.status + "\n" + await r.text()).catch(e => String(e))`, path), &body)
	return body
}

// TestDashboardInABrowser drives the dashboard in Debian's chromium as the
// people who use it: every role signs in and walks the main pages with
// their maps and charts drawn; a county officer sees only the county,
// moves a case one step with a photo, imports a file with an error and
// sees it, switches language and signs out.
func TestDashboardInABrowser(t *testing.T) {
	exe := browser(t)
	base, passwords := demoServer(t)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), browserOptions(exe)...)
	defer cancel()

	s := newSession(t, alloc, base)
	s.run("the login page", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#login-form", chromedp.ByQuery))
	var notice bool
	s.js(`!!document.querySelector('#assets-notice')`, &notice)
	if notice {
		t.Fatal("the dashboard's assets are not built: run make assets (npm ci) before the browser tests")
	}

	t.Run("every role", func(t *testing.T) {
		for name, pages := range map[string][]string{
			"admin": {"/", "/enterprises", "/monitoring", "/alarms", "/cases", "/campaigns", "/screenings", "/import", "/admin/users", "/admin/logins", "/account",
				"/gep", "/gep/runs/1", "/gep/purchases", "/gep/purchases/1"},
			"city-ecology": {"/", "/enterprises", "/cases", "/account", "/gep"}, "city-economy": {"/", "/enterprises", "/clusters", "/plans/lishui-2020-2022", "/projects/1", "/facilities/QT-VALVE-CT01"},
			"city-statistics": {"/", "/enterprises", "/gep/runs/2"},
			"jinyun-ecology":  {"/", "/enterprises", "/monitoring", "/alarms", "/cases", "/gep", "/gep/purchases"}, "park-lsetdz": {"/", "/enterprises", "/account", "first enterprise"},
			"inspector-jinyun": {"/", "/cases"}, "enterprise-demo": {"/", "/enterprises", "/account", "/cases", "first enterprise"},
		} {
			s := newSession(t, alloc, base)
			s.login(name, passwords[name])
			for _, p := range pages {
				if p == "first enterprise" { // the page of the first the role's list shows
					s.open("/enterprises")
					s.js(`document.querySelector('#enterprise-table a[href^="/enterprises/"]').pathname`, &p)
				}
				s.open(p)
			}
			s.run("sign out", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible("#login-form", chromedp.ByQuery))
			s.run("signed out", chromedp.Navigate(base+"/enterprises"), chromedp.WaitVisible("#login-form", chromedp.ByQuery))
		}
	})

	t.Run("county officer", func(t *testing.T) {
		s := newSession(t, alloc, base)
		s.login("jinyun-ecology", passwords["jinyun-ecology"])
		s.open("/")
		var counties []string
		s.open("/enterprises")
		s.js(`Array.from(document.querySelectorAll('#enterprise-table tbody tr td:nth-child(2)')).map(td => td.innerText.trim())`, &counties)
		if len(counties) == 0 {
			t.Fatal("the county officer's enterprise list is empty")
		}
		for _, c := range counties {
			if c != "缙云县" {
				t.Fatalf("the county officer's list shows an enterprise of %q", c)
			}
		}
		export := s.fetchText("/api/v1/export/enterprises?format=csv")
		lines := strings.Split(strings.TrimSpace(export), "\n")
		if !strings.HasPrefix(export, "200\n") || len(lines) < 3 {
			t.Fatalf("export: %.500s", export)
		}
		for _, l := range lines[2:] {
			if !strings.Contains(l, ",331122,") {
				t.Fatalf("the county officer's export carries another county's row: %s", l)
			}
		}

		// A case of the county, one 两断三清 step through its form, with a photo.
		var id int
		s.js(`fetch('/api/v1/cases?state=rectifying&disposition=close&limit=1').then(r => r.json()).then(p => p.items[0].id)`, &id)
		photo := filepath.Join(t.TempDir(), "断电现场.png")
		var b bytes.Buffer
		png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)))
		os.WriteFile(photo, b.Bytes(), 0o644)
		s.open(fmt.Sprintf("/cases/%d", id))
		var before int
		s.js(`document.querySelectorAll('#events tr, #events li').length`, &before)
		s.run("a checklist step",
			chromedp.Evaluate(`document.querySelector('#step-checklist').open = true;
				const sel = document.querySelector('#form-checklist select[name=step]');
				const free = Array.from(sel.options).find(o => !o.text.includes('✓'));
				if (free) sel.value = free.value;`, nil),
			chromedp.SetUploadFiles(`#form-checklist input[type=file]`, []string{photo}, chromedp.ByQuery),
			chromedp.Submit("#form-checklist", chromedp.ByQuery),
			chromedp.WaitVisible("#done", chromedp.ByQuery))
		var recorded bool
		s.js(`document.querySelector('#checklist').innerText.includes('断电') || document.querySelector('#checklist img') !== null`, &recorded)
		if !recorded {
			t.Fatal("the checklist step does not show on the case")
		}

		// An import with a bad row shows the problem by row and column.
		bad := filepath.Join(t.TempDir(), "企业.csv")
		os.WriteFile(bad, []byte("统一社会信用代码,企业名称,所属县区,行业代码,企业规模,经营状态\n91331122MA0000000X,甲,缙云县,2925,规上,在产\n"), 0o644)
		s.open("/import")
		s.run("import a bad file",
			chromedp.SetValue(`#import-form select[name=kind]`, "enterprises", chromedp.ByQuery),
			chromedp.SetUploadFiles(`#import-form input[type=file]`, []string{bad}, chromedp.ByQuery),
			chromedp.Submit("#import-form", chromedp.ByQuery),
			chromedp.WaitVisible("#problems", chromedp.ByQuery))
		var problems string
		s.js(`document.querySelector('#problems').innerText`, &problems)
		if !strings.Contains(problems, "2") || !strings.Contains(problems, "统一社会信用代码") {
			t.Fatalf("the problems table: %s", problems)
		}

		// English, remembered, then Chinese again.
		s.open("/enterprises")
		s.run("switch to English", chromedp.Click("#lang-switch", chromedp.ByQuery), chromedp.WaitVisible(`html[lang="en"]`, chromedp.ByQuery))
		s.open("/cases")
		var lang string
		s.js(`document.documentElement.lang`, &lang)
		if lang != "en" {
			t.Fatalf("the language was not remembered: %q", lang)
		}
		s.run("switch back", chromedp.Click("#lang-switch", chromedp.ByQuery), chromedp.WaitVisible(`html[lang="zh-CN"]`, chromedp.ByQuery))
		s.run("sign out", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible("#login-form", chromedp.ByQuery))
	})
}

// TestDashboardScreenshots writes the screenshots of docs/screenshots
// into ECOIND_SCREENSHOTS (scripts/screenshots.sh), of a demo running at
// ECOIND_SCREENSHOTS_BASE signed in with the admin password of its
// demo-accounts.txt (ECOIND_SCREENSHOTS_ACCOUNTS), or of a small demo of
// its own. Skipped without ECOIND_SCREENSHOTS.
func TestDashboardScreenshots(t *testing.T) {
	dir := os.Getenv("ECOIND_SCREENSHOTS")
	if dir == "" {
		t.Skip("ECOIND_SCREENSHOTS=DIR takes the screenshots (scripts/screenshots.sh)")
	}
	exe := browser(t)
	base, passwords := os.Getenv("ECOIND_SCREENSHOTS_BASE"), map[string]string{}
	if base == "" {
		base, passwords = demoServer(t)
	} else {
		b, err := os.ReadFile(os.Getenv("ECOIND_SCREENSHOTS_ACCOUNTS"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if fs := strings.Fields(l); len(fs) >= 3 {
				passwords[fs[0]] = fs[2]
			}
		}
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), browserOptions(exe)...)
	defer cancel()
	screenshots(t, alloc, base, passwords, dir)
}

// screenshots writes each main page in both languages, and a case as a
// phone shows it, as the city's administrator.
func screenshots(t *testing.T, alloc context.Context, base string, passwords map[string]string, dir string) {
	s := newSession(t, alloc, base)
	s.login("admin", passwords["admin"])
	var uscc, logger string
	var caseID, campaign int
	s.js(`fetch('/api/v1/cases?state=rectifying&disposition=close&limit=1').then(r => r.json()).then(p => p.items[0].id)`, &caseID)
	s.js(`fetch('/api/v1/campaigns').then(r => r.json()).then(p => p.items[p.items.length-1].id)`, &campaign)
	// The last logger the monitoring page lists is online (offline ones
	// come first), and its enterprise.
	s.open("/monitoring")
	s.js(`(Array.from(document.querySelectorAll('a[href^="/monitoring/loggers/"]')).pop() || {pathname: ''}).pathname`, &logger)
	s.js(`(Array.from(document.querySelectorAll('a[href^="/enterprises/"]')).pop() || {pathname: '/enterprises/'}).pathname.split('/')[2]`, &uscc)
	pages := []struct{ name, path string }{
		{"overview", "/"}, {"enterprises", "/enterprises"}, {"enterprise", "/enterprises/" + uscc}, {"monitoring", "/monitoring"},
		{"logger", logger}, {"screening", "/screenings/1"}, {"campaign", fmt.Sprintf("/campaigns/%d", campaign)}, {"cases", "/cases"},
		{"case", fmt.Sprintf("/cases/%d", caseID)}, {"import", "/import"}, {"gep", "/gep"}, {"gep-run", "/gep/runs/1"}, {"gep-purchase", "/gep/purchases/1"},
		{"clusters", "/clusters"}, {"plan", "/plans/lishui-2020-2022"}, {"project", "/projects/1"}, {"facility", "/facilities/QT-VALVE-CT01"},
	}
	for _, l := range []string{"zh", "en"} {
		for _, p := range pages {
			s.open("/lang?l=" + l + "&next=" + p.path)
			var shot []byte
			s.run("screenshot "+p.name, chromedp.CaptureScreenshot(&shot))
			os.WriteFile(filepath.Join(dir, p.name+"-"+l+".png"), shot, 0o644)
		}
		var shot []byte
		s.run("phone", chromedp.EmulateViewport(360, 800))
		s.open(fmt.Sprintf("/cases/%d", caseID))
		s.run("screenshot of a case on a phone", chromedp.CaptureScreenshot(&shot))
		os.WriteFile(filepath.Join(dir, "case-phone-"+l+".png"), shot, 0o644)
		s.run("desktop", chromedp.EmulateViewport(1280, 800))
	}
}
