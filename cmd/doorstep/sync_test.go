package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	serverstore "github.com/doorstep-survey/doorstep/server/store"
)

// TestEnrollAndSync: the laptop's commands against a real server (its handler on a
// real TLS listener): enrol with the pinned fingerprint, sync, sync again.
func TestEnrollAndSync(t *testing.T) {
	ctx := context.Background()
	store, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewUnstartedServer(&server.Handler{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	pin := server.FingerprintDER(srv.Certificate().Raw)
	code, err := store.AddEnrolment(ctx, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := laptop(t, "5")
	env := as(dir, "E001")

	// Not enrolled yet: a clear refusal, nothing lost.
	if c, out, errOut := runIn(t, env, "", "sync"); c == 0 || !strings.Contains(out+errOut, "not enrolled") && !strings.Contains(out+errOut, "还没有登记") {
		t.Errorf("sync before enrolling: exit %d %s %s", c, out, errOut)
	}
	if c, out, errOut := runIn(t, env, "", "enroll", srv.URL, code, "--fingerprint", strings.Repeat("00:", 31)+"00"); c == 0 || !strings.Contains(out+errOut, "指纹不符") {
		t.Errorf("a wrong fingerprint: exit %d %s %s", c, out, errOut)
	}
	if out := must(t, env, "enroll", srv.URL, code, "--fingerprint", pin); !strings.Contains(out, "enrolled E001") {
		t.Fatalf("enroll: %s", out)
	}
	var rep struct{ Pushed, Duplicates, Rejected, Pulled, Queued int }
	json.Unmarshal([]byte(must(t, env, "sync", "--json")), &rep)
	if rep.Pushed != 5 || rep.Queued != 0 || rep.Rejected != 0 {
		t.Fatalf("first sync %+v", rep)
	}
	rep = struct{ Pushed, Duplicates, Rejected, Pulled, Queued int }{}
	json.Unmarshal([]byte(must(t, env, "sync", "--json")), &rep)
	if rep.Pushed != 0 || rep.Queued != 0 {
		t.Fatalf("second sync %+v", rep)
	}
	rows, _, _ := store.Records(ctx, serverstore.RecordFilter{})
	if len(rows) != 5 {
		t.Errorf("the server has %d records", len(rows))
	}
	// The code was used: a second laptop cannot enrol with it.
	if c, out, errOut := runIn(t, as(laptop(t, "0"), "E001"), "", "enroll", srv.URL, code, "--fingerprint", pin); c == 0 || !strings.Contains(out+errOut, "登记码") {
		t.Errorf("a used code: exit %d %s %s", c, out, errOut)
	}
}
