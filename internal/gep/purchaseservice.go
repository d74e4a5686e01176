package gep

import (
	"context"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// PurchaseStore keeps purchases.
type PurchaseStore interface {
	AddPurchase(ctx context.Context, p Purchase) (int64, error)
	// Purchase returns a zero purchase (ID 0) where there is none.
	Purchase(ctx context.Context, id int64) (Purchase, error)
	// Purchases lists the purchases of a county, of all where county is "".
	Purchases(ctx context.Context, county string) ([]Purchase, error)
	// UpdatePurchase replaces p if its stored version is version, else
	// returns ErrStalePurchase.
	UpdatePurchase(ctx context.Context, p Purchase, version int) error
	DeletePurchase(ctx context.Context, id int64) error
}

// ErrStalePurchase is an update of a purchase changed since it was read.
var ErrStalePurchase = apperr.New(apperr.Conflict, "the purchase was changed since it was read: read it again",
	"该采购协议已被他人修改：请重新读取")

// PurchaseService keeps purchases under the roles' policy (decision 0019):
// officers read those of their county, the ecology bureau changes them.
type PurchaseService struct {
	store PurchaseStore
	now   func() time.Time
}

// NewPurchaseService returns the service over store.
func NewPurchaseService(store PurchaseStore) *PurchaseService {
	return &PurchaseService{store: store, now: time.Now}
}

func object(p Purchase, missing error) auth.Object {
	return auth.Object{What: auth.Purchases, Bureau: auth.Ecology, County: p.County, Missing: missing}
}

func missingPurchase(id int64) error {
	return apperr.Newf(apperr.NotFound, "no purchase %d", "无编号为 %d 的生态产品采购协议", id)
}

// stamp sets who entered the observations new to p (not in old) and when.
func stamp(p *Purchase, old []Observation, by string, at time.Time) {
	for i, o := range p.Observations {
		kept := false
		for _, x := range old {
			if x.Indicator == o.Indicator && x.Year == o.Year && x.Value == o.Value && x.Source == o.Source {
				p.Observations[i].EnteredBy, p.Observations[i].EnteredAt, kept = x.EnteredBy, x.EnteredAt, true
			}
		}
		if !kept {
			p.Observations[i].EnteredBy, p.Observations[i].EnteredAt = by, at
		}
	}
}

// Create checks and keeps a new purchase.
func (s *PurchaseService) Create(ctx context.Context, by auth.Principal, p Purchase) (Purchase, error) {
	if err := by.Check(); err != nil {
		return Purchase{}, err
	}
	if err := auth.MayWrite(by, auth.Purchases, auth.Ecology); err != nil {
		return Purchase{}, err
	}
	if err := p.Check(); err != nil {
		return Purchase{}, err
	}
	// A purchase outside one's county is forbidden, not "not found":
	// nothing there is hidden (decision 0019).
	if !auth.Unrestricted(by) && !auth.Visible(by).Allows(p.County, "", "") {
		return Purchase{}, apperr.Newf(apperr.Forbidden, "purchases of county %s are outside your scope", "县（市、区）%s 的生态产品采购不在您的权限范围内", p.County)
	}
	if err := auth.CanWrite(by, object(p, nil)); err != nil {
		return Purchase{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	p.Version, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy = 1, now, by.Actor(), now, by.Actor()
	stamp(&p, nil, by.Actor(), now)
	id, err := s.store.AddPurchase(ctx, p)
	p.ID = id
	return p, err
}

// Get returns a purchase p may read.
func (s *PurchaseService) Get(ctx context.Context, by auth.Principal, id int64) (Purchase, error) {
	if err := by.Check(); err != nil {
		return Purchase{}, err
	}
	if err := auth.CanList(by, auth.Purchases); err != nil {
		return Purchase{}, err
	}
	p, err := s.store.Purchase(ctx, id)
	if err != nil {
		return Purchase{}, err
	}
	if p.ID == 0 {
		return Purchase{}, missingPurchase(id)
	}
	if err := auth.CanRead(by, object(p, missingPurchase(id))); err != nil {
		return Purchase{}, err
	}
	return p, nil
}

// List returns the purchases p may read.
func (s *PurchaseService) List(ctx context.Context, by auth.Principal) ([]Purchase, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Purchases); err != nil {
		return nil, err
	}
	return s.store.Purchases(ctx, auth.Visible(by).County)
}

// Update replaces purchase p.ID, read at p.Version, with p.
func (s *PurchaseService) Update(ctx context.Context, by auth.Principal, p Purchase) (Purchase, error) {
	if err := by.Check(); err != nil {
		return Purchase{}, err
	}
	if err := auth.MayWrite(by, auth.Purchases, auth.Ecology); err != nil {
		return Purchase{}, err
	}
	old, err := s.store.Purchase(ctx, p.ID)
	if err != nil {
		return Purchase{}, err
	}
	if old.ID == 0 {
		return Purchase{}, missingPurchase(p.ID)
	}
	if err := auth.CanWrite(by, object(old, missingPurchase(p.ID))); err != nil {
		return Purchase{}, err
	}
	if err := p.Check(); err != nil {
		return Purchase{}, err
	}
	if err := auth.CanWrite(by, object(p, nil)); err != nil { // moved to a county outside the scope
		return Purchase{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	version := p.Version
	p.Version, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy = version+1, old.CreatedAt, old.CreatedBy, now, by.Actor()
	stamp(&p, old.Observations, by.Actor(), now)
	if err := s.store.UpdatePurchase(ctx, p, version); err != nil {
		return Purchase{}, err
	}
	return p, nil
}

// Delete removes a purchase.
func (s *PurchaseService) Delete(ctx context.Context, by auth.Principal, id int64) error {
	if err := by.Check(); err != nil {
		return err
	}
	if err := auth.MayWrite(by, auth.Purchases, auth.Ecology); err != nil {
		return err
	}
	p, err := s.store.Purchase(ctx, id)
	if err != nil {
		return err
	}
	if p.ID == 0 {
		return missingPurchase(id)
	}
	if err := auth.CanWrite(by, object(p, missingPurchase(id))); err != nil {
		return err
	}
	return s.store.DeletePurchase(ctx, id)
}

// Payments returns a purchase's payments, priced on the purchase's own
// basis where it has one (the agreed figures), else on av (the account
// runs, RunValues; decision 0033).
func (s *PurchaseService) Payments(ctx context.Context, by auth.Principal, id int64, av AccountValues) (PaymentPlan, error) {
	p, err := s.Get(ctx, by, id)
	if err != nil {
		return PaymentPlan{}, err
	}
	if av == nil || len(p.Basis) > 0 {
		plan, err := Payments(p, p.BasisValues())
		plan.PricedOn = "basis"
		return plan, err
	}
	if rv, ok := av.(*RunValues); ok && rv.Err() != nil {
		return PaymentPlan{}, rv.Err()
	}
	return Payments(p, av)
}
