package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// Mail is the SMTP server the digests go through; no Addr, no mail.
type Mail struct {
	Addr     string // host:port
	User     string // with Password: AUTH PLAIN, only over TLS (or to localhost)
	Password string
	From     string
	// TLS, if set, is the STARTTLS configuration (tests: their own CA);
	// by default the host's name is checked against the system's roots.
	TLS *tls.Config
}

// Webhook is the chat robot the digests are posted to; no URL, none.
type Webhook struct {
	URL string
	// Kind is "dingtalk" or "wecom"; "" takes it from the URL's host.
	Kind string
	// Secret signs DingTalk's requests (加签), where set.
	Secret string
}

// Accounts are what the digest reads of the accounts.
type Accounts interface {
	Account(ctx context.Context, name string) (auth.Account, error)
}

// Digester sends each day's digest once across processes, at At (hh:mm,
// China Standard Time).
type Digester struct {
	s     Store
	rules *rules.Service
	reg   Registry
	acc   Accounts
	log   *slog.Logger

	At      string
	Mail    Mail
	Webhook Webhook
	// Name identifies the process in the claim (host and pid).
	Name   string
	Now    func() time.Time
	Client *http.Client
}

// NewDigester returns a digester of the watch-lists in s; mail and the
// webhook are off until set.
func NewDigester(s Store, rl *rules.Service, reg Registry, acc Accounts, log *slog.Logger) *Digester {
	return &Digester{s: s, rules: rl, reg: reg, acc: acc, log: log, At: "08:00", Now: time.Now,
		Client: &http.Client{Timeout: 30 * time.Second}}
}

// Limits of a digest.
const (
	maxAlarms  = 10000 // read per account
	listed     = 30    // listed per account; the rest counted
	wecomBytes = 4096  // WeCom's markdown content at most
)

// Run sends the day's digest when its time comes, checking every minute,
// until ctx ends. The day is claimed in the store first: one process
// sends it, whichever.
func (d *Digester) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if day, due := d.due(d.Now()); due {
			if ok, err := d.s.ClaimDigest(ctx, day, d.Name, d.Now()); err != nil {
				d.log.Error("notify: claim the digest", "day", day, "err", err)
			} else if ok {
				rep, err := d.Send(ctx, d.Now())
				if err != nil {
					d.log.Error("notify: digest", "day", day, "err", err)
				}
				if err := d.s.FinishDigest(ctx, day, rep.String()); err != nil {
					d.log.Error("notify: digest", "day", day, "err", err)
				}
				d.log.Info("notify: digest sent", "day", day, "report", rep.String())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// due reports the day (CST) of now and whether its digest time has come.
func (d *Digester) due(now time.Time) (string, bool) {
	local := now.In(cst.Zone)
	return local.Format("2006-01-02"), local.Format("15:04") >= d.At
}

// CheckAt checks a digest time: hh:mm.
func CheckAt(at string) error {
	if _, err := time.Parse("15:04", at); err != nil || len(at) != 5 {
		return fmt.Errorf("notify: digest time %q: give hh:mm (China Standard Time)", at)
	}
	return nil
}

// Report is what one digest did.
type Report struct {
	Accounts, Alarms, Mailed, Posted int
	Failed                           []string // what could not be sent, without secrets
}

func (r Report) String() string {
	s := fmt.Sprintf("accounts %d, alarms %d, mailed %d, posted %d", r.Accounts, r.Alarms, r.Mailed, r.Posted)
	if len(r.Failed) > 0 {
		s += ", failed: " + strings.Join(r.Failed, "; ")
	}
	return s
}

// section is one account's part of the digest.
type section struct {
	user, email string
	alarms      []rules.Alarm
	names       map[string]string
}

// Send sends the digest of the 24 hours before now: for each account
// with a watch-list, the alarms it may see that started then on its
// watched items, by mail where it gave an address and SMTP is set, and all
// accounts' in one post to the webhook where one is set.
func (d *Digester) Send(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	ws, err := d.s.Watches(ctx, "")
	if err != nil {
		return rep, err
	}
	byUser := map[string][]Watch{}
	var users []string
	for _, w := range ws {
		if byUser[w.User] == nil {
			users = append(users, w.User)
		}
		byUser[w.User] = append(byUser[w.User], w)
	}
	slices.Sort(users)
	es, _, err := d.reg.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		return rep, err
	}
	industry, names := map[string]string{}, map[string]string{}
	for _, e := range es {
		industry[e.USCC], names[e.USCC] = e.IndustryCode, e.Name
	}
	from := now.Add(-24 * time.Hour)
	var sections []section
	for _, user := range users {
		a, err := d.acc.Account(ctx, user)
		if err != nil || a.Disabled {
			continue // an account removed or disabled is told nothing
		}
		as, _, err := d.rules.Alarms(ctx, a.Principal(), rules.AlarmFilter{From: from, To: now, Limit: maxAlarms})
		if err != nil {
			return rep, err
		}
		sec := section{user: user, names: names}
		for _, x := range as {
			if watched(byUser[user], x, industry[x.USCC]) {
				sec.alarms = append(sec.alarms, x)
			}
		}
		if sec.email, err = d.s.WatchMail(ctx, user); err != nil {
			return rep, err
		}
		rep.Accounts++
		rep.Alarms += len(sec.alarms)
		sections = append(sections, sec)
	}
	day := now.In(cst.Zone).Format("2006-01-02")
	title := fmt.Sprintf("告警日报 %s / Daily alarm digest", day)
	for _, sec := range sections {
		if d.Mail.Addr == "" || sec.email == "" {
			continue
		}
		if err := d.mail(sec.email, title, text(title, []section{sec}, false)); err != nil {
			d.log.Error("notify: mail", "user", sec.user, "err", err)
			rep.Failed = append(rep.Failed, "mail to "+sec.user)
			continue
		}
		rep.Mailed++
	}
	if d.Webhook.URL != "" && len(sections) > 0 {
		if err := d.post(ctx, title, text(title, sections, true), now); err != nil {
			d.log.Error("notify: webhook", "err", err)
			rep.Failed = append(rep.Failed, "webhook")
		} else {
			rep.Posted++
		}
	}
	return rep, nil
}

// watched reports whether alarm a is on one of the watches.
func watched(ws []Watch, a rules.Alarm, industry string) bool {
	for _, w := range ws {
		switch {
		case w.Kind == Enterprise && w.Value == a.USCC,
			w.Kind == County && w.Value == a.County,
			w.Kind == Industry && industry != "" && strings.HasPrefix(industry, w.Value):
			return true
		}
	}
	return false
}

var kindNames = map[string]string{rules.Exceedance: "超标 exceedance", rules.DataGap: "数据缺失 data gap", rules.FlatLine: "恒值 flat line",
	rules.Flag: "数据标记异常 flagged data", rules.OutOfRange: "超出量程 out of range"}

// text is the digest of sections as Markdown, which both robots and a
// mail reader show; the robots' with each account named.
func text(title string, sections []section, named bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	for _, sec := range sections {
		if named {
			fmt.Fprintf(&b, "#### %s\n\n", sec.user)
		}
		if len(sec.alarms) == 0 {
			b.WriteString("关注对象过去 24 小时无新告警。 / No new alarms on the watch-list in the last 24 hours.\n\n")
			continue
		}
		counts := map[string]int{}
		for _, a := range sec.alarms {
			counts[a.Kind]++
		}
		var kinds []string
		for k, n := range counts {
			kinds = append(kinds, fmt.Sprintf("%s %d", cmp.Or(kindNames[k], k), n))
		}
		slices.Sort(kinds)
		fmt.Fprintf(&b, "新告警 %d 条 / %d new alarms: %s\n\n", len(sec.alarms), len(sec.alarms), strings.Join(kinds, ", "))
		for i, a := range sec.alarms {
			if i == listed {
				fmt.Fprintf(&b, "- …另有 %d 条 / %d more\n", len(sec.alarms)-listed, len(sec.alarms)-listed)
				break
			}
			fmt.Fprintf(&b, "- #%d %s · %s %s %s · %s", a.ID, cmp.Or(kindNames[a.Kind], a.Kind), cmp.Or(sec.names[a.USCC], a.USCC), a.Outlet, a.Pollutant,
				a.StartedAt.In(cst.Zone).Format("01-02 15:04"))
			if a.Limit > 0 {
				fmt.Fprintf(&b, " · %s× (%s)", strconv.FormatFloat(a.Multiple, 'f', 2, 64), a.LimitSource)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// mail sends one message through the SMTP server: STARTTLS where the
// server offers it (required before AUTH, which net/smtp refuses in the
// clear except to localhost), then AUTH PLAIN where a user is set.
func (d *Digester) mail(to, subject, body string) error {
	host, _, err := net.SplitHostPort(d.Mail.Addr)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("tcp", d.Mail.Addr, 30*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := d.Mail.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	}
	if d.Mail.User != "" {
		if err := c.Auth(smtp.PlainAuth("", d.Mail.User, d.Mail.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(d.Mail.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	id := make([]byte, 12)
	rand.Read(id)
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%x@ecoind>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		d.Mail.From, to, mime.BEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), id)
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		fmt.Fprintf(w, "%s\r\n", enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintf(w, "%s\r\n", enc)
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// kind is the robot's: the configured one, else DingTalk's or WeCom's host.
func (h Webhook) kind() string {
	if h.Kind != "" {
		return h.Kind
	}
	if u, err := url.Parse(h.URL); err == nil && strings.HasSuffix(u.Hostname(), "weixin.qq.com") {
		return "wecom"
	}
	return "dingtalk"
}

// post sends the digest to the robot: DingTalk's markdown (title, text),
// signed with the secret where one is set (timestamp and sign in the URL),
// or WeCom's (content, cut to 4,096 bytes).
func (d *Digester) post(ctx context.Context, title, body string, now time.Time) error {
	target := d.Webhook.URL
	var msg any
	if d.Webhook.kind() == "wecom" {
		if len(body) > wecomBytes {
			body = cutUTF8(body, wecomBytes-len("\n…"))
			body += "\n…"
		}
		msg = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": body}}
	} else {
		msg = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": body}}
		if d.Webhook.Secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			target += sep(target) + "timestamp=" + ts + "&sign=" + url.QueryEscape(Sign(d.Webhook.Secret, ts))
		}
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", target, bytes.NewReader(b))
	if err != nil {
		return errors.New("the webhook's URL is not valid") // the URL holds the robot's key: not in the log
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := d.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL and its key
		}
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	// Both robots answer 200 with {"errcode": 0, ...}; anything else failed.
	var r struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(reply, &r) != nil || r.ErrCode != 0 {
		return fmt.Errorf("the webhook answered %d %.200s", resp.StatusCode, reply)
	}
	return nil
}

// Sign is DingTalk's signature of a request at timestamp ts (ms): the
// Base64 of HMAC-SHA256 over "ts\nsecret" keyed by the secret.
func Sign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// cutUTF8 cuts s to at most n bytes, on a character's boundary.
func cutUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:min(n, len(s))]
}
