package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"ecoindustry/internal/gep"
)

// Ecological product purchases (gep.PurchaseStore): the agreement as a
// JSON document, its county, seller zone and version as columns.

func purchaseDoc(p gep.Purchase) (string, error) {
	p.ID, p.Version = 0, 0 // the columns' own
	return jsonText(p)
}

// AddPurchase implements gep.PurchaseStore.
func (s *DB) AddPurchase(ctx context.Context, p gep.Purchase) (int64, error) {
	doc, err := purchaseDoc(p)
	if err != nil {
		return 0, s.reader.wrap("add purchase", err)
	}
	var id int64
	err = s.Tx(ctx, func(c *Conn) error {
		rows, err := c.QueryContext(ctx, `INSERT INTO gep_purchases (county, seller_zone, version, created_at, created_by, updated_at, updated_by, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			p.County, p.SellerZone, p.Version, p.CreatedAt.UTC().Format(time.RFC3339), p.CreatedBy, p.UpdatedAt.UTC().Format(time.RFC3339), p.UpdatedBy, doc)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			err = rows.Scan(&id)
		}
		if err == nil {
			err = rows.Err()
		}
		return err
	})
	return id, s.reader.wrap("add purchase", err)
}

func scanPurchase(rows *sql.Rows, p *gep.Purchase) error {
	var id int64
	var version int
	var doc string
	if err := rows.Scan(&id, &version, &doc); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(doc), p); err != nil {
		return err
	}
	p.ID, p.Version = id, version
	return nil
}

// Purchase implements gep.PurchaseStore.
func (r reader) Purchase(ctx context.Context, id int64) (gep.Purchase, error) {
	ps, err := list(ctx, r, "purchase", `SELECT id, version, doc FROM gep_purchases WHERE id = $1`, []any{id}, scanPurchase)
	if err != nil || len(ps) == 0 {
		return gep.Purchase{}, err
	}
	return ps[0], nil
}

// Purchases implements gep.PurchaseStore.
func (r reader) Purchases(ctx context.Context, county string) ([]gep.Purchase, error) {
	return list(ctx, r, "purchases", `SELECT id, version, doc FROM gep_purchases WHERE $1 = '' OR county = $1 ORDER BY id`,
		[]any{county}, scanPurchase)
}

// UpdatePurchase implements gep.PurchaseStore.
func (s *DB) UpdatePurchase(ctx context.Context, p gep.Purchase, version int) error {
	doc, err := purchaseDoc(p)
	if err != nil {
		return s.reader.wrap("update purchase", err)
	}
	var n int64
	err = s.Tx(ctx, func(c *Conn) error {
		res, err := c.ExecContext(ctx, `UPDATE gep_purchases SET county = $1, seller_zone = $2, version = $3, updated_at = $4, updated_by = $5, doc = $6
			WHERE id = $7 AND version = $8`, p.County, p.SellerZone, p.Version, p.UpdatedAt.UTC().Format(time.RFC3339), p.UpdatedBy, doc, p.ID, version)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return s.reader.wrap("update purchase", err)
	}
	if n == 0 {
		return gep.ErrStalePurchase
	}
	return nil
}

// DeletePurchase implements gep.PurchaseStore.
func (s *DB) DeletePurchase(ctx context.Context, id int64) error {
	err := s.Tx(ctx, func(c *Conn) error {
		_, err := c.ExecContext(ctx, `DELETE FROM gep_purchases WHERE id = $1`, id)
		return err
	})
	return s.reader.wrap("delete purchase", err)
}
