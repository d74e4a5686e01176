package economy_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

// TestItemsFromData: the items a run scores come from the annual rows
// (imported) and from the system's own data of the year, counted when
// the run reads its inputs: rectification cases opened and not dismissed,
// exceedance alarms started; lishui-default scores them (high-tech +3, a
// case −5, an alarm −1), on both stores.
func TestItemsFromData(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		u1, u2 := storetest.USCC("331102", 1), storetest.USCC("331102", 2)
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, csv("企业.csv", "uscc,name,county,industry_code,size,status,land_mu",
			u1+",甲,331102,3443,below,operating,10", u2+",乙,331102,3443,below,operating,10"), sys, false); err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(cst.Zone)
		year := strconv.Itoa(now.Year())
		if _, err := reg.Import(ctx, economy.AnnualKind, csv("a.csv", "uscc,year,tax,electricity_kwh,items",
			u1+","+year+",40,100000,", u2+","+year+",40,100000,high_tech"), econ, false); err != nil {
			t.Fatal(err)
		}
		// A campaign surveys both: a case each, opened today.
		comp := compliance.NewService(db, db.Attachments(filepath.Join(t.TempDir(), "att")))
		var c compliance.Campaign
		if err := json.Unmarshal([]byte(`{"name": "四无整治", "lead_unit": "丽水市生态环境局", "start": "2026-01-01", "end": "2099-12-31",
			"scope": {"counties": ["331102"]}, "targets": {"survey_rate": 100, "disposal_rate": 100}}`), &c); err != nil {
			t.Fatal(err)
		}
		c, err := comp.CreateCampaign(ctx, c, sys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := comp.Survey(ctx, c.ID, compliance.SurveyOptions{All: true}, sys); err != nil {
			t.Fatal(err)
		}
		// Two exceedances of 甲 this year, one last year (not counted).
		for _, at := range []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour), now.AddDate(-1, 0, 0)} {
			if err := db.RaiseAlarm(ctx, rules.Alarm{Kind: rules.Exceedance, State: rules.Open, USCC: u1, Outlet: "DA001", Pollutant: "a21026", StartedAt: at.UTC()}); err != nil {
				t.Fatal(err)
			}
		}
		m, text, _ := economy.Preset("lishui-default")
		_, out, err := economy.NewService(db).Evaluate(ctx, econ, "331102", now.Year(), m, string(text))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]economy.Adjust{}
		for _, r := range out.Results {
			got[r.USCC] = r.Adjustments
		}
		want := map[string][]economy.Adjust{
			u1: {{Item: "rectification_case", Count: 1, Points: -5}, {Item: "exceedance_alarm", Count: 2, Points: -2}},
			u2: {{Item: "high_tech", Count: 1, Points: 3}, {Item: "rectification_case", Count: 1, Points: -5}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("adjustments %+v\nwant %+v", got, want)
		}
	})
}
