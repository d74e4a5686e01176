package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"ecoindustry/internal/store"
)

// Partitioned are the tables range-partitioned by UTC month on a column
// `at`, whose partitions are named TABLE_YYYY_MM.
var Partitioned = []string{"changes", "frames"}

// partitionsAhead is how many months past the current one have a partition
// ready, so that a server that stays up across a month's end keeps writing.
const partitionsAhead = 3

// EnsurePartitions creates the missing monthly partitions of every
// partitioned table from now's month to partitionsAhead months after it.
func EnsurePartitions(ctx context.Context, db *store.DB, now time.Time) error {
	return db.Tx(ctx, func(c *store.Conn) error {
		// Servers starting together take turns.
		if _, err := c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(2121)`); err != nil {
			return err
		}
		m := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
		for range partitionsAhead + 1 {
			next := m.AddDate(0, 1, 0)
			for _, t := range Partitioned {
				q := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s_%s PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s')`,
					t, m.Format("2006_01"), t, m.Format(time.RFC3339), next.Format(time.RFC3339))
				if err := c.Script(ctx, q); err != nil {
					return fmt.Errorf("postgres: partition %s_%s: %w", t, m.Format("2006_01"), err)
				}
			}
			m = next
		}
		return nil
	})
}

// KeepPartitions makes partitions ahead at once and then every six hours
// until ctx ends, logging what fails.
func KeepPartitions(ctx context.Context, db *store.DB, log *slog.Logger) {
	tick := time.NewTicker(6 * time.Hour)
	defer tick.Stop()
	for {
		if err := EnsurePartitions(ctx, db, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("monthly partitions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
