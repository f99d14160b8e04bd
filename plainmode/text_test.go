package plainmode

import (
	"strings"
	"testing"
)

// Every line plain mode says exists in Chinese and English, with the same blanks to fill.
func TestTextInBothLanguages(t *testing.T) {
	for key, tx := range text {
		switch {
		case key == "join":
			// Chinese sentences follow each other without a space: empty on purpose.
		case tx[0] == "" || tx[1] == "":
			t.Errorf("%s: %q", key, tx)
		}
		if zh, en := strings.Count(tx[0], "%"), strings.Count(tx[1], "%"); zh != en {
			t.Errorf("%s: %d blanks in Chinese, %d in English", key, zh, en)
		}
	}
}
