package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/notify"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/postgres"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

var stores = map[string]func(t *testing.T) *store.DB{
	"sqlite": func(t *testing.T) *store.DB {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
	"postgres": func(t *testing.T) *store.DB {
		st, err := postgres.Open(context.Background(), pgtest.URL(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
}

// message is one mail the SMTP server took.
type message struct {
	from, to string
	data     []byte
}

// smtpServer is a real SMTP server (emersion/go-smtp) on a loopback port
// that wants AUTH PLAIN as user/password and keeps what it is sent.
type smtpServer struct {
	mu   sync.Mutex
	msgs []message
	addr string
}

type session struct {
	s        *smtpServer
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "digest" || pass != "s3cret-smtp-password" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.s.mu.Lock()
	s.s.msgs = append(s.s.msgs, message{s.from, s.to, b})
	s.s.mu.Unlock()
	return err
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func newSMTP(t *testing.T) *smtpServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: l.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true // loopback: net/smtp sends PLAIN to it in the clear
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// robot is a chat robot's webhook: it keeps each post's query and body.
type robot struct {
	mu    sync.Mutex
	posts []post
}

type post struct {
	query string
	body  map[string]any
}

func newRobot(t *testing.T) (*robot, string) {
	r := &robot{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil || req.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			w.Write([]byte(`{"errcode": 40001, "errmsg": "bad request"}`))
			return
		}
		r.mu.Lock()
		r.posts = append(r.posts, post{req.URL.RawQuery, body})
		r.mu.Unlock()
		w.Write([]byte(`{"errcode": 0, "errmsg": "ok"}`))
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// TestDigest sends a day's digest on both stores through a real SMTP
// server and to a robot's webhook: each account's watched alarms of the
// 24 hours before, those its role may see, once across two processes.
func TestDigest(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) { testDigest(t, open(t)) })
	}
}

func testDigest(t *testing.T, st *store.DB) {
	ctx := context.Background()
	entA := storetest.Ent // 331102, industry 2925
	entB := storetest.Ent
	entB.USCC, entB.County, entB.Park, entB.IndustryCode, entB.Name = storetest.USCC("331121", 2), "331121", "", "3443", "青田测试阀门有限公司"
	must(t, st.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, entA), tx.PutEnterprise(ctx, entB))
	}))
	acc := auth.NewService(st)
	alice := auth.Account{Name: "alice", Role: auth.City, Bureau: auth.Ecology}
	bob := auth.Account{Name: "bob", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331102"}}
	for _, a := range []auth.Account{alice, bob} {
		_, err := acc.AddAccount(ctx, a, "瓯江两岸的青山绿水长流", auth.Command("test"))
		must(t, err)
	}
	svc := notify.NewService(st, st)
	// alice follows enterprise A and the valve industry (34: B); bob
	// follows county B, outside his county: he learns nothing of it.
	for _, w := range []struct {
		who         auth.Account
		kind, value string
	}{{alice, notify.Enterprise, entA.USCC}, {alice, notify.Industry, "34"}, {bob, notify.County, "331121"}, {bob, notify.Enterprise, entA.USCC}} {
		_, err := svc.Add(ctx, w.who.Principal(), w.kind, w.value)
		must(t, err)
	}
	must(t, svc.SetEmail(ctx, alice.Principal(), "alice@bureau.example"))
	must(t, svc.SetEmail(ctx, bob.Principal(), "bob@county.example"))

	now := time.Date(2026, 12, 4, 0, 5, 0, 0, time.UTC) // 08:05 CST
	raise := func(kind, uscc string, at time.Time) int64 {
		a := rules.Alarm{Kind: kind, State: rules.Open, USCC: uscc, Outlet: "DA001", Pollutant: "a24088", StartedAt: at, EndedAt: at.Add(time.Hour),
			Limit: 60, LimitSource: "permit P1", Peak: 90, Multiple: 1.5, Periods: 1}
		must(t, st.RaiseAlarm(ctx, a))
		as, _, err := st.Alarms(ctx, rules.AlarmFilter{Kind: kind, USCC: uscc, From: at, To: at.Add(time.Second)})
		if err != nil || len(as) != 1 {
			t.Fatalf("alarm: %v %v", as, err)
		}
		return as[0].ID
	}
	exA := raise(rules.Exceedance, entA.USCC, now.Add(-3*time.Hour))
	gapB := raise(rules.DataGap, entB.USCC, now.Add(-20*time.Hour))
	old := raise(rules.Flag, entA.USCC, now.Add(-30*time.Hour)) // before the day: not in it

	mailer := newSMTP(t)
	rb, hook := newRobot(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	digester := func(name string) *notify.Digester {
		d := notify.NewDigester(st, rules.NewService(st), st, acc, log)
		d.Name, d.At, d.Now = name, "08:00", func() time.Time { return now }
		d.Mail = notify.Mail{Addr: mailer.addr, User: "digest", Password: "s3cret-smtp-password", From: "ecoind@bureau.example"}
		d.Webhook = notify.Webhook{URL: hook + "/robot/send?access_token=tok123", Secret: "SECdingtalk-signing-secret"}
		return d
	}
	// Two processes at the digest's time: one sends it.
	runCtx, stop := context.WithTimeout(ctx, 3*time.Second)
	var wg sync.WaitGroup
	for _, n := range []string{"host-1", "host-2"} {
		wg.Go(func() { digester(n).Run(runCtx) })
	}
	wg.Wait()
	stop()

	mailer.mu.Lock()
	msgs := mailer.msgs
	mailer.mu.Unlock()
	if len(msgs) != 2 {
		t.Fatalf("%d mails, want 2 (alice, bob)", len(msgs))
	}
	bodies := map[string]string{}
	for _, m := range msgs {
		parsed, err := mail.ReadMessage(bytes.NewReader(m.data))
		must(t, err)
		subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		must(t, err)
		if m.from != "ecoind@bureau.example" || !strings.Contains(subject, "告警日报 2026-12-04 / Daily alarm digest") {
			t.Errorf("mail from %s, subject %q", m.from, subject)
		}
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, parsed.Body))
		must(t, err)
		bodies[m.to] = string(b)
	}
	a := bodies["alice@bureau.example"]
	for _, want := range []string{fmt.Sprintf("#%d 超标 exceedance", exA), fmt.Sprintf("#%d 数据缺失 data gap", gapB), "新告警 2 条 / 2 new alarms", "1.50× (permit P1)"} {
		if !strings.Contains(a, want) {
			t.Errorf("alice's digest lacks %q:\n%s", want, a)
		}
	}
	b := bodies["bob@county.example"]
	if !strings.Contains(b, fmt.Sprintf("#%d", exA)) || strings.Contains(b, fmt.Sprintf("#%d", gapB)) {
		t.Errorf("bob's digest: enterprise A's exceedance, not county B's gap:\n%s", b)
	}
	for _, body := range bodies {
		if strings.Contains(body, fmt.Sprintf("#%d ", old)) {
			t.Errorf("a digest lists the alarm of the day before:\n%s", body)
		}
	}
	// One post to the robot, DingTalk's markdown, signed.
	rb.mu.Lock()
	posts := rb.posts
	rb.mu.Unlock()
	if len(posts) != 1 {
		t.Fatalf("%d posts to the robot, want 1", len(posts))
	}
	p := posts[0]
	md, _ := p.body["markdown"].(map[string]any)
	text, _ := md["text"].(string)
	if p.body["msgtype"] != "markdown" || md["title"] != "告警日报 2026-12-04 / Daily alarm digest" || !strings.Contains(text, "#### alice") ||
		!strings.Contains(text, "#### bob") {
		t.Errorf("robot's post: %v", p.body)
	}
	ts := fmt.Sprint(now.UnixMilli())
	if !strings.Contains(p.query, "access_token=tok123&timestamp="+ts+"&sign=") || !strings.Contains(p.query, "sign="+urlEscape(notify.Sign("SECdingtalk-signing-secret", ts))) {
		t.Errorf("robot's query: %s", p.query)
	}
	// The day is claimed: asked again, no one sends it.
	if ok, err := st.ClaimDigest(ctx, "2026-12-04", "host-3", now); ok || err != nil {
		t.Errorf("the day claimed again: %v %v", ok, err)
	}

	// WeCom's robot gets content, cut to 4,096 bytes; a wrong SMTP
	// password fails that mail, and no secret reaches the log.
	d := digester("host-1")
	d.Webhook = notify.Webhook{URL: hook + "/cgi-bin/webhook/send?key=wecom-robot-key", Kind: "wecom"}
	d.Mail.Password = "wrong-password-kept-out-of-logs"
	for i := range 60 {
		raise(rules.Exceedance, entA.USCC, now.Add(-time.Duration(i+1)*time.Minute))
	}
	rep, err := d.Send(ctx, now)
	must(t, err)
	if rep.Mailed != 0 || rep.Posted != 1 || len(rep.Failed) != 2 {
		t.Errorf("report: %+v", rep)
	}
	rb.mu.Lock()
	p = rb.posts[len(rb.posts)-1]
	rb.mu.Unlock()
	md, _ = p.body["markdown"].(map[string]any)
	content, _ := md["content"].(string)
	if p.body["msgtype"] != "markdown" || len(content) == 0 || len(content) > 4096 || md["title"] != nil || !strings.Contains(content, "另有") {
		t.Errorf("wecom post: %d bytes: %.300s", len(content), content)
	}
	for _, secret := range []string{"s3cret-smtp-password", "wrong-password-kept-out-of-logs", "SECdingtalk-signing-secret", "wecom-robot-key", "tok123"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a secret %q:\n%s", secret, logs.String())
		}
	}
}

// TestWatchList: an account's own list, its items checked, its bounds.
func TestWatchList(t *testing.T) {
	ctx := context.Background()
	st := stores["sqlite"](t)
	must(t, st.Update(ctx, func(tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, storetest.Park), tx.PutEnterprise(ctx, storetest.Ent))
	}))
	svc := notify.NewService(st, st)
	bob := auth.Principal{Kind: auth.User, Name: "bob", Role: auth.County, Bureau: auth.Ecology, Scope: auth.Scope{County: "331121"}}
	tok := auth.Principal{Kind: auth.Token, Name: "carol/script", Role: auth.City, Bureau: auth.Ecology}
	for _, tc := range []struct {
		by          auth.Principal
		kind, value string
		code        apperr.Code
	}{
		{tok, notify.Enterprise, storetest.Ent.USCC, ""},
		{tok, notify.Enterprise, storetest.Ent.USCC, apperr.Conflict},
		{bob, notify.Enterprise, storetest.Ent.USCC, apperr.NotFound}, // outside his county
		{tok, notify.County, "缙云县", ""},
		{tok, notify.County, "331100", apperr.Invalid}, // the city, not a county
		{tok, notify.Industry, "2925", ""},
		{tok, notify.Industry, "C", apperr.Invalid},
		{tok, notify.Industry, "99999", apperr.Invalid},
		{tok, "park", "LS-ETDZ", apperr.Invalid},
		{tok, notify.Enterprise, "not-a-uscc", apperr.Invalid},
		{auth.Command("root"), notify.County, "331102", apperr.Forbidden},
	} {
		_, err := svc.Add(ctx, tc.by, tc.kind, tc.value)
		if got := apperr.CodeOf(err); tc.code == "" && err != nil || tc.code != "" && got != tc.code {
			t.Errorf("%s adds %s %s: %v, want %q", tc.by.Name, tc.kind, tc.value, err, tc.code)
		}
	}
	l, err := svc.List(ctx, tok)
	must(t, err)
	if len(l.Items) != 3 || l.Items[1].Value != "331122" {
		t.Fatalf("carol's list: %+v", l)
	}
	if err := svc.Remove(ctx, bob, l.Items[0].ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("bob removes carol's item: %v", err)
	}
	must(t, svc.Remove(ctx, tok, l.Items[0].ID))
	if err := svc.SetEmail(ctx, tok, "carol at example"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("a bad address: %v", err)
	}
	must(t, svc.SetEmail(ctx, tok, "carol@example.org"))
	if l, _ = svc.List(ctx, tok); len(l.Items) != 2 || l.Email != "carol@example.org" {
		t.Errorf("carol's list: %+v", l)
	}
	if l, _ = svc.List(ctx, bob); len(l.Items) != 0 || l.Email != "" {
		t.Errorf("bob's list: %+v", l)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func urlEscape(s string) string {
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(s)
}
