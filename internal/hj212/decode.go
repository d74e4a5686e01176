package hj212

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"ecoindustry/internal/cst"
)

// The data segment is read from the caller's bytes without copying it. A
// string the Frame keeps is either the tables' own (ST, CN, pollutant
// codes, suffixes, data flags, CP field names) or a copy of its bytes, so
// that a typical frame costs one small allocation: QN, PW and MN together,
// or into a reused Frame only QN (PW and MN are the logger's, see
// setHeader).
//
// Most CP items are code-suffix=number or code-Flag=letter: plainValue reads
// those in one pass; item reads any other, and is the reference for what
// plainValue does.

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
	p := cpParser{f: f, medium: mediumOf(f.ST)}
	return p.parse(cp)
}

// header reads the Table 3 fields by key, in any order, and returns the
// CP from its first "&&".
func (f *Frame) header(data []byte) ([]byte, error) {
	var h header
	comma := false
	// A field ends at the first ";" or ",". Few frames have a "," between
	// fields, or a "&" before the CP, so where the next of each is is
	// looked up once, not in each field.
	nextComma, nextAmp := -1, -1
	for at := 0; ; {
		if nextComma < at {
			nextComma = indexFrom(data, at, ',')
		}
		if nextAmp < at {
			nextAmp = indexFrom(data, at, '&')
		}
		end := min(indexFrom(data, at, ';'), nextComma)
		piece := data[at:end]
		k, v := piece, []byte(nil)
		for i, c := range piece { // cut at "=": keys are short
			if c == '=' {
				k, v = piece[:i], piece[i+1:]
				break
			}
		}
		tk, tv := trim(k), trim(v)
		if n := len(tk); n >= 2 && tk[n-2] == 'C' && tk[n-1] == 'P' && len(tv) >= 2 && tv[0] == '&' && tv[1] == '&' {
			if len(tk) == 2 {
				if len(tk) != len(k) || !bytes.HasPrefix(v, []byte("&&")) {
					f.warn(reasonSpaces, "spaces around CP=")
				}
				return f.setHeader(&h, data[at+bytes.Index(piece, []byte("&&")):])
			}
			// "X CP = &&…" would write back as "XCP=&&…", which reads as a CP.
			f.warn(reasonFieldSkipped, fmt.Sprintf("field %q dropped", piece))
		} else if i := indexCP(piece, nextAmp < end); i >= 0 {
			f.warn(reasonNoSeparator, fmt.Sprintf("no ; before CP= in %q", piece[:i+3]))
			k, v, _ := bytes.Cut(piece[:i], []byte("="))
			if err := f.headerField(&h, piece[:i], k, v, trim(k), trim(v)); err != nil {
				return nil, err
			}
			return f.setHeader(&h, data[at+i+3:])
		} else if i := headerIndex(tk); i >= 0 && len(k) < len(piece) && len(tk) == len(k) && len(tv) == len(v) && !h.seen[i] && i >= h.last {
			// A Table 3 field after the ones before it, without spaces:
			// headerField would warn of nothing.
			h.seen[i], h.vals[i], h.last = true, tv, i+1
		} else if err := f.headerField(&h, piece, k, v, tk, tv); err != nil {
			return nil, err
		}
		if end == len(data) {
			return nil, &Error{reasonBadCP, "no CP=&&…&& in the data segment"}
		}
		if data[end] == ',' && !comma {
			comma = true
			f.warn(reasonComma, "\",\" between data-segment fields")
		}
		at = end + 1
	}
}

// indexFrom is the index of the first c in s from i on, else len(s).
func indexFrom(s []byte, i int, c byte) int {
	if j := bytes.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return len(s)
}

// indexCP is the index of "CP=&&" in a field, or -1; amp tells whether the
// field holds a "&" at all, which it seldom does.
func indexCP(piece []byte, amp bool) int {
	if !amp {
		return -1
	}
	return bytes.Index(piece, []byte("CP=&&"))
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
	// QN, PW and MN. A logger sends the same PW and MN in every frame: a
	// Frame decoded into again keeps its strings when they are the same
	// (DecodeInto leaves them for this). Else the three in one allocation.
	if qn, pw, mn := v[iQN], v[iPW], v[iMN]; string(pw) == f.PW && string(mn) == f.MN {
		if string(qn) != f.QN {
			f.QN = string(qn)
		}
	} else {
		var buf [80]byte
		s := string(append(append(append(buf[:0], qn...), pw...), mn...))
		f.QN, s = s[:len(qn)], s[len(qn):]
		f.PW, f.MN = s[:len(pw)], s[len(pw):]
	}
	var knownST, knownCN bool
	f.ST, knownST = stSet.intern(v[iST])
	f.CN, knownCN = cnSet.intern(v[iCN])
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
	// Item by item, in one pass: a plain value (see plainValue) is read to
	// its end, any other item is found by its separator. The items of a
	// group (between ";") should belong to one pollutant, or be one field
	// (PROTOCOL.md §1.4 has the exceptions).
	var g struct {
		start        int    // of the group in body
		owner        []byte // the code or field of its first item
		ownerIsValue bool
		warned       bool // of a mixed group
		prevBegin    bool // the item before was BeginTime
	}
	for i := 0; ; {
		end := i
		if i == g.start && (i == len(body) || body[i] == ';') {
			f.warn(reasonItemSkipped, "empty CP item")
		} else {
			var key []byte
			var isValue, sameCode bool
			if end, key, sameCode, isValue = p.plainValue(body, i); !isValue {
				if end = indexSep(body[i:]); end < 0 {
					end = len(body)
				} else {
					end += i
				}
				var err error
				if key, isValue, sameCode, err = p.item(body[i:end]); err != nil {
					return err
				}
			}
			switch {
			case key == nil: // skipped
			case g.owner == nil:
				g.owner, g.ownerIsValue = key, isValue
			case g.warned:
			case isValue && g.ownerIsValue && sameCode:
				// The code of the value before, and every value of the
				// group so far has had the owner's code: this one has it.
			case !bytes.Equal(key, g.owner) || isValue != g.ownerIsValue:
				g.warned = true
				beginEnd := g.prevBegin && string(key) == "EndTime" && !isValue
				switch {
				case beginEnd && f.Version == "2005": // the 2005 form (PROTOCOL.md §1.4)
				case beginEnd:
					f.warn(reasonCommaBeginEnd, "BeginTime,EndTime joined by \",\" (the 2005 form)")
				default:
					// The group from this item on, as the message has always had it.
					grp, _, _ := cut(body[i:], ';')
					f.warn(reasonMixedGroup, fmt.Sprintf("%s and %s in one group %q", g.owner, key, grp))
				}
			}
			if key != nil {
				g.prevBegin = string(key) == "BeginTime"
			}
		}
		if end == len(body) {
			break
		}
		if body[end] == ';' {
			g.start, g.owner, g.warned, g.prevBegin = end+1, nil, false, false
		}
		i = end + 1
	}
	p.endRun()
	if p.unflagged {
		p.flagFromOtherRuns()
	}
	return nil
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

// plain reports whether c is neither a space nor a tab, nor any other
// control character.
func plain(c byte) bool { return c > ' ' }

// plainValue reads the common item at body[i:], code-suffix=value without
// spaces where the value is a number or a data flag, as item would (which
// would warn of nothing but the value). It returns where the item ends,
// its code and whether that is the code of the value before; ok is false
// for any other item, left to item, and then plainValue has done nothing.
func (p *cpParser) plainValue(body []byte, i int) (end int, code []byte, sameCode, ok bool) {
	s := body[i:]
	eq := bytes.IndexByte(s, '=')
	if eq <= 0 || !plain(s[0]) || !plain(s[eq-1]) {
		return 0, nil, false, false
	}
	dash := bytes.LastIndexByte(s[:eq], '-')
	if dash <= 0 || dash+1 >= eq || !plain(s[dash-1]) || !plain(s[dash+1]) {
		return 0, nil, false, false
	}
	// The item ends at its first "," or ";": there is none in the key if
	// its code is that of the value before (which had one), as it mostly
	// is, and its suffix is one of Table 4; nor in the value if it is all
	// number or one letter.
	code = s[:dash]
	if sameCode = sameKey(code, p.raw); !sameCode && hasSep(code) {
		return 0, nil, false, false
	}
	field, kind := suffix(s[dash+1 : eq])
	text := s[eq+1:]
	var num number
	n := 0
	switch {
	case kind == suffixNumber:
		num, n = scanNumber(text)
	case field == "Flag" && len(text) > 0 && dataFlags[text[0]] != "":
		n = 1
	}
	if n == 0 || n < len(text) && text[n] != ',' && text[n] != ';' {
		return 0, nil, false, false
	}
	text = text[:n]

	if !sameCode {
		p.endRun()
		p.lookup(code)
	}
	f := p.f
	f.Values = append(f.Values, Value{})
	v := &f.Values[len(f.Values)-1]
	v.Code, v.Code2005, v.Field = p.code, p.code2005, field
	if kind == suffixNumber {
		if x, ok := num.float(text, p.scale); ok {
			v.Value, v.Unit = x, p.unit
			if field == "Cou" {
				v.Unit = p.couUnit
			}
		} else {
			p.notNumber(v, code, text)
		}
	} else {
		v.Text, v.IsText = dataFlags[text[0]], true
		if p.runFlag == "" {
			p.runFlag = v.Text
		}
	}
	return i + eq + 1 + n, code, sameCode, true
}

// hasSep reports whether a short key holds a "," or ";".
func hasSep(key []byte) bool {
	for _, c := range key {
		if c == ',' || c == ';' {
			return true
		}
	}
	return false
}

// item reads one key=value and returns what it belongs to: the pollutant
// code of a value, the key of a field, nil when it was skipped; and for a
// value whether its code is that of the value before it.
func (p *cpParser) item(it []byte) (key []byte, isValue, sameCode bool, err error) {
	f := p.f
	k, v, ok := cut(it, '=')
	tk, tv := trim(k), trim(v)
	if !ok || len(tk) == 0 {
		f.warn(reasonItemSkipped, fmt.Sprintf("CP item %q is not key=value", it))
		return nil, false, false, nil
	}
	if len(tk) != len(k) || len(tv) != len(v) {
		f.warn(reasonSpaces, fmt.Sprintf("spaces in CP item %q", it))
	}
	if string(tk) == "DataTime" {
		return p.dataTime(tk, tv)
	}
	code, sfxb, pair := splitKey(tk)
	if pair {
		if sfx, kind := suffix(sfxb); kind != suffixField {
			if len(code)+len(sfxb)+1 != len(tk) {
				f.warn(reasonSpaces, fmt.Sprintf("spaces in CP key %q", tk))
			}
			return code, true, p.value(code, sfx, kind, tv), nil
		}
	}
	field, known := cpFields[string(tk)]
	if !known {
		field = string(tk)
		if !pair {
			f.warn(reasonUnknownCP, "CP field "+field+" is not in the standard")
		}
	}
	f.CP = append(f.CP, Field{field, string(tv)})
	return tk, false, false, nil
}

// dataTime reads the DataTime item, tk=tv, for item.
func (p *cpParser) dataTime(tk, tv []byte) ([]byte, bool, bool, error) {
	f := p.f
	if !f.DataTime.IsZero() {
		f.warn(reasonItemSkipped, "a second DataTime "+string(tv))
		return nil, false, false, nil
	}
	t, millis, ok := parseTime(tv)
	if !ok {
		return nil, false, false, &Error{reasonBadDataTime, "DataTime " + strconv.Quote(string(tv)) + " is not YYYYMMDDhhmmss"}
	}
	f.DataTime = t
	if millis {
		f.warn(reasonMillis, "DataTime "+string(tv)+" has milliseconds")
	}
	return tk, false, false, nil
}

// value appends the value code-field=text and reports whether code is that
// of the value before it.
func (p *cpParser) value(code []byte, field string, kind int, text []byte) (sameCode bool) {
	f := p.f
	if sameCode = sameKey(code, p.raw); !sameCode {
		p.endRun()
		p.lookup(code)
	}
	f.Values = append(f.Values, Value{}) // filled in place: a Value is 112 bytes
	v := &f.Values[len(f.Values)-1]
	v.Code, v.Code2005, v.Field = p.code, p.code2005, field
	switch {
	case kind == suffixNumber:
		if x, ok := parseNumber(text, p.scale); ok {
			v.Value, v.Unit = x, p.unit
			if field == "Cou" {
				v.Unit = p.couUnit
			}
		} else {
			p.notNumber(v, code, text)
		}
	case kind == suffixText && field == "Flag":
		v.IsText = true
		if v.Text = flagText(text); len(text) != 1 || dataFlags[text[0]] == "" {
			f.warn(reasonUnknownFlag, string(code)+"-Flag="+v.Text+" is not a data flag of Table 8")
		}
		if p.runFlag == "" {
			p.runFlag = v.Text
		}
	case kind == suffixText:
		v.Text, v.IsText = string(text), true
	default:
		f.warn(reasonUnknownSuffix, string(code)+"-"+field+" is not a field of Table 4")
		if x, ok := parseNumber(text, 0); ok {
			v.Value = x
		} else {
			v.Text, v.IsText = string(text), true
		}
	}
	return sameCode
}

// notNumber keeps the text of a numeric field that is not a number.
func (p *cpParser) notNumber(v *Value, code, text []byte) {
	p.f.warn(reasonBadNumber, string(code)+"-"+v.Field+"="+string(text)+" is not a number")
	v.Text, v.IsText = string(text), true
}

// sameKey is bytes.Equal for short keys, without a call.
func sameKey(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// mediumOf is the medium of the pollution-source STs (Table 5). A 2005
// code is mapped only in a frame of its medium, or of another ST: air
// codes have two characters, water codes three, and a vendor's "023" in a
// flue-gas frame is not total chromium.
func mediumOf(st string) string {
	switch st {
	case "31":
		return "air"
	case "32":
		return "water"
	}
	return ""
}

// lookup resolves a pollutant code: a 2017 one, a 2005 one mapped onto
// 2017 (Tables B.1, B.2 "原编码"), or one the tables lack.
func (p *cpParser) lookup(code []byte) {
	p.raw, p.code2005, p.unit, p.couUnit, p.scale = code, "", "", "", 0
	if i := byCodeSet.find(code); i >= 0 {
		pol := &with2017[i]
		p.code, p.unit, p.couUnit = pol.Code, pol.Unit, pol.CouUnit
		return
	}
	if i := by2005Set.find(code); i >= 0 && (p.medium == "" || p.medium == with2005[i].Medium) {
		pol := &with2005[i]
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
	if len(s) == 0 || s[0] > ' ' && s[len(s)-1] > ' ' { // the common case, cheaply
		return s
	}
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
// of Table 4) times 10^scale.
func parseNumber(s []byte, scale int) (float64, bool) {
	num, n := scanNumber(s)
	if n == 0 || n != len(s) {
		return 0, false
	}
	return num.float(s, scale)
}

// number is a plain decimal number as scanNumber reads it.
type number struct {
	mant         uint64 // its digits as an integer, exact up to 19 of them
	digits, frac int    // how many digits, and how many after the point
	neg          bool
}

// scanNumber reads the plain decimal number at the start of s and returns
// its length, 0 when s does not start with one.
func scanNumber(s []byte) (num number, n int) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	start := i
	for ; i < len(s) && s[i]-'0' <= 9; i++ {
		mant = mant*10 + uint64(s[i]-'0')
	}
	digits, frac := i-start, 0
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for ; i < len(s) && s[i]-'0' <= 9; i++ {
			mant = mant*10 + uint64(s[i]-'0')
		}
		frac = i - start
		digits += frac
	}
	if digits == 0 {
		return num, 0
	}
	return number{mant, digits, frac, neg}, i
}

// float is num, whose text is s, times 10^scale. Up to 15 digits it takes
// one exact integer and one correctly rounded multiplication or division,
// the result strconv.ParseFloat gives; longer numbers go to strconv.
func (num number) float(s []byte, scale int) (float64, bool) {
	if e := scale - num.frac; num.digits <= 15 && -len(pow10) < e && e < len(pow10) {
		x := float64(num.mant) // exact: below 10^15
		if e >= 0 {
			x *= pow10[e]
		} else {
			x /= pow10[-e]
		}
		if num.neg {
			x = -x
		}
		return x, true
	}
	x, err := strconv.ParseFloat(string(s)+"e"+strconv.Itoa(scale), 64)
	return x, err == nil
}

// parseTime reads YYYYMMDDhhmmss, or with milliseconds YYYYMMDDhhmmsszzz,
// in China Standard Time. It computes the instant itself: time.Date costs
// several times as much, and gives the same Time (a test checks).
func parseTime(s []byte) (t time.Time, millis, ok bool) {
	if len(s) != 14 && len(s) != 17 || !digits(s) {
		return t, false, false
	}
	_ = s[13]
	n := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') } // two digits
	y, mo, d, h, mi, sec := n(0)*100+n(2), n(4), n(6), n(8), n(10), n(12)
	ms := 0
	if len(s) == 17 {
		ms, millis = n(14)*10+int(s[16]-'0'), true
	}
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		return t, false, false
	}
	unix := daysSince1970(y, mo, d)*86400 + int64(h*3600+mi*60+sec) - 8*3600 // CST is UTC+8
	return time.Unix(unix, int64(ms)*1e6).In(cst.Zone), millis, true
}

// daysSince1970 is the number of days from 1970-01-01 to y-m-d, for a
// year from 1900 (H. Hinnant's days_from_civil, with years from March).
func daysSince1970(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400                     // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + d - 1    // [0, 365], from March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era*146097 + doe - 719468)
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
