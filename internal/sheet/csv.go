package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadCSV reads CSV from r whole; name is used in errors.
func ReadCSV(name string, r io.Reader) (*Table, error) {
	rows, err := OpenCSV(name, r)
	if err != nil {
		return nil, err
	}
	return rows.Table()
}

// OpenCSV reads CSV from r for reading row by row; name is used in errors.
//
// The text may be UTF-8 (with or without BOM), GBK/GB18030 (what Excel on
// Chinese Windows writes for "CSV (逗号分隔)"), or UTF-16 with BOM (Excel's
// "Unicode text", which is tab-separated). Telling UTF-8 from GBK takes
// the whole file, so its bytes are held (an upload's are bounded by the
// API), but not the rows: they are parsed as they are asked for.
func OpenCSV(name string, r io.Reader) (*Rows, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("sheet: %s: %w", name, err)
	}
	text, comma, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		// NUL never belongs in a CSV; it almost always means UTF-16 without a
		// BOM, which would otherwise import as garbage without complaint.
		return nil, invalid("%s:%d: NUL byte in text (UTF-16 without BOM? save as \"CSV UTF-8\")", "%s:%d：文本含 NUL 字节（可能是无 BOM 的 UTF-16，请另存为“CSV UTF-8”）", name, lineOf(text, i))
	}
	return fileRows(name, func() (func() (int, []string, error), error) {
		cr := csv.NewReader(bytes.NewReader(text))
		cr.Comma = comma
		cr.FieldsPerRecord = -1 // ragged rows are fine; fileRows checks against the header
		return func() (int, []string, error) {
			rec, err := cr.Read()
			if err != nil {
				var pe *csv.ParseError
				switch {
				case err == io.EOF:
					return 0, nil, err
				case errors.As(err, &pe):
					return 0, nil, invalid("%s:%d:%d: %v", "%s:%d:%d：CSV 格式错误：%v", name, pe.Line, pe.Column, pe.Err)
				}
				return 0, nil, fmt.Errorf("sheet: %s: %w", name, err)
			}
			for i := range rec {
				rec[i] = unquoteFormula(rec[i])
			}
			line, _ := cr.FieldPos(0)
			return line, rec, nil
		}, nil
	}, nil)
}

// decodeText turns the file bytes into UTF-8 text and picks the delimiter.
func decodeText(name string, b []byte) ([]byte, rune, error) {
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		b = b[len(utf8BOM):]
		if i := invalidUTF8(b); i >= 0 {
			return nil, 0, invalid("%s:%d: invalid UTF-8 byte 0x%02X", "%s:%d：无效的 UTF-8 字节 0x%02X", name, lineOf(b, i), b[i])
		}
		return b, ',', nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		// ExpectBOM picks the byte order from the BOM and strips it.
		s, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return nil, 0, invalid("%s: bad UTF-16 text: %v", "%s：UTF-16 文本有误：%v", name, err)
		}
		first, _, _ := bytes.Cut(s, []byte("\n"))
		if bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
			return s, '\t', nil
		}
		return s, ',', nil
	}

	badUTF8 := invalidUTF8(b)
	if badUTF8 < 0 {
		return b, ',', nil
	}
	// The decoder never fails: it writes U+FFFD for bytes that are not
	// GB18030, so that is what we look for.
	gb, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return nil, 0, fmt.Errorf("sheet: %s: %w", name, err)
	}
	badGB := bytes.IndexRune(gb, utf8.RuneError)
	if badGB < 0 {
		return gb, ',', nil
	}
	// Neither fits. Report the line where the encoding that explains more of
	// the file breaks: that is most likely the damaged spot. Decoding keeps
	// line breaks, so the line in gb is the line in the file.
	line := max(lineOf(b, badUTF8), lineOf(gb, badGB))
	return nil, 0, invalid("%s:%d: text is neither UTF-8 nor GBK/GB18030 (save as \"CSV UTF-8\")", "%s:%d：文本既不是 UTF-8 也不是 GBK/GB18030 编码（请另存为“CSV UTF-8”）", name, line)
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8,
// or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// lineOf returns the 1-based line of byte offset i.
func lineOf(b []byte, i int) int {
	return bytes.Count(b[:i], []byte("\n")) + 1
}

// writeCSV writes UTF-8 with a BOM: without it Excel on Chinese Windows
// reads the file as GBK and shows garbage. ReadCSV strips the BOM again.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // Windows line ends, for Notepad and old Excel
	cw.Write(header)
	cells := make([]string, len(header))
	for _, r := range rows {
		for i, c := range r {
			cells[i] = c
			if formula(c) {
				cells[i] = "'" + c
			}
		}
		cw.Write(cells[:len(r)])
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	return nil
}

// formula reports whether a spreadsheet would take cell for a formula: it
// begins with '=', '+', '-', '@', a tab or a carriage return (OWASP's list)
// and is not a plain number such as "-3.5". A cell that begins with the
// quote that neutralises such a cell counts too, so that the quote a
// person wrote survives the round trip. See decision 0011.
func formula(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !numberRE.MatchString(cell)
	case '\'':
		return formula(cell[1:])
	}
	return false
}

var numberRE = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// unquoteFormula takes off the quote that writeCSV put before a formula.
func unquoteFormula(cell string) string {
	if strings.HasPrefix(cell, "'") && formula(cell[1:]) {
		return cell[1:]
	}
	return cell
}
