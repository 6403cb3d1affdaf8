package egress

import (
	"net/netip"
	"strconv"
	"strings"
)

// HostKind says how ParseHost read a URL host.
type HostKind uint8

// Host kinds.
const (
	// HostName is a DNS name; its addresses are checked when it is resolved at dial time.
	HostName HostKind = iota
	// HostAddr is an IP address in its standard spelling: dotted decimal or IPv6.
	HostAddr
	// HostOddIPv4 is an IPv4 address in a spelling some resolvers accept and others read
	// as a name: a single number (2130706433), octal or hex parts (0177.0.0.1,
	// 0x7f.0.0.1) or fewer than four parts (127.1). The guard refuses these whatever
	// address they spell.
	HostOddIPv4
	// HostInvalid ends in a number, so it is not a DNS name, yet spells no IPv4 address
	// (1.2.3.4.5, 256.1.1.1, 08.1.1.1), or is empty.
	HostInvalid
)

// ParseHost reads a URL host (without brackets or port, as url.URL.Hostname returns it)
// the way the WHATWG URL standard does: a host whose last label is a number is an IPv4
// address in one of the spellings inet_aton accepts, or invalid. A trailing dot is
// ignored; IPv6 zones are kept. For HostAddr and HostOddIPv4 the address is returned.
func ParseHost(host string) (HostKind, netip.Addr) {
	h := strings.TrimSuffix(host, ".")
	if h == "" {
		return HostInvalid, netip.Addr{}
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return HostAddr, a
	}
	if strings.Contains(h, ":") {
		return HostInvalid, netip.Addr{}
	}
	if !endsInNumber(h) {
		return HostName, netip.Addr{}
	}
	a, ok := parseLooseIPv4(h)
	if !ok {
		return HostInvalid, netip.Addr{}
	}
	return HostOddIPv4, a
}

// endsInNumber reports whether the last label is all digits or 0x followed by hex digits.
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseLooseIPv4 parses 1 to 4 dot-separated numbers, each decimal, octal (leading 0)
// or hex (0x), the last filling the remaining bytes, as inet_aton and WHATWG URL do.
func parseLooseIPv4(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var nums [4]uint64
	for i, p := range parts {
		n, ok := parseLooseNumber(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(parts) - 1
	for i := 0; i < last; i++ {
		if nums[i] > 255 {
			return netip.Addr{}, false
		}
	}
	if nums[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	v := nums[last]
	for i := 0; i < last; i++ {
		v |= nums[i] << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseLooseNumber parses one part; values above 2^32 fail rather than wrap.
func parseLooseNumber(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	var n uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		n = n*base + d
		if n > 1<<32 {
			return 0, false
		}
	}
	return n, true
}

// String returns the kind's name for logs and test output.
func (k HostKind) String() string {
	switch k {
	case HostName:
		return "name"
	case HostAddr:
		return "address"
	case HostOddIPv4:
		return "odd-ipv4"
	case HostInvalid:
		return "invalid"
	}
	return "hostkind(" + strconv.Itoa(int(k)) + ")"
}
