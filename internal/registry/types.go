// Package registry keeps who produces what, where, under which permits and
// through which outlets: administrative units, parks, enterprises and the
// records a bureau keeps on each (business licence, production site, safety
// assessments, environmental protection facilities, outlets, discharge
// permits), with every change kept.
package registry

import "time"

// AdminUnit is a city, county-level unit or township, coded by GB/T 2260.
type AdminUnit struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	NameEn     string  `json:"name_en"`
	Level      string  `json:"level"` // city, county, township
	Parent     string  `json:"parent"`
	AreaKm2    float64 `json:"area_km2"`
	Population int     `json:"population"`
}

// Park is a development zone, industrial park or small and micro park.
type Park struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	County string  `json:"county"` // GB/T 2260 code
	Kind   string  `json:"kind"`
	Lon    float64 `json:"lon"` // the park's centre or management office
	Lat    float64 `json:"lat"`
	// Boundary is the park's outline as a GeoJSON Polygon or MultiPolygon
	// (WGS84), "" where it is not recorded.
	Boundary string `json:"boundary"`
}

// Enterprise is keyed by its unified social credit code. Zero numbers and
// empty strings mean "not recorded".
type Enterprise struct {
	USCC         string  `json:"uscc"`
	Name         string  `json:"name"`
	County       string  `json:"county"` // GB/T 2260 code
	IndustryCode string  `json:"industry_code"`
	Size         string  `json:"size"`   // above, below (规上/规下)
	Status       string  `json:"status"` // operating, suspended, closed, relocated
	Park         string  `json:"park"`
	Address      string  `json:"address"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	LandMu       float64 `json:"land_mu"`
	Employees    int     `json:"employees"`
	Founded      string  `json:"founded"` // YYYY-MM-DD
	// Synthetic marks generated demo records, never real enterprises.
	Synthetic bool `json:"synthetic"`
}

// Licence is a business licence (营业执照). ValidTo "" is long-term (长期).
type Licence struct {
	USCC      string `json:"uscc"`
	LicenceNo string `json:"licence_no"`
	Issued    string `json:"issued"`
	ValidTo   string `json:"valid_to"`
	Status    string `json:"status"` // valid, suspended, revoked, cancelled
}

// Site is the legal status of an enterprise's production site, one per enterprise.
type Site struct {
	USCC          string `json:"uscc"`
	LandStatus    string `json:"land_status"` // legal, pending, illegal
	CertificateNo string `json:"certificate_no"`
}

// Safety is one safety assessment; an enterprise has one per date.
type Safety struct {
	USCC       string `json:"uscc"`
	AssessedOn string `json:"assessed_on"`
	Result     string `json:"result"` // pass, fail
	ValidTo    string `json:"valid_to"`
}

// Facility is a piece of environmental protection equipment; OutletCode
// names the outlet it treats, "" when it serves none (dust suppression, noise).
type Facility struct {
	USCC         string `json:"uscc"`
	FacilityCode string `json:"facility_code"`
	Kind         string `json:"kind"`
	OutletCode   string `json:"outlet_code"`
	InService    bool   `json:"in_service"`
	Installed    string `json:"installed"`
}

// Outlet is a chimney or wastewater outlet. MN and PW identify its HJ 212
// data logger; both are empty where there is no online monitoring.
type Outlet struct {
	USCC       string  `json:"uscc"`
	OutletCode string  `json:"outlet_code"`
	Kind       string  `json:"kind"` // air, water
	Name       string  `json:"name"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	HeightM    float64 `json:"height_m"`
	MN         string  `json:"mn"`
	PW         string  `json:"pw"`
}

// PermitLimit is one row of a discharge permit: the permitted concentration
// and annual quantity of one pollutant at one outlet.
type PermitLimit struct {
	PermitNo           string  `json:"permit_no"`
	USCC               string  `json:"uscc"`
	Class              string  `json:"class"` // key, simplified, registration (重点/简化/登记)
	ValidFrom          string  `json:"valid_from"`
	ValidTo            string  `json:"valid_to"`
	OutletCode         string  `json:"outlet_code"`
	PollutantCode      string  `json:"pollutant_code"` // HJ 212-2017
	LimitConcentration float64 `json:"limit_concentration"`
	LimitUnit          string  `json:"limit_unit"`
	AnnualQuantityT    float64 `json:"annual_quantity_t"`
}

// Change is one entry of the append-only change history.
type Change struct {
	ID     int64                  `json:"id"`
	At     time.Time              `json:"at"`
	Actor  string                 `json:"actor"`
	Kind   string                 `json:"kind"`
	Key    string                 `json:"key"`
	USCC   string                 `json:"uscc,omitempty"`
	Op     string                 `json:"op"` // create, update
	Fields map[string]FieldChange `json:"fields"`
}

// FieldChange is one field's value before and after a change.
type FieldChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// EnterpriseFilter selects enterprises; empty fields match all.
type EnterpriseFilter struct {
	USCC     string
	County   string // GB/T 2260 code
	Park     string
	Industry string // code prefix
	Size     string
	Status   string
	Q        string // free text on the name
	Near     *Circle
	// WithinPark selects enterprises whose location is inside the park's
	// boundary, whatever park they are registered to.
	WithinPark string
	Limit      int // 0: all
	Offset     int
}

// Circle is a WGS84 point and a radius in metres.
type Circle struct{ Lon, Lat, RadiusM float64 }

// ChangeFilter selects history entries; empty fields match all.
type ChangeFilter struct {
	USCC string
	Kind string
	Key  string
}

// Detail is an enterprise with everything the bureau keeps on it.
type Detail struct {
	Enterprise
	Licences   []Licence     `json:"licences"`
	Site       *Site         `json:"site"`
	Safety     []Safety      `json:"safety"`
	Facilities []Facility    `json:"facilities"`
	Outlets    []Outlet      `json:"outlets"`
	Permits    []PermitLimit `json:"permits"`
}
