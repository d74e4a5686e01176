package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// raiseAlarm stores an exceedance at the shared logger's outlet, started
// at start, and returns it as stored.
func raiseAlarm(t *testing.T, e *env, start time.Time) rules.Alarm {
	t.Helper()
	ctx := context.Background()
	ev, _ := json.Marshal(map[string]any{"basis": "hour_avg", "unit": "mg/m3", "checked": true,
		"periods": []map[string]any{{"start": start, "value": 180.5, "cn": "2061", "count": 60}, {"start": start.Add(time.Hour), "value": 240, "cn": "2061", "count": 60}}})
	a := rules.Alarm{Kind: rules.Exceedance, State: rules.Open, USCC: e.logger.USCC, Outlet: e.logger.OutletCode, Pollutant: "a21026",
		StartedAt: start, EndedAt: start.Add(2 * time.Hour), Limit: 100, LimitSource: "GB 13271-2014 (/燃气锅炉)", Peak: 240, Multiple: 2.4,
		Periods: 2, Evidence: ev}
	if err := e.db.RaiseAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	as, _, err := rules.NewService(e.db).Alarms(ctx, auth.Command("test"), rules.AlarmFilter{USCC: a.USCC, Kind: rules.Exceedance, From: start, To: start.Add(time.Second), Limit: 10})
	if err != nil || len(as) != 1 {
		t.Fatalf("the alarm raised: %v %v", as, err)
	}
	return as[0]
}

// TestAlarmPages: the list in both languages with its filters, and the
// alarm with its evidence and forms.
func TestAlarmPages(t *testing.T) {
	e := sharedEnv(t)
	a := raiseAlarm(t, e, time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))
	id := strconv.FormatInt(a.ID, 10)
	es, _, err := e.srv.reg.Enterprises(context.Background(), auth.Command("test"), registry.EnterpriseFilter{USCC: a.USCC})
	if err != nil || len(es) != 1 {
		t.Fatalf("enterprise: %v", err)
	}
	county := es[0].County
	other := "331102"
	if county == other {
		other = "331121"
	}
	for _, tc := range []struct {
		l, path string
		want    []string
		not     []string
	}{
		{"zh", "/alarms", []string{`id="alarm-filters"`, `id="alarm-table"`, `id="alarm-` + id + `"`, "超标", "待处理", `hx-trigger="every 30s, alarm-changed"`, `data-stream="/api/v1/alarms/stream?"`, "正在连接实时推送", `id="nav-alarms"`, "GB 13271-2014"}, nil},
		{"en", "/alarms", []string{`id="alarm-table"`, `id="alarm-` + id + `"`, "Exceedance", "Open", "Multiple of the limit", `aria-current="page"`}, nil},
		{"en", "/alarms?state=open&kind=exceedance&county=" + county, []string{`id="alarm-` + id + `"`, `<option value="open" selected>`,
			`data-stream="/api/v1/alarms/stream?county=` + county + `&amp;kind=exceedance&amp;state=open"`}, nil},
		// The overview's map and table count the open alarms by county.
		{"en", "/", []string{"Open alarms", `data-key="alarms"`, `<a href="/alarms?county=` + county + `">1</a>`, `"/alarms?county=` + county + `"`}, nil},
		{"en", "/alarms?kind=data_gap", nil, []string{`id="alarm-` + id + `"`}},
		{"en", "/alarms?county=" + other, nil, []string{`id="alarm-` + id + `"`}},
		{"zh", "/alarms/" + id, []string{`id="alarm-state"`, `data-state="open"`, `id="form-acknowledge"`, `id="form-resolve"`, `name="csrf"`,
			`name="version" value="` + strconv.Itoa(a.Version) + `"`, `id="evidence-periods"`, "180.5", "证据"}, nil},
		{"en", "/alarms/" + id, []string{`id="alarm-evidence"`, "Evidence", "Acknowledge", "Resolve", "2.4×"}, nil},
	} {
		status, body := e.get(t, tc.l, tc.path)
		if status != 200 {
			t.Errorf("%s %s: status %d", tc.l, tc.path, status)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: no %s", tc.l, tc.path, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(body, w) {
				t.Errorf("%s %s: has %s", tc.l, tc.path, w)
			}
		}
		if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
			t.Errorf("%s %s: message missing from the catalogue: %s", tc.l, tc.path, m)
		}
	}
	// The list acknowledges in place and comes back to itself.
	if _, body := e.get(t, "en", "/alarms?state=open"); !strings.Contains(body, `id="ack-`+id+`"`) || !strings.Contains(body, `href="/alarms/`+id+`#step-resolve"`) {
		t.Errorf("the list offers no acknowledge and resolve for alarm %s", id)
	}
	req := httptest.NewRequest("POST", "/alarms/"+id+"/acknowledge", strings.NewReader(url.Values{"version": {strconv.Itoa(a.Version)}, "next": {"/alarms?state=open"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/alarms?state=open" {
		t.Errorf("acknowledge from the list: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if status, _ := e.get(t, "en", "/alarms/999999999"); status != http.StatusNotFound {
		t.Errorf("a missing alarm: status %d", status)
	}
}

// TestAlarmSteps: acknowledge then resolve through the forms change the
// state as the principal; a stale version is refused with 409, the
// alarm shown again with the reason in both languages.
func TestAlarmSteps(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	a := raiseAlarm(t, e, time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC))
	id := strconv.FormatInt(a.ID, 10)
	post := func(step string, fields url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/alarms/"+id+"/"+step, strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	read := func() rules.Alarm {
		got, err := rules.NewService(e.db).Alarm(ctx, auth.Command("test"), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	rec := post("acknowledge", url.Values{"version": {strconv.Itoa(a.Version)}, "comment": {"已通知企业核查"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/alarms/"+id+"?done=acknowledge" {
		t.Fatalf("acknowledge: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	got := read()
	if got.State != rules.Acknowledged || got.AcknowledgedBy != "张三" || got.AckComment != "已通知企业核查" || got.Version != a.Version+1 {
		t.Fatalf("after acknowledge: %+v", got)
	}
	_, page := e.get(t, "en", "/alarms/"+id+"?done=acknowledge")
	if !strings.Contains(page, `id="done"`) || strings.Contains(page, `id="form-acknowledge"`) || !strings.Contains(page, `id="form-resolve"`) {
		t.Error("an acknowledged alarm: want the resolve form only, and the step recorded")
	}

	// The version read before the acknowledgement is stale now.
	for _, l := range []string{"zh", "en"} {
		req := httptest.NewRequest("POST", "/alarms/"+id+"/resolve", strings.NewReader(url.Values{"version": {strconv.Itoa(a.Version)}, "reason": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "lang", Value: l})
		rec = httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusConflict || !strings.Contains(body, `id="error"`) || !strings.Contains(body, `id="alarm-actions"`) ||
			!strings.Contains(body, "告警已被他人更新") || !strings.Contains(body, "the alarm changed meanwhile") {
			t.Fatalf("%s stale version: %d, want 409 with the alarm and the error in both languages:\n%s", l, rec.Code, body)
		}
	}
	if read().State != rules.Acknowledged {
		t.Fatal("a stale version changed the alarm")
	}

	if rec = post("resolve", url.Values{"version": {strconv.Itoa(got.Version)}}); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "须填写处理原因") {
		t.Errorf("resolve without a reason: %d", rec.Code)
	}
	rec = post("resolve", url.Values{"version": {strconv.Itoa(got.Version)}, "reason": {"设备故障，已修复"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("resolve: %d %s", rec.Code, rec.Body.String())
	}
	got = read()
	if got.State != rules.Resolved || got.ResolvedBy != "张三" || got.ResolveReason != "设备故障，已修复" {
		t.Fatalf("after resolve: %+v", got)
	}
	_, page = e.get(t, "zh", "/alarms/"+id)
	if strings.Contains(page, `id="alarm-actions"`) || !strings.Contains(page, `data-state="resolved"`) || !strings.Contains(page, "设备故障，已修复") {
		t.Error("a resolved alarm: want no forms, its state and its reason")
	}
	if rec = post("close", url.Values{"version": {"1"}}); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown step: %d", rec.Code)
	}
}

// TestAlarmReadOnly: an officer who may read alarms but not act on them
// (the economy bureau's) sees the alarm without forms, and a forged form
// is refused by the service.
func TestAlarmReadOnly(t *testing.T) {
	e := sharedEnv(t)
	a := raiseAlarm(t, e, time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC))
	id := strconv.FormatInt(a.ID, 10)
	h := e.srv.Handler()
	as := func(req *http.Request) *httptest.ResponseRecorder {
		req = req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{Kind: auth.User, Name: "王五", Role: auth.City, Bureau: auth.Economy}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := as(httptest.NewRequest("GET", "/alarms/"+id, nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="alarm-evidence"`) || strings.Contains(rec.Body.String(), `id="alarm-actions"`) {
		t.Errorf("read-only officer: %d, want the alarm without forms", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `id="nav-alarms"`) {
		t.Error("the menu lacks the alarms for one who may read monitoring data")
	}
	req := httptest.NewRequest("POST", "/alarms/"+id+"/acknowledge", strings.NewReader("version="+strconv.Itoa(a.Version)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec = as(req); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `id="error"`) {
		t.Errorf("read-only officer acknowledging: %d, want 403 with the error", rec.Code)
	}
}

// TestEffluentChart: an outlet's hourly values with the limit the rules
// judge by and where it came from, and its exceedances marked, in both
// languages.
func TestEffluentChart(t *testing.T) {
	e := sharedEnv(t)
	start := time.Now().Add(-3 * time.Hour).Truncate(time.Hour)
	a := raiseAlarm(t, e, start)
	path := "/outlets/" + a.USCC + "/" + a.Outlet + "/effluent?pollutant=a21026&days=1"
	l, ok, err := e.srv.rules.Limit(context.Background(), auth.Command("test"), a.USCC, a.Outlet, "a21026", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	limit := "No limit to judge by"
	if ok {
		limit = "Limit from: " + l.Source
	}
	for _, tc := range []struct {
		l, path string
		want    []string
	}{
		{"en", path, []string{`id="effluent-chart"`, `"markArea"`, `#` + strconv.FormatInt(a.ID, 10) + ` 2.4×`, `id="alarm-` + strconv.FormatInt(a.ID, 10) + `"`,
			"Hourly mean", `<option value="1" selected>`, `<option value="a21026" selected>`, limit}},
		{"zh", path, []string{"排放曲线", "小时均值", "超标告警"}},
		// An unknown span is the default week; the enterprise page links here.
		{"en", "/outlets/" + a.USCC + "/" + a.Outlet + "/effluent?days=5", []string{`<option value="7" selected>`, `id="effluent-chart"`}},
		{"en", "/enterprises/" + a.USCC, []string{`href="/outlets/` + a.USCC + `/` + a.Outlet + `/effluent"`}},
	} {
		status, body := e.get(t, tc.l, tc.path)
		if status != 200 {
			t.Fatalf("%s %s: status %d", tc.l, tc.path, status)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: no %s", tc.l, tc.path, w)
			}
		}
		if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
			t.Errorf("%s %s: message missing from the catalogue: %s", tc.l, tc.path, m)
		}
	}
	if status, _ := e.get(t, "en", "/outlets/"+a.USCC+"/NOPE/effluent"); status != 200 {
		t.Errorf("an outlet without data: %d", status)
	}
	if status, _ := e.get(t, "en", "/outlets/bad/DA001/effluent"); status != http.StatusBadRequest {
		t.Errorf("a bad USCC: %d", status)
	}
}
