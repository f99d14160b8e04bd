package server

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/builtin"
	"github.com/doorstep-survey/doorstep/protocol"
)

// FormsFolder keeps every form the server was ever configured with, as the file's
// bytes, named ID@VERSION.yaml: records started with last year's form still have it
// when the forms folder no longer does.
const FormsFolder = "forms"

// FormShelf is the forms the server keeps and sends to laptops, signed by the district.
type FormShelf struct {
	key               ed25519.PrivateKey
	person, community string
	choiceSig         []byte
	forms             []protocol.SignedForm
	digests           []string
}

// Has reports whether the district can read a record of the form id@version: the
// shelf holds it, or it is one built into this program (a laptop's record started with
// the official form before the district chose another). A record of any other form —
// one a laptop's own forms folder had — is held until the district adds it
// (store.Arrival.UnknownForm).
func (s *FormShelf) Has(id, version string) bool {
	for _, f := range s.forms {
		if f.ID == id && f.Version == version {
			return true
		}
	}
	f, err := forms.Builtin(id)
	return err == nil && f.Version == version
}

// PublicKey is the district's key as laptops keep it (base64).
func (s *FormShelf) PublicKey() string {
	return base64.StdEncoding.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

var shelfName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// OpenFormShelf puts into the data folder's forms folder the person and community
// forms new records are started with and every form file of formsDir ("" for none),
// then loads every form the folder holds — this year's and the years' before — and
// signs each with key. A form already there under its id and version with other bytes
// is an error: records started with it would become ambiguous.
func OpenFormShelf(dataDir, formsDir string, key ed25519.PrivateKey, person, community *forms.Form) (*FormShelf, error) {
	dir := filepath.Join(dataDir, FormsFolder)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("forms folder: %w", err)
	}
	// The configured forms are found by digest among the built-in files and formsDir's;
	// the other files of formsDir are kept too (a district's next form, put there early).
	want := map[string]bool{person.Digest: true, community.Digest: true}
	sources := []fs.FS{builtin.Files}
	if formsDir != "" {
		sources = append(sources, os.DirFS(formsDir))
	}
	for i, fsys := range sources {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return nil, fmt.Errorf("forms folder %s: %w", formsDir, err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			data, err := fs.ReadFile(fsys, e.Name())
			if err != nil {
				continue // said by forms.LoadRegistry at start
			}
			f, err := forms.Load(e.Name(), data)
			if err != nil || (i == 0 && !want[f.Digest]) {
				continue
			}
			if err := shelve(dir, f, data); err != nil {
				return nil, err
			}
		}
	}
	s := &FormShelf{key: key, person: person.ID + "@" + person.Version, community: community.ID + "@" + community.Version}
	s.choiceSig = ed25519.Sign(key, protocol.ChoiceMessage(s.person, s.community))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("forms folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("forms folder: %w", err)
		}
		f, err := forms.Load(filepath.Join(dir, e.Name()), data)
		if err != nil {
			return nil, fmt.Errorf("forms folder: %w", err)
		}
		s.forms = append(s.forms, protocol.SignedForm{ID: f.ID, Version: f.Version, YAML: data,
			Sig: ed25519.Sign(key, protocol.FormMessage(f.ID, f.Version, data))})
		s.digests = append(s.digests, f.Digest)
	}
	return s, nil
}

// shelve keeps a form's bytes as ID@VERSION.yaml, once.
func shelve(dir string, f *forms.Form, data []byte) error {
	if !shelfName.MatchString(f.ID) || !shelfName.MatchString(f.Version) {
		return fmt.Errorf("form %s: id %q or version %q cannot name a file", f.Source, f.ID, f.Version)
	}
	path := filepath.Join(dir, f.ID+"@"+f.Version+".yaml")
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return nil
	case err == nil:
		return &forms.ConflictError{ID: f.ID, Version: f.Version, First: path, Second: f.Source}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// forms sends the laptop the forms it does not have (have: their digests,
// comma-separated), with the district's choice for new records.
func (h *Handler) forms(w http.ResponseWriter, r *http.Request, _ request) {
	if h.Forms == nil {
		fail(w, http.StatusNotFound, "bad_request", "this server sends no forms")
		return
	}
	have := map[string]bool{}
	for _, d := range strings.Split(r.URL.Query().Get("have"), ",") {
		have[d] = true
	}
	resp := protocol.FormsResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version},
		PersonForm: h.Forms.person, CommunityForm: h.Forms.community, ChoiceSig: h.Forms.choiceSig, Key: h.Forms.PublicKey()}
	for i, f := range h.Forms.forms {
		if !have[h.Forms.digests[i]] {
			resp.Forms = append(resp.Forms, f)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}
