// Package hj212 is the HJ 212 protocol of online monitoring data loggers
// (HJ 212-2017, with HJ/T 212-2005 and HJ 212-2025 frames): its code
// tables, decoding and encoding frames, the platform's answers, joining
// split packets and cutting a TCP stream into frames. It does no I/O.
//
// The facts it relies on, with their sources, are in
// shared/reference/hj212/PROTOCOL.md; comments cite its sections and the
// standard's tables.
package hj212

// Pollutant is one pollutant code of HJ 212-2017 Appendix B with the 2005
// code it replaced and its default units.
type Pollutant struct {
	Code     string // HJ 212-2017
	Code2005 string // HJ/T 212-2005, "" where the 2005 table has none
	Name     string // Chinese
	NameEn   string
	Unit     string // concentration or value
	CouUnit  string // cumulative quantity (-Cou), "" where none
	Medium   string // air (ST=31) or water (ST=32)
}

// Pollutants are HJ 212-2017 Tables B.1 (flue gas) and B.2 (wastewater), as
// tabulated in shared/reference/hj212/PROTOCOL.md §1.8.
var Pollutants = []Pollutant{
	{"a00000", "B02", "废气流量", "flue-gas flow", "m3/s", "m3", "air"},
	{"a34013", "01", "烟尘", "smoke/dust", "mg/m3", "kg", "air"},
	{"a21026", "02", "二氧化硫", "SO2", "mg/m3", "kg", "air"},
	{"a21002", "03", "氮氧化物", "NOx", "mg/m3", "kg", "air"},
	{"a21003", "", "一氧化氮", "NO", "mg/m3", "", "air"},
	{"a21004", "", "二氧化氮", "NO2", "mg/m3", "", "air"},
	{"a21005", "04", "一氧化碳", "CO", "mg/m3", "", "air"},
	{"a19001", "S01", "氧气含量", "O2", "%", "", "air"},
	{"a01011", "S02", "烟气流速", "flue-gas velocity", "m/s", "", "air"},
	{"a01012", "S03", "烟气温度", "flue-gas temperature", "℃", "", "air"},
	{"a01013", "S08", "烟气压力", "flue-gas pressure", "kPa", "", "air"},
	{"a01014", "S05", "烟气湿度", "flue-gas humidity", "%", "", "air"},
	{"a01017", "S04", "烟道动压", "dynamic pressure", "kPa", "", "air"},
	{"a01016", "S07", "烟道截面积", "duct cross-section", "m2", "", "air"},
	{"a24088", "", "非甲烷总烃", "NMHC", "mg/m3", "kg", "air"},
	{"a24087", "25", "碳氢化合物", "hydrocarbons", "mg/m3", "kg", "air"},
	{"a25002", "", "苯", "benzene", "mg/m3", "kg", "air"},
	{"a25003", "17", "甲苯", "toluene", "mg/m3", "kg", "air"},
	{"a25005", "18", "二甲苯", "xylene", "mg/m3", "kg", "air"},
	{"a21024", "08", "氯化氢", "HCl", "mg/m3", "kg", "air"},
	{"a34040", "15", "铬酸雾", "chromic-acid mist", "mg/m3", "kg", "air"},
	{"a34039", "14", "硫酸雾", "sulfuric-acid mist", "mg/m3", "kg", "air"},
	{"a21018", "06", "氟化物", "fluoride", "mg/m3", "kg", "air"},
	{"a21017", "07", "氰化物", "cyanide", "mg/m3", "kg", "air"},
	{"a20057", "31", "汞及其化合物", "Hg and compounds", "mg/m3", "kg", "air"},
	{"a20058", "", "汞", "Hg", "ng/m3", "", "air"},
	{"a01010", "37", "林格曼黑度", "Ringelmann blackness", "", "", "air"},
	{"a01901", "", "垃圾焚烧炉膛内焚烧平均温度", "waste-incinerator furnace temperature, mean", "℃", "", "air"},
	{"a01902", "", "垃圾焚烧炉膛内DCS温度", "waste-incinerator furnace temperature, DCS", "℃", "", "air"},
	{"a26001", "", "苯胺类", "aniline", "mg/m3", "kg", "air"},
	{"w00000", "B01", "废水流量", "wastewater flow", "L/s", "m3", "water"},
	{"w01001", "001", "pH值", "pH", "", "", "water"},
	{"w01018", "011", "化学需氧量", "COD", "mg/L", "kg", "water"},
	{"w21003", "060", "氨氮", "NH3-N", "mg/L", "kg", "water"},
	{"w21011", "101", "总磷", "total P", "mg/L", "kg", "water"},
	{"w21001", "065", "总氮", "total N", "mg/L", "kg", "water"},
	{"w01012", "003", "悬浮物", "suspended solids", "mg/L", "kg", "water"},
	{"w01017", "010", "五日生化需氧量", "BOD5", "mg/L", "kg", "water"},
	{"w01002", "002", "色度", "colour", "倍", "", "water"},
	{"w22001", "080", "石油类", "petroleum oils", "mg/L", "kg", "water"},
	{"w23002", "110", "挥发酚", "volatile phenol", "mg/L", "kg", "water"},
	{"w21016", "070", "氰化物", "cyanide", "mg/L", "kg", "water"},
	{"w21017", "072", "氟化物", "fluoride", "mg/L", "kg", "water"},
	{"w21019", "071", "硫化物", "sulfide", "mg/L", "kg", "water"},
	{"w20116", "023", "总铬", "total Cr", "mg/L", "kg", "water"},
	{"w20117", "024", "六价铬", "Cr(VI)", "µg/L", "g", "water"},
	{"w20121", "028", "总镍", "total Ni", "mg/L", "kg", "water"},
	{"w20115", "022", "总镉", "total Cd", "µg/L", "g", "water"},
	{"w20120", "027", "总铅", "total Pb", "µg/L", "g", "water"},
	{"w20111", "020", "总汞", "total Hg", "µg/L", "g", "water"},
	{"w20119", "026", "总砷", "total As", "µg/L", "g", "water"},
	{"w20122", "029", "总铜", "total Cu", "mg/L", "kg", "water"},
	{"w20123", "030", "总锌", "total Zn", "mg/L", "kg", "water"},
	{"w20125", "032", "总铁", "total Fe", "mg/L", "kg", "water"},
	{"w20126", "033", "总银", "total Ag", "mg/L", "kg", "water"},
}

var byCode, by2005 = func() (map[string]Pollutant, map[string]Pollutant) {
	m := make(map[string]Pollutant, len(Pollutants))
	m2005 := make(map[string]Pollutant, len(Pollutants))
	for _, p := range Pollutants {
		m[p.Code] = p
		if p.Code2005 != "" {
			m2005[p.Code2005] = p
		}
	}
	return m, m2005
}()

// byCodeSet and by2005Set find the pollutant of a 2017 or a 2005 code for
// the decoder (see codeSet); with2017 and with2005 are their pollutants, in
// the sets' order.
var byCodeSet, with2017, by2005Set, with2005 = func() (*codeSet, []Pollutant, *codeSet, []Pollutant) {
	var codes, codes2005 []string
	var ps, ps2005 []Pollutant
	for _, p := range Pollutants {
		codes, ps = append(codes, p.Code), append(ps, p)
		if p.Code2005 != "" {
			codes2005, ps2005 = append(codes2005, p.Code2005), append(ps2005, p)
		}
	}
	return newCodeSet(codes), ps, newCodeSet(codes2005), ps2005
}()

// scale2005 is, for the pollutants whose default unit HJ 212-2017 changed,
// the power of ten that turns a value in the HJ/T 212-2005 unit into one in
// the 2017 unit. Table B.2 of 2017 gives these five heavy metals in µg/L
// (cumulative g, PROTOCOL.md §1.8); the 2005 table had mg/L (cumulative
// kg). The 2005 units are from one vendor's code list
// (lingkejia/bocon-operation-app src/lib/polcodeList05.js), not from the
// 2005 text: check them against it.
var scale2005 = map[string]int{"w20111": 3, "w20115": 3, "w20117": 3, "w20119": 3, "w20120": 3}

// unitOf returns the unit of a numeric pollutant field: the cumulative unit
// for Cou, else the concentration unit ("" for a field Table 4 does not name).
func unitOf(p Pollutant, field string) string {
	switch {
	case suffixKind(field) != suffixNumber:
		return ""
	case field == "Cou":
		return p.CouUnit
	}
	return p.Unit
}

// LookupPollutant returns the HJ 212-2017 pollutant with the given code.
func LookupPollutant(code string) (Pollutant, bool) {
	p, ok := byCode[code]
	return p, ok
}
