package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

// openAt opens the database at path, closed when the test ends.
func openAt(tb testing.TB, path string) *store.DB {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openTemp opens a new database in the test's own directory.
func openTemp(tb testing.TB) *store.DB { return openAt(tb, filepath.Join(tb.TempDir(), "test.db")) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) registry.Store {
		return openTemp(t)
	})
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "live.db"))
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
	parks, err := openAt(t, dst).Parks(ctx)
	if err != nil || len(parks) != 1 || parks[0] != storetest.Park {
		t.Fatalf("backup holds %v %v", parks, err)
	}
}

func TestMigrations(t *testing.T) {
	storetest.RunMigrations(t, func(t *testing.T) *store.DB {
		return openTemp(t)
	}, sqlite.Migrations)
}

func TestMonitoringConformance(t *testing.T) {
	storetest.RunMonitoring(t, func(t *testing.T) monitoring.Store {
		return openTemp(t)
	})
}

// TestTwoWriters has two stores write frames into one file, as two
// processes would: each must see the other's frames as stored, though it
// knows the newest frame of each logger it wrote itself.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	a, b := openAt(t, path), openAt(t, path)
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

// TestRollProgressBeforeShards rolls a database whose progress was kept
// per period, as before the rollups were cut into shards: what a period's
// progress covered is not folded again.
func TestRollProgressBeforeShards(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.WriteBatch(ctx, batchOf(0, 100)); err != nil { // 100 loggers' frames at 00:00:00
		t.Fatal(err)
	}
	// Folded by an older release: progress per period, rollups of its own.
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO rollup_progress (period, last_frame) VALUES ('minute', 100), ('hour', 100), ('day', 100)`); err != nil {
		t.Fatal(err)
	}
	next := batchOf(0, 100)
	for _, r := range next {
		r.Frame.DataTime = r.Frame.DataTime.Add(10 * time.Second)
		r.Key, r.Hash = monitoring.Key{}, ""
	}
	if _, err := s.WriteBatch(ctx, next); err != nil {
		t.Fatal(err)
	}
	// The logger's sources, new, start from the first frame.
	if n, err := monitoring.Roll(ctx, s, 1000, 0); err != nil || n != 200 {
		t.Fatalf("rolled %d frame ids, %v; want 200", n, err)
	}
	mn := next[0].Frame.MN
	var uscc string
	for _, r := range next {
		if r.Frame.MN == mn {
			uscc = r.USCC
		}
	}
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, cst.Zone)
	rs, err := s.Rollups(ctx, monitoring.Minute, monitoring.Range{USCC: uscc, Outlet: "DA001", Code: "a21026", From: day, To: day.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Count != 1 {
		t.Fatalf("minute rollups: %+v; want one value, the new frame's (the old progress stood for the shards)", rs)
	}
	if n, err := monitoring.Roll(ctx, s, 1000, 0); err != nil || n != 0 {
		t.Fatalf("rolled again: %d, %v", n, err)
	}
}

func TestAccountsConformance(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) storetest.AccountsStore { return openTemp(t) })
}

func TestRulesConformance(t *testing.T) {
	storetest.RunRules(t, func(t *testing.T) (storetest.RulesStore, storetest.RulesStore) {
		path := filepath.Join(t.TempDir(), "rules.db")
		return openAt(t, path), openAt(t, path)
	})
}

func TestLoadsConformance(t *testing.T) {
	storetest.RunLoads(t, func(t *testing.T) storetest.RulesStore { return openTemp(t) })
}
