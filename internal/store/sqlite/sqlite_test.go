package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
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

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(ctx, func(tx registry.Tx) error { return tx.PutPark(ctx, storetest.Park) }); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy.db")
	if err := sqlite.Backup(ctx, s, dst); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, s, dst); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}
	c, err := sqlite.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parks, err := c.Parks(ctx)
	if err != nil || len(parks) != 1 || parks[0] != storetest.Park {
		t.Fatalf("backup holds %v %v", parks, err)
	}
}

func TestMigrations(t *testing.T) {
	storetest.RunMigrations(t, func(t *testing.T) *store.DB {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, sqlite.Migrations)
}

func TestMonitoringConformance(t *testing.T) {
	storetest.RunMonitoring(t, func(t *testing.T) monitoring.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestTwoWriters has two stores write frames into one file, as two
// processes would: each must see the other's frames as stored, though it
// knows the newest frame of each logger it wrote itself.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	open := func() *store.DB {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	frames := batchOf(0, 3)   // three loggers' first frames
	next := batchOf(10000, 3) // their next, 30 s later
	for _, step := range []struct {
		s     *store.DB
		batch []*monitoring.Received
		want  monitoring.Outcome
	}{{a, frames, monitoring.New}, {b, next, monitoring.New}, {a, next, monitoring.Duplicate}, {b, frames, monitoring.Duplicate}} {
		out, err := step.s.WriteBatch(ctx, step.batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range out {
			if o != step.want {
				t.Fatalf("frame %d: %v, want %v", i, o, step.want)
			}
		}
	}
}

func TestComplianceConformance(t *testing.T) {
	storetest.RunCompliance(t, func(t *testing.T) (storetest.ComplianceStore, compliance.Attachments) {
		dir := t.TempDir()
		s, err := sqlite.OpenDir(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, s.Attachments(filepath.Join(dir, "attachments"))
	})
}
