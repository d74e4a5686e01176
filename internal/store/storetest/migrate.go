package storetest

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/store"
)

// RunMigrations checks the migration runner of a store: open returns a new
// migrated store, migrations are its embedded files (under migrations/).
func RunMigrations(t *testing.T, open func(t *testing.T) *store.DB, migrations fs.FS) {
	ctx := context.Background()
	t.Run("FailedMigrationLeavesNothing", func(t *testing.T) {
		s := open(t)
		before, err := s.SchemaVersion(ctx)
		check(t, err)
		bad := fstest.MapFS{}
		fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(migrations, path)
				bad[path] = &fstest.MapFile{Data: b}
			}
			return nil
		})
		bad["migrations/9000_half.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")}
		err = s.Migrate(ctx, bad, "migrations")
		if err == nil || !strings.Contains(err.Error(), "9000_half.sql") {
			t.Fatalf("got %v, want the failed migration named", err)
		}
		after, err := s.SchemaVersion(ctx)
		check(t, err)
		if after != before {
			t.Fatalf("version %d after a failed migration, want %d", after, before)
		}
		rows, err := s.SQL().QueryContext(ctx, "SELECT COUNT(*) FROM half_done")
		if err == nil {
			rows.Close()
			t.Fatal("the failed migration's first statement was kept")
		}
	})
	t.Run("NewerSchemaRefused", func(t *testing.T) {
		s := open(t)
		_, err := s.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'from a newer ecoind')`)
		check(t, err)
		err = s.Migrate(ctx, migrations, "migrations")
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("got %v, want a refusal", err)
		}
	})
	t.Run("AgainChangesNothing", func(t *testing.T) {
		s := open(t)
		before, _ := s.SchemaVersion(ctx)
		check(t, s.Migrate(ctx, migrations, "migrations"))
		after, _ := s.SchemaVersion(ctx)
		if before != after || before < 2 {
			t.Fatalf("versions %d, %d", before, after)
		}
	})
}
