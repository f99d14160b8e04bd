package tui

import (
	"strings"

	"github.com/doorstep-survey/doorstep/localstore"
)

// sigPad is a signature drawn with a mouse or on a touch screen, in terminal cells, and
// shown in braille dots: each cell holds 2×4 dots, so the strokes between the sampled
// cells are drawn as lines at four times the vertical resolution and read as a hand.
type sigPad struct {
	w, h    int // in cells
	strokes [][]localstore.Point
	drawing bool
}

// press starts a stroke at a cell of the pad; out of the pad it does nothing.
func (p *sigPad) press(x, y int) {
	if !p.inside(x, y) {
		p.drawing = false
		return
	}
	p.drawing = true
	p.strokes = append(p.strokes, []localstore.Point{{X: x, Y: y}})
}

// drag extends the stroke; the pen leaving the pad is clamped to its edge.
func (p *sigPad) drag(x, y int) {
	if !p.drawing || len(p.strokes) == 0 {
		return
	}
	x, y = min(max(x, 0), p.w-1), min(max(y, 0), p.h-1)
	s := p.strokes[len(p.strokes)-1]
	if last := s[len(s)-1]; last.X == x && last.Y == y {
		return
	}
	p.strokes[len(p.strokes)-1] = append(s, localstore.Point{X: x, Y: y})
}

func (p *sigPad) release() { p.drawing = false }

func (p *sigPad) clear() { p.strokes, p.drawing = nil, false }

func (p *sigPad) inside(x, y int) bool { return x >= 0 && y >= 0 && x < p.w && y < p.h }

// brailleBit is the bit of a dot at column dx (0–1) and row dy (0–3) of a cell.
var brailleBit = [2][4]rune{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// lines draws the strokes, one string of p.w braille characters per row.
func (p *sigPad) lines() []string {
	dots := make([][]rune, p.h)
	for i := range dots {
		dots[i] = make([]rune, p.w)
	}
	set := func(x, y int) {
		if x < 0 || y < 0 || x >= 2*p.w || y >= 4*p.h {
			return
		}
		dots[y/4][x/2] |= brailleBit[x%2][y%4]
	}
	for _, s := range p.strokes {
		for i, pt := range s {
			x1, y1 := 2*pt.X, 4*pt.Y+1
			if i == 0 {
				set(x1, y1)
				continue
			}
			x0, y0 := 2*s[i-1].X, 4*s[i-1].Y+1
			line(x0, y0, x1, y1, set)
		}
	}
	out := make([]string, p.h)
	var b strings.Builder
	for y, row := range dots {
		b.Reset()
		for _, d := range row {
			if d == 0 {
				b.WriteRune(' ')
			} else {
				b.WriteRune(0x2800 + d)
			}
		}
		out[y] = b.String()
	}
	return out
}

// line is Bresenham's: every dot from (x0,y0) to (x1,y1).
func line(x0, y0, x1, y1 int, set func(x, y int)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		set(x0, y0)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
