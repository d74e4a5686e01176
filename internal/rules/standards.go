// Package rules judges the monitoring data against the emission limits
// (issue 14, decision 0023): the standards' catalogue, the limit of an
// outlet and pollutant, exceedances found in the rollups and data gaps
// found in the loggers' latest frames, raised as alarms that officers
// acknowledge and resolve.
package rules

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
)

// Standard is one limit of an emission standard: a row of the catalogue.
type Standard struct {
	Standard string `json:"standard"` // GB 13271-2014 表2
	// Scope is where the row applies: "*" everywhere; a GB/T 4754-2017
	// code prefix ("3360"); "/KIND", outlets treated by a facility whose
	// kind contains KIND ("/燃气锅炉"); or both ("3391/冲天炉").
	Scope         string   `json:"scope"`
	SourceKind    string   `json:"source_kind"` // air, water: the outlet's kind
	PollutantCode string   `json:"pollutant_code"`
	Limit         float64  `json:"limit"`
	Unit          string   `json:"unit"`
	Basis         string   `json:"basis"` // hour_zs, day_avg, instant
	ReferenceO2   *float64 `json:"reference_o2"`
	EffectiveFrom string   `json:"effective_from"` // YYYY-MM-DD
	Source        string   `json:"source"`
	// Checked: the value was checked against the standard's text, not recalled.
	Checked bool `json:"checked"`
}

// Bases of comparison.
const (
	HourZs  = "hour_zs" // the hourly (converted) average
	DayAvg  = "day_avg" // the daily average
	Instant = "instant" // any value: the hour's maximum
)

//go:embed standards.csv
var builtIn []byte

// BuiltIn is the catalogue the binary carries: in force until one is imported.
func BuiltIn() []Standard {
	s, err := ParseStandards("standards.csv", builtIn)
	if err != nil {
		panic("rules: the built-in catalogue: " + err.Error()) // it is code: a bad one is a bug
	}
	return s
}

// columns are the catalogue's, in order.
var columns = []string{"standard", "scope", "source_kind", "pollutant_code", "limit", "unit", "basis", "reference_o2", "effective_from", "source", "checked"}

// ParseStandards reads a catalogue in CSV: all its rows, or a
// *registry.InvalidError with every problem at FILE:ROW:COLUMN.
func ParseStandards(file string, data []byte) ([]Standard, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	var (
		out      []Standard
		problems []registry.Problem
	)
	add := func(row int, col, en, zh string) {
		problems = append(problems, registry.Problem{File: file, Row: row, Column: col, En: en, Zh: zh})
	}
	head, err := r.Read()
	if err != nil {
		add(1, "", "no header row: "+errText(err), "缺少表头行")
		return nil, invalid(problems)
	}
	if strings.Join(head, ",") != strings.Join(columns, ",") {
		add(1, "", "the header must be "+strings.Join(columns, ","), "表头须为 "+strings.Join(columns, ","))
		return nil, invalid(problems)
	}
	seen := map[string]int{}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			add(row, "", "not CSV: "+errText(err), "不是有效的 CSV")
			break
		}
		if len(rec) != len(columns) {
			add(row, "", fmt.Sprintf("%d columns, want %d", len(rec), len(columns)), fmt.Sprintf("有 %d 列，应为 %d 列", len(rec), len(columns)))
			continue
		}
		v := map[string]string{}
		for i, c := range columns {
			v[c] = strings.TrimSpace(rec[i])
		}
		s := Standard{Standard: v["standard"], Scope: v["scope"], SourceKind: v["source_kind"], PollutantCode: v["pollutant_code"],
			Unit: v["unit"], Basis: v["basis"], EffectiveFrom: v["effective_from"], Source: v["source"]}
		if s.Standard == "" {
			add(row, "standard", "empty", "不能为空")
		}
		if !validScope(s.Scope) {
			add(row, "scope", fmt.Sprintf("%q is not *, an industry code prefix, /FACILITY or both", s.Scope), fmt.Sprintf("%q 不是 *、行业代码前缀、/设施类型或二者组合", s.Scope))
		}
		if s.SourceKind != "air" && s.SourceKind != "water" {
			add(row, "source_kind", fmt.Sprintf("%q is neither air nor water", s.SourceKind), fmt.Sprintf("%q 须为 air（废气）或 water（废水）", s.SourceKind))
		}
		if p, ok := hj212.LookupPollutant(s.PollutantCode); !ok {
			add(row, "pollutant_code", fmt.Sprintf("%q is no HJ 212-2017 pollutant code", s.PollutantCode), fmt.Sprintf("%q 不是 HJ 212-2017 污染物编码", s.PollutantCode))
		} else if _, ok := convert(1, p.Unit, s.Unit); !ok {
			add(row, "unit", fmt.Sprintf("%q: %s is measured in %s, and one does not convert to the other", s.Unit, s.PollutantCode, p.Unit),
				fmt.Sprintf("%q：%s 的监测单位为 %s，无法换算", s.Unit, s.PollutantCode, p.Unit))
		}
		if x, err := strconv.ParseFloat(v["limit"], 64); err != nil || x <= 0 {
			add(row, "limit", fmt.Sprintf("%q is not a positive number", v["limit"]), fmt.Sprintf("%q 不是正数", v["limit"]))
		} else {
			s.Limit = x
		}
		if s.Basis != HourZs && s.Basis != DayAvg && s.Basis != Instant {
			add(row, "basis", fmt.Sprintf("%q is not hour_zs, day_avg or instant", s.Basis), fmt.Sprintf("%q 须为 hour_zs、day_avg 或 instant", s.Basis))
		}
		if o2 := v["reference_o2"]; o2 != "" {
			x, err := strconv.ParseFloat(o2, 64)
			if err != nil || x < 0 || x >= 21 {
				add(row, "reference_o2", fmt.Sprintf("%q is not a percentage below 21", o2), fmt.Sprintf("%q 不是小于 21 的百分数", o2))
			}
			s.ReferenceO2 = &x
		}
		if _, err := time.Parse("2006-01-02", s.EffectiveFrom); err != nil {
			add(row, "effective_from", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s.EffectiveFrom), fmt.Sprintf("%q 不是日期（YYYY-MM-DD）", s.EffectiveFrom))
		}
		switch v["checked"] {
		case "true":
			s.Checked = true
		case "false":
		default:
			add(row, "checked", fmt.Sprintf("%q is neither true nor false", v["checked"]), fmt.Sprintf("%q 须为 true 或 false", v["checked"]))
		}
		key := s.Scope + "|" + s.SourceKind + "|" + s.PollutantCode + "|" + s.EffectiveFrom
		if first, ok := seen[key]; ok {
			add(row, "effective_from", fmt.Sprintf("row %d already sets this scope, kind and pollutant from this date", first),
				fmt.Sprintf("第 %d 行已规定同一范围、类别和污染物自该日起的限值", first))
		}
		seen[key] = row
		out = append(out, s)
	}
	if len(problems) > 0 {
		return nil, invalid(problems)
	}
	if len(out) == 0 {
		add(2, "", "no rows: a catalogue without limits judges nothing", "没有数据行：空的标准目录无法判定")
		return nil, invalid(problems)
	}
	return out, nil
}

func errText(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func invalid(ps []registry.Problem) error {
	total := len(ps)
	if len(ps) > registry.MaxProblems {
		ps = ps[:registry.MaxProblems]
	}
	return &registry.InvalidError{Problems: ps, Total: total}
}

// validScope: "*", or an industry prefix of digits and/or "/KIND".
func validScope(s string) bool {
	if s == "*" {
		return true
	}
	ind, fac, hasFac := strings.Cut(s, "/")
	if ind == "" && (!hasFac || fac == "") || hasFac && fac == "" {
		return false
	}
	for _, r := range ind {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(ind) <= 4
}

// units are the spellings of a unit and its factor to the first.
var units = map[string]struct {
	base   string
	factor float64
}{
	"mg/m3": {"mg/m3", 1}, "mg/m³": {"mg/m3", 1}, "mg/Nm3": {"mg/m3", 1}, "µg/m3": {"mg/m3", 0.001}, "ug/m3": {"mg/m3", 0.001}, "μg/m3": {"mg/m3", 0.001},
	"mg/L": {"mg/L", 1}, "mg/l": {"mg/L", 1}, "µg/L": {"mg/L", 0.001}, "ug/L": {"mg/L", 0.001}, "μg/L": {"mg/L", 0.001},
}

// convert returns v, in unit from, in unit to; false where the catalogue
// does not know one of them or they measure different things.
func convert(v float64, from, to string) (float64, bool) {
	if from == to && from != "" {
		return v, true
	}
	f, okf := units[from]
	t, okt := units[to]
	if !okf || !okt || f.base != t.base {
		return 0, false
	}
	return v * f.factor / t.factor, true
}
