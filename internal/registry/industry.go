package registry

import (
	_ "embed"
	"encoding/csv"
	"strings"
	"sync"
)

// gbt4754 is the GB/T 4754-2017 classification, every four-digit class
// (../shared/reference/gbt4754-2017.csv, tabulated from a 2017-edition table).
//
//go:embed gbt4754-2017.csv
var gbt4754 string

var industries = sync.OnceValue(func() map[string]string {
	rows, err := csv.NewReader(strings.NewReader(gbt4754)).ReadAll()
	if err != nil {
		panic("registry: embedded GB/T 4754-2017 catalogue: " + err.Error())
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows[1:] { // section,division,group,class,level,code,name
		m[r[5]] = r[6]
	}
	return m
})

// IndustryName returns the Chinese name of a GB/T 4754-2017 code (section
// letter, division, group or class) and whether the code exists.
func IndustryName(code string) (string, bool) {
	n, ok := industries()[code]
	return n, ok
}

// IsIndustryClass reports whether code is a four-digit GB/T 4754-2017 class.
func IsIndustryClass(code string) bool {
	_, ok := industries()[code]
	return ok && len(code) == 4
}
