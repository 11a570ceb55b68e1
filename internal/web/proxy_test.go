package web

import (
	"net/http/httptest"
	"testing"
)

// TestClientIP: behind trusted proxies the client is the rightmost
// X-Forwarded-For address that is not a trusted proxy; what the client
// itself wrote on the left is never taken; without --trust-proxy, or from
// an untrusted peer, the header is ignored.
func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies("127.0.0.1, 10.0.0.0/8, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	trusting := &Server{trustProxy: true, proxies: proxies}
	loopbackOnly := &Server{trustProxy: true, proxies: DefaultTrustedProxies}
	plain := &Server{proxies: proxies}
	for _, tc := range []struct {
		name   string
		s      *Server
		remote string
		xff    []string
		want   string
	}{
		{"no proxy trust", plain, "127.0.0.1:5000", []string{"1.2.3.4"}, "127.0.0.1"},
		{"one proxy", trusting, "127.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"forged left entry", trusting, "127.0.0.1:5000", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted hops", trusting, "127.0.0.1:5000", []string{"6.6.6.6, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"headers joined", trusting, "127.0.0.1:5000", []string{"6.6.6.6", "203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"untrusted peer", trusting, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"all trusted", trusting, "127.0.0.1:5000", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"garbage hop", trusting, "127.0.0.1:5000", []string{"6.6.6.6, not-an-ip, 10.0.0.6"}, "10.0.0.6"},
		{"with port", trusting, "127.0.0.1:5000", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"ipv6", trusting, "[2001:db8::1]:443", []string{"[2001:db8:ffff::2]:80, 2400:cb00::1"}, "2400:cb00::1"},
		{"no header", trusting, "127.0.0.1:5000", nil, "127.0.0.1"},
		{"loopback default", loopbackOnly, "127.0.0.1:5000", []string{"6.6.6.6, 10.1.2.3"}, "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tc.s.clientIP(r); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was accepted")
	}
	if _, err := ParseProxies("proxy.local"); err == nil {
		t.Error("a host name was accepted")
	}
}
