package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "luoshi test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with a certificate and key, serve speaks HTTPS only and
// marks its cookies Secure.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(t.TempDir(), "t.db"), "--addr", "127.0.0.1:0",
			"--tls-cert", certFile, "--tls-key", keyFile}, noEnv, nil, &out, &errb)
	}()
	started := regexp.MustCompile(`已启动: (https://[0-9.:]+)/`)
	deadline := time.Now().Add(30 * time.Second)
	for !started.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no start: %s %s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	base := started.FindStringSubmatch(out.String())[1]
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(base + "/login")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("https: %v %v", resp, err)
	}
	resp.Body.Close()
	var secure bool
	for _, c := range resp.Cookies() {
		secure = secure || (c.Name == "luoshi_csrf" && c.Secure)
	}
	if !secure || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age") {
		t.Fatalf("cookies not Secure or no HSTS: %v %v", resp.Cookies(), resp.Header)
	}
	// Plain HTTP on the TLS port gets no page.
	if resp, err := http.Get(strings.Replace(base, "https://", "http://", 1) + "/login"); err == nil && resp.StatusCode == 200 {
		t.Fatal("plain HTTP served a page")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
