package gep

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/sheet"
)

// The physical quantities (功能量) of the regulating services a pixel
// gives, in the account's units; the zones' sums of them make the
// account (reference/gep.md §1.2).
const (
	qWater   = iota // water conserved, m³
	qSoil           // soil retained, t
	qFlood          // design storm retained by vegetation and soil, m³
	qCOD            // COD removed, t
	qNH3N           // NH₃-N removed, t
	qSO2            // SO₂ absorbed, t
	qNOx            // NOₓ absorbed, t
	qDust           // dust retained, t
	qCarbon         // carbon fixed, t C
	qOxygen         // oxygen released, t
	qClimate        // evapotranspiration's cooling and humidifying, kWh
	qArea           // area of the pixels counted, m²
	nQ
)

// The biophysical table's columns after lucode, in this order.
var bioColumns = []string{"Kc", "root_depth", "LULC_veg", "runoff_coef", "usle_c", "usle_p", "cn", "npp",
	"so2", "nox", "dust", "cod", "nh3n", "water"}

const (
	bKc = iota
	bRootDepth
	bVeg
	bRunoff // storm runoff as a share of precipitation, 0 to 1
	bUSLEC  // RUSLE cover factor C
	bUSLEP  // RUSLE practice factor P
	bCN     // SCS curve number, 0 to 100
	bNPP    // net primary production, t dry matter/ha/a
	bSO2    // uptake, kg/ha/a
	bNOx
	bDust
	bCOD  // removal, kg/ha/a
	bNH3N // removal, kg/ha/a
	bWater
)

// readBiophysical reads the GEP land-cover table and checks each value's
// range, naming FILE:ROW:COLUMN.
func readBiophysical(path string) (*table, error) {
	t, err := readTable(path, bioColumns)
	if err != nil {
		return nil, err
	}
	check := func(code int, row []float64) error {
		for i, c := range bioColumns {
			v, lo, hi := row[i], 0.0, math.Inf(1)
			switch i {
			case bVeg, bWater, bRunoff, bUSLEC, bUSLEP:
				hi = 1
			case bCN:
				lo, hi = 1e-9, 100
			}
			if (i == bVeg || i == bWater) && v != 0 && v != 1 {
				return invalid("%s: lucode %d: %s is %v, want 0 or 1", "%s：地类 %d：%s 为 %v，应为 0 或 1", path, code, c, v)
			}
			if v < lo || v > hi {
				return invalid("%s: lucode %d: %s is %v, outside %g to %g", "%s：地类 %d：%s 为 %v，超出 %g 至 %g", path, code, c, v, lo, hi)
			}
		}
		return nil
	}
	for code, row := range t.dense {
		if row != nil {
			if err := check(code, row); err != nil {
				return nil, err
			}
		}
	}
	for code, row := range t.other {
		if err := check(code, row); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Stats are a zone's figures from the statistics table: money in 万元
// (10⁴ yuan) as yearbooks print it, reservoir capacity in 万 m³, visitors
// in person-times (人次).
type Stats struct {
	GDP, Agriculture, Forestry, Husbandry, Fishery float64
	Visitors, TourismRevenue, ReservoirCapacity    float64
}

var statsColumns = []string{"gdp", "agriculture", "forestry", "husbandry", "fishery", "visitors", "tourism_revenue", "reservoir_capacity"}

func (s *Stats) field(i int) *float64 {
	return [...]*float64{&s.GDP, &s.Agriculture, &s.Forestry, &s.Husbandry, &s.Fishery, &s.Visitors, &s.TourismRevenue, &s.ReservoirCapacity}[i]
}

func (s *Stats) add(o Stats) {
	for i := range statsColumns {
		*s.field(i) += *o.field(i)
	}
}

// readStatistics reads the statistics table: a row per zone code (column
// zone) with statsColumns; an empty cell is a figure not reported (0).
func readStatistics(path string) (map[int64]Stats, error) {
	t, err := sheet.Read(path)
	if err != nil {
		return nil, err
	}
	cols := append([]string{"zone"}, statsColumns...)
	at := make([]int, len(cols))
	for i, c := range cols {
		at[i] = slices.IndexFunc(t.Header, func(h string) bool { return strings.EqualFold(h, c) })
		if at[i] < 0 {
			return nil, invalid("%s:1: no column %s (want %s)", "%s:1：缺少列 %s（应有 %s）", path, c, strings.Join(cols, ","))
		}
	}
	out := map[int64]Stats{}
	for _, r := range t.Rows {
		code, err := strconv.ParseInt(r.Cells[at[0]], 10, 64)
		if err != nil {
			return nil, invalid("%s:%d:zone: %q is not a zone code", "%s:%d:zone：%q 不是区划代码", path, r.Num, r.Cells[at[0]])
		}
		if _, dup := out[code]; dup {
			return nil, invalid("%s:%d:zone: %d appears twice", "%s:%d:zone：%d 重复", path, r.Num, code)
		}
		var s Stats
		for i, c := range statsColumns {
			cell := r.Cells[at[i+1]]
			if cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, invalid("%s:%d:%s: %q is not a number of 0 or more", "%s:%d:%s：%q 不是非负数", path, r.Num, c, cell)
			}
			*s.field(i) = v
		}
		out[code] = s
	}
	return out, nil
}

// readZoneTable reads a zone raster's table: code,name, in the order
// the account lists them.
func readZoneTable(path string) ([]Zone, error) {
	t, err := sheet.Read(path)
	if err != nil {
		return nil, err
	}
	ci := slices.IndexFunc(t.Header, func(h string) bool { return strings.EqualFold(h, "code") })
	ni := slices.IndexFunc(t.Header, func(h string) bool { return strings.EqualFold(h, "name") })
	if ci < 0 || ni < 0 {
		return nil, invalid("%s:1: want columns code,name", "%s:1：应有 code,name 两列", path)
	}
	var out []Zone
	seen := map[int64]bool{}
	for _, r := range t.Rows {
		code, err := strconv.ParseInt(r.Cells[ci], 10, 64)
		if err != nil || code > 1<<53 {
			return nil, invalid("%s:%d:code: %q is not a zone code", "%s:%d:code：%q 不是区划代码", path, r.Num, r.Cells[ci])
		}
		if seen[code] {
			return nil, invalid("%s:%d:code: %d appears twice", "%s:%d:code：%d 重复", path, r.Num, code)
		}
		seen[code] = true
		out = append(out, Zone{Code: code, Name: r.Cells[ni]})
	}
	return out, nil
}

// pixelQuantities adds to q the regulating services of one pixel of area
// a (m²) and land cover row b, from precipitation p, ET0, the depth to
// the root-restricting layer, PAWC (water), RUSLE's R, K, LS (soil) and
// NPP (t dry matter/ha/a). water and soil say whether those inputs are
// defined at the pixel; the quantities that need them are left out
// otherwise. It returns the pixel's quantities for its value rasters.
func pixelQuantities(b []float64, p, et0, depth, pawc, r, k, ls, npp float64, water, soil bool, a float64, par *Parameters) (q [nQ]float64) {
	ha := a / 1e4
	q[qArea] = a
	if water {
		// Water conservation, gep.md §1.2: Q = (P − R − ET)·A, storm runoff
		// R = runoff_coef·P, ET the actual evapotranspiration of InVEST's
		// Budyko (gep.md §4.1, the same Fractp as the water yield model).
		// A pixel that loses more than it gets conserves nothing: the
		// account does not carry negative conservation (decision 0030).
		aet := Fractp(b[bKc], et0, p, b[bRootDepth], depth, pawc, b[bVeg] == 1, par.Z) * p
		q[qWater] = max(0, p-b[bRunoff]*p-aet) / 1000 * a
		// Climate regulation, gep.md §1.2: the energy evapotranspiration
		// takes. Vegetation: heat q·ρ·ET over the cooling days, as
		// air-conditioner electricity, /(3600·R) (kWh); water surface:
		// E·ρ·q/3600 + E·γ (cooling plus a humidifier's electricity).
		// ρ = 1000 kg/m³, q = 2450 kJ/kg (gep.md §9.3).
		vol := aet / 1000 * a
		switch {
		case b[bWater] == 1:
			q[qClimate] = vol*1000*2450/3600 + vol*par.HumidifierKWh
		case b[bVeg] == 1:
			q[qClimate] = vol * 1000 * 2450 / (3600 * par.ACEfficiency) * par.CoolingDays / 365
		}
	}
	if soil {
		// Soil retention, gep.md §1.2 and §4.3: potential minus actual
		// erosion, R·K·LS − R·K·LS·C·P (t/ha/a) over the pixel's hectares.
		rkls := r * k * ls
		q[qSoil] = (rkls - rkls*b[bUSLEC]*b[bUSLEP]) * ha
	}
	// Flood regulation, gep.md §4.5 (SCS-CN, InVEST UFRM): the design
	// storm P retained, P − Q with S = 25400/CN − 254 and
	// Q = (P − 0.2S)²/(P + 0.8S) where P > 0.2S, 0 otherwise.
	s := 25400/b[bCN] - 254
	runoff := 0.0
	if ps := par.StormDepth; ps > 0.2*s {
		runoff = (ps - 0.2*s) * (ps - 0.2*s) / (ps + 0.8*s)
	}
	q[qFlood] = (par.StormDepth - runoff) / 1000 * a
	// Water and air purification, gep.md §1.2: removal and uptake rates per
	// land cover (kg/ha/a) over the pixel, in t.
	q[qCOD] = b[bCOD] * ha / 1000
	q[qNH3N] = b[bNH3N] * ha / 1000
	q[qSO2] = b[bSO2] * ha / 1000
	q[qNOx] = b[bNOx] * ha / 1000
	q[qDust] = b[bDust] * ha / 1000
	// Carbon sequestration and oxygen release from NPP, gep.md §1.2 and
	// §9.3: 1.63 t CO₂ and 1.19 t O₂ per t dry matter; t C = t CO₂·12/44.
	dm := npp * ha
	q[qCarbon] = 1.63 * dm * 12 / 44
	q[qOxygen] = 1.19 * dm
	return q
}

// lsFromSlope is RUSLE's LS of a pixel of side cell (m) and slope deg
// (degrees) without routing: InVEST SDR's Desmet and Govers LS (gep.md
// §4.3) with no upslope contributing area and the aspect term 1, so
// L = (cell/22.13)^m, and S = 10.8 sin θ + 0.03 below 9 % slope,
// 16.8 sin θ − 0.5 above; m = 0.2, 0.3, 0.4, 0.5 up to 1, 3.5, 5, 9 %,
// β/(1+β) above with β = (sin θ/0.0896)/(3 sin θ^0.8 + 0.56). Without the
// area that drains into a pixel it is a lower bound of the routed LS
// (the hillslope's own length only); give an ls raster where one is made.
func lsFromSlope(deg, cell float64) float64 {
	th := deg * math.Pi / 180
	sin, pct := math.Sin(th), math.Tan(th)*100
	s := 16.8*sin - 0.5
	if pct < 9 {
		s = 10.8*sin + 0.03
	}
	var m float64
	switch {
	case pct <= 1:
		m = 0.2
	case pct <= 3.5:
		m = 0.3
	case pct <= 5:
		m = 0.4
	case pct <= 9:
		m = 0.5
	default:
		b := (sin / 0.0896) / (3*math.Pow(sin, 0.8) + 0.56)
		m = b / (1 + b)
	}
	return math.Pow(cell/22.13, m) * s
}
