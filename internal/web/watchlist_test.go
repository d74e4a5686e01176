package web

import (
	"strconv"

	"ecoindustry/internal/auth"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWatchListPage: the person's own list in both languages; adding,
// refusing a bad item with the reason in both languages, setting the
// digest's address and removing, through the forms.
func TestWatchListPage(t *testing.T) {
	e := sharedEnv(t)
	zhangsan := auth.Principal{Kind: auth.User, Name: "张三", Role: auth.Admin} // the env's
	post := func(step string, fields url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/watchlist/"+step, strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	for _, f := range []url.Values{{"kind": {"county"}, "value": {"缙云县"}}, {"kind": {"industry"}, "value": {"3443"}}, {"kind": {"enterprise"}, "value": {e.logger.USCC}}} {
		if rec := post("add", f); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/watchlist?done=1" {
			t.Fatalf("add %v: %d %s", f, rec.Code, rec.Body.String())
		}
	}
	rec := post("add", url.Values{"kind": {"industry"}, "value": {"99"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "不是 2 至 4 位的国民经济行业代码") || !strings.Contains(rec.Body.String(), "no GB/T 4754-2017 industry code") ||
		!strings.Contains(rec.Body.String(), `id="watch-table"`) {
		t.Fatalf("a bad industry: %d %.500s", rec.Code, rec.Body.String())
	}
	if rec := post("email", url.Values{"email": {"zhangsan@bureau.example"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("email: %d %s", rec.Code, rec.Body.String())
	}
	_, body := e.get(t, "zh", "/watchlist")
	for _, w := range []string{"我的关注", "缙云县", "331122", "阀门和旋塞制造", `value="zhangsan@bureau.example"`, `id="nav-watchlist"`, `href="/enterprises/` + e.logger.USCC + `"`} {
		if !strings.Contains(body, w) {
			t.Errorf("zh /watchlist: no %s", w)
		}
	}
	_, en := e.get(t, "en", "/watchlist")
	for _, w := range []string{"My watch-list", "Jinyun", "Stop watching", "Daily digest"} {
		if !strings.Contains(en, w) {
			t.Errorf("en /watchlist: no %s", w)
		}
	}
	l, err := e.srv.watch.List(t.Context(), zhangsan)
	if err != nil || len(l.Items) != 3 {
		t.Fatalf("the list: %+v %v", l, err)
	}
	if rec := post("remove", url.Values{"id": {"999999"}}); rec.Code != http.StatusNotFound {
		t.Errorf("remove what is not on the list: %d", rec.Code)
	}
	if rec := post("remove", url.Values{"id": {strconv.FormatInt(l.Items[0].ID, 10)}}); rec.Code != http.StatusSeeOther {
		t.Errorf("remove: %d %s", rec.Code, rec.Body.String())
	}
	if l, _ = e.srv.watch.List(t.Context(), zhangsan); len(l.Items) != 2 {
		t.Errorf("after removing: %+v", l)
	}
}
