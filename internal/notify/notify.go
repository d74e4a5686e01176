// Package notify is what people follow and how they are told: each
// account's watch-list (enterprises, counties, industries) and the daily
// digest of the alarms on it, by mail and by a chat robot's webhook
// (decision 0027).
package notify

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Kinds of watched items.
const (
	Enterprise = "enterprise" // a USCC
	County     = "county"     // a GB/T 2260 county-level code
	Industry   = "industry"   // a GB/T 4754-2017 code prefix: 2 to 4 digits
)

// MaxWatches bounds one account's watch-list.
const MaxWatches = 200

// Watch is one watched item of an account.
type Watch struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	CreatedAt time.Time `json:"created_at"`
	User      string    `json:"-"`
}

// Store keeps the watch-lists and the digests sent.
type Store interface {
	// Watches returns user's watches, everyone's where user is "".
	Watches(ctx context.Context, user string) ([]Watch, error)
	// AddWatch stores w, or ErrWatched where its user watches it already.
	AddWatch(ctx context.Context, w Watch) (Watch, error)
	// DeleteWatch removes user's watch id, false where there is none.
	DeleteWatch(ctx context.Context, user string, id int64) (bool, error)
	// WatchMail is the address user's digest goes to, "" for none.
	WatchMail(ctx context.Context, user string) (string, error)
	SetWatchMail(ctx context.Context, user, email string) error
	// ClaimDigest records that by sends day's digest, true if no one did
	// before (the key decides between processes).
	ClaimDigest(ctx context.Context, day, by string, at time.Time) (bool, error)
	// FinishDigest keeps what day's digest did.
	FinishDigest(ctx context.Context, day, report string) error
}

// ErrWatched: the item is on the list already.
var ErrWatched = apperr.New(apperr.Conflict, "already on the watch-list", "已在关注列表中")

// Registry is what the watch-lists check items against.
type Registry interface {
	Units(ctx context.Context) ([]registry.AdminUnit, error)
	Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error)
}

// Service is the watch-lists of the accounts, each its own.
type Service struct {
	s   Store
	reg Registry
}

// NewService returns the watch-lists over s, checking items against reg.
func NewService(s Store, reg Registry) *Service { return &Service{s: s, reg: reg} }

// WatchList is an account's list and its digest's address.
type WatchList struct {
	Items []Watch `json:"items"`
	Email string  `json:"email"`
}

// account is the account whose list by may read and change: its own.
func account(by auth.Principal) (string, error) {
	switch by.Kind {
	case auth.User:
		return by.Name, nil
	case auth.Token:
		name, _, _ := strings.Cut(by.Name, "/")
		return name, nil
	}
	return "", apperr.New(apperr.Forbidden, "watch-lists belong to accounts: sign in", "关注列表属于账号，请先登录")
}

// List returns by's own watch-list.
func (v *Service) List(ctx context.Context, by auth.Principal) (WatchList, error) {
	user, err := account(by)
	if err != nil {
		return WatchList{}, err
	}
	ws, err := v.s.Watches(ctx, user)
	if err != nil {
		return WatchList{}, err
	}
	email, err := v.s.WatchMail(ctx, user)
	if ws == nil {
		ws = []Watch{}
	}
	return WatchList{Items: ws, Email: email}, err
}

var industryCode = regexp.MustCompile(`^[0-9]{2,4}$`)

// Add puts an item on by's own list, once it is checked: an enterprise by
// may see, a county-level unit, an industry code prefix.
func (v *Service) Add(ctx context.Context, by auth.Principal, kind, value string) (Watch, error) {
	user, err := account(by)
	if err != nil {
		return Watch{}, err
	}
	value = strings.TrimSpace(value)
	switch kind {
	case Enterprise:
		value = strings.ToUpper(value)
		if err := registry.CheckUSCC(value); err != nil {
			return Watch{}, err
		}
		// One outside the role's scope is as one that does not exist.
		scope := auth.Visible(by)
		es, _, err := v.reg.Enterprises(ctx, registry.EnterpriseFilter{USCC: value, County: scope.County, Park: scope.Park})
		if err != nil {
			return Watch{}, err
		}
		if len(es) == 0 || scope.USCC != "" && scope.USCC != value {
			return Watch{}, apperr.Newf(apperr.NotFound, "no enterprise %s", "无此企业：%s", value)
		}
	case County:
		units, err := v.reg.Units(ctx)
		if err != nil {
			return Watch{}, err
		}
		u, ok := registry.FindUnit(units, value)
		if !ok || u.Level != "county" {
			return Watch{}, apperr.Newf(apperr.Invalid, "field value: %q is no county-level unit (GB/T 2260 code)", "字段 value：%q 不是县级行政区划代码", value)
		}
		value = u.Code
	case Industry:
		if _, ok := registry.IndustryName(value); !ok || !industryCode.MatchString(value) {
			return Watch{}, apperr.Newf(apperr.Invalid, "field value: %q is no GB/T 4754-2017 industry code of 2 to 4 digits", "字段 value：%q 不是 2 至 4 位的国民经济行业代码（GB/T 4754-2017）", value)
		}
	default:
		return Watch{}, apperr.Newf(apperr.Invalid, "field kind: %q: use enterprise, county or industry", "字段 kind：%q 应为 enterprise、county 或 industry", kind)
	}
	ws, err := v.s.Watches(ctx, user)
	if err != nil {
		return Watch{}, err
	}
	if len(ws) >= MaxWatches {
		return Watch{}, apperr.Newf(apperr.Invalid, "a watch-list holds %d items at most", "关注列表最多 %d 项", MaxWatches)
	}
	return v.s.AddWatch(ctx, Watch{Kind: kind, Value: value, User: user, CreatedAt: time.Now().UTC()})
}

// Remove takes watch id off by's own list.
func (v *Service) Remove(ctx context.Context, by auth.Principal, id int64) error {
	user, err := account(by)
	if err != nil {
		return err
	}
	ok, err := v.s.DeleteWatch(ctx, user, id)
	if err == nil && !ok {
		err = apperr.Newf(apperr.NotFound, "no watch %d on your list", "您的关注列表中无此项 %d", id)
	}
	return err
}

// SetEmail sets where by's digest goes; "" sends none.
func (v *Service) SetEmail(ctx context.Context, by auth.Principal, email string) error {
	user, err := account(by)
	if err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || len(email) > 254 {
			return apperr.Newf(apperr.Invalid, "field email: %q is no mail address", "字段 email：%q 不是有效的邮箱地址", email)
		}
	}
	return v.s.SetWatchMail(ctx, user, email)
}
