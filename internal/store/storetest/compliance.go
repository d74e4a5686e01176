package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
)

// ComplianceStore is what the rectification runs on: the registry and the
// compliance tables in one database.
type ComplianceStore interface {
	registry.Store
	compliance.Store
	SQL() *sql.DB
}

// OpenCompliance returns a new, empty, migrated store and the attachments
// kept beside it, both living as long as the test.
type OpenCompliance func(t *testing.T) (ComplianceStore, compliance.Attachments)

// RunCompliance runs the rectification's part of the suite, at the level of
// compliance.Service over the store.
// tester is who makes a test's changes: actor "test:NAME".
func tester(name string) auth.Principal { return auth.Principal{Kind: "test", Name: name} }

func RunCompliance(t *testing.T, open OpenCompliance) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"ScreenFourNos", testScreenFourNos},
		{"ScreenRerunAndDiff", testScreenDiff},
		{"SurveyIsIdempotent", testSurvey},
		{"IllegalMovesChangeNothing", testIllegalMoves},
		{"MissingEvidenceRefused", testMissingEvidence},
		{"FailedAcceptanceStartsAgain", testFailedAcceptance},
		{"DatesInOrder", testDatesInOrder},
		{"ConcurrentEditsOneWins", testConcurrentEdits},
		{"ConcurrentClosuresCloseOnce", testConcurrentClosures},
		{"AuditLogAppendOnly", testAuditAppendOnly},
		{"Attachments", testAttachments},
		{"RelapseEvidence", testRelapseEvidence},
		{"RelapseWatcher", testRelapseWatcher},
		{"EndToEnd", testEndToEnd},
		{"StatsAndExport", testStatsAndExport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, files := open(t)
			tc.fn(t, newFixture(t, st, files))
		})
	}
}

// fixture is a store seeded with enterprises that fail each criterion.
type fixture struct {
	ctx   context.Context
	st    ComplianceStore
	files compliance.Attachments
	svc   *compliance.Service
	n     int // attachments made
}

// asOf is the date the screening fixtures are judged at.
const asOf = "2026-06-30"

// township is a township of Qingtian that the fixtures' addresses name.
var township = registry.AdminUnit{Code: "331121104", Name: "船寮镇", NameEn: "Chuanliao", Level: "township", Parent: "331121"}

// ent returns fixture enterprise n of Qingtian, below size, outside parks.
func ent(n int, industry string) registry.Enterprise {
	return registry.Enterprise{USCC: USCC("331121", n), Name: fmt.Sprintf("青田测试%03d阀门有限公司", n), County: "331121", IndustryCode: industry,
		Size: "below", Status: "operating", Address: "青田县船寮镇工业路" + fmt.Sprint(n) + "号", Lon: 120.15, Lat: 28.18, Founded: "2010-01-01", Synthetic: true}
}

// good returns the records of an enterprise that fails no criterion.
func good(u string) (registry.Licence, registry.Site, registry.Safety) {
	return registry.Licence{USCC: u, LicenceNo: u, Issued: "2016-01-01", Status: "valid"},
		registry.Site{USCC: u, LandStatus: "legal", CertificateNo: "浙(2018)青田县不动产权第0000001号"},
		registry.Safety{USCC: u, AssessedOn: "2024-01-01", Result: "pass", ValidTo: "2099-12-31"}
}

// fourNos are the fixture enterprises (by number) and the criterion each
// fails at asOf: 1 fails none, 10 is closed and not screened.
var fourNos = map[int]string{
	2: compliance.NoLicence, 3: compliance.NoLicence, 11: compliance.NoLicence,
	4: compliance.NoLegalSite, 5: compliance.NoLegalSite,
	6: compliance.NoSafety, 7: compliance.NoSafety,
	8: compliance.NoEnvFacility, 9: compliance.NoEnvFacility,
}

func newFixture(t *testing.T, st ComplianceStore, files compliance.Attachments) *fixture {
	f := &fixture{ctx: context.Background(), st: st, files: files, svc: compliance.NewService(st, files)}
	put(t, st, func(ctx context.Context, tx registry.Tx) error {
		errs := []error{tx.PutUnit(ctx, township)}
		for n := 1; n <= 11; n++ {
			e := ent(n, "3443") // 阀门和旋塞制造: not a polluting industry
			switch n {
			case 1:
				e.Size = "above"
			case 8:
				e.IndustryCode = "3360" // electroplating
			case 10:
				e.Status = "closed"
			}
			errs = append(errs, tx.PutEnterprise(ctx, e))
			l, s, sa := good(e.USCC)
			switch n {
			case 2, 10:
				l.Status = "revoked"
			case 3:
				l.ValidTo = "2020-12-31"
			case 4:
				s.LandStatus, s.CertificateNo = "illegal", ""
			case 6:
				sa.Result, sa.ValidTo = "fail", ""
				errs = append(errs, tx.PutSafety(ctx, registry.Safety{USCC: e.USCC, AssessedOn: "2019-01-01", Result: "pass", ValidTo: "2099-12-31"}))
			case 7:
				sa.ValidTo = "2025-01-01"
			}
			if n != 11 {
				errs = append(errs, tx.PutLicence(ctx, l))
			}
			if n != 5 {
				errs = append(errs, tx.PutSite(ctx, s))
			}
			errs = append(errs, tx.PutSafety(ctx, sa))
			switch n {
			case 1:
				o := registry.Outlet{USCC: e.USCC, OutletCode: "DA001", Kind: "air", Name: "废气排放口", HeightM: 15}
				errs = append(errs, tx.PutOutlet(ctx, o), tx.PutFacility(ctx, registry.Facility{USCC: e.USCC, FacilityCode: "TA001", Kind: "布袋除尘", OutletCode: "DA001", InService: true}))
			case 8:
				errs = append(errs, tx.PutFacility(ctx, registry.Facility{USCC: e.USCC, FacilityCode: "TW001", Kind: "电镀废水处理", InService: false}))
			case 9:
				o := registry.Outlet{USCC: e.USCC, OutletCode: "DW001", Kind: "water", Name: "废水排放口"}
				errs = append(errs, tx.PutOutlet(ctx, o), tx.PutFacility(ctx, registry.Facility{USCC: e.USCC, FacilityCode: "TN001", Kind: "降噪", InService: true}))
			}
		}
		return errors.Join(errs...)
	})
	return f
}

// today is the service's date; the fixtures record everything on it.
func (f *fixture) today() string { return f.svc.Today() }

// photo uploads a new small JPEG and returns its id.
func (f *fixture) photo(t *testing.T) string {
	t.Helper()
	f.n++
	content := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), fmt.Sprintf("photo %d", f.n)...)
	a, err := f.svc.PutAttachment(f.ctx, sys, fmt.Sprintf("现场照片%d.jpg", f.n), "image/jpeg", bytes.NewReader(content))
	check(t, err)
	return a.ID
}

// campaign creates a campaign over Qingtian, running until next year.
func (f *fixture) campaign(t *testing.T, sc compliance.Scope, rules compliance.RuleSet) compliance.Campaign {
	t.Helper()
	c, err := f.svc.CreateCampaign(f.ctx, compliance.Campaign{Name: "青田县“四无”企业整治（测试）", LeadUnit: "青田县生态环境分局",
		Scope: sc, Start: "2026-01-01", End: time.Now().In(cst.Zone).AddDate(1, 0, 0).Format("2006-01-02"),
		Targets: compliance.Targets{SurveyRate: 100, DisposalRate: 90}, Rules: rules, Synthetic: true}, tester("lead"))
	check(t, err)
	return c
}

// surveyed creates a campaign over Qingtian, surveys it as of asOf and
// returns the cases by fixture number.
func (f *fixture) surveyed(t *testing.T) (compliance.Campaign, map[int]compliance.Case) {
	t.Helper()
	c := f.campaign(t, compliance.Scope{Counties: []string{"331121"}}, compliance.RuleSet{})
	_, err := f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf}, tester("surveyor"))
	check(t, err)
	cs, _, err := f.svc.Cases(f.ctx, sys, compliance.CaseFilter{Campaign: c.ID})
	check(t, err)
	byN := map[int]compliance.Case{}
	for _, k := range cs {
		for n := 1; n <= 12; n++ {
			if k.USCC == USCC("331121", n) {
				byN[n] = k
			}
		}
	}
	return c, byN
}

func edit(c compliance.Case) compliance.Edit {
	return compliance.Edit{Case: c.ID, Version: c.Version, By: tester("officer")}
}

func (f *fixture) plan(d compliance.Disposition) compliance.Plan {
	return compliance.Plan{Disposition: d, Unit: "船寮镇人民政府", Person: "张三", Measures: "限期整治", Deadline: f.today()}
}

// wantCode fails unless err is an apperr of that code with both messages.
func wantCode(t *testing.T, err error, code apperr.Code, words ...string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("got %v, want a %s error", err, code)
	}
	if e.Message == "" || e.Zh == "" {
		t.Fatalf("%v: a message is missing in one language (%q / %q)", err, e.Message, e.Zh)
	}
	for _, w := range words {
		if !strings.Contains(e.Message+e.Zh, w) {
			t.Errorf("%q / %q does not say %q", e.Message, e.Zh, w)
		}
	}
}

func testScreenFourNos(t *testing.T, f *fixture) {
	run, err := f.svc.Screen(f.ctx, compliance.RuleSet{}, asOf, tester("analyst"))
	check(t, err)
	if run.ID == 0 || run.Screened != 10 || run.Selected != len(fourNos) || run.AsOf != asOf || run.Actor != tester("analyst").Actor() {
		t.Fatalf("run %+v", run)
	}
	got, cands, err := f.svc.Run(f.ctx, sys, run.ID)
	check(t, err)
	if !slices.Equal(got.Rules.Criteria, compliance.FourNos) || !got.At.Equal(run.At.Truncate(time.Microsecond)) && !got.At.Equal(run.At) {
		t.Fatalf("stored run %+v", got)
	}
	byUSCC := map[string]compliance.Candidate{}
	for _, c := range cands {
		byUSCC[c.USCC] = c
	}
	for n, want := range fourNos {
		c, ok := byUSCC[USCC("331121", n)]
		if !ok || !slices.Equal(c.Criteria, []string{want}) || len(c.Findings) != 1 || len(c.Findings[0].Evidence) == 0 || c.Findings[0].NameZh == "" {
			t.Errorf("enterprise %d: %+v, want %s with evidence", n, c, want)
		}
	}
	for _, n := range []int{1, 10} {
		if _, ok := byUSCC[USCC("331121", n)]; ok {
			t.Errorf("enterprise %d selected", n)
		}
	}
	// The evidence names the records and values it rests on.
	for n, want := range map[int]compliance.Fact{
		3:  {Kind: "licences", Key: USCC("331121", 3) + "/" + USCC("331121", 3), Fields: map[string]string{"licence_no": USCC("331121", 3), "status": "valid", "valid_to": "2020-12-31"}},
		4:  {Kind: "sites", Key: USCC("331121", 4), Fields: map[string]string{"land_status": "illegal", "certificate_no": ""}},
		5:  {Kind: "sites"},
		6:  {Kind: "safety", Key: USCC("331121", 6) + "/2024-01-01", Fields: map[string]string{"assessed_on": "2024-01-01", "result": "fail", "valid_to": ""}},
		9:  {Kind: "outlets", Key: USCC("331121", 9) + "/DW001", Fields: map[string]string{"outlet_code": "DW001", "kind": "water"}},
		11: {Kind: "licences"},
	} {
		ev := byUSCC[USCC("331121", n)].Findings[0].Evidence[0]
		if en, zh := ev.Explain(); ev.Kind != want.Kind || ev.Key != want.Key || len(want.Fields) > 0 && !equalMaps(ev.Fields, want.Fields) || en == "" || zh == "" {
			t.Errorf("enterprise %d evidence %+v, want %+v", n, ev, want)
		}
	}
	if ev := byUSCC[USCC("331121", 8)].Findings[0].Evidence[0]; ev.Why != compliance.WhyNeedsFacility || ev.Fields["industry_code"] != "3360" || !strings.Contains(zhOf(ev.Explain()), "金属表面处理") {
		t.Errorf("electroplater's evidence %+v", ev)
	}
	// A rule set of its own: 散 (below size, no park) and 乱 over the four.
	run2, err := f.svc.Screen(f.ctx, compliance.SanLuanWu(), asOf, tester("analyst"))
	check(t, err)
	_, cands, err = f.svc.Run(f.ctx, sys, run2.ID)
	check(t, err)
	// Every screened enterprise but the clean, above-size one is below size
	// outside parks (散) and fails one of the four (乱).
	if len(cands) != len(fourNos) {
		t.Fatalf("散乱污: %d candidates, want %d", len(cands), len(fourNos))
	}
	for _, c := range cands {
		var n int
		fmt.Sscanf(c.USCC[10:17], "%d", &n)
		if !slices.Equal(c.Criteria, []string{fourNos[n], "san", "luan"}) || c.Findings[2].Evidence[0].Fields["criteria"] != fourNos[n] {
			t.Errorf("%s: %v", c.USCC, c.Criteria)
		}
	}
	_, err = f.svc.Screen(f.ctx, compliance.RuleSet{Extra: []compliance.Rule{{Code: "x", NameZh: "甲", NameEn: "x"}}}, asOf, tester("analyst"))
	wantCode(t, err, apperr.Invalid, "condition")
}

// zhOf returns the second of two strings (an explanation's Chinese).
func zhOf(_, zh string) string { return zh }

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testScreenDiff(t *testing.T, f *fixture) {
	a, err := f.svc.Screen(f.ctx, compliance.RuleSet{}, asOf, tester("analyst"))
	check(t, err)
	put(t, f.st, func(ctx context.Context, tx registry.Tx) error {
		u1, u2, u4 := USCC("331121", 1), USCC("331121", 2), USCC("331121", 4)
		return errors.Join(
			tx.PutLicence(ctx, registry.Licence{USCC: u1, LicenceNo: u1, Issued: "2016-01-01", Status: "cancelled"}), // newly failing
			tx.PutLicence(ctx, registry.Licence{USCC: u2, LicenceNo: u2, Issued: "2016-01-01", Status: "valid"}),     // fixed
			tx.PutSite(ctx, registry.Site{USCC: u4, LandStatus: "pending"}))                                          // still failing, other evidence
	})
	b, err := f.svc.Screen(f.ctx, compliance.RuleSet{}, asOf, tester("analyst"))
	check(t, err)
	d, err := f.svc.Diff(f.ctx, sys, a.ID, b.ID)
	check(t, err)
	uscc := func(cs []compliance.Candidate) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.USCC)
		}
		return out
	}
	equal(t, "added", uscc(d.Added), []string{USCC("331121", 1)})
	equal(t, "removed", uscc(d.Removed), []string{USCC("331121", 2)})
	if len(d.Changed) != 1 || d.Changed[0].USCC != USCC("331121", 4) ||
		d.Changed[0].Before.Findings[0].Evidence[0].Fields["land_status"] != "illegal" || d.Changed[0].After.Findings[0].Evidence[0].Fields["land_status"] != "pending" {
		t.Fatalf("changed %+v", d.Changed)
	}
	_, err = f.svc.Diff(f.ctx, sys, a.ID, 9999)
	wantCode(t, err, apperr.NotFound)
	runs, err := f.svc.Runs(f.ctx, sys)
	check(t, err)
	if len(runs) != 2 || runs[0].ID != b.ID {
		t.Fatalf("runs %+v", runs)
	}
}

func testSurvey(t *testing.T, f *fixture) {
	c := f.campaign(t, compliance.Scope{Counties: []string{"331121"}}, compliance.RuleSet{})
	res, err := f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf}, tester("surveyor"))
	check(t, err)
	if res.InScope != 10 || res.Selected != len(fourNos) || res.Created != len(fourNos) || res.Existing != 0 || res.Run.Campaign != c.ID {
		t.Fatalf("first survey %+v", res)
	}
	cs, total, err := f.svc.Cases(f.ctx, sys, compliance.CaseFilter{Campaign: c.ID})
	check(t, err)
	if total != len(fourNos) {
		t.Fatalf("%d cases", total)
	}
	for _, k := range cs {
		if k.State != compliance.Surveyed || k.Version != 1 || len(k.Criteria) != 1 || len(k.Findings) != 1 || k.Township != township.Code ||
			k.County != "331121" || k.Industry == "" || k.OpenedOn != f.today() || !strings.HasPrefix(k.Name, "青田测试") {
			t.Fatalf("case %+v", k)
		}
		evs, err := f.svc.Events(f.ctx, sys, k.ID)
		check(t, err)
		if len(evs) != 1 || evs[0].Action != compliance.ActOpen || evs[0].To != compliance.Surveyed || evs[0].Actor != tester("surveyor").Actor() {
			t.Fatalf("events %+v", evs)
		}
	}
	// Again: nothing new. A new enterprise without a licence: one new case.
	res, err = f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf}, tester("surveyor"))
	check(t, err)
	if res.Created != 0 || res.Existing != len(fourNos) {
		t.Fatalf("second survey %+v", res)
	}
	put(t, f.st, func(ctx context.Context, tx registry.Tx) error { return tx.PutEnterprise(ctx, ent(12, "3443")) })
	res, err = f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf}, tester("surveyor"))
	check(t, err)
	if res.Created != 1 || res.InScope != 11 {
		t.Fatalf("third survey %+v", res)
	}
	// Every enterprise in scope: the clean one too, with no criteria.
	res, err = f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf, All: true}, tester("surveyor"))
	check(t, err)
	if res.Created != 1 || res.Selected != 11 {
		t.Fatalf("survey of all %+v", res)
	}
	// Scopes: by industry prefix, by township, by list.
	for _, tc := range []struct {
		sc   compliance.Scope
		want int
	}{
		{compliance.Scope{IndustryPrefixes: []string{"336"}}, 1},
		{compliance.Scope{Townships: []string{township.Code}, IndustryPrefixes: []string{"3443"}}, len(fourNos)},
		{compliance.Scope{Enterprises: []string{USCC("331121", 2), USCC("331121", 1)}}, 1},
	} {
		c := f.campaign(t, tc.sc, compliance.RuleSet{})
		res, err := f.svc.Survey(f.ctx, c.ID, compliance.SurveyOptions{AsOf: asOf}, tester("surveyor"))
		check(t, err)
		if res.Created != tc.want {
			t.Errorf("scope %+v: %d cases, want %d", tc.sc, res.Created, tc.want)
		}
	}
	// A campaign's edits carry the version read.
	c.Name = "青田县“四无”企业整治（更名）"
	c2, err := f.svc.UpdateCampaign(f.ctx, c, 1, tester("lead"))
	check(t, err)
	_, err = f.svc.UpdateCampaign(f.ctx, c, 1, tester("lead"))
	wantCode(t, err, apperr.Conflict, "version")
	got, err := f.svc.Campaign(f.ctx, sys, c.ID)
	check(t, err)
	if got.Name != c.Name || got.Version != 2 || c2.Version != 2 || got.CreatedBy != tester("lead").Actor() || !slices.Equal(got.Rules.Criteria, compliance.FourNos) ||
		!slices.Equal(got.Scope.Counties, []string{"331121"}) || got.Targets.SurveyRate != 100 || !got.Synthetic {
		t.Fatalf("updated campaign %+v", got)
	}
	all, err := f.svc.Campaigns(f.ctx, sys)
	check(t, err)
	if len(all) != 4 || all[0].ID != c.ID {
		t.Fatalf("%d campaigns", len(all))
	}
	_, err = f.svc.CreateCampaign(f.ctx, compliance.Campaign{Name: "x", LeadUnit: "y", Start: "2026-01-01", End: "2026-12-31",
		Scope: compliance.Scope{Townships: []string{"331121999"}}}, tester("lead"))
	wantCode(t, err, apperr.Invalid, "331121999")
	_, err = f.svc.Survey(f.ctx, 9999, compliance.SurveyOptions{}, tester("surveyor"))
	wantCode(t, err, apperr.NotFound)
}

// unchanged checks that a refused edit left case k and its log as they were.
func (f *fixture) unchanged(t *testing.T, k compliance.Case) {
	t.Helper()
	now, err := f.svc.Case(f.ctx, sys, k.ID)
	check(t, err)
	if now.Version != k.Version || now.State != k.State {
		t.Fatalf("a refused edit changed the case: version %d → %d, %s → %s", k.Version, now.Version, k.State, now.State)
	}
	evs, err := f.svc.Events(f.ctx, sys, k.ID)
	check(t, err)
	if len(evs) != k.Version {
		t.Fatalf("%d events at version %d", len(evs), k.Version)
	}
}

func testIllegalMoves(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := cases[2]
	for name, fn := range map[string]func() error{
		"close out a surveyed case": func() error {
			_, err := f.svc.CloseOut(f.ctx, edit(k), compliance.CloseOut{Date: f.today()})
			return err
		},
		"accept a surveyed case": func() error {
			_, err := f.svc.Accept(f.ctx, edit(k), compliance.Acceptance{Level: 1, Result: "pass", Date: f.today(), Inspector: "李四"})
			return err
		},
		"visit a surveyed case": func() error {
			_, err := f.svc.Visit(f.ctx, edit(k), compliance.Visit{Date: f.today(), Inspector: "李四", Finding: "无"})
			return err
		},
	} {
		err := fn()
		wantCode(t, err, apperr.Conflict, fmt.Sprint(k.ID), "surveyed", "已排查")
		f.unchanged(t, k)
		_ = name
	}
	k, err := f.svc.Dismiss(f.ctx, edit(k), "现场核查已取得营业执照")
	check(t, err)
	if k.State != compliance.Dismissed || k.Version != 2 {
		t.Fatalf("dismissed %+v", k)
	}
	_, err = f.svc.Classify(f.ctx, edit(k), f.plan(compliance.Close))
	wantCode(t, err, apperr.Conflict, "dismissed", "不能分类处置")
	f.unchanged(t, k)
	_, err = f.svc.Case(f.ctx, sys, 9999)
	wantCode(t, err, apperr.NotFound)
}

func testMissingEvidence(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := cases[3]
	p := f.plan(compliance.Close)
	p.Deadline = "2020-01-01"
	_, err := f.svc.Classify(f.ctx, edit(k), p)
	wantCode(t, err, apperr.Invalid, "2020-01-01", "立案")
	f.unchanged(t, k)
	p.Deadline, p.Person = f.today(), ""
	_, err = f.svc.Classify(f.ctx, edit(k), p)
	wantCode(t, err, apperr.Invalid, "person", "责任人")
	k, err = f.svc.Classify(f.ctx, edit(k), f.plan(compliance.Close))
	check(t, err)
	pass := compliance.Acceptance{Level: 1, Result: "pass", Date: f.today(), Inspector: "李四"}
	_, err = f.svc.Accept(f.ctx, edit(k), pass)
	wantCode(t, err, apperr.Invalid, "power cut", "断电")
	f.unchanged(t, k)
	// A step needs a photo that exists, a date not in the future.
	_, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: compliance.PowerCut, Date: f.today()})
	wantCode(t, err, apperr.Invalid, "evidence", "佐证")
	_, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: compliance.PowerCut, Date: f.today(), Attachments: []string{strings.Repeat("ab", 32)}})
	wantCode(t, err, apperr.Invalid, "upload", "上传")
	_, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: compliance.PowerCut, Date: "2999-01-01", Attachments: []string{f.photo(t)}})
	wantCode(t, err, apperr.Invalid, "future", "晚于今天")
	_, err = f.svc.RecordItem(f.ctx, edit(k), compliance.Item{Text: "密封"})
	wantCode(t, err, apperr.Invalid, "upgrades", "整改提升")
	f.unchanged(t, k)
	for _, st := range compliance.Steps {
		k, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: st, Date: f.today(), Attachments: []string{f.photo(t)}})
		check(t, err)
	}
	noInspector := pass
	noInspector.Inspector = " "
	_, err = f.svc.Accept(f.ctx, edit(k), noInspector)
	wantCode(t, err, apperr.Invalid, "inspector", "验收人")
	wrongLevel := pass
	wrongLevel.Level = 2
	_, err = f.svc.Accept(f.ctx, edit(k), wrongLevel)
	wantCode(t, err, apperr.Invalid, "level 1", "第 1 级")
	f.unchanged(t, k)
	// An upgrade needs its items done, with evidence.
	u := cases[4]
	u, err = f.svc.Classify(f.ctx, edit(u), f.plan(compliance.Upgrade))
	check(t, err)
	u, err = f.svc.RecordItem(f.ctx, edit(u), compliance.Item{Text: "补办用地手续"})
	check(t, err)
	_, err = f.svc.Accept(f.ctx, edit(u), pass)
	wantCode(t, err, apperr.Invalid, "item 1 is not done", "第 1 项")
	_, err = f.svc.RecordItem(f.ctx, edit(u), compliance.Item{No: 1, Text: "补办用地手续", Done: f.today()})
	wantCode(t, err, apperr.Invalid, "evidence")
	f.unchanged(t, u)
}

func (f *fixture) closeDown(t *testing.T, k compliance.Case) compliance.Case {
	t.Helper()
	k, err := f.svc.Classify(f.ctx, edit(k), f.plan(compliance.Close))
	check(t, err)
	for _, st := range compliance.Steps {
		k, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: st, Date: f.today(), Attachments: []string{f.photo(t)}})
		check(t, err)
	}
	return k
}

func (f *fixture) accept(t *testing.T, k compliance.Case, level int, result string) compliance.Case {
	t.Helper()
	k, err := f.svc.Accept(f.ctx, edit(k), compliance.Acceptance{Level: level, Result: result, Date: f.today(),
		Inspector: []string{"", "镇街 王五", "牵头单位 赵六", "督察办 钱七"}[level], Note: "验收意见", Attachments: []string{f.photo(t)}})
	check(t, err)
	return k
}

func testFailedAcceptance(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := f.closeDown(t, cases[2])
	k = f.accept(t, k, 1, compliance.Pass)
	k = f.accept(t, k, 2, compliance.Fail)
	if k.State != compliance.Rectifying || k.Round != 2 {
		t.Fatalf("after a failed review: %s round %d", k.State, k.Round)
	}
	_, err := f.svc.Accept(f.ctx, edit(k), compliance.Acceptance{Level: 3, Result: "pass", Date: f.today(), Inspector: "x"})
	wantCode(t, err, apperr.Invalid, "level 1")
	for level := 1; level <= 3; level++ {
		k = f.accept(t, k, level, compliance.Pass)
	}
	if k.State != compliance.Accepted || k.AcceptedOn != f.today() || len(k.Accepts) != 5 {
		t.Fatalf("accepted: %+v", k)
	}
}

// race runs two edits of one case at once from the same version.
func race(t *testing.T, a, b func() (compliance.Case, error)) (won compliance.Case, errs []error) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	for _, fn := range []func() (compliance.Case, error){a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := fn()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else {
				won = c
			}
		}()
	}
	close(start)
	wg.Wait()
	return won, errs
}

func testConcurrentEdits(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := cases[2]
	for round := range 5 {
		pa, pb := f.plan(compliance.Close), f.plan(compliance.Upgrade)
		pa.Person, pb.Person = fmt.Sprintf("甲%d", round), fmt.Sprintf("乙%d", round)
		won, errs := race(t,
			func() (compliance.Case, error) { return f.svc.Classify(f.ctx, edit(k), pa) },
			func() (compliance.Case, error) { return f.svc.Classify(f.ctx, edit(k), pb) })
		if len(errs) != 1 {
			t.Fatalf("round %d: %d edits failed (%v), want exactly one", round, len(errs), errs)
		}
		wantCode(t, errs[0], apperr.Conflict, "version")
		now, err := f.svc.Case(f.ctx, sys, k.ID)
		check(t, err)
		if now.Version != k.Version+1 || now.Plan.Person != won.Plan.Person {
			t.Fatalf("round %d: stored %d %q, the winner had %q", round, now.Version, now.Plan.Person, won.Plan.Person)
		}
		evs, err := f.svc.Events(f.ctx, sys, k.ID)
		check(t, err)
		var logged compliance.Plan
		var d struct{ Plan compliance.Plan }
		check(t, json.Unmarshal(evs[len(evs)-1].Data, &d))
		logged = d.Plan
		if len(evs) != now.Version || logged.Person != won.Plan.Person {
			t.Fatalf("round %d: %d events, last logs %q", round, len(evs), logged.Person)
		}
		k = now
	}
}

func testConcurrentClosures(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k, err := f.svc.Classify(f.ctx, edit(cases[2]), f.plan(compliance.Close))
	check(t, err)
	for _, st := range compliance.Steps[:4] {
		k, err = f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: st, Date: f.today(), Attachments: []string{f.photo(t)}})
		check(t, err)
	}
	item := compliance.CheckItem{Step: compliance.ProductsCleared, Date: f.today(), Attachments: []string{f.photo(t)}}
	_, errs := race(t,
		func() (compliance.Case, error) { return f.svc.RecordChecklist(f.ctx, edit(k), item) },
		func() (compliance.Case, error) { return f.svc.RecordChecklist(f.ctx, edit(k), item) })
	if len(errs) != 1 || apperr.CodeOf(errs[0]) != apperr.Conflict {
		t.Fatalf("errors %v, want one conflict", errs)
	}
	changes, err := f.st.Changes(f.ctx, registry.ChangeFilter{USCC: k.USCC, Kind: "enterprises"})
	check(t, err)
	if len(changes) != 1 || changes[0].Fields["status"] != (registry.FieldChange{From: "operating", To: "closed"}) || changes[0].Actor != tester("officer").Actor() {
		t.Fatalf("registry history %+v, want one status change by the case's actor", changes)
	}
}

func testAuditAppendOnly(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := cases[2]
	for _, q := range []string{
		`UPDATE case_events SET actor = 'mallory'`,
		`DELETE FROM case_events`,
		`UPDATE screening_runs SET actor = 'mallory'`,
		`DELETE FROM screening_runs`,
	} {
		if _, err := f.st.SQL().ExecContext(f.ctx, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	evs, err := f.svc.Events(f.ctx, sys, k.ID)
	check(t, err)
	if len(evs) != 1 || evs[0].Actor != tester("surveyor").Actor() {
		t.Fatalf("events %+v", evs)
	}
}

func testAttachments(t *testing.T, f *fixture) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	a, err := f.svc.PutAttachment(f.ctx, sys, "断电照片.png", "image/png", bytes.NewReader(png))
	check(t, err)
	if !compliance.ValidID(a.ID) || a.Type != "image/png" || a.Size != int64(len(png)) || a.Name != "断电照片.png" {
		t.Fatalf("put %+v", a)
	}
	again, err := f.svc.PutAttachment(f.ctx, sys, "same.png", "image/png", bytes.NewReader(png))
	check(t, err)
	if again.ID != a.ID || again.Name != "断电照片.png" {
		t.Fatalf("the same content again: %+v", again)
	}
	got, rc, err := f.svc.Attachment(f.ctx, sys, a.ID)
	check(t, err)
	content, err := io.ReadAll(rc)
	rc.Close()
	check(t, err)
	if !bytes.Equal(content, png) || got.ID != a.ID {
		t.Fatal("read back other content")
	}
	d, err := f.svc.PutAttachment(f.ctx, sys, "验收报告.pdf", "application/pdf; charset=binary", bytes.NewReader(pdf))
	check(t, err)
	if d.Type != "application/pdf" {
		t.Fatalf("pdf %+v", d)
	}
	_, err = f.svc.PutAttachment(f.ctx, sys, "fake.jpg", "image/jpeg", bytes.NewReader(pdf))
	wantCode(t, err, apperr.Invalid, "application/pdf", "image/jpeg")
	_, err = f.svc.PutAttachment(f.ctx, sys, "notes.txt", "text/plain", strings.NewReader("hello"))
	wantCode(t, err, apperr.Invalid, "text/plain")
	big := io.MultiReader(bytes.NewReader(png), io.LimitReader(zeros{}, compliance.MaxAttachment))
	_, err = f.svc.PutAttachment(f.ctx, sys, "big.png", "image/png", big)
	wantCode(t, err, apperr.Invalid, "20 MiB")
	_, _, err = f.svc.Attachment(f.ctx, sys, strings.Repeat("0", 64))
	wantCode(t, err, apperr.NotFound)
	_, _, err = f.svc.Attachment(f.ctx, sys, "../../etc/passwd")
	wantCode(t, err, apperr.Invalid)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func testRelapseEvidence(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	ev := compliance.Evidence{Kind: "hj212_frame", MN: "88888880000001", At: time.Now()}
	// Nothing closed yet: no case takes it.
	ok, err := f.svc.RecordRelapse(f.ctx, cases[2].USCC, ev)
	check(t, err)
	if ok {
		t.Fatal("evidence taken for an enterprise no case closed")
	}
	k := f.closeDown(t, cases[2])
	// The closure joined the watched set as it was carried out.
	if !f.svc.MayRelapse(k.USCC) || f.svc.MayRelapse(cases[1].USCC) {
		t.Fatalf("may relapse: closed %v, open %v", f.svc.MayRelapse(k.USCC), f.svc.MayRelapse(cases[1].USCC))
	}
	for i := range 3 {
		ev.At = ev.At.Add(time.Minute)
		ok, err := f.svc.RecordRelapse(f.ctx, k.USCC, ev)
		check(t, err)
		if !ok {
			t.Fatalf("evidence %d not taken", i)
		}
	}
	now, err := f.svc.Case(f.ctx, sys, k.ID)
	check(t, err)
	if now.State != compliance.Reopened || now.ReopenedFrom != compliance.Rectifying || now.Version != k.Version+1 ||
		now.RelapseEvidence != 3 || !now.RelapseAt.Equal(ev.At.UTC().Truncate(time.Nanosecond)) {
		t.Fatalf("after three frames: %s from %s, version %d (was %d), evidence %d at %v", now.State, now.ReopenedFrom, now.Version, k.Version, now.RelapseEvidence, now.RelapseAt)
	}
	// A logger sending every second is counted in memory and written at
	// most every 30 s: no write per frame.
	t0 := ev.At
	for _, d := range []time.Duration{time.Second, 2 * time.Second, 40 * time.Second} {
		ev.At = t0.Add(d)
		if ok, err := f.svc.RecordRelapse(f.ctx, k.USCC, ev); !ok || err != nil {
			t.Fatalf("evidence at +%v: %v %v", d, ok, err)
		}
		c, err := f.svc.Case(f.ctx, sys, k.ID)
		check(t, err)
		want := 3
		if d == 40*time.Second {
			want = 6
		}
		if c.RelapseEvidence != want || c.Version != now.Version {
			t.Fatalf("at +%v: evidence %d, want %d; version %d", d, c.RelapseEvidence, want, c.Version)
		}
	}
	evs, err := f.svc.Events(f.ctx, sys, k.ID)
	check(t, err)
	last := evs[len(evs)-1]
	if len(evs) != now.Version || last.Action != compliance.ActRelapse || last.Actor != "system:monitoring" || !strings.Contains(string(last.Data), "88888880000001") {
		t.Fatalf("last event %+v", last)
	}
	// An enterprise that was never closed, and bad evidence.
	ok, err = f.svc.RecordRelapse(f.ctx, USCC("331121", 1), ev)
	if ok || err != nil {
		t.Fatalf("clean enterprise: %v %v", ok, err)
	}
	_, err = f.svc.RecordRelapse(f.ctx, k.USCC, compliance.Evidence{MN: "x"})
	wantCode(t, err, apperr.Invalid, "kind")
	// A visit that finds it quiet sends it back to rectifying.
	k, err = f.svc.Visit(f.ctx, edit(now), compliance.Visit{Date: f.today(), Inspector: "孙八", Finding: "数采仪未断电，企业未生产"})
	check(t, err)
	if k.State != compliance.Rectifying || k.Relapses != 0 {
		t.Fatalf("after a quiet visit: %s, %d relapses", k.State, k.Relapses)
	}
}

// testEndToEnd follows a campaign from screening to a relapse: a closure
// through 两断三清, three acceptances, 销号, a quiet visit, monitoring
// evidence reopening it and a second visit confirming it; a
// stop-and-rectify through 销号; a relocation; a dismissal. The audit log
// shows every step in order and the registry every status change.
func testEndToEnd(t *testing.T, f *fixture) {
	ctx := f.ctx
	c, cases := f.surveyed(t)
	closure, stop, move, fine := cases[8], cases[6], cases[4], cases[2]

	k := f.closeDown(t, closure)
	if k.CarriedOutOn != f.today() || k.RectifiedOn != f.today() {
		t.Fatalf("closure carried out %q, rectified %q", k.CarriedOutOn, k.RectifiedOn)
	}
	wantStatus(t, f, k.USCC, "closed")
	for level := 1; level <= 3; level++ {
		k = f.accept(t, k, level, compliance.Pass)
	}
	k, err := f.svc.CloseOut(ctx, edit(k), compliance.CloseOut{Date: f.today(), DocumentNo: "青环整销〔2026〕1号"})
	check(t, err)
	if k.State != compliance.ClosedOut || k.ClosedOutOn != f.today() {
		t.Fatalf("closed out %+v", k)
	}
	k, err = f.svc.Visit(ctx, edit(k), compliance.Visit{Date: f.today(), Inspector: "回头看 孙八", Finding: "厂房空置，未见生产", Attachments: []string{f.photo(t)}})
	check(t, err)
	for i := range 2 {
		// A minute apart: evidence within 30 s of the last written is only
		// counted in memory.
		at := time.Now().Add(time.Duration(i) * time.Minute)
		ok, err := f.svc.RecordRelapse(ctx, k.USCC, compliance.Evidence{Kind: "hj212_frame", MN: "88888880000042", At: at, Detail: "2011 实时数据"})
		check(t, err)
		if !ok {
			t.Fatal("relapse evidence not taken")
		}
	}
	k, err = f.svc.Case(ctx, sys, k.ID)
	check(t, err)
	k, err = f.svc.Visit(ctx, edit(k), compliance.Visit{Date: f.today(), Inspector: "回头看 孙八", Finding: "夜间偷偷复产，已现场制止", Relapsed: true, Attachments: []string{f.photo(t)}})
	check(t, err)
	if k.State != compliance.Rectifying || k.Relapses != 1 || k.RelapsedOn != f.today() || k.Round != 2 || len(k.Checklist) != 0 || k.RelapseEvidence != 2 {
		t.Fatalf("after the relapse: %+v", k)
	}
	wantStatus(t, f, k.USCC, "closed") // a relapse reverses nothing
	// Being closed again, it is expected to produce until its power is cut.
	if ok, err := f.svc.RecordRelapse(ctx, k.USCC, compliance.Evidence{Kind: "hj212_frame", MN: "88888880000042"}); ok || err != nil {
		t.Fatalf("evidence on a closure being redone: %v %v", ok, err)
	}
	evs, err := f.svc.Events(ctx, sys, k.ID)
	check(t, err)
	type step struct {
		a        compliance.Action
		from, to compliance.State
	}
	s, r, ac, acd, co, re := compliance.Surveyed, compliance.Rectifying, compliance.Accepting, compliance.Accepted, compliance.ClosedOut, compliance.Reopened
	want := []step{{compliance.ActOpen, "", s}, {compliance.ActClassify, s, r}}
	for range compliance.Steps {
		want = append(want, step{compliance.ActChecklist, r, r})
	}
	want = append(want, step{compliance.ActAccept, r, ac}, step{compliance.ActAccept, ac, ac}, step{compliance.ActAccept, ac, acd},
		step{compliance.ActCloseOut, acd, co}, step{compliance.ActVisit, co, co}, step{compliance.ActRelapse, co, re}, step{compliance.ActVisit, re, r})
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, e := range evs {
		if (step{e.Action, e.From, e.To}) != want[i] || e.Seq != i+1 || i > 0 && e.At.Before(evs[i-1].At) || e.Actor == "" || !json.Valid(e.Data) {
			t.Errorf("event %d: %+v, want %+v", i+1, e, want[i])
		}
	}
	if !strings.Contains(string(evs[6].Data), `"closed"`) || !strings.Contains(string(evs[6].Data), "operating") {
		t.Errorf("the fifth step's event does not show the registry change: %s", evs[6].Data)
	}

	// Stop and rectify: suspended while open, operating at 销号.
	k, err = f.svc.Classify(ctx, edit(stop), f.plan(compliance.StopRectify))
	check(t, err)
	wantStatus(t, f, k.USCC, "suspended")
	k, err = f.svc.RecordItem(ctx, edit(k), compliance.Item{Text: "重新开展安全评价"})
	check(t, err)
	k, err = f.svc.RecordItem(ctx, edit(k), compliance.Item{No: 1, Text: "重新开展安全评价", Done: f.today(), Attachments: []string{f.photo(t)}})
	check(t, err)
	if k.RectifiedOn != f.today() {
		t.Fatalf("rectified on %q", k.RectifiedOn)
	}
	for level := 1; level <= 3; level++ {
		k = f.accept(t, k, level, compliance.Pass)
	}
	k, err = f.svc.CloseOut(ctx, edit(k), compliance.CloseOut{Date: f.today()})
	check(t, err)
	wantStatus(t, f, k.USCC, "operating")

	// A relocation: relocated once moved.
	m, err := f.svc.Classify(ctx, edit(move), f.plan(compliance.Relocate))
	check(t, err)
	_, err = f.svc.SetRelocation(ctx, edit(m), compliance.Relocation{Address: "丽水经济技术开发区水阁工业区8号", Park: Park.Code})
	wantCode(t, err, apperr.Invalid, Park.Code) // no such park in this store
	_, err = f.svc.SetRelocation(ctx, edit(m), compliance.Relocation{})
	wantCode(t, err, apperr.Invalid, "address", "搬迁地址")
	m, err = f.svc.SetRelocation(ctx, edit(m), compliance.Relocation{Address: "青田县油竹街道新园区8号", Lon: 120.26, Lat: 28.12})
	check(t, err)
	wantStatus(t, f, m.USCC, "operating")
	m, err = f.svc.SetRelocation(ctx, edit(m), compliance.Relocation{Address: "青田县油竹街道新园区8号", Lon: 120.26, Lat: 28.12, MovedOn: f.today(), Attachments: []string{f.photo(t)}})
	check(t, err)
	wantStatus(t, f, m.USCC, "relocated")
	_, err = f.svc.Classify(ctx, edit(m), f.plan(compliance.Upgrade))
	wantCode(t, err, apperr.Invalid, "carried out", "不可更改")

	_, err = f.svc.Dismiss(ctx, edit(fine), "已补办营业执照")
	check(t, err)

	// The registry's history holds each status change, by the case's actor.
	for uscc, want := range map[string][]string{
		closure.USCC: {"operating→closed"},
		stop.USCC:    {"operating→suspended", "suspended→operating"},
		move.USCC:    {"operating→relocated"},
	} {
		changes, err := f.st.Changes(ctx, registry.ChangeFilter{USCC: uscc, Kind: "enterprises"})
		check(t, err)
		var got []string
		for _, ch := range changes {
			got = append(got, ch.Fields["status"].From+"→"+ch.Fields["status"].To)
			if ch.Actor != tester("officer").Actor() {
				t.Errorf("%s: change by %q", uscc, ch.Actor)
			}
		}
		equal(t, "status history of "+uscc, got, want)
	}
	st, err := f.svc.Stats(ctx, sys, c.ID, "")
	check(t, err)
	n := st.Total
	if n.InScope != 10 || n.Surveyed != len(fourNos) || n.Dismissed != 1 || n.Close != 1 || n.StopRectify != 1 || n.Relocate != 1 ||
		n.Closed != 1 || n.Relocated != 1 || n.Upgraded != 1 || n.Accepted != 2 || n.ClosedOut != 1 || n.Relapsed != 1 || n.Overdue != 0 {
		t.Fatalf("stats %+v", n)
	}
}

func wantStatus(t *testing.T, f *fixture, uscc, status string) {
	t.Helper()
	es, _, err := f.st.Enterprises(f.ctx, registry.EnterpriseFilter{USCC: uscc})
	check(t, err)
	if len(es) != 1 || es[0].Status != status {
		t.Fatalf("enterprise %s is %q, want %q", uscc, es[0].Status, status)
	}
}

func testStatsAndExport(t *testing.T, f *fixture) {
	c, cases := f.surveyed(t)
	k := f.closeDown(t, cases[2])
	for level := 1; level <= 3; level++ {
		k = f.accept(t, k, level, compliance.Pass)
	}
	_, err := f.svc.CloseOut(f.ctx, edit(k), compliance.CloseOut{Date: f.today()})
	check(t, err)
	_, err = f.svc.Classify(f.ctx, edit(cases[3]), f.plan(compliance.Upgrade))
	check(t, err)
	_, err = f.svc.Dismiss(f.ctx, edit(cases[4]), "核查合规")
	check(t, err)
	// A day after the deadlines: the upgrade is overdue; the closed-out and dismissed cases are not.
	later := time.Now().In(cst.Zone).AddDate(0, 0, 1).Format("2006-01-02")
	st, err := f.svc.Stats(f.ctx, sys, c.ID, later)
	check(t, err)
	n := st.Total
	// Surveyed: 10 in scope, 9 cases of which 6 not verified on site yet:
	// 4 of 10 done (one cleared by the screening, three verified).
	if n.InScope != 10 || n.Surveyed != 9 || n.Pending != 6 || n.Dismissed != 1 || n.Close != 1 || n.Upgrade != 1 || n.Closed != 1 || n.ClosedOut != 1 ||
		n.Accepted != 1 || n.Overdue != 1 || n.SurveyRate != 40 || n.DisposalRate != 12.5 {
		t.Fatalf("totals %+v", n)
	}
	if st.SurveyMet || st.DisposalMet {
		t.Fatal("targets of 100% and 90% met")
	}
	if len(st.ByCounty) != 1 || st.ByCounty[0].Code != "331121" || st.ByCounty[0].Name != "青田县" || st.ByCounty[0].Counts != n {
		t.Fatalf("by county %+v", st.ByCounty)
	}
	if len(st.ByIndustry) != 2 || st.ByIndustry[0].Code != "33" || st.ByIndustry[1].Code != "34" || st.ByIndustry[1].Counts.InScope != 9 {
		t.Fatalf("by industry %+v", st.ByIndustry)
	}
	month := f.today()[:7]
	if len(st.Timeline) != 1 || st.Timeline[0] != (compliance.Month{Month: month, Surveyed: 9, ClosedOut: 1}) {
		t.Fatalf("timeline %+v", st.Timeline)
	}
	var buf bytes.Buffer
	check(t, f.svc.ExportXLSX(f.ctx, sys, &buf, c.ID, later, "青田县生态环境分局"))
	x, err := excelize.OpenReader(&buf)
	check(t, err)
	defer x.Close()
	equal(t, "sheets", x.GetSheetList(), []string{"按县区 By county", "按行业 By industry", "月度进展 Timeline", "台账 Ledger"})
	rows, err := x.GetRows("按县区 By county")
	check(t, err)
	if len(rows) < 6 || !strings.Contains(rows[0][0], c.Name) || !strings.Contains(rows[1][0], "青田县生态环境分局") ||
		rows[2][1] != "应排查数" || rows[3][1] != "In scope" || rows[4][0] != "331121 青田县" || rows[5][0] != "合计 Total" || rows[5][2] != "9" {
		t.Fatalf("statistics sheet %q", rows)
	}
	ledger, err := x.GetRows("台账 Ledger")
	check(t, err)
	if len(ledger) != 4+9 || ledger[4][2] != cases[2].USCC || ledger[4][8] != "关停取缔" || ledger[4][13] != "已销号" || ledger[4][5] != "船寮镇" {
		t.Fatalf("ledger %q", ledger[:5])
	}
}

// testDatesInOrder: a case's dated steps follow one another. Evidence
// (两断三清 steps, the move, items done) is not dated before the case
// opened, nor a redone checklist before the relapse that cleared it; an
// acceptance not before the evidence it judges or the acceptance before
// it; 销号 not before the acceptances; a visit not before 销号. Each
// refusal names the field and both dates, and changes nothing.
func testDatesInOrder(t *testing.T, f *fixture) {
	at := func(day string) {
		d, err := time.ParseInLocation("2006-01-02", day, cst.Zone)
		check(t, err)
		f.svc.SetClock(func() time.Time { return d.Add(10 * time.Hour) })
	}
	at("2026-07-01")
	_, cases := f.surveyed(t)
	at("2026-09-01")
	refused := func(k compliance.Case, err error, words ...string) {
		t.Helper()
		wantCode(t, err, apperr.Invalid, words...)
		f.unchanged(t, k)
	}
	step := func(k compliance.Case, st compliance.Step, day string) (compliance.Case, error) {
		return f.svc.RecordChecklist(f.ctx, edit(k), compliance.CheckItem{Step: st, Date: day, Attachments: []string{f.photo(t)}})
	}
	accept := func(k compliance.Case, level int, day string) (compliance.Case, error) {
		return f.svc.Accept(f.ctx, edit(k), compliance.Acceptance{Level: level, Result: compliance.Pass, Date: day, Inspector: "王五"})
	}

	k, err := f.svc.Classify(f.ctx, edit(cases[2]), f.plan(compliance.Close))
	check(t, err)
	_, err = step(k, compliance.PowerCut, "2026-06-10")
	refused(k, err, "date", "日期", "2026-06-10", "2026-07-01", "opening", "立案")
	for _, st := range compliance.Steps[1:] {
		k, err = step(k, st, "2026-07-10")
		check(t, err)
	}
	k, err = step(k, compliance.PowerCut, "2026-07-20")
	check(t, err)
	_, err = accept(k, 1, "2026-07-15")
	refused(k, err, "2026-07-15", "2026-07-20", "power cut", "断电")
	k, err = accept(k, 1, "2026-07-20")
	check(t, err)
	k, err = accept(k, 2, "2026-07-25")
	check(t, err)
	_, err = accept(k, 3, "2026-07-22")
	refused(k, err, "2026-07-22", "2026-07-25", "验收")
	k, err = accept(k, 3, "2026-08-01")
	check(t, err)
	_, err = f.svc.CloseOut(f.ctx, edit(k), compliance.CloseOut{Date: "2026-07-31"})
	refused(k, err, "2026-07-31", "2026-08-01", "销号日期")
	k, err = f.svc.CloseOut(f.ctx, edit(k), compliance.CloseOut{Date: "2026-08-05"})
	check(t, err)
	visit := compliance.Visit{Date: "2026-08-04", Inspector: "孙八", Finding: "已恢复生产", Relapsed: true}
	_, err = f.svc.Visit(f.ctx, edit(k), visit)
	refused(k, err, "2026-08-04", "2026-08-05", "close-out", "销号")
	visit.Date = "2026-08-10"
	k, err = f.svc.Visit(f.ctx, edit(k), visit)
	check(t, err)
	// The relapse cleared the checklist: the steps redone follow it.
	_, err = step(k, compliance.PowerCut, "2026-08-09")
	refused(k, err, "2026-08-09", "2026-08-10", "relapse", "复产")
	_, err = step(k, compliance.PowerCut, "2026-08-10")
	check(t, err)

	// A relocation's move and an upgrade's items are evidence too.
	r, err := f.svc.Classify(f.ctx, edit(cases[3]), f.plan(compliance.Relocate))
	check(t, err)
	_, err = f.svc.SetRelocation(f.ctx, edit(r), compliance.Relocation{Address: "青田县油竹新区", MovedOn: "2026-06-30", Attachments: []string{f.photo(t)}})
	refused(r, err, "moved_on", "搬迁完成日期", "2026-06-30", "2026-07-01")
	u, err := f.svc.Classify(f.ctx, edit(cases[4]), f.plan(compliance.Upgrade))
	check(t, err)
	_, err = f.svc.RecordItem(f.ctx, edit(u), compliance.Item{Text: "补办用地手续", Done: "2026-05-01", Attachments: []string{f.photo(t)}})
	refused(u, err, "done", "完成日期", "2026-05-01", "2026-07-01")
	u, err = f.svc.RecordItem(f.ctx, edit(u), compliance.Item{Text: "补办用地手续", Done: "2026-08-20", Attachments: []string{f.photo(t)}})
	check(t, err)
	_, err = accept(u, 1, "2026-08-19")
	refused(u, err, "2026-08-19", "2026-08-20", "item 1", "第 1 项")
}

// testRelapseWatcher: the ingestion's watcher queues what a closed
// enterprise's logger sends, and its goroutine reopens the case; an
// enterprise no case closed is not queued.
func testRelapseWatcher(t *testing.T, f *fixture) {
	_, cases := f.surveyed(t)
	k := f.closeDown(t, cases[2])
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	watch := f.svc.RelapseWatcher(ctx, slog.New(slog.NewTextHandler(t.Output(), nil)))
	watch(ctx, cases[3].USCC, "88888880000002", "hj212_frame", time.Now())
	watch(ctx, k.USCC, "88888880000001", "logger_connection", time.Now())
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		now, err := f.svc.Case(f.ctx, sys, k.ID)
		check(t, err)
		if now.State == compliance.Reopened {
			evs, err := f.svc.Events(f.ctx, sys, k.ID)
			check(t, err)
			if last := evs[len(evs)-1]; last.Actor != "system:monitoring" || !strings.Contains(last.Reason, "logger_connection 88888880000001") {
				t.Fatalf("last event %+v", last)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher's evidence did not reopen the case: %s", now.State)
		}
	}
	clean, err := f.svc.Case(f.ctx, sys, cases[3].ID)
	check(t, err)
	if clean.Version != cases[3].Version {
		t.Fatalf("a case of an enterprise never closed changed: version %d", clean.Version)
	}
}

// sys reads as the command line does: everything.
var sys = auth.Command("test")
