package hj212

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"ecoindustry/internal/cst"
)

// mk frames a data segment: "##", its length, it, its CRC and CRLF.
func mk(data string) []byte {
	return fmt.Appendf(nil, "##%04d%s%04X\r\n", len(data), data, CRC([]byte(data)))
}

const (
	head = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
	cp   = "CP=&&DataTime=20160801085857;w01018-Rtd=2.2,w01018-Flag=N&&"
)

// reasonCases covers every reason code: each row is a frame, the warnings
// lenient mode gives it (or its error) and what strict mode says.
var reasonCases = []struct {
	name    string
	frame   []byte
	opt     Options
	lenient string // warning codes joined by " ", or "error: code"
	strict  string // "" when accepted, else the error code
}{
	{"standard", mk(head + cp), Options{}, "", ""},
	{"no CRLF", mk(head + cp)[:len(mk(head+cp))-2], Options{}, "", ""},
	{"bad_header no ##", []byte("#0101" + head + cp + "0000"), Options{}, "error: bad_header", "bad_header"},
	{"bad_header length", []byte("##01A1" + head + cp + "0000\r\n"), Options{}, "error: bad_header", "bad_header"},
	{"bad_length", []byte("##0100QN=1;ST=32&&1C80\r\n"), Options{}, "error: bad_length", "bad_length"},
	{"bad_length short", []byte("##0000AB\r\n"), Options{}, "error: bad_length", "bad_length"},
	{"bad_crc_format", withCRC(head+cp, "1C8G"), Options{}, "error: bad_crc_format", "bad_crc_format"},
	{"crc_mismatch", withCRC(head+cp, "0000"), Options{}, "error: crc_mismatch", "crc_mismatch"},
	{"modbus_crc without the option", withCRC(head+cp, fmt.Sprintf("%04X", modbusCRC([]byte(head+cp)))), Options{}, "error: crc_mismatch", "crc_mismatch"},
	{"modbus_crc", withCRC(head+cp, fmt.Sprintf("%04X", modbusCRC([]byte(head+cp)))), Options{ModbusCRC: true}, "modbus_crc", ""},
	{"modbus_crc swapped", withCRC(head+cp, fmt.Sprintf("%04X", swap(modbusCRC([]byte(head+cp))))), Options{ModbusCRC: true}, "modbus_crc", ""},
	{"bad_cp none", mk(head), Options{}, "error: bad_cp", "bad_cp"},
	{"bad_cp open", mk(head + "CP=&&DataTime=20160801085857&"), Options{}, "error: bad_cp", "bad_cp"},
	{"bad_cp &&&", mk(head + "CP=&&&"), Options{}, "error: bad_cp", "bad_cp"},
	{"duplicate_field", mk(head + "MN=1;" + cp), Options{}, "error: duplicate_field", "duplicate_field"},
	{"missing_st", mk("QN=20160801085857223;CN=2011;PW=1;MN=1;Flag=4;" + cp), Options{}, "error: missing_st", "missing_st"},
	{"missing_cn", mk("QN=20160801085857223;ST=32;PW=1;MN=1;Flag=4;" + cp), Options{}, "error: missing_cn", "missing_cn"},
	{"missing_mn", mk("QN=20160801085857223;ST=32;CN=2011;PW=1;MN=;Flag=4;" + cp), Options{}, "error: missing_mn", "missing_mn"},
	{"bad_flag", mk(strings.Replace(head, "Flag=5", "Flag=256", 1) + cp), Options{}, "error: bad_flag", "bad_flag"},
	{"bad_flag text", mk(strings.Replace(head, "Flag=5", "Flag=x", 1) + cp), Options{}, "error: bad_flag", "bad_flag"},
	{"bad_pnum", mk(strings.Replace(head, "Flag=5", "Flag=7;PNUM=2;PNO=3", 1) + cp), Options{}, "error: bad_pnum", "bad_pnum"},
	{"bad_pnum alone", mk(strings.Replace(head, "Flag=5", "Flag=7;PNUM=2", 1) + cp), Options{}, "error: bad_pnum", "bad_pnum"},
	{"bad_datatime", mk(head + "CP=&&DataTime=20160231085857&&"), Options{}, "error: bad_datatime", "bad_datatime"},
	{"bad_datatime length", mk(head + "CP=&&DataTime=201608010858&&"), Options{}, "error: bad_datatime", "bad_datatime"},
	{"lowercase_crc", withCRC(head+cp, strings.ToLower(fmt.Sprintf("%04X", CRC([]byte(head+cp))))), Options{}, "lowercase_crc", "lowercase_crc"},
	{"bare_lf", append(mk(head + cp)[:len(mk(head+cp))-2], '\n'), Options{}, "bare_lf", "bare_lf"},
	{"data_too_long", mk(head + "CP=&&" + strings.Repeat("w01018-Rtd=1.5,", 80) + "w01018-Flag=N&&"), Options{}, "data_too_long", "data_too_long"},
	{"gbk_text", mk(gbk(head + "CP=&&DataTime=20100301145000;PolId=w01018;i11001-Info=//清洗管路//&&")), Options{}, "gbk_text", "gbk_text"},
	{"missing_separator", mk(strings.TrimSuffix(head, ";") + cp), Options{}, "missing_separator", "missing_separator"},
	{"comma_separator", mk(strings.Replace(head, ";ST=", ",ST=", 1) + cp), Options{}, "comma_separator", "comma_separator"},
	{"spaces", mk(head + "CP=&& PolId=w01018&&"), Options{}, "spaces", "spaces"},
	{"spaces around CP", mk(head + "CP = &&PolId=w01018&&"), Options{}, "spaces", "spaces"},
	{"spaces in a field", mk(strings.Replace(head, "ST=32", "ST = 32", 1) + cp), Options{}, "spaces", "spaces"},
	{"field_skipped", mk(head + "junk;;" + cp), Options{}, "field_skipped field_skipped", "field_skipped"},
	{"field_skipped X CP", mk(head + "XCP = &&1;" + cp), Options{}, "field_skipped", "field_skipped"},
	{"field_order", mk("ST=32;QN=20160801085857223;CN=2011;PW=123456;MN=1;Flag=5;" + cp), Options{}, "field_order", "field_order"},
	{"pno_before_pnum", mk(strings.Replace(head, "Flag=5", "Flag=7;PNO=1;PNUM=2", 1) + cp), Options{}, "pno_before_pnum", "pno_before_pnum"},
	{"padded_pno", mk(strings.Replace(head, "Flag=5", "Flag=7;PNUM=0002;PNO=0001", 1) + cp), Options{}, "padded_pno", "padded_pno"},
	{"unknown_field", mk(head + "RF=1;" + cp), Options{}, "unknown_field", "unknown_field"},
	{"missing_qn", mk(strings.TrimPrefix(head, "QN=20160801085857223;") + cp), Options{}, "missing_qn", "missing_qn"},
	{"bad_qn", mk(strings.Replace(head, "QN=20160801085857223", "QN=2016080108585722", 1) + cp), Options{}, "bad_qn", "bad_qn"},
	{"missing_pw", mk(strings.Replace(head, "PW=123456;", "", 1) + cp), Options{}, "missing_pw", "missing_pw"},
	{"missing_flag", mk(strings.Replace(head, "Flag=5;", "", 1) + cp), Options{}, "missing_flag", "missing_flag"},
	{"unknown_version", mk(strings.Replace(head, "Flag=5", "Flag=13", 1) + cp), Options{}, "unknown_version", "unknown_version"},
	{"split_flag_mismatch D", mk(strings.Replace(head, "Flag=5", "Flag=7", 1) + cp), Options{}, "split_flag_mismatch", "split_flag_mismatch"},
	{"split_flag_mismatch PNUM", mk(strings.Replace(head, "Flag=5", "Flag=5;PNUM=2;PNO=1", 1) + cp), Options{}, "split_flag_mismatch", "split_flag_mismatch"},
	{"unknown_st", mk(strings.Replace(head, "ST=32", "ST=80", 1) + cp), Options{}, "unknown_st", "unknown_st"},
	{"unknown_cn", mk(strings.Replace(head, "CN=2011", "CN=9021", 1) + cp), Options{}, "unknown_cn", "unknown_cn"},
	{"cp_item_skipped", mk(head + "CP=&&DataTime=20160801085857;w01018-Rtd;&&"), Options{}, "cp_item_skipped cp_item_skipped", "cp_item_skipped"},
	{"cp_item_skipped DataTime", mk(head + "CP=&&DataTime=20160801085857;DataTime=20160801085858&&"), Options{}, "cp_item_skipped", "cp_item_skipped"},
	{"mixed_group", mk(head + "CP=&&w01018-Rtd=1,w00000-Rtd=2&&"), Options{}, "mixed_group", "mixed_group"},
	{"comma_begin_end", mk(strings.Replace(head, "CN=2011", "CN=2061", 1) + "CP=&&BeginTime=20160801080000,EndTime=20160801090000&&"), Options{}, "comma_begin_end", "comma_begin_end"},
	{"comma_begin_end 2005", mk(strings.Replace(head, "Flag=5", "Flag=1", 1) + "CP=&&BeginTime=20160801080000,EndTime=20160801090000&&"), Options{}, "", ""},
	{"datatime_millis", mk(head + "CP=&&DataTime=20160801085857123&&"), Options{}, "datatime_millis", "datatime_millis"},
	{"unknown_cp_field", mk(head + "CP=&&DataTime=20160801085857;a34001-Rtd=92;Flag=N&&"), Options{}, "unknown_cp_field", "unknown_cp_field"},
	{"unknown_suffix", mk(head + "CP=&&a01006-ValidNum=10&&"), Options{}, "unknown_suffix", "unknown_suffix"},
	{"bad_number", mk(head + "CP=&&w01018-Rtd=1e5&&"), Options{}, "bad_number", "bad_number"},
	{"unknown_flag_value", mk(head + "CP=&&w01018-Rtd=1,w01018-Flag=X&&"), Options{}, "unknown_flag_value", "unknown_flag_value"},
	{"code_2005", mk(head + "CP=&&011-Rtd=1&&"), Options{}, "code_2005", "code_2005"},
}

func withCRC(data, crc string) []byte {
	return fmt.Appendf(nil, "##%04d%s%s\r\n", len(data), data, crc)
}

func swap(v uint16) uint16 { return v<<8 | v>>8 }

func gbk(s string) string {
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func codes(ws []Warning) string {
	var c []string
	for _, w := range ws {
		c = append(c, w.Code)
	}
	return strings.Join(c, " ")
}

func TestReasons(t *testing.T) {
	for _, tc := range reasonCases {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			f, err := Decode(tc.frame, tc.opt)
			if err != nil {
				got = "error: " + err.(*Error).Code
			} else {
				got = codes(f.Warnings)
			}
			if got != tc.lenient {
				t.Errorf("lenient: %s, want %s (%v)", got, tc.lenient, err)
			}
			opt := tc.opt
			opt.Strict = true
			_, err = Decode(tc.frame, opt)
			got = ""
			if err != nil {
				got = err.(*Error).Code
			}
			if got != tc.strict {
				t.Errorf("strict: %q, want %q (%v)", got, tc.strict, err)
			}
		})
	}
}

// TestReasonsDocumented holds reasons.go's table, its constants and the
// cases above to the same set of codes.
func TestReasonsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "reasons.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	ast.Inspect(file, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			s, _ := strconv.Unquote(v.Values[0].(*ast.BasicLit).Value)
			consts = append(consts, s)
		}
		return true
	})
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^//\t([a-z0-9_]+) {2,}`).FindAllStringSubmatch(file.Doc.Text()+commentOf(file), -1) {
		if m[1] != "code" {
			documented = append(documented, m[1])
		}
	}
	tested := map[string]bool{}
	for _, tc := range reasonCases {
		tested[strings.TrimPrefix(tc.lenient, "error: ")] = true
		for _, c := range strings.Fields(tc.lenient) {
			tested[c] = true
		}
	}
	slices.Sort(consts)
	slices.Sort(documented)
	if !slices.Equal(consts, documented) {
		t.Errorf("constants %v\ndocumented %v", consts, documented)
	}
	for _, c := range consts {
		if !tested[c] {
			t.Errorf("no case gives %s", c)
		}
	}
}

// commentOf returns the comment above reasons.go's const block.
func commentOf(f *ast.File) string {
	var s strings.Builder
	for _, g := range f.Comments {
		for _, c := range g.List {
			s.WriteString(c.Text + "\n")
		}
	}
	return s.String()
}

func TestDecodeValues(t *testing.T) {
	// App. C Table C.16, minute data.
	f, err := Decode([]byte("##0325QN=20160801085000001;ST=32;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20160801084000;w00000-Cou=10.5,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N;w01018-Cou=10.5,w01018-Min=40.1,w01018-Avg=40.1,w01018-Max=40.1,w01018-Flag=N&&6180"), Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	want := &Frame{Version: "2017", QN: "20160801085000001", ST: "32", CN: "2051", PW: "123456", MN: "010000A8900016F000169DC0", Flag: 5,
		DataTime: time.Date(2016, 8, 1, 8, 40, 0, 0, cst.Zone), DataLen: 325,
		Values: []Value{
			{Code: "w00000", Field: "Cou", Value: 10.5, Unit: "m3", Flag: "N"},
			{Code: "w00000", Field: "Min", Value: 16.4, Unit: "L/s", Flag: "N"},
			{Code: "w00000", Field: "Avg", Value: 17.5, Unit: "L/s", Flag: "N"},
			{Code: "w00000", Field: "Max", Value: 20.1, Unit: "L/s", Flag: "N"},
			{Code: "w00000", Field: "Flag", Text: "N", IsText: true, Flag: "N"},
			{Code: "w01001", Field: "Min", Value: 7.1, Flag: "N"},
			{Code: "w01001", Field: "Avg", Value: 7.5, Flag: "N"},
			{Code: "w01001", Field: "Max", Value: 7.8, Flag: "N"},
			{Code: "w01001", Field: "Flag", Text: "N", IsText: true, Flag: "N"},
			{Code: "w01018", Field: "Cou", Value: 10.5, Unit: "kg", Flag: "N"},
			{Code: "w01018", Field: "Min", Value: 40.1, Unit: "mg/L", Flag: "N"},
			{Code: "w01018", Field: "Avg", Value: 40.1, Unit: "mg/L", Flag: "N"},
			{Code: "w01018", Field: "Max", Value: 40.1, Unit: "mg/L", Flag: "N"},
			{Code: "w01018", Field: "Flag", Text: "N", IsText: true, Flag: "N"},
		}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	if f.DataTime.Format(time.RFC3339) != "2016-08-01T08:40:00+08:00" {
		t.Error(f.DataTime)
	}
}

func TestDecode2005Codes(t *testing.T) {
	// Total mercury in a 2005 frame: code 020 in mg/L (cumulative kg) is
	// w20111 in µg/L (g), the flag after the values, and no Flag field.
	raw := mk("ST=32;CN=2051;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;020-Avg=0.005,020-Cou=0.25,020-Flag=N;B01-Avg=-1.5;S01-Avg=3&&")
	f, err := Decode(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{
		{Code: "w20111", Code2005: "020", Field: "Avg", Value: 5, Unit: "µg/L", Flag: "N"},
		{Code: "w20111", Code2005: "020", Field: "Cou", Value: 250, Unit: "g", Flag: "N"},
		{Code: "w20111", Code2005: "020", Field: "Flag", Text: "N", IsText: true, Flag: "N"},
		{Code: "w00000", Code2005: "B01", Field: "Avg", Value: -1.5, Unit: "L/s"},
		{Code: "S01", Field: "Avg", Value: 3}, // an air code in a water frame stays as it is
	}
	if !reflect.DeepEqual(f.Values, want) {
		t.Errorf("got  %+v\nwant %+v", f.Values, want)
	}
	if f.Version != "2005" || f.Flag != -1 || codes(f.Warnings) != "missing_qn missing_flag" {
		t.Errorf("version %s flag %d warnings %v", f.Version, f.Flag, f.Warnings)
	}
	b, err := Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := "020-Avg=0.005,020-Cou=0.25,020-Flag=N;B01-Avg=-1.5;S01-Avg=3&&"; !strings.Contains(string(b), want) {
		t.Errorf("encoded %s, want it to hold %s", b, want)
	}
}

func TestParseNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "7.1", "-0.052", "+3", ".5", "5.", "123456789012345678", "1234567890.12345678901",
		"0.000000000000000000000000001", "4653.8", "0.09055002", "99999999999999.99"} {
		for _, scale := range []int{0, 3} {
			want, _ := strconv.ParseFloat(s+"e"+strconv.Itoa(scale), 64)
			got, ok := parseNumber([]byte(s), scale)
			if !ok || got != want || (got == 0 && (1/got > 0) != (1/want > 0)) {
				t.Errorf("parseNumber(%q, %d) = %v, %v; want %v", s, scale, got, ok, want)
			}
		}
	}
	for _, s := range []string{"", "-", ".", "1e5", "1.2.3", "NaN", "Inf", "0x10", "1_000", " 1", "1,5"} {
		if _, ok := parseNumber([]byte(s), 0); ok {
			t.Errorf("parseNumber(%q) ok", s)
		}
	}
}

// plainNumber is the syntax parseNumber accepts (Nn.m of Table 4, signed).
var plainNumber = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// checkNumber compares parseNumber with strconv.ParseFloat, bit for bit:
// parseNumber takes what plainNumber matches and strconv can represent.
func checkNumber(t *testing.T, s string, scale int) {
	t.Helper()
	got, ok := parseNumber([]byte(s), scale)
	if !plainNumber.MatchString(s) {
		if ok {
			t.Fatalf("parseNumber(%q, %d) = %v, accepted", s, scale, got)
		}
		return
	}
	want, err := strconv.ParseFloat(s+"e"+strconv.Itoa(scale), 64)
	if ok != (err == nil) || ok && math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseNumber(%q, %d) = %v (%x), %v; strconv %v (%x), %v", s, scale, got, math.Float64bits(got), ok, want, math.Float64bits(want), err)
	}
}

// TestParseNumberMatchesStrconv runs checkNumber over generated numbers:
// signs, leading zeros, up to 25 digits on either side of the point (the
// fast path takes up to 15), each scale the decoder uses, and near-misses.
func TestParseNumberMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	digitsOf := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		if n > 0 && r.IntN(4) == 0 {
			b[0] = '0' // leading zeros
		}
		return string(b)
	}
	for range 100000 {
		var sb strings.Builder
		sb.WriteString([]string{"", "", "+", "-"}[r.IntN(4)])
		sb.WriteString(digitsOf([]int{0, 1, 2, 3, 5, 8, 12, 15, 16, 20, 25}[r.IntN(11)]))
		if r.IntN(3) > 0 {
			sb.WriteByte('.')
			sb.WriteString(digitsOf([]int{0, 1, 2, 4, 6, 9, 13, 15, 16, 22}[r.IntN(10)]))
		}
		s := sb.String()
		if r.IntN(20) == 0 { // a near-miss: one byte changed, added or dropped
			b := []byte(s)
			c := "0123456789.+-eE x,"[r.IntN(18)]
			switch i := r.IntN(len(b) + 1); {
			case i == len(b):
				b = append(b, c)
			case r.IntN(2) == 0:
				b[i] = c
			default:
				b = append(b[:i], b[i+1:]...)
			}
			s = string(b)
		}
		for _, scale := range []int{0, 3} {
			checkNumber(t, s, scale)
		}
	}
	for _, s := range []string{"0", "-0", "+0", "0.0", "-0.0", ".0", "0.", "9007199254740993", "999999999999999", "0.1",
		"0.3", "1.7976931348623157", "2.2250738585072014", "4.9406564584124654", "123456789012345.6", "1" + strings.Repeat("0", 308),
		"1" + strings.Repeat("0", 309), "0." + strings.Repeat("0", 330) + "1", "", "-", "+", ".", "-.", "+.e", "1e5", "1E5", "1.2.3",
		"--1", "+-1", "1-", "NaN", "Inf", "0x10", "1_000", " 1", "1 ", "1,5"} {
		for _, scale := range []int{0, 3} {
			checkNumber(t, s, scale)
		}
	}
}

// TestParseTimeMatchesTimeDate: parseTime computes the instant itself.
func TestParseTimeMatchesTimeDate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		y, mo := 1900+r.IntN(8100), 1+r.IntN(12)
		d := 1 + r.IntN(daysIn(mo, y))
		h, mi, sec, ms := r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000)
		s := fmt.Sprintf("%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi, sec)
		if r.IntN(2) == 0 {
			s += fmt.Sprintf("%03d", ms)
		} else {
			ms = 0
		}
		got, millis, ok := parseTime([]byte(s))
		want := time.Date(y, time.Month(mo), d, h, mi, sec, ms*1e6, cst.Zone)
		if !ok || got != want || millis != (len(s) == 17) {
			t.Fatalf("parseTime(%s) = %v, %v, %v; want %v", s, got, millis, ok, want)
		}
	}
	for _, s := range []string{"19000101000000", "20000229235959", "21000228000000", "99991231235959999", "20240229120000"} {
		if _, _, ok := parseTime([]byte(s)); !ok {
			t.Errorf("parseTime(%s) not ok", s)
		}
	}
	for _, s := range []string{"18991231235959", "19000229000000", "20230229000000", "20241301000000", "20240100000000",
		"20240132000000", "20240101240000", "20240101006000", "20240101000060", "2024010100000", "2024010100000a"} {
		if _, _, ok := parseTime([]byte(s)); ok {
			t.Errorf("parseTime(%s) ok", s)
		}
	}
}

// TestCodeSets: each table's codes are found, with the table's own string,
// and nothing else is.
func TestCodeSets(t *testing.T) {
	for _, tc := range []struct {
		set   *codeSet
		codes []string
	}{{stSet, codesOf(SystemCodes)}, {cnSet, codesOf(CommandCodes)}, {byCodeSet, nil}, {by2005Set, nil}} {
		codes := tc.codes
		if codes == nil {
			codes = tc.set.codes
		}
		for _, c := range codes {
			if got := tc.set.find([]byte(c)); got < 0 || tc.set.codes[got] != c {
				t.Errorf("find(%q) = %d", c, got)
			}
			if s, ok := tc.set.intern([]byte(c)); !ok || s != c {
				t.Errorf("intern(%q) = %q, %v", c, s, ok)
			}
			for _, miss := range []string{c + "0", c[:len(c)-1], "\x00" + c, c + "\x00", strings.ToUpper(c) + "x"} {
				if got := tc.set.find([]byte(miss)); got >= 0 && tc.set.codes[got] != miss {
					t.Errorf("find(%q) = %q", miss, tc.set.codes[got])
				}
			}
		}
	}
	for i, p := range Pollutants {
		if j := byCodeSet.find([]byte(p.Code)); j < 0 || with2017[j] != Pollutants[i] {
			t.Errorf("2017 code %s: %d", p.Code, j)
		}
		if j := by2005Set.find([]byte(p.Code2005)); p.Code2005 != "" && (j < 0 || with2005[j] != Pollutants[i]) {
			t.Errorf("2005 code %s: %d", p.Code2005, j)
		}
	}
	// codeKey is one to one: every key of up to 3 bytes over a few letters.
	seen := map[uint64]string{}
	var walk func(string)
	walk = func(s string) {
		if s != "" {
			k := codeKey([]byte(s))
			if o, ok := seen[k]; ok {
				t.Fatalf("codeKey(%q) = codeKey(%q)", s, o)
			}
			seen[k] = s
		}
		if len(s) < 3 {
			for _, c := range []byte("\x00a0-~\xff") {
				walk(s + string([]byte{c}))
			}
		}
	}
	walk("")
	r := rand.New(rand.NewPCG(9, 10))
	for range 100000 {
		b := make([]byte, 1+r.IntN(7))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		var want uint64
		for i, c := range b {
			want |= uint64(c) << (8 * i)
		}
		if got := codeKey(b); got != want|uint64(len(b))<<56 {
			t.Fatalf("codeKey(%q) = %x", b, got)
		}
	}
}

func TestShiftPoint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"5", "0.005"}, {"-5", "-0.005"}, {"1234.5", "1.2345"}, {"1000", "1"}, {"0", "0"}, {"-0", "-0"}, {"0.25", "0.00025"}, {"12345678", "12345.678"},
	} {
		if got := string(shiftPoint(nil, tc.in, 3)); got != tc.want {
			t.Errorf("shiftPoint(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
