package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// records are each kind's record type, for the document, and the form of
// its key, for PATCH .../{key...}.
var records = map[string]struct {
	rec any
	key string
}{
	"units":       {registry.AdminUnit{}, "CODE"},
	"parks":       {registry.Park{}, "CODE"},
	"enterprises": {registry.Enterprise{}, "USCC"},
	"licences":    {registry.Licence{}, "USCC/LICENCE_NO"},
	"sites":       {registry.Site{}, "USCC"},
	"safety":      {registry.Safety{}, "USCC/ASSESSED_ON"},
	"outlets":     {registry.Outlet{}, "USCC/OUTLET_CODE"},
	"facilities":  {registry.Facility{}, "USCC/FACILITY_CODE"},
	"permits":     {registry.PermitLimit{}, "PERMIT_NO/OUTLET_CODE/POLLUTANT_CODE"},
	"annual":      {economy.Annual{}, "USCC/YEAR"},
}

// mediaTypes are the spreadsheet formats of import and export.
var mediaTypes = map[string]string{
	"csv":  "text/csv",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

var (
	usccQuery   = param{"uscc", "string", "only the records of this enterprise"}
	formatQuery = param{"format", "string", "csv or xlsx"}
)

func (s *Server) table() []route {
	entKind, _ := registry.KindByName("enterprises")
	ent := records["enterprises"].rec
	rs := []route{
		{method: "GET", pattern: "/healthz", summary: "Health check", handle: health, resp: healthStatus{}, public: true},
		{method: "GET", pattern: "/api/v1/openapi.json", summary: "This OpenAPI document", handle: s.openAPIDoc, resp: map[string]any{}, public: true},
		{method: "GET", pattern: "/api/v1/industries/{code}", summary: "Name of a GB/T 4754-2017 industry code", handle: industryName, resp: industry{}, public: true},
		{method: "GET", pattern: "/api/v1/enterprises", summary: "One page of enterprises (企业), filtered", handle: s.enterprises, resp: enterprisePage{},
			query: []param{
				{"county", "string", "county-level unit: GB/T 2260 code or Chinese name"},
				{"park", "string", "park code"},
				{"industry", "string", "GB/T 4754-2017 code prefix"},
				{"size", "string", "above or below (规上/规下)"},
				{"status", "string", "operating, suspended, closed or relocated"},
				{"q", "string", "text in the name"},
				{"near", "string", "lon,lat,radius_m: within radius_m metres of a WGS84 point"},
				{"within_park", "string", "park code: located inside the park's boundary, whatever park registered"},
				{"limit", "integer", "page size, 1 to 1000 (default 50)"},
				{"offset", "integer", "records to skip (default 0)"},
			}},
		{method: "GET", pattern: "/api/v1/enterprises/{uscc}", summary: "An enterprise with all its records", handle: s.detail, resp: registry.Detail{}},
		{method: "GET", pattern: "/api/v1/enterprises/{uscc}/history", summary: "Changes to an enterprise and its records, oldest first", handle: s.history, resp: itemsOf{registry.Change{}}},
		{method: "POST", pattern: "/api/v1/enterprises", summary: "Create an enterprise", handle: s.save(entKind, ""), status: http.StatusCreated, body: ent, resp: ent},
		{method: "PATCH", pattern: "/api/v1/enterprises/{uscc}", summary: "Update the given fields of an enterprise", handle: s.save(entKind, "uscc"), body: ent, resp: ent},
		{method: "POST", pattern: "/api/v1/import/{kind}", summary: "Import a spreadsheet: all rows or none", handle: s.importSheet, limit: maxUpload, body: upload{}, resp: registry.Result{},
			query: []param{
				formatQuery,
				{"dry_run", "boolean", "validate and count, write nothing"},
				{"name", "string", "file name for the problems (default upload)"},
			}},
		{method: "GET", pattern: "/api/v1/export/{kind}", summary: "Export a kind as a spreadsheet (passwords masked)", handle: s.exportSheet, query: []param{formatQuery}, resp: download{}},
	}
	for _, k := range registry.Kinds {
		rec, ok := records[k.Name]
		switch {
		case !ok:
			panic("api: no record type for kind " + k.Name)
		case k.Name == "enterprises":
			continue
		}
		var query []param
		if k.HasField("uscc") {
			query = []param{usccQuery}
		}
		rs = append(rs,
			route{method: "GET", pattern: "/api/v1/" + k.Name, summary: "List " + k.Name + " (" + k.Zh + ")", handle: s.list(k), query: query, resp: itemsOf{rec.rec}},
			route{method: "POST", pattern: "/api/v1/" + k.Name, summary: "Create one of " + k.Name, handle: s.save(k, ""), status: http.StatusCreated, body: rec.rec, resp: rec.rec},
			route{method: "PATCH", pattern: "/api/v1/" + k.Name + "/{key...}", summary: "Update the given fields of one of " + k.Name,
				handle: s.save(k, "key"), body: rec.rec, resp: rec.rec, keyShape: rec.key},
		)
	}
	rs = append(rs, s.accountRoutes()...)
	rs = append(rs, s.monitoringRoutes()...)
	rs = append(rs, s.rulesRoutes()...)
	rs = append(rs, s.purchaseRoutes()...)
	rs = append(rs, s.gepRoutes()...)
	rs = append(rs, s.watchRoutes()...)
	rs = append(rs, s.industryRoutes()...)
	rs = append(rs, s.loadsRoutes()...)
	return append(append(rs, s.complianceRoutes()...), s.economyRoutes()...)
}

type healthStatus struct {
	Status string `json:"status"`
}

func health(*http.Request) (any, error) { return healthStatus{"ok"}, nil }

func (s *Server) openAPIDoc(*http.Request) (any, error) { return json.RawMessage(s.doc), nil }

type industry struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func industryName(r *http.Request) (any, error) {
	code := r.PathValue("code")
	name, ok := registry.IndustryName(code)
	if !ok {
		return nil, apperr.Newf(apperr.NotFound, "no GB/T 4754-2017 code %q", "无 GB/T 4754-2017 行业代码 %q", code)
	}
	return industry{code, name}, nil
}

// enterpriseItem is an enterprise with the names of its codes, for display.
type enterpriseItem struct {
	registry.Enterprise
	CountyName   string `json:"county_name,omitempty"`
	IndustryName string `json:"industry_name,omitempty"`
}

type enterprisePage struct {
	Items  []enterpriseItem `json:"items"`
	Total  int              `json:"total"`
	Limit  int              `json:"limit"`
	Offset int              `json:"offset"`
}

func (s *Server) enterprises(r *http.Request) (any, error) {
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 50, 1, 1000)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(q, "offset", 0, 0, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	near, err := registry.ParseCircle(q.Get("near"))
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	es, total, err := s.reg.Enterprises(r.Context(), who, registry.EnterpriseFilter{
		County: q.Get("county"), Park: q.Get("park"), Industry: q.Get("industry"),
		Size: q.Get("size"), Status: q.Get("status"), Q: q.Get("q"), Near: near, WithinPark: q.Get("within_park"), Limit: limit, Offset: offset,
	})
	if err != nil {
		return nil, err
	}
	units, err := s.reg.Store().Units(r.Context())
	if err != nil {
		return nil, err
	}
	counties := make(map[string]string, len(units))
	for _, u := range units {
		counties[u.Code] = u.Name
	}
	page := enterprisePage{Items: make([]enterpriseItem, len(es)), Total: total, Limit: limit, Offset: offset}
	for i, e := range es {
		ind, _ := registry.IndustryName(e.IndustryCode)
		page.Items[i] = enterpriseItem{e, counties[e.County], ind}
	}
	return page, nil
}

// pathUSCC reads and checks the {uscc} of the path, so that a mistyped
// code is told apart from an unknown one.
func pathUSCC(r *http.Request) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(r.PathValue("uscc")))
	return u, registry.CheckUSCC(u)
}

func (s *Server) detail(r *http.Request) (any, error) {
	u, err := pathUSCC(r)
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.reg.Detail(r.Context(), who, u)
}

func (s *Server) history(r *http.Request) (any, error) {
	u, err := pathUSCC(r)
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	cs, err := s.reg.History(r.Context(), who, u)
	return list{nonNil(cs)}, err
}

func (s *Server) list(k *registry.Kind) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		u := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("uscc")))
		if u != "" {
			if err := registry.CheckUSCC(u); err != nil {
				return nil, err
			}
		}
		who, err := principal(r)
		if err != nil {
			return nil, err
		}
		recs, err := s.reg.List(r.Context(), who, k, u)
		return list{nonNil(recs)}, err
	}
}

// save creates (keyParam "") or updates (the record named by the path
// parameter keyParam) a record of kind k from a JSON object.
func (s *Server) save(k *registry.Kind, keyParam string) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		key := ""
		switch keyParam {
		case "uscc":
			u, err := pathUSCC(r)
			if err != nil {
				return nil, err
			}
			key = u
		case "key":
			key = r.PathValue("key")
		}
		who, err := principal(r)
		if err != nil {
			return nil, err
		}
		fs, err := fields(r)
		if err != nil {
			return nil, err
		}
		return s.reg.Save(r.Context(), k, key, fs, who)
	}
}

func pathKind(r *http.Request) (*registry.Kind, error) {
	name := r.PathValue("kind")
	k, ok := registry.KindByName(name)
	if !ok {
		return nil, apperr.Newf(apperr.NotFound, "no kind of record %q", "无此类记录 %q", name)
	}
	return k, nil
}

func format(v string) (string, error) {
	if _, ok := mediaTypes[v]; !ok {
		return "", apperr.Newf(apperr.Invalid, "parameter format: want csv or xlsx, got %q", "参数 format 应为 csv 或 xlsx，实为 %q", v)
	}
	return v, nil
}

// uploadFormat takes the format from ?format=, else from the Content-Type.
func uploadFormat(r *http.Request) (string, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		return format(f)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	for f, t := range mediaTypes {
		if mt == t {
			return f, nil
		}
	}
	return "", apperr.New(apperr.Invalid, "give the file's format: ?format=csv or xlsx, or its Content-Type",
		"请注明文件格式：?format=csv 或 xlsx，或相应的 Content-Type")
}

func (s *Server) importSheet(r *http.Request) (any, error) {
	k, err := pathKind(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	dryRun, err := boolParam(q, "dry_run")
	if err != nil {
		return nil, err
	}
	f, err := uploadFormat(r)
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	release, err := s.reg.ImportSlot()
	if err != nil {
		return nil, err
	}
	defer release()
	open := sheet.OpenCSV
	if f == "xlsx" {
		open = sheet.OpenXLSX
	}
	rows, err := open(cmp.Or(strings.TrimSpace(q.Get("name")), "upload"), r.Body)
	if err != nil {
		return nil, readError(err)
	}
	defer rows.Close()
	res, err := s.reg.ImportRows(r.Context(), k, rows, who, dryRun)
	if rows.Err() != nil {
		return res, readError(rows.Err())
	}
	return res, err
}

// retryAfter is the seconds a client is told to wait while another import
// runs: an import of 100,000 rows takes about that long.
const retryAfter = 10

// readError is an error reading an uploaded spreadsheet, as the client sees it.
func readError(err error) error {
	if apperr.As(err) != nil {
		return err // what is wrong with the file, in both languages
	}
	return &apperr.Error{Code: apperr.Invalid, Message: err.Error(), Zh: "无法读取表格文件：" + err.Error(), Err: err}
}

func (s *Server) exportSheet(r *http.Request) (any, error) {
	k, err := pathKind(r)
	if err != nil {
		return nil, err
	}
	f, err := format(cmp.Or(r.URL.Query().Get("format"), "csv"))
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	rows, err := s.reg.Rows(r.Context(), who, k, false)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := sheet.Write(&b, f, k.Header(), rows); err != nil {
		return nil, err
	}
	ct := mediaTypes[f]
	if f == "csv" {
		ct += "; charset=utf-8"
	}
	return download{name: k.Name + "." + f, contentType: ct, data: b.Bytes()}, nil
}
