package portal

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy configured header ignored from an untrusted peer", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9:5000"},
		{"trusted proxy names the client", "10.1.2.3:443", []string{"198.51.100.7"}, "198.51.100.7:0"},
		{"a client cannot hide behind a forged first hop", "10.1.2.3:443", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7:0"},
		{"a chain of trusted proxies is walked", "10.1.2.3:443", []string{"198.51.100.7, 10.9.9.9", "10.8.8.8"}, "198.51.100.7:0"},
		{"IPv6 proxy on loopback", "[::1]:443", []string{"2001:db8::5"}, "[2001:db8::5]:0"},
		{"garbled header keeps the proxy", "10.1.2.3:443", []string{"not-an-ip"}, "10.1.2.3:443"},
		{"only proxies in the chain keeps the proxy", "10.1.2.3:443", []string{"10.4.4.4"}, "10.1.2.3:443"},
		{"no header keeps the proxy", "10.1.2.3:443", nil, "10.1.2.3:443"},
	}
	for _, tc := range cases {
		var got string
		h := clientAddress(trusted, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != tc.want {
			t.Errorf("%s: client %q, want %q", tc.name, got, tc.want)
		}
	}
	var got string
	untouched := clientAddress(nil, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr, r.Header["X-Forwarded-For"] = "10.1.2.3:443", []string{"198.51.100.7"}
	untouched.ServeHTTP(httptest.NewRecorder(), r)
	if got != "10.1.2.3:443" {
		t.Errorf("with no trusted proxies the header must be ignored: %q", got)
	}
}
