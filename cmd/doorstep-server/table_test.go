package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The office reads Chinese names in its terminal: every column must start at the same
// display cell on every line, whatever the width of the names before it.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]string
	}{
		{"chinese and latin", [][]string{{"VILLAGE", "NAME", "STATUS"}, {"新华社区", "邓志明", "completed"}, {"苇子坑村", "陈帅", "draft"}, {"x", "Li Na", "approved"}}},
		{"empty cells", [][]string{{"A", "B", "C"}, {"", "王", ""}, {"长长的村名", "", "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tb := newTable(&out, tc.rows[0]...)
			for _, r := range tc.rows[1:] {
				tb.row(r...)
			}
			if err := tb.flush(); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tc.rows) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.rows), out.String())
			}
			// The last column starts where the header's does, measured in cells.
			want := ansi.StringWidth(lines[0]) - ansi.StringWidth(tc.rows[0][len(tc.rows[0])-1])
			for i, l := range lines {
				last := tc.rows[i][len(tc.rows[i])-1]
				if got := ansi.StringWidth(l) - ansi.StringWidth(last); last != "" && got != want {
					t.Errorf("line %d %q: last column at cell %d, header's at %d", i, l, got, want)
				}
				if strings.HasSuffix(l, " ") {
					t.Errorf("line %d %q ends in blanks", i, l)
				}
			}
		})
	}
}

// A second page may widen a column; it never narrows one the first page set.
func TestTableWidthsHoldAcrossPages(t *testing.T) {
	var out bytes.Buffer
	tb := newTable(&out, "NAME", "X")
	tb.row("阿依古丽·买买提", "1")
	tb.flush()
	tb.row("王", "2")
	tb.flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if ansi.StringWidth(lines[1]) != ansi.StringWidth(lines[2]) {
		t.Errorf("the second page's column moved:\n%s", out.String())
	}
}
