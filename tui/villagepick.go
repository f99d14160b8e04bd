package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
)

// The community form (社区登记表) is filled by the team leader or an enumerator the
// leader names: the leader's team screen and the day's case list both open it with the
// community key, through the same list of the user's villages (steps.VillageForms), and
// a village picked opens the form screen on its record (KindCommunity).

// villageFormsMsg is the user's villages with the status of their community form, read
// for the screen that asked.
type villageFormsMsg struct {
	villages []steps.VillageForm
	err      error
}

// loadVillageForms reads the villages whose community form the user fills: theirs, or
// every village of the roster for a user with none.
func loadVillageForms(sess *localstore.Session, cf *forms.Form) tea.Msg {
	cases, err := sess.Cases(localstore.CaseFilter{})
	if err != nil {
		return villageFormsMsg{err: err}
	}
	records, err := sess.Records()
	if err != nil {
		return villageFormsMsg{err: err}
	}
	return villageFormsMsg{villages: steps.VillageForms(cases, records, cf, sess.User().Villages)}
}

// pickVillage offers the villages, each with its form's status; the one picked opens
// its community form.
func pickVillage(c common, villages []steps.VillageForm) tea.Cmd {
	var items [][2]string
	for _, v := range villages {
		st := both("st.new")
		if v.Status != "" {
			st = both("st." + string(v.Status))
		}
		items = append(items, [2]string{clean(v.Village) + "　" + st[0], clean(v.Village) + "  " + st[1]})
	}
	return showOverlay(newPickList(c, both("pickvillage"), items, func(i int) tea.Msg {
		return navigateMsg{Page{Kind: KindCommunity, ID: villages[i].Village}}
	}))
}
