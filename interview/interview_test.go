package interview

import (
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

func TestStopAt(t *testing.T) {
	res := forms.Result{
		Relevant: []string{"A", "B", "C", "D"},
		Missing:  []string{"D"},
		Findings: []forms.Finding{
			{Check: "C1", Question: "B", Severity: forms.SeverityError, Message: forms.Text{ZH: "错", EN: "wrong"}},
			{Check: "C2", Question: "C", Severity: forms.SeverityWarning, Message: forms.Text{ZH: "核实", EN: "check"}},
		},
	}
	rec := &localstore.Record{}
	answers := forms.Answers{"A": 1, "B": 1, "C": 1}
	for _, tt := range []struct {
		id   string
		kind StopKind
	}{{"A", GoOn}, {"B", Error}, {"C", Warning}, {"D", Required}} {
		if got := StopAt(res, rec, answers, tt.id); got.Kind != tt.kind {
			t.Errorf("%s: %v, want %v", tt.id, got.Kind, tt.kind)
		}
	}
	if s := StopAt(res, rec, answers, "C"); s.NoteKey != "C2@C" {
		t.Errorf("note key %q", s.NoteKey)
	}
	first, missing, errs, warns := FirstProblem(res, rec)
	if first != "B" || missing != 1 || errs != 1 || warns != 1 {
		t.Errorf("FirstProblem = %s %d %d %d", first, missing, errs, warns)
	}
	// A note confirms the warning: it no longer stops.
	rec.Notes = map[string]string{"C2@C": "已核实"}
	if s := StopAt(res, rec, answers, "C"); s.Kind != GoOn {
		t.Errorf("confirmed warning stops: %v", s.Kind)
	}
}
