package economy

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// Policy is what each class of a result costs or earns (governance.md
// §1.1, §1.6 step 8: land-use tax, electricity and water surcharges,
// energy quotas), as data: presets under policies/, or a county's file.
type Policy struct {
	Name    string                  `yaml:"name" json:"name"`
	Title   string                  `yaml:"title" json:"title"`
	Source  string                  `yaml:"source" json:"source"`
	Classes map[string]*ClassPolicy `yaml:"classes" json:"classes"`
	// Running is the rule for a class held several years running (Haining:
	// D three years running pays +0.4 元/kWh instead of +0.3).
	Running *Running `yaml:"running" json:"running,omitempty"`
}

// ClassPolicy is one class's measures; a measure left out does not apply.
type ClassPolicy struct {
	LandTaxReliefPct      float64  `yaml:"land_tax_relief_pct" json:"land_tax_relief_pct,omitempty"`           // 城镇土地使用税减免 %
	ElectricityYuanPerKwh float64  `yaml:"electricity_yuan_per_kwh" json:"electricity_yuan_per_kwh,omitempty"` // 差别电价加价
	WaterYuanPerT         float64  `yaml:"water_yuan_per_t" json:"water_yuan_per_t,omitempty"`                 // 差别水价加价, 元/吨
	WaterSurchargePct     float64  `yaml:"water_surcharge_pct" json:"water_surcharge_pct,omitempty"`           // or in % of the price
	EnergyQuotaPct        *float64 `yaml:"energy_quota_pct" json:"energy_quota_pct,omitempty"`                 // 用能额度, % of the year's use
}

// Running is a class held Years years running, this one included, and
// the electricity surcharge it pays instead.
type Running struct {
	Class                 string  `yaml:"class" json:"class"`
	Years                 int     `yaml:"years" json:"years"`
	ElectricityYuanPerKwh float64 `yaml:"electricity_yuan_per_kwh" json:"electricity_yuan_per_kwh"`
}

//go:embed policies/*.yaml
var policyFiles embed.FS

// PolicyPresets are the names of the policies shipped with ecoind.
func PolicyPresets() []string {
	es, _ := policyFiles.ReadDir("policies")
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// LoadPolicy reads a policy: a preset's name, or the YAML of a file
// (name names it in errors); refused with every problem.
func LoadPolicy(name string, data []byte) (*Policy, error) {
	if data == nil {
		var err error
		if data, err = policyFiles.ReadFile("policies/" + name + ".yaml"); err != nil {
			return nil, apperr.Newf(apperr.Invalid, "no policy preset %q (one of %s)", "无预置差别化政策 %q（可选：%s）", name, strings.Join(PolicyPresets(), ", "))
		}
	}
	var p Policy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, apperr.Newf(apperr.Invalid, "policy %s: %v", "差别化政策 %s 格式错误：%v", name, err)
	}
	var en, zh []string
	fail := func(e, z string, args ...any) {
		en, zh = append(en, fmt.Sprintf(e, args...)), append(zh, fmt.Sprintf(z, args...))
	}
	if p.Name == "" {
		fail("name: required", "name：必填项为空")
	}
	if len(p.Classes) == 0 {
		fail("classes: give at least one class", "classes：至少须有一个等级")
	}
	for _, c := range slices.Sorted(maps.Keys(p.Classes)) {
		cp := p.Classes[c]
		if cp == nil {
			p.Classes[c] = &ClassPolicy{}
			continue
		}
		if cp.LandTaxReliefPct < 0 || cp.LandTaxReliefPct > 100 || cp.ElectricityYuanPerKwh < 0 || cp.ElectricityYuanPerKwh > 5 ||
			cp.WaterYuanPerT < 0 || cp.WaterYuanPerT > 50 || cp.WaterSurchargePct < 0 || cp.WaterSurchargePct > 300 ||
			cp.EnergyQuotaPct != nil && (*cp.EnergyQuotaPct < 0 || *cp.EnergyQuotaPct > 200) {
			fail("classes.%s: want relief 0–100 %%, electricity 0–5 元/kWh, water 0–50 元/t or 0–300 %%, energy quota 0–200 %%",
				"classes.%s：减免 0–100%%，电价加价 0–5 元/千瓦时，水价加价 0–50 元/吨或 0–300%%，用能额度 0–200%%", c)
		}
	}
	if r := p.Running; r != nil && (p.Classes[r.Class] == nil || r.Years < 2 || r.Years > 10 || r.ElectricityYuanPerKwh < 0 || r.ElectricityYuanPerKwh > 5) {
		fail("running: a class of the policy, 2–10 years, 0–5 元/kWh", "running：应为政策中的等级、2–10 年、0–5 元/千瓦时")
	}
	if len(en) > 0 {
		return nil, apperr.New(apperr.Invalid, "policy "+name+": "+strings.Join(en, "; "), "差别化政策 "+name+"："+strings.Join(zh, "；"))
	}
	return &p, nil
}

// Measures are what a policy gives one enterprise of a result.
type Measures struct {
	USCC  string `json:"uscc"`
	Name  string `json:"name"`
	Class string `json:"class"`
	// Running is how many years running, this one included, the
	// enterprise has held the running rule's class (0 where the policy has
	// no such rule or the class is another).
	Running               int     `json:"running,omitempty"`
	LandTaxReliefPct      float64 `json:"land_tax_relief_pct"`
	ElectricityYuanPerKwh float64 `json:"electricity_yuan_per_kwh"`
	Kwh                   float64 `json:"electricity_kwh"`
	ElectricityYuan       float64 `json:"electricity_surcharge_yuan"` // kWh × surcharge, at last year's use
	WaterYuanPerT         float64 `json:"water_yuan_per_t"`
	WaterSurchargePct     float64 `json:"water_surcharge_pct"`
	EnergyQuotaPct        float64 `json:"energy_quota_pct"` // 0: no quota set
	EnergyTce             float64 `json:"energy_tce"`
	EnergyQuotaTce        float64 `json:"energy_quota_tce"`
}

// Lists are the lists each bureau needs (§1.6 step 8): 税务 the land-use
// tax relief, 供电 the electricity surcharges, 水务 the water surcharges,
// 发改/经信 the energy quotas; each enterprise where its measure applies.
type Lists struct {
	Tax         []Measures `json:"tax"`
	Electricity []Measures `json:"electricity"`
	Water       []Measures `json:"water"`
	Energy      []Measures `json:"energy"`
}

// Apply gives each result its measures. figures are the run's inputs by
// USCC (last year's electricity and energy), before the classes of
// earlier years by USCC, the year before first (for the running rule).
func (p *Policy) Apply(rs []Result, figures map[string]Input, before []map[string]string) Lists {
	var l Lists
	for _, r := range rs {
		cp := p.Classes[r.Class]
		if cp == nil {
			continue
		}
		in := figures[r.USCC]
		m := Measures{USCC: r.USCC, Name: r.Name, Class: r.Class, LandTaxReliefPct: cp.LandTaxReliefPct, ElectricityYuanPerKwh: cp.ElectricityYuanPerKwh,
			Kwh: in.Kwh, WaterYuanPerT: cp.WaterYuanPerT, WaterSurchargePct: cp.WaterSurchargePct, EnergyTce: in.EnergyTce}
		if run := p.Running; run != nil && r.Class == run.Class {
			m.Running = 1
			for _, year := range before {
				if year[r.USCC] != run.Class {
					break
				}
				m.Running++
			}
			if m.Running >= run.Years {
				m.ElectricityYuanPerKwh = run.ElectricityYuanPerKwh
			}
		}
		m.ElectricityYuan = m.Kwh * m.ElectricityYuanPerKwh
		if cp.EnergyQuotaPct != nil {
			m.EnergyQuotaPct = *cp.EnergyQuotaPct
			m.EnergyQuotaTce = m.EnergyTce * m.EnergyQuotaPct / 100
		}
		if m.LandTaxReliefPct > 0 {
			l.Tax = append(l.Tax, m)
		}
		if m.ElectricityYuanPerKwh > 0 {
			l.Electricity = append(l.Electricity, m)
		}
		if m.WaterYuanPerT > 0 || m.WaterSurchargePct > 0 {
			l.Water = append(l.Water, m)
		}
		if cp.EnergyQuotaPct != nil {
			l.Energy = append(l.Energy, m)
		}
	}
	return l
}

// Policies applies policy p to run id: the lists each bureau needs. The
// classes of earlier years are those of the county's latest runs of
// those years (a published one first). An enterprise gets its own line.
func (s *Service) Policies(ctx context.Context, by auth.Principal, id int64, p *Policy) (Run, Lists, error) {
	sr, err := s.read(ctx, by, id)
	if err != nil {
		return Run{}, Lists{}, err
	}
	out, err := unpackOutcome(sr.Outcome)
	if err != nil {
		return Run{}, Lists{}, err
	}
	packed, err := s.store.EvaluationInputs(ctx, id)
	if err != nil {
		return Run{}, Lists{}, err
	}
	ins, err := unpackInputs(packed)
	if err != nil {
		return Run{}, Lists{}, err
	}
	figures := make(map[string]Input, len(ins))
	for _, in := range ins {
		figures[in.USCC] = in
	}
	var before []map[string]string
	if p.Running != nil {
		for y := sr.Year - 1; y > sr.Year-p.Running.Years; y-- {
			b, err := s.store.Latest(ctx, sr.County, y)
			if err != nil {
				return Run{}, Lists{}, err
			}
			classes := map[string]string{}
			if b != nil {
				o, err := unpackOutcome(b)
				if err != nil {
					return Run{}, Lists{}, err
				}
				for _, r := range o.Results {
					classes[r.USCC] = r.Class
				}
			}
			before = append(before, classes)
		}
	}
	rs := out.Results
	if by.Role == auth.Enterprise {
		rs = slices.DeleteFunc(slices.Clone(rs), func(r Result) bool { return r.USCC != by.Scope.USCC })
	}
	return summary(sr, out), p.Apply(rs, figures, before), nil
}
