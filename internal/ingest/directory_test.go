package ingest_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ecoindustry/internal/ingest"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// A logger registered after the directory loaded is let in once the
// directory refreshes, while lookups go on from the loaded copy.
func TestDirectoryRefreshes(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent), tx.PutOutlet(ctx, storetest.Outlet))
	})
	if err != nil {
		t.Fatal(err)
	}
	d := ingest.NewDirectory(db, 20*time.Millisecond)
	if o, ok, err := d.Lookup(ctx, storetest.Outlet.MN); err != nil || !ok || o.PW != storetest.Outlet.PW {
		t.Fatalf("registered logger: %+v %v %v", o, ok, err)
	}
	second := storetest.Outlet
	second.OutletCode, second.MN = "DA002", "88888880000000000000AB02"
	if _, ok, _ := d.Lookup(ctx, second.MN); ok {
		t.Fatal("unregistered logger found")
	}
	if err := db.Update(ctx, func(tx registry.Tx) error { return tx.PutOutlet(ctx, second) }); err != nil {
		t.Fatal(err)
	}
	// Many lookups at once while the directory goes stale and reloads.
	var wg sync.WaitGroup
	found := make(chan bool, 64)
	for range 64 {
		wg.Go(func() {
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				if _, ok, err := d.Lookup(ctx, storetest.Outlet.MN); err != nil || !ok {
					t.Errorf("first logger lost: %v %v", ok, err)
					return
				}
				if _, ok, _ := d.Lookup(ctx, second.MN); ok {
					found <- true
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			found <- false
		})
	}
	wg.Wait()
	close(found)
	for ok := range found {
		if !ok {
			t.Fatal("a logger registered later was not let in after the refresh")
		}
	}
}
