// Package auth says who is calling. A Principal goes with every request to
// the services, in place of a name the caller chose: the history and the
// audit log record who made a change from it, and the roles and scopes of
// accounts (the dashboard's issue) are checked against it below the
// handlers, in one place.
package auth

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"ecoindustry/internal/apperr"
)

// Kind is how a principal came in.
type Kind string

const (
	// CLI is a person at the command line: they can read the data
	// directory or the database, and so everything.
	CLI Kind = "cli"
	// API is a caller of the HTTP API.
	API Kind = "api"
	// System is the server itself: relapse evidence from monitoring, the
	// demo's generated history.
	System Kind = "system"
	// User is a person signed in with an account.
	User Kind = "user"
	// Token is a script or another system with an API token, carrying
	// the rights of the user who made it.
	Token Kind = "token"
)

// Role is what a principal may do (the dashboard's issue, §2); "" for
// the command line and the server, which may do everything.
type Role string

const (
	Admin      Role = "admin"      // the city's administrators: everything, accounts included
	City       Role = "city"       // a city bureau's officer: reads everything, writes what the bureau owns
	County     Role = "county"     // as city, within one county
	Park       Role = "park"       // a park's manager: reads the park's enterprises
	Inspector  Role = "inspector"  // reads the county, acts on the cases assigned
	Enterprise Role = "enterprise" // reads its own enterprise only
)

// Bureau is the city or county bureau an officer works for: it decides
// what they may write.
type Bureau string

const (
	Ecology    Bureau = "ecology"    // 生态环境局: environmental records, permits, outlets, campaigns, cases
	Economy    Bureau = "economy"    // 经济和信息化局: economic data and evaluations
	Statistics Bureau = "statistics" // 统计局: reads only
)

// Scope narrows a role to a county, a park or one enterprise.
type Scope struct {
	County string `json:"county,omitempty"` // GB/T 2260 code
	Park   string `json:"park,omitempty"`   // park code
	USCC   string `json:"uscc,omitempty"`   // one enterprise
}

// Principal is who makes a request.
type Principal struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Role   Role   `json:"role,omitempty"`
	Bureau Bureau `json:"bureau,omitempty"`
	Scope  Scope  `json:"scope,omitempty"`
}

// Command returns the person at the command line.
func Command(user string) Principal { return Principal{Kind: CLI, Name: user} }

// Server returns the server acting on its own, as component.
func Server(component string) Principal { return Principal{Kind: System, Name: component} }

// Actor is how the history and the audit log name p: "kind:name".
func (p Principal) Actor() string { return string(p.Kind) + ":" + p.Name }

// maxName bounds a principal's name, which the history keeps with every change.
const maxName = 64

// Check refuses a principal that names no one: every change is made by
// somebody.
func (p Principal) Check() error {
	switch {
	case p.Kind == "" || strings.TrimSpace(p.Name) == "":
		return apperr.New(apperr.Invalid, "an actor is required: who makes this change", "须注明操作人")
	case utf8.RuneCountInString(p.Name) > maxName || !utf8.ValidString(p.Name) || strings.ContainsFunc(p.Name, unicode.IsControl):
		return apperr.Newf(apperr.Invalid, "the actor's name must be at most %d characters of text", "操作人名称须为不超过 %d 个字符的文本", maxName)
	}
	return nil
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p, for the handlers below the one
// that authenticated the request.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal ctx carries, and whether it carries one.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

type csrfKey struct{}

// WithCSRF returns ctx carrying the CSRF token of the request's browser
// session, for pages to put in their forms (field "csrf").
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

// CSRFFromContext returns the CSRF token of the request's browser session,
// "" when the request came with no session (a token, or no one).
func CSRFFromContext(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey{}).(string)
	return s
}
