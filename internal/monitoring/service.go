package monitoring

import (
	"context"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Service is what the API and other readers of monitoring data call: the
// store's views, as they may be shown, to those who may see them.
type Service struct {
	store Store
	reg   Enterprises
}

// Enterprises finds the enterprise monitoring data belongs to: the roles'
// policy reads by its county, park and USCC.
type Enterprises interface {
	Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error)
}

// NewService returns the service over s, finding enterprises in reg.
func NewService(s Store, reg Enterprises) *Service { return &Service{store: s, reg: reg} }

// readable checks that by may read enterprise uscc's monitoring data: an
// enterprise they may not know exists is not found, as one that does not
// exist. Those who see every enterprise's data are not made to wait for
// a look-up.
func (v *Service) readable(ctx context.Context, by auth.Principal, uscc string) error {
	if err := auth.CanList(by, auth.Monitoring); err != nil || auth.Visible(by).All() {
		return err
	}
	es, _, err := v.reg.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc})
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return registry.NoEnterprise(uscc)
	}
	o := registry.EnterpriseObject(nil, es[0])
	o.What = auth.Monitoring
	return auth.CanRead(by, o)
}

// Readings returns an outlet's readings by data time.
func (v *Service) Readings(ctx context.Context, by auth.Principal, r Range) ([]Reading, error) {
	if err := v.readable(ctx, by, r.USCC); err != nil {
		return nil, err
	}
	return v.store.Readings(ctx, r)
}

// Rollups returns an outlet's rollups of period p: ours of the real-time
// values, or the logger's own data of command r.CN (2061 hourly, 2031
// daily).
func (v *Service) Rollups(ctx context.Context, by auth.Principal, p Period, r Range) ([]Rollup, error) {
	if err := v.readable(ctx, by, r.USCC); err != nil {
		return nil, err
	}
	if r.CN == "" {
		r.CN = RealTime
	}
	return v.store.Rollups(ctx, p, r)
}

// Frames returns the frames received from logger mn, their passwords
// masked (MaskPasswords): those of the enterprises by may see, each
// frame by the enterprise whose outlet the logger was at when it sent
// it. A logger of an enterprise by may not see reads as one that sent
// nothing.
func (v *Service) Frames(ctx context.Context, by auth.Principal, mn string, r Range) ([]RawFrame, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return nil, err
	}
	fs, err := v.store.Frames(ctx, mn, r)
	if err != nil {
		return nil, err
	}
	if !auth.Visible(by).All() {
		seen := map[string]bool{}
		kept := fs[:0]
		for _, f := range fs {
			ok, known := seen[f.USCC]
			if !known {
				err := v.readable(ctx, by, f.USCC)
				if err != nil && apperr.CodeOf(err) == apperr.Internal {
					return nil, err
				}
				ok = err == nil
				seen[f.USCC] = ok
			}
			if ok {
				kept = append(kept, f)
			}
		}
		fs = kept
	}
	for i := range fs {
		fs[i].Frame = MaskPasswords(fs[i].Frame)
	}
	return fs, nil
}
