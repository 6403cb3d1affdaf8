package egress

import (
	"math/big"
	"net/netip"
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		host string
		kind HostKind
		addr string
	}{
		{"example.com", HostName, ""},
		{"EXAMPLE.com.", HostName, ""},
		{"a-1.b2", HostName, ""},
		{"1a", HostName, ""},
		{"0xg", HostName, ""},
		{"127.0.0.1", HostAddr, "127.0.0.1"},
		{"127.0.0.1.", HostAddr, "127.0.0.1"},
		{"::1", HostAddr, "::1"},
		{"fe80::1%eth0", HostAddr, "fe80::1%eth0"},
		{"::ffff:7f00:1", HostAddr, "::ffff:127.0.0.1"},
		{"2130706433", HostOddIPv4, "127.0.0.1"},
		{"017700000001", HostOddIPv4, "127.0.0.1"},
		{"0x7f000001", HostOddIPv4, "127.0.0.1"},
		{"0X7F000001", HostOddIPv4, "127.0.0.1"},
		{"0177.0.0.1", HostOddIPv4, "127.0.0.1"},
		{"0x7f.0.0.1", HostOddIPv4, "127.0.0.1"},
		{"0x7f.0x0.0x0.0x1", HostOddIPv4, "127.0.0.1"},
		{"127.1", HostOddIPv4, "127.0.0.1"},
		{"127.0.1", HostOddIPv4, "127.0.0.1"},
		{"10.0.0.01", HostOddIPv4, "10.0.0.1"},
		{"169.254.43518", HostOddIPv4, "169.254.169.254"},
		{"0", HostOddIPv4, "0.0.0.0"},
		{"0x", HostOddIPv4, "0.0.0.0"},
		{"4294967295", HostOddIPv4, "255.255.255.255"},
		{"08.8.8.8", HostInvalid, ""},
		{"4294967296", HostInvalid, ""},
		{"1.2.3.4.5", HostInvalid, ""},
		{"256.1.1.1", HostInvalid, ""},
		{"1.256.1.1", HostInvalid, ""},
		{"1.2.65536", HostInvalid, ""},
		{"1..2", HostInvalid, ""},
		{"example.123", HostInvalid, ""},
		{"99999999999999999999999", HostInvalid, ""},
		{"", HostInvalid, ""},
		{".", HostInvalid, ""},
		{"::1::2", HostInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			kind, addr := ParseHost(tt.host)
			var want netip.Addr
			if tt.addr != "" {
				want = netip.MustParseAddr(tt.addr)
			}
			if kind != tt.kind || addr != want {
				t.Errorf("ParseHost(%q) = %v, %v; want %v, %v", tt.host, kind, addr, tt.kind, want)
			}
		})
	}
}

// refLooseIPv4 is a slow, independent reading of the WHATWG IPv4 parser with big
// integers, used as the oracle for FuzzParseHost.
func refLooseIPv4(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]*big.Int, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case strings.HasPrefix(strings.ToLower(p), "0x"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		if strings.ContainsAny(p, "+-_") {
			return netip.Addr{}, false
		}
		n, ok := new(big.Int).SetString(p, base)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	v := new(big.Int)
	for i, n := range nums {
		if i < len(nums)-1 {
			if n.Cmp(big.NewInt(255)) > 0 {
				return netip.Addr{}, false
			}
			v.Or(v, new(big.Int).Lsh(n, uint(8*(3-i))))
			continue
		}
		limit := new(big.Int).Lsh(big.NewInt(1), uint(8*(5-len(nums))))
		if n.Cmp(limit) >= 0 {
			return netip.Addr{}, false
		}
		v.Or(v, n)
	}
	u := v.Uint64()
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}), true
}

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"example.com", "127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1",
		"1.2.3.4.5", "::ffff:1.2.3.4", "08.1", "0x", "a.0x1f", "fe80::1%eth0", "1.2.3.4."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		kind, addr := ParseHost(host)
		h := strings.TrimSuffix(host, ".")
		switch kind {
		case HostAddr:
			if a, err := netip.ParseAddr(h); err != nil || a != addr {
				t.Fatalf("ParseHost(%q) = HostAddr %v, but netip reads %v, %v", host, addr, a, err)
			}
		case HostOddIPv4:
			ref, ok := refLooseIPv4(h)
			if !ok || ref != addr {
				t.Fatalf("ParseHost(%q) = HostOddIPv4 %v, oracle %v %v", host, addr, ref, ok)
			}
			if _, err := netip.ParseAddr(h); err == nil {
				t.Fatalf("ParseHost(%q) = HostOddIPv4, but it is a standard address", host)
			}
		case HostInvalid:
			if h != "" && !strings.Contains(h, ":") {
				if ref, ok := refLooseIPv4(h); ok && endsInNumber(h) {
					t.Fatalf("ParseHost(%q) = HostInvalid, oracle reads %v", host, ref)
				}
			}
		case HostName:
			if endsInNumber(h) {
				t.Fatalf("ParseHost(%q) = HostName for a host ending in a number", host)
			}
		}
		// Whatever the kind, the guard must not let an odd or invalid spelling through.
		if kind == HostOddIPv4 || kind == HostInvalid {
			if err := NewGuard(Config{}).checkHost(host); err == nil {
				t.Fatalf("checkHost(%q) = nil for kind %v", host, kind)
			}
		}
	})
}
