// Package gep computes ecosystem services the way InVEST 3.14.1 does:
// carbon storage and sequestration (carbon.go) and annual water yield
// (wateryield.go), over GeoTIFF rasters read and written band by band
// (band.go). It does no logging; errors name the file and the problem.
package gep

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/sheet"
)

// table is a land-cover table: for each lucode, the values of the asked
// columns in their order.
type table struct {
	name  string
	dense [][]float64 // codes 0 to 65535, nil where absent
	other map[int][]float64
}

// readTable reads a CSV with a header naming lucode and cols (in any order
// and case, other columns ignored), one row per land-cover code.
func readTable(path string, cols []string) (*table, error) {
	// sheet reads the file as the registry's imports do: UTF-8 with or
	// without BOM, GB18030 or UTF-16 from Chinese Excel, XLSX too, rows
	// numbered as the file's lines.
	sh, err := sheet.Read(path)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	want := append([]string{"lucode"}, cols...)
	at := make([]int, len(want))
	for i, w := range want {
		at[i] = slices.IndexFunc(sh.Header, func(h string) bool { return strings.EqualFold(h, w) })
		if at[i] < 0 {
			return nil, fmt.Errorf("gep: %s:1: no column %s (want %s)", path, w, strings.Join(want, ","))
		}
	}
	t := &table{name: path, dense: make([][]float64, 1<<16), other: map[int][]float64{}}
	for _, rec := range sh.Rows {
		row := rec.Num
		vals := make([]float64, len(want))
		for i, j := range at {
			s := rec.Cells[j]
			if s == "" {
				return nil, fmt.Errorf("gep: %s:%d:%s: missing", path, row, want[i])
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("gep: %s:%d:%s: %q is not a finite number", path, row, want[i], s)
			}
			vals[i] = v
		}
		code := int(vals[0])
		if float64(code) != vals[0] {
			return nil, fmt.Errorf("gep: %s:%d:lucode: %v is not an integer", path, row, vals[0])
		}
		if t.lookup(vals[0]) != nil {
			return nil, fmt.Errorf("gep: %s:%d:lucode: %d appears twice", path, row, code)
		}
		if code >= 0 && code < len(t.dense) {
			t.dense[code] = vals[1:]
		} else {
			t.other[code] = vals[1:]
		}
	}
	return t, nil
}

// lookup returns the row of land-cover code v, nil when the table has none.
func (t *table) lookup(v float64) []float64 {
	if v >= 0 && v < float64(len(t.dense)) && v == math.Trunc(v) {
		return t.dense[int(v)]
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return nil
	}
	return t.other[int(v)]
}
