package sync

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOldTLSIsASecurityStop: a server that speaks only TLS 1.0 (or 1.1) is not "cannot
// reach" to be retried quietly; it is a security stop a person must see.
func TestOldTLSIsASecurityStop(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: v}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		c, err := NewClient(srv.URL, "", certPin(srv.Certificate().Raw), "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Enroll(context.Background(), "ABCD-EFGH", "x")
		srv.Close()
		var se *Error
		if !errors.As(err, &se) || se.Kind != Security {
			t.Fatalf("TLS %x: %v, want a security stop", v, err)
		}
		if se.Message("en") == "" || se.Message("zh") == "" {
			t.Errorf("no words for it: %v", err)
		}
		t.Logf("TLS %x: %s / %s (%v)", v, se.Message("zh"), se.Message("en"), se.Err)
	}
}

// certPin is a certificate's SHA-256 fingerprint as a pin.
func certPin(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// TestDiskFullInWords: a server whose disk is full (507, or its code disk_full) is a
// wait, said in words, never its file path.
func TestDiskFullInWords(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInsufficientStorage)
		w.Write([]byte(`{"doorstep":1,"error":"write /srv/doorstep/attachments/ab.part: no space left on device","code":"disk_full"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	c, err := NewClient(srv.URL, "t", certPin(srv.Certificate().Raw), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.do(context.Background(), http.MethodPost, "/v1/push", []byte("{}"), false, nil, nil)
	var se *Error
	if !errors.As(err, &se) || se.Kind != Transient || !strings.Contains(se.Message("zh"), "磁盘满") || strings.Contains(err.Error(), "/srv/") {
		t.Fatalf("%v", err)
	}
}
