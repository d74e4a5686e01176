package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/cst"
)

// Account is a person who signs in. Its password hash never leaves the
// service.
type Account struct {
	Name        string    `json:"name"`
	Display     string    `json:"display_name"`
	Role        Role      `json:"role"`
	Bureau      Bureau    `json:"bureau,omitempty"`
	Scope       Scope     `json:"scope"`
	Disabled    bool      `json:"disabled"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by"`
	// Lang is the dashboard's language the person chose ("zh", "en"),
	// "" for none yet.
	Lang string `json:"lang,omitempty"`
}

// Principal is who the account's requests are made by.
func (a Account) Principal() Principal {
	return Principal{Kind: User, Name: a.Name, Role: a.Role, Bureau: a.Bureau, Scope: a.Scope}
}

// Session is a browser's signed-in session, as stored: by the SHA-256 of
// its id, never the id.
type Session struct {
	Hash     string
	User     string
	CSRF     string
	Created  time.Time
	LastSeen time.Time
	Address  string
}

// APIToken is an API token, as listed: its secret is shown once, when made,
// and stored only as a SHA-256.
type APIToken struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	User      string    `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	LastUsed  time.Time `json:"last_used_at,omitzero"`
}

// EventKind is what a login event records.
type EventKind string

const (
	Login        EventKind = "login"
	LoginFailed  EventKind = "login_failed"
	Lockout      EventKind = "lockout"
	Unlock       EventKind = "unlock"
	Logout       EventKind = "logout"
	PasswordSet  EventKind = "password"
	TokenUse     EventKind = "token_use"
	TokenCreated EventKind = "token_created"
	TokenRevoked EventKind = "token_revoked"
)

// LoginEvent is one entry of the append-only audit of sign-ins.
type LoginEvent struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	User    string    `json:"user"`
	Address string    `json:"address,omitempty"`
	Actor   string    `json:"actor,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// EventFilter selects login events, newest first.
type EventFilter struct {
	User          string
	Kind          EventKind
	Limit, Offset int
}

// Store is what accounts need of the database.
type Store interface {
	AddAccount(ctx context.Context, a Account, hash string) error
	// Account returns the account and its password hash; apperr NotFound
	// when there is none.
	Account(ctx context.Context, name string) (Account, string, error)
	Accounts(ctx context.Context) ([]Account, error)
	// UpdateAccount writes display name, role, bureau, scope, disabled and
	// the updated columns.
	UpdateAccount(ctx context.Context, a Account) error
	SetPassword(ctx context.Context, name, hash string, at time.Time, by string) error
	// SetLanguage sets the account's language, no audit: a preference.
	SetLanguage(ctx context.Context, name, lang string) error
	// LoginFailed counts a failed sign-in at at: the failures since
	// windowStart, this one included, whose count it returns.
	LoginFailed(ctx context.Context, name string, at, windowStart time.Time) (int, error)
	// Lock locks the account until until (zero: unlocks it) and forgets its failures.
	Lock(ctx context.Context, name string, until time.Time) error
	// UnknownScope returns the part of sc that names nothing in the
	// registry ("county", "park", "uscc"), "" when all is known.
	UnknownScope(ctx context.Context, sc Scope) (string, error)

	AddSession(ctx context.Context, s Session) error
	// Session returns the session with this hash and its account;
	// apperr NotFound when there is none.
	Session(ctx context.Context, hash string) (Session, Account, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	EndSession(ctx context.Context, hash string) error
	// EndSessions ends the account's sessions but the one with hash except.
	EndSessions(ctx context.Context, user, except string) error
	// EndExpiredSessions ends the account's sessions idle since idleBefore
	// or begun before createdBefore.
	EndExpiredSessions(ctx context.Context, user string, idleBefore, createdBefore time.Time) error

	AddToken(ctx context.Context, t APIToken, hash string) (int64, error)
	// TokenByHash returns the token and its account; apperr NotFound
	// when there is none.
	TokenByHash(ctx context.Context, hash string) (APIToken, Account, error)
	Token(ctx context.Context, id int64) (APIToken, error)
	Tokens(ctx context.Context, user string) ([]APIToken, error)
	DeleteToken(ctx context.Context, id int64) error
	TouchToken(ctx context.Context, id int64, at time.Time) error

	AddLoginEvent(ctx context.Context, e LoginEvent) error
	LoginEvents(ctx context.Context, f EventFilter) ([]LoginEvent, int, error)
	// AddressFailures counts the failed sign-ins from address since since.
	AddressFailures(ctx context.Context, address string, since time.Time) (int, error)
}

// The limits of sign-in (decision 0018).
const (
	// MaxFailures failed sign-ins within FailureWindow lock an account for LockFor.
	MaxFailures   = 5
	FailureWindow = 15 * time.Minute
	LockFor       = 15 * time.Minute
	// MaxAddressFailures failed sign-ins from one address within
	// FailureWindow refuse its further attempts until the window passes.
	MaxAddressFailures = 20
	// IdleExpiry ends a session not used for this long; AbsoluteExpiry
	// ends every session this long after its sign-in.
	IdleExpiry     = 30 * time.Minute
	AbsoluteExpiry = 12 * time.Hour
	// touchEvery is how often a session's last use is written: idle
	// expiry is exact to within it.
	touchEvery = time.Minute
	// tokenUseEvery is how often a token's use is an audit event, per
	// token and server.
	tokenUseEvery = time.Minute
	// MaxTokenLife bounds a token's expiry.
	MaxTokenLife = 2 * 365 * 24 * time.Hour
)

// Service keeps accounts, sessions and tokens, and authenticates requests.
type Service struct {
	store Store
	// Now is the clock: tests move it.
	Now func() time.Time
	// CacheTTL is how long an authenticated session or token is believed
	// without asking the store again; a change made through this service
	// takes effect at once, one made on another server within CacheTTL.
	CacheTTL time.Duration

	hashing chan struct{} // argon2id hashes at once: each takes 46 MiB and a core
	dummy   func() string // hashed for unknown names, so that they take as long

	mu       sync.Mutex
	cache    map[string]cached
	tokenUse map[int64]time.Time
}

// cached is an authentication believed until at+CacheTTL.
type cached struct {
	at      time.Time
	p       Principal
	session Session
	token   APIToken
}

// NewService returns the accounts over st.
func NewService(st Store) *Service {
	return &Service{store: st, Now: time.Now, CacheTTL: 5 * time.Second,
		hashing: make(chan struct{}, 2), dummy: sync.OnceValue(func() string { return hashPassword("not a password, for unknown names") }),
		cache: map[string]cached{}, tokenUse: map[int64]time.Time{}}
}

func (s *Service) hash(password string) string {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return hashPassword(password)
}

// checking takes one of the hashing slots for a password check, or gives
// up with ctx. The check holds it from reading the account's failures to
// counting its own, so that guesses sent at once are counted in turn and
// the lockout stops them, not only those that come after.
func (s *Service) checking(ctx context.Context) (release func(), err error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// failed records a wrong password for name: the event, one more failure,
// and at MaxFailures within FailureWindow the lock.
func (s *Service) failed(ctx context.Context, name, address, actor, detail string, now time.Time) error {
	if err := s.event(ctx, LoginFailed, name, address, actor, detail); err != nil {
		return err
	}
	failures, err := s.store.LoginFailed(ctx, name, now, now.Add(-FailureWindow))
	if err != nil {
		return err
	}
	if failures >= MaxFailures {
		return firstErr(s.store.Lock(ctx, name, now.Add(LockFor)), s.event(ctx, Lockout, name, address, "", ""))
	}
	return nil
}

// locked is the refusal of an account locked at now, or nil.
func locked(a Account, now time.Time) error {
	if now.Before(a.LockedUntil) {
		return apperr.Newf(apperr.Busy, "the account is locked after repeated failed sign-ins until %s; an administrator can unlock it",
			"账户因多次登录失败已锁定至 %s，可请管理员解锁", a.LockedUntil.In(cst.Zone).Format("15:04"))
	}
	return nil
}

// forget drops every cached authentication: after a change to accounts,
// sessions or tokens, the next request asks the store.
func (s *Service) forget() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}

func digest(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// mayManage reports whether p may manage accounts: administrators, and the
// command line and the server, which may do everything.
func mayManage(p Principal) bool {
	return p.Role == Admin || ((p.Kind == CLI || p.Kind == System) && p.Role == "")
}

func adminOnly() error {
	return apperr.New(apperr.Forbidden, "only an administrator may do this", "仅管理员可执行此操作")
}

// check validates an account's fields and that its scope names what the
// registry holds, as its role needs.
func (s *Service) check(ctx context.Context, a *Account) error {
	a.Display = strings.TrimSpace(a.Display)
	if utf8.RuneCountInString(a.Display) > maxName || strings.ContainsFunc(a.Display, unicode.IsControl) {
		return apperr.Newf(apperr.Invalid, "the display name must be at most %d characters of text", "显示名须为不超过 %d 个字符的文本", maxName)
	}
	need := map[Role]struct{ county, park, uscc, bureau bool }{
		Admin: {}, City: {bureau: true}, County: {county: true, bureau: true}, Park: {park: true},
		Inspector: {county: true}, Enterprise: {uscc: true},
	}
	n, ok := need[a.Role]
	if !ok {
		return apperr.Newf(apperr.Invalid, "role %q: give admin, city, county, park, inspector or enterprise",
			"角色 %q 无效：应为 admin、city、county、park、inspector 或 enterprise", a.Role)
	}
	sc := a.Scope
	for _, f := range []struct {
		set, needed bool
		en, zh      string
	}{
		{sc.County != "", n.county, "a county code (--county)", "区县代码（--county）"},
		{sc.Park != "", n.park, "a park code (--park)", "园区代码（--park）"},
		{sc.USCC != "", n.uscc, "an enterprise's USCC (--uscc)", "企业统一社会信用代码（--uscc）"},
		{a.Bureau != "", n.bureau, "a bureau (--bureau ecology, economy or statistics)", "所属部门（--bureau ecology、economy 或 statistics）"},
	} {
		switch {
		case f.needed && !f.set:
			return apperr.New(apperr.Invalid, fmt.Sprintf("role %s needs %s", a.Role, f.en), fmt.Sprintf("角色 %s 须给出%s", a.Role, f.zh))
		case !f.needed && f.set:
			return apperr.New(apperr.Invalid, fmt.Sprintf("role %s takes no %s", a.Role, f.en), fmt.Sprintf("角色 %s 不应给出%s", a.Role, f.zh))
		}
	}
	switch a.Bureau {
	case "", Ecology, Economy, Statistics:
	default:
		return apperr.Newf(apperr.Invalid, "bureau %q: give ecology, economy or statistics", "部门 %q 无效：应为 ecology、economy 或 statistics", a.Bureau)
	}
	missing, err := s.store.UnknownScope(ctx, sc)
	if err != nil {
		return err
	}
	if missing != "" {
		v := map[string]string{"county": sc.County, "park": sc.Park, "uscc": sc.USCC}[missing]
		zh := map[string]string{"county": "区县", "park": "园区", "uscc": "企业"}[missing]
		return apperr.New(apperr.Invalid, fmt.Sprintf("no %s %q in the registry", missing, v), fmt.Sprintf("登记中没有此%s：%q", zh, v))
	}
	return nil
}

// AddAccount adds an account with its password, on behalf of by.
func (s *Service) AddAccount(ctx context.Context, a Account, password string, by Principal) (Account, error) {
	if !mayManage(by) {
		return Account{}, adminOnly()
	}
	if !nameRE.MatchString(a.Name) {
		return Account{}, apperr.New(apperr.Invalid, "an account name is 2 to 32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
			"账户名须为 2 至 32 个小写字母、数字或 . _ -，以字母或数字开头")
	}
	if err := s.check(ctx, &a); err != nil {
		return Account{}, err
	}
	if err := CheckPassword(a.Name, password); err != nil {
		return Account{}, err
	}
	now := s.Now()
	a.Disabled, a.LockedUntil = false, time.Time{}
	a.CreatedAt, a.CreatedBy, a.UpdatedAt, a.UpdatedBy = now, by.Actor(), now, by.Actor()
	if err := s.store.AddAccount(ctx, a, s.hash(password)); err != nil {
		return Account{}, err
	}
	return a, nil
}

// Account returns the named account.
func (s *Service) Account(ctx context.Context, name string) (Account, error) {
	a, _, err := s.store.Account(ctx, name)
	return a, err
}

// Accounts lists every account, for administrators.
func (s *Service) Accounts(ctx context.Context, by Principal) ([]Account, error) {
	if !mayManage(by) {
		return nil, adminOnly()
	}
	return s.store.Accounts(ctx)
}

// Change is an administrator's change to an account: what is set changes.
type Change struct {
	Display  *string `json:"display_name,omitempty"`
	Role     *Role   `json:"role,omitempty"`
	Bureau   *Bureau `json:"bureau,omitempty"`
	Scope    *Scope  `json:"scope,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	Unlock   bool    `json:"unlock,omitempty"`
}

// UpdateAccount changes an account. Disabling it ends its sessions at once.
func (s *Service) UpdateAccount(ctx context.Context, name string, c Change, by Principal, address string) (Account, error) {
	if !mayManage(by) {
		return Account{}, adminOnly()
	}
	a, _, err := s.store.Account(ctx, name)
	if err != nil {
		return Account{}, err
	}
	if c.Display != nil {
		a.Display = *c.Display
	}
	if c.Role != nil {
		a.Role = *c.Role
	}
	if c.Bureau != nil {
		a.Bureau = *c.Bureau
	}
	if c.Scope != nil {
		a.Scope = *c.Scope
	}
	if c.Disabled != nil {
		a.Disabled = *c.Disabled
	}
	if err := s.check(ctx, &a); err != nil {
		return Account{}, err
	}
	a.UpdatedAt, a.UpdatedBy = s.Now(), by.Actor()
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return Account{}, err
	}
	if a.Disabled {
		if err := s.store.EndSessions(ctx, a.Name, ""); err != nil {
			return Account{}, err
		}
	}
	if c.Unlock {
		if err := s.store.Lock(ctx, a.Name, time.Time{}); err != nil {
			return Account{}, err
		}
		a.LockedUntil = time.Time{}
		if err := s.event(ctx, Unlock, a.Name, address, by.Actor(), ""); err != nil {
			return Account{}, err
		}
	}
	s.forget()
	return a, nil
}

// SetPassword sets an account's password (an administrator's reset, or
// the command line's) and ends all its sessions.
func (s *Service) SetPassword(ctx context.Context, name, password string, by Principal, address string) error {
	if !mayManage(by) {
		return adminOnly()
	}
	return s.setPassword(ctx, name, password, "", by, address)
}

// ChangePassword is a signed-in person's change of their own password:
// the old one must be right. It ends their other sessions, all but the
// one with id keep.
func (s *Service) ChangePassword(ctx context.Context, p Principal, old, password, keep, address string) error {
	if p.Kind != User {
		return apperr.New(apperr.Forbidden, "only a person signed in changes their password here", "仅已登录的用户可在此修改自己的密码")
	}
	release, err := s.checking(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	a, hash, err := s.store.Account(ctx, p.Name)
	if err == nil {
		err = locked(a, now)
	}
	if err != nil {
		release()
		return err
	}
	// A wrong old password counts as a failed sign-in: a stolen session
	// must not be a way to guess the password without the lockout.
	if !verifyPassword(hash, old) {
		err := s.failed(ctx, p.Name, address, p.Actor(), "wrong old password", now)
		release()
		return firstErr(err, apperr.New(apperr.Invalid, "the old password is wrong", "原密码错误"))
	}
	release()
	return s.setPassword(ctx, p.Name, password, digest(keep), p, address)
}

// SetLanguage remembers the dashboard's language a person chose, "zh" or
// "en", for their next sign-in.
func (s *Service) SetLanguage(ctx context.Context, p Principal, lang string) error {
	if p.Kind != User {
		return apperr.New(apperr.Forbidden, "only a person signed in chooses their language here", "仅已登录的用户可在此选择语言")
	}
	if lang != "zh" && lang != "en" {
		return apperr.Newf(apperr.Invalid, "language %q: give zh or en", "语言 %q 无效：应为 zh 或 en", lang)
	}
	return s.store.SetLanguage(ctx, p.Name, lang)
}

func (s *Service) setPassword(ctx context.Context, name, password, keepHash string, by Principal, address string) error {
	if err := CheckPassword(name, password); err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, name, s.hash(password), s.Now(), by.Actor()); err != nil {
		return err
	}
	if err := s.store.EndSessions(ctx, name, keepHash); err != nil {
		return err
	}
	s.forget()
	return s.event(ctx, PasswordSet, name, address, by.Actor(), "")
}

func (s *Service) event(ctx context.Context, kind EventKind, user, address, actor, detail string) error {
	// The name as given, for an unknown one, within the bounds of a name.
	if r := []rune(strings.ToValidUTF8(user, "?")); len(r) > maxName {
		user = string(r[:maxName])
	} else {
		user = string(r)
	}
	return s.store.AddLoginEvent(ctx, LoginEvent{At: s.Now(), Kind: kind, User: user, Address: address, Actor: actor, Detail: detail})
}

// NewSession is a session just begun: its id goes to the browser, once.
type NewSession struct {
	ID      string
	CSRF    string
	Account Account
	Expires time.Time
}

func wrongCredentials() error {
	return apperr.New(apperr.Unauthenticated, "wrong account name or password", "账户名或密码错误")
}

// Login checks name and password from address and begins a session. An
// unknown name takes as long as a wrong password; failures lock the
// account, and throttle the address (decision 0018).
func (s *Service) Login(ctx context.Context, name, password, address string) (NewSession, error) {
	release, err := s.checking(ctx)
	if err != nil {
		return NewSession{}, err
	}
	defer release()
	now := s.Now()
	n, err := s.store.AddressFailures(ctx, address, now.Add(-FailureWindow))
	if err != nil {
		return NewSession{}, err
	}
	if n >= MaxAddressFailures {
		return NewSession{}, apperr.New(apperr.Busy, "too many failed sign-ins from this address: try again in 15 minutes",
			"此地址登录失败次数过多，请 15 分钟后重试")
	}
	a, hash, err := s.store.Account(ctx, name)
	if apperr.CodeOf(err) == apperr.NotFound {
		verifyPassword(s.dummy(), password)
		return NewSession{}, firstErr(s.event(ctx, LoginFailed, name, address, "", "unknown account"), wrongCredentials())
	}
	if err != nil {
		return NewSession{}, err
	}
	ok := verifyPassword(hash, password)
	switch {
	case locked(a, now) != nil:
		return NewSession{}, firstErr(s.event(ctx, LoginFailed, name, address, "", "locked"), locked(a, now))
	case !ok:
		return NewSession{}, firstErr(s.failed(ctx, name, address, "", "wrong password", now), wrongCredentials())
	case a.Disabled:
		return NewSession{}, firstErr(s.event(ctx, LoginFailed, name, address, "", "disabled"),
			apperr.New(apperr.Unauthenticated, "the account is disabled: ask an administrator", "账户已停用，请联系管理员"))
	}
	if err := s.store.Lock(ctx, name, time.Time{}); err != nil {
		return NewSession{}, err
	}
	// The sessions a browser gave up without signing out end here, each
	// time their person signs in again: none is kept for ever.
	if err := s.store.EndExpiredSessions(ctx, name, now.Add(-IdleExpiry), now.Add(-AbsoluteExpiry)); err != nil {
		return NewSession{}, err
	}
	ns := NewSession{ID: secret(), CSRF: secret(), Account: a, Expires: now.Add(AbsoluteExpiry)}
	if err := s.store.AddSession(ctx, Session{Hash: digest(ns.ID), User: name, CSRF: ns.CSRF, Created: now, LastSeen: now, Address: address}); err != nil {
		return NewSession{}, err
	}
	return ns, s.event(ctx, Login, name, address, "", "")
}

// firstErr returns the first error that is not nil: a failure to record an
// event before the answer the caller expected.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Logout ends the session with id.
func (s *Service) Logout(ctx context.Context, id, address string) error {
	sess, _, err := s.store.Session(ctx, digest(id))
	if err != nil {
		return err
	}
	if err := s.store.EndSession(ctx, sess.Hash); err != nil {
		return err
	}
	s.forget()
	return s.event(ctx, Logout, sess.User, address, "", "")
}

func unauthenticated() error {
	return apperr.New(apperr.Unauthenticated, "sign in, or give an API token: the session or token is unknown, expired or revoked",
		"请登录或提供 API 令牌：会话或令牌无效、已过期或已撤销")
}

// lookup returns the cached authentication under key, or asks fetch.
func (s *Service) lookup(key string, now time.Time, fetch func() (cached, error)) (cached, error) {
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.CacheTTL {
		return c, nil
	}
	c, err := fetch()
	if err != nil {
		return cached{}, err
	}
	c.at = now
	s.mu.Lock()
	s.cache[key] = c
	s.mu.Unlock()
	return c, nil
}

// SessionPrincipal authenticates a browser session by its id: the
// principal and the session's CSRF token.
func (s *Service) SessionPrincipal(ctx context.Context, id string) (Principal, string, error) {
	now := s.Now()
	key := "s" + digest(id)
	c, err := s.lookup(key, now, func() (cached, error) {
		sess, a, err := s.store.Session(ctx, key[1:])
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && a.Disabled) {
			return cached{}, unauthenticated()
		}
		return cached{p: a.Principal(), session: sess}, err
	})
	if err != nil {
		return Principal{}, "", err
	}
	sess := c.session
	if now.Sub(sess.LastSeen) >= IdleExpiry || now.Sub(sess.Created) >= AbsoluteExpiry {
		s.mu.Lock()
		delete(s.cache, key)
		s.mu.Unlock()
		return Principal{}, "", firstErr(s.store.EndSession(ctx, sess.Hash), unauthenticated())
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.store.TouchSession(ctx, sess.Hash, now); err != nil {
			return Principal{}, "", err
		}
		s.mu.Lock()
		c.session.LastSeen = now
		s.cache[key] = c
		s.mu.Unlock()
	}
	return c.p, sess.CSRF, nil
}

// TokenPrincipal authenticates an API token used from address.
func (s *Service) TokenPrincipal(ctx context.Context, token, address string) (Principal, error) {
	now := s.Now()
	key := "t" + digest(token)
	c, err := s.lookup(key, now, func() (cached, error) {
		t, a, err := s.store.TokenByHash(ctx, key[1:])
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && a.Disabled) {
			return cached{}, unauthenticated()
		}
		p := a.Principal()
		p.Kind, p.Name = Token, a.Name+"/"+t.Name
		return cached{p: p, token: t}, err
	})
	if err != nil {
		return Principal{}, err
	}
	if !now.Before(c.token.ExpiresAt) {
		return Principal{}, unauthenticated()
	}
	s.mu.Lock()
	due := now.Sub(s.tokenUse[c.token.ID]) >= tokenUseEvery
	if due {
		s.tokenUse[c.token.ID] = now
	}
	s.mu.Unlock()
	if due {
		if err := firstErr(s.store.TouchToken(ctx, c.token.ID, now), s.event(ctx, TokenUse, c.token.User, address, c.p.Actor(), "")); err != nil {
			return Principal{}, err
		}
	}
	return c.p, nil
}

// NewToken is a token just made: its secret is shown once.
type NewToken struct {
	APIToken
	Secret string `json:"token"`
}

// CreateToken makes a token named name carrying user's rights for life,
// on behalf of by: the user themself, or an administrator.
func (s *Service) CreateToken(ctx context.Context, user, name string, life time.Duration, by Principal, address string) (NewToken, error) {
	if !mayManage(by) && !(by.Kind == User && by.Name == user) {
		return NewToken{}, apperr.New(apperr.Forbidden, "a token is made by its user or an administrator", "令牌只能由其用户本人或管理员创建")
	}
	if !nameRE.MatchString(name) {
		return NewToken{}, apperr.New(apperr.Invalid, "a token name is 2 to 32 of a-z, 0-9, '.', '_', '-'", "令牌名须为 2 至 32 个小写字母、数字或 . _ -")
	}
	if life <= 0 || life > MaxTokenLife {
		return NewToken{}, apperr.New(apperr.Invalid, "a token expires after 1 second to 2 years", "令牌有效期须为 1 秒至 2 年")
	}
	a, _, err := s.store.Account(ctx, user)
	if err != nil {
		return NewToken{}, err
	}
	if a.Disabled {
		return NewToken{}, apperr.New(apperr.Invalid, "the account is disabled", "账户已停用")
	}
	now := s.Now()
	t := NewToken{APIToken: APIToken{Name: name, User: user, ExpiresAt: now.Add(life), CreatedAt: now, CreatedBy: by.Actor()}, Secret: "eco_" + secret()}
	if t.ID, err = s.store.AddToken(ctx, t.APIToken, digest(t.Secret)); err != nil {
		return NewToken{}, err
	}
	return t, s.event(ctx, TokenCreated, user, address, by.Actor(), name)
}

// Tokens lists user's tokens ("" every user's: administrators only).
func (s *Service) Tokens(ctx context.Context, user string, by Principal) ([]APIToken, error) {
	if !mayManage(by) && (user == "" || by.Kind != User || by.Name != user) {
		return nil, adminOnly()
	}
	return s.store.Tokens(ctx, user)
}

// RevokeToken revokes token id, on behalf of its user or an administrator.
func (s *Service) RevokeToken(ctx context.Context, id int64, by Principal, address string) error {
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return err
	}
	if !mayManage(by) && !(by.Kind == User && by.Name == t.User) {
		return apperr.New(apperr.NotFound, "no such token", "没有此令牌")
	}
	if err := s.store.DeleteToken(ctx, id); err != nil {
		return err
	}
	s.forget()
	return s.event(ctx, TokenRevoked, t.User, address, by.Actor(), t.Name)
}

// LoginEvents lists the audit of sign-ins, for administrators.
func (s *Service) LoginEvents(ctx context.Context, f EventFilter, by Principal) ([]LoginEvent, int, error) {
	if !mayManage(by) {
		return nil, 0, adminOnly()
	}
	return s.store.LoginEvents(ctx, f)
}
