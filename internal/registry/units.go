package registry

import "strings"

// LishuiCity is the GB/T 2260 code of Lishui.
const LishuiCity = "331100"

// LishuiUnits are the city and its nine county-level units with their
// GB/T 2260 codes, areas (km²) and 2020 census populations
// (shared/reference/governance.md §6). Migrations seed them.
var LishuiUnits = []AdminUnit{
	{Code: LishuiCity, Name: "丽水市", NameEn: "Lishui", Level: "city", AreaKm2: 17298, Population: 2507396},
	{Code: "331102", Name: "莲都区", NameEn: "Liandu", Level: "county", Parent: LishuiCity, AreaKm2: 1494, Population: 562116},
	{Code: "331121", Name: "青田县", NameEn: "Qingtian", Level: "county", Parent: LishuiCity, AreaKm2: 2477, Population: 509053},
	{Code: "331122", Name: "缙云县", NameEn: "Jinyun", Level: "county", Parent: LishuiCity, AreaKm2: 1493, Population: 405318},
	{Code: "331123", Name: "遂昌县", NameEn: "Suichang", Level: "county", Parent: LishuiCity, AreaKm2: 2543, Population: 194385},
	{Code: "331124", Name: "松阳县", NameEn: "Songyang", Level: "county", Parent: LishuiCity, AreaKm2: 1401, Population: 204880},
	{Code: "331125", Name: "云和县", NameEn: "Yunhe", Level: "county", Parent: LishuiCity, AreaKm2: 990, Population: 129216},
	{Code: "331126", Name: "庆元县", NameEn: "Qingyuan", Level: "county", Parent: LishuiCity, AreaKm2: 1895, Population: 142551},
	{Code: "331127", Name: "景宁畲族自治县", NameEn: "Jingning", Level: "county", Parent: LishuiCity, AreaKm2: 1938, Population: 111011},
	{Code: "331181", Name: "龙泉市", NameEn: "Longquan", Level: "county", Parent: LishuiCity, AreaKm2: 3040, Population: 248866},
}

// unitSuffixes are stripped to match a short name: 莲都 for 莲都区.
var unitSuffixes = []string{"畲族自治县", "自治县", "区", "县", "市"}

// FindUnit finds a unit by GB/T 2260 code, full or short Chinese name, or
// English name (any case).
func FindUnit(units []AdminUnit, s string) (AdminUnit, bool) {
	s = strings.TrimSpace(s)
	for _, u := range units {
		if s == u.Code || s == u.Name || strings.EqualFold(s, u.NameEn) || s == shortName(u.Name) {
			return u, true
		}
	}
	return AdminUnit{}, false
}

func shortName(name string) string {
	for _, suf := range unitSuffixes {
		if short, ok := strings.CutSuffix(name, suf); ok && short != "" {
			return short
		}
	}
	return name
}
