package web

import (
	"net/http"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// errNoAccounts: a server without accounts (a test's) signs nobody in.
var errNoAccounts = apperr.New(apperr.Conflict, "sign-in is not available: accounts are not set up on this server",
	"无法登录：本服务器尚未启用账户")

type loginData struct {
	Next, Name string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r)
	v.page, v.Title = "login", "login.title"
	v.Data = loginData{Next: localPath(r.URL.Query().Get("next"))}
	s.render(w, v)
}

// login signs in through the accounts service and goes where the page
// that sent here was; a failure shows the form again with the reason.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name, next := r.PostFormValue("name"), localPath(r.PostFormValue("next"))
	var err error = errNoAccounts
	if s.acc != nil {
		var ns auth.NewSession
		if ns, err = s.acc.Login(w, r, name, r.PostFormValue("password")); err == nil {
			if l := ns.Account.Lang; l != "" {
				setLangCookie(w, l) // the language the person chose before
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	v := s.newView(r)
	v.page, v.Title = "login", "login.title"
	v.Data = loginData{Next: next, Name: name}
	s.fail(v, r, err)
	s.render(w, v)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.acc != nil {
		if err := s.acc.Logout(w, r); err != nil && apperr.CodeOf(err) != apperr.Unauthenticated {
			v := s.newView(r)
			s.fail(v, r, err)
			s.render(w, v)
			return
		}
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
