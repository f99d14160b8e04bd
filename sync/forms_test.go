package sync

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/protocol"
)

// TestTakeForm: a received form is kept only when the district signed exactly these
// bytes under this id and version, it loads as what it claims, and no form the laptop
// has shares its id and version with other bytes.
func TestTakeForm(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	_, stranger, _ := ed25519.GenerateKey(nil)
	next, err := os.ReadFile(filepath.Join("..", "forms", "testdata", "person-2022.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Replace(next, []byte("survey year"), []byte("Survey year"), 1)
	signed := func(k ed25519.PrivateKey, id, version string, data []byte) protocol.SignedForm {
		return protocol.SignedForm{ID: id, Version: version, YAML: data, Sig: ed25519.Sign(k, protocol.FormMessage(id, version, data))}
	}
	builtins, _, err := forms.LoadRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	person2021, _ := builtins.Named("person-2021")
	tests := []struct {
		name   string
		sf     protocol.SignedForm
		before []byte // a file received earlier under the same name
		kept   bool
		why    string
	}{
		{"signed and new", signed(key, "person-2022", "2022.1", next), nil, true, ""},
		{"another key", signed(stranger, "person-2022", "2022.1", next), nil, false, "not signed by the district"},
		{"signed for another version", func() protocol.SignedForm {
			sf := signed(key, "person-2022", "2022.2", next)
			sf.Version = "2022.1"
			return sf
		}(), nil, false, "not signed by the district"},
		{"the file is another form than signed", signed(key, "person-2023", "2022.1", next), nil, false, "the file says it is person-2022@2022.1"},
		{"a name that climbs out of the folder", signed(key, "../../evil", "1", next), nil, false, "not a form name"},
		{"a built-in form the laptop has", signed(key, "person-2021", person2021.Version, mustBuiltinBytes(t, "person-2021.yaml")), nil, false, ""},
		{"a built-in's id and version, other bytes", signed(key, "person-2021", person2021.Version,
			append([]byte("# changed\n"), mustBuiltinBytes(t, "person-2021.yaml")...)), nil, false, "defined twice with different content"},
		{"received before, the same", signed(key, "person-2022", "2022.1", next), next, false, ""},
		{"received before, other bytes", signed(key, "person-2022", "2022.1", other), next, false, "defined twice with different content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.before != nil {
				os.WriteFile(filepath.Join(dir, "person-2022@2022.1.yaml"), tc.before, 0o600)
			}
			s := &Syncer{Forms: &FormInbox{Dir: dir, Have: builtins}}
			f, why := s.takeForm(pub, tc.sf)
			if (f != nil) != tc.kept || !strings.Contains(why.en, tc.why) || (tc.why == "") != (why.en == "") || (why.en == "") != (why.zh == "") {
				t.Fatalf("kept %v, why %q / %q; want kept %v, why %q", f != nil, why.zh, why.en, tc.kept, tc.why)
			}
			entries, _ := os.ReadDir(dir)
			want := 0
			if tc.kept || tc.before != nil {
				want = 1
			}
			if len(entries) != want {
				t.Errorf("the folder holds %d files, want %d", len(entries), want)
			}
			if tc.before != nil {
				if got, _ := os.ReadFile(filepath.Join(dir, "person-2022@2022.1.yaml")); !bytes.Equal(got, tc.before) {
					t.Error("the form received before was replaced")
				}
			}
		})
	}
}

func mustBuiltinBytes(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "forms", "builtin", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
