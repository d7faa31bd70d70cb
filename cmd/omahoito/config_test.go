package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

func writeFile(tb testing.TB, dir, name, content string, mode os.FileMode) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
	return p
}

// With real issuers configured the development provider is off, no demo
// directory is seeded, and logins go to the configured issuer.
func TestRealIssuersTurnDevelopmentProviderOff(t *testing.T) {
	dir := t.TempDir()
	key := writeFile(t, dir, "hetu.key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)), 0o600)
	broker := httptest.NewServer(http.NotFoundHandler()) // discovery fails: the login shows an error page
	defer broker.Close()
	t.Setenv("BROKER_SECRET", "s3cret")
	cfgPath := writeFile(t, dir, "omahoito.json", `{
	  "data_dir": "`+dir+`", "hetu_key_file": "`+key+`", "audit_signing_key": "`+mustAuditKey(t)+`",
	  "files_master_keys": [{"key_file": "`+writeMasterKey(t, dir, "files.key", 4)+`"}],
	  "citizen_issuer": {"issuer": "`+broker.URL+`/citizen", "client_id": "omahoito", "client_secret_env": "BROKER_SECRET", "acr_values": "http://ftn.ficora.fi/2017/loa3"},
	  "professional_issuer": {"issuer": "`+broker.URL+`/pro", "client_id": "omahoito", "client_secret_env": "BROKER_SECRET"}
	}`, 0o600)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.applyDefaults()
	srv := httptest.NewServer(nil)
	defer srv.Close()
	cfg.BaseURL = srv.URL
	mustSeedDemoDirectory(t, cfg) // as omahoito directory import would
	var logs bytes.Buffer
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv.Config.Handler = a.handler
	if a.dev || strings.Contains(logs.String(), "DEVELOPMENT IDENTITY PROVIDER") {
		t.Fatal("development provider on despite configured issuers")
	}
	c := browser(t)
	if res, _ := get(t, c, srv.URL+"/dev-idp/citizen/.well-known/openid-configuration"); res.StatusCode != http.StatusNotFound {
		t.Errorf("dev provider answers: %d", res.StatusCode)
	}
	if res, body := get(t, c, srv.URL+"/login"); res.StatusCode != http.StatusServiceUnavailable ||
		!strings.Contains(body, "Palvelu ei juuri nyt ole käytettävissä") {
		t.Errorf("login with an unreachable broker: %d, want 503 with the try-again-later page", res.StatusCode)
	}
}

func TestConfigRefusals(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		json string
		want string
	}{
		"one issuer only":              {`{"citizen_issuer": {"issuer": "https://broker.example/x", "client_id": "a"}}`, "configure both"},
		"no hetu key":                  {`{"citizen_issuer": {"issuer": "https://b.example/x", "client_id": "a"}, "professional_issuer": {"issuer": "https://b.example/y", "client_id": "a"}}`, "hetu_key_file"},
		"unknown field":                {`{"adress": "x"}`, "unknown field"},
		"empty secret env":             {`{"hetu_key_file": "/nonexistent", "citizen_issuer": {"issuer": "https://b.example/x", "client_id": "a", "client_secret_env": "OMAHOITO_TEST_UNSET"}, "professional_issuer": {"issuer": "https://b.example/y", "client_id": "a"}}`, ""},
		"not a postgres url":           {`{"database_url": "mysql://x"}`, "must start with postgres://"},
		"dev provider on a public URL": {`{"base_url": "https://omahoito.example.fi"}`, "development provider serves only this machine"},
		"rate limits misspelt":         {`{"rate_limits": "of"}`, `rate_limits is "of"`},
		"negative pool size":           {`{"database_pool_size": -1}`, "database_pool_size must be 0"},
		"log level misspelt":           {`{"log_level": "warning"}`, `log_level is "warning"`},
		"portal client as API client":  {`{"citizen_issuer": {"issuer": "https://b.example/x", "client_id": "omahoito", "api_clients": ["app", "omahoito"]}, "professional_issuer": {"issuer": "https://b.example/y", "client_id": "omahoito"}}`, "the portal's ID tokens would be accepted as API access tokens"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			p := writeFile(t, dir, strings.ReplaceAll(name, " ", "_")+".json", tc.json, 0o600)
			code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", p}, &out, &errOut)
			if code == 0 || !strings.Contains(errOut.String(), tc.want) || strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want a one-line error containing %q", code, errOut.String(), tc.want)
			}
		})
	}
}

func TestDevelopmentKeyFileIsPrivateAndKept(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir}
	if _, err := hetuKeys(cfg, true); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hetu.key")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	first, _ := os.ReadFile(path)
	if _, err := hetuKeys(cfg, true); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(first, again) {
		t.Fatal("a second start replaced the key: every stored hetu would become unreadable")
	}
}

// A data directory and key files left open to others (an older version, a
// copied backup, a wide umask) are made private at the next start, the key
// itself kept; this is the only place that does so when the database is
// PostgreSQL.
func TestDataDirAndKeysMadePrivateAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	writeFile(t, dir, "hetu.key", key, 0o644)
	writeFile(t, dir, "other.key", "secret", 0o666)
	writeFile(t, dir, "notes.txt", "not a key", 0o644)
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask made of it
		t.Fatal(err)
	}
	if _, err := hetuKeys(Config{DataDir: dir}, true); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"": 0o700, "hetu.key": 0o600, "other.key": 0o600, "notes.txt": 0o644} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s/%s: mode %v (%v), want %v", filepath.Base(dir), name, st.Mode().Perm(), err, want)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "hetu.key")); string(got) != key {
		t.Error("the existing development key was replaced")
	}
}

// A configured hetu key that group or others can read is refused at start
// with one line that says what to do; a private one starts.
func TestConfiguredHetuKeyOpenToOthersIsRefused(t *testing.T) {
	keyDir := t.TempDir()
	key := writeFile(t, keyDir, "hetu.key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)), 0o600)
	cfg := Config{DataDir: t.TempDir(), HetuKeyFile: key}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o620} {
		if err := os.Chmod(key, mode); err != nil {
			t.Fatal(err)
		}
		_, err := hetuKeys(cfg, false)
		if !errors.Is(err, errConfig) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("key file mode %04o: error %v, want a refusal saying chmod 600", mode, err)
		}
		if st, _ := os.Stat(key); st.Mode().Perm() != mode {
			t.Errorf("the operator's key file was changed to %v", st.Mode().Perm())
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(key, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := hetuKeys(cfg, false); err != nil {
			t.Errorf("key file mode %04o refused: %v", mode, err)
		}
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := writeFile(t, keyDir, "omahoito.json", `{"hetu_key_file": "`+key+`",
	  "citizen_issuer": {"issuer": "https://b.example/x", "client_id": "a"},
	  "professional_issuer": {"issuer": "https://b.example/y", "client_id": "a"}}`, 0o600)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", cfgPath}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "hetu_key_file") || strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
		t.Errorf("start with a key readable by others: exit %d, stderr %q; want a one-line refusal", code, errOut.String())
	}
}

// The development login lets anyone log in as anyone, so it must never be
// reachable from the network: the listen address decides, whatever the
// base URL says, and "development" only admits a base URL elsewhere (a
// proxy on this machine), never a listener on the network.
func TestDevelopmentLoginOnlyOnLoopback(t *testing.T) {
	const public, local = "https://test.omahoito.example.fi", "http://127.0.0.1:8080"
	cases := []struct {
		addr, base  string
		development bool
		on          bool
	}{
		{"127.0.0.1:8080", "", false, true},
		{"127.0.0.1:8080", local, false, true},
		{"127.0.0.2:8080", local, false, true},
		{"localhost:8080", "http://localhost:8080", false, true},
		{"[::1]:8080", "http://[::1]:8080", false, true},
		{"127.0.0.1:8080", public, false, false},
		{"127.0.0.1:8080", public, true, true}, // a shared test server behind a proxy on this machine
		{"0.0.0.0:8080", local, false, false},
		{"0.0.0.0:8080", local, true, false},
		{"0.0.0.0:8080", public, true, false},
		{"[::]:8080", local, false, false},
		{"[::]:8080", public, true, false},
		{":8080", local, true, false},
		{"192.168.1.20:8080", local, false, false},
		{"192.168.1.20:8080", public, true, false},
		{"omahoito.lan:8080", local, true, false}, // a name other than localhost is not resolved
		{"", local, true, false},
	}
	for _, tc := range cases {
		cfg := Config{Addr: tc.addr, BaseURL: tc.base, Development: tc.development}
		dev, err := cfg.devIDP()
		if on := err == nil && dev; on != tc.on {
			t.Errorf("addr %q, base URL %q, development %v: development login on = %v (%v), want %v",
				tc.addr, tc.base, tc.development, on, err, tc.on)
		}
		if !tc.on && !errors.Is(err, errConfig) {
			t.Errorf("addr %q, base URL %q: error %v, want a configuration error", tc.addr, tc.base, err)
		}
	}
}

// Started from the command line on a network address without issuers,
// serve refuses with one line naming addr, whether the address comes from
// --addr, OMAHOITO_ADDR or the file, and before a port is opened (the LAN
// address is not this machine's: listening on it would fail differently).
func TestServeRefusesDevelopmentLoginOnNetworkAddress(t *testing.T) {
	cases := []struct{ flag, env, json string }{
		{flag: "0.0.0.0:0"},
		{flag: "[::]:0", json: `{"base_url": "http://127.0.0.1:8080"}`},
		{flag: "0.0.0.0:0", json: `{"development": true, "base_url": "https://test.omahoito.example.fi"}`},
		{flag: "192.0.2.10:0", json: `{"development": true}`},
		{env: "0.0.0.0:0", json: `{"development": true, "base_url": "http://localhost:8080"}`},
		{json: `{"addr": "[::]:0", "development": true}`},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"serve", "--data", dir}
			addr := tc.flag
			if tc.flag != "" {
				args = append(args, "--addr", tc.flag)
			}
			if tc.env != "" {
				t.Setenv("OMAHOITO_ADDR", tc.env)
				addr = tc.env
			}
			if tc.json != "" {
				args = append(args, "--config", writeFile(t, dir, "omahoito.json", tc.json, 0o600))
			}
			if addr == "" {
				addr = "[::]:0"
			}
			code, msg := serveBriefly(t, args[1:])
			if code == 0 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "addr "+addr) ||
				!strings.Contains(msg, "development provider") {
				t.Errorf("exit %d, stderr %q; want a one-line refusal of the development provider naming addr %s", code, msg, addr)
			}
		})
	}
}

// serveBriefly runs serve with args; if it starts, it is stopped at once
// and reported, so a refusal that regresses fails rather than serves on.
// It returns the exit code and standard error, trimmed.
func serveBriefly(t *testing.T, args []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() { done <- serve(ctx, args, &out, &errOut, ready) }()
	select {
	case base := <-ready:
		t.Errorf("serve started at %s", base)
		cancel()
		return <-done, strings.TrimSpace(errOut.String())
	case code := <-done:
		return code, strings.TrimSpace(errOut.String())
	}
}

// A shared test server: behind a proxy with a public base URL, listening on
// loopback, "development" lets the development login serve.
func TestDevelopmentBehindProxyServesOnLoopback(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "omahoito.json", `{"development": true, "base_url": "https://test.omahoito.example.fi"}`, 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--data", dir, "--config", p}, &out, &errOut, ready)
	}()
	select {
	case base := <-ready:
		if base != "https://test.omahoito.example.fi" {
			t.Errorf("base URL %q", base)
		}
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d after shutdown: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "DEVELOPMENT IDENTITY PROVIDER IS ON") {
		t.Errorf("no warning that the development provider is on: %s", errOut.String())
	}
}

// A pool size from the environment that is not a whole number is refused
// with the variable's name, not read as the default.
func TestPoolSizeFromEnvironment(t *testing.T) {
	t.Setenv("OMAHOITO_DATABASE_POOL_SIZE", "many")
	if _, err := loadConfig(""); !errors.Is(err, errConfig) || !strings.Contains(err.Error(), "OMAHOITO_DATABASE_POOL_SIZE") {
		t.Errorf("pool size %q: %v, want a configuration error naming the variable", "many", err)
	}
	t.Setenv("OMAHOITO_DATABASE_POOL_SIZE", "12")
	if cfg, err := loadConfig(""); err != nil || cfg.DatabasePoolSize != 12 {
		t.Errorf("pool size 12: %d, %v", cfg.DatabasePoolSize, err)
	}
}

func TestTrustedProxies(t *testing.T) {
	cfg := Config{TrustedProxies: []string{"10.0.0.0/8", "::1", "192.0.2.7"}}
	got, err := cfg.trustedProxies()
	if err != nil || len(got) != 3 || got[1].String() != "::1/128" || got[2].String() != "192.0.2.7/32" {
		t.Fatalf("trustedProxies = %v, %v", got, err)
	}
	for _, bad := range []string{"proxy.example.fi", "10.0.0.0/33", ""} {
		cfg := Config{TrustedProxies: []string{bad}}
		if err := cfg.checkValues(); !errors.Is(err, errConfig) || !strings.Contains(err.Error(), "trusted_proxies") {
			t.Errorf("trusted_proxies %q: %v, want a configuration error naming trusted_proxies", bad, err)
		}
	}
}

// mustAuditKey writes an access-log signing key outside any data
// directory, as production configures it, and returns its path.
func mustAuditKey(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit-signing.key")
	if _, err := audit.LoadOrCreateKey(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// With real issuers the access log's signing key must be configured: one
// generated into a data directory could be lost with it.
func TestRealIssuersNeedAnAuditSigningKey(t *testing.T) {
	dir := t.TempDir()
	key := writeFile(t, dir, "hetu.key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)), 0o600)
	t.Setenv("BROKER_SECRET", "s3cret")
	cfgPath := writeFile(t, dir, "omahoito.json", `{"data_dir": "`+dir+`", "hetu_key_file": "`+key+`",
	  "citizen_issuer": {"issuer": "https://b.example/citizen", "client_id": "a", "client_secret_env": "BROKER_SECRET"},
	  "professional_issuer": {"issuer": "https://b.example/pro", "client_id": "a", "client_secret_env": "BROKER_SECRET"}}`, 0o600)
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"serve", "--config", cfgPath, "--addr", "127.0.0.1:0"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "audit_signing_key") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming audit_signing_key", code, errOut.String())
	}
}
