package registry

import (
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// Service is the registry's use cases over a Store.
type Service struct {
	store Store
	now   func() time.Time
	// importing holds the one import a server runs at a time, from the
	// API or the pages: an import keeps its file's records in memory
	// until it commits.
	importing chan struct{}
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now, importing: make(chan struct{}, 1)}
}

// ImportSlot takes the server's one import slot, before the file is read,
// or says another import holds it (apperr.Busy); release gives it back.
func (s *Service) ImportSlot() (release func(), err error) {
	select {
	case s.importing <- struct{}{}:
		return func() { <-s.importing }, nil
	default:
		return nil, apperr.New(apperr.Busy, "another import is running: try again shortly", "另一项导入正在进行，请稍后重试")
	}
}

// Store returns the service's store, for readers that need nothing more.
func (s *Service) Store() Store { return s.store }

// Enterprises lists one page of the enterprises by may see. The county
// may be given by code or name; an unknown one is an error rather than an
// empty page.
func (s *Service) Enterprises(ctx context.Context, by auth.Principal, f EnterpriseFilter) ([]Enterprise, int, error) {
	if err := auth.CanList(by, auth.Records); err != nil {
		return nil, 0, err
	}
	if f.County != "" {
		units, err := s.store.Units(ctx)
		if err != nil {
			return nil, 0, err
		}
		u, ok := FindUnit(units, f.County)
		if !ok {
			return nil, 0, apperr.Newf(apperr.Invalid, "unknown county %q", "未知县区 %q", f.County)
		}
		f.County = u.Code
	}
	for _, c := range []struct {
		v *string
		e enum
	}{{&f.Size, sizes}, {&f.Status, statuses}} {
		if *c.v == "" {
			continue
		}
		code, ok := c.e.parse(*c.v)
		if !ok {
			return nil, 0, apperr.Newf(apperr.Invalid, "%q is not one of %s", "%q 不是有效取值，应为：%s", *c.v, c.e.codes())
		}
		*c.v = code
	}
	// The scope narrows the filter; a filter outside it finds nothing.
	v := auth.Visible(by)
	for _, c := range []struct{ f, scope *string }{{&f.County, &v.County}, {&f.Park, &v.Park}, {&f.USCC, &v.USCC}} {
		switch {
		case *c.scope == "":
		case *c.f != "" && *c.f != *c.scope:
			return nil, 0, nil
		default:
			*c.f = *c.scope
		}
	}
	if f.WithinPark != "" {
		parks, err := s.store.Parks(ctx)
		if err != nil {
			return nil, 0, err
		}
		i := slices.IndexFunc(parks, func(p Park) bool { return p.Code == f.WithinPark })
		switch {
		case i < 0:
			return nil, 0, apperr.Newf(apperr.Invalid, "unknown park %q", "未知园区 %q", f.WithinPark)
		case parks[i].Boundary == "":
			return nil, 0, apperr.Newf(apperr.Invalid, "park %s has no boundary recorded", "园区 %s 未登记边界", f.WithinPark)
		}
	}
	return s.store.Enterprises(ctx, f)
}

// Detail returns an enterprise with all its records.
func (s *Service) Detail(ctx context.Context, by auth.Principal, uscc string) (Detail, error) {
	e, err := readEnterprise(ctx, s.store, by, uscc)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Enterprise: e}
	if d.Licences, err = s.store.Licences(ctx, uscc); err != nil {
		return d, err
	}
	sites, err := s.store.Sites(ctx, uscc)
	if err != nil {
		return d, err
	}
	if len(sites) > 0 {
		d.Site = &sites[0]
	}
	if d.Safety, err = s.store.Safety(ctx, uscc); err != nil {
		return d, err
	}
	if d.Facilities, err = s.store.Facilities(ctx, uscc); err != nil {
		return d, err
	}
	if d.Outlets, err = s.store.Outlets(ctx, uscc); err != nil {
		return d, err
	}
	for i, o := range d.Outlets {
		d.Outlets[i] = maskRecord(o).(Outlet)
	}
	d.Permits, err = s.store.Permits(ctx, uscc)
	return d, err
}

// History returns the changes to an enterprise and all its records, oldest first.
func (s *Service) History(ctx context.Context, by auth.Principal, uscc string) ([]Change, error) {
	if _, err := readEnterprise(ctx, s.store, by, uscc); err != nil {
		return nil, err
	}
	return s.store.Changes(ctx, ChangeFilter{USCC: uscc})
}

// List returns the records of kind k, of one enterprise or ("") of all
// those by may see, logger passwords masked.
func (s *Service) List(ctx context.Context, by auth.Principal, k *Kind, uscc string) ([]any, error) {
	recs, err := s.load(ctx, by, k, uscc)
	for i := range recs {
		recs[i] = maskRecord(recs[i])
	}
	return recs, err
}

// load reads the records of kind k that by may see, of enterprise uscc
// or ("") of all.
func (s *Service) load(ctx context.Context, by auth.Principal, k *Kind, uscc string) ([]any, error) {
	if err := auth.CanList(by, k.what()); err != nil {
		return nil, err
	}
	if k.what() != auth.Records {
		return k.load(ctx, s.store, uscc)
	}
	if uscc != "" {
		if _, err := readEnterprise(ctx, s.store, by, uscc); err != nil {
			return nil, err
		}
		return k.load(ctx, s.store, uscc)
	}
	if v := auth.Visible(by); v.USCC != "" {
		return k.load(ctx, s.store, v.USCC)
	}
	owners, err := visibleOwners(ctx, s.store, by)
	if err != nil {
		return nil, err
	}
	recs, err := k.load(ctx, s.store, "")
	if owners != nil {
		recs = slices.DeleteFunc(recs, func(r any) bool { return !owners[k.owner(r)] })
	}
	return recs, err
}

// maskRecord hides an outlet's logger password: outside an export asked
// for with secrets, it never leaves the registry.
func maskRecord(rec any) any {
	if o, ok := rec.(Outlet); ok {
		o.PW = mask(o.PW)
		return o
	}
	return rec
}

// Rows returns the records of kind k that by may see as text rows in its
// field order, for export. Logger passwords are masked unless withSecrets.
func (s *Service) Rows(ctx context.Context, by auth.Principal, k *Kind, withSecrets bool) ([][]string, error) {
	recs, err := s.load(ctx, by, k, "")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b any) int { return strings.Compare(k.key(a), k.key(b)) })
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = k.values(r)
	}
	if k == outletKind && !withSecrets {
		pw := len(k.Fields) - 1
		for _, row := range rows {
			row[pw] = mask(row[pw])
		}
	}
	return rows, nil
}

// Header returns the English column names of kind k.
func (k *Kind) Header() []string {
	h := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		h[i] = f.Name
	}
	return h
}

// Save writes one record of kind k from its fields, validated as an
// imported row would be. With key "" it creates the record and refuses one
// that exists; with a key it updates that record from the fields given,
// keeping the others, and refuses a change of key.
func (s *Service) Save(ctx context.Context, k *Kind, key string, fields map[string]string, by auth.Principal) (any, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.MayWrite(by, k.what(), k.Bureau); err != nil {
		return nil, err
	}
	for name := range fields {
		if !k.HasField(name) {
			return nil, apperr.Newf(apperr.Invalid, "%[1]s have no field %[2]q", "%[3]s无字段 %[2]q", k.Name, name, k.Zh)
		}
	}
	var saved any
	err := s.store.Update(ctx, func(tx Tx) error {
		values := fields
		if key != "" {
			cur, err := find(ctx, tx, k, key)
			if err != nil {
				return err
			}
			if err := writable(ctx, tx, by, k, cur, true, map[string]Enterprise{}); apperr.CodeOf(err) == apperr.NotFound {
				return noRecord(k, key) // as if there were none
			} else if err != nil {
				return err
			}
			values = make(map[string]string, len(k.Fields))
			for i, v := range k.values(cur) {
				values[k.Fields[i].Name] = v
			}
			for name, v := range fields {
				values[name] = v
			}
			refs, err := newRefs(ctx, tx)
			if err != nil {
				return err
			}
			p := &Parser{kind: k, get: func(f string) string { return values[f] }, refs: refs}
			if rec := k.parse(p); len(p.problems) == 0 && k.key(rec) != key {
				return apperr.Newf(apperr.Invalid, "the key of %[1]s %[2]s cannot change", "%[3]s %[2]s 的主键不可修改", k.Name, key, k.Zh)
			}
		}
		scope := ""
		if k.HasField("uscc") {
			scope = strings.ToUpper(strings.TrimSpace(values["uscc"]))
		}
		done := false
		next := func() (func(string) string, int, error) {
			if done {
				return nil, 0, io.EOF
			}
			done = true
			return func(f string) string { return values[f] }, 0, nil
		}
		recs, res, err := s.write(ctx, tx, k, scope, nil, next, func(_ int, field, en, zh string) Problem {
			return Problem{Column: field, En: en, Zh: zh}
		}, by)
		if err != nil {
			return err
		}
		if key == "" && res.Created == 0 {
			return apperr.Newf(apperr.Conflict, "%[1]s %[2]s exists already", "%[3]s %[2]s 已存在", k.Name, k.key(recs[0]), k.Zh)
		}
		saved = maskRecord(recs[0])
		return nil
	})
	return saved, err
}

// HasField reports whether kind k has a field of that name.
func (k *Kind) HasField(name string) bool {
	for _, f := range k.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// find returns the record of kind k with the given key.
func find(ctx context.Context, r Reader, k *Kind, key string) (any, error) {
	recs, err := k.load(ctx, r, k.ownerOfKey(key))
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if k.key(rec) == key {
			return rec, nil
		}
	}
	return nil, noRecord(k, key)
}

func noRecord(k *Kind, key string) error {
	return apperr.Newf(apperr.NotFound, "no %[1]s %[2]s", "无%[3]s %[2]s", k.Name, key, k.Zh)
}

// FieldText renders a JSON value as the text a spreadsheet cell would hold.
func FieldText(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.TrimSpace(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// ParseCircle reads "lon,lat,radius_m" (WGS84 degrees, metres) as given to
// the list's near filter; "" is no circle.
func ParseCircle(s string) (*Circle, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	var f [3]float64
	var err error
	if len(parts) == 3 {
		for i, p := range parts {
			if f[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err == nil && (math.IsNaN(f[i]) || math.IsInf(f[i], 0)) {
				err = strconv.ErrSyntax
			}
			if err != nil {
				break
			}
		}
	}
	if len(parts) != 3 || err != nil || f[0] < -180 || f[0] > 180 || f[1] < -90 || f[1] > 90 || f[2] <= 0 || f[2] > 1e6 {
		return nil, apperr.Newf(apperr.Invalid, "near %q: want lon,lat,radius in metres (radius up to 1,000,000)",
			"near %q 格式应为 经度,纬度,半径（米，不超过1000000）", s)
	}
	return &Circle{Lon: f[0], Lat: f[1], RadiusM: f[2]}, nil
}
