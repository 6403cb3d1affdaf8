package egress

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener records accepted connections, to prove a refused request never
// reached the local server.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

// fakeResolver answers from a table and counts lookups.
type fakeResolver struct {
	hosts map[string][]string
	calls atomic.Int64
}

func (r *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	r.calls.Add(1)
	list, ok := r.hosts[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range list {
		a := netip.MustParseAddr(s)
		if network == "ip4" && !a.Is4() || network == "ip6" && a.Is4() {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// testEnv is a local TLS server and a guarded client whose dials are recorded. The
// client really dials only the server's address; any other dial is recorded and fails.
type testEnv struct {
	srv      *httptest.Server
	ln       *countingListener
	hits     atomic.Int64
	client   *http.Client
	resolver *fakeResolver
	mu       sync.Mutex
	dialed   []string
	port     string
}

func newTestEnv(t *testing.T, allow []string, trustServer bool, mux *http.ServeMux) *testEnv {
	t.Helper()
	e := &testEnv{}
	if mux == nil {
		mux = http.NewServeMux()
	}
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	e.ln = &countingListener{Listener: e.srv.Listener}
	e.srv.Listener = e.ln
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	_, e.port, _ = net.SplitHostPort(e.srv.Listener.Addr().String())

	e.resolver = &fakeResolver{hosts: map[string][]string{
		"localhost":          {"127.0.0.1", "::1"},
		"intranet.example":   {"10.1.2.3"},
		"rebind.example":     {"127.0.0.1"},
		"metadata.example":   {"169.254.169.254"},
		"mapped.example":     {"::ffff:169.254.169.254"},
		"ula.example":        {"fd00:ec2::254"},
		"allprivate.example": {"192.168.0.10", "10.0.0.7", "::1"},
		"cgnat.example":      {"100.100.100.100"},
		"nat64.example":      {"64:ff9b::a9fe:a9fe"},
		"public.example":     {"93.184.216.34"},
		"app.example.com":    {"127.0.0.1"},
	}}
	cfg := Config{Resolver: e.resolver}
	for _, s := range allow {
		cfg.AllowCIDRs = append(cfg.AllowCIDRs, netip.MustParsePrefix(s))
	}
	if trustServer {
		cfg.ExtraCAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.srv.Certificate().Raw})
	}
	client, g, err := newClient(cfg)
	if err != nil {
		t.Fatalf("newClient: %v", err)
	}
	real := g.dial
	srvAddr := e.srv.Listener.Addr().String()
	g.dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		e.mu.Lock()
		e.dialed = append(e.dialed, address)
		e.mu.Unlock()
		if address == srvAddr {
			return real(ctx, network, address)
		}
		return nil, fmt.Errorf("test dialer: refusing to really dial %s", address)
	}
	e.client = client
	return e
}

func (e *testEnv) dials() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.dialed...)
}

func (e *testEnv) url(s string) string { return strings.ReplaceAll(s, "{port}", e.port) }

func TestClientRefuses(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		reason Reason
		lookup bool // whether a DNS lookup is expected
	}{
		{"loopback v4", "https://127.0.0.1:{port}/ok", Loopback, false},
		{"loopback v4 other", "https://127.1.2.3:{port}/ok", Loopback, false},
		{"loopback v4 trailing dot", "https://127.0.0.1.:{port}/ok", Loopback, false},
		{"loopback v6", "https://[::1]:{port}/ok", Loopback, false},
		{"localhost", "https://localhost:{port}/ok", Loopback, true},
		{"LOCALHOST upper", "https://LOCALHOST:{port}/ok", Loopback, true},
		{"private 10", "https://10.0.0.1/", Private, false},
		{"private 172.16", "https://172.16.5.4/", Private, false},
		{"private 172.31", "https://172.31.255.255/", Private, false},
		{"private 192.168", "https://192.168.1.1:8443/", Private, false},
		{"cgnat", "https://100.64.0.1/", CGNAT, false},
		{"cgnat high", "https://100.127.255.254/", CGNAT, false},
		{"link-local", "https://169.254.1.1/", LinkLocal, false},
		{"metadata v4", "https://169.254.169.254/latest/meta-data/", Metadata, false},
		{"container metadata", "https://169.254.170.2/v2/credentials", Metadata, false},
		{"metadata v6", "https://[fd00:ec2::254]/", Metadata, false},
		{"link-local v6", "https://[fe80::1]/", LinkLocal, false},
		{"link-local v6 zone", "https://[fe80::1%25eth0]/", LinkLocal, false},
		{"unique local v6", "https://[fc00::1]/", UniqueLocal, false},
		{"site-local v6", "https://[fec0::1]/", SiteLocal, false},
		{"mapped loopback dotted", "https://[::ffff:127.0.0.1]:{port}/ok", Loopback, false},
		{"mapped loopback hex", "https://[::ffff:7f00:1]:{port}/ok", Loopback, false},
		{"mapped private", "https://[::ffff:10.0.0.1]/", Private, false},
		{"mapped metadata", "https://[::ffff:169.254.169.254]/", Metadata, false},
		{"nat64 private", "https://[64:ff9b::a00:1]/", Private, false},
		{"nat64 loopback", "https://[64:ff9b::7f00:1]:{port}/ok", Loopback, false},
		{"nat64 local-use", "https://[64:ff9b:1::1]/", NAT64, false},
		{"6to4", "https://[2002:7f00:1::]/", SixToFour, false},
		{"teredo", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", Teredo, false},
		{"v4-compatible", "https://[::127.0.0.1]:{port}/ok", NonGlobal, false},
		{"this network", "https://0.0.0.0:{port}/ok", ThisNetwork, false},
		{"this network other", "https://0.1.2.3/", ThisNetwork, false},
		{"unspecified v6", "https://[::]:{port}/ok", Unspecified, false},
		{"decimal", "https://2130706433:{port}/ok", OddSpelling, false},
		{"octal", "https://0177.0.0.1:{port}/ok", OddSpelling, false},
		{"octal single", "https://017700000001:{port}/ok", OddSpelling, false},
		{"hex dotted", "https://0x7f.0.0.1:{port}/ok", OddSpelling, false},
		{"hex single", "https://0x7f000001:{port}/ok", OddSpelling, false},
		{"short form", "https://127.1:{port}/ok", OddSpelling, false},
		{"short metadata", "https://169.254.43518/", OddSpelling, false},
		{"leading zero", "https://010.0.0.1/", OddSpelling, false},
		{"odd public", "https://0x08.8.8.8/", OddSpelling, false},
		{"five parts", "https://1.2.3.4.5/", Unparsable, false},
		{"part too big", "https://256.1.1.1/", Unparsable, false},
		{"numeric tld", "https://example.123/", Unparsable, false},
		{"multicast", "https://224.0.0.1/", Multicast, false},
		{"multicast v6", "https://[ff02::1]/", Multicast, false},
		{"reserved", "https://240.0.0.1/", Reserved, false},
		{"broadcast", "https://255.255.255.255/", Broadcast, false},
		{"documentation 1", "https://192.0.2.1/", Documentation, false},
		{"documentation 2", "https://198.51.100.7/", Documentation, false},
		{"documentation 3", "https://203.0.113.9/", Documentation, false},
		{"documentation v6", "https://[2001:db8::1]/", Documentation, false},
		{"benchmarking", "https://198.18.0.1/", Benchmarking, false},
		{"ietf", "https://192.0.0.8/", IETF, false},
		{"host endpoint", "https://168.63.129.16/", HostEndpoint, false},
		{"name to private", "https://intranet.example/", Private, true},
		{"name to loopback", "https://rebind.example:{port}/ok", Loopback, true},
		{"name to metadata", "https://metadata.example/", Metadata, true},
		{"name to mapped metadata", "https://mapped.example/", Metadata, true},
		{"name to v6 metadata", "https://ula.example/", Metadata, true},
		{"name to many private", "https://allprivate.example/", Private, true},
		{"name to cgnat", "https://cgnat.example/", CGNAT, true},
		{"name to nat64 metadata", "https://nat64.example/", Metadata, true},
		{"http scheme", "http://public.example/", NotHTTPS, false},
		{"http loopback", "http://127.0.0.1:{port}/ok", NotHTTPS, false},
	}
	e := newTestEnv(t, nil, true, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.resolver.calls.Load()
			resp, err := e.client.Get(e.url(tt.url))
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s: got status %d, want a refusal", tt.url, resp.StatusCode)
			}
			var be *BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("GET %s: got error %v (%T), want a *BlockedError", tt.url, err, err)
			}
			if be.Reason != tt.reason {
				t.Errorf("GET %s: got reason %v (%v), want %v", tt.url, be.Reason, be, tt.reason)
			}
			if looked := e.resolver.calls.Load() - before; (looked > 0) != tt.lookup {
				t.Errorf("GET %s: got %d DNS lookups, want lookup=%v", tt.url, looked, tt.lookup)
			}
		})
	}
	if d := e.dials(); len(d) != 0 {
		t.Errorf("got dials %v, want none", d)
	}
	if n := e.ln.accepts.Load(); n != 0 {
		t.Errorf("got %d accepted connections on the local server, want 0", n)
	}
	if len(tests) < 40 {
		t.Errorf("got %d refused forms, want at least 40", len(tests))
	}
}

func TestClientRedirects(t *testing.T) {
	mux := http.NewServeMux()
	redirect := func(path, to string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			_, port, _ := net.SplitHostPort(r.Host)
			to := strings.NewReplacer("{host}", r.Host, "{port}", port).Replace(to)
			http.Redirect(w, r, to, http.StatusFound)
		})
	}
	redirect("/to-private", "https://10.0.0.1/")
	redirect("/to-metadata-name", "https://metadata.example/latest/meta-data/")
	redirect("/to-odd", "https://2130706433/")
	redirect("/to-http", "http://{host}/ok")
	redirect("/loop", "/loop")
	redirect("/chain/3", "/chain/2")
	redirect("/chain/2", "/chain/1")
	redirect("/chain/1", "/ok")
	redirect("/chain/4", "/chain/3")
	redirect("/to-name", "https://app.example.com:{port}/ok")
	tests := []struct {
		name     string
		path     string
		reason   Reason // Public: no refusal
		wantHits int64
	}{
		{"redirect to a private address", "/to-private", Private, 1},
		{"redirect to a name resolving to metadata", "/to-metadata-name", Metadata, 1},
		{"redirect to an odd spelling", "/to-odd", OddSpelling, 1},
		{"redirect to http", "/to-http", NotHTTPS, 1},
		{"redirect loop", "/loop", TooManyRedirects, 4},
		{"four redirects", "/chain/4", TooManyRedirects, 4},
		{"three redirects", "/chain/3", Public, 4},
		{"redirect to an allowed name", "/to-name", Public, 2},
	}
	e := newTestEnv(t, []string{"127.0.0.0/8"}, true, mux)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := e.hits.Load()
			u := "https://127.0.0.1:" + e.port + strings.ReplaceAll(tt.path, "{port}", e.port)
			resp, err := e.client.Get(u)
			if tt.reason == Public {
				if err != nil {
					t.Fatalf("GET %s: %v", u, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "ok" {
					t.Errorf("GET %s: got body %q, want %q", u, body, "ok")
				}
			} else {
				var be *BlockedError
				if !errors.As(err, &be) {
					t.Fatalf("GET %s: got error %v, want a *BlockedError", u, err)
				}
				if be.Reason != tt.reason || !be.Redirect {
					t.Errorf("GET %s: got reason %v redirect %v (%v), want %v on a redirect", u, be.Reason, be.Redirect, be, tt.reason)
				}
			}
			if got := e.hits.Load() - hits; got != tt.wantHits {
				t.Errorf("GET %s: got %d requests at the server, want %d", u, got, tt.wantHits)
			}
		})
	}
	srvAddr := e.srv.Listener.Addr().String()
	for _, d := range e.dials() {
		if d != srvAddr {
			t.Errorf("dialed %s, want only the local server %s", d, srvAddr)
		}
	}
}

func TestClientAllowed(t *testing.T) {
	tests := []struct {
		name    string
		allow   []string
		trust   bool
		host    string
		wantErr func(error) bool // nil: want 200 "ok"
	}{
		{"allowed CIDR and trusted CA", []string{"127.0.0.0/8"}, true, "127.0.0.1", nil},
		{"allowed CIDR through a name", []string{"127.0.0.0/8"}, true, "app.example.com", nil},
		{"allowed CIDR, untrusted certificate", []string{"127.0.0.0/8"}, false, "127.0.0.1", func(err error) bool {
			var cv *tls.CertificateVerificationError
			return errors.As(err, &cv)
		}},
		{"other CIDR allowed", []string{"10.0.0.0/8"}, true, "127.0.0.1", func(err error) bool {
			var be *BlockedError
			return errors.As(err, &be) && be.Reason == Loopback
		}},
		{"v6 loopback allowed only", []string{"::1/128"}, true, "127.0.0.1", func(err error) bool {
			var be *BlockedError
			return errors.As(err, &be) && be.Reason == Loopback
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, tt.allow, tt.trust, nil)
			u := "https://" + tt.host + ":" + e.port + "/ok"
			resp, err := e.client.Get(u)
			if tt.wantErr != nil {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET %s: got status %d, want an error", u, resp.StatusCode)
				}
				if !tt.wantErr(err) {
					t.Fatalf("GET %s: got error %v (%T), not the one wanted", u, err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "ok" {
				t.Errorf("GET %s: got body %q, want %q", u, body, "ok")
			}
		})
	}
}

func TestClientTLSMinimum(t *testing.T) {
	e := newTestEnv(t, []string{"127.0.0.0/8"}, true, nil)
	e.srv.TLS.MinVersion = tls.VersionTLS10
	e.srv.TLS.MaxVersion = tls.VersionTLS11
	e.client.Transport.(*transport).next.(*http.Transport).CloseIdleConnections()
	resp, err := e.client.Get("https://127.0.0.1:" + e.port + "/ok")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d from a TLS 1.1 server, want a handshake error", resp.StatusCode)
	}
	if !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("got error %v, want a protocol version error", err)
	}
}

func TestClientShape(t *testing.T) {
	c, err := NewClient(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.Transport.(*transport)
	if !ok {
		t.Fatalf("got transport %T, want the guarded transport", c.Transport)
	}
	ht := tr.next.(*http.Transport)
	if ht.Proxy != nil {
		t.Error("got a Proxy func, want none: a proxy would hide the destination from the dial check")
	}
	if got := ht.TLSClientConfig.MinVersion; got != tls.VersionTLS12 {
		t.Errorf("got TLS minimum %x, want TLS 1.2", got)
	}
	if c.CheckRedirect == nil || c.Timeout != 0 || tr.backstop != ClientTimeout {
		t.Errorf("got CheckRedirect %v, client timeout %v, backstop %v; want the guard's, none, %v",
			c.CheckRedirect != nil, c.Timeout, tr.backstop, ClientTimeout)
	}
}

func TestWireOf(t *testing.T) {
	guarded, err := NewClient(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		client *http.Client
		want   Wire
		ok     bool
	}{
		{"guarded client", guarded, Wire{Gzip: true}, true},
		{"default client", http.DefaultClient, Wire{}, false},
		{"plain transport", &http.Client{Transport: &http.Transport{}}, Wire{}, false},
		{"guarded transport with compression off",
			&http.Client{Transport: &transport{next: &http.Transport{DisableCompression: true, DisableKeepAlives: true}}},
			Wire{Close: true}, true},
		{"guarded transport through a proxy",
			&http.Client{Transport: &transport{next: &http.Transport{Proxy: http.ProxyFromEnvironment}}}, Wire{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := WireOf(tt.client)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestClientBackstop(t *testing.T) {
	mux := http.NewServeMux()
	release := make(chan struct{})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part")
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	e := newTestEnv(t, []string{"127.0.0.0/8"}, true, mux)
	defer close(release)
	e.client.Transport.(*transport).backstop = 50 * time.Millisecond
	tests := []struct {
		name string
		path string
	}{
		{"no answer", "/hang"},
		{"body never ends", "/slow-body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.client.Get("https://127.0.0.1:" + e.port + tt.path)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got error %v, want the backstop's deadline", err)
			}
		})
	}
	// A request with its own deadline is left to it; one that ends closes cleanly.
	resp, err := e.client.Get("https://127.0.0.1:" + e.port + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "ok" {
		t.Errorf("got %q, %v; want ok", body, err)
	}
}

func TestSystemResolverLocalhost(t *testing.T) {
	c, err := NewClient(Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get("https://localhost:1/")
	var be *BlockedError
	if !errors.As(err, &be) || be.Reason != Loopback {
		t.Fatalf("GET https://localhost:1/: got %v, want a loopback refusal", err)
	}
}

func TestDialHookRefuses(t *testing.T) {
	g := NewGuard(Config{})
	tests := []struct {
		address string
		reason  Reason
	}{
		{"127.0.0.1:443", Loopback},
		{"[::ffff:169.254.169.254]:80", Metadata},
		{"[fe80::1%eth0]:443", LinkLocal},
		{"not-an-address", Unparsable},
	}
	for _, tt := range tests {
		err := g.control("tcp", tt.address, nil)
		var be *BlockedError
		if !errors.As(err, &be) || be.Reason != tt.reason {
			t.Errorf("control(%q) = %v, want reason %v", tt.address, err, tt.reason)
		}
	}
	if err := g.control("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v, want nil", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		caFile  string
		wantErr string
	}{
		{"unset", nil, nil, "", ""},
		{"one", map[string]string{EnvAllowCIDRs: "127.0.0.0/8"}, []string{"127.0.0.0/8"}, "", ""},
		{"several with spaces", map[string]string{EnvAllowCIDRs: " 127.0.0.0/8 , ::1/128,,"}, []string{"127.0.0.0/8", "::1/128"}, "", ""},
		{"masked", map[string]string{EnvAllowCIDRs: "127.0.0.1/8"}, []string{"127.0.0.0/8"}, "", ""},
		{"ca file", map[string]string{EnvExtraCAFile: "/tmp/ca.pem"}, nil, "/tmp/ca.pem", ""},
		{"bad", map[string]string{EnvAllowCIDRs: "127.0.0.1"}, nil, "", `read FLOWHOOK_EGRESS_ALLOW_CIDRS: "127.0.0.1" is not a CIDR`},
		{"everything", map[string]string{EnvAllowCIDRs: "0.0.0.0/0"}, nil, "", "read FLOWHOOK_EGRESS_ALLOW_CIDRS: the allowed range 0.0.0.0/0 is too broad; allow at most a /8"},
		{"too broad v4", map[string]string{EnvAllowCIDRs: "127.0.0.0/8,10.0.0.0/7"}, nil, "", "read FLOWHOOK_EGRESS_ALLOW_CIDRS: the allowed range 10.0.0.0/7 is too broad"},
		{"too broad v6", map[string]string{EnvAllowCIDRs: "fc00::/7"}, nil, "", "read FLOWHOOK_EGRESS_ALLOW_CIDRS: the allowed range fc00::/7 is too broad; allow at most a /32"},
		{"narrow v6", map[string]string{EnvAllowCIDRs: "fd00:1234::/32"}, []string{"fd00:1234::/32"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range cfg.AllowCIDRs {
				got = append(got, p.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || cfg.ExtraCAFile != tt.caFile {
				t.Errorf("got %v %q, want %v %q", got, cfg.ExtraCAFile, tt.want, tt.caFile)
			}
		})
	}
}

func TestNewClientRefusesBroadAllowance(t *testing.T) {
	_, err := NewClient(Config{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("::/0")}})
	if err == nil || !strings.Contains(err.Error(), "too broad") {
		t.Errorf("got %v, want a too-broad refusal", err)
	}
}

func TestExtraCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate"), 0o600)
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{"good", good, ""},
		{"missing", filepath.Join(dir, "nope.pem"), "read extra CA file: open"},
		{"no certificates", empty, "read extra CA file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(Config{ExtraCAFile: tt.file, AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatalf("GET %s: %v", srv.URL, err)
			}
			resp.Body.Close()
		})
	}
}
