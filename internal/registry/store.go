package registry

import "context"

// Reader is what the registry reads from its store. A uscc of "" lists the
// records of every enterprise.
type Reader interface {
	Units(ctx context.Context) ([]AdminUnit, error)
	Parks(ctx context.Context) ([]Park, error)
	// Enterprises returns one page of the filtered list and the total count.
	Enterprises(ctx context.Context, f EnterpriseFilter) ([]Enterprise, int, error)
	Licences(ctx context.Context, uscc string) ([]Licence, error)
	Sites(ctx context.Context, uscc string) ([]Site, error)
	Safety(ctx context.Context, uscc string) ([]Safety, error)
	Facilities(ctx context.Context, uscc string) ([]Facility, error)
	Outlets(ctx context.Context, uscc string) ([]Outlet, error)
	Permits(ctx context.Context, uscc string) ([]PermitLimit, error)
	Changes(ctx context.Context, f ChangeFilter) ([]Change, error)
	// ScanTable reads the rows of a kind declared outside the registry, of
	// one enterprise (t has a uscc column) or all with "", in key order,
	// calling each with the scan of every row.
	ScanTable(ctx context.Context, t *Table, uscc string, each func(scan func(dest ...any) error) error) error
}

// Table is where a kind declared outside the registry (NewKind) keeps its
// records, one row each, upserted by Key. Its names are code, never input;
// the package that declares the kind brings the table's migration.
type Table struct {
	Name string
	Key  []string
	Cols []string
}

// Tx is one transaction: everything written through it commits or nothing does.
// Every Put is an upsert by the record's key.
type Tx interface {
	Reader
	PutUnit(ctx context.Context, u AdminUnit) error
	PutPark(ctx context.Context, p Park) error
	PutEnterprise(ctx context.Context, e Enterprise) error
	PutLicence(ctx context.Context, l Licence) error
	PutSite(ctx context.Context, s Site) error
	PutSafety(ctx context.Context, s Safety) error
	PutFacility(ctx context.Context, f Facility) error
	PutOutlet(ctx context.Context, o Outlet) error
	PutPermit(ctx context.Context, p PermitLimit) error
	AddChange(ctx context.Context, c Change) error
	// Put upserts row, its values in t.Cols order, into t.
	Put(ctx context.Context, t *Table, row []any) error
	// Flush sends the writes a store buffers: a dry run, rolled back
	// after, meets every constraint its import would meet at commit.
	Flush(ctx context.Context) error
}

// Store is the registry's storage: store/sqlite and store/postgres implement
// it, and store/storetest holds them to the same behaviour.
type Store interface {
	Reader
	// Update runs fn in one transaction, committed if fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
}
