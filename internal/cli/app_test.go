package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"ecoindustry/internal/cli"
	"ecoindustry/internal/store/storetest"
)

// syncBuffer is a buffer that a running server may write while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run runs ecoind with args and the environment env.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = cli.Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	u1 = storetest.USCC("331102", 1)
	u2 = storetest.USCC("331121", 2)
)

const parksCSV = "code,name,county,kind\nLS-ETDZ,丽水经济技术开发区,莲都区,development_zone\n"

func entsCSV() string {
	return "统一社会信用代码,企业名称,所属县区,行业代码,企业规模,经营状态,所在园区\n" +
		u1 + ",丽水市甲合成革有限公司,莲都区,2925,规上,在产,LS-ETDZ\n" +
		u2 + ",青田县乙阀门有限公司,青田县,3443,规下,在产,\n"
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ECOIND_DATA": filepath.Join(dir, "data"), "USER": "alice"}
	if code, _, errOut := run(t, env, "import", "parks", write(t, dir, "parks.csv", parksCSV)); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run(t, env, "import", "enterprises", write(t, dir, "ents.csv", entsCSV()))
	if code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	for _, format := range []string{"csv", "xlsx"} {
		file := filepath.Join(dir, "export."+format)
		if code, _, errOut := run(t, env, "export", "enterprises", "--out", file); code != 0 {
			t.Fatal(errOut)
		}
		code, out, errOut := run(t, env, "import", "enterprises", file)
		if code != 0 || !strings.Contains(out, "0 created, 0 updated, 2 unchanged") {
			t.Fatalf("%s: %d %s %s", format, code, out, errOut)
		}
	}
	// Export to standard output, then the history names the command-line user.
	code, out, _ = run(t, env, "export", "enterprises")
	if code != 0 || !strings.Contains(out, u1+",丽水市甲合成革有限公司,331102,2925,above,operating,LS-ETDZ") {
		t.Fatalf("%d %q", code, out)
	}
}

func TestImportBadFileImportsNothing(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ECOIND_DATA": filepath.Join(dir, "data")}
	run(t, env, "import", "parks", write(t, dir, "parks.csv", parksCSV))
	bad := write(t, dir, "bad.csv", entsCSV()+"914403001922038217,丙,杭州,2925,规上,在产,\n")
	code, _, errOut := run(t, env, "import", "enterprises", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{bad + ":4:统一社会信用代码: ", bad + ":4:所属县区: ", bad + ": 输入有 2 处问题，未写入任何数据 / 2 problem(s) in the input; nothing was written"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	_, out, _ := run(t, env, "export", "enterprises")
	if lines := strings.Count(out, "\n"); lines != 1 {
		t.Fatalf("a refused file left %d rows:\n%s", lines-1, out)
	}
	// --dry-run checks a good file and writes nothing either.
	code, out, _ = run(t, env, "import", "--dry-run", "enterprises", write(t, dir, "good.csv", entsCSV()))
	if code != 0 || !strings.Contains(out, "dry run") {
		t.Fatalf("%d %s", code, out)
	}
	if _, out, _ = run(t, env, "export", "enterprises"); strings.Count(out, "\n") != 1 {
		t.Fatalf("dry run wrote:\n%s", out)
	}
}

func TestImportGBKAndBrokenWorkbook(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ECOIND_DATA": filepath.Join(dir, "data")}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(parksCSV)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, env, "import", "parks", write(t, dir, "gbk.csv", gbk))
	if code != 0 || !strings.Contains(out, "1 created") {
		t.Fatalf("GBK: %d %s %s", code, out, errOut)
	}
	code, _, errOut = run(t, env, "import", "parks", write(t, dir, "fake.xlsx", parksCSV))
	if code != 1 || !strings.Contains(errOut, "not an XLSX workbook") {
		t.Fatalf("fake xlsx: %d %s", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	env := map[string]string{"ECOIND_DATA": t.TempDir()}
	for _, args := range [][]string{{}, {"frobnicate"}, {"import", "widgets", "x.csv"}, {"import", "parks"}, {"export", "parks", "--format", "pdf"}, {"serve", "--no-such-flag"}} {
		if code, _, _ := run(t, env, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestConfigMasksSecretsAndVersion(t *testing.T) {
	code, out, _ := run(t, map[string]string{"ECOIND_STORE": "postgres://eco:s3cret@db:5432/eco", "ECOIND_HTTP": ":9000"}, "config", "--data", "/srv/eco")
	if code != 0 || strings.Contains(out, "s3cret") || !strings.Contains(out, "ECOIND_STORE=postgres://eco:%2A%2A%2A%2A%2A%2A@db:5432/eco") && !strings.Contains(out, "ECOIND_STORE=postgres://eco:******@db:5432/eco") ||
		!strings.Contains(out, "ECOIND_DATA=/srv/eco") || !strings.Contains(out, "ECOIND_HTTP=:9000") {
		t.Fatalf("%d\n%s", code, out)
	}
	// The digest's secrets (decision 0027): the SMTP password, the robot's
	// key in its URL, DingTalk's signing secret.
	code, out, _ = run(t, map[string]string{"ECOIND_SMTP_PASSWORD": "smtp-s3cret", "ECOIND_WEBHOOK_SECRET": "SECsign",
		"ECOIND_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=robot-key"}, "config", "--smtp", "mail.example:587", "--digest-at", "07:30")
	for _, secret := range []string{"smtp-s3cret", "SECsign", "robot-key"} {
		if code != 0 || strings.Contains(out, secret) {
			t.Fatalf("config shows %q: %d\n%s", secret, code, out)
		}
	}
	if !strings.Contains(out, "ECOIND_WEBHOOK=https://oapi.dingtalk.com/robot/send?******") || !strings.Contains(out, "ECOIND_SMTP=mail.example:587") ||
		!strings.Contains(out, "ECOIND_DIGEST_AT=07:30") || !strings.Contains(out, "ECOIND_SMTP_PASSWORD=******") {
		t.Fatalf("config:\n%s", out)
	}
	if code, out, _ := run(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "ecoind ") {
		t.Fatalf("%d %s", code, out)
	}
}

// serveInProcess runs `ecoind serve` on free ports with extra flags, and
// returns the HTTP base URL, an administrator's API token, its log, and
// stop, which ends it as SIGTERM would and returns its exit status.
func serveInProcess(t *testing.T, flags ...string) (base, token string, log *syncBuffer, stop func() int) {
	t.Helper()
	env := map[string]string{"ECOIND_DATA": t.TempDir()}
	token = tokenFor(t, []string{"ECOIND_DATA=" + env["ECOIND_DATA"]}, "admin")
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		args := append([]string{"serve", "--http", "127.0.0.1:0", "--hj212", "127.0.0.1:0"}, flags...)
		done <- cli.Run(ctx, args, func(k string) string { return env[k] }, nil, &syncBuffer{}, log)
	}()
	addr := regexp.MustCompile(`http=(http://[0-9.:]+)`)
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(log.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("server did not start:\n%s", log.String())
	}
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("no graceful shutdown")
			return -1
		}
	}
	return base, token, log, stop
}

// TestServeAndShutDown starts the server on a free port, asks it for a
// page, and stops it as SIGTERM would.
func TestServeAndShutDown(t *testing.T) {
	base, token, log, stop := serveInProcess(t)
	if resp, err := http.Get(base + "/api/v1/units"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("units without a token: %v %v", resp.Status, err)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/units", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var units struct{ Items []struct{ Code string } }
	err = json.NewDecoder(resp.Body).Decode(&units)
	resp.Body.Close()
	if err != nil || len(units.Items) != 10 {
		t.Fatalf("units: %+v %v", units, err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, log.String())
	}
}

// TestServeListensOnLoopbackByDefault: the API is not offered to other
// machines unless asked, and serve says so.
func TestServeListensOnLoopbackByDefault(t *testing.T) {
	if code, out, _ := run(t, nil, "config"); code != 0 || !strings.Contains(out, "ECOIND_HTTP=127.0.0.1:8080\n") {
		t.Fatalf("%d\n%s", code, out)
	}
	_, _, log, stop := serveInProcess(t)
	defer stop()
	if !strings.Contains(log.String(), "loopback only") {
		t.Errorf("serve did not say it listens on loopback only:\n%s", log.String())
	}
}

// TestSlowBodyIsCutOff: a client that sends its body a byte at a time holds
// a connection only until the read timeout, not for ever.
func TestSlowBodyIsCutOff(t *testing.T) {
	base, token, _, stop := serveInProcess(t, "--http-read-timeout", "1s")
	defer stop()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/enterprises HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", token)
	// 100 bytes at 200 ms would take 20 s; the server must close first.
	for i := 0; i < 100; i++ {
		time.Sleep(200 * time.Millisecond)
		if _, err := c.Write([]byte(" ")); err != nil {
			return // closed by the server
		}
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := c.Read(make([]byte, 512)); err == nil {
		return // answered, and so no longer held
	}
	t.Fatal("a body sent at one byte every 200 ms held the connection for 20 s")
}
