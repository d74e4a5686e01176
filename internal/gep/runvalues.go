package gep

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// RunValues are the stored account runs as AccountValues (decision
// 0033): a zone's value of a service in a year is the sum of its lines
// of that service (Row.Service: water_conservation, climate_regulation,
// material_products, tourism…) in the newest done run of that year that
// accounts the zone. The runs are read on first use, at most
// maxValueRuns of the newest.
type RunValues struct {
	svc  *Service
	ctx  context.Context
	once sync.Once
	err  error
	runs []valuedRun // newest first
}

type valuedRun struct {
	id   int64
	name string
	acc  *Account
}

// maxValueRuns bounds what pricing reads: the newest done runs.
const maxValueRuns = 50

// Values returns the runs' values for pricing purchases. It checks no
// principal: the caller has checked the purchase it prices, whose
// reader may see the GEP it is priced on (a county officer reads the
// accounts anyway; an inspector reads the purchase's price, not a run).
func (s *Service) Values(ctx context.Context) *RunValues {
	return &RunValues{svc: s, ctx: ctx}
}

func (v *RunValues) load() error {
	v.once.Do(func() {
		rs, err := v.svc.store.GEPRuns(v.ctx, 500)
		if err != nil {
			v.err = err
			return
		}
		for _, r := range rs {
			if r.Status != Done || len(v.runs) == maxValueRuns {
				continue
			}
			full, err := v.svc.store.GEPRun(v.ctx, r.ID)
			if err != nil {
				v.err = err
				return
			}
			acc := new(Account)
			if err := json.Unmarshal(full.Account, acc); err != nil {
				v.err = fmt.Errorf("gep: run %d: account: %w", r.ID, err)
				return
			}
			v.runs = append(v.runs, valuedRun{id: r.ID, name: r.Name, acc: acc})
		}
	})
	return v.err
}

// find is the newest done run of year accounting zone, and the zone.
func (v *RunValues) find(year int, zone string) (*valuedRun, *ZoneAccount) {
	if v.load() != nil {
		return nil, nil
	}
	code, err := strconv.ParseInt(zone, 10, 64)
	if err != nil {
		return nil, nil
	}
	for i := range v.runs {
		r := &v.runs[i]
		if r.acc.Year != year {
			continue
		}
		for k := range r.acc.Zones {
			if r.acc.Zones[k].Code == code {
				return r, &r.acc.Zones[k]
			}
		}
	}
	return nil, nil
}

// Value implements AccountValues; false where no run accounts the zone
// in that year, or its account has no line of the service.
func (v *RunValues) Value(year int, zone, service string) (float64, bool) {
	_, z := v.find(year, zone)
	if z == nil {
		return 0, false
	}
	sum, ok := 0.0, false
	for _, r := range z.Rows {
		if r.Service == service {
			sum, ok = sum+r.Value, true
		}
	}
	return sum, ok
}

// Err is the error reading the runs met, if any.
func (v *RunValues) Err() error { v.load(); return v.err }

// Source names the run a zone's values of a year come from.
func (v *RunValues) Source(year int, zone string) string {
	r, _ := v.find(year, zone)
	if r == nil {
		return ""
	}
	return fmt.Sprintf("GEP run %d: %s", r.id, r.name)
}

// ValueRaster returns the path of a done run's value raster of service
// (one of ValueRasters, yuan per pixel), for the maps of the pages.
func (s *Service) ValueRaster(ctx context.Context, by auth.Principal, id int64, service string) (string, error) {
	if !slices.Contains(ValueRasters, service) {
		return "", apperr.Newf(apperr.NotFound, "no value raster of %q (want one of %s)", "没有服务 %q 的价值量栅格（应为 %s 之一）",
			service, strings.Join(ValueRasters, ", "))
	}
	v, err := s.Run(ctx, by, id)
	if err != nil {
		return "", err
	}
	if v.Status != Done {
		return "", apperr.Newf(apperr.Conflict, "GEP run %d is %s: no rasters yet", "GEP 核算 %d 状态为 %s，尚无栅格", id, v.Status)
	}
	return filepath.Join(s.dir, "gep", "runs", strconv.FormatInt(id, 10), "value_"+service+".tif"), nil
}
