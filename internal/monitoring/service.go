package monitoring

import (
	"context"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
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
	fs, err := v.visibleFrames(ctx, by, func() ([]RawFrame, error) { return v.store.Frames(ctx, mn, r) })
	for i := range fs {
		fs[i].Frame = MaskPasswords(fs[i].Frame)
	}
	return fs, err
}

// visibleFrames returns the frames read that by may see.
func (v *Service) visibleFrames(ctx context.Context, by auth.Principal, read func() ([]RawFrame, error)) ([]RawFrame, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return nil, err
	}
	fs, err := read()
	if err != nil {
		return nil, err
	}
	see, err := v.seer(ctx, by)
	if err != nil {
		return nil, err
	}
	kept := fs[:0]
	for _, f := range fs {
		ok, err := see(f.USCC)
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// seer returns whether by may see an enterprise's monitoring data, each
// enterprise looked up once.
func (v *Service) seer(ctx context.Context, by auth.Principal) (func(uscc string) (bool, error), error) {
	if auth.Visible(by).All() {
		return func(string) (bool, error) { return true, nil }, nil
	}
	seen := map[string]bool{}
	return func(uscc string) (bool, error) {
		ok, known := seen[uscc]
		if !known {
			err := v.readable(ctx, by, uscc)
			if err != nil && apperr.CodeOf(err) == apperr.Internal {
				return false, err
			}
			ok = err == nil
			seen[uscc] = ok
		}
		return ok, nil
	}, nil
}

// Checked is a frame as Frames shows it, with what decoding the text as
// received found: the deviations from the standard a lenient reader
// accepts (Warnings), or why the frame cannot be read at all (Error).
type Checked struct {
	RawFrame
	Warnings []hj212.Warning `json:"warnings,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// check decodes each frame before its password is masked: masking changes
// the text, so its length and CRC no longer hold.
func check(fs []RawFrame) []Checked {
	out := make([]Checked, len(fs))
	for i, f := range fs {
		out[i].RawFrame = f
		raw := f.Frame
		if !strings.HasSuffix(raw, "\r\n") {
			raw += "\r\n"
		}
		if fr, err := hj212.Decode([]byte(raw), hj212.Options{}); err != nil {
			out[i].Error = MaskPasswords(err.Error())
		} else {
			out[i].Warnings = fr.Warnings
			for j := range out[i].Warnings {
				out[i].Warnings[j].Message = MaskPasswords(out[i].Warnings[j].Message)
			}
		}
		out[i].Frame = MaskPasswords(f.Frame)
	}
	return out
}

// CheckedFrames is Frames with each frame's decoding warnings.
func (v *Service) CheckedFrames(ctx context.Context, by auth.Principal, mn string, r Range) ([]Checked, error) {
	fs, err := v.visibleFrames(ctx, by, func() ([]RawFrame, error) { return v.store.Frames(ctx, mn, r) })
	return check(fs), err
}

// LatestFrames returns the limit frames received last, newest first, their
// passwords masked, with their decoding warnings: of those, the ones by
// may see.
func (v *Service) LatestFrames(ctx context.Context, by auth.Principal, limit int) ([]Checked, error) {
	fs, err := v.visibleFrames(ctx, by, func() ([]RawFrame, error) { return v.store.LatestFrames(ctx, limit) })
	return check(fs), err
}

// OnlineWindow is how recently a logger must have sent a frame to count
// as online: two of HJ 212's 10-minute data (2051) intervals, or twenty
// real-time (2011) ones at the usual 30 s.
const OnlineWindow = 20 * time.Minute

// Logger is a data logger as its frames show it: its outlet, its last
// frame (command, data time, receive time) and whether it is online.
type Logger struct {
	MN         string    `json:"mn"`
	USCC       string    `json:"uscc"`
	Outlet     string    `json:"outlet_code"`
	CN         string    `json:"cn"`
	DataTime   time.Time `json:"data_time"`
	ReceivedAt time.Time `json:"received_at"`
	Online     bool      `json:"online"`
}

// Loggers returns every logger that has sent a frame, by MN: of its
// commands, the latest frame received, and whether it came within
// OnlineWindow before now.
func (v *Service) Loggers(ctx context.Context, by auth.Principal, now time.Time) ([]Logger, error) {
	fs, err := v.visibleFrames(ctx, by, func() ([]RawFrame, error) { return v.store.LoggerFrames(ctx) })
	if err != nil {
		return nil, err
	}
	var out []Logger
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].MN == f.MN {
			if !f.ReceivedAt.After(out[n-1].ReceivedAt) {
				continue
			}
			out = out[:n-1]
		}
		dt, _ := time.ParseInLocation("20060102150405", f.DKey, cst.Zone)
		out = append(out, Logger{MN: f.MN, USCC: f.USCC, Outlet: f.Outlet, CN: f.CN, DataTime: dt,
			ReceivedAt: f.ReceivedAt, Online: now.Sub(f.ReceivedAt) < OnlineWindow})
	}
	return out, nil
}
