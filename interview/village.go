package interview

import (
	"fmt"
	"slices"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// A form filled once per village (the community form, 社区登记表) has its steps here,
// shared by the leader's screen and plain mode: which villages have one, opening it
// prefilled from the roster, and the filler's signature that completes it. It has no
// read-back to a respondent and no method or outcome: the village committee answers it
// and whoever filled it in signs.

// VillageForm is a village and the status of its record of the community form (""
// not started).
type VillageForm struct {
	Village string
	Status  localstore.Status
}

// VillageForms lists the villages of the roster the user sees (their own villages when
// they have some, else all), in roster order, with the status of each one's record of
// the community form f or of a form f carries from.
func VillageForms(cases []localstore.Case, records []*localstore.Record, f *forms.Form, villages []string) []VillageForm {
	if f == nil {
		return nil
	}
	ids := append([]string{f.ID}, f.Carries.From...)
	status := map[string]localstore.Status{}
	for _, r := range records {
		if r.Village != "" && slices.Contains(ids, r.FormID) {
			status[r.Village] = r.Status
		}
	}
	seen := map[string]bool{}
	var out []VillageForm
	for _, c := range cases {
		v := c.Row.Village
		if v == "" || seen[v] || len(villages) > 0 && !slices.Contains(villages, v) {
			continue
		}
		seen[v] = true
		out = append(out, VillageForm{Village: v, Status: status[v]})
	}
	return out
}

// OpenVillage opens the village's record of the form f filled once per village (a
// draft of a form f carries from is the village's too), starting it if there is none,
// prefilled with the village's name and code and the number of certificate holders the
// roster has for it; and finds where its filler left it. Name is the village's.
func OpenVillage(sess *localstore.Session, reg *forms.Registry, f *forms.Form, village string) (Resumed, error) {
	cases, err := sess.Cases(localstore.CaseFilter{Village: village})
	if err != nil {
		return Resumed{}, err
	}
	rec, err := sess.StartVillageRecord(village, f.ID, f.Version, f.Carries.From...)
	if err != nil {
		return Resumed{}, err
	}
	rd, err := survey.Read(reg, rec, villageAbout(cases))
	if err != nil {
		return Resumed{}, err
	}
	row := roster.Row{Village: village}
	for _, c := range cases {
		if c.Row.VillageCode != "" {
			row.VillageCode = c.Row.VillageCode
			break
		}
	}
	iv := Interview{Form: rd.Form, Rec: rec, Row: row, Name: village, Answers: rd.Answers, Ctx: rd.Context}
	return PrefillAndResume(sess, iv, func(field string) any {
		if field == "roster_count" {
			return len(cases)
		}
		if v := row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// villageAbout is what the skip rules of a village's form see: how many certificate
// holders the roster has there.
func villageAbout(cases []localstore.Case) survey.About {
	return survey.About{RosterCount: len(cases)}
}

// FinishVillage signs a village's record as the one who filled it in, once the
// passphrase typed is the user's (localstore.ErrWrongPassphrase if not), and completes
// it, which queues it for the district. The form's own completeness is the caller's to
// check first, as for Session.Complete.
func FinishVillage(db *localstore.DB, sess *localstore.Session, recordID, pass string) (*localstore.Record, error) {
	user := sess.User()
	if _, err := db.Unlock(user.Code, pass); err != nil {
		return nil, fmt.Errorf("sign the community form: %w", err)
	}
	if _, err := sess.Sign(recordID, localstore.Signature{Role: localstore.SignerEnumerator, Name: user.Name}); err != nil {
		return nil, err
	}
	return sess.Complete(recordID)
}
