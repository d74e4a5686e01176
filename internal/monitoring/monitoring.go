// Package monitoring keeps what the data loggers send: every frame as it
// was received, the readings in it, and the minute, hour and day rollups
// built from them.
package monitoring

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
)

// Received is a decoded frame from an authenticated logger, with where and
// when it came from and the outlet its MN belongs to.
type Received struct {
	Frame  *hj212.Frame
	Raw    []byte // as received, CRLF included
	Peer   string
	At     time.Time
	USCC   string
	Outlet string

	// Set by Prepare.
	Key  Key
	Hash string
	Vals string // the readings as a JSON array (AppendReadings)
}

// Key is what identifies a frame across resends: the logger, the command,
// the data time (or, without one, the QN, or else the content) and the
// part of a split frame.
type Key struct {
	MN, CN, DKey string
	PNO          int
}

// KeyOf returns the key of a received frame.
func KeyOf(r *Received) Key {
	k := Key{MN: r.Frame.MN, CN: r.Frame.CN, PNO: r.Frame.PNO}
	switch {
	case !r.Frame.DataTime.IsZero():
		k.DKey = r.Frame.DataTime.In(cst.Zone).Format("20060102150405")
	case r.Frame.QN != "":
		k.DKey = "QN:" + r.Frame.QN
	case r.Hash != "":
		k.DKey = "H:" + r.Hash
	default:
		k.DKey = "H:" + Hash(r.Raw)
	}
	return k
}

// Hash identifies a frame's content: its CP, the data it carries. The QN,
// Flag, length and CRC around it change when a logger sends the same data
// again as a new request, which makes it no new data.
func Hash(raw []byte) string {
	content := raw
	if i := bytes.Index(raw, []byte("CP=&&")); i >= 0 {
		if j := bytes.LastIndex(raw, []byte("&&")); j > i+3 {
			content = raw[i : j+2]
		}
	}
	s := sha256.Sum256(content)
	return hex.EncodeToString(s[:16])
}

// Outcome is what a store did with a received frame.
type Outcome int

const (
	// New: stored for the first time.
	New Outcome = iota
	// Duplicate: the same content as a stored frame; nothing stored.
	Duplicate
	// Revision: a frame with the key of a stored one but other content,
	// stored beside it as the next revision and flagged, never overwriting.
	Revision
)

func (o Outcome) String() string { return [...]string{"new", "duplicate", "revision"}[o] }

// RawFrame is an archived frame.
type RawFrame struct {
	MN         string    `json:"mn"`
	CN         string    `json:"cn"`
	DKey       string    `json:"dkey"`
	PNO        int       `json:"pno"`
	Revision   int       `json:"revision"`
	USCC       string    `json:"uscc"`
	Outlet     string    `json:"outlet_code"`
	ReceivedAt time.Time `json:"received_at"`
	Peer       string    `json:"peer"`
	Frame      string    `json:"frame"`
}

// Reading is the values of one pollutant in one frame. Nil means the frame
// did not carry that field.
type Reading struct {
	USCC       string    `json:"uscc"`
	Outlet     string    `json:"outlet_code"`
	MN         string    `json:"mn"`
	CN         string    `json:"cn"`
	DataTime   time.Time `json:"data_time"`
	Revision   int       `json:"revision"`
	Code       string    `json:"code"`
	Unit       string    `json:"unit"`
	Rtd        *float64  `json:"rtd"`
	Avg        *float64  `json:"avg"`
	Min        *float64  `json:"min"`
	Max        *float64  `json:"max"`
	Cou        *float64  `json:"cou"`
	ZsRtd      *float64  `json:"zs_rtd"`
	ZsAvg      *float64  `json:"zs_avg"`
	Flag       string    `json:"flag"`
	ReceivedAt time.Time `json:"received_at"`
}

// Period is a rollup's length.
type Period string

const (
	Minute Period = "minute"
	Hour   Period = "hour"
	Day    Period = "day"
)

// Rollup is an aggregate, built behind the writer (Roller), of an outlet's
// values of one pollutant over one period, from the original frames only
// (revisions are for review). CN says whose: 2011, ours, of the real-time
// values (Rtd); 2061 and 2031, the logger's own hourly and daily data
// (Avg, with the logger's Min and Max).
type Rollup struct {
	USCC   string    `json:"uscc"`
	Outlet string    `json:"outlet_code"`
	Code   string    `json:"code"`
	Period Period    `json:"period"`
	CN     string    `json:"cn"`
	Start  time.Time `json:"start"`
	Count  int       `json:"count"`
	Sum    float64   `json:"sum"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	// Cou is the sum of the counted values' Cou (flow totals, amounts).
	Cou float64 `json:"cou"`
	// Flagged counts the values whose data flag was not N (normal).
	Flagged int `json:"flagged"`
	// Skewed counts the values placed by their frame's receipt, their
	// logger's data time being unusable (ClockAhead, ClockFloor).
	Skewed int `json:"skewed"`
	// Seq increases with every change of a rollup: a consumer reads the
	// rollups changed since the last it saw (Store.RollupsSince).
	Seq int64 `json:"seq"`
}

// Avg is the rollup's mean.
func (r Rollup) Avg() float64 { return r.Sum / float64(r.Count) }

// Range selects by outlet and time, one page at a time.
type Range struct {
	USCC, Outlet string
	CN           string // one command's data only (2011 real-time, 2051, 2061, 2031); "" all
	Code         string // one pollutant, "" all
	From, To     time.Time
	Limit        int
	Offset       int
}

// Store is what monitoring keeps its data in.
type Store interface {
	// WriteBatch stores frames in one transaction: the raw frame, its
	// readings and the rollups, each frame new, a duplicate (nothing
	// stored) or a revision. Nothing is stored if it fails.
	WriteBatch(ctx context.Context, batch []*Received) ([]Outcome, error)
	Readings(ctx context.Context, r Range) ([]Reading, error)
	Rollups(ctx context.Context, p Period, r Range) ([]Rollup, error)
	Frames(ctx context.Context, mn string, r Range) ([]RawFrame, error)
	// LatestFrames returns the limit frames received last, newest first.
	LatestFrames(ctx context.Context, limit int) ([]RawFrame, error)
	// LoggerFrames returns, for each logger and command it sends, the
	// frame with the latest data time, without the frame's text.
	LoggerFrames(ctx context.Context) ([]RawFrame, error)

	// RollProgress returns the last frame id folded into each part's
	// rollups, by Part.String; a part never rolled is absent.
	RollProgress(ctx context.Context) (map[string]int64, error)
	// RollFrames calls fn in id order with the frames of commands cns
	// whose ids come after after, at most max ids past it, none received
	// less than lag ago. It returns the last id it went through: the
	// bound, or the one before the frame fn returned ErrEnough for.
	RollFrames(ctx context.Context, after int64, max int, lag time.Duration, cns []string, fn func(RollFrame) error) (int64, error)
	// AddRollups, in one transaction, moves each addition's part from its
	// From (or from no progress) to to, and adds its sums to the part's
	// rollups, each rollup changed given the next Seq. ErrMoved: a part
	// was no longer at From; nothing is added.
	AddRollups(ctx context.Context, to int64, adds []Addition) error

	// RollupsSince returns up to limit rollups changed after seq, by Seq.
	RollupsSince(ctx context.Context, seq int64, limit int) ([]Rollup, error)
	// Cursor returns how far a consumer has followed the rollups (a Seq, 0
	// at first); MoveCursor moves it from from to to, or returns ErrMoved.
	Cursor(ctx context.Context, consumer string) (int64, error)
	MoveCursor(ctx context.Context, consumer string, from, to int64) error
}
