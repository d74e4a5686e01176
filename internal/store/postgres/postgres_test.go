package postgres_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/monitoring"
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

// TestPartitionsAhead makes partitions for a later month, writes into it,
// and finds that a month without a partition is refused, not misfiled.
func TestPartitionsAhead(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.URL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	later := time.Now().AddDate(2, 0, 0)
	change := func(at time.Time) error {
		return s.Update(ctx, func(tx registry.Tx) error {
			return tx.AddChange(ctx, registry.Change{At: at, Actor: "test", Kind: "parks", Key: "P", Op: "create", Fields: map[string]registry.FieldChange{}})
		})
	}
	if err := change(later); err == nil {
		t.Fatal("a change two years ahead was written with no partition for it")
	}
	for range 2 { // twice: making what exists is no error
		if err := postgres.EnsurePartitions(ctx, s, later); err != nil {
			t.Fatal(err)
		}
	}
	if err := change(later); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM changes_`+later.UTC().Format("2006_01")).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the partition holds %d rows: %v", n, err)
	}
}

func TestMonitoringConformance(t *testing.T) {
	storetest.RunMonitoring(t, func(t *testing.T) monitoring.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestComplianceConformance(t *testing.T) {
	storetest.RunCompliance(t, func(t *testing.T) (storetest.ComplianceStore, compliance.Attachments) {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, s.Attachments("")
	})
}

// TestConnectErrorHidesPassword: a server that cannot be reached is named
// in the error, its password never.
func TestConnectErrorHidesPassword(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = postgres.Open(context.Background(), "postgres://eco:s3cret-pw@"+addr+"/eco?connect_timeout=2", 1)
	if err == nil || strings.Contains(err.Error(), "s3cret-pw") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("error %v: want the server named and no password", err)
	}
}

func TestAccountsConformance(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) storetest.AccountsStore {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRulesConformance(t *testing.T) {
	storetest.RunRules(t, func(t *testing.T) (storetest.RulesStore, storetest.RulesStore) {
		url := pgtest.URL(t)
		open := func() storetest.RulesStore {
			s, err := postgres.Open(context.Background(), url, 4)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		return open(), open()
	})
}

func TestLoadsConformance(t *testing.T) {
	storetest.RunLoads(t, func(t *testing.T) storetest.RulesStore {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
