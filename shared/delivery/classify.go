package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

// failure is a classified attempt failure: the class, the sentence a user reads, and
// whether DNS said the name does not exist.
type failure struct {
	class    webhook.ErrorClass
	detail   string
	notFound bool
}

// classifyError classifies an error from sending a request or reading its response.
// actx is the attempt's context and budget its timeout; host is host[:port] for the
// sentence. The order matters: a refusal is "blocked" whatever wraps it; once the
// attempt's time is up any error is "timeout"; DNS before connect, because a failed
// lookup is wrapped in a dial error; TLS before the generic network errors.
func classifyError(err error, actx context.Context, budget time.Duration, host string, reading bool) failure {
	var be *egress.BlockedError
	if errors.As(err, &be) {
		return failure{class: webhook.ClassBlocked, detail: be.Error()}
	}
	if actx.Err() != nil {
		if errors.Is(actx.Err(), context.Canceled) {
			return failure{class: webhook.ClassTimeout, detail: "the request was cancelled before a complete response arrived"}
		}
		if reading {
			return failure{class: webhook.ClassTimeout, detail: fmt.Sprintf("the response body from %s did not arrive completely within %s", host, budget)}
		}
		return failure{class: webhook.ClassTimeout, detail: fmt.Sprintf("%s did not answer within %s", host, budget)}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return failure{class: webhook.ClassDNS, notFound: true,
				detail: fmt.Sprintf("the host name %q does not exist (DNS lookup failed); check the webhook URL", dnsErr.Name)}
		}
		return failure{class: webhook.ClassDNS, detail: fmt.Sprintf("the DNS lookup of %q failed: %s", dnsErr.Name, dnsErr.Err)}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		switch {
		case op.Timeout():
			return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("could not connect to %s within %s", host, egress.DialTimeout)}
		case errors.Is(err, syscall.ECONNREFUSED):
			return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("%s refused the connection", host)}
		}
		return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("could not connect to %s: %s", host, rootMessage(err))}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return failure{class: webhook.ClassTimeout, detail: fmt.Sprintf("%s did not answer in time: %s", host, rootMessage(err))}
	}
	if isTLS(err) {
		return failure{class: webhook.ClassTLS, detail: fmt.Sprintf("the TLS handshake with %s failed: %s", host, rootMessage(err))}
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		if reading {
			return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("the connection to %s broke while reading the response", host)}
		}
		return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("the connection to %s was closed before a response arrived", host)}
	}
	return failure{class: webhook.ClassConnect, detail: fmt.Sprintf("the connection to %s failed: %s", host, rootMessage(err))}
}

// isTLS reports whether err comes from the TLS handshake or certificate checks. Some
// handshake failures are plain errors whose text starts "tls: "; they are matched by
// that prefix, the only mark crypto/tls gives them.
func isTLS(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		al  tls.AlertError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		ech *tls.ECHRejectionError
	)
	if errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &al) || errors.As(err, &ua) ||
		errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &ech) {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), "tls: ") {
			return true
		}
	}
	return false
}

// rootMessage is the innermost error's text: "connection reset by peer" rather than
// `Get "https://…": read tcp 10.0.0.1:5123->…: connection reset by peer`.
func rootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// classifyStatus classifies a response by its status. A 3xx reaches here only when the
// client did not follow it (no usable Location, 304, 300): the endpoint did not give an
// answer, the request needs fixing, so it is http_4xx, final.
func classifyStatus(status int) (failure, bool) {
	if status >= 200 && status < 300 {
		return failure{}, true
	}
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	switch {
	case status >= 300 && status < 400:
		return failure{class: webhook.ClassHTTP4xx,
			detail: fmt.Sprintf("the endpoint answered %s, a redirect that cannot be followed; use the final address as the webhook URL", strings.TrimSpace(text))}, false
	case status >= 500:
		return failure{class: webhook.ClassHTTP5xx, detail: "the endpoint answered " + strings.TrimSpace(text)}, false
	default:
		return failure{class: webhook.ClassHTTP4xx, detail: "the endpoint answered " + strings.TrimSpace(text)}, false
	}
}
