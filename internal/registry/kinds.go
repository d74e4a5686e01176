package registry

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/geo"
	"ecoindustry/internal/hj212"
)

// Kind describes one kind of registry record: its columns, how a record is
// read from text and written back, its key, and how it is stored. Import,
// export and the API's writes all go through it, so a record is validated
// the same way whichever door it comes in by.
type Kind struct {
	Name   string // English, plural: the CLI and API name
	Zh     string
	Fields []Field
	// Bureau is the bureau whose officers write this kind (decision 0019).
	Bureau auth.Bureau

	parse  func(p *Parser) any
	key    func(r any) string
	owner  func(r any) string // the enterprise's USCC, "" for parks
	values func(r any) []string
	load   func(ctx context.Context, r Reader, uscc string) ([]any, error)
	put    func(ctx context.Context, tx Tx, r any) error
	// check looks across the records of one import (or one API write) for
	// what no single row shows: MNs used twice, a permit's rows that disagree.
	check func(c *checker)
	// release frees, before any record is written, what a stored record
	// holds that its update gives up, so that records may trade unique
	// values (two outlets swapping data loggers) in one write.
	release func(ctx context.Context, tx Tx, stored, updated any) error
}

func (k *Kind) field(name string) Field {
	for _, f := range k.Fields {
		if f.Name == name {
			return f
		}
	}
	panic("registry: kind " + k.Name + " has no field " + name)
}

// ownerOfKey returns the USCC a key starts with, "" where keys do not name one.
func (k *Kind) ownerOfKey(key string) string {
	if !k.HasField("uscc") || k.Name == "permits" {
		return ""
	}
	u, _, _ := strings.Cut(key, "/")
	return u
}

// Def says how records of type T are read, keyed and stored: what NewKind
// needs to declare a kind.
type Def[T any] struct {
	Parse func(p *Parser) T
	Key   func(r T) string
	Owner func(r T) string // the enterprise's USCC; nil where records have none
	// Bureau writes the records; "" is the ecology bureau's.
	Bureau auth.Bureau
	Values func(r T) []string // the fields as text, in field order: export, history, diffs
	// Load reads the stored records of one enterprise (uscc), or all with "".
	Load func(ctx context.Context, r Reader, uscc string) ([]T, error)
	// Put upserts a record by its key.
	Put func(ctx context.Context, tx Tx, r T) error
}

// NewKind declares a kind of record, so that a package outside the
// registry (the enterprises' annual economic data, say) imports its files
// through Service.Import, all or nothing, with the registry's checks,
// diffs and history, without the registry knowing it. Such a kind keeps
// its records through Tx.Put and reads them through Reader.ScanTable.
func NewKind[T any](name, zh string, fields []Field, d Def[T]) *Kind {
	owner := d.Owner
	if owner == nil {
		owner = func(T) string { return "" }
	}
	return &Kind{
		Name: name, Zh: zh, Fields: fields, Bureau: cmp.Or(d.Bureau, auth.Ecology),
		parse:  func(p *Parser) any { return d.Parse(p) },
		key:    func(r any) string { return d.Key(r.(T)) },
		owner:  func(r any) string { return owner(r.(T)) },
		values: func(r any) []string { return d.Values(r.(T)) },
		load: func(ctx context.Context, r Reader, uscc string) ([]any, error) {
			ts, err := d.Load(ctx, r, uscc)
			out := make([]any, len(ts))
			for i, t := range ts {
				out[i] = t
			}
			return out, err
		},
		put: func(ctx context.Context, tx Tx, r any) error { return d.Put(ctx, tx, r.(T)) },
	}
}

// kind is NewKind for the registry's own kinds, whose storage is the
// store's methods.
func kind[T any](name, zh string, fields []Field,
	parse func(*Parser) T, key func(T) string, owner func(T) string, values func(T) []string,
	load func(Reader, context.Context, string) ([]T, error), put func(Tx, context.Context, T) error,
) *Kind {
	return NewKind(name, zh, fields, Def[T]{Parse: parse, Key: key, Owner: owner, Values: values,
		Load: func(ctx context.Context, r Reader, uscc string) ([]T, error) { return load(r, ctx, uscc) },
		Put:  func(ctx context.Context, tx Tx, t T) error { return put(tx, ctx, t) },
	})
}

// Kinds are the registry's importable kinds, in the order they depend on
// each other: import them in this order.
var Kinds = []*Kind{unitKind, parkKind, enterpriseKind, licenceKind, siteKind, safetyKind, outletKind, facilityKind, permitKind}

// Register adds a kind declared outside the registry (NewKind) to Kinds,
// after the registry's own, so that import, export and the API find it by
// name. Call it from the declaring package's init.
func Register(k *Kind) {
	if _, ok := KindByName(k.Name); ok {
		panic("registry: kind " + k.Name + " registered twice")
	}
	Kinds = append(Kinds, k)
}

// KindByName returns the kind with the given English name.
func KindByName(name string) (*Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return nil, false
}

func usccField() Field {
	return Field{Name: "uscc", Zh: "统一社会信用代码", Required: true, Aliases: []string{"社会信用代码", "信用代码"}}
}

// unitKind is the administrative units: a city, its county-level units
// (6-digit GB/T 2260 codes) and their townships (9-digit codes, the county's
// code and three digits, as the statistics bureau's division codes have).
var unitKind = kind("units", "行政区划",
	[]Field{
		{Name: "code", Zh: "行政区划代码", Required: true, Aliases: []string{"区划代码", "代码"}},
		{Name: "name", Zh: "名称", Required: true, Aliases: []string{"区划名称"}},
		{Name: "level", Zh: "级别", Required: true, Aliases: []string{"层级"}},
		{Name: "parent", Zh: "上级代码", Aliases: []string{"上级区划代码"}},
		{Name: "name_en", Zh: "英文名称"},
		{Name: "area_km2", Zh: "面积(平方公里)", Aliases: []string{"面积（平方公里）", "面积"}},
		{Name: "population", Zh: "人口", Aliases: []string{"常住人口"}},
	},
	func(p *Parser) AdminUnit {
		u := AdminUnit{Code: p.Text("code"), Name: p.Text("name"), Level: p.enum("level", levels), Parent: p.Text("parent"),
			NameEn: p.Text("name_en"), AreaKm2: p.Float("area_km2", 0, 1e7), Population: p.Int("population", 0, 2e9)}
		digits := map[string]int{"city": 6, "county": 6, "township": 9}[u.Level]
		switch {
		case u.Code != "" && digits != 0 && (len(u.Code) != digits || strings.Trim(u.Code, "0123456789") != ""):
			p.Fail("code", "a %s's code has %d digits", "%s级代码应为%d位数字", u.Level, digits)
		case u.Level != "" && u.Level != "city" && u.Parent == "":
			p.Fail("parent", "a %s needs its parent unit", "%s级区划须填写上级代码", u.Level)
		case u.Level == "township" && !strings.HasPrefix(u.Code, u.Parent):
			p.Fail("code", "township %s does not begin with its county's code %s", "乡镇代码 %s 应以所属县级代码 %s 开头", u.Code, u.Parent)
		}
		return u
	},
	func(r AdminUnit) string { return r.Code },
	func(AdminUnit) string { return "" },
	func(r AdminUnit) []string {
		return []string{r.Code, r.Name, r.Level, r.Parent, r.NameEn, fmtFloat(r.AreaKm2), fmtInt(r.Population)}
	},
	func(r Reader, ctx context.Context, _ string) ([]AdminUnit, error) { return r.Units(ctx) },
	Tx.PutUnit,
)

var parkKind = kind("parks", "园区",
	[]Field{
		{Name: "code", Zh: "园区代码", Required: true, Aliases: []string{"园区编码"}},
		{Name: "name", Zh: "园区名称", Required: true},
		{Name: "county", Zh: "所属县区", Required: true, Aliases: []string{"县(市、区)", "县市区", "所在县区"}},
		{Name: "kind", Zh: "园区类型", Required: true, Aliases: []string{"类型"}},
		{Name: "lon", Zh: "经度"},
		{Name: "lat", Zh: "纬度"},
		{Name: "boundary", Zh: "园区边界", Aliases: []string{"边界", "四至范围"}},
	},
	func(p *Parser) Park {
		pk := Park{Code: p.Code("code"), Name: p.Text("name"), County: p.county("county"), Kind: p.enum("kind", parkKinds), Boundary: p.boundary("boundary")}
		pk.Lon, pk.Lat = p.LonLat("lon", "lat")
		return pk
	},
	func(r Park) string { return r.Code },
	func(Park) string { return "" },
	func(r Park) []string {
		return []string{r.Code, r.Name, r.County, r.Kind, fmtFloat(r.Lon), fmtFloat(r.Lat), r.Boundary}
	},
	func(r Reader, ctx context.Context, _ string) ([]Park, error) { return r.Parks(ctx) },
	Tx.PutPark,
)

var enterpriseKind = kind("enterprises", "企业",
	[]Field{
		usccField(),
		{Name: "name", Zh: "企业名称", Required: true, Aliases: []string{"单位名称", "名称"}},
		{Name: "county", Zh: "所属县区", Required: true, Aliases: []string{"县(市、区)", "县市区", "所在县区"}},
		{Name: "industry_code", Zh: "行业代码", Required: true, Aliases: []string{"国民经济行业代码", "行业类别代码"}},
		{Name: "size", Zh: "企业规模", Required: true, Aliases: []string{"规模", "规上规下"}},
		{Name: "status", Zh: "经营状态", Required: true, Aliases: []string{"状态", "生产状态"}},
		{Name: "park", Zh: "所在园区", Aliases: []string{"园区代码", "园区"}},
		{Name: "address", Zh: "详细地址", Aliases: []string{"地址", "生产地址"}},
		{Name: "lon", Zh: "经度"},
		{Name: "lat", Zh: "纬度"},
		{Name: "land_mu", Zh: "用地面积(亩)", Aliases: []string{"用地面积（亩）", "用地面积"}},
		{Name: "employees", Zh: "从业人员", Aliases: []string{"职工人数", "从业人数"}},
		{Name: "founded", Zh: "成立日期", Aliases: []string{"成立时间"}},
		{Name: "synthetic", Zh: "合成数据", Aliases: []string{"模拟数据"}},
	},
	func(p *Parser) Enterprise {
		e := Enterprise{
			USCC: p.USCC("uscc"), Name: p.Text("name"), County: p.county("county"),
			IndustryCode: p.industry("industry_code"), Size: p.enum("size", sizes), Status: p.enum("status", statuses),
			Park: p.Code("park"), Address: p.Text("address"),
			LandMu: p.Float("land_mu", 0, 1e6), Employees: p.Int("employees", 0, 1e7), Founded: p.Date("founded"),
		}
		e.Lon, e.Lat = p.LonLat("lon", "lat")
		if p.get("synthetic") != "" {
			e.Synthetic = p.Bool("synthetic")
		}
		if e.Park != "" {
			switch park, ok := p.refs.park(e.Park); {
			case !ok:
				p.Fail("park", "no park %q in the registry (import parks first)", "登记库中无代码为 %q 的园区（请先导入园区）", e.Park)
			case e.County != "" && park.County != e.County:
				p.Fail("park", "park %s is in county %s, not %s", "园区 %s 属于 %s，不属于 %s", e.Park, park.County, e.County)
			}
		}
		return e
	},
	func(r Enterprise) string { return r.USCC },
	func(r Enterprise) string { return r.USCC },
	func(r Enterprise) []string {
		return []string{r.USCC, r.Name, r.County, r.IndustryCode, r.Size, r.Status, r.Park, r.Address,
			fmtFloat(r.Lon), fmtFloat(r.Lat), fmtFloat(r.LandMu), fmtInt(r.Employees), r.Founded, fmtBool(r.Synthetic)}
	},
	func(r Reader, ctx context.Context, uscc string) ([]Enterprise, error) {
		es, _, err := r.Enterprises(ctx, EnterpriseFilter{USCC: uscc})
		return es, err
	},
	Tx.PutEnterprise,
)

var licenceKind = kind("licences", "营业执照",
	[]Field{
		usccField(),
		{Name: "licence_no", Zh: "执照编号", Required: true, Aliases: []string{"营业执照编号", "注册号"}},
		{Name: "issued", Zh: "发证日期", Required: true, Aliases: []string{"核准日期"}},
		{Name: "valid_to", Zh: "有效期至", Required: true, Aliases: []string{"营业期限至"}},
		{Name: "status", Zh: "执照状态", Required: true, Aliases: []string{"状态", "登记状态"}},
	},
	func(p *Parser) Licence {
		l := Licence{USCC: p.Enterprise("uscc"), LicenceNo: p.Code("licence_no"), Issued: p.Date("issued"), Status: p.enum("status", licenceStatuses)}
		l.ValidTo = p.validTo("valid_to", l.Issued)
		return l
	},
	func(r Licence) string { return r.USCC + "/" + r.LicenceNo },
	func(r Licence) string { return r.USCC },
	func(r Licence) []string {
		return []string{r.USCC, r.LicenceNo, r.Issued, longTerm(r.ValidTo), r.Status}
	},
	Reader.Licences, Tx.PutLicence,
)

var siteKind = kind("sites", "生产场所",
	[]Field{
		usccField(),
		{Name: "land_status", Zh: "用地状态", Required: true, Aliases: []string{"场所合法性", "土地状态"}},
		{Name: "certificate_no", Zh: "权证编号", Aliases: []string{"不动产权证号", "土地证号"}},
	},
	func(p *Parser) Site {
		s := Site{USCC: p.Enterprise("uscc"), LandStatus: p.enum("land_status", landStatuses), CertificateNo: p.Text("certificate_no")}
		if s.LandStatus == "legal" && s.CertificateNo == "" {
			p.Fail("certificate_no", "a legal site needs its certificate number", "合法场所须填写权证编号")
		}
		return s
	},
	func(r Site) string { return r.USCC },
	func(r Site) string { return r.USCC },
	func(r Site) []string { return []string{r.USCC, r.LandStatus, r.CertificateNo} },
	Reader.Sites, Tx.PutSite,
)

var safetyKind = kind("safety", "安全评价",
	[]Field{
		usccField(),
		{Name: "assessed_on", Zh: "评价日期", Required: true, Aliases: []string{"评估日期"}},
		{Name: "result", Zh: "评价结论", Required: true, Aliases: []string{"结论", "结果"}},
		{Name: "valid_to", Zh: "有效期至"},
	},
	func(p *Parser) Safety {
		s := Safety{USCC: p.Enterprise("uscc"), AssessedOn: p.Date("assessed_on"), Result: p.enum("result", results)}
		s.ValidTo = p.validTo("valid_to", s.AssessedOn)
		if s.Result == "pass" && s.ValidTo == "" && strings.TrimSpace(p.get("valid_to")) == "" {
			p.Fail("valid_to", "a passed assessment needs its end of validity", "评价合格须填写有效期")
		}
		return s
	},
	func(r Safety) string { return r.USCC + "/" + r.AssessedOn },
	func(r Safety) string { return r.USCC },
	func(r Safety) []string { return []string{r.USCC, r.AssessedOn, r.Result, longTerm(r.ValidTo)} },
	Reader.Safety, Tx.PutSafety,
)

var outletKind = kind("outlets", "排放口",
	[]Field{
		usccField(),
		{Name: "outlet_code", Zh: "排放口编号", Required: true, Aliases: []string{"排污口编号"}},
		{Name: "kind", Zh: "排放口类型", Required: true, Aliases: []string{"类型"}},
		{Name: "name", Zh: "排放口名称", Required: true, Aliases: []string{"名称"}},
		{Name: "lon", Zh: "经度"},
		{Name: "lat", Zh: "纬度"},
		{Name: "height_m", Zh: "排气筒高度(米)", Aliases: []string{"排气筒高度（米）", "高度"}},
		{Name: "mn", Zh: "数采仪MN", Aliases: []string{"MN", "设备唯一标识"}},
		{Name: "pw", Zh: "访问密码", Aliases: []string{"密码"}},
	},
	func(p *Parser) Outlet {
		o := Outlet{USCC: p.Enterprise("uscc"), OutletCode: p.Code("outlet_code"), Kind: p.enum("kind", outletKinds),
			Name: p.Text("name"), HeightM: p.Float("height_m", 0, 500), MN: p.mn("mn"), PW: p.pw("pw")}
		o.Lon, o.Lat = p.LonLat("lon", "lat")
		if o.Kind == "air" && o.HeightM == 0 {
			p.Fail("height_m", "a flue-gas outlet needs its stack height", "废气排放口须填写排气筒高度")
		}
		if (o.MN == "") != (o.PW == "") {
			p.Fail("pw", "give the logger's MN and password together, or neither", "数采仪 MN 与访问密码须同时填写或同时为空")
		}
		return o
	},
	func(r Outlet) string { return r.USCC + "/" + r.OutletCode },
	func(r Outlet) string { return r.USCC },
	func(r Outlet) []string {
		return []string{r.USCC, r.OutletCode, r.Kind, r.Name, fmtFloat(r.Lon), fmtFloat(r.Lat), fmtFloat(r.HeightM), r.MN, r.PW}
	},
	Reader.Outlets, Tx.PutOutlet,
)

var facilityKind = kind("facilities", "环保设施",
	[]Field{
		usccField(),
		{Name: "facility_code", Zh: "设施编号", Required: true},
		{Name: "kind", Zh: "设施类型", Required: true, Aliases: []string{"治理设施", "处理工艺"}},
		{Name: "outlet_code", Zh: "对应排放口", Aliases: []string{"排放口编号"}},
		{Name: "in_service", Zh: "是否在用", Required: true, Aliases: []string{"运行状态"}},
		{Name: "installed", Zh: "建成日期", Aliases: []string{"投运日期", "安装日期"}},
	},
	func(p *Parser) Facility {
		f := Facility{USCC: p.Enterprise("uscc"), FacilityCode: p.Code("facility_code"), Kind: p.Text("kind"),
			InService: p.Bool("in_service"), Installed: p.Date("installed")}
		f.OutletCode = p.outlet("outlet_code", f.USCC, false)
		return f
	},
	func(r Facility) string { return r.USCC + "/" + r.FacilityCode },
	func(r Facility) string { return r.USCC },
	func(r Facility) []string {
		return []string{r.USCC, r.FacilityCode, r.Kind, r.OutletCode, fmtBool(r.InService), r.Installed}
	},
	Reader.Facilities, Tx.PutFacility,
)

var permitKind = kind("permits", "排污许可证",
	[]Field{
		{Name: "permit_no", Zh: "许可证编号", Required: true, Aliases: []string{"排污许可证编号", "证书编号"}},
		usccField(),
		{Name: "class", Zh: "管理类别", Required: true, Aliases: []string{"管理类型"}},
		{Name: "valid_from", Zh: "有效期起", Required: true, Aliases: []string{"有效期自"}},
		{Name: "valid_to", Zh: "有效期至", Required: true},
		{Name: "outlet_code", Zh: "排放口编号", Required: true},
		{Name: "pollutant_code", Zh: "污染物代码", Required: true, Aliases: []string{"污染物编码"}},
		{Name: "limit_concentration", Zh: "许可排放浓度", Aliases: []string{"排放浓度限值"}},
		{Name: "limit_unit", Zh: "浓度单位", Aliases: []string{"单位"}},
		{Name: "annual_quantity_t", Zh: "许可年排放量(吨)", Aliases: []string{"许可年排放量（吨）", "年许可排放量"}},
	},
	func(p *Parser) PermitLimit {
		l := PermitLimit{PermitNo: p.Code("permit_no"), USCC: p.Enterprise("uscc"), Class: p.enum("class", permitClasses),
			ValidFrom: p.Date("valid_from"), ValidTo: p.Date("valid_to"),
			LimitConcentration: p.Float("limit_concentration", 0, 1e9), LimitUnit: p.Text("limit_unit"),
			AnnualQuantityT: p.Float("annual_quantity_t", 0, 1e9)}
		l.OutletCode = p.outlet("outlet_code", l.USCC, true)
		l.PollutantCode = p.pollutant("pollutant_code", l.USCC, l.OutletCode)
		if l.ValidFrom != "" && l.ValidTo != "" && l.ValidTo <= l.ValidFrom {
			p.Fail("valid_to", "ends on %s, not after it starts on %s", "有效期止 %s 不晚于起始 %s", l.ValidTo, l.ValidFrom)
		}
		switch {
		case l.LimitConcentration == 0 && l.AnnualQuantityT == 0:
			p.Fail("limit_concentration", "give a permitted concentration, an annual quantity, or both", "许可排放浓度与许可年排放量至少填写一项")
		case l.LimitConcentration != 0 && l.PollutantCode != "":
			if pol, ok := hj212.LookupPollutant(l.PollutantCode); ok && !slices.Contains(limitUnits[pol.Medium], l.LimitUnit) {
				p.Fail("limit_unit", "%q is not a unit of %s concentration (%s)", "%q 不是%s浓度单位（%s）",
					l.LimitUnit, pol.Medium, strings.Join(limitUnits[pol.Medium], ", "))
			}
		}
		return l
	},
	func(r PermitLimit) string { return r.PermitNo + "/" + r.OutletCode + "/" + r.PollutantCode },
	func(r PermitLimit) string { return r.USCC },
	func(r PermitLimit) []string {
		return []string{r.PermitNo, r.USCC, r.Class, r.ValidFrom, r.ValidTo, r.OutletCode, r.PollutantCode,
			fmtFloat(r.LimitConcentration), r.LimitUnit, fmtFloat(r.AnnualQuantityT)}
	},
	Reader.Permits, Tx.PutPermit,
)

// limitUnits are the concentration units, by medium, of the HJ 212-2017
// tables and the emission standards; pH, colour and blackness have none.
var limitUnits = map[string][]string{
	"air":   {"mg/m3", "ng/m3", "%", "dimensionless", "无量纲"},
	"water": {"mg/L", "µg/L", "ug/L", "倍", "dimensionless", "无量纲"},
}

func init() {
	unitKind.check = checkParents
	outletKind.check = checkMNs
	outletKind.release = func(ctx context.Context, tx Tx, stored, updated any) error {
		o := stored.(Outlet)
		if o.MN == "" || o.MN == updated.(Outlet).MN {
			return nil
		}
		o.MN = ""
		return tx.PutOutlet(ctx, o)
	}
	permitKind.check = checkPermits
}

// county reads a county-level unit by code or name and returns its code.
func (p *Parser) county(name string) string {
	v := p.Text(name)
	if v == "" {
		return ""
	}
	u, ok := FindUnit(p.refs.units, v)
	if !ok || u.Level != "county" {
		p.Fail(name, "%q is not a county-level unit (give its GB/T 2260 code or Chinese name)", "%q 不是县级行政区（请填写 GB/T 2260 代码或中文名称）", v)
		return ""
	}
	return u.Code
}

func (p *Parser) industry(name string) string {
	v := p.Text(name)
	switch n, ok := IndustryName(v); {
	case v == "":
	case !ok:
		p.Fail(name, "%q is not a GB/T 4754-2017 code", "%q 不是 GB/T 4754-2017 行业代码", v)
	case len(v) != 4:
		p.Fail(name, "%q (%s) is not a four-digit class: give the class", "%q（%s）不是四位小类代码，请填写小类", v, n)
	}
	return v
}

// boundary reads a GeoJSON Polygon or MultiPolygon inside China and
// returns it in compact form, so that an export imports again unchanged.
//
// It reads the cell itself, not through str: a pretty-printed polygon's
// line breaks and tabs are JSON whitespace, gone from what is stored.
func (p *Parser) boundary(name string) string {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return ""
	}
	sh, err := geo.ParseShape(v)
	if err != nil {
		p.Fail(name, "not a GeoJSON Polygon or MultiPolygon: %v", "不是 GeoJSON 多边形（Polygon 或 MultiPolygon）：%v", err)
		return ""
	}
	if b := sh.Bounds(); b.MinLon < minLon || b.MaxLon > maxLon || b.MinLat < minLat || b.MaxLat > maxLat {
		p.Fail(name, "the boundary reaches outside China (WGS84 longitude %g–%g, latitude %g–%g)", "边界超出中国境内（WGS84 经度 %g–%g，纬度 %g–%g）",
			minLon, maxLon, minLat, maxLat)
	}
	return sh.String()
}

// validTo reads an end date after from; "长期" or "long-term" mean none.
func (p *Parser) validTo(name, from string) string {
	if v := strings.TrimSpace(p.get(name)); v == "长期" || strings.EqualFold(v, "long-term") {
		return ""
	}
	to := p.Date(name)
	if to != "" && from != "" && to < from {
		p.Fail(name, "%s is before %s", "%s 早于 %s", to, from)
	}
	return to
}

func longTerm(date string) string {
	if date == "" {
		return "long-term"
	}
	return date
}

// mn reads a data logger's MN: HJ 212-2017 gives 24 characters, 2005
// loggers in the field send 6 to 24 (shared/reference/hj212/PROTOCOL.md §1.2).
func (p *Parser) mn(name string) string {
	v := p.Text(name)
	if v != "" && !mnRE.MatchString(v) {
		p.Fail(name, "%q is not an MN (6 to 24 letters, digits or '-')", "%q 不是有效的 MN（6至24位字母、数字或“-”）", v)
	}
	return v
}

// pw reads a logger password; it travels inside a frame, so it must not
// hold the frame's separators.
func (p *Parser) pw(name string) string {
	v := p.Text(name)
	if v == masked {
		p.Fail(name, "the password is masked (******): give the logger's password", "访问密码为掩码（******），请填写数采仪的实际密码")
		return v
	}
	if v != "" && !pwRE.MatchString(v) {
		p.Fail(name, "the password must be 1 to 24 printable characters without ';', ',', '&' or '='", "访问密码应为1至24位可打印字符，且不含“;”“,”“&”“=”")
	}
	return v
}

var (
	mnRE = regexp.MustCompile(`^[0-9A-Za-z-]{6,24}$`)
	pwRE = regexp.MustCompile(`^[!-%'-+\--:<>-~]{1,24}$`)
)

// pollutant reads an HJ 212-2017 pollutant code that fits the outlet's medium.
func (p *Parser) pollutant(name, uscc, outlet string) string {
	v := p.Text(name)
	if v == "" {
		return ""
	}
	pol, ok := hj212.LookupPollutant(v)
	if !ok {
		p.Fail(name, "%q is not an HJ 212-2017 pollutant code", "%q 不是 HJ 212-2017 污染物代码", v)
		return v
	}
	if o, ok := p.refs.outletOf(uscc, outlet); ok && o.Kind != pol.Medium {
		p.Fail(name, "%s (%s) is a %s pollutant but outlet %s is %s", "%s（%s）属于%s污染物，但排放口 %s 为%s排放口",
			v, pol.Name, pol.Medium, outlet, o.Kind)
	}
	return v
}
