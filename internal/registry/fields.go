package registry

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
)

// Field is one column of a kind: its English header (also the JSON name in
// the API) and the Chinese header officials use.
type Field struct {
	Name     string
	Zh       string
	Required bool
	Aliases  []string // other headers seen in bureau spreadsheets
}

// problem is one bad field of one record, in both languages.
type problem struct {
	field  string
	en, zh string
}

// Parser reads one record's fields from text, collecting every problem
// rather than stopping at the first, so that a file's report is complete.
// A kind's parse function, in the registry or outside it (NewKind), reads
// each field through it.
type Parser struct {
	kind     *Kind
	get      func(field string) string
	refs     *refs
	problems []problem
}

// Fail reports a problem with field, formatting both messages with args.
func (p *Parser) Fail(field, en, zh string, args ...any) {
	p.problems = append(p.problems, problem{field, fmt.Sprintf(en, args...), fmt.Sprintf(zh, args...)})
}

// Text returns the trimmed text of a field, reporting a missing required
// one and one that holds a control character.
func (p *Parser) Text(name string) string {
	v := strings.TrimSpace(p.get(name))
	if v == "" && p.kind.field(name).Required {
		p.Fail(name, "required", "必填项为空")
	}
	if i, r, ok := control(v); ok {
		p.Fail(name, "character %d, U+%04X, is a control character: remove it", "第%d个字符 U+%04X 是控制字符，请删除", i, r)
		return ""
	}
	return v
}

// control finds the first control character of s: C0 (tab and line
// breaks too), DEL, C1 and the Unicode line and paragraph separators,
// none of which a name, an address or a code holds (decision 0003). It
// returns the character's position, counted from 1, in characters.
func control(s string) (int, rune, bool) {
	i := 0
	for _, r := range s {
		i++
		if r < 0x20 || 0x7F <= r && r <= 0x9F || r == '\u2028' || r == '\u2029' {
			return i, r, true
		}
	}
	return 0, 0, false
}

// Code is Text restricted to letters, digits, '-', '_' and '.', at most 64.
func (p *Parser) Code(name string) string {
	v := p.Text(name)
	if v != "" && !codeRE.MatchString(v) {
		p.Fail(name, "%q: use letters, digits, '-', '_' or '.' (at most 64)", "%q：只能使用字母、数字、“-”“_”“.”（最多64位）", v)
	}
	return v
}

var codeRE = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)

func (p *Parser) enum(name string, e enum) string {
	v := p.Text(name)
	if v == "" {
		return ""
	}
	c, ok := e.parse(v)
	if !ok {
		p.Fail(name, "%q is not one of %s", "%q 不是有效取值，应为：%s", v, e.codes())
	}
	return c
}

// Bool reads true or false, in the spellings of the booleans enumeration.
func (p *Parser) Bool(name string) bool {
	return p.enum(name, booleans) == "true"
}

// dateLayouts are the spellings of a date accepted on input; the stored and
// exported form is always YYYY-MM-DD.
var dateLayouts = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102"}

// Date reads a date in one of dateLayouts and returns it as YYYY-MM-DD.
func (p *Parser) Date(name string) string {
	v := p.Text(name)
	if v == "" {
		return ""
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				break
			}
			return t.Format("2006-01-02")
		}
	}
	p.Fail(name, "%q is not a date (YYYY-MM-DD)", "%q 不是有效日期（应为 YYYY-MM-DD）", v)
	return ""
}

// Float reads a finite number within [lo, hi]; thousands separators are accepted.
func (p *Parser) Float(name string, lo, hi float64) float64 {
	v := strings.ReplaceAll(p.Text(name), ",", "")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		p.Fail(name, "%q is not a number", "%q 不是有效数字", v)
		return 0
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		p.Fail(name, "%q is not a finite number", "%q 不是有限数值", v)
		return 0
	}
	if f < lo || f > hi {
		p.Fail(name, "%s is out of range [%g, %g]", "%s 超出范围 [%g, %g]", v, lo, hi)
		return 0
	}
	return f
}

// Int reads a whole number within [lo, hi]; thousands separators are accepted.
func (p *Parser) Int(name string, lo, hi int) int {
	v := strings.ReplaceAll(p.Text(name), ",", "")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.Fail(name, "%q is not a whole number", "%q 不是整数", v)
		return 0
	}
	if n < lo || n > hi {
		p.Fail(name, "%d is out of range [%d, %d]", "%d 超出范围 [%d, %d]", n, lo, hi)
		return 0
	}
	return n
}

// China's extent in WGS84, with a margin: a point outside is a typo or a
// swapped pair, never a Chinese enterprise.
const (
	minLon, maxLon = 73.4, 135.2
	minLat, maxLat = 3.8, 53.6
)

// LonLat reads a coordinate pair: both or neither, inside China.
func (p *Parser) LonLat(lonName, latName string) (float64, float64) {
	lon := p.Float(lonName, -180, 180)
	lat := p.Float(latName, -90, 90)
	switch {
	case lon == 0 && lat == 0:
	case lon == 0 || lat == 0:
		p.Fail(latName, "give both longitude and latitude or neither", "经度和纬度须同时填写或同时为空")
	case lon < minLon || lon > maxLon || lat < minLat || lat > maxLat:
		p.Fail(lonName, "(%g, %g) is outside China (WGS84 longitude %g–%g, latitude %g–%g)", "(%g, %g) 不在中国境内（WGS84 经度 %g–%g，纬度 %g–%g）",
			lon, lat, minLon, maxLon, minLat, maxLat)
	}
	return lon, lat
}

// USCC reads a unified social credit code with a good check digit.
func (p *Parser) USCC(name string) string {
	v := strings.ToUpper(p.Text(name))
	if v == "" {
		return ""
	}
	if err := CheckUSCC(v); err != nil {
		e := apperr.As(err)
		p.problems = append(p.problems, problem{name, e.Message, e.Zh})
	}
	return v
}

// Enterprise reads a USCC that must name a registered enterprise.
func (p *Parser) Enterprise(name string) string {
	u := p.USCC(name)
	if u != "" && len(p.problems) == 0 && !p.refs.enterprise(u) {
		p.Fail(name, "no enterprise %s in the registry (import enterprises first)", "登记库中无统一社会信用代码为 %s 的企业（请先导入企业）", u)
	}
	return u
}

// outlet reads an outlet code that must belong to the enterprise uscc.
func (p *Parser) outlet(name, uscc string, required bool) string {
	c := p.Code(name)
	if c != "" && uscc != "" && !p.refs.outlet(uscc, c) {
		p.Fail(name, "enterprise %s has no outlet %q (import outlets first)", "企业 %s 无编号为 %q 的排放口（请先导入排放口）", uscc, c)
	}
	if c == "" && required && !p.kind.field(name).Required {
		p.Fail(name, "required", "必填项为空")
	}
	return c
}

func fmtFloat(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func fmtInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func fmtBool(b bool) string { return strconv.FormatBool(b) }
