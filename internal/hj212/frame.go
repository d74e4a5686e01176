package hj212

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/cst"
)

// Frame is one decoded HJ 212 frame.
type Frame struct {
	Version  string // "2005", "2017" or "2025", from the Flag's version bits (2005 when there is no Flag)
	QN       string // request id, YYYYMMDDhhmmsszzz
	ST       string // system code
	CN       string // command code
	PW       string
	MN       string
	Flag     int       // -1 when the frame has none
	PNUM     int       // 0 when not split
	PNO      int       // 0 when not split
	DataTime time.Time // China Standard Time; zero when the CP has no DataTime
	Values   []Value   // per-pollutant fields, in frame order
	CP       []Field   // the other CP fields, in frame order (BeginTime, QnRtn, RtdInterval…)
	Extra    []Field   // data-segment fields Table 3 does not name (2025's RF…), in frame order
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
	Flag     string // the data flag of this pollutant (its -Flag: the one among its run of values, else its first), copied onto each value
}

// Field is a CP field that is not per-pollutant.
type Field struct{ Key, Value string }

// Warning is a deviation from the standard that lenient mode accepted.
type Warning struct {
	Code    string `json:"code"` // stable reason code, e.g. lowercase_crc
	Message string `json:"message"`
}

// Error is why a frame was rejected; Code is stable (crc_mismatch, bad_length…).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Options select how strictly Decode reads.
type Options struct {
	Strict    bool // accept only what the standard allows
	ModbusCRC bool // accept a Modbus CRC16 (for loggers configured for it), with a warning
}

// maxData is the largest data segment HJ 212-2017 Table 2 allows.
const maxData = 1024

// Decode decodes one whole frame ("##" … CRLF; the CRLF may be missing).
// In lenient mode (the default) it accepts every frame whose header,
// length and CRC are right and whose data segment it can read, and lists
// what deviates from the standard in Frame.Warnings; in strict mode the
// first deviation rejects the frame. The error is always an *Error;
// reasons.go lists the codes of both.
//
// The Frame keeps no reference to frame, which the caller may reuse.
func Decode(frame []byte, opt Options) (*Frame, error) {
	f := new(Frame)
	if err := DecodeInto(f, frame, opt); err != nil {
		return nil, err
	}
	return f, nil
}

// DecodeInto is Decode into a Frame the caller reuses: it overwrites f,
// keeping the arrays of its Values, CP, Extra and Warnings, so that a
// loop decoding one frame after another allocates next to nothing. Copy
// what you keep of f (its strings are safe to keep); after an error f
// holds nothing of use. Do not give a reused Frame to a Reassembler.
func DecodeInto(f *Frame, frame []byte, opt Options) error {
	// QN, PW and MN stay for setHeader to reuse: it sets them in any frame
	// it accepts.
	*f = Frame{Values: f.Values[:0], CP: f.CP[:0], Extra: f.Extra[:0], Warnings: f.Warnings[:0], QN: f.QN, PW: f.PW, MN: f.MN}
	body, bareLF := frame, false
	if n := len(body); n >= 2 && body[n-2] == '\r' && body[n-1] == '\n' {
		body = body[:n-2]
	} else if n > 0 && body[n-1] == '\n' {
		body, bareLF = body[:n-1], true
	}
	if len(body) < 6 || body[0] != '#' || body[1] != '#' {
		return &Error{reasonBadHeader, "the frame does not start with ##"}
	}
	n, ok := atoi(body[2:6])
	if !ok {
		return &Error{reasonBadHeader, fmt.Sprintf("length %q is not 4 digits", body[2:6])}
	}
	if len(body) < 10 {
		return &Error{reasonBadLength, fmt.Sprintf("declared %d bytes, and no CRC follows", n)}
	}
	if len(body) != n+10 {
		return &Error{reasonBadLength, fmt.Sprintf("declared %d bytes, the data segment has %d", n, len(body)-10)}
	}
	data, crcText := body[6:6+n], body[6+n:]
	given, lower, ok := hex4(crcText)
	if !ok {
		return &Error{reasonBadCRCFormat, fmt.Sprintf("CRC %q is not 4 hex digits", crcText)}
	}
	f.DataLen = n
	if lower {
		f.warn(reasonLowercaseCRC, "CRC "+string(crcText)+" in lowercase hex")
	}
	if c := crc(data); c != given {
		switch m := modbusCRC(data); {
		case opt.ModbusCRC && m == given:
			f.warn(reasonModbusCRC, "Modbus CRC16 "+string(crcText)+", not the HJ 212 CRC "+hex16(c))
		case opt.ModbusCRC && bits.ReverseBytes16(m) == given:
			f.warn(reasonModbusCRC, "Modbus CRC16 low byte first "+string(crcText)+", not the HJ 212 CRC "+hex16(c))
		default:
			return &Error{reasonCRCMismatch, "computed " + hex16(c) + ", frame says " + string(crcText)}
		}
	}
	if bareLF {
		f.warn(reasonBareLF, "the frame ends in LF without CR")
	}
	if n > maxData {
		f.warn(reasonTooLong, fmt.Sprintf("data segment of %d bytes, over %d (Table 2)", n, maxData))
	}
	if err := f.parse(data); err != nil {
		return err
	}
	if opt.Strict {
		for _, w := range f.Warnings {
			if w.Code != reasonModbusCRC { // the caller opted in to it
				return &Error{w.Code, w.Message}
			}
		}
	}
	return nil
}

func (f *Frame) warn(code, msg string) { f.Warnings = append(f.Warnings, Warning{code, msg}) }

// atoi reads a run of decimal digits (at most 9).
func atoi[T string | []byte](s T) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// hex4 reads the 4 hex digits of a CRC and whether any is lowercase.
func hex4(s []byte) (v uint16, lower, ok bool) {
	if len(s) != 4 {
		return 0, false, false
	}
	for _, c := range s {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		case 'a' <= c && c <= 'f':
			d, lower = c-'a'+10, true
		default:
			return 0, false, false
		}
		v = v<<4 | uint16(d)
	}
	return v, lower, true
}

func hex16(v uint16) string { return string(appendHex16(nil, v)) }

// appendHex16 writes v as App. A prints a CRC: 4 uppercase hex digits, high byte first.
func appendHex16(b []byte, v uint16) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
}

// Encode builds a frame from f: data segment from its fields in standard
// order (QN;ST;CN;PW;MN;Flag;[PNUM;PNO;]CP=&&…&&, Table 3), length, CRC,
// CRLF. The CP starts with DataTime (with milliseconds only when it has
// them), then the CP fields, each in its own ";" group, then the values,
// consecutive values of one code joined by ",". Numbers are written in the
// shortest form that reads back the same. Values are written with their
// Code, or with Code2005 (and in its 2005 unit) when they have one, so that
// a decoded 2005 frame encodes as a 2005 frame; Value.Unit and Value.Flag,
// which Decode derives, are not read, nor is Version: Flag says it. In a
// 2005 frame (version bits 0 or no Flag) BeginTime and EndTime are joined
// by "," as HJ/T 212-2005 writes them (PROTOCOL.md §1.4).
func Encode(f *Frame) ([]byte, error) {
	e := encoder{b: make([]byte, 0, 128+40*len(f.Values))}
	e.b = append(e.b, "##0000"...)
	for _, h := range []struct {
		key, val string
		need     bool
	}{{"QN", f.QN, false}, {"ST", f.ST, true}, {"CN", f.CN, true}, {"PW", f.PW, false}, {"MN", f.MN, true}} {
		switch {
		case h.val != "":
			e.header(h.key, h.val)
		case h.need:
			e.fail("no %s", h.key)
		}
	}
	if f.Flag > 255 {
		e.fail("Flag %d is over 255", f.Flag)
	}
	if f.Flag >= 0 {
		e.header("Flag", strconv.Itoa(f.Flag))
	}
	switch {
	case f.PNUM > 0 && 1 <= f.PNO && f.PNO <= f.PNUM && f.PNUM <= 9999:
		e.header("PNUM", strconv.Itoa(f.PNUM))
		e.header("PNO", strconv.Itoa(f.PNO))
	case f.PNUM != 0 || f.PNO != 0:
		e.fail("PNUM %d and PNO %d: want 1 ≤ PNO ≤ PNUM ≤ 9999, or both 0", f.PNUM, f.PNO)
	}
	for _, x := range f.Extra {
		if headerIndex(x.Key) >= 0 {
			e.fail("extra field %s is a Table 3 field", x.Key)
		}
		e.header(x.Key, x.Value)
	}
	e.b = append(e.b, "CP=&&"...)
	e.cp(f)
	e.b = append(e.b, "&&"...)
	if e.err != nil {
		return nil, e.err
	}
	n := len(e.b) - 6
	if n > 9999 {
		return nil, fmt.Errorf("hj212: encode: data segment of %d bytes does not fit the 4-digit length", n)
	}
	for i := 5; i >= 2; i-- {
		e.b[i] = byte('0' + n%10)
		n /= 10
	}
	e.b = appendHex16(e.b, crc(e.b[6:]))
	return append(e.b, '\r', '\n'), nil
}

type encoder struct {
	b   []byte
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("hj212: encode: "+format, args...)
	}
}

// header writes one Table 3 field and its ";". Decode finds the CP at the
// first field that holds "CP=&&", so no other field may.
func (e *encoder) header(key, val string) {
	start := len(e.b)
	e.text("field", key, true)
	e.b = append(e.b, '=')
	e.text(key, val, false)
	if bytes.Contains(e.b[start:], []byte("CP=&&")) {
		e.fail("field %s=%s holds CP=&&", key, val)
	}
	e.b = append(e.b, ';')
}

// text writes s, which must survive Decode's splitting and trimming: no
// separator, no surrounding spaces, and for a key no "=" and not empty.
func (e *encoder) text(what, s string, key bool) {
	ok := s == trim(s) && !(key && s == "")
	for i := 0; i < len(s) && ok; i++ {
		ok = s[i] != ';' && s[i] != ',' && !(key && s[i] == '=')
	}
	if !ok {
		e.fail("%s %q cannot be framed", what, s)
	}
	e.b = append(e.b, s...)
}

func (e *encoder) cp(f *Frame) {
	first := true
	sep := func() {
		if !first {
			e.b = append(e.b, ';')
		}
		first = false
	}
	if !f.DataTime.IsZero() {
		first = false
		t := f.DataTime.In(cst.Zone)
		if t.Year() < 1900 || t.Year() > 9999 {
			e.fail("DataTime %v out of range", f.DataTime)
		}
		e.b = t.AppendFormat(append(e.b, "DataTime="...), "20060102150405")
		if ms := t.Nanosecond() / 1e6; ms != 0 {
			e.b = fmt.Appendf(e.b, "%03d", ms)
		}
	}
	v2005 := f.Flag < 4 // HJ/T 212-2005: version bits 0, or no Flag
	for i, x := range f.CP {
		if x.Key == "DataTime" || isValueKey(x.Key) {
			e.fail("CP field %s would read back as DataTime or a value", x.Key)
		}
		if v2005 && x.Key == "EndTime" && i > 0 && f.CP[i-1].Key == "BeginTime" {
			e.b = append(e.b, ',')
		} else {
			sep()
		}
		e.text("CP key", x.Key, true)
		e.b = append(e.b, '=')
		e.text(x.Key, x.Value, false)
	}
	for i, v := range f.Values {
		code, scale := v.Code, 0
		if v.Code2005 != "" {
			if p, ok := by2005[v.Code2005]; !ok || p.Code != v.Code {
				e.fail("%s is not the 2005 code of %s", v.Code2005, v.Code)
			}
			code, scale = v.Code2005, scale2005[v.Code]
		}
		kind := suffixKind(v.Field)
		if kind == suffixField || strings.Contains(v.Field, "-") {
			e.fail("value field %q would not read back as a value", v.Field)
		}
		if i > 0 && code == written(f.Values[i-1]) {
			e.b = append(e.b, ',')
		} else {
			sep()
		}
		e.text("code", code, true)
		e.b = append(e.b, '-')
		e.text("field", v.Field, true)
		e.b = append(e.b, '=')
		switch {
		case v.IsText:
			e.text("text", v.Text, false)
		case math.IsNaN(v.Value) || math.IsInf(v.Value, 0):
			e.fail("%s-%s is %v", code, v.Field, v.Value)
		case kind == suffixNumber && scale != 0:
			e.b = shiftPoint(e.b, strconv.FormatFloat(v.Value, 'f', -1, 64), scale)
		default:
			e.b = strconv.AppendFloat(e.b, v.Value, 'f', -1, 64)
		}
	}
}

// written is the code a value is written with.
func written(v Value) string {
	if v.Code2005 != "" {
		return v.Code2005
	}
	return v.Code
}

// isValueKey reports whether Decode reads key as a per-pollutant value.
func isValueKey(key string) bool {
	_, sfx, ok := splitKey(key)
	return ok && suffixKind(sfx) != suffixField
}

// shiftPoint appends the plain decimal number num divided by 10^n, exactly:
// a value turned back into a 2005 unit reads back as the same float64.
func shiftPoint(b []byte, num string, n int) []byte {
	if num[0] == '-' {
		b, num = append(b, '-'), num[1:]
	}
	whole, frac, _ := strings.Cut(num, ".")
	digits := whole + frac
	point := len(whole) - n
	if point > 0 {
		b = append(b, digits[:point]...)
		digits = digits[point:]
	} else {
		b = append(b, '0')
		digits = strings.Repeat("0", -point) + digits
	}
	if digits = strings.TrimRight(digits, "0"); digits != "" {
		b = append(append(b, '.'), digits...)
	}
	return b
}

// WantsAck reports whether the sender asks for an answer (Flag bit A).
func (f *Frame) WantsAck() bool { return f.Flag >= 0 && f.Flag&1 == 1 }

// CRC is the HJ 212-2017 Appendix A CRC of a data segment.
func CRC(data []byte) uint16 { return crc(data) }

// SplitFrames returns a bufio.SplitFunc over a TCP stream: each token is
// either one whole frame starting with "##" (per its declared length) or a
// run of bytes that is no frame (garbage, an oversize frame's bytes, a half
// frame at EOF), which the caller counts and drops.
//
// A token is a frame exactly when it starts with "##": garbage never does.
// A frame is "##", 4 digits of length, that many bytes, 4 of CRC and CRLF
// (§6.3.1); at most maxFrame bytes in all (≤ 0: the standard's 1036). When
// the bytes at "##" are no such frame, the first "#" is returned as
// garbage and the search for the next "##" goes on from the second, so
// that one bad frame costs nothing after it. A CRLF before the declared
// end also makes the bytes no frame: the data segment holds none
// (§6.3.1), and a length that says too much would otherwise hold the
// frames after it until the stream ends. The split does not check the
// CRC: Decode does. Give the Scanner a buffer of maxFrame:
//
//	sc.Buffer(make([]byte, 0, 4096), maxFrame)
func SplitFrames(maxFrame int) bufio.SplitFunc {
	if maxFrame <= 0 {
		maxFrame = maxData + 12
	}
	return func(data []byte, atEOF bool) (int, []byte, error) {
		switch {
		case len(data) == 0:
			return 0, nil, nil
		case data[0] != '#' || len(data) > 1 && data[1] != '#':
			// Garbage up to the next "##"; a last "#" may begin one.
			if i := bytes.Index(data[1:], []byte("##")); i >= 0 {
				return i + 1, data[:i+1], nil
			}
			n := len(data)
			if !atEOF && data[n-1] == '#' {
				n--
			}
			if n == 0 {
				return 0, nil, nil
			}
			return n, data[:n], nil
		}
		n := 0
		for i := 2; i < 6; i++ {
			if i >= len(data) {
				return needMore(data, atEOF)
			}
			if c := data[i]; '0' <= c && c <= '9' {
				n = n*10 + int(c-'0')
			} else {
				return 1, data[:1], nil
			}
		}
		size := n + 12
		switch {
		case size > maxFrame:
			return 1, data[:1], nil
		case bytes.Contains(data[6:min(len(data), size-2)], crlf):
			return 1, data[:1], nil
		case len(data) < size:
			return needMore(data, atEOF)
		case data[size-2] != '\r' || data[size-1] != '\n':
			return 1, data[:1], nil
		}
		return size, data[:size], nil
	}
}

var crlf = []byte("\r\n")

// framerBuffer is a Framer's first buffer: frames are 300–600 bytes, and
// a sender that writes several at once fills it.
const framerBuffer = 4096

// Framer cuts a TCP stream into tokens as SplitFrames does, in a buffer
// made at the first read that grows, as frames need, to maxFrame (at
// least framerBuffer): a connection that never sends holds none. Unlike a
// bufio.Scanner it tells when no whole token is left without reading, so
// that a server can answer what it has before it waits for more.
type Framer struct {
	r          io.Reader
	split      bufio.SplitFunc
	max        int
	buf        []byte
	start, end int // the bytes read and not yet cut
	eof        bool
}

// NewFramer returns a Framer of r for frames of at most maxFrame bytes
// (≤ 0: the standard's 1036).
func NewFramer(r io.Reader, maxFrame int) *Framer {
	if maxFrame <= 0 {
		maxFrame = maxData + 12
	}
	return &Framer{r: r, split: SplitFrames(maxFrame), max: max(maxFrame, framerBuffer)}
}

// Next cuts the next token from what was read, without reading: a frame
// (starting with "##") or garbage; nil when no whole one is there. The
// token is valid until the next Fill.
func (fr *Framer) Next() []byte {
	n, tok, _ := fr.split(fr.buf[fr.start:fr.end], fr.eof)
	fr.start += n
	return tok
}

// Fill reads at least one byte more. At the end of the stream it returns
// nil once, so that Next cuts what is left, and io.EOF after that.
func (fr *Framer) Fill() error {
	if fr.eof {
		return io.EOF
	}
	fr.end = copy(fr.buf, fr.buf[fr.start:fr.end])
	fr.start = 0
	if fr.end == len(fr.buf) {
		if len(fr.buf) >= fr.max { // SplitFrames cuts a token by max bytes
			return errors.New("hj212: frame buffer full")
		}
		fr.buf = append(fr.buf, make([]byte, min(max(len(fr.buf), framerBuffer), fr.max-len(fr.buf)))...)
	}
	n, err := fr.r.Read(fr.buf[fr.end:])
	fr.end += n
	if err == io.EOF {
		fr.eof = true
		return nil
	}
	return err
}

// needMore waits for the rest of a frame, or at EOF gives up on it.
func needMore(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF {
		return 1, data[:1], nil
	}
	return 0, nil, nil
}
