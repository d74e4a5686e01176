package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) registry.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
