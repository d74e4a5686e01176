// Package api is the JSON HTTP API under /api/v1: the registry's records,
// their history, spreadsheet import and export, and an OpenAPI document
// generated from the same route table that the mux is built from.
package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// Body limits: a JSON body is one record; an upload is a whole spreadsheet.
const (
	maxJSON   = 1 << 20
	maxUpload = 64 << 20
)

// Server serves the API over a registry service.
type Server struct {
	reg  *registry.Service
	mon  *monitoring.Service
	comp *compliance.Service // nil: no rectification routes
	econ *economy.Service    // nil: no evaluation routes
	// purch: nil, no purchases' routes.
	purch *gep.PurchaseService
	gep   *gep.Service // nil: no GEP account routes (WithGEP)
	acc   *auth.Service
	// rules: nil, no standards' or alarms' routes.
	rules *rules.Service
	watch *notify.Service // nil: no watch-list routes
	log   *slog.Logger
	// TrustProxy takes the client's address from X-Forwarded-For and
	// TLS from X-Forwarded-Proto: only behind a reverse proxy that sets
	// them (serve --trust-proxy; docs/operations.md).
	TrustProxy bool
	routes     []route
	doc        []byte // the OpenAPI document, generated once from routes
}

// route is one entry of the table that both the mux and the OpenAPI
// document are built from.
type route struct {
	method, pattern, summary string
	// handle returns the success body: a value to encode as JSON, or a download.
	handle func(r *http.Request) (any, error)
	// own, where set in handle's place, writes the response itself: a
	// stream of events (resp eventsOf{...}), which no one body holds.
	own    http.HandlerFunc
	status int   // success status; 0 means 200
	limit  int64 // body limit; 0 means maxJSON
	// public: no role is checked (health, the document, code tables);
	// every other route's service asks the roles' policy (decision 0019).
	public bool
	// For the document: query parameters, a value of the request body's
	// type (upload{} for a spreadsheet), a value of the response body's type
	// (itemsOf{...} for a list, download{} for a file), and the key's
	// form for {key...}.
	query    []param
	body     any
	resp     any
	keyShape string
}

type param struct{ name, typ, desc string }

// New returns a server over the registry, the monitoring data, the
// rectification cases, the rules' standards and alarms, the per-mu
// evaluations and the ecological product purchases, whose callers acc
// authenticates, that logs internal errors to log.
func New(reg *registry.Service, mon *monitoring.Service, comp *compliance.Service, econ *economy.Service, acc *auth.Service, rl *rules.Service,
	purch *gep.PurchaseService, log *slog.Logger, opts ...func(*Server)) *Server {
	s := &Server{reg: reg, mon: mon, comp: comp, econ: econ, acc: acc, rules: rl, purch: purch, log: log}
	for _, o := range opts {
		o(s)
	}
	s.routes = s.table()
	doc, err := openAPI(s.routes)
	if err != nil {
		panic("api: openapi: " + err.Error()) // the table is code: a bad one is a bug
	}
	s.doc = doc
	return s
}

// Handler returns the mux with every route of the table, behind
// authentication and with the security headers. A request that no route
// takes gets the JSON error body like every other error: 405 with the
// methods allowed where the path is known, else 404.
func (s *Server) Handler() http.Handler {
	mux := s.mux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); p != "/" && p != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, r, &apperr.Error{Code: methodNotAllowed,
				Message: fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")),
				Zh:      fmt.Sprintf("%s 不支持 %s 方法，可用：%s", r.URL.Path, r.Method, strings.Join(allow, ", "))})
			return
		}
		s.writeError(w, r, apperr.Newf(apperr.NotFound, "no such route: %s %s", "没有此接口：%s %s", r.Method, r.URL.Path))
	})
	return SecurityHeaders(s.Authenticate(mux))
}

// mux is the route table as a mux.
func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		if rt.own != nil {
			mux.Handle(rt.method+" "+rt.pattern, rt.own)
			continue
		}
		mux.Handle(rt.method+" "+rt.pattern, s.serve(rt))
	}
	return mux
}

// methodNotAllowed is the code of a known path asked with another method.
const methodNotAllowed apperr.Code = "method_not_allowed"

// serve is the one place that writes responses: the success body with the
// route's status, or an error mapped to its status.
func (s *Server) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, cmp.Or(rt.limit, maxJSON))
		v, err := rt.handle(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if l, ok := v.(withLocation); ok {
			w.Header().Set("Location", l.location)
			v = l.body
		}
		if c, ok := v.(withCookie); ok {
			http.SetCookie(w, c.cookie)
			v = c.body
		}
		if d, ok := v.(download); ok {
			w.Header().Set("Content-Type", d.contentType)
			w.Header().Set("Content-Disposition", contentDisposition("attachment", d.name))
			w.Write(d.data)
			return
		}
		body, err := json.Marshal(v)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, cmp.Or(rt.status, http.StatusOK), body)
	})
}

// errorResponse is the body of every error: the "Error" schema.
type errorResponse struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code      apperr.Code        `json:"code"`
	Message   string             `json:"message"`
	MessageZh string             `json:"message_zh"`
	Problems  []registry.Problem `json:"problems,omitempty"`
	// Total counts the problems, of which Problems lists the first
	// registry.MaxProblems.
	Total int `json:"total_problems,omitempty"`
}

// statusOf is apperr's status of a code, and the API's own method_not_allowed.
func statusOf(c apperr.Code) int {
	if c == methodNotAllowed {
		return http.StatusMethodNotAllowed
	}
	return apperr.HTTPStatus(c)
}

// writeError maps err to a status and a body, and logs internal errors;
// their text stays in the log, never in the response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		invalid *registry.InvalidError
		tooBig  *http.MaxBytesError
		status  int
		body    errorBody
	)
	e := apperr.As(err)
	switch {
	case errors.As(err, &invalid):
		status = http.StatusUnprocessableEntity
		body = errorBody{Code: apperr.Invalid, Problems: invalid.Problems, Total: invalid.Total}
		body.Message, body.MessageZh = invalid.Summary()
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
		body = errorBody{Code: apperr.Invalid,
			Message:   fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit),
			MessageZh: fmt.Sprintf("请求体超过 %d 字节", tooBig.Limit)}
	case e != nil && statusOf(e.Code) != 0:
		status = statusOf(e.Code)
		if e.Code == apperr.Busy {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		body = errorBody{Code: e.Code, Message: e.Message, MessageZh: e.Zh}
	default:
		s.log.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		body = errorBody{Code: apperr.Internal, Message: "internal error", MessageZh: "内部错误"}
	}
	b, _ := json.Marshal(errorResponse{body}) // plain strings: cannot fail
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// download is a file response.
type download struct {
	name, contentType string
	data              []byte
}

// contentDisposition is the header of a file named name, as RFC 6266
// gives it: an ASCII filename for old clients, every other character
// replaced, and filename* with the name in UTF-8, percent-encoded, so
// that no quote, semicolon or line break in a name reaches the header.
func contentDisposition(disposition, name string) string {
	ascii := []rune(name)
	for i, r := range ascii {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' || r == '%' {
			ascii[i] = '_'
		}
	}
	var enc strings.Builder
	for _, b := range []byte(name) {
		if ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9') || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disposition, string(ascii), enc.String())
}

// upload marks a spreadsheet request body in the route table.
type upload struct{}

// itemsOf marks a list response {"items": [...]} of elem's type in the route table.
type itemsOf struct{ elem any }

// list is the body of every list response but the enterprises' page.
type list struct {
	Items any `json:"items"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fields decodes a JSON object body into the text fields registry.Service.Save takes.
func fields(r *http.Request) (map[string]string, error) {
	var body map[string]any
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(&body)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Err: err,
			Message: "the body must be one JSON object: " + err.Error(),
			Zh:      "请求体须为一个 JSON 对象：" + err.Error()}
	}
	out := make(map[string]string, len(body))
	for name, v := range body {
		text, ok := registry.FieldText(v)
		if !ok {
			return nil, apperr.Newf(apperr.Invalid, "field %q: give a string, number, boolean or null",
				"字段 %q 应为字符串、数字、布尔值或 null", name)
		}
		out[name] = text
	}
	return out, nil
}

// principal is who makes the request: the principal that authentication
// put in the request's context, never a name the client chose.
func principal(r *http.Request) (auth.Principal, error) {
	if p, ok := auth.FromContext(r.Context()); ok {
		return p, nil
	}
	return auth.Principal{}, apperr.New(apperr.Unauthenticated, "sign in, or give an API token", "请先登录，或提供 API 令牌")
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.Newf(apperr.Invalid, "parameter %s: want a whole number from %d to %d, got %q",
			"参数 %s 应为 %d 至 %d 的整数，实为 %q", name, lo, hi, v)
	}
	return n, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Newf(apperr.Invalid, "parameter %s: want 1/true or 0/false, got %q",
			"参数 %s 应为 1/true 或 0/false，实为 %q", name, v)
	}
	return b, nil
}
