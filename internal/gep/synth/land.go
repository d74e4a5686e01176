package synth

import (
	"math"
	"slices"
	"sync"

	"ecoindustry/internal/raster"
)

// Class is a land-cover class of the synthetic land cover, with the
// parameters its tables give it.
type Class struct {
	Code         int
	Name, NameEn string
	Share        float64 // of the city's pixels
	// Carbon pools, Mg C/ha (InVEST's carbon table).
	Above, Below, Soil, Dead float64
	// InVEST's biophysical table: crop coefficient, root depth (mm),
	// vegetated; RUSLE's cover and practice factors.
	Kc, RootDepth float64
	Veg           bool
	USLEC, USLEP  float64
}

// Classes are the land-cover classes, coded after the first and second
// levels of the Chinese Academy of Sciences' land-use classification
// (11 paddy field, 21 forest, 22 shrub, 31 grassland, 41 water, 51 urban
// and rural built-up land) [unverified: general knowledge]. The shares
// are those of the InVEST baseline's synthetic Lishui (reference gep.md
// §6: 80 % forest, 4 % shrub, 3 % grass, 7 % crop, 2 % water, 4 %
// built-up), forest close to Lishui's published cover of 80.79 % (§2.1).
// Pools, Kc, root depths and the RUSLE factors are typical values for a
// subtropical mountain region, chosen for the demo, not taken from a
// source: replace them with measured ones for a real account.
var Classes = []Class{
	{Code: 11, Name: "耕地", NameEn: "cropland (paddy)", Share: 0.07, Above: 3, Below: 1, Soil: 60, Kc: 0.75, RootDepth: 600, Veg: true, USLEC: 0.18, USLEP: 0.35},
	{Code: 21, Name: "林地", NameEn: "forest", Share: 0.80, Above: 55, Below: 12, Soil: 85, Dead: 4, Kc: 1, RootDepth: 5000, Veg: true, USLEC: 0.006, USLEP: 1},
	{Code: 22, Name: "灌木林", NameEn: "shrubland", Share: 0.04, Above: 15, Below: 6, Soil: 60, Dead: 2, Kc: 0.9, RootDepth: 2500, Veg: true, USLEC: 0.03, USLEP: 1},
	{Code: 31, Name: "草地", NameEn: "grassland", Share: 0.03, Above: 2, Below: 4, Soil: 55, Dead: 1, Kc: 0.8, RootDepth: 1500, Veg: true, USLEC: 0.05, USLEP: 1},
	{Code: 41, Name: "水域", NameEn: "water", Share: 0.02, Kc: 1, RootDepth: 1, USLEC: 0, USLEP: 1},
	{Code: 51, Name: "建设用地", NameEn: "built-up", Share: 0.04, Soil: 20, Kc: 0.3, RootDepth: 1, USLEC: 0.01, USLEP: 1},
}

const (
	crop, forest, shrub, grass, water, built = 0, 1, 2, 3, 4, 5
	outside                                  = 255
)

// land is the synthetic city: per pixel its county (index, or outside),
// elevation (m), slope (degrees) and land-cover class (index).
type land struct {
	g      raster.Grid
	seed   uint64
	cs     []county
	zone   []uint8
	elev   []float32
	slope  []float32
	lulc   []uint8
	city   int
	counts [6]int // pixels by class
}

// newLand builds the city: counties by their boundaries, terrain, then
// land cover allotted by ranks to the classes' shares.
func newLand(g raster.Grid, seed uint64, cs []county) *land {
	n := g.Width * g.Height
	l := &land{g: g, seed: seed, cs: cs, zone: make([]uint8, n), elev: make([]float32, n), slope: make([]float32, n), lulc: make([]uint8, n)}
	l.rasterize()
	rows(g.Height, func(y int) {
		for x := range g.Width {
			l.elev[y*g.Width+x] = float32(l.elevation(l.xy(x, y)))
		}
	})
	rows(g.Height, func(y int) {
		for x := range g.Width {
			l.slope[y*g.Width+x] = float32(l.slopeAt(x, y))
		}
	})
	l.allot()
	return l
}

// rows runs f on every row, the rows split between two goroutines.
func rows(h int, f func(y int)) {
	var wg sync.WaitGroup
	for part := range 2 {
		wg.Go(func() {
			for y := part; y < h; y += 2 {
				f(y)
			}
		})
	}
	wg.Wait()
}

// xy is the map coordinates of the centre of pixel (x, y).
func (l *land) xy(x, y int) (float64, float64) {
	t := l.g.Transform
	return t[0] + (float64(x)+0.5)*t[1], t[3] + (float64(y)+0.5)*t[5]
}

// rasterize sets each pixel's county: the county whose boundary holds the
// pixel's centre (even-odd, at the edges as gdal_rasterize does).
func (l *land) rasterize() {
	w := l.g.Width
	for i := range l.zone {
		l.zone[i] = outside
	}
	var xs []float64
	for ci, c := range l.cs {
		for y := range l.g.Height {
			cy := float64(y) + 0.5
			xs = xs[:0]
			for _, r := range c.rings {
				for i := 0; i+1 < len(r); i++ {
					a, b := r[i], r[i+1]
					if a[1] > b[1] {
						a, b = b, a
					}
					if cy >= a[1] && cy < b[1] {
						xs = append(xs, a[0]+(cy-a[1])*(b[0]-a[0])/(b[1]-a[1]))
					}
				}
			}
			slices.Sort(xs)
			for i := 0; i+1 < len(xs); i += 2 {
				lo := max(int(math.Floor(xs[i]-0.5))+1, 0)
				hi := min(int(math.Floor(xs[i+1]-0.5))+1, w)
				for x := lo; x < hi; x++ {
					if l.zone[y*w+x] == outside {
						l.zone[y*w+x] = uint8(ci)
					}
				}
			}
		}
	}
}

// elevation is the terrain at (x, y) in metres: fractal relief (value
// noise summed over octaves, half of it ridged), higher in the south-west
// (Longquan, Qingyuan) and lower towards the Ou river's valleys in the
// north-east and east, as Lishui's mountains are; valleys flattened by a
// power. Range about 50 to 1,600 m (Lishui's highest peak is about 1,930 m [unverified]).
func (l *land) elevation(x, y float64) float64 {
	t := l.g.Transform
	w, h := float64(l.g.Width)*t[1], float64(l.g.Height)*-t[5]
	u := ((x-t[0])/w + (y-(t[3]-h))/h) / 2 // 0 south-west … 1 north-east
	trend := 1 - 0.55*u
	f := 0.5 + 0.5*fbm(l.seed, x, y, 30000, 8, 0.66, 0)
	r := ridged(l.seed, x, y, 20000, 7, 0.66, 1)
	relief := clamp((0.5*f+0.5*r-0.2)/0.6, 0, 1)
	e := 15 + 2000*trend*math.Pow(relief, 1.2)
	return math.Min(1929, e)
}

// slopeAt is the slope in degrees at pixel (x, y) by Horn's method, the
// edges taking their inside neighbours.
func (l *land) slopeAt(x, y int) float64 {
	w, h := l.g.Width, l.g.Height
	e := func(i, j int) float64 {
		i, j = min(max(i, 0), w-1), min(max(j, 0), h-1)
		return float64(l.elev[j*w+i])
	}
	dzdx := ((e(x+1, y-1) + 2*e(x+1, y) + e(x+1, y+1)) - (e(x-1, y-1) + 2*e(x-1, y) + e(x-1, y+1))) / (8 * l.g.Transform[1])
	dzdy := ((e(x-1, y+1) + 2*e(x, y+1) + e(x+1, y+1)) - (e(x-1, y-1) + 2*e(x, y-1) + e(x+1, y-1))) / (8 * -l.g.Transform[5])
	return math.Atan(math.Hypot(dzdx, dzdy)) * 180 / math.Pi
}

// allot gives each pixel of the city a class: water along the lines where
// a noise field crosses zero (rivers), denser low down; built-up land and
// cropland on the lowest, flattest ground left; grassland on the highest
// ridges (mountain meadows); shrubland in patches of another noise; forest
// the rest. Each class takes its share of the city by rank.
func (l *land) allot() {
	w := l.g.Width
	for i, z := range l.zone {
		if z == outside {
			l.lulc[i] = outside
			continue
		}
		l.lulc[i] = forest
		l.city++
	}
	score := make([]float32, len(l.zone)) // float32: 4 bytes a pixel, 136 MB at 30 m
	take := func(class int, f func(x, y, e, s float64) float64) {
		lo, hi := math.Inf(1), math.Inf(-1)
		rows(l.g.Height, func(yy int) {
			for xx := range w {
				k := yy*w + xx
				if l.lulc[k] != forest {
					continue
				}
				x, y := l.xy(xx, yy)
				score[k] = float32(f(x, y, float64(l.elev[k]), float64(l.slope[k])))
			}
		})
		for k, c := range l.lulc {
			if c == forest {
				lo, hi = math.Min(lo, float64(score[k])), math.Max(hi, float64(score[k]))
			}
		}
		// The threshold by a histogram of the scores: the lowest scores
		// take the class until its share is reached.
		const bins = 1 << 16
		var hist [bins]int
		bin := func(v float64) int { return min(int((v-lo)/(hi-lo)*bins), bins-1) }
		for k, c := range l.lulc {
			if c == forest {
				hist[bin(float64(score[k]))]++
			}
		}
		want := int(math.Round(Classes[class].Share * float64(l.city)))
		cut, got := 0, 0
		for cut < bins && got+hist[cut] <= want {
			got += hist[cut]
			cut++
		}
		for k, c := range l.lulc {
			if c == forest && bin(float64(score[k])) < cut {
				l.lulc[k] = uint8(class)
			}
		}
	}
	take(water, func(x, y, e, _ float64) float64 {
		return math.Abs(fbm(l.seed, x, y, 12000, 4, 0.5, 2)) * (1 + e/300)
	})
	take(built, func(x, y, e, s float64) float64 { return e + 12*s + 150*fbm(l.seed, x, y, 4000, 3, 0.5, 3) })
	take(crop, func(x, y, e, s float64) float64 { return e + 15*s + 120*fbm(l.seed, x, y, 3000, 3, 0.5, 4) })
	take(grass, func(x, y, e, _ float64) float64 { return -e + 200*fbm(l.seed, x, y, 2000, 3, 0.5, 5) })
	take(shrub, func(x, y, _, s float64) float64 { return fbm(l.seed, x, y, 1500, 4, 0.5, 6) - s/60 })
	for _, c := range l.lulc {
		if c != outside {
			l.counts[c]++
		}
	}
}

// shares are the classes' shares of the city's pixels, by code.
func (l *land) shares() map[int]float64 {
	m := map[int]float64{}
	for i, c := range Classes {
		m[c.Code] = float64(l.counts[i]) / float64(l.city)
	}
	return m
}

// in returns f at pixel k inside the city, NaN outside.
func (l *land) in(f func(k int) float64) func(k int) float64 {
	return func(k int) float64 {
		if l.zone[k] == outside {
			return math.NaN()
		}
		return f(k)
	}
}

// noise is a field of about -1 to 1 at pixel k's centre, wavelength m.
func (l *land) noise(k int, wavelength float64, octave uint64) float64 {
	x, y := l.xy(k%l.g.Width, k/l.g.Width)
	return fbm(l.seed, x, y, wavelength, 3, 0.5, octave)
}

// rasters are the layers Write writes.
func (l *land) rasters() []layer {
	res := l.g.Transform[1]
	precip := func(k int) float64 {
		return clamp(1450+0.4*float64(l.elev[k])+90*l.noise(k, 25000, 10), 1400, 2200)
	}
	return []layer{
		{"lulc.tif", "land cover, codes of landcover_classes.csv", l.in(func(k int) float64 { return float64(Classes[l.lulc[k]].Code) })},
		{"zones.tif", "county (GB/T 2260 code)", l.in(func(k int) float64 { return l.cs[l.zone[k]].code })},
		{"dem.tif", "elevation (m)", l.in(func(k int) float64 { return float64(l.elev[k]) })},
		{"slope.tif", "slope (degrees)", l.in(func(k int) float64 { return float64(l.slope[k]) })},
		// Lishui's annual precipitation, about 1,400 to 2,200 mm, more
		// on the mountains (the task's brief; gep.md §6's baseline used
		// 1,500–1,900 mm) [unverified against a yearbook].
		{"precip.tif", "annual precipitation (mm)", l.in(precip)},
		// ET0 900–1,000 mm as gep.md §6's baseline, less on the heights.
		{"et0.tif", "reference evapotranspiration (mm/yr)", l.in(func(k int) float64 {
			return clamp(1000-0.06*float64(l.elev[k])+20*l.noise(k, 20000, 11), 880, 1020)
		})},
		{"soil_depth.tif", "depth to the root-restricting layer (mm)", l.in(func(k int) float64 {
			return clamp(1500-25*float64(l.slope[k])+250*l.noise(k, 5000, 12), 300, 2000)
		})},
		{"pawc.tif", "plant-available water content (fraction)", l.in(func(k int) float64 {
			return clamp(0.14+0.04*l.noise(k, 8000, 13)-0.001*float64(l.slope[k]), 0.06, 0.22)
		})},
		{"erosivity.tif", "RUSLE rainfall erosivity R (MJ mm / (ha h yr))", l.in(func(k int) float64 { return erosivity(precip(k)) })},
		{"erodibility.tif", "RUSLE soil erodibility K (t ha h / (ha MJ mm))", l.in(func(k int) float64 {
			return clamp(0.03+0.01*l.noise(k, 10000, 14), 0.015, 0.05)
		})},
		{"ls.tif", "RUSLE slope length and steepness LS, per pixel without routing", l.in(func(k int) float64 {
			return lsFactor(float64(l.slope[k]), res)
		})},
	}
}

func clamp(v, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, v)) }

// erosivity is R from annual precipitation P (mm) by Renard and
// Freimund's (1994) regression, R = 587.8 − 1.219 P + 0.004105 P² above
// 850 mm, in MJ mm/(ha h yr) [unverified: general knowledge].
func erosivity(p float64) float64 {
	if p <= 850 {
		return 0.0483 * math.Pow(p, 1.61)
	}
	return 587.8 - 1.219*p + 0.004105*p*p
}

// lsFactor is RUSLE's LS of a pixel of slope s (degrees) whose slope
// length is the pixel's size (no flow accumulation): L = (λ/22.13)^m with
// InVEST's m by slope, S as InVEST's SDR (reference gep.md §4.3).
func lsFactor(s, cell float64) float64 {
	th := s * math.Pi / 180
	sin := math.Sin(th)
	pct := math.Tan(th) * 100
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
	S := 10.8*sin + 0.03
	if pct >= 9 {
		S = 16.8*sin - 0.5
	}
	return math.Pow(cell/22.13, m) * S
}
