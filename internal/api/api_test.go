package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/api"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// env is one API server over a fresh SQLite file, and an administrator's
// token (the Authorization header) that every request carries unless it
// gives its own.
type env struct {
	url   string
	api   *api.Server
	store *store.DB
	acc   *auth.Service
	token string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acc := auth.NewService(st)
	a := api.New(registry.NewService(st), monitoring.NewService(st, st), compliance.NewService(st, st.Attachments(filepath.Join(t.TempDir(), "attachments"))),
		economy.NewService(st), acc, rules.NewService(st), gep.NewPurchaseService(st), slog.New(slog.NewTextHandler(t.Output(), nil)))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{url: srv.URL, api: a, store: st, acc: acc}
	e.token = e.as(t, auth.Account{Name: "admin", Role: auth.Admin})[1]
	return e
}

// testPassword is every test account's password.
const testPassword = "瓯江两岸的青山绿水长流"

// as adds account a, with testPassword, and a token named "test" of its,
// and returns the Authorization header that carries it.
func (e *env) as(t testing.TB, a auth.Account) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := e.acc.AddAccount(ctx, a, testPassword, auth.Command("test")); err != nil {
		t.Fatal(err)
	}
	tok, err := e.acc.CreateToken(ctx, a.Name, "test", time.Hour, auth.Command("test"), "")
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + tok.Secret}
}

// officer is a city ecology officer named name.
func officer(name string) auth.Account {
	return auth.Account{Name: name, Role: auth.City, Bureau: auth.Ecology}
}

// call sends a request with header name/value pairs and returns the
// status, the response headers and the body.
func (e *env) call(t *testing.T, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", e.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// must sends a request that must answer want, and decodes the body into out (if not nil).
func (e *env) must(t *testing.T, want int, method, path string, body any, out any, header ...string) {
	t.Helper()
	text, ok := body.(string)
	if !ok && body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		text = string(b)
	}
	status, _, b := e.call(t, method, path, text, header...)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageZh string `json:"message_zh"`
		Problems  []struct {
			File      string `json:"file"`
			Row       int    `json:"row"`
			Column    string `json:"column"`
			Message   string `json:"message"`
			MessageZh string `json:"message_zh"`
		} `json:"problems"`
	} `json:"error"`
}

type obj = map[string]any

var (
	usccA = storetest.USCC("331102", 1)
	park  = obj{"code": "LS-ETDZ", "name": "丽水经济技术开发区", "county": "莲都区", "kind": "开发区"}
)

func enterprise(uscc string) obj {
	return obj{"uscc": uscc, "name": "丽水市测试合成革有限公司", "county": "331102", "industry_code": "2925",
		"size": "above", "status": "operating", "park": "LS-ETDZ", "lon": 119.87, "lat": 28.42, "employees": 230, "synthetic": true}
}

// seed creates the park and enterprise usccA.
func (e *env) seed(t *testing.T) {
	t.Helper()
	e.must(t, 201, "POST", "/api/v1/parks", park, nil)
	e.must(t, 201, "POST", "/api/v1/enterprises", enterprise(usccA), nil)
}

func TestEnterpriseLifecycle(t *testing.T) {
	e := newEnv(t)
	e.seed(t)

	var d registry.Detail
	e.must(t, 200, "GET", "/api/v1/enterprises/"+strings.ToLower(usccA), nil, &d)
	if d.Name != "丽水市测试合成革有限公司" || d.Park != "LS-ETDZ" || d.Employees != 230 || !d.Synthetic {
		t.Fatalf("detail: %+v", d)
	}

	var got registry.Enterprise
	// The actor is who the token says, whatever a header claims.
	e.must(t, 200, "PATCH", "/api/v1/enterprises/"+usccA, obj{"status": "停产"}, &got, append(e.as(t, officer("alice")), "X-Actor", "mallory")...)
	if got.Status != "suspended" || got.Name != d.Name {
		t.Fatalf("patched: %+v", got)
	}

	var h struct{ Items []registry.Change }
	e.must(t, 200, "GET", "/api/v1/enterprises/"+usccA+"/history", nil, &h)
	if len(h.Items) != 2 {
		t.Fatalf("history: %+v", h.Items)
	}
	if c := h.Items[0]; c.Op != "create" || c.Actor != "token:admin/test" || c.Fields["name"].To != d.Name {
		t.Errorf("first change: %+v", c)
	}
	c := h.Items[1]
	want := map[string]registry.FieldChange{"status": {From: "operating", To: "suspended"}}
	if c.Op != "update" || c.Actor != "token:alice/test" || fmt.Sprint(c.Fields) != fmt.Sprint(want) {
		t.Errorf("second change: %+v, want status changed by token:alice/test", c)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	badDigit := usccA[:17] + map[bool]string{true: "1", false: "0"}[usccA[17] == '0']
	bad := enterprise(storetest.USCC("331102", 2))
	bad["name"], bad["county"], bad["industry_code"], bad["size"] = "", "北京", "29", "huge"
	withField := func(k string, v any) obj {
		o := enterprise(storetest.USCC("331102", 3))
		o[k] = v
		return o
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		header             []string
		status             int
		code, mentions     string
	}{
		{"unknown USCC", "GET", "/api/v1/enterprises/" + storetest.USCC("331102", 99), nil, nil, 404, "not_found", ""},
		{"unknown USCC history", "GET", "/api/v1/enterprises/" + storetest.USCC("331102", 99) + "/history", nil, nil, 404, "not_found", ""},
		{"bad check digit", "GET", "/api/v1/enterprises/" + badDigit, nil, nil, 400, "invalid", "校验位"},
		{"bad check digit in a write", "PATCH", "/api/v1/enterprises/" + badDigit, obj{}, nil, 400, "invalid", "校验位"},
		{"duplicate", "POST", "/api/v1/enterprises", enterprise(usccA), nil, 409, "conflict", usccA},
		{"invalid record", "POST", "/api/v1/enterprises", bad, nil, 422, "invalid", ""},
		{"unknown field", "POST", "/api/v1/enterprises", withField("colour", "red"), nil, 400, "invalid", "colour"},
		{"value of another type", "POST", "/api/v1/enterprises", withField("employees", []int{1}), nil, 400, "invalid", "employees"},
		{"not JSON", "POST", "/api/v1/parks", "code=X", nil, 400, "invalid", ""},
		{"two JSON values", "POST", "/api/v1/parks", `{} {}`, nil, 400, "invalid", ""},
		{"key changed", "PATCH", "/api/v1/enterprises/" + usccA, obj{"uscc": storetest.USCC("331102", 4)}, nil, 400, "invalid", ""},
		{"unknown key", "PATCH", "/api/v1/outlets/" + usccA + "/DA009", obj{"name": "x"}, nil, 404, "not_found", ""},
		{"body too large", "POST", "/api/v1/parks", obj{"name": strings.Repeat("x", 1<<20)}, nil, 413, "invalid", ""},
		{"no one", "POST", "/api/v1/parks", park, []string{"Authorization", ""}, 401, "unauthenticated", "登录"},
		{"unknown token", "POST", "/api/v1/parks", park, []string{"Authorization", "Bearer eco_forged"}, 401, "unauthenticated", "令牌"},
		{"limit zero", "GET", "/api/v1/enterprises?limit=0", nil, nil, 400, "invalid", "limit"},
		{"limit too large", "GET", "/api/v1/enterprises?limit=1001", nil, nil, 400, "invalid", "limit"},
		{"limit not a number", "GET", "/api/v1/enterprises?limit=ten", nil, nil, 400, "invalid", "limit"},
		{"negative offset", "GET", "/api/v1/enterprises?offset=-1", nil, nil, 400, "invalid", "offset"},
		{"unknown county", "GET", "/api/v1/enterprises?county=北京", nil, nil, 400, "invalid", "北京"},
		{"unknown size", "GET", "/api/v1/enterprises?size=huge", nil, nil, 400, "invalid", "huge"},
		{"bad near", "GET", "/api/v1/enterprises?near=119.9,28.4", nil, nil, 400, "invalid", "near"},
		{"park without boundary", "GET", "/api/v1/enterprises?within_park=LS-ETDZ", nil, nil, 400, "invalid", "边界"},
		{"unknown park", "GET", "/api/v1/enterprises?within_park=XX", nil, nil, 400, "invalid", "XX"},
		{"bad uscc filter", "GET", "/api/v1/outlets?uscc=" + badDigit, nil, nil, 400, "invalid", "校验位"},
		{"unknown industry", "GET", "/api/v1/industries/9999", nil, nil, 404, "not_found", "9999"},
		{"unknown kind", "GET", "/api/v1/export/widgets", nil, nil, 404, "not_found", "widgets"},
		{"unknown export format", "GET", "/api/v1/export/parks?format=xls", nil, nil, 400, "invalid", "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got apiError
			e.must(t, tc.status, tc.method, tc.path, tc.body, &got, tc.header...)
			g := got.Error
			if g.Code != tc.code || g.Message == "" || g.MessageZh == "" {
				t.Fatalf("error %+v, want code %s and both messages", g, tc.code)
			}
			if !strings.Contains(g.Message+g.MessageZh, tc.mentions) {
				t.Errorf("error %+v does not mention %q", g, tc.mentions)
			}
			if strings.Contains(g.Message+g.MessageZh, "%!") {
				t.Errorf("badly formatted message: %+v", g)
			}
			if (tc.status == 422) != (len(g.Problems) > 0) {
				t.Errorf("problems %+v with status %d", g.Problems, tc.status)
			}
		})
	}

	t.Run("problems name the fields", func(t *testing.T) {
		var got apiError
		e.must(t, 422, "POST", "/api/v1/enterprises", bad, &got)
		cols := map[string]bool{}
		for _, p := range got.Error.Problems {
			if p.File != "" || p.Row != 0 || p.Message == "" || p.MessageZh == "" {
				t.Errorf("problem %+v", p)
			}
			cols[p.Column] = true
		}
		for _, c := range []string{"name", "county", "industry_code", "size"} {
			if !cols[c] {
				t.Errorf("no problem for %s in %+v", c, got.Error.Problems)
			}
		}
	})
}

func TestListEnterprises(t *testing.T) {
	e := newEnv(t)
	e.must(t, 201, "POST", "/api/v1/parks", park, nil)
	counties := []string{"331102", "331121", "331122"}
	industries := []string{"2925", "3443", "3360", "3312"}
	var all []registry.Enterprise
	for i := 1; i <= 12; i++ {
		en := registry.Enterprise{USCC: storetest.USCC(counties[i%3], i), Name: fmt.Sprintf("丽水测试%d合成革有限公司", i),
			County: counties[i%3], IndustryCode: industries[i%4], Size: []string{"above", "below"}[i%2], Status: "operating"}
		if i%2 == 0 {
			en.Name = fmt.Sprintf("丽水测试%d阀门有限公司", i)
		}
		if i%5 == 0 {
			en.Status = "suspended"
		}
		if en.County == "331102" && i%2 == 0 {
			en.Park = "LS-ETDZ"
		}
		all = append(all, en)
		e.must(t, 201, "POST", "/api/v1/enterprises", obj{"uscc": en.USCC, "name": en.Name, "county": en.County,
			"industry_code": en.IndustryCode, "size": en.Size, "status": en.Status, "park": en.Park}, nil)
	}
	count := func(keep func(registry.Enterprise) bool) int {
		n := 0
		for _, en := range all {
			if keep(en) {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		query       string
		total, page int
	}{
		{"", 12, 12},
		{"county=331121", count(func(e registry.Enterprise) bool { return e.County == "331121" }), -1},
		{"county=青田县", count(func(e registry.Enterprise) bool { return e.County == "331121" }), -1},
		{"county=缙云", count(func(e registry.Enterprise) bool { return e.County == "331122" }), -1},
		{"park=LS-ETDZ", count(func(e registry.Enterprise) bool { return e.Park == "LS-ETDZ" }), -1},
		{"industry=33", count(func(e registry.Enterprise) bool { return strings.HasPrefix(e.IndustryCode, "33") }), -1},
		{"industry=3443", count(func(e registry.Enterprise) bool { return e.IndustryCode == "3443" }), -1},
		{"size=above", count(func(e registry.Enterprise) bool { return e.Size == "above" }), -1},
		{"size=规下", count(func(e registry.Enterprise) bool { return e.Size == "below" }), -1},
		{"status=suspended", count(func(e registry.Enterprise) bool { return e.Status == "suspended" }), -1},
		{"q=阀门", count(func(e registry.Enterprise) bool { return strings.Contains(e.Name, "阀门") }), -1},
		{"county=331102&size=below", count(func(e registry.Enterprise) bool { return e.County == "331102" && e.Size == "below" }), -1},
		{"near=119.9,28.4,5000", 0, 0}, // none of them has a location
		{"limit=5", 12, 5},
		{"limit=5&offset=10", 12, 2},
		{"offset=20", 12, 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var p struct {
				Items []struct {
					registry.Enterprise
					CountyName   string `json:"county_name"`
					IndustryName string `json:"industry_name"`
				}
				Total, Limit, Offset int
			}
			e.must(t, 200, "GET", "/api/v1/enterprises?"+tc.query, nil, &p)
			page := tc.page
			if page < 0 {
				page = tc.total
			}
			if p.Total != tc.total || len(p.Items) != page || p.Items == nil {
				t.Fatalf("total %d, page %d; want %d, %d", p.Total, len(p.Items), tc.total, page)
			}
			if p.Limit == 0 {
				t.Errorf("limit not echoed: %+v", p)
			}
			for _, it := range p.Items {
				u, _ := registry.FindUnit(registry.LishuiUnits, it.County)
				ind, _ := registry.IndustryName(it.IndustryCode)
				if it.CountyName != u.Name || it.IndustryName != ind || ind == "" {
					t.Errorf("%s: names %q %q, want %q %q", it.USCC, it.CountyName, it.IndustryName, u.Name, ind)
				}
			}
		})
	}
}

func TestOutletPasswordNeverReturned(t *testing.T) {
	const pw = "s3cret-Pw9"
	e := newEnv(t)
	e.seed(t)
	for _, step := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "/api/v1/outlets", obj{"uscc": usccA, "outlet_code": "DA001", "kind": "废气", "name": "涂层废气排放口",
			"height_m": 25, "mn": "888888800000000000000001", "pw": pw}, 201},
		{"PATCH", "/api/v1/outlets/" + usccA + "/DA001", obj{"height_m": "30"}, 200},
		{"GET", "/api/v1/outlets", nil, 200},
		{"GET", "/api/v1/outlets?uscc=" + usccA, nil, 200},
		{"GET", "/api/v1/enterprises/" + usccA, nil, 200},
		{"GET", "/api/v1/enterprises/" + usccA + "/history", nil, 200},
		{"GET", "/api/v1/export/outlets?format=csv", nil, 200},
	} {
		b, _ := json.Marshal(step.body)
		if step.body == nil {
			b = nil
		}
		status, _, body := e.call(t, step.method, step.path, string(b))
		if status != step.status || strings.Contains(string(body), pw) || !strings.Contains(string(body), "******") {
			t.Errorf("%s %s: %d %s; want %d, the password masked", step.method, step.path, status, body, step.status)
		}
	}
	os, err := e.store.Outlets(context.Background(), usccA)
	if err != nil || len(os) != 1 || os[0].PW != pw || os[0].HeightM != 30 {
		t.Fatalf("stored outlets %+v %v: want the password kept through the update", os, err)
	}
}

func TestHealthAndIndustry(t *testing.T) {
	e := newEnv(t)
	var h struct{ Status string }
	e.must(t, 200, "GET", "/healthz", nil, &h)
	if h.Status != "ok" {
		t.Errorf("health %+v", h)
	}
	var ind struct{ Code, Name string }
	e.must(t, 200, "GET", "/api/v1/industries/2925", nil, &ind)
	if want, _ := registry.IndustryName("2925"); ind.Code != "2925" || ind.Name != want {
		t.Errorf("industry %+v, want %s", ind, want)
	}
	var units struct{ Items []registry.AdminUnit }
	e.must(t, 200, "GET", "/api/v1/units", nil, &units)
	if len(units.Items) != len(registry.LishuiUnits) {
		t.Errorf("%d units, want %d", len(units.Items), len(registry.LishuiUnits))
	}
}
