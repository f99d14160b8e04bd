package server_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
)

func builtin(t *testing.T, id string) *forms.Form {
	t.Helper()
	f, err := forms.Builtin(id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFormShelf: the server keeps every form it was configured with as a file, so a
// form whose file left the forms folder is still sent; a file that claims a kept
// form's id and version with other bytes stops the server; a laptop is sent only the
// forms it does not say it has, each signed.
func TestFormShelf(t *testing.T) {
	data, formsDir := t.TempDir(), t.TempDir()
	next, err := os.ReadFile(filepath.Join("..", "forms", "testdata", "person-2022.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(formsDir, "next.yaml"), next, 0o600)
	key, err := server.LoadSigningKey(data, seal.New(seal.NewKey()))
	if err != nil {
		t.Fatal(err)
	}
	person, community := builtin(t, "person-2021"), builtin(t, "community-2021")
	if _, err := server.OpenFormShelf(data, formsDir, key, person, community); err != nil {
		t.Fatal(err)
	}
	// The next start: the file is gone from the forms folder, the shelf still has it.
	os.Remove(filepath.Join(formsDir, "next.yaml"))
	shelf, err := server.OpenFormShelf(data, formsDir, key, person, community)
	if err != nil {
		t.Fatal(err)
	}

	st, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, err := st.AddEnrolment(t.Context(), protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := st.Enroll(t.Context(), code, "laptop", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	h := &server.Handler{Store: st, Forms: shelf, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	get := func(tok, have string) (int, protocol.FormsResponse) {
		r := httptest.NewRequest(http.MethodGet, "/v1/forms?have="+have, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var resp protocol.FormsResponse
		json.Unmarshal(w.Body.Bytes(), &resp)
		return w.Code, resp
	}
	if code, _ := get("made-up", ""); code != http.StatusUnauthorized {
		t.Errorf("forms for an unknown token: %d", code)
	}
	_, resp := get(tok, "")
	var names []string
	pub := key.Public().(ed25519.PublicKey)
	for _, f := range resp.Forms {
		names = append(names, f.ID+"@"+f.Version)
		if !ed25519.Verify(pub, protocol.FormMessage(f.ID, f.Version, f.YAML), f.Sig) {
			t.Errorf("%s@%s: bad signature", f.ID, f.Version)
		}
	}
	if got := strings.Join(names, " "); got != "community-2021@2021.1 person-2021@2021.1 person-2022@2022.1" {
		t.Errorf("sent %s", got)
	}
	if resp.PersonForm != "person-2021@2021.1" || !ed25519.Verify(pub, protocol.ChoiceMessage(resp.PersonForm, resp.CommunityForm), resp.ChoiceSig) {
		t.Errorf("choice %s %s not signed", resp.PersonForm, resp.CommunityForm)
	}
	_, resp = get(tok, person.Digest+","+community.Digest)
	if len(resp.Forms) != 1 || resp.Forms[0].ID != "person-2022" {
		t.Errorf("with have: %d forms", len(resp.Forms))
	}

	// Another file claiming person-2022@2022.1: refused, the kept one stands.
	changed := strings.Replace(string(next), "survey year", "Survey year", 1)
	os.WriteFile(filepath.Join(formsDir, "next.yaml"), []byte(changed), 0o600)
	var ce *forms.ConflictError
	if _, err := server.OpenFormShelf(data, formsDir, key, person, community); !errors.As(err, &ce) {
		t.Errorf("a second person-2022@2022.1: %v", err)
	}
}

// BenchmarkFormsEveryRound is what each sync round costs the server when the laptop
// has every form already: the answer is the choice alone.
func BenchmarkFormsEveryRound(b *testing.B) {
	data := b.TempDir()
	key, err := server.LoadSigningKey(data, seal.New(seal.NewKey()))
	if err != nil {
		b.Fatal(err)
	}
	person, _ := forms.Builtin("person-2021")
	community, _ := forms.Builtin("community-2021")
	shelf, err := server.OpenFormShelf(data, "", key, person, community)
	if err != nil {
		b.Fatal(err)
	}
	st, err := boltstore.Open(b.TempDir(), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	code, _ := st.AddEnrolment(b.Context(), protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	tok, _, err := st.Enroll(b.Context(), code, "laptop", nil, "")
	if err != nil {
		b.Fatal(err)
	}
	h := &server.Handler{Store: st, Forms: shelf, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RatePerMinute: 1 << 30}
	for _, have := range []string{"", person.Digest + "," + community.Digest} {
		name := "have-none"
		if have != "" {
			name = "have-all"
		}
		b.Run(name, func(b *testing.B) {
			var n int
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/v1/forms?have="+have, nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				n = w.Body.Len()
			}
			b.ReportMetric(float64(n), "bytes/answer")
		})
	}
}
