package forms

import (
	"strings"
	"testing"
)

// TestHelpHasNoDraftingNotes: the help text (指标解释) is what the enumerator reads at the
// door. Where an item came from — "reconstructed", "the district's 指标解释 prevails" —
// is for whoever maintains the form, and lives in the YAML comments beside the item.
func TestHelpHasNoDraftingNotes(t *testing.T) {
	forms, err := BuiltinForms()
	if err != nil {
		t.Fatal(err)
	}
	notes := []string{"重构", "reconstructed", "prevails", "TODO"}
	for _, f := range forms {
		for _, q := range f.Questions() {
			for _, text := range []string{q.Help.ZH, q.Help.EN} {
				for _, n := range notes {
					if strings.Contains(text, n) {
						t.Errorf("%s %s: help carries a drafting note (%q): %s", f.ID, q.ID, n, text)
					}
				}
			}
		}
	}
}
