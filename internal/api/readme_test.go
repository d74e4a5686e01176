package api

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store/sqlite"
)

// TestREADMERoutesExist keeps the README true: every API route it shows,
// in a curl line or as METHOD /api/v1/…, and every case step it lists, is
// a route of the table.
func TestREADMERoutesExist(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(registry.NewService(st), monitoring.NewService(st, st), compliance.NewService(st, st.Attachments(t.TempDir())), economy.NewService(st), auth.NewService(st), rules.NewService(st), gep.NewPurchaseService(st), slog.New(slog.DiscardHandler))
	mux := s.mux()
	found := func(method, path string) bool {
		path = regexp.MustCompile(`\{[^}]*\}|<[^>]*>`).ReplaceAllString(path, "X")
		_, pattern := mux.Handler(httptest.NewRequest(method, path, nil))
		return pattern != ""
	}
	n := 0
	curl := regexp.MustCompile(`curl (?:-[a-zA-Z] (?:"[^"]*"|\S+) )*'http://127\.0\.0\.1:8080(/api/v1/[^'?]*)`)
	for _, m := range curl.FindAllStringSubmatch(string(readme), -1) {
		method := "GET"
		if x := regexp.MustCompile(`-X (\w+)`).FindStringSubmatch(m[0]); x != nil {
			method = x[1]
		}
		n++
		if !found(method, m[1]) {
			t.Errorf("README: %s %s is no route of the API", method, m[1])
		}
	}
	for _, m := range regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`\\s]*)`").FindAllStringSubmatch(string(readme), -1) {
		if strings.Contains(m[2], "<") {
			continue // a family of routes, such as the case steps below
		}
		n++
		if !found(m[1], m[2]) {
			t.Errorf("README: %s %s is no route of the API", m[1], m[2])
		}
	}
	steps := regexp.MustCompile(`# steps: (.*)`).FindStringSubmatch(string(readme))
	if steps == nil {
		t.Fatal("README lists no case steps (# steps: …)")
	}
	for _, step := range strings.Split(steps[1], ", ") {
		n++
		if !found("POST", "/api/v1/cases/1/"+step) {
			t.Errorf("README: case step %q is no route POST /api/v1/cases/{id}/%s", step, step)
		}
	}
	if n < 20 {
		t.Errorf("only %d routes found in the README: the patterns no longer match it", n)
	}
}
