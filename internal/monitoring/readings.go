package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"ecoindustry/internal/hj212"
)

// Prepare works out what the store needs of a frame besides the frame
// itself: its key, its content hash and its readings as JSON. The writer
// has it done in the connection's goroutine, before the frame joins a
// batch, so that the one goroutine that writes does less. It does nothing
// the second time.
func (r *Received) Prepare() {
	if r.Hash != "" {
		return
	}
	r.Hash = Hash(r.Raw)
	r.Key = KeyOf(r)
	r.Vals = string(AppendReadings(nil, r.Frame))
}

// AppendReadings appends the frame's readings as a JSON array, one object
// per pollutant in frame order, with the fields of monitoring.Reading it
// carries (code, unit, flag, rtd, avg, min, max, cou, zs_rtd, zs_avg).
// Text fields and numbers that are not finite stay in the raw frame only.
func AppendReadings(b []byte, f *hj212.Frame) []byte {
	b = append(b, '[')
	for i := 0; i < len(f.Values); {
		code := f.Values[i].Code
		j := i
		for j < len(f.Values) && f.Values[j].Code == code {
			j++
		}
		// A pollutant's fields usually come together; one that comes back
		// later in the frame joins its first run.
		if seenBefore(f.Values[:i], code) {
			i = j
			continue
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendString(b, code)
		unit, flag := "", ""
		for _, v := range f.Values[i:] {
			if v.Code != code {
				continue
			}
			if flag == "" {
				flag = v.Flag
			}
			if unit == "" && !v.IsText {
				unit = v.Unit
			}
		}
		b = append(b, `,"unit":`...)
		b = appendString(b, unit)
		b = append(b, `,"flag":`...)
		b = appendString(b, flag)
		for _, v := range f.Values[i:] {
			if v.Code != code || v.IsText || math.IsInf(v.Value, 0) || math.IsNaN(v.Value) {
				continue
			}
			name := readingField[v.Field]
			if name == "" {
				continue
			}
			b = append(b, ',', '"')
			b = append(b, name...)
			b = append(b, '"', ':')
			b = strconv.AppendFloat(b, v.Value, 'g', -1, 64)
		}
		b = append(b, '}')
		i = j
	}
	return append(b, ']')
}

// readingField names the JSON key of each numeric field a reading keeps.
var readingField = map[string]string{"Rtd": "rtd", "Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou", "ZsRtd": "zs_rtd", "ZsAvg": "zs_avg"}

func seenBefore(vs []hj212.Value, code string) bool {
	for _, v := range vs {
		if v.Code == code {
			return true
		}
	}
	return false
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, r)...)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
