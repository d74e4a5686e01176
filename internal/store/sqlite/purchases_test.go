package sqlite_test

import (
	"testing"

	"ecoindustry/internal/gep"
	"ecoindustry/internal/store/storetest"
)

func TestPurchasesConformance(t *testing.T) {
	storetest.RunPurchases(t, func(t *testing.T) gep.PurchaseStore { return openTemp(t) })
}
