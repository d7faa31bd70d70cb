package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/fakebroker"
)

// The service as production runs it: real issuers (fake brokers on
// loopback), client_secret_basic, a configured hetu key, no development
// provider.
const (
	brokerClientID  = "omahoito"
	brokerSecretEnv = "OMAHOITO_TEST_BROKER_SECRET"
	// brokerSecret is long enough to be an HS256 key, for the
	// algorithm-confusion case.
	brokerSecret = "broker-client-secret-long-enough-for-hs256"
	loa3         = "http://ftn.ficora.fi/2017/loa3"
	loa2         = "http://ftn.ficora.fi/2017/loa2"
	hetuClaim    = "urn:oid:1.2.246.21"
	callbackPath = "/auth/citizen/callback"
)

// person is who an ID token says logs in.
type person struct{ hetu, given, family string }

var (
	// controlPerson logs in first, with a valid token: the setup works.
	controlPerson = person{"010190-900P", "Kontrolli", "Vertailuhenkilo"}
	// refusedPerson is named by every refused token, then logs in once
	// with a valid one, which must register them as new.
	refusedPerson = person{testHetu, "Esko-Ilmari", "Korkeasaari-Uutela"}
)

// brokerApp is the whole service wired to fake brokers.
type brokerApp struct {
	*testApp
	citizen, professional *fakebroker.Broker
	keys                  *auth.Keys // the app's hetu keys, to look people up
}

// startWithBrokers starts the service on SQLite with citizen_issuer and
// professional_issuer configured, over the demo directory seeded before
// the start, which the service does not seed when real issuers are
// configured.
func startWithBrokers(t *testing.T) *brokerApp {
	t.Helper()
	dir := t.TempDir()
	keyPath, keys := writeHetuKey(t, dir)
	t.Setenv(brokerSecretEnv, brokerSecret)
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	b := &brokerApp{keys: keys,
		citizen:      startBroker(t, srv.URL+"/auth/citizen/callback"),
		professional: startBroker(t, srv.URL+"/auth/professional/callback"),
	}
	cfg := Config{DataDir: dir, BaseURL: srv.URL, HetuKeyFile: keyPath, AuditSigningKey: mustAuditKey(t), DefaultRegion: "kainuu",
		FilesMasterKeys: []MasterKeyConfig{{KeyFile: writeMasterKey(t, dir, "files.key", 4)}},
		Citizen: &IssuerConfig{Issuer: b.citizen.Issuer(), ClientID: brokerClientID,
			ClientSecretEnv: brokerSecretEnv, ClientAuth: "client_secret_basic", ACRValues: loa3},
		Professional: &IssuerConfig{Issuer: b.professional.Issuer(), ClientID: brokerClientID,
			ClientSecretEnv: brokerSecretEnv},
	}
	cfg.applyDefaults()
	mustSeedDemoDirectory(t, cfg)
	logs := &syncBuffer{}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("start app with brokers: %v", err)
	}
	t.Cleanup(a.Close)
	if a.dev {
		t.Fatal("development provider on despite configured issuers")
	}
	srv.Config.Handler = a.handler
	b.testApp = &testApp{URL: srv.URL, log: logs, store: a.store}
	return b
}

func startBroker(t *testing.T, redirect string) *fakebroker.Broker {
	return fakebroker.Start(t, fakebroker.Config{ClientID: brokerClientID, ClientSecret: brokerSecret,
		RedirectURIs: []string{redirect}})
}

// writeHetuKey writes a new master key as an operator would (base64, mode
// 0600) and returns its path and the keys derived from it.
func writeHetuKey(t *testing.T, dir string) (string, *auth.Keys) {
	t.Helper()
	master := make([]byte, auth.KeySize)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hetu.key")
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(master)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, keys
}

// claimsFor returns a valid citizen ID token claim set naming p.
func (b *brokerApp) claimsFor(a fakebroker.Authorization, p person) map[string]any {
	c := b.citizen.Claims(a)
	c[hetuClaim], c["given_name"], c["family_name"] = p.hetu, p.given, p.family
	return c
}

// login queues the broker's answer and walks a browser through GET /login,
// the broker's authorization endpoint and the callback. It returns where
// the browser landed and the ID token it carried.
func (b *brokerApp) login(t *testing.T, c *http.Client, token func(fakebroker.Authorization) string) (*http.Response, string, string) {
	t.Helper()
	minted := make(chan string, 1)
	b.citizen.Next(func(a fakebroker.Authorization) string {
		tok := token(a)
		minted <- tok
		return tok
	})
	res, body := get(t, c, b.URL+"/login")
	select {
	case tok := <-minted:
		return res, body, tok
	default:
		t.Fatalf("the broker minted no token: the browser landed on %s with %d", res.Request.URL, res.StatusCode)
		return nil, "", ""
	}
}

// isRegistered looks the person up as the service does, by the keyed hash
// of the hetu.
func (b *brokerApp) isRegistered(t *testing.T, p person) bool {
	t.Helper()
	_, err := b.store.PersonByHetuKey(context.Background(), b.keys.LookupKey(auth.MustParseHetu(p.hetu)))
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// logLines parses JSON log output into records.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

func findLog(lines []map[string]any, msg string) map[string]any {
	for _, l := range lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

// mustLogIn logs p in with a valid token and returns the "citizen logged
// in" record.
func (b *brokerApp) mustLogIn(t *testing.T, p person) map[string]any {
	t.Helper()
	c := browser(t)
	mark := len(b.log.String())
	res, body, _ := b.login(t, c, func(a fakebroker.Authorization) string {
		return b.citizen.Sign(b.claimsFor(a, p))
	})
	if res.StatusCode != http.StatusOK || res.Request.URL.String() != b.URL+"/" ||
		!strings.Contains(body, "Hei, "+p.given+" "+p.family+"!") {
		t.Fatalf("valid login landed on %s with %d: %s\nlog: %s", res.Request.URL, res.StatusCode, body, b.log.String()[mark:])
	}
	if !hasSession(c, b.URL) {
		t.Fatal("valid login left no session")
	}
	rec := findLog(logLines(t, b.log.String()[mark:]), "citizen logged in")
	if rec == nil {
		t.Fatalf("no \"citizen logged in\" record: %s", b.log.String()[mark:])
	}
	return rec
}

// idTokenRefusal is one way the broker's ID token can be wrong. token gets
// a valid claim set naming refusedPerson and returns what the broker sends.
type idTokenRefusal struct {
	name  string
	token func(b *brokerApp, claims map[string]any) string
}

func idTokenRefusals() []idTokenRefusal {
	signedWith := func(k string, v any) func(*brokerApp, map[string]any) string {
		return func(b *brokerApp, c map[string]any) string {
			c[k] = v
			return b.citizen.Sign(c)
		}
	}
	mustSign := func(alg jose.SignatureAlgorithm, key any, c map[string]any) string {
		s, err := fakebroker.SignJWT(alg, key, fakebroker.KeyID, c)
		if err != nil {
			panic(err)
		}
		return s
	}
	return []idTokenRefusal{
		{"wrong issuer", signedWith("iss", "https://evil.example")},
		{"wrong audience", signedWith("aud", "another-client")},
		{"expired", func(b *brokerApp, c map[string]any) string {
			c["iat"], c["exp"] = time.Now().Add(-20*time.Minute).Unix(), time.Now().Add(-10*time.Minute).Unix()
			return b.citizen.Sign(c)
		}},
		{"wrong nonce", signedWith("nonce", "a-nonce-of-another-login")},
		{"no nonce", signedWith("nonce", "")},
		{"acr below the requested acr_values", signedWith("acr", loa2)},
		{"alg none", func(_ *brokerApp, c map[string]any) string {
			return fakebroker.Segment(map[string]string{"alg": "none", "typ": "JWT"}) + "." + fakebroker.Segment(c) + "."
		}},
		{"unsigned: no signature part", func(_ *brokerApp, c map[string]any) string {
			header := map[string]string{"alg": "RS256", "typ": "JWT", "kid": fakebroker.KeyID}
			return fakebroker.Segment(header) + "." + fakebroker.Segment(c)
		}},
		{"garbage", func(*brokerApp, map[string]any) string { return "not-a-jwt" }},
		{"tampered: hetu swapped after signing", func(b *brokerApp, c map[string]any) string {
			signedFor := map[string]any{}
			for k, v := range c {
				signedFor[k] = v
			}
			signedFor[hetuClaim] = controlPerson.hetu
			parts := strings.Split(b.citizen.Sign(signedFor), ".")
			parts[1] = fakebroker.Segment(c)
			return strings.Join(parts, ".")
		}},
		// The professional broker's key: another key, under the kid the
		// citizen broker publishes.
		{"signed by another key", func(b *brokerApp, c map[string]any) string {
			return mustSign(jose.RS256, b.professional.Key(), c)
		}},
		{"HS256 with the client secret", func(_ *brokerApp, c map[string]any) string {
			return mustSign(jose.HS256, []byte(brokerSecret), c)
		}},
	}
}

// TestIDTokenRefusalsThroughTheService drives a browser through the real
// service, configured with real issuers, and a broker that sends a wrong ID
// token after a good code exchange. Each is refused with 401 (oidc.ErrToken,
// portal/errors.go) and an error page, no session, no person registered, and
// a log line that names the refusal but no personal data.
func TestIDTokenRefusalsThroughTheService(t *testing.T) {
	b := startWithBrokers(t)
	if rec := b.mustLogIn(t, controlPerson); rec["registered"] != true || rec["acr"] != loa3 {
		t.Fatalf("control login: %v, want a new registration at %s", rec, loa3)
	}
	if !b.isRegistered(t, controlPerson) {
		t.Fatal("the control login registered nobody: the lookup proves nothing")
	}
	for _, tc := range idTokenRefusals() {
		t.Run(tc.name, func(t *testing.T) {
			b.assertRefused(t, tc)
		})
	}
	// Nothing above registered the refused person: their first valid login
	// registers them.
	if rec := b.mustLogIn(t, refusedPerson); rec["registered"] != true {
		t.Fatalf("first valid login of the refused person: %v, want registered=true", rec)
	}
	if !b.isRegistered(t, refusedPerson) {
		t.Fatal("a valid login registered nobody")
	}
	assertNoPersonalData(t, b.testApp, refusedPerson.hetu, refusedPerson.given, refusedPerson.family,
		controlPerson.hetu, controlPerson.given, controlPerson.family, "1980-03-15")
}

func (b *brokerApp) assertRefused(t *testing.T, tc idTokenRefusal) {
	t.Helper()
	c := browser(t)
	mark, exchanges := len(b.log.String()), b.citizen.Exchanges()
	res, body, token := b.login(t, c, func(a fakebroker.Authorization) string {
		return tc.token(b, b.claimsFor(a, refusedPerson))
	})
	if res.Request.URL.Path != callbackPath || res.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(body, `role="alert"`) {
		t.Fatalf("landed on %s with %d, want the callback's 401 error page: %s", res.Request.URL, res.StatusCode, body)
	}
	if b.citizen.Exchanges() != exchanges+1 {
		t.Fatal("the code was not exchanged: the refusal is not the ID token's")
	}
	if res, _ := get(t, c, b.URL+"/fhir/r4/Patient"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after a refused login GET /fhir/r4/Patient = %d, want 401", res.StatusCode)
	}
	if b.isRegistered(t, refusedPerson) {
		t.Fatal("a refused ID token registered its person")
	}
	logs := b.log.String()[mark:]
	rec := findLog(logLines(t, logs), "request refused")
	if rec == nil || rec["status"] != float64(http.StatusUnauthorized) || rec["route"] != callbackPath ||
		!strings.Contains(rec["err"].(string), "oidc: invalid ID token") {
		t.Fatalf("no refusal record for the callback: %s", logs)
	}
	if findLog(logLines(t, logs), "citizen logged in") != nil {
		t.Fatalf("a refused token logged a citizen in: %s", logs)
	}
	t.Logf("refused: %s", rec["err"])
	for _, secret := range append(strings.Split(token, "."), refusedPerson.hetu, refusedPerson.given, refusedPerson.family) {
		if len(secret) >= 8 && (strings.Contains(logs, secret) || strings.Contains(body, secret)) {
			t.Errorf("the log or the error page shows personal data or the token: %.40q", secret)
		}
	}
}
