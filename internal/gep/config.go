package gep

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"ecoindustry/internal/apperr"
)

// Config is a GEP account run (docs/gep-config.md): the year, the zones,
// the rasters and tables, the unit prices and the parameters. YAML or JSON
// (JSON is YAML); paths are relative to the config file's folder (the
// command line) or to the data directory (the API).
type Config struct {
	Name      string `yaml:"name" json:"name,omitempty"`
	Year      int    `yaml:"year" json:"year"`
	PriceYear int    `yaml:"price_year" json:"price_year,omitempty"` // 0: Year
	// CPI rescales the price year's prices to the account's year,
	// P × target/base (gep.md §9.3, §9.6); none when nil.
	CPI     *CPI    `yaml:"cpi" json:"cpi,omitempty"`
	Region  Region  `yaml:"region" json:"region"`
	Zones   []Layer `yaml:"zones" json:"zones,omitempty"`
	Rasters Rasters `yaml:"rasters" json:"rasters"`
	Tables  Tables  `yaml:"tables" json:"tables"`
	// Previous is the account.json of an earlier run, for the change
	// year on year.
	Previous   string     `yaml:"previous" json:"previous,omitempty"`
	Parameters Parameters `yaml:"parameters" json:"parameters"`
	Out        string     `yaml:"out" json:"out,omitempty"`
	Deflate    bool       `yaml:"deflate" json:"deflate,omitempty"`
}

// CPI is a consumer price index in the price year (Base) and in the
// account's year (Target), from the statistics yearbook.
type CPI struct {
	Base   float64 `yaml:"base" json:"base"`
	Target float64 `yaml:"target" json:"target"`
}

// Region is the whole area accounted (the city): its code in the
// statistics table, if it has a row of its own, and its name.
type Region struct {
	Code int64  `yaml:"code" json:"code"`
	Name string `yaml:"name" json:"name"`
}

// Layer is one level of zones (county, township, village): polygons
// (GeoJSON with an integer code and a name among the properties) or a
// raster of integer codes aligned with the others, with a table
// code,name of its zones.
type Layer struct {
	Level        string `yaml:"level" json:"level"`
	GeoJSON      string `yaml:"geojson" json:"geojson,omitempty"`
	CodeProperty string `yaml:"code_property" json:"code_property,omitempty"` // "code" when empty
	NameProperty string `yaml:"name_property" json:"name_property,omitempty"` // "name" when empty
	Raster       string `yaml:"raster" json:"raster,omitempty"`
	Table        string `yaml:"table" json:"table,omitempty"`
}

// Rasters are the pixel inputs, all aligned (raster.Aligned).
type Rasters struct {
	LULC      string `yaml:"lulc" json:"lulc"`             // land-cover codes
	Precip    string `yaml:"precip" json:"precip"`         // annual precipitation, mm
	ET0       string `yaml:"et0" json:"et0"`               // reference evapotranspiration, mm
	RootDepth string `yaml:"root_depth" json:"root_depth"` // depth to the root-restricting layer, mm
	PAWC      string `yaml:"pawc" json:"pawc"`             // plant-available water content, fraction
	R         string `yaml:"erosivity" json:"erosivity"`   // RUSLE R, MJ·mm/(ha·h·a)
	K         string `yaml:"erodibility" json:"erodibility"`
	LS        string `yaml:"ls" json:"ls,omitempty"`       // RUSLE LS, dimensionless; or
	Slope     string `yaml:"slope" json:"slope,omitempty"` // slope in degrees: LS computed without routing (lsFromSlope)
	NPP       string `yaml:"npp" json:"npp,omitempty"`     // optional: t dry matter/ha/a, in place of the table's npp
}

// Tables are the land-cover table, the statistics per zone and the unit
// prices (the built-in table when empty).
type Tables struct {
	Biophysical string `yaml:"biophysical" json:"biophysical"`
	Statistics  string `yaml:"statistics" json:"statistics"`
	Prices      string `yaml:"prices" json:"prices,omitempty"`
}

// Parameters are the physical constants of the formulas, with the
// defaults gep.md gives (§1.2, §9.3); CoolingDays has none.
type Parameters struct {
	Z             float64 `yaml:"z" json:"z"`                                 // InVEST's seasonality constant (gep.md §4.1; sample 5)
	StormDepth    float64 `yaml:"storm_depth_mm" json:"storm_depth_mm"`       // design storm for SCS-CN flood retention (§4.5)
	Siltation     float64 `yaml:"siltation" json:"siltation"`                 // λ, share of eroded soil silting reservoirs: 0.24 (§9.3)
	BulkDensity   float64 `yaml:"bulk_density" json:"bulk_density"`           // ρ, t/m³: 0.93 (Garzê, §1.2)
	SoilN         float64 `yaml:"soil_n" json:"soil_n"`                       // N content of soil, fraction: 0.0037 (Garzê)
	SoilP         float64 `yaml:"soil_p" json:"soil_p"`                       // P content, fraction: 0.00108 (Garzê)
	ACEfficiency  float64 `yaml:"ac_efficiency" json:"ac_efficiency"`         // R, air-conditioner energy-efficiency ratio: 3 (§9.3)
	CoolingDays   float64 `yaml:"cooling_days" json:"cooling_days"`           // d, days air conditioners run (§9.3: no default)
	HumidifierKWh float64 `yaml:"humidifier_kwh_m3" json:"humidifier_kwh_m3"` // γ, kWh per m³ evaporated: 120 (§9.3, to check)
}

// Defaults of Parameters, gep.md §1.2, §4 and §9.3.
var defaultParameters = Parameters{Z: 5, StormDepth: 100, Siltation: 0.24, BulkDensity: 0.93, SoilN: 0.0037, SoilP: 0.00108,
	ACEfficiency: 3, HumidifierKWh: 120}

// Limits of a config: it is small, and so are its lists.
const (
	maxConfigBytes = 1 << 20
	maxLayers      = 8
)

func invalid(en, zh string, args ...any) error {
	return apperr.Newf(apperr.Invalid, "gep: "+en, "gep："+zh, args...)
}

// ParseConfig reads a config from b (YAML or JSON; unknown fields are
// refused), src naming it in errors, with the defaults of what it leaves
// out. Paths are left as written: see Resolve.
func ParseConfig(src string, b []byte) (*Config, error) {
	if len(b) > maxConfigBytes {
		return nil, invalid("%s: config larger than 1 MB", "%s：配置文件超过 1 MB", src)
	}
	c := &Config{Parameters: defaultParameters}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, invalid("%s: %v", "%s：配置格式错误：%v", src, err)
	}
	if c.PriceYear == 0 {
		c.PriceYear = c.Year
	}
	return c, c.check(src)
}

// LoadConfig reads the config file at path, its relative paths taken from
// its folder.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	c, err := ParseConfig(path, b)
	if err != nil {
		return nil, err
	}
	return c, c.Resolve(filepath.Dir(path), false)
}

// check says what is missing or out of range, naming the field.
func (c *Config) check(src string) error {
	bad := func(field, en, zh string) error {
		return &apperr.Error{Code: apperr.Invalid, Message: "gep: " + src + ": " + field + ": " + en, Zh: "gep：" + src + "：" + field + "：" + zh}
	}
	if c.Year < 1949 || c.Year > 2200 {
		return bad("year", fmt.Sprintf("%d is not a year", c.Year), "年份无效")
	}
	if c.PriceYear < 1949 || c.PriceYear > 2200 {
		return bad("price_year", fmt.Sprintf("%d is not a year", c.PriceYear), "价格年份无效")
	}
	for _, f := range [][2]string{{"rasters.lulc", c.Rasters.LULC}, {"rasters.precip", c.Rasters.Precip}, {"rasters.et0", c.Rasters.ET0},
		{"rasters.root_depth", c.Rasters.RootDepth}, {"rasters.pawc", c.Rasters.PAWC}, {"rasters.erosivity", c.Rasters.R},
		{"rasters.erodibility", c.Rasters.K}, {"tables.biophysical", c.Tables.Biophysical},
		{"tables.statistics", c.Tables.Statistics}} {
		if f[1] == "" {
			return bad(f[0], "missing", "缺少")
		}
	}
	if (c.Rasters.LS == "") == (c.Rasters.Slope == "") {
		return bad("rasters.ls", "give ls (RUSLE LS) or slope (degrees), one of them", "须给出 ls（坡长坡度因子）或 slope（坡度，度）之一")
	}
	if c.CPI != nil && !(c.CPI.Base > 0 && c.CPI.Target > 0 && c.CPI.Base < 1e6 && c.CPI.Target < 1e6) {
		return bad("cpi", fmt.Sprintf("base %g and target %g: give two positive indices", c.CPI.Base, c.CPI.Target), "须给出两个正的价格指数")
	}
	if len(c.Zones) > maxLayers {
		return bad("zones", fmt.Sprintf("%d levels, at most %d", len(c.Zones), maxLayers), "层级过多")
	}
	for i, l := range c.Zones {
		f := fmt.Sprintf("zones[%d]", i)
		switch {
		case l.Level == "":
			return bad(f+".level", "missing (county, township, village…)", "缺少层级（县、乡镇、村）")
		case (l.GeoJSON == "") == (l.Raster == ""):
			return bad(f, "give geojson or raster, one of them", "须给出 geojson 或 raster 之一")
		case l.Raster != "" && l.Table == "":
			return bad(f+".table", "a zone raster needs its table code,name", "分区栅格须附 code,name 表")
		}
	}
	p := c.Parameters
	for _, v := range []struct {
		field     string
		v, lo, hi float64
	}{{"parameters.z", p.Z, 1, 30}, {"parameters.storm_depth_mm", p.StormDepth, 0, 2000}, {"parameters.siltation", p.Siltation, 0, 1},
		{"parameters.bulk_density", p.BulkDensity, 0.1, 3}, {"parameters.soil_n", p.SoilN, 0, 1}, {"parameters.soil_p", p.SoilP, 0, 1},
		{"parameters.ac_efficiency", p.ACEfficiency, 0.5, 10}, {"parameters.cooling_days", p.CoolingDays, 0, 366},
		{"parameters.humidifier_kwh_m3", p.HumidifierKWh, 0, 1000}} {
		if math.IsNaN(v.v) || v.v < v.lo || v.v > v.hi {
			return bad(v.field, fmt.Sprintf("%g is outside %g to %g", v.v, v.lo, v.hi), "超出范围")
		}
	}
	if p.CoolingDays == 0 {
		return bad("parameters.cooling_days", "missing: the days air conditioners run (days above 26 °C)", "缺少空调降温天数（日均气温高于 26 °C 的天数）")
	}
	return nil
}

// paths returns a pointer to every path of the config, with its field.
func (c *Config) paths() map[string]*string {
	m := map[string]*string{"rasters.lulc": &c.Rasters.LULC, "rasters.precip": &c.Rasters.Precip, "rasters.et0": &c.Rasters.ET0,
		"rasters.root_depth": &c.Rasters.RootDepth, "rasters.pawc": &c.Rasters.PAWC, "rasters.erosivity": &c.Rasters.R,
		"rasters.erodibility": &c.Rasters.K, "rasters.ls": &c.Rasters.LS, "rasters.slope": &c.Rasters.Slope, "rasters.npp": &c.Rasters.NPP,
		"tables.biophysical": &c.Tables.Biophysical, "tables.statistics": &c.Tables.Statistics, "tables.prices": &c.Tables.Prices,
		"previous": &c.Previous, "out": &c.Out}
	for i := range c.Zones {
		l := &c.Zones[i]
		m[fmt.Sprintf("zones[%d].geojson", i)] = &l.GeoJSON
		m[fmt.Sprintf("zones[%d].raster", i)] = &l.Raster
		m[fmt.Sprintf("zones[%d].table", i)] = &l.Table
	}
	return m
}

// Resolve makes the config's paths absolute from base. With confine, a
// path must stay inside base, symbolic links followed (the API's data
// directory): an absolute path, "..", or a link out of it is refused.
func (c *Config) Resolve(base string, confine bool) error {
	root, err := filepath.Abs(base)
	if err != nil {
		return fmt.Errorf("gep: %w", err)
	}
	if confine {
		if root, err = filepath.EvalSymlinks(root); err != nil {
			return fmt.Errorf("gep: %w", err)
		}
	}
	paths := c.paths()
	for _, field := range slices.Sorted(maps.Keys(paths)) {
		p := paths[field]
		if *p == "" {
			continue
		}
		if !confine {
			if !filepath.IsAbs(*p) {
				*p = filepath.Join(root, *p)
			}
			continue
		}
		if !filepath.IsLocal(*p) {
			return invalid("%s: %q must be a path inside the data directory", "%s：%q 须为数据目录内的路径", field, *p)
		}
		full := filepath.Join(root, *p)
		if field != "out" {
			real, err := filepath.EvalSymlinks(full)
			if err != nil {
				return invalid("%s: %q does not exist in the data directory", "%s：数据目录中没有 %q", field, *p)
			}
			if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
				return invalid("%s: %q leads out of the data directory", "%s：%q 指向数据目录之外", field, *p)
			}
			full = real
		}
		*p = full
	}
	return nil
}

// files returns the config's input files by field, sorted by field, for
// the provenance.
func (c *Config) files() [][2]string {
	var out [][2]string
	for field, p := range c.paths() {
		if *p != "" && field != "out" {
			out = append(out, [2]string{field, *p})
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
