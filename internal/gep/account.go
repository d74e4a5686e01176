package gep

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/raster"
)

// Account is a GEP run's result: the account of the region and of each
// zone, and how it was made.
type Account struct {
	Name       string        `json:"name"`
	Year       int           `json:"year"`
	PriceYear  int           `json:"price_year"`
	Zones      []ZoneAccount `json:"zones"` // the region first, then each level's zones in their files' order
	Rasters    []string      `json:"rasters"`
	Provenance Provenance    `json:"provenance"`
}

// Zone is a zone of a level: its code and name.
type Zone struct {
	Code int64  `json:"code"`
	Name string `json:"name"`
}

// ZoneAccount is the account an official signs for one zone: every line
// (service, quantity, unit, price, value) and the totals, in yuan.
type ZoneAccount struct {
	Level      string   `json:"level"` // "region", or the config's level (county, township…)
	Code       int64    `json:"code"`
	Name       string   `json:"name"`
	AreaKm2    float64  `json:"area_km2"`
	SoilT      float64  `json:"soil_retained_t"` // soil retention's physical quantity, t
	Rows       []Row    `json:"rows"`
	Material   float64  `json:"material"`
	Regulating float64  `json:"regulating"`
	Cultural   float64  `json:"cultural"`
	GEP        float64  `json:"gep"`
	GDP        float64  `json:"gdp"`
	GEPPerGDP  *float64 `json:"gep_per_gdp,omitempty"`
	// Year on year, when a previous account has this zone.
	PreviousGEP *float64 `json:"previous_gep,omitempty"`
	ChangePct   *float64 `json:"change_pct,omitempty"`
}

// Row is one line of the account: Quantity (Unit) × Price (PriceUnit) =
// Value (yuan).
type Row struct {
	Category    string   `json:"category"` // material, regulating, cultural
	Service     string   `json:"service"`
	Item        string   `json:"item"`
	Zh          string   `json:"zh"`
	En          string   `json:"en"`
	Quantity    float64  `json:"quantity"`
	Unit        string   `json:"unit"`
	Price       float64  `json:"price"`
	PriceUnit   string   `json:"price_unit"`
	Source      string   `json:"source"`
	Value       float64  `json:"value"`
	Previous    *float64 `json:"previous,omitempty"`
	ChangeValue *float64 `json:"change,omitempty"`
}

// Provenance is what a published figure needs to be made again: the
// config as run, every input file's SHA-256, the prices, the code.
type Provenance struct {
	Config     Config        `json:"config"`
	Inputs     []InputFile   `json:"inputs"`
	PriceTable string        `json:"price_table"`
	Prices     []Price       `json:"prices"`
	Grid       GridInfo      `json:"grid"`
	Code       CodeVersion   `json:"code"`
	Started    time.Time     `json:"started"`
	Seconds    float64       `json:"seconds"`
	Previous   *PreviousInfo `json:"previous,omitempty"`
}

// InputFile is an input with its hash.
type InputFile struct {
	Field  string `json:"field"`
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// GridInfo is the rasters' grid.
type GridInfo struct {
	Width, Height int
	EPSG          int
	Transform     [6]float64
}

// CodeVersion is the binary's module version and VCS revision.
type CodeVersion struct {
	Module    string `json:"module"`
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// PreviousInfo names the account compared with.
type PreviousInfo struct {
	Name string `json:"name"`
	Year int    `json:"year"`
}

// Options are what a run needs beyond its config.
type Options struct {
	// Previous is the account compared with; nil: the config's previous
	// file, if any.
	Previous *Account
	// Progress is told the rows done of the total, after each band.
	Progress func(done, total int)
	BandRows int // 0: BandRows
	// Out, when not empty, is the output directory in place of the config's.
	Out string
}

// ValueRasters are the value rasters a run writes (yuan per pixel), by service.
var ValueRasters = []string{"water_conservation", "soil_retention", "flood_regulation", "water_purification",
	"air_purification", "carbon_oxygen", "climate_regulation"}

// Input indices of a run's rasters.
const (
	iLULC = iota
	iPrecip
	iET0
	iDepth
	iPAWC
	iR
	iK
	iLS
	nFixed
)

// layer is a level of zones as the run reads it.
type layer struct {
	level   string
	zones   []Zone
	polys   []watershed // polygons; nil for a raster layer
	raster  int         // the raster's input index
	index   map[int64]int32
	source  string // the raster's zone table, for messages
	sums    [2][][nQ]float64
	scratch [2][]int32
}

// Run computes the GEP account of cfg (paths resolved) into cfg.Out:
// Prepare, then Compute.
func Run(ctx context.Context, cfg *Config, opt Options) (*Account, error) {
	p, err := Prepare(cfg, opt.Previous)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Compute(ctx, opt)
}

// Prepared is a run checked and ready to compute, its rasters open.
type Prepared struct {
	cfg         *Config
	bio         *table
	pr          prices
	prName      string
	stats       map[int64]Stats
	regionStats Stats
	prev        *Account
	layers      []*layer
	in          *inputs
	iNPP        int
}

// Close closes the rasters.
func (p *Prepared) Close() { p.in.close() }

// Grid is the rasters' grid.
func (p *Prepared) Grid() raster.Grid { return p.in.grid }

// Prepare checks everything that can be checked before the rasters are
// read: the tables, the price year, the zones, the rasters' headers and
// alignment, a statistics row for every zone, and the previous account
// (prev, or the config's file). A land-cover or zone code missing from
// its table fails Compute on first sight (decision 0022).
func Prepare(cfg *Config, prev *Account) (_ *Prepared, err error) {
	// Everything found here is a problem of the inputs; the readers' own
	// errors (a truncated TIFF, a table's row) get their Chinese here.
	defer func() {
		if err != nil && apperr.As(err) == nil {
			err = &apperr.Error{Code: apperr.Invalid, Message: err.Error(), Zh: "输入文件有误：" + err.Error()}
		}
	}()
	bio, err := readBiophysical(cfg.Tables.Biophysical)
	if err != nil {
		return nil, err
	}
	pr, prName, err := readPrices(cfg.Tables.Prices, cfg.PriceYear)
	if err != nil {
		return nil, err
	}
	if c := cfg.CPI; c != nil {
		for item, p := range pr {
			p.Price *= c.Target / c.Base
			p.Source += fmt.Sprintf("; × CPI %g/%g (%d to %d)", c.Target, c.Base, cfg.PriceYear, cfg.Year)
			pr[item] = p
		}
	}
	stats, err := readStatistics(cfg.Tables.Statistics)
	if err != nil {
		return nil, err
	}
	if prev == nil && cfg.Previous != "" {
		if prev, err = ReadAccount(cfg.Previous); err != nil {
			return nil, err
		}
	}
	paths := []string{cfg.Rasters.LULC, cfg.Rasters.Precip, cfg.Rasters.ET0, cfg.Rasters.RootDepth, cfg.Rasters.PAWC,
		cfg.Rasters.R, cfg.Rasters.K, cmp.Or(cfg.Rasters.LS, cfg.Rasters.Slope)}
	iNPP := -1
	if cfg.Rasters.NPP != "" {
		iNPP = len(paths)
		paths = append(paths, cfg.Rasters.NPP)
	}
	layers := make([]*layer, len(cfg.Zones))
	for i, l := range cfg.Zones {
		ly := &layer{level: l.Level, raster: -1}
		if l.Raster != "" {
			ly.raster, ly.source = len(paths), l.Table
			paths = append(paths, l.Raster)
			if ly.zones, err = readZoneTable(l.Table); err != nil {
				return nil, err
			}
			ly.index = map[int64]int32{}
			for j, z := range ly.zones {
				ly.index[z.Code] = int32(j)
			}
		}
		layers[i] = ly
	}
	in, err := openInputs(paths...)
	if err != nil {
		return nil, err
	}
	g := in.grid
	fail := func(err error) (*Prepared, error) { in.close(); return nil, err }
	for i, l := range cfg.Zones {
		if l.GeoJSON == "" {
			continue
		}
		ly := layers[i]
		code, name := l.CodeProperty, l.NameProperty
		if code == "" {
			code = "code"
		}
		if name == "" {
			name = "name"
		}
		if ly.polys, err = readPolygons(l.GeoJSON, g, code, name); err != nil {
			return fail(err)
		}
		for _, p := range ly.polys {
			ly.zones = append(ly.zones, Zone{Code: int64(p.id), Name: p.name})
		}
	}
	// Every zone's statistics, and the region's: its own row, or the sum
	// of the first level's.
	zoneStats := func(l *layer, z Zone) (Stats, error) {
		s, ok := stats[z.Code]
		if !ok {
			return s, invalid("%s: no row for %s %d %s", "%s：缺少%s %d %s 的统计行", cfg.Tables.Statistics, l.level, z.Code, z.Name)
		}
		return s, nil
	}
	regionStats, ok := stats[cfg.Region.Code]
	for _, l := range layers {
		for _, z := range l.zones {
			if _, err := zoneStats(l, z); err != nil {
				return fail(err)
			}
		}
	}
	if !ok {
		if len(layers) == 0 {
			return fail(invalid("%s: no row for the region %d (region.code)", "%s：缺少区域 %d（region.code）的统计行", cfg.Tables.Statistics, cfg.Region.Code))
		}
		for _, z := range layers[0].zones {
			regionStats.add(stats[z.Code])
		}
	}
	return &Prepared{cfg: cfg, bio: bio, pr: pr, prName: prName, stats: stats, regionStats: regionStats, prev: prev, layers: layers, in: in, iNPP: iNPP}, nil
}

// Compute reads the rasters band by band and writes into cfg.Out
// account.json, account.xlsx and a value raster per regulating service
// (removed if it fails).
func (pp *Prepared) Compute(ctx context.Context, opt Options) (*Account, error) {
	start := time.Now()
	cfg, bio, pr, prName, stats, regionStats, prev, layers, in, iNPP := pp.cfg, pp.bio, pp.pr, pp.prName, pp.stats, pp.regionStats, pp.prev, pp.layers, pp.in, pp.iNPP
	g := in.grid
	if opt.Out != "" {
		cfg.Out = opt.Out
	}
	if cfg.Out == "" {
		return nil, invalid("out: missing", "out：缺少输出目录")
	}
	files := cfg.files()
	inputs, err := hashFiles(files)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}

	par := cfg.Parameters
	nd := make([]raster.NoDataTest, len(in.readers))
	for i, r := range in.readers {
		nd[i] = r.Grid().NoDataTest()
	}
	for _, l := range layers {
		for p := range 2 {
			l.sums[p] = make([][nQ]float64, len(l.zones))
		}
	}
	var region [2][nQ]float64
	area := g.PixelArea()
	width := g.Width
	slope, cell := cfg.Rasters.Slope != "", math.Abs(g.Transform[1])
	price := func(item string) float64 { return pr[item].Price }
	pw, pe := price("water_storage"), price("electricity")
	pCOD, pNH3N, pSO2, pNOx, pDust, pC, pO := price("cod"), price("nh3n"), price("so2"), price("nox"), price("dust"), price("carbon"), price("oxygen")
	soilValue := par.Siltation/par.BulkDensity*price("dredging") + par.SoilN*price("nitrogen") + par.SoilP*price("phosphorus")
	var spans [2][][2]int
	var xs [2][]float64
	outNames := make([]string, len(ValueRasters))
	for i, s := range ValueRasters {
		outNames[i] = "value_" + s + ".tif"
	}
	var progress func(int)
	if opt.Progress != nil {
		progress = func(rows int) { opt.Progress(rows, g.Height) }
	}
	err = run(ctx, in, cfg.Out, outNames, cfg.Deflate, opt.BandRows, func(part, y0, n int, src, dst [][]float64) error {
		cells := n * width
		// A value that is not a finite number (NaN or infinity not
		// declared nodata) would make the account NaN, a negative one
		// (other than a zone code) a negative service, a slope of 90° or
		// more an infinite LS: named with its file and pixel instead.
		for i, band := range src {
			test := nd[i]
			signed := i == iLULC || i >= nFixed && i != iNPP
			maxV := math.MaxFloat64
			if i == iLS && slope {
				maxV = 90
			}
			for k, v := range band {
				// NaN fails both comparisons; the nodata test only for the
				// few values that fail one.
				if !(v >= -math.MaxFloat64 && v < maxV && (v >= 0 || signed)) && !test.Is(v) {
					return invalid("%s: value %v at %s is not a usable number (nodata is %s)", "%s：%v（%s）不是可用的数值（无数据值为 %s）",
						in.readers[i].Grid().Name, v, pixel(g, k%width, y0+k/width), noDataText(in.readers[i].Grid()))
				}
			}
		}
		// Each level's zone of every pixel of the band, -1 outside.
		for _, l := range layers {
			if len(l.scratch[part]) < cells {
				l.scratch[part] = make([]int32, cells)
			}
			idx := l.scratch[part][:cells]
			if l.polys == nil {
				codes, test := src[l.raster], nd[l.raster]
				last, lastIdx := math.NaN(), int32(-1)
				for k, v := range codes {
					if v == last {
						idx[k] = lastIdx
						continue
					}
					j := int32(-1)
					if !test.Is(v) {
						var ok bool
						if j, ok = l.index[int64(v)]; !ok || float64(int64(v)) != v {
							return invalid("%s: zone code %v at %s is not in %s", "%s：分区代码 %v（%s）不在 %s 中",
								in.readers[l.raster].Grid().Name, v, pixel(g, k%width, y0+k/width), l.source)
						}
					}
					last, lastIdx, idx[k] = v, j, j
				}
				continue
			}
			for k := range idx {
				idx[k] = -1
			}
			for j := range l.polys {
				for y := range n {
					spans[part], xs[part] = l.polys[j].spans(y0+y, width, xs[part], spans[part])
					for _, s := range spans[part] {
						for k := y*width + s[0]; k < y*width+s[1]; k++ {
							idx[k] = int32(j)
						}
					}
				}
			}
		}
		for k := range cells {
			for j := range dst {
				dst[j][k] = NoData
			}
			v := src[iLULC][k]
			if nd[iLULC].Is(v) {
				continue
			}
			b := bio.lookup(v)
			if b == nil {
				return invalid("%s: land-cover code %v at %s is not in %s", "%s：地类代码 %v（%s）不在 %s 中",
					in.readers[iLULC].Grid().Name, v, pixel(g, k%width, y0+k/width), cfg.Tables.Biophysical)
			}
			p := src[iPrecip][k]
			water := !nd[iPrecip].Is(p) && p != 0 && !nd[iET0].Is(src[iET0][k]) && !nd[iDepth].Is(src[iDepth][k]) && !nd[iPAWC].Is(src[iPAWC][k])
			soil := !nd[iR].Is(src[iR][k]) && !nd[iK].Is(src[iK][k]) && !nd[iLS].Is(src[iLS][k])
			npp := b[bNPP]
			if iNPP >= 0 {
				if npp = src[iNPP][k]; nd[iNPP].Is(npp) {
					npp = 0
				}
			}
			ls := src[iLS][k]
			if slope && soil {
				ls = lsFromSlope(ls, cell)
			}
			q := pixelQuantities(b, p, src[iET0][k], src[iDepth][k], src[iPAWC][k], src[iR][k], src[iK][k], ls, npp, water, soil, area, &par)
			if water {
				dst[0][k] = q[qWater] * pw
				dst[6][k] = q[qClimate] * pe
			}
			if soil {
				dst[1][k] = q[qSoil] * soilValue
			}
			dst[2][k] = q[qFlood] * pw
			dst[3][k] = q[qCOD]*pCOD + q[qNH3N]*pNH3N
			dst[4][k] = q[qSO2]*pSO2 + q[qNOx]*pNOx + q[qDust]*pDust
			dst[5][k] = q[qCarbon]*pC + q[qOxygen]*pO
			// A pixel is in at most one zone of a level; the region is
			// the first level's zones, summed at the end, or every pixel.
			for _, l := range layers {
				if j := l.scratch[part][k]; j >= 0 {
					addQ(&l.sums[part][j], &q)
				}
			}
			if len(layers) == 0 {
				addQ(&region[part], &q)
			}
		}
		return nil
	}, progress)
	if err != nil {
		return nil, err
	}

	if len(layers) > 0 {
		for p := range 2 {
			for _, z := range layers[0].sums[p] {
				addQ(&region[p], &z)
			}
		}
	}
	acc := &Account{Name: cfg.Name, Year: cfg.Year, PriceYear: cfg.PriceYear}
	for _, s := range ValueRasters {
		acc.Rasters = append(acc.Rasters, "value_"+s+".tif")
	}
	sum := func(a [2][nQ]float64) (q [nQ]float64) {
		for i := range q {
			q[i] = a[0][i] + a[1][i]
		}
		return q
	}
	acc.Zones = append(acc.Zones, zoneAccount("region", Zone{Code: cfg.Region.Code, Name: cfg.Region.Name}, sum(region), regionStats, pr, par))
	for _, l := range layers {
		for j, z := range l.zones {
			acc.Zones = append(acc.Zones, zoneAccount(l.level, z, sum([2][nQ]float64{l.sums[0][j], l.sums[1][j]}), stats[z.Code], pr, par))
		}
	}
	if prev != nil {
		compare(acc, prev)
	}
	acc.Provenance = Provenance{Config: *cfg, Inputs: inputs, PriceTable: prName,
		Grid: GridInfo{Width: g.Width, Height: g.Height, EPSG: g.EPSG, Transform: g.Transform}, Code: codeVersion(), Started: start.UTC()}
	for _, it := range priceItems {
		acc.Provenance.Prices = append(acc.Provenance.Prices, pr[it.item])
	}
	if prev != nil {
		acc.Provenance.Previous = &PreviousInfo{Name: prev.Name, Year: prev.Year}
	}
	acc.Provenance.Seconds = time.Since(start).Seconds()
	if err := writeAccount(cfg.Out, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

func noDataText(g raster.Grid) string {
	if !g.HasNoData {
		return "not set / 未设置"
	}
	return fmt.Sprint(g.NoData)
}

func addQ(dst, q *[nQ]float64) {
	for i := range dst {
		dst[i] += q[i]
	}
}

// zoneAccount makes a zone's account lines from its quantities and
// statistics (万元 to yuan: ×10⁴).
func zoneAccount(level string, z Zone, q [nQ]float64, s Stats, pr prices, par Parameters) ZoneAccount {
	za := ZoneAccount{Level: level, Code: z.Code, Name: z.Name, AreaKm2: q[qArea] / 1e6, SoilT: q[qSoil], GDP: s.GDP * 1e4}
	line := func(cat, service, item, zh, en string, qty float64, unit, priceItem string) {
		p := pr[priceItem]
		za.Rows = append(za.Rows, Row{Category: cat, Service: service, Item: item, Zh: zh, En: en, Quantity: qty, Unit: unit,
			Price: p.Price, PriceUnit: p.Unit, Source: p.Source, Value: qty * p.Price})
	}
	stat := func(service, item, zh, en string, wan float64, cat string) {
		za.Rows = append(za.Rows, Row{Category: cat, Service: service, Item: item, Zh: zh, En: en, Quantity: wan * 1e4, Unit: "元",
			Price: 1, PriceUnit: "元/元", Source: "statistics table (market value of output, gep.md §1.2)", Value: wan * 1e4})
	}
	// Material products, gep.md §1.2: the statistics' output value.
	stat("material_products", "agriculture", "农业产品", "Agricultural products", s.Agriculture, "material")
	stat("material_products", "forestry", "林业产品", "Forestry products", s.Forestry, "material")
	stat("material_products", "husbandry", "畜牧业产品", "Animal husbandry products", s.Husbandry, "material")
	stat("material_products", "fishery", "渔业产品", "Fishery products", s.Fishery, "material")
	// Regulating services, gep.md §1.2 (shadow project and replacement costs).
	line("regulating", "water_conservation", "water", "水源涵养", "Water conservation", q[qWater], "m³", "water_storage")
	// Soil retention's replacement cost, gep.md §1.2: sediment λ·A/ρ
	// dredged, and the N and P the soil keeps.
	line("regulating", "soil_retention", "sediment", "减少泥沙淤积", "Sediment kept out of reservoirs", q[qSoil]*par.Siltation/par.BulkDensity, "m³", "dredging")
	line("regulating", "soil_retention", "nitrogen", "保持土壤氮", "Soil nitrogen kept", q[qSoil]*par.SoilN, "t", "nitrogen")
	line("regulating", "soil_retention", "phosphorus", "保持土壤磷", "Soil phosphorus kept", q[qSoil]*par.SoilP, "t", "phosphorus")
	line("regulating", "flood_regulation", "vegetation", "植被与土壤调蓄", "Storm retained by vegetation and soil", q[qFlood], "m³", "water_storage")
	// Reservoirs, gep.md §1.2: C_r = 0.35·C_t of the total capacity.
	line("regulating", "flood_regulation", "reservoirs", "水库调蓄", "Reservoir flood storage", 0.35*s.ReservoirCapacity*1e4, "m³", "water_storage")
	line("regulating", "water_purification", "cod", "化学需氧量净化", "COD removed", q[qCOD], "t", "cod")
	line("regulating", "water_purification", "nh3n", "氨氮净化", "NH₃-N removed", q[qNH3N], "t", "nh3n")
	line("regulating", "air_purification", "so2", "二氧化硫净化", "SO₂ absorbed", q[qSO2], "t", "so2")
	line("regulating", "air_purification", "nox", "氮氧化物净化", "NOₓ absorbed", q[qNOx], "t", "nox")
	line("regulating", "air_purification", "dust", "粉尘净化", "Dust retained", q[qDust], "t", "dust")
	line("regulating", "carbon_oxygen", "carbon", "固碳", "Carbon sequestered", q[qCarbon], "t C", "carbon")
	line("regulating", "carbon_oxygen", "oxygen", "释氧", "Oxygen released", q[qOxygen], "t", "oxygen")
	line("regulating", "climate_regulation", "evapotranspiration", "气候调节", "Climate regulation (evapotranspiration)", q[qClimate], "kWh", "electricity")
	// Cultural services, gep.md §9.4: tourism revenue as the travel cost,
	// over the visits.
	perVisit := 0.0
	if s.Visitors > 0 {
		perVisit = s.TourismRevenue * 1e4 / s.Visitors
	}
	za.Rows = append(za.Rows, Row{Category: "cultural", Service: "tourism", Item: "visits", Zh: "旅游康养", En: "Tourism and recreation",
		Quantity: s.Visitors, Unit: "人次", Price: perVisit, PriceUnit: "元/人次",
		Source: "statistics table: tourism revenue over visits (travel cost, gep.md §9.4)", Value: s.TourismRevenue * 1e4})
	for _, r := range za.Rows {
		switch r.Category {
		case "material":
			za.Material += r.Value
		case "regulating":
			za.Regulating += r.Value
		default:
			za.Cultural += r.Value
		}
	}
	za.GEP = za.Material + za.Regulating + za.Cultural
	if za.GDP > 0 {
		r := za.GEP / za.GDP
		za.GEPPerGDP = &r
	}
	return za
}

// compare fills the year-on-year change from prev: by level and code, and
// within a zone by service and item.
func compare(acc, prev *Account) {
	type key struct {
		level string
		code  int64
	}
	before := map[key]*ZoneAccount{}
	for i := range prev.Zones {
		before[key{prev.Zones[i].Level, prev.Zones[i].Code}] = &prev.Zones[i]
	}
	for i := range acc.Zones {
		z := &acc.Zones[i]
		p := before[key{z.Level, z.Code}]
		if p == nil {
			continue
		}
		g := p.GEP
		z.PreviousGEP = &g
		if g != 0 {
			c := (z.GEP - g) / g * 100
			z.ChangePct = &c
		}
		for j := range z.Rows {
			r := &z.Rows[j]
			for _, pr := range p.Rows {
				if pr.Service == r.Service && pr.Item == r.Item {
					v, d := pr.Value, r.Value-pr.Value
					r.Previous, r.ChangeValue = &v, &d
				}
			}
		}
	}
}

// ReadAccount reads an account.json a run wrote.
func ReadAccount(path string) (*Account, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	var a Account
	if err := json.Unmarshal(b, &a); err != nil || len(a.Zones) == 0 {
		return nil, invalid("%s: not an account.json of a GEP run", "%s：不是 GEP 核算结果 account.json", path)
	}
	return &a, nil
}

// writeAccount writes account.json and account.xlsx under dir.
func writeAccount(dir string, acc *Account) error {
	b, err := json.MarshalIndent(acc, "", "  ")
	if err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "account.json"), b, 0o644); err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "account.xlsx"))
	if err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	if err := WriteXLSX(f, acc); err != nil {
		f.Close()
		return fmt.Errorf("gep: account.xlsx: %w", err)
	}
	return f.Close()
}

// hashFiles returns each file's size and SHA-256, two at a time.
func hashFiles(files [][2]string) ([]InputFile, error) {
	out := make([]InputFile, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fh, err := os.Open(f[1])
			if err != nil {
				errs[i] = fmt.Errorf("gep: %s: %w", f[0], err)
				return
			}
			defer fh.Close()
			h := sha256.New()
			n, err := io.Copy(h, fh)
			if err != nil {
				errs[i] = fmt.Errorf("gep: %s: %w", f[1], err)
				return
			}
			out[i] = InputFile{Field: f[0], Path: f[1], Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	return out, nil
}

// codeVersion is the running binary's version from its build info.
func codeVersion() CodeVersion {
	v := CodeVersion{Module: "ecoindustry", Version: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module, v.Version, v.GoVersion = bi.Main.Path, bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}
