package hj212

import (
	"bufio"
	"time"
)

// Frame is one decoded HJ 212 frame.
type Frame struct {
	Version  string // "2005", "2017" or "2025", from the Flag's version bits (2005 when there is no Flag)
	QN       string // request id, YYYYMMDDhhmmsszzz
	ST       string // system code
	CN       string // command code
	PW       string
	MN       string
	Flag     int  // -1 when the frame has none
	PNUM     int  // 0 when not split
	PNO      int  // 0 when not split
	DataTime time.Time // China Standard Time; zero when the CP has no DataTime
	Values   []Value   // per-pollutant fields, in frame order
	CP       []Field   // the other CP fields, in frame order (BeginTime, QnRtn, RtdInterval…)
	Warnings []Warning // deviations from the standard that lenient mode let pass
	DataLen  int       // length of the data segment in bytes
}

// Value is one per-pollutant field of the CP, e.g. a21026-ZsAvg=12.5.
type Value struct {
	Code     string  // HJ 212-2017 code (a 2005 code is mapped onto it)
	Code2005 string  // the frame's original code when it was a 2005 one
	Field    string  // Rtd, Avg, Min, Max, Cou, ZsRtd, ZsAvg, ZsMin, ZsMax, Flag, SampleTime, EFlag…
	Value    float64 // for numeric fields, in Unit
	Text     string  // for text fields (Flag, SampleTime, EFlag…); IsText tells which
	IsText   bool
	Unit     string // the unit of Value after normalisation, "" when unknown
	Flag     string // the data flag of this pollutant (its -Flag field), copied onto each value
}

// Field is a CP field that is not per-pollutant.
type Field struct{ Key, Value string }

// Warning is a deviation from the standard that lenient mode accepted.
type Warning struct {
	Code    string // stable reason code, e.g. lowercase_crc
	Message string
}

// Error is why a frame was rejected; Code is stable (crc_mismatch, bad_length…).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Options select how strictly Decode reads.
type Options struct {
	Strict    bool // accept only what the standard allows
	ModbusCRC bool // accept a Modbus CRC16 (for loggers configured for it), with a warning
}

// Decode decodes one whole frame ("##" … CRLF; the CRLF may be missing).
func Decode(frame []byte, opt Options) (*Frame, error) { panic("hj212: Decode not yet implemented") }

// Encode builds a frame from f: data segment from its fields in standard
// order, length, CRC, CRLF. Values are written with their Code and Field.
func Encode(f *Frame) ([]byte, error) { panic("hj212: Encode not yet implemented") }

// CRC is the HJ 212-2017 Appendix A CRC of a data segment.
func CRC(data []byte) uint16 { panic("hj212: CRC not yet implemented") }

// WantsAck reports whether the sender asks for an answer (Flag bit A).
func (f *Frame) WantsAck() bool { return f.Flag >= 0 && f.Flag&1 == 1 }

// SplitFrames returns a bufio.SplitFunc over a TCP stream: each token is
// either one whole frame starting with "##" (per its declared length) or a
// run of bytes that is no frame (garbage, an oversize frame's bytes, a half
// frame at EOF), which the caller counts and drops.
func SplitFrames(maxFrame int) bufio.SplitFunc { panic("hj212: SplitFrames not yet implemented") }
