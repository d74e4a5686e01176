// Package pgtest gives tests a PostgreSQL database of their own, made
// from a migrated template, on the server named by $ECOIND_TEST_POSTGRES
// (make test starts one). Without it a test is skipped, except under CI,
// where it fails: CI must run every store.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ecoindustry/internal/store/postgres"
)

// Env names the server's connection string.
const Env = "ECOIND_TEST_POSTGRES"

var seq atomic.Int64

// URL returns the connection string of a new, migrated, empty database
// that is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("$%s is not set: CI must test the PostgreSQL store", Env)
		}
		t.Skipf("$%s is not set (make test starts a PostgreSQL server)", Env)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	tpl := template(t, ctx, admin, base)
	name := fmt.Sprintf("ecoind_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tpl); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withDatabase(t, base, name)
}

// template returns the name of a database migrated by this build's
// migrations, creating it once: its name is a hash of them, so test
// processes share it and a changed migration makes a new one.
func template(t testing.TB, ctx context.Context, admin *sql.DB, base string) string {
	h := sha256.New()
	fs.WalkDir(postgres.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(postgres.Migrations, path)
			h.Write(b)
		}
		return nil
	})
	name := fmt.Sprintf("ecoind_tpl_%x", h.Sum(nil)[:6])
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// One process makes the template; the others wait for it.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(2120)`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(2120)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		return name
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name+"_new"); err != nil {
		t.Fatalf("pgtest: create template: %v", err)
	}
	db, err := postgres.Open(ctx, withDatabase(t, base, name+"_new"), 2)
	if err != nil {
		t.Fatalf("pgtest: migrate template: %v", err)
	}
	db.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+name+`_new RENAME TO `+name); err != nil {
		t.Fatalf("pgtest: rename template: %v", err)
	}
	return name
}

func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: $%s: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}
