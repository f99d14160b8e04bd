package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/bundle"
	"github.com/doorstep-survey/doorstep/protocol"
)

// TestEnrollSendsTheUsersKey: enrolment registers the user's public signing key and
// key card with the server, so it can check who wrote what they send.
func TestEnrollSendsTheUsersKey(t *testing.T) {
	var got protocol.EnrollRequest
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &got)
		_ = json.NewEncoder(w).Encode(protocol.EnrollResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Token: "t",
			User: protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}, ServerID: "s", Epoch: "e"})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	env := as(laptop(t, "0"), "E001")
	must(t, env, "enroll", srv.URL, "ABCD-EFGH", "--fingerprint", pinOf(srv.Certificate().Raw))

	shown := must(t, env, "keys", "show")
	card, err := bundle.ParseCard(shown[strings.Index(shown, "\n")+1:])
	if err != nil {
		t.Fatal(err)
	}
	if got.Card != card.String() || got.SigningKey != base64.StdEncoding.EncodeToString(card.Verify) {
		t.Errorf("enrolment sent card %q and key %q; the user's card is %q", got.Card, got.SigningKey, card)
	}
}

// pinOf is a certificate's SHA-256 fingerprint as a pin.
func pinOf(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
