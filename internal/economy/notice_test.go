package economy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

func code(err error) string {
	if e := apperr.As(err); e != nil {
		return string(e.Code)
	}
	return fmt.Sprint(err)
}

// TestNoticeWorkflow: a run on notice; an enterprise objects to its
// result with evidence, another's objection is rejected; the accepted one
// corrects the annual data, and the re-run changes that enterprise's
// score, rank and class, which the audit log shows; approval after the
// period, publication; who may do what at each step.
func TestNoticeWorkflow(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		u1, u2, u3 := storetest.USCC("331102", 1), storetest.USCC("331102", 2), storetest.USCC("331102", 3)
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, csv("企业.csv", "uscc,name,county,industry_code,size,status,land_mu",
			u1+",甲,331102,3443,below,operating,10", u2+",乙,331102,3443,below,operating,10", u3+",丙,331102,3443,below,operating,10",
			storetest.USCC("331121", 4)+",丁,331121,3443,below,operating,10"), sys, false); err != nil {
			t.Fatal(err)
		}
		// Tax per mu 10, 6, 2: mean 18/30 × 10 = 6: 100 × x/6, cap 150; Tiantai's
		// bands on (rank − 1)/3: 0 A, 33 B, 67 C.
		header := "uscc,year,tax,source"
		if _, err := reg.Import(ctx, economy.AnnualKind, csv("a.csv", header, u1+",2024,100,税务", u2+",2024,60,税务", u3+",2024,20,税务"), econ, false); err != nil {
			t.Fatal(err)
		}
		svc := economy.NewService(db)
		day := time.Date(2025, 8, 22, 10, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return day })
		text := "name: t\ngroups: {below: {indicators: [{id: tax_per_mu, weight: 100, benchmark: county_mean × 1, cap: 1.5}]}}\nbands: tiantai-2022\n"
		m, err := economy.ParseMethod("t.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		run, _, err := svc.Evaluate(ctx, econ, "331102", 2024, m, text)
		if err != nil || run.State != economy.Draft {
			t.Fatalf("run %+v %v", run, err)
		}
		ent3 := auth.Principal{Kind: auth.User, Name: "丙-user", Role: auth.Enterprise, Scope: auth.Scope{USCC: u3}}
		ent2 := auth.Principal{Kind: auth.User, Name: "乙-user", Role: auth.Enterprise, Scope: auth.Scope{USCC: u2}}
		// A draft is the bureau's: an enterprise sees nothing of it.
		if _, _, err := svc.Results(ctx, ent3, run.ID, "", ""); code(err) != "not_found" {
			t.Fatalf("an enterprise reads a draft: %v", err)
		}
		if _, err := svc.Object(ctx, ent3, run.ID, u3, "税收有误", nil); code(err) != "conflict" {
			t.Fatalf("an objection to a draft: %v", err)
		}
		if _, err := svc.Notice(ctx, ecology, run.ID, "2025-08-23", "2025-08-29"); code(err) != "forbidden" {
			t.Fatalf("the ecology bureau puts it on notice: %v", err)
		}
		if _, err := svc.Notice(ctx, econ, run.ID, "2025-08-23", "2025-10-29"); code(err) != "invalid" {
			t.Fatalf("a notice of two months: %v", err)
		}
		// Jingning's notice, 2023-08-23 to 08-29 (governance.md §1.4), a year on.
		if run, err = svc.Notice(ctx, econ, run.ID, "2025-08-23", "2025-08-29"); err != nil || run.State != economy.Notice {
			t.Fatalf("notice %+v %v", run, err)
		}
		if _, err := svc.Object(ctx, ent3, run.ID, u3, "税收有误", nil); code(err) != "conflict" {
			t.Fatalf("an objection before the period: %v", err)
		}
		day = time.Date(2025, 8, 25, 2, 0, 0, 0, time.UTC)
		_, mine, err := svc.Results(ctx, ent3, run.ID, "", "")
		if err != nil || len(mine) != 1 || mine[0].USCC != u3 || mine[0].Class != "C" || mine[0].Rank != 3 {
			t.Fatalf("丙 reads %+v %v", mine, err)
		}
		if _, err := svc.Object(ctx, ent3, run.ID, u2, "乙的数据有误", nil); code(err) != "not_found" {
			t.Fatalf("an enterprise objects to another's result: %v", err)
		}
		if _, err := svc.Object(ctx, ent3, run.ID, u3, "税收少计了 60 万元（入库凭证附后）", []string{strings.Repeat("a", 64)}); code(err) != "invalid" {
			t.Fatalf("an objection with an attachment not uploaded: %v", err)
		}
		att, err := db.Attachments(t.TempDir()).Put(ctx, "完税证明.pdf", "application/pdf", strings.NewReader("%PDF-1.4\n完税证明\n%%EOF"))
		if err != nil {
			t.Fatal(err)
		}
		o3, err := svc.Object(ctx, ent3, run.ID, u3, "税收少计了 60 万元（入库凭证附后）", []string{att.ID})
		if err != nil || o3.State != "open" || o3.Actor != "user:丙-user" {
			t.Fatalf("objection %+v %v", o3, err)
		}
		o2, err := svc.Object(ctx, ent2, run.ID, u2, "用地面积应为 8 亩", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Handle(ctx, ent3, run.ID, o3.ID, true, "自己采纳", nil); code(err) != "forbidden" {
			t.Fatalf("an enterprise handles its objection: %v", err)
		}
		if _, err := svc.Handle(ctx, econ, run.ID, o2.ID, false, "不动产权证载面积为 10 亩", map[string]string{"land_mu": "8"}); code(err) != "invalid" {
			t.Fatalf("a rejection with a correction: %v", err)
		}
		if _, err := svc.Handle(ctx, econ, run.ID, o2.ID, false, "不动产权证载面积为 10 亩", nil); err != nil {
			t.Fatal(err)
		}
		// Accepted: 丙's tax 20 → 80, through the registry's write path.
		h3, err := svc.Handle(ctx, econ, run.ID, o3.ID, true, "经税务局核实，采纳", map[string]string{"tax": "80", "source": "税务"})
		if err != nil || h3.State != "accepted" || h3.Correction["tax"] != (registry.FieldChange{From: "20", To: "80"}) {
			t.Fatalf("accept %+v %v", h3, err)
		}
		if _, err := svc.Handle(ctx, econ, run.ID, o3.ID, false, "再驳回", nil); code(err) != "conflict" {
			t.Fatalf("an objection handled twice: %v", err)
		}
		if h, err := reg.History(ctx, sys, u3); err != nil || h[len(h)-1].Actor != "user:econ" || h[len(h)-1].Fields["tax"] != (registry.FieldChange{From: "20", To: "80"}) {
			t.Fatalf("registry history %+v %v", h, err)
		}
		day = time.Date(2025, 8, 30, 2, 0, 0, 0, time.UTC) // 2025-08-30 in China: the period is over
		if _, err := svc.Approve(ctx, econ, run.ID, "县政府常务会议纪要〔2025〕12号"); code(err) != "conflict" {
			t.Fatalf("approving before the re-run: %v", err)
		}
		// Re-run: tax per mu 10, 6, 8: mean 24/30 × 10 = 8: 甲 100 × 10/8 =
		// 125, 乙 75, 丙 100; 丙 rises from 3rd (C) to 2nd (B).
		next, changes, err := svc.Rerun(ctx, econ, run.ID)
		if err != nil || next.Revises != run.ID || next.State != economy.Notice || next.NoticeTo != "2025-08-29" {
			t.Fatalf("rerun %+v %v", next, err)
		}
		var c3 economy.Change
		for _, c := range changes {
			if c.USCC == u3 {
				c3 = c
			}
		}
		if c3.RankBefore != 3 || c3.RankAfter != 2 || c3.ClassBefore != "C" || c3.ClassAfter != "B" || fmt.Sprintf("%.4f→%.4f", c3.ScoreBefore, c3.ScoreAfter) != "33.3333→100.0000" {
			t.Fatalf("changes %+v", changes)
		}
		old, _, err := svc.Results(ctx, econ, run.ID, "", "")
		if err != nil || old.State != economy.Superseded || old.Next != next.ID {
			t.Fatalf("the old run %+v %v", old, err)
		}
		if _, err := svc.Object(ctx, ent3, run.ID, u3, "再议", nil); code(err) != "conflict" {
			t.Fatalf("an objection to a superseded run: %v", err)
		}
		if _, err := svc.Publish(ctx, econ, next.ID); code(err) != "conflict" {
			t.Fatalf("publishing before approval: %v", err)
		}
		if _, err := svc.Approve(ctx, econ, next.ID, "县政府常务会议纪要〔2025〕12号"); err != nil {
			t.Fatal(err)
		}
		if pub, err := svc.Publish(ctx, econ, next.ID); err != nil || pub.State != economy.Published {
			t.Fatalf("publish %+v %v", pub, err)
		}
		_, mine, err = svc.Results(ctx, ent3, next.ID, "", u1)
		if err != nil || len(mine) != 1 || mine[0].USCC != u3 || mine[0].Class != "B" {
			t.Fatalf("丙 reads the published run %+v %v", mine, err)
		}
		elsewhere := auth.Principal{Kind: auth.User, Name: "丁", Role: auth.Enterprise, Scope: auth.Scope{USCC: storetest.USCC("331121", 4)}}
		if _, _, err := svc.Results(ctx, elsewhere, next.ID, "", ""); code(err) != "not_found" {
			t.Fatalf("an enterprise of another county reads the run: %v", err)
		}
		// The audit log of the chain: who did what, when; the objection's
		// correction and the re-run's change of 丙's score.
		_, evs, objs, err := svc.History(ctx, econ, next.ID)
		if err != nil || len(objs) != 2 {
			t.Fatalf("history %d objections %v", len(objs), err)
		}
		var steps []string
		for _, e := range evs {
			steps = append(steps, fmt.Sprintf("%d.%d %s %s %s→%s", e.Evaluation, e.Seq, e.Actor, e.Action, e.From, e.To))
		}
		want := []string{
			fmt.Sprintf("%d.1 user:econ run →draft", run.ID),
			fmt.Sprintf("%d.2 user:econ notice draft→notice", run.ID),
			fmt.Sprintf("%d.3 user:丙-user object notice→notice", run.ID),
			fmt.Sprintf("%d.4 user:乙-user object notice→notice", run.ID),
			fmt.Sprintf("%d.5 user:econ reject notice→notice", run.ID),
			fmt.Sprintf("%d.6 user:econ accept notice→notice", run.ID),
			fmt.Sprintf("%d.7 user:econ rerun notice→superseded", run.ID),
			fmt.Sprintf("%d.1 user:econ run →notice", next.ID),
			fmt.Sprintf("%d.2 user:econ approve notice→approved", next.ID),
			fmt.Sprintf("%d.3 user:econ publish approved→published", next.ID),
		}
		if strings.Join(steps, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit log\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
		}
		var accepted struct {
			Correction map[string]registry.FieldChange `json:"correction"`
		}
		var rerun struct {
			Run     int64            `json:"run"`
			Changes []economy.Change `json:"changes"`
		}
		if err := json.Unmarshal(evs[5].Data, &accepted); err != nil || accepted.Correction["tax"].To != "80" || evs[5].Reason != "经税务局核实，采纳" {
			t.Fatalf("accept event %s %v", evs[5].Data, err)
		}
		if err := json.Unmarshal(evs[6].Data, &rerun); err != nil || rerun.Run != next.ID || !strings.Contains(string(evs[6].Data), u3) {
			t.Fatalf("rerun event %s %v", evs[6].Data, err)
		}
		found := false
		for _, c := range rerun.Changes {
			found = found || c.USCC == u3 && c.ClassBefore == "C" && c.ClassAfter == "B" && c.ScoreAfter == 100
		}
		if !found || evs[8].Reason != "县政府常务会议纪要〔2025〕12号" {
			t.Fatalf("the log lacks 丙's change: %s", evs[6].Data)
		}
		// An enterprise sees its own objections, not the log.
		if _, evs, objs, err := svc.History(ctx, ent2, next.ID); err != nil || len(evs) != 0 || len(objs) != 1 || objs[0].State != "rejected" {
			t.Fatalf("乙's history %+v %+v %v", evs, objs, err)
		}
	})
}
