package cftest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// CA is a certificate authority made for one test: a stand-in for an
// interception appliance's root, or for a real CA whose leaf certificate
// has dates the test chooses.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA makes a self-signed CA with the given subject (its issuer name is
// what tls-intercepted reports).
func NewCA(tb testing.TB, subject pkix.Name) *CA {
	tb.Helper()
	ca, err := MakeCA(subject)
	if err != nil {
		tb.Fatal(err)
	}
	return ca
}

// MakeCA is NewCA for a program that is not a test (a test's helper
// process serving peers inside a network namespace).
func MakeCA(subject pkix.Name) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating a CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               subject,
		NotBefore:             time.Now().Add(-10 * 365 * 24 * time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating a CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the CA certificate: %w", err)
	}
	return &CA{Cert: cert, key: key}, nil
}

// Pool returns roots that trust this CA.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// Leaf issues a certificate for the loopback addresses and localhost,
// valid from notBefore to notAfter.
func (ca *CA) Leaf(tb testing.TB, notBefore, notAfter time.Time) tls.Certificate {
	tb.Helper()
	cert, err := ca.Issue([]string{"localhost", "chatgpt.com"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, notBefore, notAfter)
	if err != nil {
		tb.Fatal(err)
	}
	return cert
}

// Issue makes a server certificate for these names and addresses.
func (ca *CA) Issue(names []string, ips []net.IP, notBefore, notAfter time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating a leaf key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		IPAddresses:  ips,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("creating a leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key}, nil
}

// NewServerWithCert starts a loopback HTTPS server presenting cert,
// closed when the test ends.
func NewServerWithCert(tb testing.TB, h http.Handler, cert tls.Certificate) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	quiet(srv)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv
}
