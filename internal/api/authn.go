package api

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// SessionCookie is the browser session's cookie: HttpOnly, SameSite=Lax,
// Secure over TLS; its value is the session's id, which the store keeps
// only as a SHA-256.
const SessionCookie = "ecoind_session"

// PublicPaths are what anyone may ask without signing in: a path ending
// in "/" covers everything under it. The login route (POST
// /api/v1/session) is public too. The web pages add theirs.
var PublicPaths = []string{"/healthz", "/login", "/login/", "/static/", "/lang"}

func public(r *http.Request) bool { return publicPath(r.Method, r.URL.Path) }

func publicPath(method, path string) bool {
	if method == http.MethodPost && path == sessionPath {
		return true
	}
	for _, p := range PublicPaths {
		if path == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return true
		}
	}
	return false
}

// safe methods change nothing: no CSRF token is asked of them.
func safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// Authenticate puts the request's principal in its context, from a bearer
// token or the session cookie, with the session's CSRF token; a cookie
// request that would change something must carry that token (header
// X-CSRF-Token or form field csrf). Anonymous requests reach only the
// public paths; a browser asking for another page is sent to /login, any
// other caller gets 401.
func (s *Server) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.writeError(w, r, apperr.New(apperr.Unauthenticated, "the Authorization header must be: Bearer TOKEN", "Authorization 请求头应为：Bearer 令牌"))
				return
			}
			p, err := s.acc.TokenPrincipal(ctx, strings.TrimSpace(token), s.address(r))
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(ctx, p)))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil {
			p, csrf, err := s.acc.SessionPrincipal(ctx, c.Value)
			switch {
			case err == nil:
				if !safe(r.Method) && !public(r) && !csrfMatches(r, csrf) {
					s.writeError(w, r, apperr.New(apperr.Forbidden, "the CSRF token is missing or wrong: reload the page",
						"CSRF 令牌缺失或错误，请刷新页面"))
					return
				}
				next.ServeHTTP(w, r.WithContext(auth.WithCSRF(auth.WithPrincipal(ctx, p), csrf)))
				return
			case apperr.CodeOf(err) != apperr.Unauthenticated:
				s.writeError(w, r, err)
				return
			}
			// An ended session is no one: as if there were no cookie.
		}
		switch {
		case public(r) && !safe(r.Method) && crossSite(r):
			// A public form another site submits (signing a visitor in as
			// someone else): refused, as no CSRF token can guard it.
			s.writeError(w, r, apperr.New(apperr.Forbidden, "a request from another site is refused", "拒绝来自其他网站的请求"))
		case public(r):
			next.ServeHTTP(w, r)
		case r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html"):
			// Back to the page asked for once signed in.
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		default:
			s.writeError(w, r, apperr.New(apperr.Unauthenticated, "sign in, or give an API token (Authorization: Bearer TOKEN)",
				"请先登录，或提供 API 令牌（Authorization: Bearer 令牌）"))
		}
	})
}

// crossSite reports whether a browser says the request comes from another
// site: its Sec-Fetch-Site, or an Origin other than the host. Scripts
// send neither.
func crossSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err != nil || u.Host != r.Host
	}
	return false
}

// csrfMatches reports whether the request carries the session's CSRF
// token, in the header or, for a form, in its field csrf.
func csrfMatches(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
			r.Body = http.MaxBytesReader(nil, r.Body, maxUpload)
			got = r.PostFormValue("csrf") // never from the URL, where logs would keep it
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// address is the client's address: the connection's peer, or, behind a
// reverse proxy the server was told to trust (--trust-proxy), the last
// address of X-Forwarded-For, the one that proxy added.
func (s *Server) address(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			all := strings.Split(strings.Join(xff, ","), ",")
			if a := strings.TrimSpace(all[len(all)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether the browser reached us over TLS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// Login checks name and password and begins a browser session: the
// cookie is set on w, and any session the request came with is ended
// (a session id is never reused across a sign-in). The web pages' login
// form calls it.
func (s *Server) Login(w http.ResponseWriter, r *http.Request, name, password string) (auth.NewSession, error) {
	ns, cookie, err := s.begin(r, name, password)
	if err == nil {
		http.SetCookie(w, cookie)
	}
	return ns, err
}

// begin signs in and returns the new session and its cookie.
func (s *Server) begin(r *http.Request, name, password string) (auth.NewSession, *http.Cookie, error) {
	ns, err := s.acc.Login(r.Context(), name, password, s.address(r))
	if err != nil {
		return auth.NewSession{}, nil, err
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.acc.Logout(r.Context(), c.Value, s.address(r)) // the old one, if still there
	}
	return ns, s.cookie(r, ns.ID, int(auth.AbsoluteExpiry.Seconds())), nil
}

// Logout ends the request's browser session and clears its cookie.
func (s *Server) Logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return apperr.New(apperr.Unauthenticated, "not signed in", "未登录")
	}
	http.SetCookie(w, s.cookie(r, "", -1))
	if err := s.acc.Logout(r.Context(), c.Value, s.address(r)); err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	return nil
}

// Client is the request's client address, as the audit records it, and
// its browser session's id ("" without one): the pages' account forms
// pass them to auth.Service.
func (s *Server) Client(r *http.Request) (address, session string) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		session = c.Value
	}
	return s.address(r), session
}

func (s *Server) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)}
}

// SecurityHeaders sets the headers every response carries: no MIME
// sniffing, no framing, scripts and styles from this server only (no
// inline script), and no referrer to other sites.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
