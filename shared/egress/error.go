package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// BlockedError is a request the guard refused. Its message is written for the person
// who configured the webhook: it names the host, the address and the range, and says
// what is not allowed. Callers find it with errors.As and record the class "blocked".
type BlockedError struct {
	// Host is the URL host as written (a name or an address); empty when the refusal
	// came from the dial hook, which sees only the address.
	Host string
	// Addr is the refused address; zero when the refusal is not about an address
	// (NotHTTPS, TooManyRedirects, a host that cannot be read).
	Addr netip.Addr
	// Embedded is the IPv4 address inside an IPv4-mapped, NAT64 or 6to4 Addr.
	Embedded netip.Addr
	// Range is the blocklist range Addr falls in.
	Range  netip.Prefix
	Reason Reason
	// URL is the refused URL, for NotHTTPS and TooManyRedirects.
	URL string
	// Redirect marks a refusal of a redirect hop rather than of the webhook URL itself.
	Redirect bool
	// Cause is the parse error of an unreadable URL, if any.
	Cause error
}

func newAddrError(host string, d Decision) *BlockedError {
	return &BlockedError{Host: host, Addr: d.Addr, Embedded: d.Embedded, Range: d.Range, Reason: d.Reason}
}

func (e *BlockedError) Error() string {
	var b strings.Builder
	subject := "webhook URL"
	if e.Redirect {
		subject = "webhook redirect"
	}
	switch e.Reason {
	case NotHTTPS:
		if e.Redirect {
			fmt.Fprintf(&b, "the endpoint redirected to %q, which is not https; redirects must stay on https", e.URL)
		} else {
			fmt.Fprintf(&b, "webhook URL %q does not use https; only https endpoints are allowed", e.URL)
		}
		return b.String()
	case TooManyRedirects:
		fmt.Fprintf(&b, "the endpoint redirected more than %d times (the last time to %q); webhooks follow at most %d redirects", MaxRedirects, e.URL, MaxRedirects)
		return b.String()
	case Unparsable:
		switch {
		case e.Cause != nil:
			fmt.Fprintf(&b, "%s %q cannot be read (%v); use a valid https URL", subject, e.URL, e.Cause)
		case e.Host == "":
			fmt.Fprintf(&b, "%s has no host; use a valid https URL", subject)
		default:
			fmt.Fprintf(&b, "%s host %q is not a valid host name or IP address", subject, e.Host)
		}
		return b.String()
	case OddSpelling:
		fmt.Fprintf(&b, "%s host %q is an unusual spelling of the IPv4 address %s", subject, e.Host, addrString(e.Addr))
		if d := classify(e.Addr, nil); !d.Allowed() {
			fmt.Fprintf(&b, ", %s (%s)", reasonInfo[d.Reason].noun, d.Range)
		}
		b.WriteString("; write IP addresses as four decimal numbers, such as 192.0.2.10, or use a host name")
		return b.String()
	}
	literal := e.Host == "" || isLiteral(e.Host, e.Addr)
	switch {
	case e.Host == "":
		fmt.Fprintf(&b, "%s address %s", subject, addrString(e.Addr))
	case literal:
		fmt.Fprintf(&b, "%s host %q", subject, e.Host)
	default:
		fmt.Fprintf(&b, "%s host %q resolves to %s", subject, e.Host, addrString(e.Addr))
	}
	if e.Embedded.IsValid() {
		switch {
		case e.Addr.Is4In6():
			fmt.Fprintf(&b, " (IPv4 %s)", e.Embedded)
		case e.Reason == SixToFour:
			fmt.Fprintf(&b, " (6to4 for %s)", e.Embedded)
		default:
			fmt.Fprintf(&b, " (NAT64 for %s)", e.Embedded)
		}
	}
	if literal {
		b.WriteString(" is")
	} else {
		b.WriteString(",")
	}
	info := reasonInfo[Unparsable]
	if e.Reason < numReasons {
		info = reasonInfo[e.Reason]
	}
	fmt.Fprintf(&b, " %s", info.noun)
	if e.Range.IsValid() {
		fmt.Fprintf(&b, " (%s)", e.Range)
	}
	fmt.Fprintf(&b, "; requests to %s are not allowed", info.target)
	return b.String()
}

// isLiteral reports whether host is the address itself rather than a name.
func isLiteral(host string, addr netip.Addr) bool {
	kind, a := ParseHost(host)
	return kind == HostAddr && a.WithZone("") == addr.WithZone("")
}
