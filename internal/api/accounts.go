package api

import (
	"net/http"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// sessionPath is the login (POST) and logout (DELETE) route.
const sessionPath = "/api/v1/session"

func (s *Server) accountRoutes() []route {
	return []route{
		{method: "POST", pattern: sessionPath, summary: "Sign in: sets the session cookie, answers the account and the CSRF token", handle: s.login,
			body: credentials{}, resp: sessionBody{}},
		{method: "DELETE", pattern: sessionPath, summary: "Sign out: ends the session", handle: s.logout, resp: done{}},
		{method: "GET", pattern: "/api/v1/me", summary: "Who the request is made by", handle: s.me, resp: meBody{}},
		{method: "POST", pattern: "/api/v1/me/password", summary: "Change one's own password; one's other sessions end", handle: s.changePassword,
			body: passwordChange{}, resp: done{}},
		{method: "GET", pattern: "/api/v1/tokens", summary: "API tokens: one's own, or (administrators) a user's or everyone's", handle: s.tokens,
			query: []param{{"user", "string", "the tokens of this user (administrators; default: one's own, or everyone's for an administrator)"}},
			resp:  itemsOf{auth.APIToken{}}},
		{method: "POST", pattern: "/api/v1/tokens", summary: "Make an API token; its secret is in this answer only", handle: s.createToken,
			status: http.StatusCreated, body: tokenRequest{}, resp: auth.NewToken{}},
		{method: "DELETE", pattern: "/api/v1/tokens/{id}", summary: "Revoke an API token (its user or an administrator)", handle: s.revokeToken, resp: done{}},
		{method: "GET", pattern: "/api/v1/users", summary: "Accounts (administrators)", handle: s.users, resp: itemsOf{auth.Account{}}},
		{method: "POST", pattern: "/api/v1/users", summary: "Add an account (administrators)", handle: s.addUser,
			status: http.StatusCreated, body: newUser{}, resp: auth.Account{}},
		{method: "PATCH", pattern: "/api/v1/users/{name}", summary: "Change an account: role, scope, bureau, display name, disabled, unlock (administrators)",
			handle: s.updateUser, body: auth.Change{}, resp: auth.Account{}},
		{method: "GET", pattern: "/api/v1/audit/logins", summary: "The audit of sign-ins, newest first (administrators)", handle: s.loginEvents,
			query: []param{
				{"user", "string", "account name"},
				{"kind", "string", "login, login_failed, lockout, unlock, logout, password, token_use, token_created, token_revoked"},
				{"limit", "integer", "page size, 1 to 1000 (default 100)"},
				{"offset", "integer", "events to skip (default 0)"},
			}, resp: eventPage{}},
	}
}

type credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type sessionBody struct {
	Account   auth.Account `json:"account"`
	CSRFToken string       `json:"csrf_token"`
	ExpiresAt time.Time    `json:"expires_at"`
}

type done struct {
	Done bool `json:"done"`
}

type meBody struct {
	Principal auth.Principal `json:"principal"`
	Account   *auth.Account  `json:"account,omitempty"`
	// CSRFToken is the session's, for a request made with the cookie.
	CSRFToken string `json:"csrf_token,omitempty"`
}

type passwordChange struct {
	Old string `json:"old_password"`
	New string `json:"new_password"`
}

type tokenRequest struct {
	Name string `json:"name"`
	// User is whose rights the token carries: one's own by default;
	// another's for administrators.
	User string `json:"user,omitempty"`
	// ExpiresInDays defaults to 90.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

type newUser struct {
	auth.Account
	Password string `json:"password"`
}

type eventPage struct {
	Items  []auth.LoginEvent `json:"items"`
	Total  int               `json:"total"`
	Limit  int               `json:"limit"`
	Offset int               `json:"offset"`
}

// withCookie is a success body that also sets or clears the session cookie.
type withCookie struct {
	body   any
	cookie *http.Cookie
}

func (s *Server) login(r *http.Request) (any, error) {
	// A JSON body only: a form on another site cannot send one without
	// the browser asking first (CORS), so it cannot sign anyone in as us.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return nil, apperr.New(apperr.Invalid, "sign in with a JSON body (Content-Type: application/json)", "登录请求须为 JSON（Content-Type: application/json）")
	}
	var c credentials
	if err := readBody(r, &c); err != nil {
		return nil, err
	}
	ns, cookie, err := s.begin(r, c.Name, c.Password)
	if err != nil {
		return nil, err
	}
	return withCookie{sessionBody{ns.Account, ns.CSRF, ns.Expires}, cookie}, nil
}

func (s *Server) logout(r *http.Request) (any, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "no session to end: a token is revoked with DELETE /api/v1/tokens/{id}", "没有可结束的会话：令牌请用 DELETE /api/v1/tokens/{id} 撤销")
	}
	if err := s.acc.Logout(r.Context(), c.Value, s.address(r)); err != nil {
		return nil, err
	}
	return withCookie{done{true}, s.cookie(r, "", -1)}, nil
}

func (s *Server) me(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	body := meBody{Principal: p, CSRFToken: auth.CSRFFromContext(r.Context())}
	if p.Kind == auth.User {
		a, err := s.acc.Account(r.Context(), p.Name)
		if err != nil {
			return nil, err
		}
		body.Account = &a
	}
	return body, nil
}

func (s *Server) changePassword(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	var c passwordChange
	if err := readBody(r, &c); err != nil {
		return nil, err
	}
	keep := ""
	if ck, err := r.Cookie(SessionCookie); err == nil {
		keep = ck.Value
	}
	if err := s.acc.ChangePassword(r.Context(), p, c.Old, c.New, keep, s.address(r)); err != nil {
		return nil, err
	}
	return done{true}, nil
}

// owner is the account whose tokens a principal has by default: a
// person's own, a token's user's.
func owner(p auth.Principal) string {
	name, _, _ := strings.Cut(p.Name, "/")
	return name
}

func (s *Server) tokens(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	user := r.URL.Query().Get("user")
	if user == "" && p.Role != auth.Admin {
		user = owner(p)
	}
	ts, err := s.acc.Tokens(r.Context(), user, p)
	return list{nonNil(ts)}, err
}

func (s *Server) createToken(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	var t tokenRequest
	if err := readBody(r, &t); err != nil {
		return nil, err
	}
	if t.User == "" {
		t.User = owner(p)
	}
	if t.ExpiresInDays == 0 {
		t.ExpiresInDays = 90
	}
	return s.acc.CreateToken(r.Context(), t.User, t.Name, time.Duration(t.ExpiresInDays)*24*time.Hour, p, s.address(r))
}

func (s *Server) revokeToken(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return done{true}, s.acc.RevokeToken(r.Context(), id, p, s.address(r))
}

func (s *Server) users(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	as, err := s.acc.Accounts(r.Context(), p)
	return list{nonNil(as)}, err
}

func (s *Server) addUser(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	var u newUser
	if err := readBody(r, &u); err != nil {
		return nil, err
	}
	return s.acc.AddAccount(r.Context(), u.Account, u.Password, p)
}

func (s *Server) updateUser(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	var c auth.Change
	if err := readBody(r, &c); err != nil {
		return nil, err
	}
	return s.acc.UpdateAccount(r.Context(), r.PathValue("name"), c, p, s.address(r))
}

func (s *Server) loginEvents(r *http.Request) (any, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(q, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	evs, total, err := s.acc.LoginEvents(r.Context(), auth.EventFilter{User: q.Get("user"), Kind: auth.EventKind(q.Get("kind")), Limit: limit, Offset: offset}, p)
	if err != nil {
		return nil, err
	}
	return eventPage{nonNil(evs), total, limit, offset}, nil
}
