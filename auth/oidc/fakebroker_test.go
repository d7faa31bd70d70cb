package oidc

import (
	"context"
	"net/http"
	"testing"

	"github.com/omahoito/omahoito/internal/fakebroker"
)

// Against the broker the portal's tests use: an ID token with no identity
// claims, the hetu and names from userinfo.
func TestFakeBrokerUserInfoLogin(t *testing.T) {
	b := fakebroker.Start(t, fakebroker.Config{ClientID: testClientID, ClientSecret: testSecret,
		RedirectURIs: []string{redirectURL},
		UserInfo: func(fakebroker.Authorization) map[string]any {
			return map[string]any{"sub": "fakebroker-subject", "hetu": "150380-902U",
				"given_name": "Testi", "family_name": "Henkilö"}
		}})
	b.Next(func(a fakebroker.Authorization) string { return b.Sign(b.Claims(a)) })
	rp := mustRP(t, ProviderConfig{Name: CitizenProvider, Issuer: b.Issuer(), ClientID: testClientID,
		ClientSecret: testSecret, RedirectURL: redirectURL})
	flow, authURL, err := rp.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: %s", resp.Status)
	}
	id, err := rp.Complete(context.Background(), flow, back.Query())
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "fakebroker-subject" || id.Hetu != "150380-902U" || id.GivenName != "Testi" || id.FamilyName != "Henkilö" {
		t.Errorf("identity %+v", id)
	}
}
