package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// browser is a client with a cookie jar, as a browser signed in.
type browser struct {
	e    *env
	c    *http.Client
	csrf string
	seen []byte // every response body, to look for secrets in
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar}}
}

// do sends a request with the cookies, and the CSRF token when csrf.
func (b *browser) do(t *testing.T, method, path, body string, csrf bool) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, b.e.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	b.seen = append(b.seen, out...)
	for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("%s %s: no %s header", method, path, h)
		}
	}
	return resp.StatusCode, out
}

func (b *browser) login(t *testing.T, name, password string) int {
	t.Helper()
	status, out := b.do(t, "POST", "/api/v1/session", fmt.Sprintf(`{"name":%q,"password":%q}`, name, password), false)
	var s struct {
		Account   auth.Account `json:"account"`
		CSRFToken string       `json:"csrf_token"`
	}
	if status == 200 {
		if err := json.Unmarshal(out, &s); err != nil || s.Account.Name != name || len(s.CSRFToken) != 43 {
			t.Fatalf("login: %s %v", out, err)
		}
		b.csrf = s.CSRFToken
	}
	return status
}

func TestSessionsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	e.as(t, officer("wang"))
	b := e.browser(t)
	if status := b.login(t, "wang", "wrong password!"); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", status)
	}
	if status := b.login(t, "wang", testPassword); status != 200 {
		t.Fatalf("login: %d", status)
	}
	var me struct {
		Principal auth.Principal `json:"principal"`
		CSRFToken string         `json:"csrf_token"`
	}
	status, out := b.do(t, "GET", "/api/v1/me", "", false)
	if json.Unmarshal(out, &me); status != 200 || me.Principal.Kind != auth.User || me.Principal.Name != "wang" || me.CSRFToken != b.csrf {
		t.Fatalf("me: %d %s", status, out)
	}

	// A cookie request that changes something needs the CSRF token: a
	// missing or forged one is refused and changes nothing.
	patch := `{"status":"停产"}`
	for _, forged := range []string{"", "forged-token"} {
		b2 := *b
		b2.csrf = forged
		status, out := b2.do(t, "PATCH", "/api/v1/enterprises/"+usccA, patch, forged != "")
		if status != http.StatusForbidden || !strings.Contains(string(out), "CSRF") {
			t.Fatalf("CSRF %q: %d %s", forged, status, out)
		}
	}
	var h struct{ Items []registry.Change }
	e.must(t, 200, "GET", "/api/v1/enterprises/"+usccA+"/history", nil, &h)
	if len(h.Items) != 1 {
		t.Fatalf("a refused request changed the record: %+v", h.Items)
	}
	// With it, the change is made by the signed-in person, whatever X-Actor says.
	req, _ := http.NewRequest("PATCH", e.url+"/api/v1/enterprises/"+usccA, strings.NewReader(patch))
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("X-Actor", "mallory")
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("patch with the CSRF token: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	e.must(t, 200, "GET", "/api/v1/enterprises/"+usccA+"/history", nil, &h)
	if len(h.Items) != 2 || h.Items[1].Actor != "user:wang" {
		t.Fatalf("history %+v", h.Items)
	}
	// A form carries the token in its field csrf: past the check, this
	// one is refused by the route, which takes JSON.
	req, _ = http.NewRequest("POST", e.url+"/api/v1/tokens", strings.NewReader("name=x&csrf="+b.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := b.c.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a form with the CSRF token: %v %v", resp.Status, err)
	}
	// Non-admins may not manage accounts.
	if status, _ := b.do(t, "GET", "/api/v1/users", "", false); status != http.StatusForbidden {
		t.Fatalf("users as a city officer: %d", status)
	}
	if status, _ := b.do(t, "GET", "/api/v1/audit/logins", "", false); status != http.StatusForbidden {
		t.Fatalf("audit as a city officer: %d", status)
	}
	// A token of one's own, shown once.
	status, out = b.do(t, "POST", "/api/v1/tokens", `{"name":"script","expires_in_days":7}`, true)
	var tok auth.NewToken
	if json.Unmarshal(out, &tok); status != 201 || !strings.HasPrefix(tok.Secret, "eco_") || tok.User != "wang" {
		t.Fatalf("token: %d %s", status, out)
	}
	status, out = b.do(t, "GET", "/api/v1/tokens", "", false)
	if status != 200 || strings.Contains(string(out), tok.Secret) || !strings.Contains(string(out), `"script"`) {
		t.Fatalf("tokens: %d %s", status, out)
	}

	// A password change ends the other sessions, not this one.
	other := e.browser(t)
	if other.login(t, "wang", testPassword) != 200 {
		t.Fatal("second login")
	}
	newPassword := "括苍山上的云雾缭绕"
	if status, out := b.do(t, "POST", "/api/v1/me/password", fmt.Sprintf(`{"old_password":%q,"new_password":%q}`, testPassword, newPassword+"!"), true); status != 200 {
		t.Fatalf("password: %d %s", status, out)
	}
	if status, _ := other.do(t, "GET", "/api/v1/me", "", false); status != http.StatusUnauthorized {
		t.Fatalf("the other session after a password change: %d", status)
	}
	// Logout ends this one.
	if status, out := b.do(t, "DELETE", "/api/v1/session", "", true); status != 200 {
		t.Fatalf("logout: %d %s", status, out)
	}
	if status, _ := b.do(t, "GET", "/api/v1/me", "", false); status != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", status)
	}

	// The administrator disables the account: its token stops at once.
	e.must(t, 200, "GET", "/api/v1/me", nil, nil, "Authorization", "Bearer "+tok.Secret)
	e.must(t, 200, "PATCH", "/api/v1/users/wang", map[string]any{"disabled": true}, nil)
	e.must(t, 401, "GET", "/api/v1/me", nil, nil, "Authorization", "Bearer "+tok.Secret)

	// The audit, for administrators: logins, failures, the logout, token use.
	var page struct{ Items []auth.LoginEvent }
	e.must(t, 200, "GET", "/api/v1/audit/logins?user=wang&limit=100", nil, &page)
	kinds := map[auth.EventKind]int{}
	for _, ev := range page.Items {
		kinds[ev.Kind]++
	}
	if kinds[auth.Login] != 2 || kinds[auth.LoginFailed] != 1 || kinds[auth.Logout] != 1 || kinds[auth.TokenUse] != 1 || kinds[auth.PasswordSet] != 1 {
		t.Fatalf("audit: %v", kinds)
	}
	e.must(t, 200, "GET", "/api/v1/audit/logins?kind=login_failed", nil, &page)
	if len(page.Items) != 1 || page.Items[0].Address != "127.0.0.1" {
		t.Fatalf("failures: %+v", page.Items)
	}

	// No password ever in an answer, nor the session's id.
	var users []byte
	_, _, users = e.call(t, "GET", "/api/v1/users", "")
	for _, secret := range []string{testPassword, newPassword, "argon2id"} {
		if strings.Contains(string(b.seen)+string(other.seen)+string(users), secret) {
			t.Errorf("%q in a response", secret)
		}
	}
}

func TestLockoutAndUnlockThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	e.as(t, officer("wang"))
	b := e.browser(t)
	for range auth.MaxFailures {
		if status := b.login(t, "wang", "wrong password!"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", status)
		}
	}
	if status := b.login(t, "wang", testPassword); status != http.StatusTooManyRequests {
		t.Fatalf("locked: %d", status)
	}
	if status, _ := b.do(t, "PATCH", "/api/v1/users/wang", `{"unlock":true}`, false); status != http.StatusUnauthorized {
		t.Fatalf("unlock by no one: %d", status)
	}
	e.must(t, 200, "PATCH", "/api/v1/users/wang", map[string]any{"unlock": true}, nil)
	if status := b.login(t, "wang", testPassword); status != 200 {
		t.Fatalf("after unlock: %d", status)
	}
}

func TestPublicPathsAndRedirect(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		path, accept string
		status       int
	}{
		{"/healthz", "", 200},
		{"/api/v1/units", "", 401},
		{"/api/v1/openapi.json", "text/html", 401},
		{"/dashboard", "text/html,application/xhtml+xml", 303},
		{"/login", "text/html", 404}, // public: the web pages will answer it
	} {
		req, _ := http.NewRequest("GET", e.url+c.path, nil)
		req.Header.Set("Accept", c.accept)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.status == 303 && resp.Header.Get("Location") != "/login?next=%2Fdashboard") {
			t.Errorf("%s: %d %s, want %d", c.path, resp.StatusCode, resp.Header.Get("Location"), c.status)
		}
	}
	// A sign-in another site submits is refused: it would sign the
	// visitor in as whoever that site chose.
	for _, h := range [][2]string{{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		req, _ := http.NewRequest("POST", e.url+"/api/v1/session", strings.NewReader(`{"name": "admin", "password": "x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with %s: %s: %d, want 403", h[0], h[1], resp.StatusCode)
		}
	}
	if !slices.Contains(api.PublicPaths, "/static/") {
		t.Error("the web pages' static files are not public")
	}
}

// BenchmarkAuthenticate measures what authentication adds to an API call
// on SQLite: a bearer token and a session cookie, each believed from the
// cache (the default) and asked of the store every time (CacheTTL 0).
func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	tok := strings.TrimPrefix(e.token, "Bearer ")
	if _, err := e.acc.AddAccount(ctx, officer("wang"), testPassword, auth.Command("bench")); err != nil {
		b.Fatal(err)
	}
	s, err := e.acc.Login(ctx, "wang", testPassword, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", e.acc.CacheTTL}, {"store", 0}} {
		e.acc.CacheTTL = c.ttl
		b.Run("bearer/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.acc.TokenPrincipal(ctx, tok, "127.0.0.1"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("session/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.acc.SessionPrincipal(ctx, s.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
