package egress

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"
)

func TestBlockedErrorMessage(t *testing.T) {
	g := NewGuard(Config{})
	addrErr := func(host, addr string) error {
		return newAddrError(host, g.Check(netip.MustParseAddr(addr)))
	}
	urlErr := func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("parse %q: %v", raw, err)
		}
		return g.CheckURL(u)
	}
	redirected := func(err error) error {
		var be *BlockedError
		errors.As(err, &be)
		be.Redirect = true
		return be
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"name to private", addrErr("intranet.example", "10.1.2.3"),
			`webhook URL host "intranet.example" resolves to 10.1.2.3, a private address (10.0.0.0/8); requests to private networks are not allowed`},
		{"literal loopback", urlErr("https://127.0.0.1/x"),
			`webhook URL host "127.0.0.1" is a loopback address (127.0.0.0/8); requests to loopback addresses are not allowed`},
		{"literal v6 metadata", urlErr("https://[fd00:ec2::254]/"),
			`webhook URL host "fd00:ec2::254" is a cloud metadata address (fc00::/7); requests to cloud metadata services are not allowed`},
		{"literal mapped", urlErr("https://[::ffff:7f00:1]/"),
			`webhook URL host "::ffff:7f00:1" (IPv4 127.0.0.1) is a loopback address (127.0.0.0/8); requests to loopback addresses are not allowed`},
		{"name to mapped", addrErr("m.example", "::ffff:169.254.169.254"),
			`webhook URL host "m.example" resolves to ::ffff:169.254.169.254 (IPv4 169.254.169.254), a cloud metadata address (169.254.0.0/16); requests to cloud metadata services are not allowed`},
		{"literal nat64", urlErr("https://[64:ff9b::a00:1]/"),
			`webhook URL host "64:ff9b::a00:1" (NAT64 for 10.0.0.1) is a private address (10.0.0.0/8); requests to private networks are not allowed`},
		{"literal 6to4", urlErr("https://[2002:7f00:1::]/"),
			`webhook URL host "2002:7f00:1::" (6to4 for 127.0.0.1) is a 6to4 address (2002::/16); requests to 6to4 addresses are not allowed`},
		{"cgnat", addrErr("tailnet.example", "100.100.1.1"),
			`webhook URL host "tailnet.example" resolves to 100.100.1.1, a carrier-grade NAT address (100.64.0.0/10); requests to carrier-grade NAT networks are not allowed`},
		{"host endpoint", urlErr("https://168.63.129.16/"),
			`webhook URL host "168.63.129.16" is a cloud provider's host endpoint (168.63.129.16/32); requests to cloud host endpoints are not allowed`},
		{"dial hook", g.control("tcp", "10.9.8.7:443", nil),
			`webhook URL address 10.9.8.7 is a private address (10.0.0.0/8); requests to private networks are not allowed`},
		{"redirect", redirected(addrErr("intranet.example", "192.168.1.1")),
			`webhook redirect host "intranet.example" resolves to 192.168.1.1, a private address (192.168.0.0/16); requests to private networks are not allowed`},
		{"odd spelling blocked", urlErr("https://0x7f.0.0.1/"),
			`webhook URL host "0x7f.0.0.1" is an unusual spelling of the IPv4 address 127.0.0.1, a loopback address (127.0.0.0/8); write IP addresses as four decimal numbers, such as 192.0.2.10, or use a host name`},
		{"odd spelling public", urlErr("https://134744072/"),
			`webhook URL host "134744072" is an unusual spelling of the IPv4 address 8.8.8.8; write IP addresses as four decimal numbers, such as 192.0.2.10, or use a host name`},
		{"invalid host", urlErr("https://1.2.3.4.5/"),
			`webhook URL host "1.2.3.4.5" is not a valid host name or IP address`},
		{"no host", urlErr("https:///path"),
			`webhook URL has no host; use a valid https URL`},
		{"http", urlErr("http://example.com/a?b=c"),
			`webhook URL "http://example.com/a?b=c" does not use https; only https endpoints are allowed`},
		{"redirect to http", &BlockedError{Host: "example.com", Reason: NotHTTPS, URL: "http://example.com/", Redirect: true},
			`the endpoint redirected to "http://example.com/", which is not https; redirects must stay on https`},
		{"too many redirects", &BlockedError{Host: "example.com", Reason: TooManyRedirects, URL: "https://example.com/loop", Redirect: true},
			`the endpoint redirected more than 3 times (the last time to "https://example.com/loop"); webhooks follow at most 3 redirects`},
		{"unreadable URL", &BlockedError{Reason: Unparsable, URL: "https://exa mple.com/", Cause: errors.New("invalid character \" \" in host name")},
			`webhook URL "https://exa mple.com/" cannot be read (invalid character " " in host name); use a valid https URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("got no error")
			}
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
