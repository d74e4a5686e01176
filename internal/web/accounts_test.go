package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
)

const accountPassword = "梅雨季节的瓯江水很清澈!"

// addAccount adds an account to the shared store, as the command line.
func addAccount(t *testing.T, e *env, a auth.Account) auth.Principal {
	t.Helper()
	got, err := e.srv.users.AddAccount(context.Background(), a, accountPassword, auth.Command("test"))
	if err != nil {
		t.Fatal(err)
	}
	return got.Principal()
}

// do sends method path (with form, for a POST) as p in language l.
func (e *env) do(t *testing.T, p auth.Principal, l, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "lang", Value: l})
	req.Header.Set("Sec-Fetch-Site", "same-origin") // a browser on our own pages
	req = req.WithContext(auth.WithPrincipal(req.Context(), p))
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func TestAccountPagesByRole(t *testing.T) {
	e := sharedEnv(t)
	admin := addAccount(t, e, auth.Account{Name: "roles-admin", Display: "管理员", Role: auth.Admin})
	county := addAccount(t, e, auth.Account{Name: "roles-county", Display: "王芳", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}})
	token := county
	token.Kind, token.Name = auth.Token, "roles-county/ci"
	missing := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`)
	for _, tc := range []struct {
		who    auth.Principal
		path   string
		status int
		want   []string
	}{
		{admin, "/account", 200, []string{`id="account-name">roles-admin`, `id="password-form"`, `id="token-form"`, `id="nav-users"`, `id="nav-logins"`, `name="csrf"`}},
		{admin, "/admin/users", 200, []string{`id="user-table"`, `id="user-roles-county"`, `id="add-user-form"`, `name="csrf"`}},
		{admin, "/admin/users/roles-county", 200, []string{`id="user-form"`, `id="user-disabled"`, `id="token-table"`, `value="331102"`}},
		{admin, "/admin/logins", 200, []string{`id="login-table"`, `id="login-filters"`}},
		{county, "/account", 200, []string{`id="account-name">roles-county`, `id="account-scope"`, `331102`, `id="password-form"`}},
		{county, "/admin/users", 403, []string{`id="error"`}},
		{county, "/admin/users/roles-admin", 403, []string{`id="error"`}},
		{county, "/admin/logins", 403, []string{`id="error"`}},
		{token, "/account", 403, []string{`id="not-person"`}},
		{token, "/admin/users", 403, []string{`id="error"`}},
	} {
		for _, l := range []string{"zh", "en"} {
			rec := e.do(t, tc.who, l, "GET", tc.path, nil)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Errorf("%s %s %s: %d, want %d", tc.who.Name, l, tc.path, rec.Code, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s %s: no %s", tc.who.Name, l, tc.path, w)
				}
			}
			if tc.who.Role != auth.Admin && strings.Contains(body, `id="nav-users"`) {
				t.Errorf("%s %s: the menu offers the accounts to a non-administrator", tc.who.Name, tc.path)
			}
			if m := missing.FindString(body); m != "" {
				t.Errorf("%s %s: message missing from the catalogue: %s", l, tc.path, m)
			}
		}
	}
}

func TestChangePasswordPage(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	p := addAccount(t, e, auth.Account{Name: "pw-user", Role: auth.City, Bureau: auth.Statistics})
	const next = "丽水的山比杭州的山更高一些"
	for _, tc := range []struct {
		l, old, new, confirm, field, msg string
	}{
		{"zh", "wrong password!", next, next, "error-old", "原密码错误"},
		{"en", "wrong password!", next, next, "error-old", "the old password is wrong"},
		{"en", accountPassword, next, next + "x", "error-confirm", "The two new passwords differ."},
		{"zh", accountPassword, "short", "short", "error-new", "密码"},
	} {
		rec := e.do(t, p, tc.l, "POST", "/account/password", url.Values{"old": {tc.old}, "new": {tc.new}, "confirm": {tc.confirm}})
		body := rec.Body.String()
		i := strings.Index(body, `id="`+tc.field+`"`)
		if rec.Code != http.StatusUnprocessableEntity || i < 0 || !strings.Contains(body[i:min(i+300, len(body))], tc.msg) {
			t.Errorf("%s %+v: %d, want 422 with %q beside the field", tc.l, tc, rec.Code, tc.msg)
		}
	}
	rec := e.do(t, p, "zh", "POST", "/account/password", url.Values{"old": {accountPassword}, "new": {next}, "confirm": {next}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if _, err := e.srv.users.Login(ctx, "pw-user", next, "127.0.0.1"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	if rec := e.do(t, p, "en", "GET", "/account?done=password", nil); !strings.Contains(rec.Body.String(), "Password changed") {
		t.Error("no word that the password changed")
	}
}

func TestTokenPages(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	p := addAccount(t, e, auth.Account{Name: "tok-user", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}})
	other := addAccount(t, e, auth.Account{Name: "tok-other", Role: auth.City, Bureau: auth.Ecology})
	rec := e.do(t, p, "zh", "POST", "/account/tokens", url.Values{"name": {"ci-script"}, "days": {"30"}})
	body := rec.Body.String()
	secret := regexp.MustCompile(`eco_[A-Za-z0-9_-]+`).FindString(body)
	if rec.Code != 200 || !strings.Contains(body, `id="new-token"`) || secret == "" || !strings.Contains(body, "不会再次显示") {
		t.Fatalf("create: %d, want the secret shown once with the note", rec.Code)
	}
	if _, err := e.srv.users.TokenPrincipal(ctx, secret, "127.0.0.1"); err != nil {
		t.Errorf("the secret shown does not authenticate: %v", err)
	}
	body = e.do(t, p, "zh", "GET", "/account", nil).Body.String()
	if strings.Contains(body, secret) || strings.Contains(body, `id="new-token"`) || !strings.Contains(body, "ci-script") {
		t.Error("the list shows the secret again, or not the token")
	}
	if rec := e.do(t, p, "en", "POST", "/account/tokens", url.Values{"name": {"ci-script"}, "days": {"1000"}}); rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="error-days"`) {
		t.Errorf("a token for 1000 days: %d, want the days refused beside the field", rec.Code)
	}
	if rec := e.do(t, p, "en", "POST", "/account/tokens", url.Values{"name": {"Bad Name"}, "days": {"10"}}); rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="error-token-name"`) {
		t.Errorf("a bad token name: %d, want it refused beside the field", rec.Code)
	}
	ts, err := e.srv.users.Tokens(ctx, "tok-user", p)
	if err != nil || len(ts) != 1 {
		t.Fatalf("tokens: %v %v", ts, err)
	}
	id := strconv.FormatInt(ts[0].ID, 10)
	if rec := e.do(t, other, "zh", "POST", "/tokens/"+id+"/revoke", url.Values{"back": {"/account"}}); rec.Code != http.StatusNotFound {
		t.Errorf("another user revokes the token: %d, want 404", rec.Code)
	}
	rec = e.do(t, p, "zh", "POST", "/tokens/"+id+"/revoke", url.Values{"back": {"/account"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account?done=revoked" {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if body := e.do(t, p, "zh", "GET", "/account", nil).Body.String(); strings.Contains(body, "ci-script") {
		t.Error("the revoked token is still listed")
	}
	if _, err := e.srv.users.TokenPrincipal(ctx, secret, "127.0.0.1"); err == nil {
		t.Error("the revoked token still authenticates")
	}
}

func TestAdminUsersPages(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	admin := addAccount(t, e, auth.Account{Name: "adm-admin", Role: auth.Admin})
	rec := e.do(t, admin, "en", "POST", "/admin/users", url.Values{"name": {"adm-new"}, "display": {"李四"}, "role": {"county"},
		"bureau": {"ecology"}, "county": {"331102"}})
	body := rec.Body.String()
	pw := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(body)
	if rec.Code != 200 || pw == nil || !strings.Contains(body, `id="user-adm-new"`) {
		t.Fatalf("add: %d, want the generated password shown and the account listed", rec.Code)
	}
	if _, err := e.srv.users.Login(ctx, "adm-new", pw[1], "127.0.0.1"); err != nil {
		t.Errorf("the generated password shown does not sign in: %v", err)
	}
	if body := e.do(t, admin, "en", "GET", "/admin/users", nil).Body.String(); strings.Contains(body, pw[1]) {
		t.Error("the list shows the password again")
	}
	rec = e.do(t, admin, "zh", "POST", "/admin/users", url.Values{"name": {"adm-bad"}, "role": {"county"}, "password": {accountPassword}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="error"`) || !strings.Contains(rec.Body.String(), `id="add-user-form"`) {
		t.Errorf("a county officer without a county: %d, want 400 with the reason and the form", rec.Code)
	}
	county := auth.Principal{Kind: auth.User, Name: "adm-new", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}}
	if rec := e.do(t, county, "zh", "POST", "/admin/users", url.Values{"name": {"adm-x"}, "role": {"admin"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a county officer adds an account: %d, want 403", rec.Code)
	}
	if rec := e.do(t, county, "zh", "POST", "/admin/users/adm-new", url.Values{"role": {"admin"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a county officer makes themself an administrator: %d, want 403", rec.Code)
	}

	// Disable, then lock by failed sign-ins and unlock.
	form := url.Values{"display": {"李四"}, "role": {"county"}, "bureau": {"ecology"}, "county": {"331102"}, "disabled": {"1"}}
	rec = e.do(t, admin, "zh", "POST", "/admin/users/adm-new", form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/users/adm-new?done=saved" {
		t.Fatalf("disable: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if a, _ := e.srv.users.Account(ctx, "adm-new"); !a.Disabled {
		t.Error("not disabled")
	}
	if body := e.do(t, admin, "en", "GET", "/admin/users", nil).Body.String(); !strings.Contains(body, "disabled</span>") {
		t.Error("the list does not say the account is disabled")
	}
	form.Del("disabled")
	for range auth.MaxFailures {
		e.srv.users.Login(ctx, "adm-new", "wrong password!", "192.0.2.7")
	}
	if body := e.do(t, admin, "en", "GET", "/admin/users/adm-new", nil).Body.String(); !strings.Contains(body, `id="user-unlock"`) {
		t.Fatal("a locked account offers no unlock")
	}
	form.Set("unlock", "1")
	if rec := e.do(t, admin, "zh", "POST", "/admin/users/adm-new", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("enable and unlock: %d", rec.Code)
	}
	if a, _ := e.srv.users.Account(ctx, "adm-new"); a.Disabled || !a.LockedUntil.IsZero() {
		t.Errorf("after enable and unlock: disabled %v, locked until %v", a.Disabled, a.LockedUntil)
	}
	if _, err := e.srv.users.Login(ctx, "adm-new", pw[1], "192.0.2.8"); err != nil {
		t.Errorf("sign-in after unlock: %v", err)
	}

	// The audit lists the account's events, newest first, filtered by kind.
	body = e.do(t, admin, "en", "GET", "/admin/logins?user=adm-new", nil).Body.String()
	for _, w := range []string{"failed sign-in", "lockout", "unlock", "192.0.2.7", "user:adm-admin"} {
		if !strings.Contains(body, w) {
			t.Errorf("audit of adm-new: no %q", w)
		}
	}
	table := body[strings.Index(body, `id="login-table"`):]
	if strings.Index(table, ">unlock<") > strings.Index(table, ">lockout<") {
		t.Error("the audit is not newest first")
	}
	body = e.do(t, admin, "zh", "GET", "/admin/logins?user=adm-new&kind=lockout", nil).Body.String()
	table = body[strings.Index(body, `id="login-table"`):]
	if !strings.Contains(table, ">锁定<") || strings.Contains(table, ">登录失败<") {
		t.Error("the kind filter does not filter")
	}
}

// signIn is Accounts over the service, without the API's cookie.
type signIn struct{ svc *auth.Service }

func (a signIn) Login(w http.ResponseWriter, r *http.Request, name, password string) (auth.NewSession, error) {
	return a.svc.Login(r.Context(), name, password, "127.0.0.1")
}
func (a signIn) Logout(http.ResponseWriter, *http.Request) error { return nil }
func (a signIn) Client(*http.Request) (string, string)           { return "127.0.0.1", "" }

func TestLanguageRemembered(t *testing.T) {
	e := sharedEnv(t)
	p := addAccount(t, e, auth.Account{Name: "lang-user", Role: auth.City, Bureau: auth.Ecology})
	// A link on another site switches the browser's cookie, not the account.
	cross := httptest.NewRequest("GET", "/lang?l=en&next=/account", nil)
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	e.srv.Handler().ServeHTTP(httptest.NewRecorder(), cross.WithContext(auth.WithPrincipal(cross.Context(), p)))
	if a, _ := e.srv.users.Account(context.Background(), "lang-user"); a.Lang != "" {
		t.Fatalf("a cross-site link changed the account's language to %q", a.Lang)
	}
	rec := e.do(t, p, "zh", "GET", "/lang?l=en&next=/account", nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("switch: %d", rec.Code)
	}
	if a, _ := e.srv.users.Account(context.Background(), "lang-user"); a.Lang != "en" {
		t.Fatalf("the account's language %q, want en", a.Lang)
	}
	e.srv.acc = signIn{e.srv.users}
	defer func() { e.srv.acc = nil }()
	form := url.Values{"name": {"lang-user"}, "password": {accountPassword}, "next": {"/account"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "lang", Value: "zh"})
	rec = httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	var got string
	for _, c := range rec.Result().Cookies() {
		if c.Name == "lang" {
			got = c.Value
		}
	}
	if rec.Code != http.StatusSeeOther || got != "en" {
		t.Errorf("sign-in: %d, lang cookie %q, want en from the account", rec.Code, got)
	}
}
