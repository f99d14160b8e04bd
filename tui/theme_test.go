package tui

import (
	"image/color"
	"math"
	"testing"

	"charm.land/lipgloss/v2"
)

// luminance is WCAG 2.x relative luminance of an sRGB colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestContrastFormula(t *testing.T) {
	// The ratios WCAG's own examples give.
	for _, tt := range []struct {
		a, b string
		want float64
	}{{"#000000", "#ffffff", 21}, {"#ffffff", "#ffffff", 1}, {"#767676", "#ffffff", 4.54}, {"#595959", "#ffffff", 7.0}} {
		if got := contrast(lipgloss.Color(tt.a), lipgloss.Color(tt.b)); math.Abs(got-tt.want) > 0.02 {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestHighContrastThemeMeetsAAA checks every pair of text and background colour the
// high-contrast theme draws against WCAG 2.x level AAA for normal text (7:1), on dark
// and light terminals; and the respondent's view in every theme. The default theme's
// figures are logged for comparison (it is tuned for calm, not for AAA).
func TestHighContrastThemeMeetsAAA(t *testing.T) {
	const aaa = 7.0
	for _, dark := range []bool{true, false} {
		p := highContrastPalette(dark)
		texts := map[string]color.Color{"fg": p.fg, "accent": p.accent, "faint": p.faint, "err": p.err, "warn": p.warn, "ok": p.ok}
		for name, fg := range texts {
			for bgName, bg := range map[string]color.Color{"bg": p.bg, "dialogBg": p.dialogBg} {
				if r := contrast(fg, bg); r < aaa {
					t.Errorf("dark=%v: %s on %s is %.2f:1, below 7:1", dark, name, bgName, r)
				}
			}
		}
		for name, pair := range map[string][2]color.Color{"selection": {p.selFg, p.selBg}, "status bar": {p.barFg, p.barBg}} {
			if r := contrast(pair[0], pair[1]); r < aaa {
				t.Errorf("dark=%v: %s is %.2f:1, below 7:1", dark, name, r)
			}
		}
		d := defaultPalette(dark)
		t.Logf("default theme, dark=%v: faint %.1f:1, err %.1f:1, warn %.1f:1, accent %.1f:1 on its background",
			dark, contrast(d.faint, d.bg), contrast(d.err, d.bg), contrast(d.warn, d.bg), contrast(d.accent, d.bg))
	}
	if r := contrast(lipgloss.Color(respondentFg), lipgloss.Color(respondentBg)); r < aaa {
		t.Errorf("the respondent's view is %.2f:1", r)
	}
}
