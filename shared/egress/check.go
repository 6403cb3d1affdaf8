package egress

import (
	"fmt"
	"net/netip"
)

// Reason says why the guard allowed or refused a destination. The address reasons
// follow the blocklist in the product docs (egress-blocklist.md); the others refuse a
// URL or a redirect for what it is rather than where it points.
type Reason uint8

// Reasons. Public and Allowlisted allow; every other reason refuses.
const (
	// Public is a global unicast address outside every blocked range.
	Public Reason = iota
	// Allowlisted is inside a CIDR of Config.AllowCIDRs, which overrides the blocklist.
	Allowlisted
	// ThisNetwork is 0.0.0.0/8.
	ThisNetwork
	// Private is 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
	Private
	// CGNAT is 100.64.0.0/10.
	CGNAT
	// Loopback is 127.0.0.0/8, ::1/128.
	Loopback
	// LinkLocal is 169.254.0.0/16, fe80::/10.
	LinkLocal
	// Metadata is 169.254.169.254, 169.254.170.2, fd00:ec2::254.
	Metadata
	// IETF is 192.0.0.0/24.
	IETF
	// Documentation is 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32.
	Documentation
	// Benchmarking is 198.18.0.0/15.
	Benchmarking
	// Multicast is 224.0.0.0/4, ff00::/8.
	Multicast
	// Reserved is 240.0.0.0/4.
	Reserved
	// Broadcast is 255.255.255.255/32.
	Broadcast
	// HostEndpoint is 168.63.129.16/32.
	HostEndpoint
	// Unspecified is ::/128.
	Unspecified
	// SiteLocal is fec0::/10.
	SiteLocal
	// UniqueLocal is fc00::/7.
	UniqueLocal
	// NAT64 is 64:ff9b:1::/48 (64:ff9b::/96 is judged by the IPv4 address it embeds).
	NAT64
	// SixToFour is 2002::/16.
	SixToFour
	// Teredo is 2001::/32.
	Teredo
	// NonGlobal is an IPv6 address outside 2000::/3, the global unicast space, that no
	// range above names (IPv4-compatible ::/96, discard-only 100::/64, unassigned space).
	// Nothing there is reachable on the public internet, so the guard refuses it too.
	NonGlobal
	// Unparsable is a host or address the guard cannot read; it fails closed.
	Unparsable
	// OddSpelling is an IPv4 address written other than as four decimal numbers
	// (2130706433, 0177.0.0.1, 0x7f.0.0.1, 127.1): resolvers disagree on such forms.
	OddSpelling
	// NotHTTPS is a URL or redirect whose scheme is not https.
	NotHTTPS
	// TooManyRedirects is a redirect past MaxRedirects.
	TooManyRedirects
	numReasons
)

var reasonInfo = [numReasons]struct {
	name, noun, target string
}{
	Public:           {"public", "a public address", ""},
	Allowlisted:      {"allowlisted", "an allowed address", ""},
	ThisNetwork:      {"this-network", `a "this network" address`, `"this network" addresses`},
	Private:          {"private", "a private address", "private networks"},
	CGNAT:            {"cgnat", "a carrier-grade NAT address", "carrier-grade NAT networks"},
	Loopback:         {"loopback", "a loopback address", "loopback addresses"},
	LinkLocal:        {"link-local", "a link-local address", "link-local addresses"},
	Metadata:         {"metadata", "a cloud metadata address", "cloud metadata services"},
	IETF:             {"ietf", "an IETF protocol address", "IETF protocol addresses"},
	Documentation:    {"documentation", "a documentation address", "documentation ranges"},
	Benchmarking:     {"benchmarking", "a benchmarking address", "benchmarking networks"},
	Multicast:        {"multicast", "a multicast address", "multicast addresses"},
	Reserved:         {"reserved", "a reserved address", "reserved addresses"},
	Broadcast:        {"broadcast", "the broadcast address", "the broadcast address"},
	HostEndpoint:     {"host-endpoint", "a cloud provider's host endpoint", "cloud host endpoints"},
	Unspecified:      {"unspecified", "the unspecified address", "the unspecified address"},
	SiteLocal:        {"site-local", "a site-local address", "site-local addresses"},
	UniqueLocal:      {"unique-local", "a unique local (private) address", "private networks"},
	NAT64:            {"nat64", "a NAT64 address", "NAT64 addresses"},
	SixToFour:        {"6to4", "a 6to4 address", "6to4 addresses"},
	Teredo:           {"teredo", "a Teredo address", "Teredo addresses"},
	NonGlobal:        {"non-global", "not a global unicast address", "addresses outside the public internet"},
	Unparsable:       {"unparsable", "not a valid address", "invalid addresses"},
	OddSpelling:      {"odd-spelling", "an unusual spelling of an IPv4 address", "unusual IPv4 spellings"},
	NotHTTPS:         {"not-https", "not https", "non-https URLs"},
	TooManyRedirects: {"too-many-redirects", "one redirect too many", "more redirects"},
}

// String returns the reason's short name for logs, such as "private" or "loopback".
func (r Reason) String() string {
	if r >= numReasons {
		return fmt.Sprintf("reason(%d)", uint8(r))
	}
	return reasonInfo[r].name
}

// Allows reports whether the reason lets a request through.
func (r Reason) Allows() bool { return r == Public || r == Allowlisted }

// Decision is the guard's verdict on one address.
type Decision struct {
	// Addr is the address checked, as given (an IPv4-mapped address stays mapped).
	Addr netip.Addr
	// Embedded is the IPv4 address inside Addr when Addr is IPv4-mapped IPv6, NAT64 or
	// 6to4; the zero Addr otherwise. A mapped address is checked as its IPv4 address.
	Embedded netip.Addr
	// Range is the blocked or allowed range that matched; zero for Public.
	Range  netip.Prefix
	Reason Reason
}

// Allowed reports whether the address may be dialed.
func (d Decision) Allowed() bool { return d.Reason.Allows() }

// String renders the decision for logs: "deny 10.1.2.3 private 10.0.0.0/8",
// "deny ::ffff:7f00:1 (127.0.0.1) loopback 127.0.0.0/8", "allow 93.184.216.34 public".
func (d Decision) String() string {
	verdict := "deny"
	if d.Allowed() {
		verdict = "allow"
	}
	s := verdict + " " + addrString(d.Addr)
	if d.Embedded.IsValid() {
		s += " (" + d.Embedded.String() + ")"
	}
	s += " " + d.Reason.String()
	if d.Range.IsValid() {
		s += " " + d.Range.String()
	}
	return s
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "<invalid>"
	}
	return a.String()
}

type rangeRule struct {
	prefix netip.Prefix
	reason Reason
}

func rules(pairs ...any) []rangeRule {
	out := make([]rangeRule, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, rangeRule{netip.MustParsePrefix(pairs[i].(string)), pairs[i+1].(Reason)})
	}
	return out
}

// The blocklist. Single addresses come first so that a metadata address is reported as
// such, with the range of the blocklist it falls in (metadataRange).
var (
	v4Rules = rules(
		"168.63.129.16/32", HostEndpoint,
		"255.255.255.255/32", Broadcast,
		"0.0.0.0/8", ThisNetwork,
		"10.0.0.0/8", Private,
		"172.16.0.0/12", Private,
		"192.168.0.0/16", Private,
		"100.64.0.0/10", CGNAT,
		"127.0.0.0/8", Loopback,
		"169.254.0.0/16", LinkLocal,
		"192.0.0.0/24", IETF,
		"192.0.2.0/24", Documentation,
		"198.51.100.0/24", Documentation,
		"203.0.113.0/24", Documentation,
		"198.18.0.0/15", Benchmarking,
		"224.0.0.0/4", Multicast,
		"240.0.0.0/4", Reserved,
	)
	v6Rules = rules(
		"::/128", Unspecified,
		"::1/128", Loopback,
		"fe80::/10", LinkLocal,
		"fec0::/10", SiteLocal,
		"fc00::/7", UniqueLocal,
		"ff00::/8", Multicast,
		"2001:db8::/32", Documentation,
		"64:ff9b:1::/48", NAT64,
		"2002::/16", SixToFour,
		"2001::/32", Teredo,
	)
	metadataAddrs = map[netip.Addr]bool{
		netip.MustParseAddr("169.254.169.254"): true, // EC2, GCP, Azure instance metadata
		netip.MustParseAddr("169.254.170.2"):   true, // ECS task metadata
		netip.MustParseAddr("fd00:ec2::254"):   true, // EC2 instance metadata over IPv6
	}
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	globalUnicast  = netip.MustParsePrefix("2000::/3")
)

// Classify checks one address against the blocklist alone (no allowed CIDRs): the pure
// core of the guard. IPv4-mapped IPv6 is unmapped and checked as IPv4. A NAT64 address
// of the well-known prefix 64:ff9b::/96 is checked by the IPv4 address it embeds, so a
// DNS64 answer for a public host passes and 64:ff9b::a00:1 (10.0.0.1) does not; the
// local-use NAT64 prefix, 6to4 and Teredo are refused outright. An IPv6 address outside
// 2000::/3 that no rule names is refused as NonGlobal. Zones are ignored.
func Classify(addr netip.Addr) Decision {
	return classify(addr, nil)
}

func classify(addr netip.Addr, allow []netip.Prefix) Decision {
	if !addr.IsValid() {
		return Decision{Addr: addr, Reason: Unparsable}
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		d := classify4(addr.Unmap(), allow)
		d.Embedded, d.Addr = d.Addr, addr
		return d
	}
	if addr.Is4() {
		return classify4(addr, allow)
	}
	if p, ok := matchAllow(addr, allow); ok {
		return Decision{Addr: addr, Range: p, Reason: Allowlisted}
	}
	if nat64WellKnown.Contains(addr) {
		b := addr.As16()
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		d := classify4(v4, allow)
		d.Embedded, d.Addr = v4, addr
		if d.Reason == Public {
			d.Range = netip.Prefix{}
		}
		return d
	}
	for _, r := range v6Rules {
		if r.prefix.Contains(addr) {
			d := Decision{Addr: addr, Range: r.prefix, Reason: r.reason}
			if r.reason == UniqueLocal && metadataAddrs[addr] {
				d.Reason = Metadata
			}
			if r.reason == SixToFour {
				b := addr.As16()
				d.Embedded = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
			}
			return d
		}
	}
	if !globalUnicast.Contains(addr) {
		return Decision{Addr: addr, Range: globalUnicast, Reason: NonGlobal}
	}
	return Decision{Addr: addr, Reason: Public}
}

func classify4(addr netip.Addr, allow []netip.Prefix) Decision {
	if p, ok := matchAllow(addr, allow); ok {
		return Decision{Addr: addr, Range: p, Reason: Allowlisted}
	}
	for _, r := range v4Rules {
		if r.prefix.Contains(addr) {
			d := Decision{Addr: addr, Range: r.prefix, Reason: r.reason}
			if r.reason == LinkLocal && metadataAddrs[addr] {
				d.Reason = Metadata
			}
			return d
		}
	}
	return Decision{Addr: addr, Reason: Public}
}

func matchAllow(addr netip.Addr, allow []netip.Prefix) (netip.Prefix, bool) {
	for _, p := range allow {
		if p.Contains(addr) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}
