package sqlite

import (
	"context"
	"fmt"
	"os"

	"modernc.org/sqlite"

	"ecoindustry/internal/store"
)

// Backup copies the database of s to a new file at dst with SQLite's
// online backup: a consistent snapshot while writers go on. The copy is
// written beside dst and renamed into place, so dst is whole or absent.
func Backup(ctx context.Context, s *store.DB, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("sqlite: backup: %s exists; choose a new file", dst)
	}
	tmp := dst + ".partial"
	os.Remove(tmp)
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		src, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("driver connection %T has no online backup", dc)
		}
		b, err := src.NewBackup(tmp)
		if err != nil {
			return err
		}
		for more := true; more; {
			// Some pages at a time, so that writers get the lock between steps.
			if more, err = b.Step(1024); err != nil {
				b.Finish()
				return err
			}
			if ctx.Err() != nil {
				b.Finish()
				return ctx.Err()
			}
		}
		return b.Finish()
	})
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	return os.Rename(tmp, dst)
}
