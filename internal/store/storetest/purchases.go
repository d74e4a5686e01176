package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"ecoindustry/internal/gep"
)

// Purchase is a purchase as Yunhe made one (reference governance.md §5),
// its GEP basis and indicators examples.
func Purchase() gep.Purchase {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	floor := 95.0
	return gep.Purchase{Name: "云和县生态产品政府采购（雾溪乡）", Buyer: "云和县人民政府", SellerZone: "331125203", SellerName: "雾溪乡", County: "331125",
		Services: []string{"water_conservation", "climate_regulation", "soil_retention", "flood_regulation"}, Share: 0.002, BaseYear: 2018,
		Basis:        []gep.BasisValue{{Service: "water_conservation", Value: 6e8, Source: "run 1"}, {Service: "climate_regulation", Value: 5e8, Source: "run 1"}, {Service: "soil_retention", Value: 1e8, Source: "run 1"}, {Service: "flood_regulation", Value: 2e8, Source: "run 1"}},
		Schedule:     []gep.Instalment{{Year: 2019, Fraction: 0.7}, {Year: 2020, Fraction: 0.3, ConditionYear: 2019}},
		Indicators:   []gep.QualityIndicator{{Code: "water_quality_rate", Name: "出境断面水质达标率", Unit: "%", Min: &floor}},
		Observations: []gep.Observation{{Indicator: "water_quality_rate", Year: 2019, Value: 100, Source: "县环境质量公报", EnteredBy: "cli:test", EnteredAt: at}},
		Use:          "生态修复与民生", Version: 1, CreatedAt: at, CreatedBy: "cli:test", UpdatedAt: at, UpdatedBy: "cli:test"}
}

// RunPurchases runs the purchases' conformance tests.
func RunPurchases(t *testing.T, open func(t *testing.T) gep.PurchaseStore) {
	ctx := context.Background()
	s := open(t)
	p := Purchase()
	id, err := s.AddPurchase(ctx, p)
	if err != nil || id == 0 {
		t.Fatalf("add: %d %v", id, err)
	}
	p.ID = id
	got, err := s.Purchase(ctx, id)
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("read back:\n%+v, %v\nwant\n%+v", got, err, p)
	}
	other := Purchase()
	other.SellerZone, other.County = "331102001", "331102"
	if other.ID, err = s.AddPurchase(ctx, other); err != nil {
		t.Fatal(err)
	}
	for county, want := range map[string]int{"": 2, "331125": 1, "331102": 1, "331121": 0} {
		ps, err := s.Purchases(ctx, county)
		if err != nil || len(ps) != want {
			t.Errorf("purchases of %q: %d, %v; want %d", county, len(ps), err, want)
		}
	}
	p.Share, p.Version = 0.003, 2
	if err := s.UpdatePurchase(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdatePurchase(ctx, p, 1); !errors.Is(err, gep.ErrStalePurchase) {
		t.Errorf("a stale update: %v", err)
	}
	if got, _ := s.Purchase(ctx, id); got.Share != 0.003 || got.Version != 2 {
		t.Errorf("after the update: share %v version %d", got.Share, got.Version)
	}
	if err := s.DeletePurchase(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Purchase(ctx, id); err != nil || got.ID != 0 {
		t.Errorf("a deleted purchase reads %+v, %v", got, err)
	}
}
