package config

import (
	"strings"
	"testing"
)

func TestPlainAndTheme(t *testing.T) {
	for _, tt := range []struct {
		plain, theme string
		wantPlain    bool
		bad          string // the key Validate names, "" when valid
	}{
		{"", "", false, ""},
		{"true", "high-contrast", true, ""},
		{"yes", "default", true, ""},
		{"0", "", false, ""},
		{"maybe", "", false, "plain"},
		{"", "dark", false, "theme"},
		{"", "High-Contrast", false, "theme"},
	} {
		c := Config{DataDir: "/tmp/x", Language: "zh", Plain: tt.plain, Theme: tt.theme}
		err := c.Validate()
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("plain %q theme %q: %v", tt.plain, tt.theme, err)
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad+":")):
			t.Errorf("plain %q theme %q: want a complaint about %s, got %v", tt.plain, tt.theme, tt.bad, err)
		}
		if tt.bad == "" && c.PlainMode() != tt.wantPlain {
			t.Errorf("plain %q: PlainMode %v", tt.plain, c.PlainMode())
		}
	}
}
