package rules

import (
	"context"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// Service is what the API and the command line call: the catalogue and
// the alarms, to those the roles' policy lets (decision 0019).
type Service struct {
	s   Store
	hub *hub // the alarm streams of this process
	snc SNCRule
}

// NewService returns the service over s, with the default rule of
// significant non-compliance.
func NewService(s Store) *Service { return &Service{s: s, hub: newHub(s), snc: DefaultSNC} }

// SetSNC sets the rule of significant non-compliance (ParseSNC's form),
// the configuration's "snc".
func (v *Service) SetSNC(rule string) error {
	r, err := ParseSNC(rule)
	if err == nil {
		v.snc = r
	}
	return err
}

// CatalogueView is the catalogue in force and whether it is the built-in one.
type CatalogueView struct {
	BuiltIn bool       `json:"built_in"`
	Items   []Standard `json:"items"`
}

// Standards returns the catalogue in force.
func (v *Service) Standards(ctx context.Context, by auth.Principal) (CatalogueView, error) {
	if err := auth.CanList(by, auth.Standards); err != nil {
		return CatalogueView{}, err
	}
	cat, builtIn, err := Catalogue(ctx, v.s)
	return CatalogueView{BuiltIn: builtIn, Items: cat}, err
}

// ImportStandards replaces the catalogue with file's, whole, or refuses
// it with its problems and leaves the one in force.
func (v *Service) ImportStandards(ctx context.Context, by auth.Principal, file string, data []byte) (int, error) {
	if err := auth.MayWrite(by, auth.Standards, auth.Ecology); err != nil {
		return 0, err
	}
	cat, err := ParseStandards(file, data)
	if err != nil {
		return 0, err
	}
	return len(cat), v.s.ReplaceStandards(ctx, cat)
}

// Alarms returns one page of the alarms by may see, and their number.
func (v *Service) Alarms(ctx context.Context, by auth.Principal, f AlarmFilter) ([]Alarm, int, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return nil, 0, err
	}
	f.Scope = auth.Visible(by)
	return v.s.Alarms(ctx, f)
}

// Alarm returns one alarm, not found where by may not see it.
func (v *Service) Alarm(ctx context.Context, by auth.Principal, id int64) (Alarm, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return Alarm{}, err
	}
	a, err := v.s.Alarm(ctx, id)
	if err != nil {
		return Alarm{}, err
	}
	return a, auth.CanRead(by, object(auth.Monitoring, a))
}

func object(w auth.What, a Alarm) auth.Object {
	return auth.Object{What: w, Bureau: auth.Ecology, County: a.County, Park: a.Park, USCC: a.USCC, Missing: NoAlarm(a.ID)}
}

// Acknowledge records that by has seen an open alarm, with a comment.
func (v *Service) Acknowledge(ctx context.Context, by auth.Principal, id int64, version int, comment string) (Alarm, error) {
	return v.change(ctx, by, id, version, func(a *Alarm, at string) error {
		if a.State != Open {
			return apperr.Newf(apperr.Conflict, "alarm %[1]d is %[2]s, not open", "告警 %[1]d 状态为%[3]s，不是待处理", a.ID, a.State, stateZh[a.State])
		}
		a.State, a.AcknowledgedBy, a.AcknowledgedAt, a.AckComment = Acknowledged, by.Name, at, comment
		return nil
	})
}

// Resolve closes an open or acknowledged alarm, with the reason.
func (v *Service) Resolve(ctx context.Context, by auth.Principal, id int64, version int, reason string) (Alarm, error) {
	return v.change(ctx, by, id, version, func(a *Alarm, at string) error {
		if a.State == Resolved {
			return apperr.Newf(apperr.Conflict, "alarm %d is resolved already", "告警 %d 已处理完毕", a.ID)
		}
		if reason == "" {
			return apperr.New(apperr.Invalid, "a reason is required", "须填写处理原因")
		}
		a.State, a.ResolvedBy, a.ResolvedAt, a.ResolveReason = Resolved, by.Name, at, reason
		return nil
	})
}

var stateZh = map[string]string{Open: "待处理", Acknowledged: "已确认", Resolved: "已处理"}

// change is the one path of an officer's change to an alarm: who may,
// in scope, at the version they read.
func (v *Service) change(ctx context.Context, by auth.Principal, id int64, version int, fn func(a *Alarm, at string) error) (Alarm, error) {
	if err := auth.MayWrite(by, auth.Alarms, auth.Ecology); err != nil {
		return Alarm{}, err
	}
	a, err := v.s.Alarm(ctx, id)
	if err != nil {
		return Alarm{}, err
	}
	if err := auth.CanWrite(by, object(auth.Alarms, a)); err != nil {
		return Alarm{}, err
	}
	if a.Version != version {
		return Alarm{}, ErrStale
	}
	if err := fn(&a, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return Alarm{}, err
	}
	if err := v.s.SetAlarm(ctx, a); err != nil {
		return Alarm{}, err
	}
	a.Version++
	return a, nil
}

// Limit returns the limit the rules judge pollutant code of an outlet by
// on day at, and where it came from (LimitFor); false where there is none
// to judge by. The outlet is read as monitoring data.
func (v *Service) Limit(ctx context.Context, by auth.Principal, uscc, outlet, code string, at time.Time) (Limit, bool, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return Limit{}, false, err
	}
	site, err := siteOf(ctx, v.s, uscc, outlet)
	if err != nil {
		return Limit{}, false, err
	}
	missing := apperr.Newf(apperr.NotFound, "no outlet %s of %s", "无此排放口：%s（%s）", outlet, uscc)
	if site == nil {
		return Limit{}, false, missing
	}
	e := site.Enterprise
	if err := auth.CanRead(by, auth.Object{What: auth.Monitoring, Bureau: auth.Ecology, County: e.County, Park: e.Park, USCC: e.USCC, Missing: missing}); err != nil {
		return Limit{}, false, err
	}
	cat, _, err := Catalogue(ctx, v.s)
	if err != nil {
		return Limit{}, false, err
	}
	l, ok := LimitFor(cat, *site, code, at)
	return l, ok, nil
}
