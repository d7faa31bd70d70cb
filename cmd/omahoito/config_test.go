package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	  "data_dir": "`+dir+`", "hetu_key_file": "`+key+`",
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
