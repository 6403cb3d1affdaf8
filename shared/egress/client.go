package egress

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits of every outbound request.
const (
	// MaxRedirects is how many redirects a request follows; the next one is refused.
	MaxRedirects = 3
	// DialTimeout bounds DNS resolution and TCP connect together, per connection.
	DialTimeout = 3 * time.Second
	// ClientTimeout bounds a request whose context has no deadline, from the first
	// dial to closing the body; callers should set their own (delivery always does).
	ClientTimeout = 35 * time.Second
)

// Environment variables read by ConfigFromEnv. Only deployment wiring sets them; no
// webhook definition or API request can.
const (
	// EnvAllowCIDRs lists the allowed CIDRs, comma-separated.
	EnvAllowCIDRs = "FLOWHOOK_EGRESS_ALLOW_CIDRS"
	// EnvExtraCAFile names a PEM file of extra trusted CAs.
	EnvExtraCAFile = "FLOWHOOK_EXTRA_CA_FILE"
)

// Resolver looks up the addresses of a host. *net.Resolver implements it; tests pass a
// fake to make a name resolve to any address without DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config holds the guard's settings. The zero Config is production: blocklist fully in
// force, system roots, the system resolver.
type Config struct {
	// AllowCIDRs are ranges the guard lets through although the blocklist names them,
	// for reaching a local TLS test server (127.0.0.0/8) in tests and the local runner.
	// Each overrides the blocklist only for the addresses inside it. None may be
	// broader than a /8 (IPv4) or a /32 (IPv6).
	AllowCIDRs []netip.Prefix
	// ExtraCAFile names a PEM file whose certificates are trusted besides the system roots.
	ExtraCAFile string
	// ExtraCAPEM holds more PEM certificates to trust besides the system roots.
	ExtraCAPEM []byte
	// Resolver replaces the system resolver; nil means net.DefaultResolver.
	Resolver Resolver
}

// ConfigFromEnv reads EnvAllowCIDRs (comma-separated CIDRs such as "127.0.0.0/8,::1/128")
// and EnvExtraCAFile through getenv (os.Getenv in production).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	for _, s := range strings.Split(getenv(EnvAllowCIDRs), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return Config{}, fmt.Errorf("read %s: %q is not a CIDR such as 127.0.0.0/8: %w", EnvAllowCIDRs, s, err)
		}
		cfg.AllowCIDRs = append(cfg.AllowCIDRs, p.Masked())
	}
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("read %s: %w", EnvAllowCIDRs, err)
	}
	cfg.ExtraCAFile = strings.TrimSpace(getenv(EnvExtraCAFile))
	return cfg, nil
}

// Narrowest allowances: a broader one would switch the guard off for whole swaths of
// address space (0.0.0.0/0 for all of it), which no test server needs.
const (
	minAllowBitsV4 = 8
	minAllowBitsV6 = 32
)

func (c Config) validate() error {
	for _, p := range c.AllowCIDRs {
		if !p.IsValid() {
			return errors.New("an allowed CIDR is not valid")
		}
		least := minAllowBitsV4
		if !p.Addr().Is4() {
			least = minAllowBitsV6
		}
		if p.Bits() < least {
			return fmt.Errorf("the allowed range %s is too broad; allow at most a /%d, such as 127.0.0.0/8", p, least)
		}
	}
	return nil
}

// Guard checks destinations against the blocklist and dials only the ones it allows.
// It is safe for concurrent use.
type Guard struct {
	allow    []netip.Prefix
	resolver Resolver
	// dial connects to one checked address; tests replace it to count dials.
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

// NewGuard returns a guard for cfg's allowed CIDRs and resolver.
func NewGuard(cfg Config) *Guard {
	g := &Guard{allow: append([]netip.Prefix(nil), cfg.AllowCIDRs...), resolver: cfg.Resolver}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	d := &net.Dialer{Control: g.control, KeepAlive: 30 * time.Second}
	g.dial = d.DialContext
	return g
}

// Check decides on one address: allowed CIDRs first, then the blocklist (see Classify).
func (g *Guard) Check(addr netip.Addr) Decision {
	return classify(addr, g.allow)
}

// CheckURL refuses, without any DNS lookup, a URL that is not https, has no readable
// host, spells an IPv4 address oddly, or names a refused address literally. Host
// names pass: their addresses are checked when dialed.
func (g *Guard) CheckURL(u *url.URL) error {
	if !strings.EqualFold(u.Scheme, "https") {
		return &BlockedError{Host: u.Hostname(), Reason: NotHTTPS, URL: u.String()}
	}
	return g.checkHost(u.Hostname())
}

func (g *Guard) checkHost(host string) error {
	kind, addr := ParseHost(host)
	switch kind {
	case HostInvalid:
		return &BlockedError{Host: host, Reason: Unparsable}
	case HostOddIPv4:
		return &BlockedError{Host: host, Addr: addr, Reason: OddSpelling}
	case HostAddr:
		if d := g.Check(addr); !d.Allowed() {
			return newAddrError(host, d)
		}
	}
	return nil
}

// DialContext resolves address's host, drops every resolved address the guard refuses,
// and connects to the first allowed one that answers, all within DialTimeout. When no
// address is allowed it returns a *BlockedError for the first refused one.
//
// The check runs here, on the resolved address, for every connection, rather than
// once when a webhook is saved: a name that resolved to a public address at save time
// can resolve to 10.0.0.5 or 169.254.169.254 on the next request (DNS rebinding, a
// changed record, a redirect to another host), and only the address actually dialed
// says where the request goes. The net.Dialer's Control hook checks the socket address
// once more just before connect, so no code path can reach an unchecked address.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &BlockedError{Host: address, Reason: Unparsable}
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, &BlockedError{Host: host, Reason: Unparsable}
	}
	ctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()

	var addrs []netip.Addr
	switch kind, addr := ParseHost(host); kind {
	case HostAddr:
		addrs = []netip.Addr{addr}
	case HostName:
		lookup := "ip"
		switch network {
		case "tcp4":
			lookup = "ip4"
		case "tcp6":
			lookup = "ip6"
		}
		addrs, err = g.resolver.LookupNetIP(ctx, lookup, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %q: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	default:
		return nil, g.checkHost(host)
	}

	var allowed []netip.Addr
	var refused *Decision
	for _, a := range addrs {
		d := g.Check(a)
		if d.Allowed() {
			allowed = append(allowed, a.Unmap().WithZone(a.Zone()))
		} else if refused == nil {
			refused = &d
		}
	}
	if len(allowed) == 0 {
		return nil, newAddrError(host, *refused)
	}
	var lastErr error
	for i, a := range allowed {
		dctx := ctx
		if left := len(allowed) - i; left > 1 {
			// Leave time for the other addresses, as net.Dialer does.
			if dl, ok := ctx.Deadline(); ok {
				var c context.CancelFunc
				dctx, c = context.WithDeadline(ctx, time.Now().Add(time.Until(dl)/time.Duration(left)))
				defer c()
			}
		}
		conn, err := g.dial(dctx, network, netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// control is the net.Dialer Control hook: the last check, on the socket address.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Reason: Unparsable}
	}
	if d := g.Check(ap.Addr()); !d.Allowed() {
		return newAddrError("", d)
	}
	return nil
}

// CheckRedirect is an http.Client CheckRedirect: at most MaxRedirects hops, each https.
// Each hop is dialed through the same guard by the transport.
func (g *Guard) CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return &BlockedError{Host: req.URL.Hostname(), Reason: TooManyRedirects, URL: req.URL.String(), Redirect: true}
	}
	if err := g.CheckURL(req.URL); err != nil {
		var be *BlockedError
		if errors.As(err, &be) {
			be.Redirect = true
		}
		return err
	}
	return nil
}

// NewClient returns the only HTTP client Flowhook sends webhooks with: https only, every
// connection dialed through the guard (DNS and connect within DialTimeout), no proxy
// (a proxy would make the dial check see the proxy's address instead of the
// destination's), TLS 1.2 or later against the system roots plus cfg's extra CAs, at
// most MaxRedirects redirects, each https and each dialed through the guard. Bound each
// request with its context; a request without a deadline gets ClientTimeout.
func NewClient(cfg Config) (*http.Client, error) {
	c, _, err := newClient(cfg)
	return c, err
}

func newClient(cfg Config) (*http.Client, *Guard, error) {
	if err := cfg.validate(); err != nil {
		return nil, nil, fmt.Errorf("egress config: %w", err)
	}
	roots, err := rootPool(cfg)
	if err != nil {
		return nil, nil, err
	}
	g := NewGuard(cfg)
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            g.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    10 * time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	// No http.Client.Timeout: with a RoundTripper other than *http.Transport the client
	// enforces it with a timer and a goroutine per request; transport applies
	// ClientTimeout itself, and only to requests without a deadline.
	return &http.Client{
		Transport:     &transport{guard: g, next: tr, backstop: ClientTimeout},
		CheckRedirect: g.CheckRedirect,
	}, g, nil
}

// Wire says what a client's transport adds on its own to a request's header fields
// on an HTTP/1.1 connection, beside Host, User-Agent and Content-Length, which follow
// from the request.
type Wire struct {
	// Gzip: the transport asks for a gzip response, adding Accept-Encoding: gzip to a
	// request without an Accept-Encoding or Range header that is not HEAD, and
	// decodes the response.
	Gzip bool
	// Close: the transport does not keep connections alive and adds
	// Connection: close.
	Close bool
}

// WireOf returns the Wire of a client made by NewClient; ok is false for any other
// client. Such a client never uses a proxy, so nothing else changes the header
// fields a request is written with on HTTP/1.1.
func WireOf(c *http.Client) (w Wire, ok bool) {
	t, ok := c.Transport.(*transport)
	if !ok {
		return Wire{}, false
	}
	ht, ok := t.next.(*http.Transport)
	if !ok || ht.Proxy != nil {
		return Wire{}, false
	}
	return Wire{Gzip: !ht.DisableCompression, Close: ht.DisableKeepAlives}, true
}

func rootPool(cfg Config) (*x509.CertPool, error) {
	if cfg.ExtraCAFile == "" && len(cfg.ExtraCAPEM) == 0 {
		return nil, nil // nil RootCAs: crypto/tls uses the system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if cfg.ExtraCAFile != "" {
		pem, err := os.ReadFile(cfg.ExtraCAFile)
		if err != nil {
			return nil, fmt.Errorf("read extra CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read extra CA file %q: no PEM certificates in it", cfg.ExtraCAFile)
		}
	}
	if len(cfg.ExtraCAPEM) > 0 && !pool.AppendCertsFromPEM(cfg.ExtraCAPEM) {
		return nil, errors.New("read extra CA PEM: no PEM certificates in it")
	}
	return pool, nil
}

// transport checks each request's URL (the first and every redirect hop) before the
// guarded http.Transport sends it, and bounds requests that have no deadline.
type transport struct {
	guard    *Guard
	next     http.RoundTripper
	backstop time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.guard.CheckURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, markRedirect(req, err)
	}
	if _, ok := req.Context().Deadline(); ok {
		resp, err := t.next.RoundTrip(req)
		if err != nil {
			return nil, markRedirect(req, err)
		}
		return resp, nil
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.backstop)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, markRedirect(req, err)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, ctx: ctx, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a backstop context when the response body is closed, and reports
// the backstop's deadline on a body it cut short.
type cancelOnClose struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
}

// Read passes reads through. When the context has ended, the transport may still end
// the body with a clean io.EOF (it reads what the server sends on seeing the client
// go); the body is then incomplete, so the context's error is returned instead.
func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.ctx.Err() != nil {
		err = b.ctx.Err()
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// markRedirect flags a refusal on a redirect hop (req.Response is set on those).
func markRedirect(req *http.Request, err error) error {
	var be *BlockedError
	if req.Response == nil || !errors.As(err, &be) || be.Redirect {
		return err
	}
	cp := *be
	cp.Redirect = true
	return &cp
}
