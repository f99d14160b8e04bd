package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// TestCSVNeutralizesFormulas: a roster name starting with =, +, -, @, a tab or a
// carriage return would run as a formula when the CSV is opened in Excel; it is written
// with a leading quote (OWASP), and numbers of ours stay numbers.
func TestCSVNeutralizesFormulas(t *testing.T) {
	names := []string{`=HYPERLINK("http://x","点")`, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "张三", ""}
	tab := &table{title: "=title", subtitle: "王庄村", header: [][]string{{"姓名", "差"}}}
	for _, n := range names {
		tab.rows = append(tab.rows, []any{n, -3})
	}
	var buf bytes.Buffer
	if err := writeCSV(tab, &buf); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.FieldsPerRecord = -1
	lines, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if lines[0][0] != "'=title" {
		t.Errorf("title %q", lines[0][0])
	}
	for i, n := range names {
		row := lines[3+i]
		want := n
		if n != "" && strings.ContainsRune("=+-@\t\r", rune(n[0])) {
			want = "'" + n
		}
		if row[0] != want || row[1] != "-3" {
			t.Errorf("row %d: %q, want %q and -3", i, row, want)
		}
	}
}
