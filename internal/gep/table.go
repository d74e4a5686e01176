// Package gep computes ecosystem services the way InVEST 3.14.1 does:
// carbon storage and sequestration (carbon.go) and annual water yield
// (wateryield.go), over GeoTIFF rasters read and written band by band
// (band.go). It does no logging; errors name the file and the problem.
package gep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
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
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("gep: %s: header: %v", path, err)
	}
	want := append([]string{"lucode"}, cols...)
	at := make([]int, len(want))
	for i, w := range want {
		at[i] = -1
		for j, h := range header {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			if strings.EqualFold(h, w) {
				at[i] = j
			}
		}
		if at[i] < 0 {
			return nil, fmt.Errorf("gep: %s:1: no column %s (want %s)", path, w, strings.Join(want, ","))
		}
	}
	t := &table{name: path, dense: make([][]float64, 1<<16), other: map[int][]float64{}}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gep: %s: %v", path, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		vals := make([]float64, len(want))
		for i, j := range at {
			if j >= len(rec) {
				return nil, fmt.Errorf("gep: %s:%d:%s: missing", path, row, want[i])
			}
			s := strings.TrimSpace(rec[j])
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
