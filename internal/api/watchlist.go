package api

import (
	"net/http"

	"ecoindustry/internal/notify"
)

// WithWatchLists serves the accounts' watch-lists (decision 0027).
func WithWatchLists(w *notify.Service) func(*Server) { return func(s *Server) { s.watch = w } }

func (s *Server) watchRoutes() []route {
	if s.watch == nil {
		return nil
	}
	return []route{
		{method: "GET", pattern: "/api/v1/watchlist", summary: "Your own watch-list (关注列表) and the address of its daily digest", handle: s.watchList, resp: notify.WatchList{}},
		{method: "POST", pattern: "/api/v1/watchlist", summary: "Watch an enterprise (USCC), a county (GB/T 2260 code or name) or an industry (GB/T 4754-2017 prefix of 2 to 4 digits)",
			handle: s.addWatch, status: http.StatusCreated, body: watchBody{}, resp: notify.Watch{}},
		{method: "DELETE", pattern: "/api/v1/watchlist/{id}", summary: "Stop watching an item of your list", handle: s.removeWatch, resp: done{}},
		{method: "PUT", pattern: "/api/v1/watchlist/email", summary: "Where your daily digest is mailed (empty: nowhere)", handle: s.watchEmail, body: watchEmail{}, resp: done{}},
	}
}

type watchBody struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type watchEmail struct {
	Email string `json:"email"`
}

func (s *Server) watchList(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.watch.List(r.Context(), who)
}

func (s *Server) addWatch(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var b watchBody
	if err := readBody(r, &b); err != nil {
		return nil, err
	}
	return s.watch.Add(r.Context(), who, b.Kind, b.Value)
}

func (s *Server) removeWatch(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return done{true}, s.watch.Remove(r.Context(), who, id)
}

func (s *Server) watchEmail(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var b watchEmail
	if err := readBody(r, &b); err != nil {
		return nil, err
	}
	return done{true}, s.watch.SetEmail(r.Context(), who, b.Email)
}
