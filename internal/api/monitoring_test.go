package api_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/storetest"
)

func TestReadingsRollupsAndFrames(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, cst.Zone)
	var batch []*monitoring.Received
	for i := range 4 {
		f := &hj212.Frame{Version: "2017", QN: "20261130100000000", ST: "31", CN: "2011", PW: "123456", MN: storetest.Outlet.MN, Flag: 5,
			DataTime: at.Add(time.Duration(i) * 30 * time.Second),
			Values:   []hj212.Value{{Code: "a21026", Field: "Rtd", Value: float64(10 * (i + 1)), Unit: "mg/m3", Flag: "N"}}}
		raw, err := hj212.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:1", At: time.Now(), USCC: storetest.Ent.USCC, Outlet: "DA001"})
	}
	if _, err := e.store.WriteBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if _, err := monitoring.Roll(context.Background(), e.store, 1000, 0); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/outlets/" + storetest.Ent.USCC + "/DA001/"
	var rs struct{ Items []monitoring.Reading }
	e.must(t, 200, "GET", base+"readings?from=2026-11-30&to=2026-12-01&code=a21026&limit=3", nil, &rs)
	if len(rs.Items) != 3 || *rs.Items[2].Rtd != 30 || rs.Items[0].Unit != "mg/m3" {
		t.Fatalf("readings %+v", rs.Items)
	}
	var ru struct{ Items []monitoring.Rollup }
	e.must(t, 200, "GET", base+"rollups?period=minute&from=2026-11-30T10:00&to=2026-11-30T11:00", nil, &ru)
	if len(ru.Items) != 2 || ru.Items[0].Count != 2 || ru.Items[1].Sum != 70 {
		t.Fatalf("minute rollups %+v", ru.Items)
	}
	var fs struct{ Items []monitoring.RawFrame }
	e.must(t, 200, "GET", "/api/v1/loggers/"+storetest.Outlet.MN+"/frames?limit=2", nil, &fs)
	masked := strings.Replace(string(batch[0].Raw), "PW=123456", "PW=******", 1)
	if len(fs.Items) != 2 || fs.Items[0].Frame != masked {
		t.Fatalf("frames %+v, want the first %q (the password masked)", fs.Items, masked)
	}
	e.must(t, 200, "GET", base+"rollups?period=hour&cn=2061&from=2026-11-30&to=2026-12-01", nil, &ru)
	if len(ru.Items) != 0 {
		t.Fatalf("the logger's hourly rollups, of no hourly data: %+v", ru.Items)
	}
	for _, bad := range []string{base + "readings?from=yesterday", base + "rollups?period=week", base + "rollups?cn=2051", base + "readings?from=2026-12-01&to=2026-11-30"} {
		e.must(t, 400, "GET", bad, nil, nil)
	}
}

// An upgrade case shows its enterprise's monitoring data before the case
// opened and after the rectification was done.
func TestCaseMonitoringBeforeAndAfter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	err := e.store.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent), tx.PutOutlet(ctx, storetest.Outlet))
	})
	if err != nil {
		t.Fatal(err)
	}
	// The case, replayed at its dates: opened 2026-06-01, rectified 2026-07-01.
	svc := compliance.NewService(e.store, e.store.Attachments(t.TempDir()))
	clock := time.Date(2026, 6, 1, 10, 0, 0, 0, cst.Zone)
	svc.SetClock(func() time.Time { return clock })
	c, err := svc.CreateCampaign(ctx, compliance.Campaign{Name: "废气治理提升", LeadUnit: "莲都区生态环境分局", Start: "2026-06-01", End: "2026-12-31",
		Scope: compliance.Scope{Enterprises: []string{storetest.Ent.USCC}}, Rules: compliance.RuleSet{Criteria: compliance.FourNos}}, auth.Server("test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Survey(ctx, c.ID, compliance.SurveyOptions{All: true}, auth.Server("test")); err != nil {
		t.Fatal(err)
	}
	cases, _, err := svc.Cases(ctx, auth.Server("test"), compliance.CaseFilter{Campaign: c.ID})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %v %v", cases, err)
	}
	k, err := svc.Classify(ctx, compliance.Edit{Case: cases[0].ID, Version: cases[0].Version, By: auth.Server("test")},
		compliance.Plan{Disposition: compliance.Upgrade, Unit: "莲都区经信局", Person: "王五", Measures: "脱硫设施改造", Deadline: "2026-09-30"})
	if err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2026, 7, 1, 10, 0, 0, 0, cst.Zone)
	photo, err := svc.PutAttachment(ctx, auth.Server("test"), "desulfurizer.pdf", "application/pdf", strings.NewReader("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	k, err = svc.RecordItem(ctx, compliance.Edit{Case: k.ID, Version: k.Version, By: auth.Server("test")},
		compliance.Item{Text: "脱硫塔改造", Done: "2026-07-01", Attachments: []string{photo.ID}})
	if err != nil || k.RectifiedOn != "2026-07-01" {
		t.Fatalf("item: %+v %v", k.Summary, err)
	}
	// SO2 at 100 mg/m3 in May, 40 in July.
	var batch []*monitoring.Received
	for i, day := range []time.Time{time.Date(2026, 5, 20, 10, 0, 0, 0, cst.Zone), time.Date(2026, 5, 21, 10, 0, 0, 0, cst.Zone),
		time.Date(2026, 7, 10, 10, 0, 0, 0, cst.Zone)} {
		v := 100.0
		if i == 2 {
			v = 40
		}
		f := &hj212.Frame{Version: "2017", QN: day.Format("20060102150405") + "000", ST: "31", CN: "2011", PW: "123456", MN: storetest.Outlet.MN, Flag: 5,
			DataTime: day, Values: []hj212.Value{{Code: "a21026", Field: "Rtd", Value: v, Unit: "mg/m3", Flag: "N"}}}
		raw, err := hj212.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:1", At: time.Now(), USCC: storetest.Ent.USCC, Outlet: storetest.Outlet.OutletCode})
	}
	if _, err := e.store.WriteBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := monitoring.Roll(ctx, e.store, 1000, 0); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []struct {
			Code       string   `json:"code"`
			Before     *float64 `json:"before"`
			After      *float64 `json:"after"`
			BeforeDays int      `json:"before_days"`
			AfterDays  int      `json:"after_days"`
			ChangePct  *float64 `json:"change_pct"`
		}
	}
	e.must(t, 200, "GET", fmt.Sprintf("/api/v1/cases/%d/monitoring?days=30", k.ID), nil, &got)
	if len(got.Items) != 1 {
		t.Fatalf("%+v", got)
	}
	x := got.Items[0]
	if x.Code != "a21026" || *x.Before != 100 || x.BeforeDays != 2 || *x.After != 40 || x.AfterDays != 1 || *x.ChangePct != -60 {
		t.Fatalf("before/after %+v", x)
	}
}
