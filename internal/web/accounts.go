package web

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/web/i18n"
)

// The account pages (issue 13): everyone's own account, password and
// tokens; the administrators' accounts and sign-in audit. Every rule is
// auth.Service's: the pages ask it as the request's principal and show
// its refusals.

// Roles, bureaus and event kinds the forms and filters offer; their
// labels are the catalogue's role.*, bureau.* and event.* keys.
var (
	roles      = []auth.Role{auth.Admin, auth.City, auth.County, auth.Park, auth.Inspector, auth.Enterprise}
	bureaus    = []auth.Bureau{auth.Ecology, auth.Economy, auth.Statistics}
	eventKinds = []auth.EventKind{auth.Login, auth.LoginFailed, auth.Lockout, auth.Unlock, auth.Logout, auth.PasswordSet,
		auth.TokenUse, auth.TokenCreated, auth.TokenRevoked}
)

// client is the request's address, as the audit records it, and its
// browser session's id ("" without one), which a password change keeps.
func (s *Server) client(r *http.Request) (address, session string) {
	if s.acc != nil {
		return s.acc.Client(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr, ""
	}
	return host, ""
}

// accounts is the accounts service, or an error when the server has none.
func (s *Server) accounts() (*auth.Service, error) {
	if s.users == nil {
		return nil, errNoAccounts
	}
	return s.users, nil
}

// errorIn is err's message in language l, for beside a form's field;
// ok is false for an error that is not the person's to correct.
func errorIn(l string, err error) (msg string, ok bool) {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal {
		return "", false
	}
	return pickLang(l, e.Zh, e.Message), true
}

type accountData struct {
	Account  auth.Account
	Tokens   []auth.APIToken
	NewToken *auth.NewToken
	// Fields are errors beside the form's fields, by field name.
	Fields    map[string]string
	TokenName string
	Days      string
	Done      string
	// NotPerson: the principal is a token or a program, not a person.
	NotPerson bool
}

// account is one's own account, password form and tokens.
func (s *Server) account(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "account", "account", "account.title"
	d := &accountData{Fields: map[string]string{}, Days: "90", Done: r.URL.Query().Get("done")}
	v.Data = d
	return s.fillAccount(v, r, d)
}

func (s *Server) fillAccount(v *view, r *http.Request, d *accountData) error {
	if v.Principal.Kind != auth.User {
		d.NotPerson = true
		v.Status = http.StatusForbidden
		return nil
	}
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	if d.Account, err = acc.Account(r.Context(), v.Principal.Name); err != nil {
		return err
	}
	d.Tokens, err = acc.Tokens(r.Context(), v.Principal.Name, v.Principal)
	return err
}

// changePassword changes one's own password: the other sessions end.
func (s *Server) changePassword(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "account", "account", "account.title"
	d := &accountData{Fields: map[string]string{}, Days: "90"}
	v.Data = d
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	l, old, pw := v.Lang, r.PostFormValue("old"), r.PostFormValue("new")
	switch {
	case v.Principal.Kind != auth.User:
	case pw != r.PostFormValue("confirm"):
		d.Fields["confirm"] = i18n.T(l, "account.mismatch")
	default:
		// The new password is checked first, so that any refusal of the
		// change itself is the old password's.
		if err := auth.CheckPassword(v.Principal.Name, pw); err != nil {
			msg, ok := errorIn(v.Lang, err)
			if !ok {
				return err
			}
			d.Fields["new"] = msg
			break
		}
		address, keep := s.client(r)
		err := acc.ChangePassword(r.Context(), v.Principal, old, pw, keep, address)
		if err == nil {
			v.redirect = "/account?done=password"
			return nil
		}
		msg, ok := errorIn(v.Lang, err)
		if !ok || apperr.CodeOf(err) != apperr.Invalid {
			return err
		}
		d.Fields["old"] = msg
	}
	v.Status = http.StatusUnprocessableEntity
	return s.fillAccount(v, r, d)
}

// createToken makes one of one's own tokens and shows its secret, once.
func (s *Server) createToken(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "account", "account", "account.title"
	d := &accountData{Fields: map[string]string{}, TokenName: strings.TrimSpace(r.PostFormValue("name")), Days: r.PostFormValue("days")}
	v.Data = d
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	l := v.Lang
	days, err := strconv.Atoi(strings.TrimSpace(d.Days))
	switch {
	case v.Principal.Kind != auth.User:
	case err != nil || days < 1 || days > 730:
		d.Fields["days"] = i18n.T(l, "token.days_range")
	default:
		address, _ := s.client(r)
		t, err := acc.CreateToken(r.Context(), v.Principal.Name, d.TokenName, time.Duration(days)*24*time.Hour, v.Principal, address)
		if err == nil {
			d.NewToken, d.TokenName, d.Days = &t, "", "90"
			return s.fillAccount(v, r, d)
		}
		msg, ok := errorIn(v.Lang, err)
		if !ok {
			return err
		}
		d.Fields["token_name"] = msg
	}
	v.Status = http.StatusUnprocessableEntity
	return s.fillAccount(v, r, d)
}

// revokeToken revokes a token, one's own or (administrators) anyone's,
// and goes back to the page the form was on.
func (s *Server) revokeToken(v *view, r *http.Request) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "no such token", "没有此令牌")
	}
	address, _ := s.client(r)
	if err := acc.RevokeToken(r.Context(), id, v.Principal, address); err != nil {
		return err
	}
	back := localPath(r.PostFormValue("back"))
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	v.redirect = back + sep + "done=revoked"
	return nil
}

// accountForm is the administrators' form of an account.
type accountForm struct {
	Name, Display, Role, Bureau, County, Park, USCC string
}

func (f accountForm) account() auth.Account {
	return auth.Account{Name: f.Name, Display: f.Display, Role: auth.Role(f.Role), Bureau: auth.Bureau(f.Bureau),
		Scope: auth.Scope{County: f.County, Park: f.Park, USCC: f.USCC}}
}

func formOf(r *http.Request) accountForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return accountForm{Name: v("name"), Display: v("display"), Role: v("role"), Bureau: v("bureau"),
		County: v("county"), Park: v("park"), USCC: strings.ToUpper(v("uscc"))}
}

type usersData struct {
	Accounts []auth.Account
	Roles    []auth.Role
	Bureaus  []auth.Bureau
	Form     accountForm
	Now      time.Time
	Done     string
	// Created is the account just added and Password its password, shown once.
	Created  string
	Password string
	// User is the one account shown for a change, with its tokens.
	User   *auth.Account
	Tokens []auth.APIToken
}

// adminUsers lists the accounts, with the form to add one; the service
// refuses anyone but an administrator.
func (s *Server) adminUsers(v *view, r *http.Request) error {
	_, err := s.usersPage(v, r)
	return err
}

func (s *Server) usersPage(v *view, r *http.Request) (*usersData, error) {
	v.page, v.Nav, v.Title = "users", "users", "users.title"
	acc, err := s.accounts()
	if err != nil {
		return nil, err
	}
	d := &usersData{Roles: roles, Bureaus: bureaus, Now: s.now(), Done: r.URL.Query().Get("done")}
	if d.Accounts, err = acc.Accounts(r.Context(), v.Principal); err != nil {
		return nil, err
	}
	v.Data = d
	return d, nil
}

// addUser adds an account with the password typed, or one generated;
// either is shown once.
func (s *Server) addUser(v *view, r *http.Request) error {
	d, err := s.usersPage(v, r)
	if err != nil {
		return err
	}
	d.Form = formOf(r)
	pw := r.PostFormValue("password")
	if pw == "" {
		pw = auth.GeneratePassword()
	}
	a, err := s.users.AddAccount(r.Context(), d.Form.account(), pw, v.Principal)
	if err != nil {
		return err
	}
	d.Created, d.Password, d.Form = a.Name, pw, accountForm{}
	d.Accounts, err = s.users.Accounts(r.Context(), v.Principal)
	return err
}

// adminUser is one account, to change, with its tokens.
func (s *Server) adminUser(v *view, r *http.Request) error {
	d, err := s.usersPage(v, r)
	if err != nil {
		return err
	}
	return s.fillUser(r, v, d, r.PathValue("name"))
}

func (s *Server) fillUser(r *http.Request, v *view, d *usersData, name string) error {
	i := slices.IndexFunc(d.Accounts, func(a auth.Account) bool { return a.Name == name })
	if i < 0 {
		return apperr.Newf(apperr.NotFound, "no account %q", "没有此账户：%q", name)
	}
	d.User = &d.Accounts[i]
	if d.Form.Name == "" {
		a := d.User
		d.Form = accountForm{Name: a.Name, Display: a.Display, Role: string(a.Role), Bureau: string(a.Bureau),
			County: a.Scope.County, Park: a.Scope.Park, USCC: a.Scope.USCC}
	}
	var err error
	d.Tokens, err = s.users.Tokens(r.Context(), name, v.Principal)
	return err
}

// updateUser changes an account: display name, role, bureau, scope,
// disabled, and lifts a lockout if asked.
func (s *Server) updateUser(v *view, r *http.Request) error {
	d, err := s.usersPage(v, r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	f := formOf(r)
	f.Name = name
	a := f.account()
	disabled := r.PostFormValue("disabled") == "1"
	c := auth.Change{Display: &a.Display, Role: &a.Role, Bureau: &a.Bureau, Scope: &a.Scope, Disabled: &disabled,
		Unlock: r.PostFormValue("unlock") == "1"}
	address, _ := s.client(r)
	if _, err := s.users.UpdateAccount(r.Context(), name, c, v.Principal, address); err != nil {
		d.Form = f
		return firstOf(err, s.fillUser(r, v, d, name))
	}
	v.redirect = "/admin/users/" + url.PathEscape(name) + "?done=saved"
	return nil
}

// firstOf is err, unless showing the page failed worse.
func firstOf(err, page error) error {
	if page != nil && apperr.CodeOf(page) == apperr.Internal {
		return page
	}
	return err
}

type loginsData struct {
	Items      []auth.LoginEvent
	Kinds      []auth.EventKind
	User, Kind string
	Total      int
	From, To   int
	Prev, Next string
}

// adminLogins is the audit of sign-ins, newest first, 50 a page.
func (s *Server) adminLogins(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "logins", "logins", "logins.title"
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &loginsData{Kinds: eventKinds, User: strings.TrimSpace(q.Get("user")), Kind: q.Get("kind")}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	if d.Items, d.Total, err = acc.LoginEvents(r.Context(), auth.EventFilter{User: d.User, Kind: auth.EventKind(d.Kind), Limit: pageSize, Offset: offset}, v.Principal); err != nil {
		return err
	}
	v.Data = d
	d.From, d.To = min(offset+1, d.Total), min(offset+len(d.Items), d.Total)
	link := func(off int) string {
		p := url.Values{"offset": {strconv.Itoa(off)}}
		if d.User != "" {
			p.Set("user", d.User)
		}
		if d.Kind != "" {
			p.Set("kind", d.Kind)
		}
		return "/admin/logins?" + p.Encode()
	}
	if offset > 0 {
		d.Prev = link(max(offset-pageSize, 0))
	}
	if offset+pageSize < d.Total {
		d.Next = link(offset + pageSize)
	}
	return nil
}
