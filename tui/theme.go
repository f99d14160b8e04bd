package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles are every style the screens use, built once; View never builds a style.
type Styles struct {
	Title     lipgloss.Style
	Section   lipgloss.Style
	Faint     lipgloss.Style
	Selected  lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	OK        lipgloss.Style
	Label     lipgloss.Style
	StatusBar lipgloss.Style
	Count     lipgloss.Style
	Dialog    lipgloss.Style
	// Respondent is the respondent's view of the read-back: the largest contrast the
	// terminal has, on its own background whatever the terminal's is.
	Respondent lipgloss.Style
	Help       help.Styles
}

// palette is the few colours the program uses: calm, readable in sunlight on a dim
// laptop screen, and distinct for error and warning. bg is the terminal's background as
// the palette assumes it (black on a dark terminal, white on a light one): text without
// a background of its own is drawn on it.
type palette struct {
	accent, fg, faint, selBg, err, warn, ok, barBg, dialogBg color.Color
	bg                                                       color.Color
	// selFg and barFg are the text on selBg and barBg.
	selFg, barFg color.Color
}

// Theme names, as the config's theme setting spells them.
const (
	ThemeDefault      = "default"
	ThemeHighContrast = "high-contrast"
)

// StylesFor builds the styles of a theme ("" is the default) for a dark or light
// terminal background.
func StylesFor(theme string, isDark bool) Styles {
	if theme == ThemeHighContrast {
		return stylesOf(highContrastPalette(isDark))
	}
	return DefaultStyles(isDark)
}

// highContrastPalette is for low-vision enumerators: every text colour is at least 7:1
// against the background it is drawn on (WCAG 2.x level AAA for normal text; checked in
// theme_test.go), and the selection is inverted rather than tinted.
func highContrastPalette(isDark bool) palette {
	if isDark {
		return palette{
			bg: lipgloss.Color("#000000"), fg: lipgloss.Color("#ffffff"), accent: lipgloss.Color("#00ffff"),
			faint: lipgloss.Color("#d0d0d0"), err: lipgloss.Color("#ff9090"), warn: lipgloss.Color("#ffff00"),
			ok: lipgloss.Color("#00ff00"), selBg: lipgloss.Color("#ffffff"), selFg: lipgloss.Color("#000000"),
			barBg: lipgloss.Color("#ffffff"), barFg: lipgloss.Color("#000000"), dialogBg: lipgloss.Color("#000000"),
		}
	}
	return palette{
		bg: lipgloss.Color("#ffffff"), fg: lipgloss.Color("#000000"), accent: lipgloss.Color("#00005f"),
		faint: lipgloss.Color("#303030"), err: lipgloss.Color("#8b0000"), warn: lipgloss.Color("#4d3300"),
		ok: lipgloss.Color("#004000"), selBg: lipgloss.Color("#000000"), selFg: lipgloss.Color("#ffffff"),
		barBg: lipgloss.Color("#000000"), barFg: lipgloss.Color("#ffffff"), dialogBg: lipgloss.Color("#ffffff"),
	}
}

// DefaultStyles builds the styles for a dark or light terminal background.
func DefaultStyles(isDark bool) Styles {
	return stylesOf(defaultPalette(isDark))
}

func defaultPalette(isDark bool) palette {
	ld := lipgloss.LightDark(isDark)
	p := palette{
		accent:   ld(lipgloss.Color("#005f87"), lipgloss.Color("#5fafd7")),
		fg:       ld(lipgloss.Color("#1c1c1c"), lipgloss.Color("#e4e4e4")),
		faint:    ld(lipgloss.Color("#6c6c6c"), lipgloss.Color("#8a8a8a")),
		selBg:    ld(lipgloss.Color("#d7e7f7"), lipgloss.Color("#303f5f")),
		err:      ld(lipgloss.Color("#af0000"), lipgloss.Color("#ff5f5f")),
		warn:     ld(lipgloss.Color("#875f00"), lipgloss.Color("#ffaf00")),
		ok:       ld(lipgloss.Color("#005f00"), lipgloss.Color("#87d787")),
		barBg:    ld(lipgloss.Color("#e4e4e4"), lipgloss.Color("#262626")),
		dialogBg: ld(lipgloss.Color("#eeeeee"), lipgloss.Color("#1c1c1c")),
		bg:       ld(lipgloss.Color("#ffffff"), lipgloss.Color("#000000")),
	}
	p.selFg, p.barFg = p.fg, p.fg
	return p
}

func stylesOf(p palette) Styles {
	faint := lipgloss.NewStyle().Foreground(p.faint)
	return Styles{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(p.accent),
		Section:   lipgloss.NewStyle().Bold(true).Foreground(p.fg),
		Faint:     faint,
		Selected:  lipgloss.NewStyle().Background(p.selBg).Foreground(p.selFg).Bold(true),
		Error:     lipgloss.NewStyle().Foreground(p.err).Bold(true),
		Warning:   lipgloss.NewStyle().Foreground(p.warn),
		OK:        lipgloss.NewStyle().Foreground(p.ok),
		Label:     faint,
		StatusBar: lipgloss.NewStyle().Background(p.barBg).Foreground(p.barFg),
		Count:     lipgloss.NewStyle().Bold(true).Foreground(p.accent),
		Dialog:    lipgloss.NewStyle().Background(p.dialogBg).Foreground(p.fg),
		Respondent: lipgloss.NewStyle().Background(lipgloss.Color(respondentBg)).
			Foreground(lipgloss.Color(respondentFg)).Bold(true),
		Help: help.Styles{
			ShortKey:       lipgloss.NewStyle().Foreground(p.accent),
			ShortDesc:      faint,
			ShortSeparator: faint,
			Ellipsis:       faint,
			FullKey:        lipgloss.NewStyle().Foreground(p.accent),
			FullDesc:       faint,
			FullSeparator:  faint,
		},
	}
}

// The respondent's view is pale yellow on black in every theme: the pair with the most
// contrast after white on black (19.6:1), and softer on eyes that tire of glare.
const (
	respondentFg = "#ffff87"
	respondentBg = "#000000"
)
