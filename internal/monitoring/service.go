package monitoring

import (
	"context"
	"strings"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

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
func (v *Service) CheckedFrames(ctx context.Context, mn string, r Range) ([]Checked, error) {
	fs, err := v.store.Frames(ctx, mn, r)
	return check(fs), err
}

// LatestFrames returns the limit frames received last, newest first, their
// passwords masked, with their decoding warnings.
func (v *Service) LatestFrames(ctx context.Context, limit int) ([]Checked, error) {
	fs, err := v.store.LatestFrames(ctx, limit)
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
func (v *Service) Loggers(ctx context.Context, now time.Time) ([]Logger, error) {
	fs, err := v.store.LoggerFrames(ctx)
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
