package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/registry"
)

// The demo's annual figures (the per-mu evaluation's inputs, kind
// "annual"): synthetic, for FirstYear to LastYear, drawn around the
// published Huangyan benchmarks of 2022 (governance.md §1.3: 亩均税收
// 24.097 万元/亩, 亩均增加值 136.16 万元/亩, 2.694 万元/吨标煤, 4929.81 万元/吨,
// 18.14 万元/人, R&D 3.02 %; 规下 11.5932 万元/亩 and 0.2352 元/千瓦时), each
// industry more or less productive as the story has it (the leading
// industries above the old polluting ones), and consistent with the
// registry: the enterprise's land and employees, 规上 revenue at least
// 2,000 万元 (the 规上 threshold, reference README), 规下 below it, no year
// before its founding.
const (
	FirstYear = 2019
	LastYear  = 2023
)

// trait is how an industry differs from the benchmarks: q multiplies the
// per-mu figures, growth is its yearly growth, energy and emission its
// intensity (per value added) against the benchmark. Synthetic, chosen for
// the story (governance.md §4.2's growth ranking of 2021: digital, high-end
// equipment, fashion, health ahead).
type trait struct {
	prefix                  string
	q, growth, energy, emit float64
}

var traits = []trait{
	{"2925", 1.0, 0.06, 1.6, 2.0},   // synthetic leather, after its transformation
	{"1781", 0.7, 0.03, 1.3, 1.3},   // base fabric
	{"2651", 1.1, 0.07, 1.8, 1.8},   // PU resin
	{"3443", 0.9, 0.05, 1.1, 1.0},   // valves
	{"339", 0.55, 0.02, 2.5, 2.0},   // foundries
	{"3360", 0.6, -0.02, 1.5, 2.5},  // electroplating
	{"3312", 0.6, 0.0, 1.0, 1.2},    // doors
	{"2041", 0.5, 0.01, 1.2, 1.5},   // bamboo
	{"3032", 0.45, -0.03, 1.8, 1.5}, // stone
	{"31", 0.8, 0.04, 2.5, 1.8},     // steel
	{"3311", 0.8, 0.04, 1.5, 1.2},   // steel structures
	{"3562", 1.6, 0.18, 0.8, 0.6},   // semiconductor equipment
	{"397", 1.6, 0.16, 0.8, 0.6},    // integrated circuits
	{"398", 1.4, 0.14, 0.6, 0.6},    // electronic materials and parts
	{"39", 1.3, 0.12, 0.5, 0.5},     // other electronics
	{"348", 1.2, 0.10, 0.8, 0.8},    // precision parts
	{"367", 1.2, 0.10, 0.8, 0.8},    // auto parts
	{"27", 1.5, 0.09, 0.8, 1.0},     // pharmaceuticals
	{"358", 1.3, 0.10, 0.5, 0.5},    // medical devices
	{"3321", 0.9, 0.05, 1.0, 1.0},   // tools
	{"3421", 0.9, 0.05, 1.0, 1.0},   // machine tools
	{"1952", 0.7, 0.03, 0.8, 1.2},   // shoes
	{"18", 0.6, 0.02, 0.6, 0.8},     // apparel
	{"24", 0.8, 0.06, 0.8, 1.0},     // toys, sports goods, stationery
	{"3075", 0.7, 0.04, 2.0, 1.0},   // celadon
	{"2431", 0.6, 0.03, 0.8, 1.0},   // stone carving
	{"15", 0.7, 0.04, 0.8, 1.0},     // tea
	{"13", 0.6, 0.03, 0.8, 1.0},     // food
	{"2", 0.65, 0.03, 1.2, 1.2},     // wood, paper, chemicals, plastics
	{"30", 0.55, 0.01, 1.8, 1.2},    // building materials
}

func traitOf(code string) trait {
	for _, t := range traits {
		if strings.HasPrefix(code, t.prefix) {
			return t
		}
	}
	return trait{"", 0.75, 0.03, 1, 1}
}

// kwhPerTce is the electricity of a tonne of standard coal equivalent at
// 60 % of an enterprise's energy: 0.6 / 0.1229 kgce per kWh (equivalent
// value), an assumption of ours.
const kwhPerTce = 0.6 / 0.0001229

// annual makes the annual table of the generated enterprises, from a
// random stream of its own (the other tables do not change with it).
// Firms closed or relocated in the generated registry get figures for
// the years before 2020; Load cuts those of firms the campaigns close.
func (g *gen) annual() Table {
	t := Table{Kind: "annual", Header: []string{"uscc", "year", "tax", "value_added", "revenue", "energy_tce", "electricity_kwh",
		"emissions_t", "rd", "employees", "land_mu", "source", "parcel", "items"}}
	r := rand.New(rand.NewPCG(g.seed, 0x616e6e75616c)) // "annual"
	logn := func(s float64) float64 { return math.Exp(r.NormFloat64()*s - s*s/2) }
	for _, e := range g.ents {
		code := e.row[3]
		tr := traitOf(code)
		land, _ := strconv.ParseFloat(e.row[10], 64)
		employees, _ := strconv.Atoi(e.row[11])
		// The firm's own level and intensities in LastYear, then each year
		// back by its industry's growth and some noise.
		q := tr.q * logn(0.55)
		energy, emit := tr.energy*logn(0.4), tr.emit*logn(0.5)
		growth := tr.growth + r.NormFloat64()*0.04
		rdShare := iff(r.Float64() < 0.2, 0, 0.0302*min(tr.q, 1.6)*logn(0.6))
		last := LastYear
		if e.status == "closed" || e.status == "relocated" {
			last = 2019
		}
		for y := FirstYear; y <= last; y++ {
			if e.founded.Year() > y {
				continue
			}
			f := math.Pow(1+growth, float64(y-LastYear)) * logn(0.06)
			var tax, va, rev, tce, kwh float64
			if e.above {
				va = land * 136.16 * q * f
				rev = max(va/(0.22*logn(0.15)), 2000*(1.02+0.3*r.Float64()))
				va = min(va, rev*0.45)
				tax = va * 0.177 * logn(0.3)
				tce = va / 2.694 * energy
				kwh = tce * kwhPerTce * logn(0.2)
			} else {
				tax = land * 11.5932 * q * f
				kwh = tax * 1e4 / (0.2352 * logn(0.5)) / max(0.5, tr.q)
				rev = min(tax/(0.045*logn(0.2)), 1999*(0.5+0.49*r.Float64()))
				va = rev * 0.22 * logn(0.15)
				tce = kwh / kwhPerTce
			}
			em := 0.0
			if e.sec.prof != "" {
				em = va / 4929.81 * emit
			}
			emp := max(1, int(float64(employees)*(1+0.02*float64(y-LastYear))*logn(0.05)))
			t.Rows = append(t.Rows, []string{e.uscc, strconv.Itoa(y), ff(tax, 2), ff(va, 2), ff(rev, 2), ff(tce, 2), ff(kwh, 0),
				ff(em, 3), ff(rev*rdShare, 2), strconv.Itoa(emp), "", iff(e.above, "统计", "税务"), "", ""})
		}
	}
	return t
}

// activeYears returns the annual table without the years after a stored
// enterprise closed or moved away: the Jinyun campaign's closures were
// done by 2016 (jinyun.go), before any of the demo's years; others (the
// 2020–2022 "四无" campaign, or closed in the generated registry) keep
// their years before 2020.
func activeYears(ctx context.Context, r registry.Reader, t Table) (Table, error) {
	stored, _, err := r.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		return t, err
	}
	gone := map[string]int{} // USCC → first year without figures
	for _, e := range stored {
		if e.Status == "closed" || e.Status == "relocated" {
			gone[e.USCC] = iff(e.County == jinyunCounty && inIndustries(e.IndustryCode, jinyunIndustries), 2016, 2020)
		}
	}
	out := Table{Kind: t.Kind, Header: t.Header}
	out.Rows = slices.DeleteFunc(slices.Clone(t.Rows), func(row []string) bool {
		y, ok := gone[row[0]]
		return ok && row[1] >= strconv.Itoa(y)
	})
	return out, nil
}
