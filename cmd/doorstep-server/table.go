package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// table writes the office's listings in columns aligned by display width: a Chinese
// name takes two cells a character, which text/tabwriter (one a rune) gets wrong.
// Rows are written at each flush, so a listing read a page at a time stays flat in
// memory; a column only widens from one page to the next, never narrows.
type table struct {
	w      io.Writer
	widths []int
	rows   [][]string
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		if i == len(t.widths) {
			t.widths = append(t.widths, 0)
		}
		t.widths[i] = max(t.widths[i], ansi.StringWidth(c))
	}
	t.rows = append(t.rows, cells)
}

// flush writes the rows held so far, two spaces between columns, no trailing blanks.
func (t *table) flush() error {
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[i]-ansi.StringWidth(c)))
			}
		}
		if _, err := io.WriteString(t.w, strings.TrimRight(b.String(), " ")+"\n"); err != nil {
			return err
		}
	}
	t.rows = t.rows[:0]
	return nil
}

// listing writes a listing read a page at a time, either as one JSON array written an
// element at a time or as a table flushed after each page: memory stays flat however
// many rows the district holds.
type listing struct {
	w   io.Writer
	enc *json.Encoder // nil: a table
	tw  *table
	n   int
}

// newListing starts a listing: a JSON array when asJSON, else a table of header.
func newListing(w io.Writer, asJSON bool, header ...string) *listing {
	l := &listing{w: w}
	if asJSON {
		l.enc = json.NewEncoder(w)
		io.WriteString(w, "[")
	} else {
		l.tw = newTable(w, header...)
	}
	return l
}

// add writes v as the array's next element, or the table row cells makes of it.
func (l *listing) add(v any, cells func() []string) error {
	l.n++
	if l.enc == nil {
		l.tw.row(cells()...)
		return nil
	}
	if l.n > 1 {
		io.WriteString(l.w, ",")
	}
	return l.enc.Encode(v)
}

// page ends a page: a table writes its rows.
func (l *listing) page() error {
	if l.enc != nil {
		return nil
	}
	return l.tw.flush()
}

// end closes a JSON array.
func (l *listing) end() error {
	if l.enc == nil {
		return nil
	}
	_, err := io.WriteString(l.w, "]\n")
	return err
}
