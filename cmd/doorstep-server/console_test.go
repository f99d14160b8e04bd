package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/office"
	"github.com/doorstep-survey/doorstep/server"
)

func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRoot(&out, &errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestOfficeAdd(t *testing.T) {
	dir := t.TempDir()
	got, err := runIn(t, "a long passphrase\n", "office", "add", "--data", dir, "--user", "zhen1", "--name", "王芳", "--role", "town", "--towns", "马集镇, 石佛镇")
	if err != nil || !strings.Contains(got, "zhen1") {
		t.Fatalf("office add: %q %v", got, err)
	}
	st, err := os.Stat(filepath.Join(dir, office.AccountsFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("accounts file: %v %v", st, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, office.AccountsFile))
	if strings.Contains(string(data), "a long passphrase") {
		t.Error("the passphrase is in the accounts file")
	}
	acc, err := office.OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := acc.Check("zhen1", "a long passphrase")
	if err != nil || a.Role != office.RoleTown || len(a.Towns) != 2 || a.Towns[1] != "石佛镇" {
		t.Errorf("the account: %+v %v", a, err)
	}
	for name, args := range map[string][]string{
		"again":          {"--user", "ZHEN1", "--name", "x", "--role", "district"},
		"short":          {"--user", "qu", "--name", "x", "--role", "district"},
		"town no towns":  {"--user", "t2", "--name", "x", "--role", "town"},
		"district towns": {"--user", "d2", "--name", "x", "--role", "district", "--towns", "马集镇"},
		"bad role":       {"--user", "d3", "--name", "x", "--role", "admin"},
	} {
		pass := "a long passphrase\n"
		if name == "short" {
			pass = "short\n"
		}
		if _, err := runIn(t, pass, append([]string{"office", "add", "--data", dir}, args...)...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// devServer starts doorstep-server --dev with args and returns its data folder and the
// console's URL; it stops with the test.
func devServer(t *testing.T, args ...string) (dir, console, out string) {
	t.Helper()
	dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	buf := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := newRoot(buf, &syncBuffer{})
		cmd.SetArgs(append([]string{"--dev", "--data", dir, "--listen", "127.0.0.1:0"}, args...))
		done <- cmd.ExecuteContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			t.Error("the server did not stop")
		}
	})
	re := regexp.MustCompile(`office console (https://\S+/office/) — user qu`)
	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m = re.FindStringSubmatch(buf.String()); m == nil; m = re.FindStringSubmatch(buf.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("the dev server said: %q", buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return dir, m[1], buf.String()
}

var insecure = &tls.Config{InsecureSkipVerify: true}

// TestDevServerConsole: --dev serves the console on the same HTTPS listener with the
// demo district's roster and two demo accounts; the district's account signs in and
// reads the roster's size; the admin socket does not serve it.
func TestDevServerConsole(t *testing.T) {
	dir, console, _ := devServer(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: insecure}}
	res, err := c.Get(console)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasSuffix(res.Request.URL.Path, "/office/login") {
		t.Fatalf("/office/ went to %s", res.Request.URL)
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
	if tok == nil {
		t.Fatal("no CSRF token on the login page")
	}
	res, err = c.PostForm(console+"login", url.Values{"csrf": {tok[1]}, "user": {"qu"}, "passphrase": {devOfficePassphrase}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), `id="total-roster">300<`) {
		t.Errorf("after signing in: %s %.400s", res.Request.URL, page)
	}
	// The admin socket is not the console.
	sock := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", filepath.Join(dir, server.AdminSocket))
	}}}
	if res, err := sock.Get("http://admin/office/login"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("the admin socket serves the console")
		}
	}
}

// TestOfficeOwnListener: with --office-listen the console is on its own address and no
// longer under the laptops' one.
func TestOfficeOwnListener(t *testing.T) {
	_, console, out := devServer(t, "--office-listen", "127.0.0.1:0")
	api := regexp.MustCompile(`listening on (https://\S+) `).FindStringSubmatch(out)
	if api == nil || strings.HasPrefix(console, api[1]+"/") {
		t.Fatalf("the console is at %s, the API at %v", console, api)
	}
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: insecure}}
	res, err := c.Get(console + "login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the console's own listener: %d", res.StatusCode)
	}
	res, err = c.Get(api[1] + "/office/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("the laptops' listener still serves the console: %d", res.StatusCode)
	}
	if res, err := c.Get(console + "../healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("the console's listener serves the laptops' API")
		}
	}
}
