// Package laptopreport gathers a report's input from the laptop's own data file: the
// cases, records and users a session sees. It is apart from report because the
// district server builds reports from its own store and must link no laptop store;
// the screens and the command line both start here, so a report says the same
// whichever of them wrote it.
package laptopreport

import (
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/report"
)

// Input is everything of the session a report counts, each record read with its own
// form from reg, limited to the user's villages, its unit the roster's town. The
// caller sets the day (AsOf) and, where asked, another unit or fewer villages.
func Input(reg *forms.Registry, s *localstore.Session) (report.Input, error) {
	cases, err := s.Cases(localstore.CaseFilter{})
	if err != nil {
		return report.Input{}, err
	}
	records, err := s.Records()
	if err != nil {
		return report.Input{}, err
	}
	users, err := s.Users()
	if err != nil {
		return report.Input{}, err
	}
	listed := make([]report.Listed, len(cases))
	for i, c := range cases {
		listed[i] = report.Listed{ID: c.ID, Row: c.Row}
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.Code] = u.Name
	}
	in := report.Assemble(reg, listed, records, names)
	in.Villages = s.User().Villages
	if len(cases) > 0 {
		in.Unit = cases[0].Row.Town
	}
	return in, nil
}
