package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"ecoindustry/internal/cli"
	"ecoindustry/internal/store/postgres/pgtest"
)

// TestMain lets a test start this binary as `ecoind`: with
// ECOIND_TEST_AS_ECOIND set it runs app.Run on its arguments instead of tests.
func TestMain(m *testing.M) {
	if os.Getenv("ECOIND_TEST_AS_ECOIND") != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// startServe starts `ecoind serve` as a process of its own and returns its base URL.
func startServe(t *testing.T, env ...string) string {
	t.Helper()
	base, _ := startServeAddrs(t, env...)
	return base
}

// startServeAddrs starts `ecoind serve` as a process of its own and returns
// its base URL and its HJ 212 address.
func startServeAddrs(t *testing.T, env ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--http", "127.0.0.1:0", "--hj212", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), append(env, "ECOIND_TEST_AS_ECOIND=1")...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve exited: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("serve did not stop on SIGINT")
		}
	})
	addr := regexp.MustCompile(`http=(http://[0-9.:]+) hj212=([0-9.:]+)`)
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m
				break
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case m := <-found:
		return m[1], m[2]
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", ""
}

// runEnv runs ecoind in this process with environment variables KEY=VALUE.
func runEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return run(t, m, args...)
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// tokenFor adds an administrator named user to the store env names, with
// `ecoind user add`, and returns an API token of theirs, from `ecoind token create`.
func tokenFor(t *testing.T, env []string, user string) string {
	t.Helper()
	if code, _, errOut := runEnv(t, env, "user", "add", user, "--role", "admin"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	code, out, errOut := runEnv(t, env, "token", "create", "test", "--user", user)
	if code != 0 {
		t.Fatalf("token create: %s", errOut)
	}
	return strings.TrimSpace(out)
}

// call sends a request with the API token and returns its JSON object.
func call(t *testing.T, method, url, token, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v %v", method, url, resp.StatusCode, v, err)
	}
	return v
}

// TestTwoServersOnePostgres runs two `ecoind serve` processes on one
// database: what one writes, the other answers, history included.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := pgtest.URL(t)
	a := startServe(t, "ECOIND_STORE="+dsn, "ECOIND_DATA="+t.TempDir())
	b := startServe(t, "ECOIND_STORE="+dsn, "ECOIND_DATA="+t.TempDir())
	env := []string{"ECOIND_STORE=" + dsn}
	alice, bob, carol := tokenFor(t, env, "alice"), tokenFor(t, env, "bob"), tokenFor(t, env, "carol")
	call(t, "POST", a+"/api/v1/parks", alice, `{"code":"LS-ETDZ","name":"丽水经济技术开发区","county":"331102","kind":"development_zone"}`)
	call(t, "POST", a+"/api/v1/enterprises", alice, `{"uscc":"`+u1+`","name":"丽水市甲合成革有限公司","county":"莲都区","industry_code":"2925","size":"above","status":"operating","park":"LS-ETDZ"}`)
	got := call(t, "GET", b+"/api/v1/enterprises/"+u1, bob, "")
	if got["name"] != "丽水市甲合成革有限公司" || got["park"] != "LS-ETDZ" {
		t.Fatalf("server b sees %v", got)
	}
	call(t, "PATCH", b+"/api/v1/enterprises/"+u1, bob, `{"status":"closed"}`)
	for _, base := range []string{a, b} {
		list := call(t, "GET", base+"/api/v1/enterprises?status=closed", carol, "")
		if list["total"] != float64(1) {
			t.Fatalf("%s: %v", base, list)
		}
		h := call(t, "GET", base+"/api/v1/enterprises/"+u1+"/history", carol, "")["items"].([]any)
		if len(h) != 2 || h[0].(map[string]any)["actor"] != "token:alice/test" || h[1].(map[string]any)["actor"] != "token:bob/test" {
			t.Fatalf("%s history: %v", base, h)
		}
	}
}

// TestImportToPostgresFromTheCommandLine imports through --store.
func TestImportToPostgresFromTheCommandLine(t *testing.T) {
	dsn := pgtest.URL(t)
	dir := t.TempDir()
	env := map[string]string{"ECOIND_STORE": dsn}
	if code, _, errOut := run(t, env, "import", "parks", write(t, dir, "parks.csv", parksCSV)); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run(t, env, "import", "enterprises", write(t, dir, "ents.csv", entsCSV()))
	if code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, map[string]string{"ECOIND_STORE": "postgres://nobody:secret@127.0.0.1:1/none"}, "migrate"); code != 1 ||
		!strings.Contains(errOut, "cannot connect") || strings.Contains(errOut, "secret") {
		t.Fatalf("a store that does not connect: %d %s", code, errOut)
	}
}

func dialRetry(addr string) (net.Conn, error) {
	var err error
	for range 50 {
		var c net.Conn
		if c, err = net.Dial("tcp", addr); err == nil {
			return c, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}
