package postgres_test

import (
	"context"
	"testing"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) registry.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMigrations(t *testing.T) {
	storetest.RunMigrations(t, func(t *testing.T) *store.DB {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 2)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, postgres.Migrations)
}
