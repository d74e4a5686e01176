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
