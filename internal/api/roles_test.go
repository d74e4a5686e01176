package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/gep"
	"ecoindustry/internal/gep/geptest"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// The roles of decision 0019, as the route table's test calls them.
var roles = []auth.Principal{
	{Kind: auth.User, Name: "admin", Role: auth.Admin},
	{Kind: auth.User, Name: "city-eco", Role: auth.City, Bureau: auth.Ecology},
	{Kind: auth.User, Name: "city-econ", Role: auth.City, Bureau: auth.Economy},
	{Kind: auth.User, Name: "city-stat", Role: auth.City, Bureau: auth.Statistics},
	{Kind: auth.User, Name: "county-a", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: countyA}},
	{Kind: auth.User, Name: "park", Role: auth.Park, Scope: auth.Scope{Park: storetest.Park.Code}},
	{Kind: auth.User, Name: "insp-a", Role: auth.Inspector, Scope: auth.Scope{County: countyA}},
	{Kind: auth.Token, Name: "ent-a/script", Role: auth.Enterprise, Scope: auth.Scope{USCC: entA}},
}

const (
	countyA = "331102" // 莲都区: the park, enterprise A and the inspector's cases
	countyB = "331121" // 青田县: enterprise B
	mnA     = "888888800000000000000001"
	mnB     = "888888800000000000000002"
	// pass: the policy lets the request through; the step's own checks
	// (its state, its evidence) answer, neither 403 nor 404.
	pass = 1
)

var (
	entA = storetest.USCC(countyA, 1)
	entB = storetest.USCC(countyB, 2)
	// extra[i] is an enterprise of county A in the park, one per role:
	// its site is what role i creates.
	extra = func(i int) string { return storetest.USCC(countyA, 20+i) }
)

// want is the status each role gets, in the order of roles.
type want [8]int

var (
	all200     = want{200, 200, 200, 200, 200, 200, 200, 200}
	officers   = want{200, 200, 200, 200, 200, 403, 200, 403} // campaigns and their statistics
	cityRead   = want{200, 200, 200, 200, 403, 403, 403, 403} // screening runs
	adminOnly  = want{201, 403, 403, 403, 403, 403, 403, 403}
	ecoCreate  = want{201, 201, 403, 403, 201, 403, 403, 403} // enterprise A's records, by the ecology bureau
	cityCreate = want{201, 201, 403, 403, 403, 403, 403, 403} // campaigns, screenings
	ofB        = want{200, 200, 200, 200, 404, 404, 404, 404} // enterprise B and its data: county B
	patchB     = want{200, 200, 403, 403, 404, 403, 403, 403} // who may change none learns nothing
	caseRead   = want{200, 200, 200, 200, 200, 403, 200, 200}
	caseB      = want{200, 200, 200, 200, 404, 403, 404, 404}
	stepA      = want{pass, pass, 403, 403, pass, 403, pass, 403} // case A is assigned to insp-a
	gepRead    = want{200, 200, 200, 200, 200, 403, 403, 403}     // GEP runs: city and county officers
	econSteps  = want{pass, 403, pass, 403, 403, 403, 403, 403}   // an evaluation's workflow: the economy bureau's
	econCreate = want{201, 403, 201, 403, 403, 403, 403, 403}     // the economy bureau's: plans, projects, facilities
)

// probe is one request of a route: its path, its body for role i (-1:
// the fixture's), and what each role gets.
type probe struct {
	path   string
	pathOf func(*fixture) int64 // or the case (the alarm, if alarm) of this id's path, then suffix
	alarm  bool
	suffix string
	body   func(f *fixture, i int) string
	want   want
}

func text(s string) func(*fixture, int) string { return func(*fixture, int) string { return s } }

// step is a case step's body with the case's current version.
func step(id func(*fixture) int64, fields string) func(*fixture, int) string {
	return func(f *fixture, _ int) string {
		c, err := f.comp.Case(context.Background(), auth.Command("test"), id(f))
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(`{"version": %d%s}`, c.Version, fields)
	}
}

func caseOfA(f *fixture) int64 { return f.caseA }

func alarmOfA(f *fixture) int64 { return f.alarmA }
func alarmOfB(f *fixture) int64 { return f.alarmB }

// alarmBody is an alarm step's body with the alarm's current version.
func alarmBody(id func(*fixture) int64, fields string) func(*fixture, int) string {
	return func(f *fixture, _ int) string {
		a, err := f.rules.Alarm(context.Background(), auth.Command("test"), id(f))
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf(`{"version": %d, %s}`, a.Version, fields)
	}
}

const standardsCSV = "standard,scope,source_kind,pollutant_code,limit,unit,basis,reference_o2,effective_from,source,checked\n" +
	"GB 13271-2014 表2,/燃气锅炉,air,a21026,50,mg/m3,hour_zs,3.5,2014-07-01,test,true\n"

func caseOfB(f *fixture) int64 { return f.caseB }

// probes are the expectations of every route of the table: a route
// without one fails the test.
func probes() map[string][]probe {
	stepRoutes := map[string]string{
		"dismiss": `, "reason": "合规"`, "classify": `, "disposition": "upgrade", "unit": "u", "person": "p", "measures": "m", "deadline": "2099-01-01"`,
		"checklist": `, "step": "power_cut", "date": "2026-01-02"`, "relocation": `, "address": "新址"`,
		"acceptances": `, "level": 1, "result": "pass", "date": "2026-01-02", "inspector": "李四"`,
		"close-out":   `, "date": "2026-01-02"`, "visits": `, "date": "2026-01-02", "inspector": "李四", "finding": "无"`,
	}
	ps := map[string][]probe{
		"GET /healthz":                   {{path: "/healthz", want: all200}},
		"GET /api/v1/openapi.json":       {{path: "/api/v1/openapi.json", want: all200}},
		"GET /api/v1/industries/{code}":  {{path: "/api/v1/industries/2925", want: all200}},
		"GET /api/v1/enterprises":        {{path: "/api/v1/enterprises", want: all200}},
		"GET /api/v1/enterprises/{uscc}": {{path: "/api/v1/enterprises/" + entA, want: all200}, {path: "/api/v1/enterprises/" + entB, want: ofB}},
		"GET /api/v1/enterprises/{uscc}/history": {{path: "/api/v1/enterprises/" + entB + "/history", want: ofB},
			{path: "/api/v1/enterprises/" + entA + "/history", want: all200}},
		"POST /api/v1/enterprises": {{path: "/api/v1/enterprises", want: want{201, 201, 403, 403, 201, 403, 403, 403},
			body: func(_ *fixture, i int) string { return enterpriseJSON(storetest.USCC(countyA, 40+i), countyA, "") }},
			{path: "/api/v1/enterprises", want: want{201, 201, 403, 403, 403, 403, 403, 403}, // county B: outside county A
				body: func(_ *fixture, i int) string { return enterpriseJSON(storetest.USCC(countyB, 50+i), countyB, "") }}},
		"PATCH /api/v1/enterprises/{uscc}": {{path: "/api/v1/enterprises/" + entB, body: text(`{"employees": 231}`), want: patchB},
			{path: "/api/v1/enterprises/" + entA, body: text(`{"employees": 232}`), want: want{200, 200, 403, 403, 200, 403, 403, 403}}},
		"POST /api/v1/import/{kind}": {{path: "/api/v1/import/enterprises?format=csv&dry_run=1",
			body: text("uscc,name,county,industry_code,size,status\n" + entA + ",丽水市测试合成革有限公司,331102,2925,above,operating\n"),
			want: want{200, 200, 403, 403, 200, 403, 403, 403}},
			{path: "/api/v1/import/enterprises?format=csv&dry_run=1",
				body: text("uscc,name,county,industry_code,size,status\n" + entB + ",青田测试阀门有限公司,331121,3443,above,operating\n"),
				want: patchB},
			// annual data: the economy bureau's (decision 0024)
			{path: "/api/v1/import/annual?format=csv&dry_run=1", body: text("uscc,year,tax,land_mu\n" + entA + ",2024,10,5\n"),
				want: want{200, 403, 200, 403, 403, 403, 403, 403}}},
		"GET /api/v1/export/{kind}": {{path: "/api/v1/export/enterprises", want: all200}},

		"GET /api/v1/outlets/{uscc}/{outlet}/readings": {{path: "/api/v1/outlets/" + entA + "/DA001/readings", want: all200},
			{path: "/api/v1/outlets/" + entB + "/DA001/readings", want: ofB}},
		"GET /api/v1/outlets/{uscc}/{outlet}/rollups": {{path: "/api/v1/outlets/" + entB + "/DA001/rollups", want: ofB}},
		"GET /api/v1/loggers/{mn}/frames":             {{path: "/api/v1/loggers/" + mnB + "/frames", want: all200}},

		// Rules (decision 0023): the catalogue is read by every role and
		// replaced by the city's ecology bureau; alarms are read as
		// monitoring data and handled by ecology officers in scope.
		"GET /api/v1/standards":  {{path: "/api/v1/standards", want: all200}},
		"POST /api/v1/standards": {{path: "/api/v1/standards?name=s.csv", body: text(standardsCSV), want: want{200, 200, 403, 403, 403, 403, 403, 403}}},
		"GET /api/v1/alarms":     {{path: "/api/v1/alarms", want: all200}, {path: "/api/v1/alarms?uscc=" + entB, want: all200}},
		// The stream (decision 0027) is read as the list; its filtering by
		// role is TestAlarmStream's, over real connections.
		"GET /api/v1/alarms/stream": {{path: "/api/v1/alarms/stream", want: all200}},
		// Watch-lists (decision 0027): each account its own; the first
		// item added is the administrator's, which no one else finds.
		"GET /api/v1/watchlist":         {{path: "/api/v1/watchlist", want: all200}},
		"POST /api/v1/watchlist":        {{path: "/api/v1/watchlist", body: text(`{"kind": "county", "value": "331102"}`), want: want{201, 201, 201, 201, 201, 201, 201, 201}}},
		"DELETE /api/v1/watchlist/{id}": {{path: "/api/v1/watchlist/1", want: want{200, 404, 404, 404, 404, 404, 404, 404}}},
		"PUT /api/v1/watchlist/email":   {{path: "/api/v1/watchlist/email", body: text(`{"email": "me@bureau.example"}`), want: all200}},
		"GET /api/v1/alarms/{id}": {{pathOf: alarmOfA, alarm: true, want: want{200, 200, 200, 200, 200, 200, 200, 200}},
			{pathOf: alarmOfB, alarm: true, want: ofB}},
		"POST /api/v1/alarms/{id}/acknowledge": {{pathOf: alarmOfA, alarm: true, suffix: "/acknowledge", body: alarmBody(alarmOfA, `"comment": "已通知企业"`),
			want: want{pass, pass, 403, 403, pass, 403, 403, 403}},
			{pathOf: alarmOfB, alarm: true, suffix: "/acknowledge", body: alarmBody(alarmOfB, `"comment": "已通知企业"`), want: want{pass, pass, 403, 403, 404, 403, 403, 403}}},
		"POST /api/v1/alarms/{id}/resolve": {{pathOf: alarmOfB, alarm: true, suffix: "/resolve", body: alarmBody(alarmOfB, `"reason": "设备故障已修复"`),
			want: want{pass, pass, 403, 403, 404, 403, 403, 403}}},

		// Loads and compliance grids (decision 0026): monitoring data.
		"GET /api/v1/outlets/{uscc}/{outlet}/loads": {{path: "/api/v1/outlets/" + entA + "/DA001/loads?year=2026", want: all200},
			{path: "/api/v1/outlets/" + entB + "/DA001/loads", want: ofB}},
		"GET /api/v1/enterprises/{uscc}/compliance": {{path: "/api/v1/enterprises/" + entA + "/compliance", want: all200},
			{path: "/api/v1/enterprises/" + entB + "/compliance", want: ofB}},
		"GET /api/v1/compliance":    {{path: "/api/v1/compliance?county=" + countyA, want: all200}, {path: "/api/v1/compliance", want: all200}},
		"GET /api/v1/alarms/export": {{path: "/api/v1/alarms/export?format=xlsx", want: all200}, {path: "/api/v1/alarms/export?kind=exceedance", want: all200}},
		"GET /api/v1/outlets/{uscc}/{outlet}/loads/export": {{path: "/api/v1/outlets/" + entA + "/DA001/loads/export?format=xlsx", want: all200},
			{path: "/api/v1/outlets/" + entB + "/DA001/loads/export", want: ofB}},
		"GET /api/v1/compliance/export": {{path: "/api/v1/compliance/export?uscc=" + entB, want: all200}, {path: "/api/v1/compliance/export?format=xlsx", want: all200}},

		"POST /api/v1/screenings":                  {{path: "/api/v1/screenings", body: text(`{}`), want: cityCreate}},
		"GET /api/v1/screenings":                   {{path: "/api/v1/screenings", want: cityRead}},
		"GET /api/v1/screenings/{id}":              {{path: "/api/v1/screenings/1", want: cityRead}},
		"GET /api/v1/screenings/{id}/diff/{other}": {{path: "/api/v1/screenings/1/diff/2", want: cityRead}},
		"GET /api/v1/campaigns":                    {{path: "/api/v1/campaigns", want: officers}},
		"POST /api/v1/campaigns":                   {{path: "/api/v1/campaigns", body: text(campaignJSON), want: cityCreate}},
		"GET /api/v1/campaigns/{id}":               {{path: "/api/v1/campaigns/1", want: officers}},
		"PUT /api/v1/campaigns/{id}": {{path: "/api/v1/campaigns/1", want: want{200, 200, 403, 403, 403, 403, 403, 403},
			body: func(f *fixture, _ int) string {
				c, err := f.comp.Campaign(context.Background(), auth.Command("test"), 1)
				if err != nil {
					f.t.Fatal(err)
				}
				return strings.TrimSuffix(campaignJSON, "}") + fmt.Sprintf(`, "version": %d}`, c.Version)
			}}},
		"POST /api/v1/campaigns/{id}/survey": {{path: "/api/v1/campaigns/1/survey", body: text(`{"all": true}`), want: want{200, 200, 403, 403, 403, 403, 403, 403}}},
		"GET /api/v1/campaigns/{id}/stats":   {{path: "/api/v1/campaigns/1/stats", want: officers}},
		"GET /api/v1/campaigns/{id}/report":  {{path: "/api/v1/campaigns/1/report", want: officers}},
		"GET /api/v1/cases":                  {{path: "/api/v1/cases", want: caseRead}},
		"GET /api/v1/cases/{id}":             {{pathOf: caseOfA, want: caseRead}, {pathOf: caseOfB, want: caseB}},
		"GET /api/v1/cases/{id}/events":      {{pathOf: caseOfA, suffix: "/events", want: caseRead}, {pathOf: caseOfB, suffix: "/events", want: caseB}},
		"GET /api/v1/cases/{id}/monitoring":  {{pathOf: caseOfA, suffix: "/monitoring", want: caseRead}, {pathOf: caseOfB, suffix: "/monitoring", want: caseB}},
		"POST /api/v1/cases/{id}/assign": {{pathOf: caseOfA, suffix: "/assign", body: step(caseOfA, `, "assignee": "insp-a"`),
			want: want{200, 200, 403, 403, 200, 403, 403, 403}},
			{pathOf: caseOfB, suffix: "/assign", body: step(caseOfB, `, "assignee": "insp-b"`), want: want{200, 200, 403, 403, 404, 403, 403, 403}}},
		"POST /api/v1/cases/{id}/items": {{pathOf: caseOfA, suffix: "/items", body: step(caseOfA, `, "text": "密封"`),
			want: want{200, 200, 403, 403, 200, 403, 200, 403}},
			{pathOf: caseOfB, suffix: "/items", body: step(caseOfB, `, "text": "密封"`), want: want{pass, pass, 403, 403, 404, 403, 404, 403}}},
		"POST /api/v1/attachments":     {{path: "/api/v1/attachments?name=a.pdf", body: text(pdf), want: want{201, 201, 403, 403, 201, 403, 201, 403}}},
		"GET /api/v1/attachments/{id}": {{path: "/api/v1/attachments/" + pdfID, want: caseRead}},
		// The per-mu evaluation (decision 0024): run by the economy
		// bureau, read by officers of the run's county.
		"POST /api/v1/evaluations": {{path: "/api/v1/evaluations", body: text(`{"county": "331102", "year": 2024, "preset": "lishui-default"}`),
			want: want{201, 403, 201, 403, 403, 403, 403, 403}}},
		"GET /api/v1/evaluations/{id}/results": {{path: "/api/v1/evaluations/1/results?class=A", want: want{200, 200, 200, 200, 200, 403, 200, 404}},
			{path: "/api/v1/evaluations/2/results?format=xlsx&policy=ruian-2018", want: want{200, 200, 200, 200, 200, 403, 200, 404}},
			{path: "/api/v1/evaluations/999/results", want: want{404, 404, 404, 404, 404, 403, 404, 404}}},
		// Its public notice (decision 0028): the economy bureau's steps, on
		// run 1 (no annual data: no results); objections by the enterprise.
		"POST /api/v1/evaluations/{id}/notice": {{path: "/api/v1/evaluations/1/notice", body: func(*fixture, int) string {
			today := time.Now().In(cst.Zone)
			return fmt.Sprintf(`{"from": %q, "to": %q}`, today.Format(time.DateOnly), today.AddDate(0, 0, 6).Format(time.DateOnly))
		}, want: econSteps}},
		"POST /api/v1/evaluations/{id}/objections": {{path: "/api/v1/evaluations/1/objections", body: text(`{"uscc": "` + entA + `", "text": "税收有误"}`),
			want: want{pass, 403, pass, 403, 403, 403, 403, pass}}},
		"POST /api/v1/evaluations/{id}/objections/{objection}/accept": {{path: "/api/v1/evaluations/1/objections/999/accept", body: text(`{"reason": "核实"}`),
			want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		"POST /api/v1/evaluations/{id}/objections/{objection}/reject": {{path: "/api/v1/evaluations/1/objections/999/reject", body: text(`{"reason": "核实"}`),
			want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		"POST /api/v1/evaluations/{id}/rerun":   {{path: "/api/v1/evaluations/2/rerun", want: want{201, 403, 409, 403, 403, 403, 403, 403}}},
		"POST /api/v1/evaluations/{id}/approve": {{path: "/api/v1/evaluations/1/approve", body: text(`{"document": "常务会议"}`), want: econSteps}},
		"POST /api/v1/evaluations/{id}/publish": {{path: "/api/v1/evaluations/1/publish", want: econSteps}},
		"POST /api/v1/evaluations/{id}/evidence": {{path: "/api/v1/evaluations/1/evidence?name=a.pdf&uscc=" + entA, body: text(pdf),
			want: want{pass, 403, pass, 403, 403, 403, 403, pass}}},
		"GET /api/v1/evaluations/{id}/history": {{path: "/api/v1/evaluations/1/history", want: want{200, 200, 200, 200, 200, 403, 200, 200}}},
		"GET /api/v1/evaluations/{id}/policies": {{path: "/api/v1/evaluations/1/policies?format=xlsx", want: want{200, 200, 200, 200, 200, 403, 200, 200}},
			{path: "/api/v1/evaluations/3/policies?policy=ruian-2018", want: want{200, 200, 200, 200, 200, 403, 200, 404}}},
		"GET /api/v1/evaluations": {{path: "/api/v1/evaluations?year=2024", want: want{200, 200, 200, 200, 200, 403, 200, 200}}},
		"GET /api/v1/enterprises/{uscc}/evaluations": {{path: "/api/v1/enterprises/" + entA + "/evaluations", want: want{200, 200, 200, 200, 200, 403, 200, 200}},
			{path: "/api/v1/enterprises/" + entB + "/evaluations", want: want{200, 200, 200, 200, 404, 403, 404, 404}}},
		// Declarations (decision 0028): the enterprise's own, the economy
		// bureau's to confirm (1, admin's) or reject (2, city-econ's).
		"POST /api/v1/declarations": {{path: "/api/v1/declarations", body: text(`{"uscc": "` + entA + `", "year": 2024, "fields": {"tax": "12"}}`),
			want: want{201, 403, 201, 403, 403, 403, 403, 201}}},
		"GET /api/v1/declarations": {{path: "/api/v1/declarations?state=pending", want: want{200, 200, 200, 200, 200, 403, 200, 200}}},
		"POST /api/v1/declarations/{id}/confirm": {{path: "/api/v1/declarations/1/confirm", body: text(`{}`), want: econSteps},
			{path: "/api/v1/declarations/999/confirm", body: text(`{}`), want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		"POST /api/v1/declarations/{id}/reject": {{path: "/api/v1/declarations/2/reject", body: text(`{"reason": "不符"}`), want: econSteps}},
		// Ecological product purchases (decision 0031): the ecology
		// bureau's, read by officers of the purchase's county; 1 is in
		// county A, 2 in county B.
		"GET /api/v1/gep/purchases": {{path: "/api/v1/gep/purchases", want: officers}},
		"POST /api/v1/gep/purchases": {{path: "/api/v1/gep/purchases", body: purchaseJSON(countyA, 0), want: ecoCreate},
			{path: "/api/v1/gep/purchases", body: purchaseJSON(countyB, 0), want: cityCreate}},
		"GET /api/v1/gep/purchases/{id}": {{path: "/api/v1/gep/purchases/1", want: officers},
			{path: "/api/v1/gep/purchases/2", want: want{200, 200, 200, 200, 404, 403, 404, 403}}},
		"PUT /api/v1/gep/purchases/{id}": {{path: "/api/v1/gep/purchases/1", body: purchaseJSON(countyA, 1), want: want{200, 200, 403, 403, 200, 403, 403, 403}},
			{path: "/api/v1/gep/purchases/2", body: purchaseJSON(countyB, 2), want: want{200, 200, 403, 403, 404, 403, 403, 403}}},
		"DELETE /api/v1/gep/purchases/{id}": {{path: "/api/v1/gep/purchases/999", want: want{404, 404, 403, 403, 404, 403, 403, 403}}},
		"GET /api/v1/gep/purchases/{id}/payments": {{path: "/api/v1/gep/purchases/1/payments", want: officers},
			{path: "/api/v1/gep/purchases/2/payments", want: want{200, 200, 200, 200, 404, 403, 404, 403}}},
		// GEP account runs (decision 0030): run by the city's ecology and
		// statistics bureaus (a config naming a missing file: 400 once the
		// policy lets it through), read by city and county officers.
		"POST /api/v1/gep/runs": {{path: "/api/v1/gep/runs", body: text(`{"year": 2010, "rasters": {"lulc": "none.tif"}}`),
			want: want{400, 400, 403, 400, 403, 403, 403, 403}}},
		"GET /api/v1/gep/runs":                   {{path: "/api/v1/gep/runs", want: gepRead}},
		"GET /api/v1/gep/runs/{id}":              {{path: "/api/v1/gep/runs/1", want: gepRead}, {path: "/api/v1/gep/runs/999", want: want{404, 404, 404, 404, 404, 403, 403, 403}}},
		"GET /api/v1/gep/runs/{id}/account.xlsx": {{path: "/api/v1/gep/runs/1/account.xlsx", want: gepRead}},
		// Leading industries, plan, projects, facilities (decision 0029):
		// aggregates read by officers; written by the economy bureau.
		"GET /api/v1/clusters":     {{path: "/api/v1/clusters?year=2024&county=331121&mapping=story-2020", want: officers}},
		"GET /api/v1/plans":        {{path: "/api/v1/plans", want: officers}},
		"POST /api/v1/plans":       {{path: "/api/v1/plans", body: text(`{"preset": "lishui-2020-2022"}`), want: econCreate}},
		"GET /api/v1/plans/{name}": {{path: "/api/v1/plans/nope", want: want{404, 404, 404, 404, 404, 403, 404, 403}}},
		"POST /api/v1/plans/{name}/values": {{path: "/api/v1/plans/nope/values", body: text(`{"indicator": "gep", "year": 2021, "value": 1, "source": "x"}`),
			want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		"GET /api/v1/projects":      {{path: "/api/v1/projects", want: officers}},
		"POST /api/v1/projects":     {{path: "/api/v1/projects", body: text(`{"uscc": "` + entA + `", "title": "水性化改造", "started": "2025-01-01"}`), want: econCreate}},
		"GET /api/v1/projects/{id}": {{path: "/api/v1/projects/999", want: want{404, 404, 404, 404, 404, 403, 404, 403}}},
		"PUT /api/v1/projects/{id}": {{path: "/api/v1/projects/999", body: text(`{"uscc": "` + entA + `", "title": "t", "started": "2025-01-01", "version": 1}`),
			want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		"GET /api/v1/shared-facilities": {{path: "/api/v1/shared-facilities", want: officers}},
		"POST /api/v1/shared-facilities": {{path: "/api/v1/shared-facilities", body: func(_ *fixture, i int) string {
			return fmt.Sprintf(`{"code": "F%d", "name": "集中治污", "operator": "%s", "outlets": ["%s"], "measure": "a00000", "capacity_per_day": 100}`, i, entA, storetest.Outlet.OutletCode)
		}, want: econCreate}},
		"GET /api/v1/shared-facilities/{code}": {{path: "/api/v1/shared-facilities/NOPE", want: want{404, 404, 404, 404, 404, 403, 404, 403}}},
		"PUT /api/v1/shared-facilities/{code}": {{path: "/api/v1/shared-facilities/NOPE", body: text(`{"version": 1, "name": "n"}`),
			want: want{404, 403, 404, 403, 403, 403, 403, 403}}},
		// Accounts (decision 0018): sign-in is for anyone, one's own
		// session, password and tokens for oneself, accounts and the audit
		// for administrators.
		"POST /api/v1/session":       {{path: "/api/v1/session", body: text(`{"name": "nobody", "password": "wrong password"}`), want: want{401, 401, 401, 401, 401, 401, 401, 401}}},
		"DELETE /api/v1/session":     {{path: "/api/v1/session", want: want{400, 400, 400, 400, 400, 400, 400, 400}}},
		"GET /api/v1/me":             {{path: "/api/v1/me", want: all200}},
		"POST /api/v1/me/password":   {{path: "/api/v1/me/password", body: text(`{"old_password": "wrong password", "new_password": "丽水的山是金山银山"}`), want: want{400, 400, 400, 400, 400, 400, 400, 403}}},
		"GET /api/v1/tokens":         {{path: "/api/v1/tokens", want: want{200, 200, 200, 200, 200, 200, 200, 403}}},
		"POST /api/v1/tokens":        {{path: "/api/v1/tokens", body: text(`{"name": "script"}`), want: want{201, 201, 201, 201, 201, 201, 201, 403}}},
		"DELETE /api/v1/tokens/{id}": {{path: "/api/v1/tokens/999", want: want{404, 404, 404, 404, 404, 404, 404, 404}}},
		"GET /api/v1/users":          {{path: "/api/v1/users", want: want{200, 403, 403, 403, 403, 403, 403, 403}}},
		"POST /api/v1/users":         {{path: "/api/v1/users", body: text(`{"name": "new-officer", "role": "city", "bureau": "ecology", "password": "瓯江两岸的青山绿水长流"}`), want: adminOnly}},
		"PATCH /api/v1/users/{name}": {{path: "/api/v1/users/nobody", body: text(`{"display_name": "x"}`), want: want{404, 403, 403, 403, 403, 403, 403, 403}}},
		"GET /api/v1/audit/logins":   {{path: "/api/v1/audit/logins", want: want{200, 403, 403, 403, 403, 403, 403, 403}}},
	}
	for name, fields := range stepRoutes {
		ps["POST /api/v1/cases/{id}/"+name] = []probe{{pathOf: caseOfA, suffix: "/" + name, body: step(caseOfA, fields), want: stepA}}
	}
	// The registry's other kinds: lists of all, creations on enterprise
	// A, updates of enterprise B's records.
	creates := map[string]func(i int) string{
		"licences": func(i int) string {
			return fmt.Sprintf(`{"uscc": %q, "licence_no": "L%d", "issued": "2020-01-01", "valid_to": "2030-01-01", "status": "valid"}`, entA, i)
		},
		"sites": func(i int) string { return fmt.Sprintf(`{"uscc": %q, "land_status": "pending"}`, extra(i)) },
		"safety": func(i int) string {
			return fmt.Sprintf(`{"uscc": %q, "assessed_on": "2020-01-%02d", "result": "fail"}`, entA, i+1)
		},
		"outlets": func(i int) string {
			return fmt.Sprintf(`{"uscc": %q, "outlet_code": "DW%03d", "kind": "water", "name": "n"}`, entA, i)
		},
		"facilities": func(i int) string {
			return fmt.Sprintf(`{"uscc": %q, "facility_code": "F%d", "kind": "除尘", "in_service": true}`, entA, i)
		},
		"permits": func(i int) string {
			return fmt.Sprintf(`{"permit_no": "P%d", "uscc": %q, "class": "key", "valid_from": "2021-01-01", "valid_to": "2099-12-31", `+
				`"outlet_code": "DA001", "pollutant_code": "a24088", "limit_concentration": 60, "limit_unit": "mg/m3"}`, i, entA)
		},
	}
	updates := map[string]struct{ key, body string }{
		"licences":   {entB + "/LB", `{"status": "valid"}`},
		"sites":      {entB, `{"certificate_no": "C2"}`},
		"safety":     {entB + "/2020-01-01", `{"result": "fail"}`},
		"outlets":    {entB + "/DA001", `{"height_m": 30}`},
		"facilities": {entB + "/FB", `{"in_service": false}`},
		"permits":    {"PB/DA001/a24088", `{"limit_concentration": 50}`},
	}
	for k, create := range creates {
		want := ecoCreate
		ps["GET /api/v1/"+k] = []probe{{path: "/api/v1/" + k, want: all200}, {path: "/api/v1/" + k + "?uscc=" + entB, want: ofB}}
		ps["POST /api/v1/"+k] = []probe{{path: "/api/v1/" + k, body: func(_ *fixture, i int) string { return create(i) }, want: want}}
		ps["PATCH /api/v1/"+k+"/{key...}"] = []probe{{path: "/api/v1/" + k + "/" + updates[k].key, body: text(updates[k].body), want: patchB}}
	}
	// Annual economic data (decision 0024): the economy bureau's.
	ps["GET /api/v1/annual"] = []probe{{path: "/api/v1/annual", want: all200}, {path: "/api/v1/annual?uscc=" + entB, want: ofB}}
	ps["POST /api/v1/annual"] = []probe{{path: "/api/v1/annual", want: want{201, 403, 201, 403, 403, 403, 403, 403},
		body: func(_ *fixture, i int) string {
			return fmt.Sprintf(`{"uscc": %q, "year": %d, "tax": 12.5, "source": "税务"}`, entA, 2000+i)
		}}}
	ps["PATCH /api/v1/annual/{key...}"] = []probe{{path: "/api/v1/annual/" + entA + "/2000", body: text(`{"tax": 13}`),
		want: want{200, 403, 200, 403, 403, 403, 403, 403}}}
	ps["GET /api/v1/units"] = []probe{{path: "/api/v1/units", want: all200}}
	ps["POST /api/v1/units"] = []probe{{path: "/api/v1/units", want: adminOnly, body: func(_ *fixture, i int) string {
		return fmt.Sprintf(`{"code": "331102%03d", "name": "镇%d", "level": "township", "parent": "331102"}`, 200+i, i)
	}}}
	ps["PATCH /api/v1/units/{key...}"] = []probe{{path: "/api/v1/units/331102", body: text(`{"population": 500000}`),
		want: want{200, 403, 403, 403, 403, 403, 403, 403}}}
	ps["GET /api/v1/parks"] = []probe{{path: "/api/v1/parks", want: all200}}
	ps["POST /api/v1/parks"] = []probe{{path: "/api/v1/parks", want: ecoCreate, body: func(_ *fixture, i int) string {
		return fmt.Sprintf(`{"code": "P%d", "name": "园区%d", "county": "331102", "kind": "industrial_park"}`, i, i)
	}}}
	ps["PATCH /api/v1/parks/{key...}"] = []probe{{path: "/api/v1/parks/" + storetest.Park.Code, body: text(`{"name": "丽水经济技术开发区"}`),
		want: want{200, 200, 403, 403, 200, 200, 403, 403}}}
	return ps
}

func enterpriseJSON(uscc, county, park string) string {
	return fmt.Sprintf(`{"uscc": %q, "name": "测试企业", "county": %q, "industry_code": "2925", "size": "above", "status": "operating", "park": %q}`,
		uscc, county, park)
}

// purchaseJSON is a purchase of a township of county, with the stored
// version of purchase id (0: a new one).
func purchaseJSON(county string, id int64) func(*fixture, int) string {
	return func(f *fixture, _ int) string {
		p := storetest.Purchase()
		p.SellerZone = county + "001"
		if id != 0 {
			stored, err := f.s.purch.Get(context.Background(), sys, id)
			must(f.t, err)
			p.Version = stored.Version
		}
		b, err := json.Marshal(p)
		must(f.t, err)
		return string(b)
	}
}

const campaignJSON = `{"name": "四无整治", "lead_unit": "丽水市生态环境局", "start": "2026-01-01", "end": "2099-12-31",
	"scope": {"counties": ["331102", "331121"]}, "targets": {"survey_rate": 100, "disposal_rate": 100}}`

// pdf is an attachment; pdfID its SHA-256.
const pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

var pdfID = fmt.Sprintf("%x", sha256.Sum256([]byte(pdf)))

// fixture is a server over two counties: the park and enterprise A (with
// extra enterprises) in county A, enterprise B in county B, each with an
// outlet and records, a campaign with their cases classified as
// upgrades, case A assigned to the inspector, two screening runs and an
// attachment.
type fixture struct {
	t              testing.TB
	s              *Server
	comp           *compliance.Service
	rules          *rules.Service
	caseA, caseB   int64
	alarmA, alarmB int64
	gepData        string // the GEP runs' data directory, with geptest's files
	gepConfig      string // and their config
}

var sys = auth.Command("test")

func newFixture(t testing.TB, st *store.DB) *fixture {
	ctx := context.Background()
	comp := compliance.NewService(st, st.Attachments(t.TempDir()))
	acc := auth.NewService(st)
	rl := rules.NewService(st)
	f := &fixture{t: t, s: New(registry.NewService(st), monitoring.NewService(st, st), comp, economy.NewService(st), acc, rl, gep.NewPurchaseService(st), slog.New(slog.DiscardHandler),
		WithWatchLists(notify.NewService(st, st))), comp: comp, rules: rl}
	// A GEP run done (run 1), over the data directory of the fixture's files.
	data := t.TempDir()
	f.gepData = data
	g := gep.NewService(st, data, slog.New(slog.DiscardHandler))
	f.s.WithGEP(g)
	f.gepConfig = geptest.Fixture(t, data)
	_, done, gerr := g.Start(ctx, sys, []byte(f.gepConfig))
	must(t, gerr)
	<-done
	b := storetest.Ent
	b.USCC, b.County, b.Park, b.Name = entB, countyB, "", "青田测试阀门有限公司"
	oa, ob := storetest.Outlet, storetest.Outlet
	oa.MN, ob.USCC, ob.MN = mnA, entB, mnB
	err := st.Update(ctx, func(tx registry.Tx) error {
		errs := []error{tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent), tx.PutEnterprise(ctx, b),
			tx.PutOutlet(ctx, oa), tx.PutOutlet(ctx, ob),
			tx.PutLicence(ctx, registry.Licence{USCC: entB, LicenceNo: "LB", Issued: "2020-01-01", ValidTo: "2030-01-01", Status: "valid"}),
			tx.PutSite(ctx, registry.Site{USCC: entB, LandStatus: "legal", CertificateNo: "C1"}),
			tx.PutSafety(ctx, registry.Safety{USCC: entB, AssessedOn: "2020-01-01", Result: "pass", ValidTo: "2023-01-01"}),
			tx.PutFacility(ctx, registry.Facility{USCC: entB, FacilityCode: "FB", Kind: "除尘", OutletCode: "DA001", InService: true}),
			tx.PutPermit(ctx, registry.PermitLimit{PermitNo: "PB", USCC: entB, Class: "key", ValidFrom: "2021-01-01", ValidTo: "2099-12-31",
				OutletCode: "DA001", PollutantCode: "a24088", LimitConcentration: 60, LimitUnit: "mg/m3"})}
		for i := range roles {
			e := storetest.Ent
			e.USCC = extra(i)
			errs = append(errs, tx.PutEnterprise(ctx, e))
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each role's account (the token's is its user's).
	for _, p := range roles {
		name, _, _ := strings.Cut(p.Name, "/")
		_, err := acc.AddAccount(ctx, auth.Account{Name: name, Role: p.Role, Bureau: p.Bureau, Scope: p.Scope}, "瓯江两岸的青山绿水长流", sys)
		must(t, err)
	}
	var c compliance.Campaign
	must(t, json.Unmarshal([]byte(campaignJSON), &c))
	c, err = comp.CreateCampaign(ctx, c, sys)
	must(t, err)
	_, err = comp.Survey(ctx, c.ID, compliance.SurveyOptions{All: true}, sys)
	must(t, err)
	for _, k := range []struct {
		id   *int64
		uscc string
	}{{&f.caseA, entA}, {&f.caseB, entB}} {
		cs, _, err := comp.Cases(ctx, sys, compliance.CaseFilter{USCC: k.uscc})
		if err != nil || len(cs) != 1 {
			t.Fatalf("cases of %s: %v %v", k.uscc, cs, err)
		}
		x, err := comp.Classify(ctx, compliance.Edit{Case: cs[0].ID, Version: cs[0].Version, By: sys},
			compliance.Plan{Disposition: compliance.Upgrade, Unit: "莲都区经信局", Person: "王五", Measures: "密封", Deadline: "2099-01-01"})
		must(t, err)
		*k.id = x.ID
	}
	for _, county := range []string{countyA, countyB} { // purchases 1 and 2
		p := storetest.Purchase()
		p.SellerZone = county + "001"
		_, err := f.s.purch.Create(ctx, sys, p)
		must(t, err)
	}
	x, err := comp.Case(ctx, sys, f.caseA)
	must(t, err)
	_, err = comp.Assign(ctx, compliance.Edit{Case: f.caseA, Version: x.Version, By: sys}, "insp-a")
	must(t, err)
	_, err = comp.Screen(ctx, compliance.RuleSet{Criteria: compliance.FourNos}, "", sys)
	must(t, err)
	_, err = comp.PutAttachment(ctx, sys, "a.pdf", "application/pdf", strings.NewReader(pdf))
	must(t, err)
	for _, k := range []struct {
		id   *int64
		uscc string
	}{{&f.alarmA, entA}, {&f.alarmB, entB}} {
		must(t, st.RaiseAlarm(ctx, rules.Alarm{Kind: rules.DataGap, State: rules.Open, USCC: k.uscc, Outlet: "DA001", StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
		as, _, err := st.Alarms(ctx, rules.AlarmFilter{USCC: k.uscc})
		if err != nil || len(as) != 1 {
			t.Fatalf("alarms of %s: %v %v", k.uscc, as, err)
		}
		*k.id = as[0].ID
	}
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// call makes a request as p, whom a test middleware puts in the request's
// context as the authentication will.
func (f *fixture) call(p auth.Principal, method, path, body string) (int, []byte) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	switch {
	case strings.HasPrefix(path, "/api/v1/attachments"):
		r.Header.Set("Content-Type", "application/pdf")
	case strings.HasPrefix(path, "/api/v1/import/"):
		r.Header.Set("Content-Type", "text/csv")
	default:
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	f.s.mux().ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	return w.Code, w.Body.Bytes()
}

// stores opens each store for a test: SQLite, and PostgreSQL where a
// server is given.
var stores = map[string]func(t testing.TB) *store.DB{
	"sqlite": func(t testing.TB) *store.DB {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roles.db"))
		must(t, err)
		t.Cleanup(func() { st.Close() })
		return st
	},
	"postgres": func(t testing.TB) *store.DB {
		st, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		must(t, err)
		t.Cleanup(func() { st.Close() })
		return st
	},
}

// TestRolesOnEveryRoute asks every route of the table as every role and
// checks the status each gets (decision 0019); a route of the table
// without an entry in probes fails.
func TestRolesOnEveryRoute(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ps := probes()
			for _, rt := range f.s.routes {
				key := rt.method + " " + rt.pattern
				list := ps[key]
				delete(ps, key)
				if len(list) == 0 {
					t.Errorf("route %s has no entry in probes: say what each role gets", key)
				}
				for _, pr := range list {
					path := pr.path
					switch {
					case pr.pathOf != nil && pr.alarm:
						path = fmt.Sprintf("/api/v1/alarms/%d%s", pr.pathOf(f), pr.suffix)
					case pr.pathOf != nil:
						path = fmt.Sprintf("/api/v1/cases/%d%s", pr.pathOf(f), pr.suffix)
					}
					for i, p := range roles {
						body := ""
						if pr.body != nil {
							body = pr.body(f, i)
						}
						got, resp := f.call(p, rt.method, path, body)
						ok := got == pr.want[i]
						if pr.want[i] == pass {
							ok = got != 403 && got != 404 && got < 500
						}
						if !ok {
							t.Errorf("%s %s as %s: %d, want %d: %.300s", rt.method, path, p.Name, got, pr.want[i], resp)
						}
					}
				}
			}
			for key := range ps {
				t.Errorf("probes has %s, which is no route of the table", key)
			}
			f.filtered(t)
		})
	}
}

// filtered checks that lists, statistics and exports carry only what the
// role may see.
func (f *fixture) filtered(t *testing.T) {
	county, park, ent := roles[4], roles[5], roles[7]
	get := func(p auth.Principal, path string, v any) []byte {
		t.Helper()
		code, body := f.call(p, "GET", path, "")
		if code != 200 {
			t.Fatalf("GET %s as %s: %d %s", path, p.Name, code, body)
		}
		if v != nil {
			must(t, json.Unmarshal(body, v))
		}
		return body
	}
	var page enterprisePage
	get(county, "/api/v1/enterprises?limit=1000", &page)
	for _, e := range page.Items {
		if e.County != countyA {
			t.Errorf("county A's officer lists %s of county %s", e.USCC, e.County)
		}
	}
	if page.Total != len(page.Items) || page.Total < 1+len(roles) {
		t.Errorf("county A's officer lists %d enterprises (total %d)", len(page.Items), page.Total)
	}
	get(county, "/api/v1/enterprises?county="+countyB, &page)
	if page.Total != 0 {
		t.Errorf("county A's officer asking for county B finds %d", page.Total)
	}
	get(park, "/api/v1/enterprises?limit=1000", &page)
	for _, e := range page.Items {
		if e.Park != storetest.Park.Code {
			t.Errorf("the park lists %s of park %q", e.USCC, e.Park)
		}
	}
	get(ent, "/api/v1/enterprises", &page)
	if page.Total != 1 || len(page.Items) != 1 || page.Items[0].USCC != entA {
		t.Errorf("the enterprise lists %+v", page)
	}
	var outlets struct{ Items []registry.Outlet }
	get(ent, "/api/v1/outlets", &outlets)
	if len(outlets.Items) == 0 || slicesAny(outlets.Items, func(o registry.Outlet) bool { return o.USCC != entA }) {
		t.Errorf("the enterprise lists outlets %+v", outlets.Items)
	}

	var st compliance.Stats
	get(county, "/api/v1/campaigns/1/stats", &st)
	all, _, err := f.comp.Cases(context.Background(), sys, compliance.CaseFilter{Campaign: 1, County: countyA})
	must(t, err)
	if len(st.ByCounty) != 1 || st.ByCounty[0].Code != countyA || st.Total.Surveyed != len(all) || st.Total.InScope != len(all) {
		t.Errorf("county A's statistics: total %+v, by county %+v; want %d cases of county A", st.Total, st.ByCounty, len(all))
	}
	var cases casePage
	get(county, "/api/v1/cases?limit=1000", &cases)
	if cases.Total != len(all) || slicesAny(cases.Items, func(c compliance.Case) bool { return c.County != countyA }) {
		t.Errorf("county A's officer lists %d cases, want %d", cases.Total, len(all))
	}
	get(ent, "/api/v1/cases", &cases)
	if cases.Total != 1 || cases.Items[0].USCC != entA {
		t.Errorf("the enterprise lists cases %+v", cases.Items)
	}
	get(roles[6], "/api/v1/cases?assignee=insp-a", &cases)
	if cases.Total != 1 || cases.Items[0].ID != f.caseA {
		t.Errorf("the inspector's assigned cases: %+v", cases.Items)
	}

	for _, path := range []string{"/api/v1/export/enterprises", "/api/v1/export/outlets?format=xlsx", "/api/v1/export/permits"} {
		body := get(county, path, nil)
		if bytes.HasSuffix([]byte(path), []byte("xlsx")) {
			body = []byte(strings.Join(xlsxCells(t, body, ""), "\n"))
		}
		if !bytes.Contains(body, []byte(entA)) && !strings.Contains(path, "permits") || bytes.Contains(body, []byte(entB)) {
			t.Errorf("%s as county A's officer: %s", path, body)
		}
	}
	cells := xlsxCells(t, get(county, "/api/v1/campaigns/1/report", nil), "台账 Ledger")
	if !slicesAny(cells, func(c string) bool { return c == entA }) || slicesAny(cells, func(c string) bool { return c == entB }) {
		t.Errorf("county A's report ledger: %v", cells)
	}
}

func slicesAny[T any](s []T, f func(T) bool) bool { return slices.ContainsFunc(s, f) }

// xlsxCells returns the cells of a workbook's sheet, or of every sheet with "".
func xlsxCells(t *testing.T, b []byte, sheet string) []string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	must(t, err)
	defer x.Close()
	var out []string
	for _, name := range x.GetSheetList() {
		if sheet != "" && name != sheet {
			continue
		}
		rows, err := x.GetRows(name)
		must(t, err)
		for _, r := range rows {
			out = append(out, r...)
		}
	}
	return out
}
