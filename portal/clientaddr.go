package portal

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress makes r.RemoteAddr the client's own address when the
// connection comes from a trusted reverse proxy: the rightmost address in
// X-Forwarded-For that is not itself a trusted proxy. A header from any
// other peer is ignored, since any client can write one. Rate limits key
// on the result; without it every user behind a proxy would share one
// allowance.
func clientAddress(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isTrusted(trusted, hostOf(r.RemoteAddr)) {
			if client, ok := forwardedClient(trusted, r.Header.Values("X-Forwarded-For")); ok {
				r2 := *r
				r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
				r = &r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient walks the X-Forwarded-For chain from the right, past the
// trusted proxies, to the first address that is not one.
func forwardedClient(trusted []netip.Prefix, headers []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a garbled chain: keep the proxy's address
		}
		if !isTrusted(trusted, addr.Unmap()) {
			return addr.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

func hostOf(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, _ := netip.ParseAddr(host)
	return addr.Unmap()
}

func isTrusted(trusted []netip.Prefix, addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
