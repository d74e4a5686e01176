// Package sheet reads and writes the tabular files (CSV and XLSX) that the
// registry import/export exchanges with environment bureau staff.
//
// Everything is text: callers get trimmed strings with the row numbers of
// the file, so that validation messages can point at the row a person sees
// in Excel.
package sheet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ecoindustry/internal/apperr"
)

// Table is a file's header and data rows as text, with the 1-based row
// numbers of the file (header is row 1 usually; blank rows are skipped but
// numbering stays true to the file).
type Table struct {
	File   string   // path as given, for error messages
	Header []string // trimmed header cells
	Rows   []Row
}

// Row is one non-blank data row.
type Row struct {
	Num   int      // 1-based row number in the file (for XLSX: the sheet row number; for CSV: the record's line number as encoding/csv reports it)
	Cells []string // trimmed; padded with "" up to len(Header)
}

// invalid is an error in a file that the person who gave it must mend: in
// English and in Chinese, which officials read first.
func invalid(en, zh string, args ...any) error {
	return apperr.Newf(apperr.Invalid, "sheet: "+en, zh, args...)
}

// Read reads a .csv or .xlsx file, chosen by extension (case-insensitive).
func Read(path string) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		// .xls and .txt land here too; naming what we accept tells the user
		// which "Save as" type to pick.
		return nil, invalid("%s: unsupported file type %q (want .csv or .xlsx)", "%s：不支持的文件类型 %q（应为 .csv 或 .xlsx）", path, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	defer f.Close()
	if ext == ".csv" {
		return ReadCSV(path, f)
	}
	return ReadXLSX(path, f)
}

// add appends one file row. The first non-blank row becomes the header.
// Trailing blank cells are dropped before counting, because Excel leaves
// them behind ("a,b,,") after a column was formatted or cleared; only real
// content beyond the header is an error.
func (t *Table) add(num int, cells []string) error {
	n := 0
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			n = i + 1
		}
	}
	cells = cells[:n]
	switch {
	case n == 0:
		return nil // blank row
	case t.Header == nil:
		t.Header = cells
		return nil
	case n > len(t.Header):
		return invalid("%s:%d: row has %d cells but the header has %d", "%s:%d：此行有 %d 个单元格，而表头只有 %d 列", t.File, num, n, len(t.Header))
	}
	for len(cells) < len(t.Header) {
		cells = append(cells, "")
	}
	t.Rows = append(t.Rows, Row{Num: num, Cells: cells})
	return nil
}

// done reports a file without any content as an error: there is nothing to
// map columns against.
func (t *Table) done() (*Table, error) {
	if t.Header == nil {
		return nil, invalid("%s: empty file (no header row)", "%s：文件为空（没有表头行）", t.File)
	}
	return t, nil
}

// Write writes header and rows as format "csv" or "xlsx". Every cell is
// written as text, so codes such as "0111" keep their leading zeros, and
// Read gives back exactly what was written (apart from trimming and blank
// rows, which Read drops).
func Write(w io.Writer, format string, header []string, rows [][]string) error {
	if len(header) == 0 {
		return errors.New("sheet: write: empty header")
	}
	for i, r := range rows {
		if len(r) > len(header) {
			// File row i+2: the header is row 1.
			return fmt.Errorf("sheet: write: row %d has %d cells but the header has %d", i+2, len(r), len(header))
		}
	}
	switch format {
	case "csv":
		return writeCSV(w, header, rows)
	case "xlsx":
		return writeXLSX(w, header, rows)
	}
	return fmt.Errorf("sheet: write: unknown format %q (want csv or xlsx)", format)
}
