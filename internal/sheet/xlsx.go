package sheet

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Number formats that date and time cells are read with: ISO text that an
// import can parse without knowing the workbook's locale.
const (
	fmtDate     = "yyyy-mm-dd"
	fmtDateTime = "yyyy-mm-dd hh:mm:ss"
	fmtTime     = "hh:mm:ss"
)

// maxCellChars is Excel's limit on a cell's length, in UTF-16 units.
// excelize silently truncates longer text, so Write refuses it instead.
const maxCellChars = 32767

// ReadXLSX reads the first visible sheet of a workbook from r, whole.
func ReadXLSX(name string, r io.Reader) (*Table, error) {
	rows, err := OpenXLSX(name, r)
	if err != nil {
		return nil, err
	}
	return rows.Table()
}

// OpenXLSX opens the first visible sheet of a workbook from r for reading
// row by row.
//
// Numbers come back as stored, not as displayed: 12.5 formatted "0.00" reads
// "12.5", 0.5 formatted "0%" reads "0.5". Cells with a date or time format
// read as "2006-01-02", "2006-01-02 15:04:05" or "15:04:05". Text stays
// text, so "0111" keeps its leading zero.
func OpenXLSX(name string, r io.Reader) (*Rows, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	if !bytes.Equal(magic, []byte("PK\x03\x04")) {
		return nil, invalid("%s: not an XLSX workbook (%s)", "%s：不是 XLSX 工作簿（%s）", name, whatIs(magic))
	}
	// The files are uploads: cap what a small zip may expand to (excelize
	// allows 16 GB, spilled to temp files). A 100,000-row sheet is ~100 MB.
	f, err := excelize.OpenReader(br, excelize.Options{UnzipSizeLimit: 1 << 30})
	if err != nil {
		return nil, invalid("%s: not an XLSX workbook (a zip archive, but: %v)", "%s：不是 XLSX 工作簿（是 zip 压缩包，但：%v）", name, err)
	}
	sheet := firstVisibleSheet(f)
	if sheet == "" {
		f.Close()
		return nil, invalid("%s: not an XLSX workbook (no worksheet)", "%s：不是 XLSX 工作簿（没有工作表）", name)
	}
	if err := plainNumberFormats(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("sheet: %s: %w", name, err)
	}

	// Rows streams the sheet XML instead of building it in memory, so a
	// 100,000-row sheet costs a few seconds and little heap. Next also stops
	// at rows missing from the XML (blank rows), so counting calls gives the
	// true sheet row number.
	var rows *excelize.Rows
	closeRows := func() {
		if rows != nil {
			rows.Close()
		}
	}
	return fileRows(name, func() (func() (int, []string, error), error) {
		closeRows()
		if rows, err = f.Rows(sheet); err != nil {
			return nil, fmt.Errorf("sheet: %s: %w", name, err)
		}
		num := 0
		return func() (int, []string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return 0, nil, fmt.Errorf("sheet: %s: %w", name, err)
				}
				return 0, nil, io.EOF
			}
			num++
			cells, err := rows.Columns()
			if err != nil {
				return 0, nil, fmt.Errorf("sheet: %s:%d: %w", name, num, err)
			}
			return num, cells, nil
		}, nil
	}, func() error {
		closeRows()
		return f.Close()
	})
}

// whatIs names what a non-zip file probably is, for the error message.
func whatIs(magic []byte) string {
	switch {
	case len(magic) == 0:
		return "empty file"
	case bytes.HasPrefix(magic, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "old .xls format or password-protected; save it as .xlsx without a password"
	}
	return "not a zip archive; is it a CSV file named .xlsx?"
}

// firstVisibleSheet returns the first sheet in workbook order that is not
// hidden: the one a person sees first, whichever tab was active on save.
func firstVisibleSheet(f *excelize.File) string {
	for _, s := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s
		}
	}
	return ""
}

// plainNumberFormats rewrites, in memory only (the file is never saved), the
// number format of every cell style so that excelize's formatted reading
// gives import-friendly text.
//
// Why: Rows/Columns does not expose a cell's style, so in raw mode
// (Options.RawCellValue) a date is indistinguishable from a number and comes
// back as a serial like "45356". In formatted mode the workbook's formats
// apply: "12.50" for 0.00, "50%", "3/5/24" or "2024年3月5日" for dates. The
// per-style number format is the one hook excelize evaluates per cell while
// streaming, so we point date/time styles at ISO formats and every other
// style at a format ID that does not exist, for which excelize returns the
// stored value unchanged. (Not "General": excelize renders that like Excel's
// display, cutting numbers to 11 digits.)
//
// Formatted mode also keeps two things raw mode lacks: booleans read
// TRUE/FALSE, and float noise such as 0.30000000000000004 reads as Excel's
// 15 significant digits, "0.3".
func plainNumberFormats(f *excelize.File) error {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return nil // no styles: every cell is read as stored
	}
	target := map[string]*int{}
	for _, code := range []string{fmtDate, fmtDateTime, fmtTime} {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		target[code] = f.Styles.CellXfs.Xf[id].NumFmtID
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			custom[nf.NumFmtID] = nf.FormatCode
			if nf.FormatCode16 != "" { // takes precedence in excelize too
				custom[nf.NumFmtID] = nf.FormatCode16
			}
		}
	}
	noFormat := -1
	xfs := f.Styles.CellXfs.Xf
	for i := range xfs {
		id := 0
		if xfs[i].NumFmtID != nil {
			id = *xfs[i].NumFmtID
		}
		kind := builtinDateKind(id)
		if code, ok := custom[id]; ok {
			kind = dateKind(code)
		}
		if kind != "" {
			xfs[i].NumFmtID = target[kind]
		} else {
			xfs[i].NumFmtID = &noFormat
		}
	}
	return nil
}

// builtinDateKind classifies the built-in number formats (IDs without a
// format code in the file). 27-36 and 50-58 are the East Asian date formats
// Chinese Excel writes, such as yyyy"年"m"月"d"日".
func builtinDateKind(id int) string {
	switch {
	case 14 <= id && id <= 17, 27 <= id && id <= 31, id == 36, 50 <= id && id <= 54, id == 57, id == 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47, id == 55, id == 56:
		return fmtTime
	}
	return ""
}

// dateKind classifies a number format code by its date (y, m, d) and time
// (h, m, s) tokens, ignoring quoted text, escaped characters and [...] parts
// such as colours and locales; [h] style elapsed time counts as time.
func dateKind(code string) string {
	var date, clock, month bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*': // literal, padding and fill take the next character
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				j = len(code) - i
			}
			if tok := strings.ToLower(code[i+1 : i+j]); tok != "" && strings.Trim(tok, "hms") == "" {
				clock = true
			}
			i += j
		default:
			switch c | 0x20 { // ASCII lower case
			case 'y', 'd':
				date = true
			case 'h', 's':
				clock = true
			case 'm':
				month = true
			}
		}
	}
	switch {
	case date && clock:
		return fmtDateTime
	case date, month && !clock: // "m" next to h or s means minutes
		return fmtDate
	case clock:
		return fmtTime
	}
	return ""
}

// writeXLSX streams the rows into a one-sheet workbook. Cells are text, and
// the columns carry the Text format ("@") too, so values a person types in
// before importing the file again (such as "0111") also stay text.
func writeXLSX(w io.Writer, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	if err := sw.SetColStyle(1, len(header), text); err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}

	vals := make([]any, len(header))
	for i, h := range header {
		vals[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	for i, r := range rows {
		num := i + 2 // the header is row 1
		for j, c := range r {
			if len(c) > maxCellChars && utf16Len(c) > maxCellChars {
				return fmt.Errorf("sheet: write xlsx: row %d column %d: text longer than Excel's %d characters", num, j+1, maxCellChars)
			}
			vals[j] = c
			if c == "" {
				vals[j] = nil // no cell at all: smaller file
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, num)
		if err == nil {
			err = sw.SetRow(cell, vals[:len(r)])
		}
		if err != nil {
			return fmt.Errorf("sheet: write xlsx: row %d: %w", num, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
