// Package seed fills a laptop's data file with the demo district: the demo users, the
// roster, and interviews done the way the program does them. It is the laptop's half
// of the demo; the district's half (package demo: the generated roster and answers)
// links no laptop store, so the server can use it.
package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// Passphrase is the passphrase of both demo users; the demo command prints it.
const Passphrase = "demo1234"

// The demo users: an enumerator and the team's leader.
var (
	Enumerator = localstore.User{Code: "E001", Name: "李晓梅", Role: localstore.RoleEnumerator, Team: "第一调查组"}
	Leader     = localstore.User{Code: "L001", Name: "王建军", Role: localstore.RoleLeader, Team: "第一调查组"}
)

// Options say what Fill writes.
type Options struct {
	demo.Options
	// Form is the person form the interviews fill: the configured one, resolved by the
	// caller (the demo's answers follow person-2021 and fall back to generic ones for
	// questions a district's form changed).
	Form *forms.Form
	// Completed is how many cases get an interview taken to completion, signed and
	// queued for sync, spread over the villages.
	Completed int
}

// Report says what Fill wrote.
type Report struct {
	District  demo.District
	Completed int
}

// Fill fills a new data file: the two demo users (both villages' worth of work for the
// enumerator), the district's roster, and Completed interviews done the way the program
// does them — answers saved with their audit entries, sections confirmed at read-back,
// signatures (a proxy's marked “(代)”), completion — so everything downstream (lists,
// verify, sync, reports) sees real records.
func Fill(db *localstore.DB, o Options) (Report, error) {
	f := o.Form
	if f == nil {
		return Report{}, errors.New("demo: no person form given")
	}
	d := demo.Generate(o.Options)
	villages := make([]string, len(d.Villages))
	for i, v := range d.Villages {
		villages[i] = v.Name
	}
	leader := Leader
	leader.Villages = villages
	enumerator := Enumerator
	enumerator.Villages = villages
	ls, err := db.Setup(leader, Passphrase)
	if err != nil {
		return Report{}, fmt.Errorf("demo: %w", err)
	}
	if err := ls.AddUser(enumerator, Passphrase); err != nil {
		return Report{}, fmt.Errorf("demo: %w", err)
	}
	if _, err := ls.ImportRoster(d.Rows, "demo"); err != nil {
		return Report{}, fmt.Errorf("demo: %w", err)
	}
	es, err := db.Unlock(enumerator.Code, Passphrase)
	if err != nil {
		return Report{}, fmt.Errorf("demo: %w", err)
	}
	cases, err := es.Cases(localstore.CaseFilter{})
	if err != nil {
		return Report{}, err
	}
	rng := demo.NewRand(o.Seed + 1)
	order := rng.Perm(len(cases))[:min(o.Completed, len(cases))]
	slices.Sort(order)
	for _, i := range order {
		c := cases[i]
		iv := demo.Answer(f, c.Row, rng, o.Reference)
		if err := complete(es, f, c, iv); err != nil {
			return Report{}, fmt.Errorf("demo: case %d (%s): %w", c.Seq, c.Row.Name, err)
		}
	}
	return Report{District: d, Completed: len(order)}, nil
}

// complete takes one case through the steps the screens take.
func complete(s *localstore.Session, f *forms.Form, c localstore.Case, iv demo.Interview) error {
	r, err := s.StartRecord(c.ID, f.ID, f.Version)
	if err != nil {
		return err
	}
	if r, err = s.SetCaseHeader(r.ID, iv.Method, iv.Outcome, iv.Note); err != nil {
		return err
	}
	if iv.Outcome == demo.OutcomeInterviewed {
		var changes []localstore.AnswerChange
		for _, q := range f.Questions() {
			v, ok := iv.Answers[q.ID]
			if !ok {
				continue
			}
			data, err := forms.EncodeAnswer(v)
			if err != nil {
				return err
			}
			changes = append(changes, localstore.AnswerChange{Question: q.ID, Section: q.Section.ID, Value: json.RawMessage(data)})
		}
		if r, err = s.SaveAnswers(r.ID, changes...); err != nil {
			return err
		}
		rd, err := survey.ReadWith(f, r, survey.About{Row: c.Row})
		if err != nil {
			return err
		}
		for _, fd := range rd.Result.Findings {
			if fd.Severity == forms.SeverityWarning {
				if _, err := s.ConfirmWarning(r.ID, survey.NoteKey(fd), "已与受访者核实"); err != nil {
					return err
				}
			}
		}
		for _, sec := range f.Sections {
			if _, err := s.ConfirmSection(r.ID, sec.ID); err != nil {
				return err
			}
		}
		if _, err := s.MarkReadBack(r.ID); err != nil {
			return err
		}
		sig := localstore.Signature{Role: localstore.SignerRespondent, Name: iv.Signer}
		if iv.Proxy {
			sig = localstore.Signature{Role: localstore.SignerProxy, Name: iv.Signer, Relation: iv.ProxyRelation}
		}
		if _, err := s.Sign(r.ID, sig); err != nil {
			return err
		}
		if _, err := s.Sign(r.ID, localstore.Signature{Role: localstore.SignerEnumerator, Name: s.User().Name}); err != nil {
			return err
		}
	}
	_, err = s.Complete(r.ID)
	return err
}
