package economy_test

import (
	"context"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/storetest"
)

// TestDeclarations: an enterprise declares its year's figures; an
// economy officer confirms one (a new year, then a revision of it, both
// with source 企业申报 and the officer as the registry's actor) and
// rejects another; who may do what.
func TestDeclarations(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registry.NewService(db)
		u1, u2 := storetest.USCC("331102", 1), storetest.USCC("331121", 2)
		entKind, _ := registry.KindByName("enterprises")
		if _, err := reg.Import(ctx, entKind, csv("企业.csv", "uscc,name,county,industry_code,size,status,land_mu",
			u1+",甲,331102,3443,below,operating,10", u2+",乙,331121,3443,below,operating,10"), sys, false); err != nil {
			t.Fatal(err)
		}
		svc := economy.NewService(db)
		ent := auth.Principal{Kind: auth.User, Name: "甲", Role: auth.Enterprise, Scope: auth.Scope{USCC: u1}}
		countyB := auth.Principal{Kind: auth.User, Name: "b", Role: auth.County, Bureau: auth.Economy, Scope: auth.Scope{County: "331121"}}
		if _, err := svc.Declare(ctx, ent, u2, 2024, map[string]string{"tax": "1"}); code(err) != "not_found" {
			t.Fatalf("an enterprise declares for another: %v", err)
		}
		if _, err := svc.Declare(ctx, ent, u1, 2024, map[string]string{"source": "税务"}); code(err) != "invalid" {
			t.Fatalf("an enterprise declares its source: %v", err)
		}
		if _, err := svc.Declare(ctx, ecology, u1, 2024, map[string]string{"tax": "1"}); code(err) != "forbidden" {
			t.Fatalf("the ecology bureau declares: %v", err)
		}
		d, err := svc.Declare(ctx, ent, u1, 2024, map[string]string{"tax": "88", "electricity_kwh": "400000"})
		if err != nil || d.State != "pending" || d.County != "331102" {
			t.Fatalf("declare %+v %v", d, err)
		}
		if _, err := svc.Confirm(ctx, ent, d.ID, true, ""); code(err) != "forbidden" {
			t.Fatalf("an enterprise confirms its own: %v", err)
		}
		if _, err := svc.Confirm(ctx, countyB, d.ID, true, ""); code(err) != "not_found" {
			t.Fatalf("another county's officer confirms: %v", err)
		}
		if got, err := svc.Confirm(ctx, econ, d.ID, true, ""); err != nil || got.State != "confirmed" || got.HandledBy != "user:econ" {
			t.Fatalf("confirm %+v %v", got, err)
		}
		if _, err := svc.Confirm(ctx, econ, d.ID, false, "重复"); code(err) != "conflict" {
			t.Fatalf("confirmed twice: %v", err)
		}
		d2, err := svc.Declare(ctx, ent, u1, 2024, map[string]string{"tax": "90"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Confirm(ctx, econ, d2.ID, true, "核对税务数据"); err != nil {
			t.Fatal(err)
		}
		d3, err := svc.Declare(ctx, ent, u1, 2024, map[string]string{"tax": "900"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Confirm(ctx, econ, d3.ID, false, ""); code(err) != "invalid" {
			t.Fatalf("a rejection without a reason: %v", err)
		}
		if _, err := svc.Confirm(ctx, econ, d3.ID, false, "与税务数据不符"); err != nil {
			t.Fatal(err)
		}
		h, err := reg.History(ctx, sys, u1)
		if err != nil {
			t.Fatal(err)
		}
		var annual []registry.Change
		for _, c := range h {
			if c.Kind == "annual" {
				annual = append(annual, c)
			}
		}
		if len(annual) != 2 || annual[0].Op != "create" || annual[0].Actor != "user:econ" || annual[0].Fields["source"].To != "企业申报" ||
			annual[1].Op != "update" || annual[1].Fields["tax"] != (registry.FieldChange{From: "88", To: "90"}) {
			t.Fatalf("annual history %+v", annual)
		}
		mine, err := svc.Declarations(ctx, ent, "", "")
		if err != nil || len(mine) != 3 || mine[0].ID != d3.ID || mine[0].State != "rejected" || mine[0].Reason != "与税务数据不符" {
			t.Fatalf("the enterprise's declarations %+v %v", mine, err)
		}
		if other, err := svc.Declarations(ctx, countyB, "", ""); err != nil || len(other) != 0 {
			t.Fatalf("county B sees %+v %v", other, err)
		}
		if pending, err := svc.Declarations(ctx, econ, u1, "pending"); err != nil || len(pending) != 0 {
			t.Fatalf("pending %+v %v", pending, err)
		}
	})
}
