package web

import (
	"net/http"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
)

// WithWatchLists serves the accounts' watch-list page (decision 0027).
func WithWatchLists(w *notify.Service) func(*Server) { return func(s *Server) { s.watch = w } }

var noWatchLists = apperr.New(apperr.NotFound, "watch-lists are not available on this server", "本服务未提供关注列表")

type watchRow struct {
	notify.Watch
	Label string // the enterprise's, county's or industry's name
}

type watchData struct {
	Items []watchRow
	Email string
	Kinds []string
	Done  string
}

// watchList is the person's own watch-list, with forms to add an item,
// take one off and set the digest's address.
func (s *Server) watchList(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "watchlist", "watchlist", "watch.title"
	if s.watch == nil {
		return noWatchLists
	}
	ctx := r.Context()
	l, err := s.watch.List(ctx, v.Principal)
	if err != nil {
		return err
	}
	d := &watchData{Email: l.Email, Kinds: []string{notify.Enterprise, notify.County, notify.Industry}, Done: r.URL.Query().Get("done")}
	v.Data = d
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	var usccs []string
	for _, w := range l.Items {
		if w.Kind == notify.Enterprise {
			usccs = append(usccs, w.Value)
		}
	}
	names, err := s.namesOf(r, usccs)
	if err != nil {
		return err
	}
	for _, w := range l.Items {
		row := watchRow{Watch: w}
		switch w.Kind {
		case notify.Enterprise:
			row.Label = names[w.Value]
		case notify.County:
			if u, ok := registry.FindUnit(units, w.Value); ok {
				row.Label = pickLang(v.Lang, u.Name, u.NameEn)
			}
		case notify.Industry:
			n, _ := registry.IndustryName(w.Value)
			row.Label = strings.TrimSpace(n)
		}
		d.Items = append(d.Items, row)
	}
	return nil
}

// watchChange adds an item, removes one or sets the address, then shows
// the list again (with the refusal's reason, if any).
func (s *Server) watchChange(v *view, r *http.Request) error {
	if s.watch == nil {
		return noWatchLists
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "the form could not be read: "+err.Error(), "无法读取表单："+err.Error())
	}
	f := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	var err error
	switch step := r.PathValue("step"); step {
	case "add":
		_, err = s.watch.Add(r.Context(), v.Principal, f("kind"), f("value"))
	case "remove":
		var id int64
		if id, err = strconv.ParseInt(f("id"), 10, 64); err != nil {
			err = apperr.New(apperr.Invalid, "the form lacks the item's id", "表单缺少关注项编号")
		} else {
			err = s.watch.Remove(r.Context(), v.Principal, id)
		}
	case "email":
		err = s.watch.SetEmail(r.Context(), v.Principal, f("email"))
	default:
		return apperr.Newf(apperr.NotFound, "no step %q", "没有步骤 %q", step)
	}
	if err == nil {
		v.redirect = "/watchlist?done=1"
		return nil
	}
	if lerr := s.watchList(v, r); lerr != nil {
		return lerr
	}
	return err
}
