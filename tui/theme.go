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
	Help      help.Styles
}

// palette is the few colours the program uses: calm, readable in sunlight on a dim
// laptop screen, and distinct for error and warning.
type palette struct {
	accent, fg, faint, selBg, err, warn, ok, barBg, dialogBg color.Color
}

// DefaultStyles builds the styles for a dark or light terminal background.
func DefaultStyles(isDark bool) Styles {
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
	}
	faint := lipgloss.NewStyle().Foreground(p.faint)
	return Styles{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(p.accent),
		Section:   lipgloss.NewStyle().Bold(true).Foreground(p.fg),
		Faint:     faint,
		Selected:  lipgloss.NewStyle().Background(p.selBg).Foreground(p.fg).Bold(true),
		Error:     lipgloss.NewStyle().Foreground(p.err).Bold(true),
		Warning:   lipgloss.NewStyle().Foreground(p.warn),
		OK:        lipgloss.NewStyle().Foreground(p.ok),
		Label:     faint,
		StatusBar: lipgloss.NewStyle().Background(p.barBg).Foreground(p.fg),
		Count:     lipgloss.NewStyle().Bold(true).Foreground(p.accent),
		Dialog:    lipgloss.NewStyle().Background(p.dialogBg).Foreground(p.fg),
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
