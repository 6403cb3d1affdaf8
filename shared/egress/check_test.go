package egress

import (
	"net/netip"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		addr     string
		reason   Reason
		rng      string // "" for none
		embedded string // "" for none
	}{
		{"public v4", "93.184.216.34", Public, "", ""},
		{"public v4 just below 10/8", "9.255.255.255", Public, "", ""},
		{"public v4 just above 172.16/12", "172.32.0.1", Public, "", ""},
		{"public v4 just above CGNAT", "100.128.0.1", Public, "", ""},
		{"public v4 just above benchmarking", "198.20.0.1", Public, "", ""},
		{"public v4 next to host endpoint", "168.63.129.17", Public, "", ""},
		{"public v6", "2606:4700::1111", Public, "", ""},
		{"public v4-mapped", "::ffff:8.8.8.8", Public, "", "8.8.8.8"},
		{"public NAT64", "64:ff9b::808:808", Public, "", "8.8.8.8"},
		{"this network", "0.0.0.0", ThisNetwork, "0.0.0.0/8", ""},
		{"this network other", "0.1.2.3", ThisNetwork, "0.0.0.0/8", ""},
		{"private 10", "10.1.2.3", Private, "10.0.0.0/8", ""},
		{"private 172.16", "172.16.0.1", Private, "172.16.0.0/12", ""},
		{"private 172.31", "172.31.255.255", Private, "172.16.0.0/12", ""},
		{"private 192.168", "192.168.1.1", Private, "192.168.0.0/16", ""},
		{"cgnat low", "100.64.0.1", CGNAT, "100.64.0.0/10", ""},
		{"cgnat high", "100.127.255.254", CGNAT, "100.64.0.0/10", ""},
		{"loopback", "127.0.0.1", Loopback, "127.0.0.0/8", ""},
		{"loopback other", "127.255.1.2", Loopback, "127.0.0.0/8", ""},
		{"link-local", "169.254.1.1", LinkLocal, "169.254.0.0/16", ""},
		{"metadata", "169.254.169.254", Metadata, "169.254.0.0/16", ""},
		{"container metadata", "169.254.170.2", Metadata, "169.254.0.0/16", ""},
		{"ietf", "192.0.0.8", IETF, "192.0.0.0/24", ""},
		{"documentation 1", "192.0.2.1", Documentation, "192.0.2.0/24", ""},
		{"documentation 2", "198.51.100.7", Documentation, "198.51.100.0/24", ""},
		{"documentation 3", "203.0.113.9", Documentation, "203.0.113.0/24", ""},
		{"benchmarking", "198.18.0.1", Benchmarking, "198.18.0.0/15", ""},
		{"benchmarking high", "198.19.255.255", Benchmarking, "198.18.0.0/15", ""},
		{"multicast", "224.0.0.1", Multicast, "224.0.0.0/4", ""},
		{"multicast high", "239.255.255.255", Multicast, "224.0.0.0/4", ""},
		{"reserved", "240.0.0.1", Reserved, "240.0.0.0/4", ""},
		{"broadcast", "255.255.255.255", Broadcast, "255.255.255.255/32", ""},
		{"host endpoint", "168.63.129.16", HostEndpoint, "168.63.129.16/32", ""},
		{"v6 unspecified", "::", Unspecified, "::/128", ""},
		{"v6 loopback", "::1", Loopback, "::1/128", ""},
		{"v6 link-local", "fe80::1", LinkLocal, "fe80::/10", ""},
		{"v6 link-local zone", "fe80::1%eth0", LinkLocal, "fe80::/10", ""},
		{"v6 site-local", "fec0::1", SiteLocal, "fec0::/10", ""},
		{"v6 unique local", "fc00::1", UniqueLocal, "fc00::/7", ""},
		{"v6 unique local fd", "fd12:3456::1", UniqueLocal, "fc00::/7", ""},
		{"v6 metadata", "fd00:ec2::254", Metadata, "fc00::/7", ""},
		{"v6 multicast", "ff02::1", Multicast, "ff00::/8", ""},
		{"v6 documentation", "2001:db8::1", Documentation, "2001:db8::/32", ""},
		{"mapped loopback", "::ffff:127.0.0.1", Loopback, "127.0.0.0/8", "127.0.0.1"},
		{"mapped private", "::ffff:10.0.0.1", Private, "10.0.0.0/8", "10.0.0.1"},
		{"mapped metadata", "::ffff:169.254.169.254", Metadata, "169.254.0.0/16", "169.254.169.254"},
		{"NAT64 private", "64:ff9b::a00:1", Private, "10.0.0.0/8", "10.0.0.1"},
		{"NAT64 loopback", "64:ff9b::7f00:1", Loopback, "127.0.0.0/8", "127.0.0.1"},
		{"NAT64 local-use", "64:ff9b:1::808:808", NAT64, "64:ff9b:1::/48", ""},
		{"6to4", "2002:7f00:1::", SixToFour, "2002::/16", "127.0.0.1"},
		{"6to4 public inside", "2002:808:808::1", SixToFour, "2002::/16", "8.8.8.8"},
		{"teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", Teredo, "2001::/32", ""},
		{"v4-compatible", "::127.0.0.1", NonGlobal, "2000::/3", ""},
		{"discard only", "100::1", NonGlobal, "2000::/3", ""},
		{"unassigned v6", "4000::1", NonGlobal, "2000::/3", ""},
		{"invalid", "", Unparsable, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr netip.Addr
			if tt.addr != "" {
				addr = netip.MustParseAddr(tt.addr)
			}
			d := Classify(addr)
			var wantRange netip.Prefix
			if tt.rng != "" {
				wantRange = netip.MustParsePrefix(tt.rng)
			}
			var wantEmb netip.Addr
			if tt.embedded != "" {
				wantEmb = netip.MustParseAddr(tt.embedded)
			}
			if d.Reason != tt.reason || d.Range != wantRange || d.Embedded != wantEmb {
				t.Errorf("Classify(%s) = %v reason %v range %v embedded %v; want reason %v range %v embedded %v",
					tt.addr, d, d.Reason, d.Range, d.Embedded, tt.reason, wantRange, wantEmb)
			}
			if d.Allowed() != (tt.reason == Public) {
				t.Errorf("Classify(%s).Allowed() = %v, want %v", tt.addr, d.Allowed(), tt.reason == Public)
			}
		})
	}
}

func TestGuardAllowCIDRs(t *testing.T) {
	g := NewGuard(Config{AllowCIDRs: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.20.0.0/16"),
	}})
	tests := []struct {
		addr   string
		reason Reason
	}{
		{"127.0.0.1", Allowlisted},
		{"::ffff:127.0.0.1", Allowlisted},
		{"64:ff9b::7f00:1", Allowlisted},
		{"::1", Allowlisted},
		{"10.20.1.1", Allowlisted},
		{"10.21.1.1", Private}, // the allowance covers only its own range
		{"169.254.169.254", Metadata},
		{"fd00:ec2::254", Metadata},
		{"93.184.216.34", Public},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := g.Check(netip.MustParseAddr(tt.addr)); got.Reason != tt.reason {
				t.Errorf("Check(%s) = %v, want reason %v", tt.addr, got, tt.reason)
			}
		})
	}
}

func TestDecisionString(t *testing.T) {
	g := NewGuard(Config{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	tests := []struct {
		addr string
		want string
	}{
		{"10.1.2.3", "deny 10.1.2.3 private 10.0.0.0/8"},
		{"::ffff:7f00:1", "allow ::ffff:127.0.0.1 (127.0.0.1) allowlisted 127.0.0.0/8"},
		{"::ffff:a00:1", "deny ::ffff:10.0.0.1 (10.0.0.1) private 10.0.0.0/8"},
		{"169.254.169.254", "deny 169.254.169.254 metadata 169.254.0.0/16"},
		{"93.184.216.34", "allow 93.184.216.34 public"},
		{"2002:7f00:1::", "deny 2002:7f00:1:: (127.0.0.1) 6to4 2002::/16"},
	}
	for _, tt := range tests {
		if got := g.Check(netip.MustParseAddr(tt.addr)).String(); got != tt.want {
			t.Errorf("Check(%s).String() = %q, want %q", tt.addr, got, tt.want)
		}
	}
	if got, want := Reason(200).String(), "reason(200)"; got != want {
		t.Errorf("Reason(200).String() = %q, want %q", got, want)
	}
}

// FuzzClassify checks the blocklist against an independent statement of it: every
// IPv4 address (and its mapped and NAT64 forms) is refused exactly when a listed range
// holds it, and an IPv6 address is allowed only inside 2000::/3 and outside every
// listed IPv6 range.
func FuzzClassify(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add([]byte{168, 63, 129, 16})
	f.Add([]byte{0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54})
	f.Add([]byte{0x20, 0x01, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	blocked4 := []string{"0.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
		"100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
		"198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"255.255.255.255/32", "168.63.129.16/32"}
	blocked6 := []string{"::/128", "::1/128", "fe80::/10", "fec0::/10", "fc00::/7",
		"ff00::/8", "2001:db8::/32", "64:ff9b:1::/48", "2002::/16", "2001::/32"}
	in := func(a netip.Addr, list []string) bool {
		for _, s := range list {
			if netip.MustParsePrefix(s).Contains(a) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		switch len(b) {
		case 4:
			a := netip.AddrFrom4([4]byte(b))
			want := !in(a, blocked4)
			mapped := netip.AddrFrom16(a.As16())
			var nat [16]byte
			copy(nat[:], netip.MustParseAddr("64:ff9b::").AsSlice())
			copy(nat[12:], b)
			for _, x := range []netip.Addr{a, mapped, netip.AddrFrom16(nat)} {
				if got := Classify(x).Allowed(); got != want {
					t.Fatalf("Classify(%s).Allowed() = %v, want %v", x, got, want)
				}
			}
		case 16:
			a := netip.AddrFrom16([16]byte(b))
			if a.Is4In6() || netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
				return // covered by the 4-byte case
			}
			want := netip.MustParsePrefix("2000::/3").Contains(a) && !in(a, blocked6)
			if got := Classify(a).Allowed(); got != want {
				t.Fatalf("Classify(%s).Allowed() = %v, want %v", a, got, want)
			}
		}
	})
}
