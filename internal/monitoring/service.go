package monitoring

import "context"

// Service is what the API and other readers of monitoring data call: the
// store's views, as they may be shown.
type Service struct {
	store Store
}

// NewService returns the service over s.
func NewService(s Store) *Service { return &Service{store: s} }

// Readings returns an outlet's readings by data time.
func (v *Service) Readings(ctx context.Context, r Range) ([]Reading, error) {
	return v.store.Readings(ctx, r)
}

// Rollups returns an outlet's rollups of period p: ours of the real-time
// values, or the logger's own data of command r.CN (2061 hourly, 2031
// daily).
func (v *Service) Rollups(ctx context.Context, p Period, r Range) ([]Rollup, error) {
	if r.CN == "" {
		r.CN = RealTime
	}
	return v.store.Rollups(ctx, p, r)
}

// Frames returns the frames received from logger mn, their passwords
// masked (MaskPasswords).
func (v *Service) Frames(ctx context.Context, mn string, r Range) ([]RawFrame, error) {
	fs, err := v.store.Frames(ctx, mn, r)
	for i := range fs {
		fs[i].Frame = MaskPasswords(fs[i].Frame)
	}
	return fs, err
}
