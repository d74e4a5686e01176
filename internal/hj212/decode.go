package hj212

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The data segment is read from the caller's bytes without copying it. A
// string the Frame keeps is either the tables' own (ST, CN, pollutant
// codes, suffixes, data flags, CP field names) or a copy of its bytes, so
// that a typical frame costs one small allocation: QN, PW and MN together.

// cst is China Standard Time, the zone of every time in a frame.
var cst = time.FixedZone("CST", 8*60*60)

// headerKeys are the data-segment fields of Table 3, in their order.
var headerKeys = [...]string{"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"}

const (
	iQN = iota
	iST
	iCN
	iPW
	iMN
	iFlag
	iPNUM
	iPNO
)

func headerIndex[T string | []byte](key T) int {
	switch string(key) {
	case "QN":
		return iQN
	case "ST":
		return iST
	case "CN":
		return iCN
	case "PW":
		return iPW
	case "MN":
		return iMN
	case "Flag":
		return iFlag
	case "PNUM":
		return iPNUM
	case "PNO":
		return iPNO
	}
	return -1
}

// parse reads the data segment into f.
func (f *Frame) parse(data []byte) error {
	if !utf8.Valid(data) {
		// Loggers written for 2005 or for GBK send GBK (PROTOCOL.md §1.1);
		// GB18030 reads GBK. No GBK byte is one of ";,=&", so converting
		// before splitting cannot move a separator.
		data, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		f.warn(reasonGBK, "the data segment is not UTF-8; read as GB18030")
	}
	cp, err := f.header(data)
	if err != nil {
		return err
	}
	p := cpParser{f: f, medium: mediumOf[f.ST]}
	return p.parse(cp)
}

// header reads the Table 3 fields by key, in any order, and returns the
// CP from its first "&&".
func (f *Frame) header(s []byte) ([]byte, error) {
	var h header
	comma := false
	for {
		end := indexSep(s)
		piece := s
		if end >= 0 {
			piece = s[:end]
		}
		k, v, _ := bytes.Cut(piece, []byte("="))
		tk, tv := trim(k), trim(v)
		if bytes.HasSuffix(tk, []byte("CP")) && bytes.HasPrefix(tv, []byte("&&")) {
			if len(tk) == 2 {
				if len(tk) != len(k) || !bytes.HasPrefix(v, []byte("&&")) {
					f.warn(reasonSpaces, "spaces around CP=")
				}
				return f.setHeader(&h, s[bytes.Index(s, []byte("&&")):])
			}
			// "X CP = &&…" would write back as "XCP=&&…", which reads as a CP.
			f.warn(reasonFieldSkipped, fmt.Sprintf("field %q dropped", piece))
		} else if i := indexCP(piece); i >= 0 {
			f.warn(reasonNoSeparator, fmt.Sprintf("no ; before CP= in %q", piece[:i+3]))
			k, v, _ := bytes.Cut(piece[:i], []byte("="))
			if err := f.headerField(&h, piece[:i], k, v, trim(k), trim(v)); err != nil {
				return nil, err
			}
			return f.setHeader(&h, s[i+3:])
		} else if err := f.headerField(&h, piece, k, v, tk, tv); err != nil {
			return nil, err
		}
		if end < 0 {
			return nil, &Error{reasonBadCP, "no CP=&&…&& in the data segment"}
		}
		if s[end] == ',' && !comma {
			comma = true
			f.warn(reasonComma, "\",\" between data-segment fields")
		}
		s = s[end+1:]
	}
}

// indexCP is the index of "CP=&&" in a field, or -1.
func indexCP(piece []byte) int {
	if bytes.IndexByte(piece, '&') < 0 { // the common case, cheaply
		return -1
	}
	return bytes.Index(piece, []byte("CP=&&"))
}

// indexSep is the index of the first ";" or ",", or -1.
func indexSep(s []byte) int {
	i := bytes.IndexByte(s, ';')
	if i < 0 {
		i = len(s)
	}
	if j := bytes.IndexByte(s[:i], ','); j >= 0 {
		return j
	}
	if i == len(s) {
		return -1
	}
	return i
}

// header holds the Table 3 fields while they are read.
type header struct {
	vals [len(headerKeys)][]byte
	seen [len(headerKeys)]bool
	last int // the index of the last field in Table 3 order, plus one
}

// headerField reads piece, which is k=v, tk and tv without spaces.
func (f *Frame) headerField(h *header, piece, k, v, tk, tv []byte) error {
	if len(k) == len(piece) || len(tk) == 0 {
		f.warn(reasonFieldSkipped, fmt.Sprintf("field %q is not key=value", piece))
		return nil
	}
	if len(tk) != len(k) || len(tv) != len(v) {
		f.warn(reasonSpaces, fmt.Sprintf("spaces in field %q", piece))
	}
	i := headerIndex(tk)
	switch {
	case i < 0:
		f.warn(reasonUnknownField, "field "+string(tk)+" is not in Table 3")
		f.Extra = append(f.Extra, Field{string(tk), string(tv)})
		return nil
	case h.seen[i]:
		return &Error{reasonDuplicate, "two " + headerKeys[i] + " fields"}
	case i == iPNUM && h.seen[iPNO]:
		f.warn(reasonPNOFirst, "PNO before PNUM")
	case i+1 < h.last:
		f.warn(reasonFieldOrder, headerKeys[i]+" after "+headerKeys[h.last-1])
	}
	h.seen[i], h.vals[i] = true, tv
	h.last = max(h.last, i+1)
	return nil
}

// setHeader checks the Table 3 fields and sets them on f.
func (f *Frame) setHeader(h *header, cp []byte) ([]byte, error) {
	v := &h.vals
	switch {
	case len(v[iST]) == 0:
		return nil, &Error{reasonMissingST, "no ST"}
	case len(v[iCN]) == 0:
		return nil, &Error{reasonMissingCN, "no CN"}
	case len(v[iMN]) == 0:
		return nil, &Error{reasonMissingMN, "no MN"}
	}
	// QN, PW and MN in one allocation.
	var buf [80]byte
	s := string(append(append(append(buf[:0], v[iQN]...), v[iPW]...), v[iMN]...))
	f.QN, s = s[:len(v[iQN])], s[len(v[iQN]):]
	f.PW, f.MN = s[:len(v[iPW])], s[len(v[iPW]):]
	var knownST, knownCN bool
	f.ST, knownST = intern(byST, v[iST])
	f.CN, knownCN = intern(byCN, v[iCN])
	switch {
	case f.QN == "":
		f.warn(reasonMissingQN, "no QN")
	case len(f.QN) != 17 || !digits(f.QN):
		f.warn(reasonBadQN, "QN "+f.QN+" is not YYYYMMDDhhmmsszzz")
	}
	if f.PW == "" {
		f.warn(reasonMissingPW, "no PW")
	}
	if !h.seen[iFlag] {
		f.Flag, f.Version = -1, "2005"
		f.warn(reasonMissingFlag, "no Flag: read as HJ/T 212-2005")
	} else {
		n, ok := atoi(v[iFlag])
		if !ok || n > 255 {
			return nil, &Error{reasonBadFlag, "Flag " + strconv.Quote(string(v[iFlag])) + " is not 0-255"}
		}
		f.Flag, f.Version = n, version(n)
		if f.Version == "" {
			f.warn(reasonVersion, fmt.Sprintf("Flag %d has version bits %d, not 0 (2005), 1 (2017) or 2 (2025)", n, n>>2))
		}
	}
	if pnum, pno := v[iPNUM], v[iPNO]; h.seen[iPNUM] || h.seen[iPNO] {
		n, ok1 := atoi(pnum)
		k, ok2 := atoi(pno)
		if !ok1 || !ok2 || k < 1 || k > n || n > 9999 {
			return nil, &Error{reasonBadPNUM, fmt.Sprintf("PNUM %q, PNO %q: want 1 ≤ PNO ≤ PNUM ≤ 9999", pnum, pno)}
		}
		f.PNUM, f.PNO = n, k
		if len(pnum) > 1 && pnum[0] == '0' || len(pno) > 1 && pno[0] == '0' {
			f.warn(reasonPaddedPNO, fmt.Sprintf("PNUM %s, PNO %s with leading zeros", pnum, pno))
		}
	}
	if f.Flag >= 0 && (f.Flag&2 != 0) != (f.PNUM > 0) {
		f.warn(reasonSplitFlag, fmt.Sprintf("Flag %d and PNUM %d disagree on splitting", f.Flag, f.PNUM))
	}
	if !knownST {
		f.warn(reasonUnknownST, "ST "+f.ST+" is not in Table 5")
	}
	if !knownCN {
		f.warn(reasonUnknownCN, "CN "+f.CN+" is not a known command")
	}
	return cp, nil
}

// intern returns the table's own string for b, or a copy of b.
func intern(t map[string]CodeName, b []byte) (string, bool) {
	if c, ok := t[string(b)]; ok {
		return c.Code, true
	}
	return string(b), false
}

// cpParser reads the CP data area (§6.3.3): groups split by ";", items of a
// group by ",", each item key=value.
type cpParser struct {
	f      *Frame
	medium string // of the frame's ST, for 2005 codes
	// the pollutant code last looked up: consecutive items share it
	raw                           []byte
	code, code2005, unit, couUnit string
	scale                         int
	// the run of values of that code: where it starts, its data flag, and
	// whether a run had none
	runStart  int
	runFlag   string
	unflagged bool
}

func (p *cpParser) parse(cp []byte) error {
	f := p.f
	if len(cp) < 4 || !bytes.HasSuffix(cp, []byte("&&")) {
		return &Error{reasonBadCP, "the CP does not end with &&"}
	}
	body := cp[2 : len(cp)-2]
	if len(body) == 0 {
		return nil
	}
	if f.Values == nil {
		f.Values = make([]Value, 0, bytes.Count(body, []byte("=")))
	}
	for {
		g, rest, more := cut(body, ';')
		if err := p.group(g); err != nil {
			return err
		}
		if !more {
			break
		}
		body = rest
	}
	p.endRun()
	if p.unflagged {
		p.flagFromOtherRuns()
	}
	return nil
}

func (p *cpParser) group(g []byte) error {
	if len(g) == 0 {
		p.f.warn(reasonItemSkipped, "empty CP item")
		return nil
	}
	var owner, prev []byte // the code or field the group's items belong to
	var ownerIsValue, warned bool
	for {
		it, rest, more := cut(g, ',')
		key, isValue, err := p.item(it)
		switch {
		case err != nil:
			return err
		case key == nil: // skipped
		case owner == nil:
			owner, ownerIsValue = key, isValue
		case (!bytes.Equal(key, owner) || isValue != ownerIsValue) && !warned:
			warned = true
			beginEnd := string(prev) == "BeginTime" && string(key) == "EndTime" && !isValue
			switch {
			case beginEnd && p.f.Version == "2005": // the 2005 form (PROTOCOL.md §1.4)
			case beginEnd:
				p.f.warn(reasonCommaBeginEnd, "BeginTime,EndTime joined by \",\" (the 2005 form)")
			default:
				p.f.warn(reasonMixedGroup, fmt.Sprintf("%s and %s in one group %q", owner, key, g))
			}
		}
		if key != nil {
			prev = key
		}
		if !more {
			return nil
		}
		g = rest
	}
}

// item reads one key=value and returns what it belongs to: the pollutant
// code of a value, the key of a field, nil when it was skipped.
func (p *cpParser) item(it []byte) ([]byte, bool, error) {
	f := p.f
	k, v, ok := cut(it, '=')
	tk, tv := trim(k), trim(v)
	if !ok || len(tk) == 0 {
		f.warn(reasonItemSkipped, fmt.Sprintf("CP item %q is not key=value", it))
		return nil, false, nil
	}
	if len(tk) != len(k) || len(tv) != len(v) {
		f.warn(reasonSpaces, fmt.Sprintf("spaces in CP item %q", it))
	}
	if string(tk) == "DataTime" {
		if !f.DataTime.IsZero() {
			f.warn(reasonItemSkipped, "a second DataTime "+string(tv))
			return nil, false, nil
		}
		t, millis, ok := parseTime(tv)
		if !ok {
			return nil, false, &Error{reasonBadDataTime, "DataTime " + strconv.Quote(string(tv)) + " is not YYYYMMDDhhmmss"}
		}
		f.DataTime = t
		if millis {
			f.warn(reasonMillis, "DataTime "+string(tv)+" has milliseconds")
		}
		return tk, false, nil
	}
	code, sfxb, pair := splitKey(tk)
	if pair {
		if sfx, kind := suffix(sfxb); kind != suffixField {
			if len(code)+len(sfxb)+1 != len(tk) {
				f.warn(reasonSpaces, fmt.Sprintf("spaces in CP key %q", tk))
			}
			p.value(code, sfx, kind, tv)
			return code, true, nil
		}
	}
	key, known := cpFields[string(tk)]
	if !known {
		key = string(tk)
		if !pair {
			f.warn(reasonUnknownCP, "CP field "+key+" is not in the standard")
		}
	}
	f.CP = append(f.CP, Field{key, string(tv)})
	return tk, false, nil
}

func (p *cpParser) value(code []byte, field string, kind int, text []byte) {
	f := p.f
	if p.raw == nil || !bytes.Equal(code, p.raw) {
		p.endRun()
		p.lookup(code)
	}
	f.Values = append(f.Values, Value{}) // filled in place: a Value is 112 bytes
	v := &f.Values[len(f.Values)-1]
	v.Code, v.Code2005, v.Field = p.code, p.code2005, field
	switch {
	case kind == suffixText:
		v.IsText = true
		if field != "Flag" {
			v.Text = string(text)
			break
		}
		if v.Text = flagText(text); len(text) != 1 || dataFlags[text[0]] == "" {
			f.warn(reasonUnknownFlag, string(code)+"-Flag="+v.Text+" is not a data flag of Table 8")
		}
		if p.runFlag == "" {
			p.runFlag = v.Text
		}
	case kind == suffixNumber:
		x, ok := parseNumber(text, p.scale)
		if !ok {
			f.warn(reasonBadNumber, string(code)+"-"+field+"="+string(text)+" is not a number")
			v.Text, v.IsText = string(text), true
			break
		}
		v.Value, v.Unit = x, p.unit
		if field == "Cou" {
			v.Unit = p.couUnit
		}
	default:
		f.warn(reasonUnknownSuffix, string(code)+"-"+field+" is not a field of Table 4")
		if x, ok := parseNumber(text, 0); ok {
			v.Value = x
		} else {
			v.Text, v.IsText = string(text), true
		}
	}
}

// mediumOf is the medium of the pollution-source STs (Table 5). A 2005
// code is mapped only in a frame of its medium, or of another ST: air
// codes have two characters, water codes three, and a vendor's "023" in a
// flue-gas frame is not total chromium.
var mediumOf = map[string]string{"31": "air", "32": "water"}

// lookup resolves a pollutant code: a 2017 one, a 2005 one mapped onto
// 2017 (Tables B.1, B.2 "原编码"), or one the tables lack.
func (p *cpParser) lookup(code []byte) {
	p.raw, p.code2005, p.unit, p.couUnit, p.scale = code, "", "", "", 0
	if pol := findCode(code); pol != nil {
		p.code, p.unit, p.couUnit = pol.Code, pol.Unit, pol.CouUnit
		return
	}
	if pol, ok := by2005[string(code)]; ok && (p.medium == "" || p.medium == pol.Medium) {
		p.code, p.code2005, p.unit, p.couUnit, p.scale = pol.Code, pol.Code2005, pol.Unit, pol.CouUnit, scale2005[pol.Code]
		if p.f.Version != "2005" {
			p.f.warn(reasonCode2005, "2005 code "+pol.Code2005+" (now "+pol.Code+") in a "+p.f.Version+" frame")
		}
		return
	}
	p.code = string(code)
}

// endRun gives the values of the run of one code that ends its data flag
// (the pollutant's -Flag, copied onto each of its values).
func (p *cpParser) endRun() {
	vs := p.f.Values
	if p.runFlag != "" {
		for k := p.runStart; k < len(vs); k++ {
			vs[k].Flag = p.runFlag
		}
	} else if p.runStart < len(vs) {
		p.unflagged = true
	}
	p.runStart, p.runFlag = len(vs), ""
}

// flagFromOtherRuns gives a value whose run has no data flag the first
// one of its code elsewhere in the frame.
func (p *cpParser) flagFromOtherRuns() {
	vs := p.f.Values
	for i := range vs {
		if vs[i].Flag == "" {
			vs[i].Flag, _ = dataFlag(vs, vs[i].Code)
		}
	}
}

func dataFlag(vs []Value, code string) (string, bool) {
	for _, v := range vs {
		if v.Field == "Flag" && v.Code == code {
			return v.Text, true
		}
	}
	return "", false
}

// splitKey splits a per-pollutant CP key, code-suffix, at its last "-";
// ok is false when either part is empty.
func splitKey[T string | []byte](key T) (code, sfx T, ok bool) {
	for i := len(key) - 1; i > 0; i-- {
		if key[i] == '-' {
			code, sfx = trim(key[:i]), trim(key[i+1:])
			return code, sfx, len(code) > 0 && len(sfx) > 0
		}
	}
	return code, sfx, false
}

// cut is bytes.Cut with a one-byte separator.
func cut(s []byte, sep byte) (before, after []byte, found bool) {
	if i := bytes.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, nil, false
}

// dataFlags are the flags of Table 8 by their letter.
var dataFlags = func() (t [256]string) {
	for _, c := range DataFlags {
		t[c.Code[0]] = c.Code
	}
	return t
}()

// flagText is a data flag as a string: the table's for the flags of
// Table 8, so that decoding one allocates nothing.
func flagText(b []byte) string {
	if len(b) == 1 && dataFlags[b[0]] != "" {
		return dataFlags[b[0]]
	}
	return string(b)
}

// trim removes the spaces and tabs some loggers put around keys and values.
func trim[T string | []byte](s T) T {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func digits[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber reads a plain decimal number ([+-]digits[.digits], the Nn.m
// of Table 4) times 10^scale. Up to 15 digits it takes one exact integer
// and one correctly rounded multiplication or division, the result
// strconv.ParseFloat gives; longer numbers go to strconv.
func parseNumber[T string | []byte](s T, scale int) (float64, bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	start := i
	for ; i < len(s) && s[i]-'0' <= 9; i++ {
		mant = mant*10 + uint64(s[i]-'0')
	}
	nd, frac := i-start, 0
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for ; i < len(s) && s[i]-'0' <= 9; i++ {
			mant = mant*10 + uint64(s[i]-'0')
		}
		frac = i - start
		nd += frac
	}
	if i != len(s) || nd == 0 {
		return 0, false
	}
	if e := scale - frac; nd <= 15 && -len(pow10) < e && e < len(pow10) {
		x := float64(mant) // exact: below 10^15
		if e >= 0 {
			x *= pow10[e]
		} else {
			x /= pow10[-e]
		}
		if neg {
			x = -x
		}
		return x, true
	}
	x, err := strconv.ParseFloat(string(s)+"e"+strconv.Itoa(scale), 64)
	return x, err == nil
}

// parseTime reads YYYYMMDDhhmmss, or with milliseconds YYYYMMDDhhmmsszzz,
// in China Standard Time.
func parseTime(s []byte) (t time.Time, millis, ok bool) {
	if len(s) != 14 && len(s) != 17 || !digits(s) {
		return t, false, false
	}
	n := func(i, j int) int { v, _ := atoi(s[i:j]); return v }
	y, mo, d, h, mi, sec := n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)
	ms := 0
	if len(s) == 17 {
		ms, millis = n(14, 17), true
	}
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		return t, false, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ms*1e6, cst), millis, true
}

func daysIn(month, year int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}
