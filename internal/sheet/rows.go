package sheet

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxRows is the most data rows a file may have: twice the largest
// registry file we expect (100,000 enterprises). An import keeps every
// record it parsed until it commits, so this bounds its memory.
const MaxRows = 200_000

// Rows reads a file's data rows one at a time, after its header, so that
// a large file is never held whole as a Table. Use it as
//
//	for rows.Next() { row := rows.Row() … }
//	if err := rows.Err(); …
type Rows struct {
	File      string   // path as given, for error messages
	Header    []string // trimmed header cells
	HeaderNum int      // the header's row number in the file

	start func() (func() (Row, error), error) // reads again from the first data row
	next  func() (Row, error)                 // io.EOF after the last
	close func() error
	row   Row
	err   error
}

// Next advances to the next data row, reporting false at the end or on
// an error (see Err).
func (r *Rows) Next() bool {
	if r.err != nil || r.next == nil {
		return false
	}
	row, err := r.next()
	if err != nil {
		r.next = nil
		if err != io.EOF {
			r.err = err
		}
		return false
	}
	r.row = row
	return true
}

// Row returns the current data row.
func (r *Rows) Row() Row { return r.row }

// Err returns what stopped Next early, if anything.
func (r *Rows) Err() error { return r.err }

// Rewind starts again at the first data row: a transaction that is run
// again reads its file again.
func (r *Rows) Rewind() error {
	next, err := r.start()
	r.next, r.err = next, err
	return err
}

// Close frees what reading holds (an XLSX file's extracted sheets).
func (r *Rows) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

// Table reads the remaining rows into a Table, and closes r.
func (r *Rows) Table() (*Table, error) {
	defer r.Close()
	t := &Table{File: r.File, Header: r.Header}
	for r.Next() {
		t.Rows = append(t.Rows, r.Row())
	}
	if r.err != nil {
		return nil, r.err
	}
	return t, nil
}

// Scan returns the rows of a table in memory, as they are.
func (t *Table) Scan() *Rows {
	num := 1
	if len(t.Rows) > 0 {
		num = t.Rows[0].Num - 1
	}
	r := &Rows{File: t.File, Header: t.Header, HeaderNum: num}
	r.start = func() (func() (Row, error), error) {
		i := 0
		return func() (Row, error) {
			if i == len(t.Rows) {
				return Row{}, io.EOF
			}
			i++
			return t.Rows[i-1], nil
		}, nil
	}
	r.Rewind()
	return r
}

// fileRows makes Rows over a file's raw rows: open starts reading them
// from the first, and each call of the function it returns gives the next
// with its row number, io.EOF after the last. The first non-blank row is
// the header. Cells are trimmed and trailing blank cells dropped, because
// Excel leaves them behind ("a,b,,") after a column was formatted or
// cleared; blank rows are skipped but numbering stays true to the file;
// only real content beyond the header is an error.
func fileRows(name string, open func() (func() (int, []string, error), error), close func() error) (*Rows, error) {
	r := &Rows{File: name, close: close}
	r.start = func() (func() (Row, error), error) {
		raw, err := open()
		if err != nil {
			return nil, err
		}
		for {
			num, cells, err := raw()
			if err == io.EOF {
				return nil, invalid("%s: empty file (no header row)", "%s：文件为空（没有表头行）", name)
			}
			if err != nil {
				return nil, err
			}
			if cells = trim(cells); len(cells) > 0 {
				r.Header, r.HeaderNum = cells, num
				break
			}
		}
		n := 0
		return func() (Row, error) {
			for {
				num, cells, err := raw()
				if err != nil {
					return Row{}, err
				}
				cells = trim(cells)
				switch {
				case len(cells) == 0:
					continue
				case len(cells) > len(r.Header):
					return Row{}, invalid("%s:%d: row has %d cells but the header has %d", "%s:%d：此行有 %d 个单元格，而表头只有 %d 列", name, num, len(cells), len(r.Header))
				case n == MaxRows:
					return Row{}, invalid("%s:%d: more than %d data rows: split the file", "%s:%d：数据超过 %d 行，请拆分文件后分批导入", name, num, MaxRows)
				}
				n++
				for len(cells) < len(r.Header) {
					cells = append(cells, "")
				}
				return Row{Num: num, Cells: cells}, nil
			}
		}, nil
	}
	if err := r.Rewind(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// trim trims every cell and drops the trailing blank ones.
func trim(cells []string) []string {
	n := 0
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			n = i + 1
		}
	}
	return cells[:n]
}

// Open opens a .csv or .xlsx file, chosen by extension (case-insensitive),
// for reading row by row.
func Open(path string) (*Rows, error) {
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
	// Both readers take what they need from the file before they return.
	defer f.Close()
	if ext == ".csv" {
		return OpenCSV(path, f)
	}
	return OpenXLSX(path, f)
}

// Read reads a .csv or .xlsx file, chosen by extension, whole.
func Read(path string) (*Table, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	return r.Table()
}
