package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// AccountsStore is what accounts run on: the registry (scopes name its
// records) and the accounts' tables in one database.
type AccountsStore interface {
	registry.Store
	auth.Store
	SQL() *sql.DB
}

// RunAccounts runs the accounts' part of the suite, at the level of
// auth.Service over the store, on a clock the tests move.
func RunAccounts(t *testing.T, open func(t *testing.T) AccountsStore) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *accounts)
	}{
		{"RolesAndScopes", testRolesAndScopes},
		{"WrongPasswordLockoutUnlock", testLockout},
		{"AddressThrottled", testAddressThrottled},
		{"SessionExpiry", testSessionExpiry},
		{"Tokens", testTokens},
		{"DisabledAtOnce", testDisabled},
		{"LogoutAndPasswordChange", testLogoutAndPassword},
		{"LoginEventsAppendOnly", testLoginEvents},
		{"Language", testLanguage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			seed(t, st)
			svc := auth.NewService(st)
			a := &accounts{st: st, svc: svc, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			svc.Now = func() time.Time { return a.now }
			tc.fn(t, a)
		})
	}
}

type accounts struct {
	st  AccountsStore
	svc *auth.Service
	now time.Time
}

var root = auth.Command("root")

const goodPassword = "梅雨季节的瓯江水很清澈"

func (a *accounts) add(t *testing.T, acc auth.Account) auth.Account {
	t.Helper()
	got, err := a.svc.AddAccount(context.Background(), acc, goodPassword+"!", root)
	check(t, err)
	return got
}

func officer(name string) auth.Account {
	return auth.Account{Name: name, Display: "王芳", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}}
}

func wantErr(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func testRolesAndScopes(t *testing.T, a *accounts) {
	ctx := context.Background()
	for _, c := range []struct {
		acc  auth.Account
		code apperr.Code
	}{
		{auth.Account{Name: "admin", Role: auth.Admin}, ""},
		{auth.Account{Name: "city-eco", Role: auth.City, Bureau: auth.Ecology}, ""},
		{auth.Account{Name: "city-nobureau", Role: auth.City}, apperr.Invalid},
		{officer("lianduwang"), ""},
		{auth.Account{Name: "county-city", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331100"}}, apperr.Invalid},
		{auth.Account{Name: "county-none", Role: auth.County, Bureau: auth.Ecology}, apperr.Invalid},
		{auth.Account{Name: "park", Role: auth.Park, Scope: auth.Scope{Park: Park.Code}}, ""},
		{auth.Account{Name: "park-unknown", Role: auth.Park, Scope: auth.Scope{Park: "NOPE"}}, apperr.Invalid},
		{auth.Account{Name: "ent", Role: auth.Enterprise, Scope: auth.Scope{USCC: Ent.USCC}}, ""},
		{auth.Account{Name: "ent-unknown", Role: auth.Enterprise, Scope: auth.Scope{USCC: USCC("331102", 99)}}, apperr.Invalid},
		{auth.Account{Name: "admin-scoped", Role: auth.Admin, Scope: auth.Scope{County: "331102"}}, apperr.Invalid},
		{auth.Account{Name: "boss", Role: "boss"}, apperr.Invalid},
		{auth.Account{Name: "Bad Name", Role: auth.Admin}, apperr.Invalid},
		{auth.Account{Name: "admin", Role: auth.Admin}, apperr.Conflict},
	} {
		_, err := a.svc.AddAccount(ctx, c.acc, goodPassword+"!", root)
		if c.code == "" {
			check(t, err)
		} else if apperr.CodeOf(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.acc.Name, err, c.code)
		}
	}
	for _, pw := range []string{"short", "1qaz2wsx3edc", "Password123!", "woaini1314", "x-lianduwang-y"} {
		if _, err := a.svc.AddAccount(ctx, officer("lianduwang"), pw, root); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("password %q: %v", pw, err)
		}
	}
	if _, err := a.svc.AddAccount(ctx, officer("x2"), goodPassword, auth.Principal{Kind: auth.User, Name: "lianduwang", Role: auth.County}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a county officer added an account: %v", err)
	}
	got, err := a.svc.Account(ctx, "lianduwang")
	check(t, err)
	if got.Scope.County != "331102" || got.Bureau != auth.Ecology || got.CreatedBy != "cli:root" || got.Disabled {
		t.Fatalf("stored %+v", got)
	}
	list, err := a.svc.Accounts(ctx, root)
	check(t, err)
	if len(list) != 5 {
		t.Fatalf("accounts: %+v", list)
	}
}

func testLockout(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	for i := range auth.MaxFailures {
		_, err := a.svc.Login(ctx, "lianduwang", "wrong password "+string(rune('a'+i)), "10.0.0.1")
		wantErr(t, err, apperr.Unauthenticated)
		a.now = a.now.Add(time.Minute)
	}
	_, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	wantErr(t, err, apperr.Busy) // locked, right password or not
	if acc, _ := a.svc.Account(ctx, "lianduwang"); !acc.LockedUntil.After(a.now) {
		t.Fatalf("not locked: %+v", acc)
	}
	_, err = a.svc.UpdateAccount(ctx, "lianduwang", auth.Change{Unlock: true}, root, "")
	check(t, err)
	s, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	if s.Account.Name != "lianduwang" || len(s.ID) != 43 || len(s.CSRF) != 43 {
		t.Fatalf("session %+v", s)
	}
	// Failures spread over more than the window do not lock.
	for range auth.MaxFailures + 1 {
		a.now = a.now.Add(auth.FailureWindow / 3)
		_, err := a.svc.Login(ctx, "lianduwang", "wrong password", "10.0.0.2")
		wantErr(t, err, apperr.Unauthenticated)
	}
	// An unknown name fails as a wrong password does.
	_, err = a.svc.Login(ctx, "nobody", goodPassword, "10.0.0.3")
	wantErr(t, err, apperr.Unauthenticated)
	evs, _, err := a.svc.LoginEvents(ctx, auth.EventFilter{User: "lianduwang", Limit: 100}, root)
	check(t, err)
	var kinds []auth.EventKind
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	slices.Reverse(kinds)
	want := []auth.EventKind{"login_failed", "login_failed", "login_failed", "login_failed", "login_failed", "lockout", "login_failed", "unlock", "login",
		"login_failed", "login_failed", "login_failed", "login_failed", "login_failed", "login_failed"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("events\n%v\nwant\n%v", kinds, want)
	}
}

func testAddressThrottled(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	for range auth.MaxAddressFailures {
		_, err := a.svc.Login(ctx, "nobody", "wrong password", "10.9.9.9")
		wantErr(t, err, apperr.Unauthenticated)
	}
	_, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.9.9.9")
	wantErr(t, err, apperr.Busy)
	_, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.9.9.10")
	check(t, err) // another address, and the account itself, are not held
	a.now = a.now.Add(auth.FailureWindow + time.Second)
	_, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.9.9.9")
	check(t, err)
}

func testSessionExpiry(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	s, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	// Used every 20 minutes, a session lives until its absolute expiry.
	for a.now.Add(20 * time.Minute).Before(s.Expires) {
		a.now = a.now.Add(20 * time.Minute)
		p, csrf, err := a.svc.SessionPrincipal(ctx, s.ID)
		check(t, err)
		if p.Kind != auth.User || p.Name != "lianduwang" || p.Role != auth.County || p.Scope.County != "331102" || csrf != s.CSRF {
			t.Fatalf("principal %+v csrf %q", p, csrf)
		}
	}
	a.now = s.Expires
	_, _, err = a.svc.SessionPrincipal(ctx, s.ID)
	wantErr(t, err, apperr.Unauthenticated)
	// Idle for the idle expiry, a session ends.
	s, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	a.now = a.now.Add(auth.IdleExpiry)
	_, _, err = a.svc.SessionPrincipal(ctx, s.ID)
	wantErr(t, err, apperr.Unauthenticated)
	_, _, err = a.svc.SessionPrincipal(ctx, "forged")
	wantErr(t, err, apperr.Unauthenticated)
	// A session a browser gave up, never used again, ends in the store at
	// its person's next sign-in.
	left, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	a.now = a.now.Add(auth.IdleExpiry + time.Minute)
	_, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	sum := sha256.Sum256([]byte(left.ID))
	_, _, err = a.st.Session(ctx, hex.EncodeToString(sum[:]))
	wantErr(t, err, apperr.NotFound)
}

func testTokens(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	a.add(t, auth.Account{Name: "other", Role: auth.City, Bureau: auth.Economy})
	self := auth.Principal{Kind: auth.User, Name: "lianduwang", Role: auth.County}
	tok, err := a.svc.CreateToken(ctx, "lianduwang", "nightly", time.Hour, self, "10.0.0.1")
	check(t, err)
	_, err = a.svc.CreateToken(ctx, "lianduwang", "nightly", time.Hour, self, "10.0.0.1")
	wantErr(t, err, apperr.Conflict)
	_, err = a.svc.CreateToken(ctx, "other", "mine", time.Hour, self, "10.0.0.1")
	wantErr(t, err, apperr.Forbidden)
	p, err := a.svc.TokenPrincipal(ctx, tok.Secret, "10.0.0.5")
	check(t, err)
	if p.Kind != auth.Token || p.Name != "lianduwang/nightly" || p.Role != auth.County || p.Bureau != auth.Ecology || p.Scope.County != "331102" {
		t.Fatalf("principal %+v", p)
	}
	list, err := a.svc.Tokens(ctx, "lianduwang", self)
	check(t, err)
	if len(list) != 1 || list[0].Name != "nightly" || list[0].LastUsed.IsZero() {
		t.Fatalf("tokens %+v", list)
	}
	_, err = a.svc.Tokens(ctx, "other", self)
	wantErr(t, err, apperr.Forbidden)
	// Expired.
	a.now = a.now.Add(time.Hour)
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "10.0.0.5")
	wantErr(t, err, apperr.Unauthenticated)
	// Revoked: at once, though it was just believed.
	tok, err = a.svc.CreateToken(ctx, "lianduwang", "weekly", 24*time.Hour, root, "")
	check(t, err)
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "10.0.0.5")
	check(t, err)
	wantErr(t, a.svc.RevokeToken(ctx, tok.ID, auth.Principal{Kind: auth.User, Name: "other", Role: auth.City}, ""), apperr.NotFound)
	check(t, a.svc.RevokeToken(ctx, tok.ID, self, ""))
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "10.0.0.5")
	wantErr(t, err, apperr.Unauthenticated)
	_, err = a.svc.TokenPrincipal(ctx, "eco_forged", "10.0.0.5")
	wantErr(t, err, apperr.Unauthenticated)
	evs, _, err := a.svc.LoginEvents(ctx, auth.EventFilter{Kind: auth.TokenUse, Limit: 10}, root)
	check(t, err)
	if len(evs) != 2 || evs[0].Actor != "token:lianduwang/weekly" || evs[0].Address != "10.0.0.5" {
		t.Fatalf("token use events %+v", evs)
	}
}

func testDisabled(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	s, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	tok, err := a.svc.CreateToken(ctx, "lianduwang", "nightly", time.Hour, root, "")
	check(t, err)
	_, _, err = a.svc.SessionPrincipal(ctx, s.ID)
	check(t, err)
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "")
	check(t, err)
	yes := true
	_, err = a.svc.UpdateAccount(ctx, "lianduwang", auth.Change{Disabled: &yes}, root, "")
	check(t, err)
	_, _, err = a.svc.SessionPrincipal(ctx, s.ID)
	wantErr(t, err, apperr.Unauthenticated)
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "")
	wantErr(t, err, apperr.Unauthenticated)
	_, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	wantErr(t, err, apperr.Unauthenticated)
	no := false
	_, err = a.svc.UpdateAccount(ctx, "lianduwang", auth.Change{Disabled: &no}, root, "")
	check(t, err)
	_, err = a.svc.TokenPrincipal(ctx, tok.Secret, "")
	check(t, err)
}

func testLogoutAndPassword(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	login := func() auth.NewSession {
		s, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
		check(t, err)
		return s
	}
	s1, s2, s3 := login(), login(), login()
	check(t, a.svc.Logout(ctx, s1.ID, "10.0.0.1"))
	_, _, err := a.svc.SessionPrincipal(ctx, s1.ID)
	wantErr(t, err, apperr.Unauthenticated)
	p, _, err := a.svc.SessionPrincipal(ctx, s2.ID)
	check(t, err)
	wantErr(t, a.svc.ChangePassword(ctx, p, "wrong old password", "新的一个足够长的密码", s2.ID, ""), apperr.Invalid)
	check(t, a.svc.ChangePassword(ctx, p, goodPassword+"!", "新的一个足够长的密码", s2.ID, ""))
	_, _, err = a.svc.SessionPrincipal(ctx, s3.ID)
	wantErr(t, err, apperr.Unauthenticated)
	_, _, err = a.svc.SessionPrincipal(ctx, s2.ID)
	check(t, err)
	_, err = a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	wantErr(t, err, apperr.Unauthenticated)
	_, err = a.svc.Login(ctx, "lianduwang", "新的一个足够长的密码", "10.0.0.1")
	check(t, err)
	// An administrator's reset ends every session.
	check(t, a.svc.SetPassword(ctx, "lianduwang", "管理员重置的足够长密码", root, ""))
	_, _, err = a.svc.SessionPrincipal(ctx, s2.ID)
	wantErr(t, err, apperr.Unauthenticated)
	// Guessing the old password with a session counts as failed sign-ins:
	// the account locks, and the right password no longer opens it.
	s4, err := a.svc.Login(ctx, "lianduwang", "管理员重置的足够长密码", "10.0.0.2")
	check(t, err)
	p, _, err = a.svc.SessionPrincipal(ctx, s4.ID)
	check(t, err)
	for range auth.MaxFailures {
		wantErr(t, a.svc.ChangePassword(ctx, p, "a wrong guess", "又一个足够长的新密码", s4.ID, "10.0.0.2"), apperr.Invalid)
	}
	wantErr(t, a.svc.ChangePassword(ctx, p, "管理员重置的足够长密码", "又一个足够长的新密码", s4.ID, "10.0.0.2"), apperr.Busy)
	_, err = a.svc.Login(ctx, "lianduwang", "管理员重置的足够长密码", "10.0.0.3")
	wantErr(t, err, apperr.Busy)
}

func testLoginEvents(t *testing.T, a *accounts) {
	ctx := context.Background()
	a.add(t, officer("lianduwang"))
	s, err := a.svc.Login(ctx, "lianduwang", goodPassword+"!", "10.0.0.1")
	check(t, err)
	check(t, a.svc.Logout(ctx, s.ID, "10.0.0.1"))
	evs, total, err := a.svc.LoginEvents(ctx, auth.EventFilter{Limit: 1, Offset: 1}, root)
	check(t, err)
	if total != 2 || len(evs) != 1 || evs[0].Kind != auth.Login || evs[0].User != "lianduwang" || evs[0].Address != "10.0.0.1" || !evs[0].At.Equal(a.now) {
		t.Fatalf("events %+v of %d", evs, total)
	}
	_, _, err = a.svc.LoginEvents(ctx, auth.EventFilter{Limit: 1}, auth.Principal{Kind: auth.User, Name: "lianduwang", Role: auth.County})
	wantErr(t, err, apperr.Forbidden)
	for _, q := range []string{`UPDATE login_events SET user_name = 'x'`, `DELETE FROM login_events`} {
		if _, err := a.st.SQL().ExecContext(ctx, q); err == nil {
			t.Errorf("%s: the audit of sign-ins was rewritten", q)
		}
	}
}

func testLanguage(t *testing.T, a *accounts) {
	ctx := context.Background()
	p := a.add(t, officer("lianduli")).Principal()
	got, err := a.svc.Account(ctx, "lianduli")
	check(t, err)
	if got.Lang != "" {
		t.Fatalf("a new account's language %q, want none", got.Lang)
	}
	check(t, a.svc.SetLanguage(ctx, p, "en"))
	wantErr(t, a.svc.SetLanguage(ctx, p, "fr"), apperr.Invalid)
	tok := p
	tok.Kind = auth.Token
	wantErr(t, a.svc.SetLanguage(ctx, tok, "zh"), apperr.Forbidden)
	gone := p
	gone.Name = "nobody"
	wantErr(t, a.svc.SetLanguage(ctx, gone, "zh"), apperr.NotFound)
	s, err := a.svc.Login(ctx, "lianduli", goodPassword+"!", "10.0.0.1")
	check(t, err)
	if s.Account.Lang != "en" {
		t.Errorf("sign-in gives the language %q, want en", s.Account.Lang)
	}
	all, err := a.svc.Accounts(ctx, root)
	check(t, err)
	if i := slices.IndexFunc(all, func(x auth.Account) bool { return x.Name == "lianduli" }); i < 0 || all[i].Lang != "en" {
		t.Error("the list of accounts lacks the language")
	}
	if _, _, err := a.svc.SessionPrincipal(ctx, s.ID); err != nil {
		t.Errorf("a session with a language: %v", err)
	}
}
