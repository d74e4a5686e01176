package sheet

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// writeFile puts content into a file named name in a fresh temp dir.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rows builds want-rows from "num:cell|cell|..." strings, to keep tables short.
func rows(specs ...string) []Row {
	var out []Row
	for _, s := range specs {
		num, cells, _ := strings.Cut(s, ":")
		n := 0
		for _, c := range num {
			n = n*10 + int(c-'0')
		}
		out = append(out, Row{Num: n, Cells: strings.Split(cells, "|")})
	}
	return out
}

func checkTable(t *testing.T, got *Table, header []string, want []Row) {
	t.Helper()
	if !reflect.DeepEqual(got.Header, header) {
		t.Errorf("header = %q, want %q", got.Header, header)
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("rows =\n%+v\nwant\n%+v", got.Rows, want)
	}
}

func TestReadCSV(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	gbkText := "企业名称,行政区划代码\n浙江某化工有限公司,0111\n丽水市生态环境局,331102\n"
	tests := []struct {
		name    string
		data    []byte
		header  []string
		rows    []Row
		wantErr string // substring; empty means success
	}{
		{name: "utf8", data: []byte("名称,代码\n甲,0111\n"),
			header: []string{"名称", "代码"}, rows: rows("2:甲|0111")},
		{name: "utf8 bom crlf", data: []byte("\xEF\xBB\xBF名称,代码\r\n甲,0111\r\n"),
			header: []string{"名称", "代码"}, rows: rows("2:甲|0111")},
		{name: "gbk", data: encode(t, simplifiedchinese.GBK, gbkText),
			header: []string{"企业名称", "行政区划代码"}, rows: rows("2:浙江某化工有限公司|0111", "3:丽水市生态环境局|331102")},
		{name: "gb18030 four-byte", data: encode(t, simplifiedchinese.GB18030, "名称\n𠀀€\n"),
			header: []string{"名称"}, rows: rows("2:𠀀€")},
		{name: "utf16le tabs", data: encode(t, utf16le, "名称\t代码\t备注\r\n甲\t0111\t有,逗号\r\n"),
			header: []string{"名称", "代码", "备注"}, rows: rows("2:甲|0111|有,逗号")},
		{name: "utf16be commas", data: encode(t, utf16be, "名称,代码\n甲,0111\n"),
			header: []string{"名称", "代码"}, rows: rows("2:甲|0111")},
		{name: "quoted multiline", data: []byte("名称,备注\n\"甲, 乙\",\"第一行\n第二行\"\n丙,丁\n"),
			header: []string{"名称", "备注"}, rows: rows("2:甲, 乙|第一行\n第二行", "4:丙|丁")},
		{name: "blank rows keep numbering", data: []byte("\n a , b \n\n1,2\n,\n  ,\u3000\n3,4\n"),
			header: []string{"a", "b"}, rows: rows("4:1|2", "7:3|4")},
		{name: "short rows padded", data: []byte("a,b,c\n1\n1,2\n"),
			header: []string{"a", "b", "c"}, rows: rows("2:1||", "3:1|2|")},
		{name: "trailing blank cells ignored", data: []byte("a,b,,\n1,2,, \n"),
			header: []string{"a", "b"}, rows: rows("2:1|2")},
		{name: "too many cells", data: []byte("a,b\n1,2\n1,2,3\n"), wantErr: "x.csv:3: row has 3 cells but the header has 2"},
		{name: "invalid byte", data: []byte("a,b\n1,2\n3,\xff\n"), wantErr: "x.csv:3: text is neither UTF-8 nor GBK/GB18030"},
		{name: "damaged gbk", data: append(encode(t, simplifiedchinese.GBK, gbkText+"甲,1\n"), "乙,\xff\n"...), wantErr: "x.csv:5: text is neither"},
		{name: "damaged utf8", data: []byte("名称,代码\n甲,1\n乙,2\n丙,\xff\n"), wantErr: "x.csv:4: text is neither"},
		{name: "bom then invalid", data: []byte("\xEF\xBB\xBFa\n\xC3\n"), wantErr: "x.csv:2: invalid UTF-8 byte 0xC3"},
		{name: "nul", data: []byte("a\x00,\x00b\x00\n"), wantErr: "x.csv:1: NUL byte"},
		{name: "bare quote", data: []byte("a,b\n1,x\"y\n"), wantErr: "x.csv:2:4: bare \""},
		{name: "empty", data: nil, wantErr: "x.csv: empty file"},
		{name: "only blank", data: []byte("\xEF\xBB\xBF\n , \n"), wantErr: "x.csv: empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(writeFile(t, "x.csv", tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "sheet: ") {
					t.Errorf("err = %v, want prefix \"sheet: \"", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkTable(t, got, tt.header, tt.rows)
		})
	}
}

func TestReadExtension(t *testing.T) {
	if _, err := Read(writeFile(t, "x.xls", []byte("a\n1\n"))); err == nil || !strings.Contains(err.Error(), `unsupported file type ".xls"`) {
		t.Errorf("xls: err = %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.HasPrefix(err.Error(), "sheet: ") {
		t.Errorf("missing file: err = %v", err)
	}
	got, err := Read(writeFile(t, "X.CSV", []byte("a\n1\n")))
	if err != nil {
		t.Fatal(err)
	}
	checkTable(t, got, []string{"a"}, rows("2:1"))
}

func TestRoundTrip(t *testing.T) {
	header := []string{"企业名称", "代码", "备注", "金额"}
	data := [][]string{
		{"浙江某化工有限公司", "0111", "第一行\n第二行", "12.50"},
		{"", "331102", "", "1e5"},
		{"引号\"和,逗号", "00", "=1+1"}, // short row; formula-looking text stays text
		{"", "", "", ""},           // blank: written, but skipped on read
		{"TRUE", "2024-03-05", "45356", "0.30000000000000004"},
	}
	want := rows(
		"2:浙江某化工有限公司|0111|第一行\n第二行|12.50",
		"3:|331102||1e5",
		"4:引号\"和,逗号|00|=1+1|",
		"6:TRUE|2024-03-05|45356|0.30000000000000004",
	)
	// Row numbers differ: a CSV row number is a line number, and the
	// multi-line cell takes two lines.
	nums := map[string][]int{"csv": {2, 4, 5, 7}, "xlsx": {2, 3, 4, 6}}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			for i := range want {
				want[i].Num = nums[format][i]
			}
			var buf bytes.Buffer
			if err := Write(&buf, format, header, data); err != nil {
				t.Fatal(err)
			}
			if format == "csv" && !bytes.HasPrefix(buf.Bytes(), utf8BOM) {
				t.Error("csv written without UTF-8 BOM")
			}
			got, err := Read(writeFile(t, "export."+format, buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			checkTable(t, got, header, want)
		})
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	for _, tt := range []struct {
		format  string
		header  []string
		rows    [][]string
		wantErr string
	}{
		{"csv", []string{"a"}, [][]string{{"1"}, {"1", "2"}}, "sheet: write: row 3 has 2 cells but the header has 1"},
		{"xls", []string{"a"}, nil, `unknown format "xls"`},
		{"csv", nil, nil, "empty header"},
		{"xlsx", []string{"a"}, [][]string{{strings.Repeat("长", maxCellChars+1)}}, "row 2 column 1: text longer than Excel's"},
	} {
		if err := Write(&buf, tt.format, tt.header, tt.rows); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Write(%s) err = %v, want %q", tt.format, err, tt.wantErr)
		}
	}
}

func TestReadNotXLSX(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hello"))
	zw.Close()
	for _, tt := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"csv", []byte("名称,代码\n甲,0111\n"), "CSV file named .xlsx"},
		{"garbage", []byte{0x00, 0x01, 0x02, 0xff, 0xfe}, "not a zip archive"},
		{"empty", nil, "empty file"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "old .xls format"},
		{"zip", zipped.Bytes(), "a zip archive, but: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "book.xlsx", tt.data)
			_, err := Read(p)
			want := "sheet: " + p + ": not an XLSX workbook ("
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q...%q", err, want, tt.wantErr)
			}
		})
	}
}

// TestReadXLSXValues checks what cells written by Excel-like means read as:
// stored numbers instead of displayed ones, ISO dates, true row numbers.
func TestReadXLSXValues(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		must(err)
		return id
	}
	cnDate := `yyyy"年"m"月"d"日";@`
	twoDec, percent := style(&excelize.Style{NumFmt: 2}), style(&excelize.Style{NumFmt: 10})
	cn, text := style(&excelize.Style{CustomNumFmt: &cnDate}), style(&excelize.Style{NumFmt: 49})
	builtinCN := style(&excelize.Style{NumFmt: 31}) // yyyy"年"m"月"d"日" in Chinese Excel

	// A hidden first sheet must be passed over for the first visible one.
	idx, err := f.NewSheet("数据")
	must(err)
	f.SetActiveSheet(idx) // excelize will not hide the active sheet
	must(f.SetSheetVisible("Sheet1", false))
	s := "数据"
	set := func(cell string, v any, styleID int) {
		t.Helper()
		must(f.SetCellValue(s, cell, v))
		if styleID != 0 {
			must(f.SetCellStyle(s, cell, cell, styleID))
		}
	}
	for i, h := range []string{"日期", "数值", "百分比", "中文日期", "时间", "日期时间", "代码", "布尔", "长数"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(cell, h, 0)
	}
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	// Row 2 is left out entirely; row 3 is the first data row.
	set("A3", day, 0) // excelize gives it a date style itself, as Excel does
	set("B3", 12.5, twoDec)
	set("C3", 0.5, percent)
	set("D3", day, cn)
	set("E3", 0.5, style(&excelize.Style{NumFmt: 21})) // hh:mm:ss
	set("F3", time.Date(2024, 3, 5, 8, 30, 15, 0, time.UTC), 0)
	set("G3", "0111", cn) // text in a date column stays text
	set("H3", true, 0)    // booleans read as Excel shows them
	set("I3", 123456789012345.0, twoDec)
	set("A5", day, builtinCN)
	must(f.SetCellDefault(s, "B5", "0.30000000000000004")) // float noise as Excel stores it; reads as Excel's 15 digits
	set("G5", "331102", text)
	set("C6", "", 0) // a cell without content does not make a row

	var buf bytes.Buffer
	must(f.Write(&buf))
	got, err := Read(writeFile(t, "dates.xlsx", buf.Bytes()))
	must(err)
	checkTable(t, got,
		[]string{"日期", "数值", "百分比", "中文日期", "时间", "日期时间", "代码", "布尔", "长数"},
		rows(
			"3:2024-03-05|12.5|0.5|2024-03-05|12:00:00|2024-03-05 08:30:15|0111|TRUE|123456789012345",
			"5:2024-03-05|0.3|||||331102||",
		))
}

func TestDateKind(t *testing.T) {
	for code, want := range map[string]string{
		"General":                    "",
		"0.00":                       "",
		"#,##0.00_);[Red](#,##0.00)": "",
		`0.00 "kg"`:                  "",
		`[DBNum1][$-804]G/通用格式`:      "",
		`_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)`: "",
		"@":                           "",
		"yyyy/m/d;@":                  fmtDate,
		"YYYY-MM-DD":                  fmtDate,
		`yyyy"年"m"月"`:                 fmtDate,
		"mmm-yy":                      fmtDate,
		"[$-F800]dddd, mmmm dd, yyyy": fmtDate,
		"yyyy/m/d h:mm":               fmtDateTime,
		"h:mm AM/PM":                  fmtTime,
		"[h]:mm:ss":                   fmtTime,
		"mm:ss":                       fmtTime,
		`h"时"mm"分"`:                   fmtTime,
	} {
		if got := dateKind(code); got != want {
			t.Errorf("dateKind(%q) = %q, want %q", code, got, want)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"\xEF\xBB\xBFa,b\r\n\"x\ny\",2\r\n",
		"\xFF\xFEa\x00\t\x00b\x00\n\x00",
		"\xFE\xFF\x00a\x00,\x00b",
		"\xd6\xd0,\xce\xc4\n1,2\n",
		"a\n\n,\n1,2\n",
		"a,\"b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sheet: ") {
				t.Errorf("error without prefix: %v", err)
			}
			return
		}
		last := 0
		for _, r := range tab.Rows {
			if len(r.Cells) != len(tab.Header) || r.Num <= last {
				t.Fatalf("bad row %+v (header %q, previous row %d)", r, tab.Header, last)
			}
			last = r.Num
		}
	})
}

// TestCSVFormulaInjection writes cells that a spreadsheet would run as
// formulas: they go out behind a single quote (decision 0011) and read back
// as they were, while numbers, signed ones too, are left alone.
func TestCSVFormulaInjection(t *testing.T) {
	header := []string{"cell"}
	for _, tc := range []struct{ cell, written, read string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", "=HYPERLINK(\"http://x\",\"y\")"},
		{"+86 578 2123456", "'+86 578 2123456", "+86 578 2123456"},
		{"-1+1", "'-1+1", "-1+1"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)", "@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1", "=1+1"},   // read trims, as it does any cell
		{"\r=1+1", "\"'=1+1\"", "=1+1"}, // the writer drops a lone CR
		{"'=1+1", "''=1+1", "'=1+1"},    // a quote of one's own survives
		{"'quoted", "'quoted", "'quoted"},
		{"-3.5", "-3.5", "-3.5"},
		{"+12", "+12", "+12"},
		{"-1.5e3", "-1.5e3", "-1.5e3"},
		{"-", "'-", "-"},
		{"a=b", "a=b", "a=b"},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, "csv", header, [][]string{{tc.cell}}); err != nil {
			t.Fatal(err)
		}
		if want := "\xEF\xBB\xBFcell\r\n" + tc.written + "\r\n"; buf.String() != want {
			t.Errorf("%q written as %q, want %q", tc.cell, buf.String(), want)
		}
		got, err := ReadCSV("x.csv", &buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Rows) != 1 || got.Rows[0].Cells[0] != tc.read {
			t.Errorf("%q read back as %+v, want %q", tc.cell, got.Rows, tc.read)
		}
	}
}

// TestRowsRewindAndLimit reads a file row by row twice, as a transaction
// that is run again does, and refuses a file of more than MaxRows rows.
func TestRowsRewindAndLimit(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, []string{"a", "b"}, [][]string{{"1", "x"}, {}, {"2", ""}}); err != nil {
				t.Fatal(err)
			}
			r, err := Open(writeFile(t, "f."+format, buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for range 2 {
				var got []Row
				for r.Next() {
					got = append(got, r.Row())
				}
				if r.Err() != nil || r.HeaderNum != 1 || !reflect.DeepEqual(got, rows("2:1|x", "4:2|")) {
					t.Fatalf("header row %d, rows %+v, err %v", r.HeaderNum, got, r.Err())
				}
				if err := r.Rewind(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	big := "a\n" + strings.Repeat("1\n", MaxRows+1)
	if _, err := ReadCSV("big.csv", strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "big.csv:200002: more than 200000 data rows") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ReadCSV("max.csv", strings.NewReader(big[:len(big)-2])); err != nil {
		t.Fatal(err)
	}
}
