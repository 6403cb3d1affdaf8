// Command testserver is a local HTTPS endpoint for trying webhooks by hand: it answers
// every request with a JSON promo code, checks a bearer token when given one, and logs
// what arrived. It makes its own certificate and writes the CA to a file, which the
// local runner trusts through FLOWHOOK_EXTRA_CA_FILE.
//
//	go run ./infra/testserver -addr 127.0.0.1:8443 -token s3cr3t -ca .flowhook/testserver-ca.pem
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	token := flag.String("token", "", "bearer token to require (empty: no check)")
	caFile := flag.String("ca", ".flowhook/testserver-ca.pem", "where to write the certificate to trust")
	flag.Parse()

	cert, pemBytes, err := selfSigned()
	if err != nil {
		log.Fatalf("testserver: certificate: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(*caFile), 0o700); err != nil {
		log.Fatalf("testserver: %v", err)
	}
	if err := os.WriteFile(*caFile, pemBytes, 0o600); err != nil {
		log.Fatalf("testserver: write CA: %v", err)
	}
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		i := n.Add(1)
		log.Printf("#%d %s %s idempotency-key=%q body=%s", i, r.Method, r.URL.RequestURI(), r.Header.Get("Idempotency-Key"), body)
		if *token != "" && r.Header.Get("Authorization") != "Bearer "+*token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"bad or missing bearer token"}`+"\n")
			return
		}
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		city, _ := in["city"].(string)
		tier := "standard"
		if strings.EqualFold(city, "Kyiv") {
			tier = "vip"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"promocode": fmt.Sprintf("SPRING-%04d", i), "tier": tier, "city": city})
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	fmt.Printf("testserver: https://%s (trust %s; token %q)\n", *addr, *caFile, *token)
	log.Fatal(srv.ListenAndServeTLS("", ""))
}

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost that is its own CA.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "flowhook testserver"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}
