// Package web is the dashboard: server-rendered pages (html/template) over
// the same services as the JSON API, with htmx for partial updates and
// Apache ECharts for charts and the map of Lishui's nine counties. Every
// page acts as the principal of the request's context; every string goes
// through the message catalogue (package i18n). Third-party JavaScript and
// the county boundaries are built from npm into static/vendor (`make
// assets`) and embedded; without them the pages say so (decision 0020).
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/web/i18n"
)

//go:embed templates static
var files embed.FS

// Accounts signs people in and out, setting and clearing the session
// cookie: the API's server (api.Server.Login, Logout, Client).
type Accounts interface {
	Login(w http.ResponseWriter, r *http.Request, name, password string) (auth.NewSession, error)
	Logout(w http.ResponseWriter, r *http.Request) error
	// Client is the request's client address, as the audit records it,
	// and its browser session's id ("" without one).
	Client(r *http.Request) (address, session string)
}

// csrfToken is the request's CSRF token, which every state-changing form
// carries in its csrf field and htmx sends as X-CSRF-Token: the
// authentication put it in the context, and checks it.
func csrfToken(r *http.Request) string { return auth.CSRFFromContext(r.Context()) }

// allowed is err, but nil for a refusal of the principal's role: a page
// shows what the role may see, without the parts it may not (a park's
// manager sees no cases, an enterprise's user no campaign).
func allowed(err error) error {
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil
	}
	return err
}

// who is the request's principal: page sends a request without one to
// sign in before any handler runs.
func who(r *http.Request) auth.Principal {
	p, _ := auth.FromContext(r.Context())
	return p
}

// Server serves the pages.
type Server struct {
	reg   *registry.Service
	mon   *monitoring.Service
	comp  *compliance.Service
	econ  *economy.Service // per-mu evaluation; nil: its pages say so
	rules *rules.Service   // alarms; nil: the alarm pages say so
	watch *notify.Service  // watch-lists; nil: the page says so
	acc   Accounts         // nil: sign-in is not available (tests)
	users *auth.Service    // the accounts the account pages manage; nil: not available
	log   *slog.Logger
	pages map[string]map[string]*template.Template // language, page
	// built: the vendored assets are in static/vendor (make assets).
	built   bool
	imports *uploads
	now     func() time.Time
	// GEP runs and purchases, and the data directory (WithGEP); nil: their pages say so.
	gep     *gep.Service
	purch   *gep.PurchaseService
	dataDir string
}

// New returns the pages over the services; acc (sign-in) and users (the
// account pages) may be nil, in tests.
func New(reg *registry.Service, mon *monitoring.Service, comp *compliance.Service, econ *economy.Service, rul *rules.Service, acc Accounts, users *auth.Service, log *slog.Logger,
	opts ...func(*Server)) *Server {
	s := &Server{reg: reg, mon: mon, comp: comp, econ: econ, rules: rul, acc: acc, users: users, log: log, imports: newUploads(), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.pages = parsePages()
	_, err := fs.Stat(files, "static/vendor/echarts.min.js")
	s.built = err == nil
	return s
}

// Handler returns the pages' mux, under a Content-Security-Policy that
// allows no inline script.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /lang", s.setLang)
	for _, p := range []struct {
		pattern string
		h       func(*view, *http.Request) error
	}{
		{"GET /{$}", s.overview},
		{"GET /enterprises", s.enterprises},
		{"GET /enterprises/{uscc}", s.enterprise},
		{"GET /monitoring", s.monitoring},
		{"GET /monitoring/loggers/{mn}", s.logger},
		{"GET /alarms", s.alarms},
		{"GET /compliance", s.countyGrids},
		{"GET /enterprises/{uscc}/compliance", s.enterpriseCompliance},
		{"GET /alarms/{id}", s.alarm},
		{"POST /alarms/{id}/{step}", s.alarmStep},
		{"GET /outlets/{uscc}/{outlet}/effluent", s.effluent},
		{"GET /watchlist", s.watchList},
		{"POST /watchlist/{step}", s.watchChange},
		{"GET /screenings", s.screenings},
		{"GET /screenings/{id}", s.screening},
		{"GET /campaigns", s.campaigns},
		{"GET /campaigns/{id}", s.campaign},
		{"GET /cases", s.cases},
		{"GET /cases/{id}", s.casePage},
		{"POST /cases/{id}/{step}", s.caseStep},
		{"GET /evaluations", s.evaluations},
		{"GET /evaluations/{id}", s.evaluation},
		{"POST /evaluations/{id}/{step}", s.evaluationStep},
		{"GET /enterprises/{uscc}/evaluations", s.enterpriseEvaluations},
		{"GET /import", s.importForm},
		{"POST /import", s.importCheck},
		{"POST /import/commit", s.importCommit},
		{"GET /account", s.account},
		{"POST /account/password", s.changePassword},
		{"POST /account/tokens", s.createToken},
		{"POST /tokens/{id}/revoke", s.revokeToken},
		{"GET /admin/users", s.adminUsers},
		{"POST /admin/users", s.addUser},
		{"GET /admin/users/{name}", s.adminUser},
		{"POST /admin/users/{name}", s.updateUser},
		{"GET /admin/logins", s.adminLogins},
		{"GET /gep", s.gepPage},
		{"GET /gep/runs/{id}", s.gepRun},
		{"GET /gep/purchases", s.gepPurchases},
		{"GET /gep/purchases/{id}", s.gepPurchase},
	} {
		mux.Handle(p.pattern, s.page(p.h))
	}
	for _, p := range s.industryRoutes() {
		mux.Handle(p.pattern, s.page(p.h))
	}
	mux.HandleFunc("GET /gep/runs/{id}/maps/{service}", s.gepMap)
	mux.Handle("/", s.page(func(*view, *http.Request) error {
		return apperr.New(apperr.NotFound, "no such page", "没有此页面")
	}))
	return secure(mux)
}

// csp: scripts only from our own files; styles may be set by ECharts
// and htmx at run time.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// view is what every page's template gets.
type view struct {
	Lang        string
	Principal   auth.Principal
	CSRF        string
	Path        string // the request's path and query, for the language switch
	Nav         string // the menu entry of the page
	Title       string // a catalogue key, or text with TitleText
	TitleText   string
	AssetsBuilt bool
	Error       *problem
	Status      int
	page        string
	redirect    string // after a change: where the browser goes (PRG)
	Data        any
}

// Can reports whether the view's principal may list what (a policy's
// auth.What: "campaign", "case", "screening"...), so that the menu offers
// only pages the role may open.
func (v *view) Can(what string) bool { return auth.CanList(v.Principal, auth.What(what)) == nil }

// CanImport reports whether the view's principal may write the registry's
// records, which an import does.
func (v *view) CanImport() bool { return auth.MayWrite(v.Principal, auth.Records, auth.Ecology) == nil }

// Admin reports whether the view's principal is an administrator, to
// whom the menu offers the accounts and the sign-in audit.
func (v *view) Admin() bool { return v.Principal.Role == auth.Admin }

// problem is an error as officials read it: Chinese with the English beside.
type problem struct {
	Zh, En   string
	Problems []registry.Problem
	Total    int
}

// maxForm bounds a form's body: a spreadsheet, or a few photos from a phone.
const maxForm = 64<<20 + 1<<20

// page runs h as the request's principal and renders the page h names;
// without a principal it sends the browser to sign in.
func (s *Server) page(h func(*view, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		v := s.newView(r)
		v.Principal = p
		if err := h(v, r); err != nil {
			s.fail(v, r, err)
		}
		if v.redirect != "" {
			http.Redirect(w, r, v.redirect, http.StatusSeeOther)
			return
		}
		s.render(w, v)
	})
}

func (s *Server) newView(r *http.Request) *view {
	return &view{Lang: lang(r), CSRF: csrfToken(r), Path: r.URL.RequestURI(), AssetsBuilt: s.built}
}

// fail turns err into the view's error and status; a page already chosen
// is shown with the error above it, else the error page.
func (s *Server) fail(v *view, r *http.Request, err error) {
	var (
		invalid *registry.InvalidError
		tooBig  *http.MaxBytesError
	)
	e := apperr.As(err)
	switch {
	case errors.As(err, &invalid):
		en, zh := invalid.Summary()
		v.Error, v.Status = &problem{Zh: zh, En: en, Problems: invalid.Problems, Total: invalid.Total}, http.StatusUnprocessableEntity
	case errors.As(err, &tooBig):
		v.Error, v.Status = &problem{Zh: fmt.Sprintf("提交的内容超过 %d 字节", tooBig.Limit),
			En: fmt.Sprintf("what was sent is larger than %d bytes", tooBig.Limit)}, http.StatusRequestEntityTooLarge
	case e != nil && apperr.HTTPStatus(e.Code) != 0:
		v.Error, v.Status = &problem{Zh: e.Zh, En: e.Message}, apperr.HTTPStatus(e.Code)
	default:
		s.log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		v.Error, v.Status = &problem{Zh: "内部错误", En: "internal error"}, http.StatusInternalServerError
	}
	if v.page == "" {
		v.page, v.Title = "error", "error.title"
	}
}

// render writes the view's page in its language.
func (s *Server) render(w http.ResponseWriter, v *view) {
	var b bytes.Buffer
	if err := s.pages[v.Lang][v.page].ExecuteTemplate(&b, "layout", v); err != nil {
		s.log.Error("web: render", "page", v.page, "err", err)
		http.Error(w, "内部错误 / internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	w.Write(b.Bytes())
}

// lang is the language the request's `lang` cookie chose, else Chinese.
func lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

// setLang remembers the language chosen for a year and goes back; a
// person signed in has it kept with their account too, for their next
// sign-in on any browser, when the switch was clicked on one of our own
// pages (Sec-Fetch-Site): a link on another site changes no account.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("l")
	if l != "en" {
		l = "zh"
	}
	if p, ok := auth.FromContext(r.Context()); ok && p.Kind == auth.User && s.users != nil && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		if err := s.users.SetLanguage(r.Context(), p, l); err != nil {
			s.log.WarnContext(r.Context(), "web: keep the language", "user", p.Name, "err", err)
		}
	}
	setLangCookie(w, l)
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

func setLangCookie(w http.ResponseWriter, l string) {
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// localPath is next if it is a path on this server, else the overview:
// no redirect leaves the site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// parsePages parses each page with the layout, once per language, the
// catalogue's t bound to it.
func parsePages() map[string]map[string]*template.Template {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*template.Template{}
	for _, l := range i18n.Languages {
		base := template.Must(template.New("").Funcs(funcs(l)).ParseFS(files, "templates/layout.html"))
		out[l] = map[string]*template.Template{}
		for _, n := range names {
			name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
			if name == "layout" {
				continue
			}
			out[l][name] = template.Must(template.Must(base.Clone()).ParseFS(files, n))
		}
	}
	return out
}
