package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

func TestClassifyError(t *testing.T) {
	live := context.Background()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://h.example/x", Err: err} }
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	read := func(err error) error { return &net.OpError{Op: "read", Net: "tcp", Err: err} }
	tests := []struct {
		name     string
		err      error
		ctx      context.Context
		reading  bool
		class    webhook.ErrorClass
		notFound bool
		detail   string
	}{
		{"blocked", wrap(&egress.BlockedError{Host: "i.example", Reason: egress.Private}), live, false, webhook.ClassBlocked, false, ""},
		{"blocked beats an expired attempt", wrap(&egress.BlockedError{Reason: egress.NotHTTPS, URL: "http://x"}), expired, false, webhook.ClassBlocked, false, ""},
		{"attempt timeout", wrap(context.DeadlineExceeded), expired, false, webhook.ClassTimeout, false, "h.example:443 did not answer within 5s"},
		{"slow body", context.DeadlineExceeded, expired, true, webhook.ClassTimeout, false, "the response body from h.example:443 did not arrive completely within 5s"},
		{"dns error after the attempt expired", wrap(&net.DNSError{Name: "h.example", IsTimeout: true}), expired, false, webhook.ClassTimeout, false, ""},
		{"cancelled", wrap(context.Canceled), cancelled, false, webhook.ClassTimeout, false, "the request was cancelled before a complete response arrived"},
		{"dns not found", wrap(dial(&net.DNSError{Err: "no such host", Name: "nope.example", IsNotFound: true})), live, false, webhook.ClassDNS, true,
			`the host name "nope.example" does not exist (DNS lookup failed); check the webhook URL`},
		{"dns temporary", wrap(fmt.Errorf("resolve: %w", &net.DNSError{Err: "server misbehaving", Name: "h.example", IsTemporary: true})), live, false, webhook.ClassDNS, false,
			`the DNS lookup of "h.example" failed: server misbehaving`},
		{"connect refused", wrap(dial(os.NewSyscallError("connect", syscall.ECONNREFUSED))), live, false, webhook.ClassConnect, false, "h.example:443 refused the connection"},
		{"connect timeout", wrap(dial(timeoutErr{})), live, false, webhook.ClassConnect, false, "could not connect to h.example:443 within 3s"},
		{"connect other", wrap(dial(os.NewSyscallError("connect", syscall.ENETUNREACH))), live, false, webhook.ClassConnect, false, "could not connect to h.example:443: network is unreachable"},
		{"reset", wrap(read(os.NewSyscallError("read", syscall.ECONNRESET))), live, false, webhook.ClassConnect, false, "the connection to h.example:443 was closed before a response arrived"},
		{"reset while reading", read(os.NewSyscallError("read", syscall.ECONNRESET)), live, true, webhook.ClassConnect, false, "the connection to h.example:443 broke while reading the response"},
		{"eof", wrap(io.EOF), live, false, webhook.ClassConnect, false, ""},
		{"unexpected eof while reading", io.ErrUnexpectedEOF, live, true, webhook.ClassConnect, false, ""},
		{"read timeout", wrap(read(timeoutErr{})), live, false, webhook.ClassTimeout, false, ""},
		{"tls handshake timeout", wrap(timeoutErr{}), live, false, webhook.ClassTimeout, false, ""},
		{"tls unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), live, false, webhook.ClassTLS, false,
			"the TLS handshake with h.example:443 failed: x509: certificate signed by unknown authority"},
		{"tls hostname", wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h.example"}), live, false, webhook.ClassTLS, false, ""},
		{"tls alert", wrap(&net.OpError{Op: "remote error", Err: tls.AlertError(40)}), live, false, webhook.ClassTLS, false, ""},
		{"tls record header", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), live, false, webhook.ClassTLS, false, ""},
		{"tls plain", wrap(errors.New("tls: server selected unsupported protocol version 302")), live, false, webhook.ClassTLS, false, ""},
		{"unknown", wrap(errors.New("something odd")), live, false, webhook.ClassConnect, false, "the connection to h.example:443 failed: something odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := classifyError(tt.err, tt.ctx, 5*time.Second, "h.example:443", tt.reading)
			if f.class != tt.class || f.notFound != tt.notFound {
				t.Errorf("got class %q notFound %v (%s), want %q notFound %v", f.class, f.notFound, f.detail, tt.class, tt.notFound)
			}
			if tt.detail != "" && f.detail != tt.detail {
				t.Errorf("got detail %q, want %q", f.detail, tt.detail)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassifyStatus(t *testing.T) {
	tests := []struct {
		status int
		ok     bool
		class  webhook.ErrorClass
		detail string
	}{
		{200, true, "", ""},
		{201, true, "", ""},
		{204, true, "", ""},
		{299, true, "", ""},
		{300, false, webhook.ClassHTTP4xx, "the endpoint answered 300 Multiple Choices, a redirect that cannot be followed; use the final address as the webhook URL"},
		{302, false, webhook.ClassHTTP4xx, "the endpoint answered 302 Found, a redirect that cannot be followed; use the final address as the webhook URL"},
		{304, false, webhook.ClassHTTP4xx, ""},
		{400, false, webhook.ClassHTTP4xx, "the endpoint answered 400 Bad Request"},
		{404, false, webhook.ClassHTTP4xx, "the endpoint answered 404 Not Found"},
		{429, false, webhook.ClassHTTP4xx, "the endpoint answered 429 Too Many Requests"},
		{499, false, webhook.ClassHTTP4xx, "the endpoint answered 499"},
		{500, false, webhook.ClassHTTP5xx, "the endpoint answered 500 Internal Server Error"},
		{501, false, webhook.ClassHTTP5xx, "the endpoint answered 501 Not Implemented"},
		{599, false, webhook.ClassHTTP5xx, "the endpoint answered 599"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			f, ok := classifyStatus(tt.status)
			if ok != tt.ok || f.class != tt.class {
				t.Errorf("classifyStatus(%d) = %q, %v; want %q, %v", tt.status, f.class, ok, tt.class, tt.ok)
			}
			if tt.detail != "" && f.detail != tt.detail {
				t.Errorf("classifyStatus(%d) detail = %q, want %q", tt.status, f.detail, tt.detail)
			}
		})
	}
}
