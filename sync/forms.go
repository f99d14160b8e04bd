package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/atomicfile"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/protocol"
)

// FormInbox is where a laptop keeps the forms the district sends: files in Dir (a
// folder of its data folder), named ID@VERSION.yaml, and the district's choice of
// forms for new records in district-forms.json. They are files, like forms_dir's, so
// the program reads them at start before anyone unlocks; the signature guards the
// transit, and at rest they are as trusted as forms_dir.
type FormInbox struct {
	Dir string
	// Have is the laptop's registry (built-in, forms_dir and received forms); it is
	// only read. A received form that has another's id and version is refused.
	Have *forms.Registry
}

// DistrictChoiceFile is the district's choice of forms for new records, in FormInbox.Dir.
const DistrictChoiceFile = "district-forms.json"

// DistrictChoice is the forms the district names for new records ("id@version").
type DistrictChoice struct {
	PersonForm    string `json:"person_form"`
	CommunityForm string `json:"community_form"`
}

// ReadDistrictChoice is the district's last choice kept in dir; ok is false when none
// was received.
func ReadDistrictChoice(dir string) (c DistrictChoice, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, DistrictChoiceFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, false, fmt.Errorf("%s: %w", DistrictChoiceFile, err)
	}
	return c, true, nil
}

// safeName is an id or version fit to be part of a file name.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// errNoDistrictKey is said when the laptop enrolled before the district signed forms.
var errNoDistrictKey = "这台电脑登记时没有收到区县的签名密钥，收不到区县的新表单：请重新登记（doorstep enroll） / " +
	"This laptop was enrolled before the district signed its forms, so it cannot take the district's forms: enrol again (doorstep enroll)"

// receiveForms asks the district for the forms it uses and keeps the new ones that
// are signed by the district's key and load. A form refused is said in rep.Reasons and
// nothing else changes: the laptop goes on with the forms it had.
func (s *Syncer) receiveForms(ctx context.Context, key string, rep *Report) error {
	if key == "" {
		rep.Reasons = append(rep.Reasons, errNoDistrictKey)
		return nil
	}
	pub, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		rep.Reasons = append(rep.Reasons, errNoDistrictKey)
		return nil
	}
	var have []string
	if s.Forms.Have != nil {
		for _, f := range s.Forms.Have.All() {
			have = append(have, f.Digest)
		}
	}
	// And those received since the registry was loaded (a program that has run since
	// before an earlier round): not sent again every round.
	if entries, err := os.ReadDir(s.Forms.Dir); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".yaml") {
				if data, err := os.ReadFile(filepath.Join(s.Forms.Dir, e.Name())); err == nil {
					have = append(have, protocol.FormDigest(data))
				}
			}
		}
	}
	slices.Sort(have)
	have = slices.Compact(have)
	var resp protocol.FormsResponse
	_, err = s.Client.do(ctx, http.MethodGet, "/v1/forms?"+url.Values{"have": {strings.Join(have, ",")}}.Encode(), nil, false, nil, &resp)
	var se *Error
	if errors.As(err, &se) && se.Kind == Permanent {
		// An older server has no forms to send: records still go and come.
		rep.Reasons = append(rep.Reasons, "服务器没有发来表单 / the server sent no forms: "+se.Message("en"))
		return nil
	}
	if err != nil {
		return err
	}
	if resp.Key != "" && resp.Key != key {
		rep.Reasons = append(rep.Reasons, "区县服务器的签名密钥已不是这台电脑登记时的那把（服务器的密钥换过），收不到区县的新表单：请重新登记（doorstep enroll） / "+
			"The district server's signing key is not the one this laptop enrolled with (the server's key was replaced), so it cannot take the district's forms: enrol again (doorstep enroll)")
		return nil
	}
	if err := os.MkdirAll(s.Forms.Dir, 0o700); err != nil {
		return fmt.Errorf("received forms folder: %w", err)
	}
	got := map[string]bool{}
	for _, sf := range resp.Forms {
		f, why := s.takeForm(ed25519.PublicKey(pub), sf)
		if why.en != "" {
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("区县发来的表单 %.40s@%.20s 没有采用：%s / the district's form %.40s@%.20s was refused: %s",
				serverWords(sf.ID), serverWords(sf.Version), why.zh, serverWords(sf.ID), serverWords(sf.Version), why.en))
			continue
		}
		if f != nil {
			got[f.ID+"@"+f.Version] = true
			rep.Forms++
		}
	}
	if resp.PersonForm == "" && resp.CommunityForm == "" {
		return nil
	}
	if !ed25519.Verify(ed25519.PublicKey(pub), protocol.ChoiceMessage(resp.PersonForm, resp.CommunityForm), resp.ChoiceSig) {
		rep.Reasons = append(rep.Reasons, "区县指定的表单签名不对，没有采用 / the district's choice of forms is not signed by the district: not taken")
		return nil
	}
	for _, name := range []string{resp.PersonForm, resp.CommunityForm} {
		if !s.hasForm(name, got) {
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("区县指定的表单 %.60s 这台电脑没有，没有采用 / the district names form %.60s, which this laptop lacks: not taken",
				serverWords(name), serverWords(name)))
			return nil
		}
	}
	data, _ := json.Marshal(DistrictChoice{PersonForm: resp.PersonForm, CommunityForm: resp.CommunityForm})
	return atomicfile.WriteBytes(filepath.Join(s.Forms.Dir, DistrictChoiceFile), data)
}

// hasForm reports whether the laptop has the form name ("id@version"), took it this
// round or an earlier one.
func (s *Syncer) hasForm(name string, got map[string]bool) bool {
	if got[name] {
		return true
	}
	id, version, ok := strings.Cut(name, "@")
	if !ok || !safeName.MatchString(id) || !safeName.MatchString(version) {
		return false
	}
	if s.Forms.Have != nil {
		if _, err := s.Forms.Have.Form(id, version); err == nil {
			return true
		}
	}
	// Received in an earlier round, after the registry was loaded.
	_, err := os.Stat(filepath.Join(s.Forms.Dir, name+".yaml"))
	return err == nil
}

// formRefusal is why a received form was not taken, in both languages; zero when taken.
type formRefusal struct{ zh, en string }

// takeForm checks one form and keeps it. It returns the form kept (nil when the laptop
// had it already) or why it was refused.
func (s *Syncer) takeForm(pub ed25519.PublicKey, sf protocol.SignedForm) (*forms.Form, formRefusal) {
	if !safeName.MatchString(sf.ID) || !safeName.MatchString(sf.Version) {
		return nil, formRefusal{"名称不合格式", "not a form name"}
	}
	if !ed25519.Verify(pub, protocol.FormMessage(sf.ID, sf.Version, sf.YAML), sf.Sig) {
		return nil, formRefusal{"区县签名不对（可能在传输中被改动）", "not signed by the district (changed in transit?)"}
	}
	name := sf.ID + "@" + sf.Version + ".yaml"
	f, err := forms.Load(name, sf.YAML)
	if err != nil {
		// Most likely a form of a newer Doorstep: this program cannot read it.
		return nil, formRefusal{"这个程序读不了它（可能需要更新 Doorstep）：" + serverWords(err.Error()), "does not load (Doorstep may need updating): " + serverWords(err.Error())}
	}
	if f.ID != sf.ID || f.Version != sf.Version {
		return nil, formRefusal{"文件内容与名称不符", fmt.Sprintf("the file says it is %s@%s", serverWords(f.ID), serverWords(f.Version))}
	}
	clash := formRefusal{"这台电脑已有同名同版本、内容不同的表单", ""}
	if s.Forms.Have != nil {
		if g, err := s.Forms.Have.Form(f.ID, f.Version); err == nil {
			if g.Digest != f.Digest {
				clash.en = (&forms.ConflictError{ID: f.ID, Version: f.Version, First: filepath.Base(g.Source), Second: "the district's"}).Error()
				return nil, clash
			}
			return nil, formRefusal{}
		}
	}
	path := filepath.Join(s.Forms.Dir, name)
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, sf.YAML) {
			return nil, formRefusal{}
		}
		// A file received earlier under this name with other bytes: the district
		// changed a form without a new version. The one records were started with stays.
		clash.en = (&forms.ConflictError{ID: f.ID, Version: f.Version, First: "the one received before", Second: "the district's"}).Error()
		return nil, clash
	}
	if err := atomicfile.WriteBytes(path, sf.YAML); err != nil {
		return nil, formRefusal{"保存失败：" + err.Error(), "not saved: " + err.Error()}
	}
	return f, formRefusal{}
}
