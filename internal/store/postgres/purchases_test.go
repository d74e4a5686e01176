package postgres_test

import (
	"context"
	"testing"

	"ecoindustry/internal/gep"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/storetest"
)

func TestPurchasesConformance(t *testing.T) {
	storetest.RunPurchases(t, func(t *testing.T) gep.PurchaseStore {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
