package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// table is a report laid out: a title, header rows (cells merged as merges say), rows,
// notes under them and the lines for signatures.
type table struct {
	title, subtitle string
	header          [][]string
	merges          []merge // within the header, by header row and column
	rows            [][]any
	notes           []string
	signature       []string
	widths          []float64 // per column; else firstCol then colWidth
	firstCol        float64
	colWidth        float64
	landscape       bool
	repeatTitle     bool // print the header on every page
	tallRows        bool // room to sign by hand
	totalRow        bool // the last row is a total, in bold
}

type merge struct{ r0, c0, r1, c1 int }

func (t *table) columns() int { return len(t.header[0]) }

// writeCSV writes UTF-8 with a byte-order mark: Excel on a Chinese Windows reads a CSV
// without one as GBK and shows every Chinese character garbled.
func writeCSV(t *table, w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	line := func(cells []string) {
		for i, c := range cells {
			cells[i] = neutralizeFormula(c)
		}
		cw.Write(cells)
	}
	line([]string{t.title})
	line([]string{t.subtitle})
	for _, h := range t.header {
		line(h)
	}
	for _, r := range t.rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = fmt.Sprint(v)
			if _, text := v.(string); text {
				// A number of ours (-3 as a difference) is not a formula: it stays a number.
				cells[i] = neutralizeFormula(cells[i])
			}
		}
		cw.Write(cells)
	}
	for _, n := range t.notes {
		line([]string{n})
	}
	for _, s := range t.signature {
		line([]string{s})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// neutralizeFormula keeps a text cell from being run as a formula when the CSV is
// opened in Excel or WPS: a name from a roster starting with =, +, -, @, a tab or a
// carriage return is prefixed with a single quote, as OWASP's "CSV injection" advice
// says. The XLSX reports need nothing: their cells are typed as text.
func neutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// sheetName is the one sheet of every workbook.
const sheetName = "Sheet1"

// writeXLSX writes a workbook ready to print: title across the table, bordered cells,
// header shaded and repeated on each page where asked, A4.
func writeXLSX(t *table, w io.Writer, tmpDir string) (err error) {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write XLSX: %w", cerr)
		}
	}()
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := "SimSun"
	styles := map[string]*excelize.Style{
		"title":    {Font: &excelize.Font{Family: font, Size: 16, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}},
		"subtitle": {Font: &excelize.Font{Family: font, Size: 10}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}},
		"header": {Font: &excelize.Font{Family: font, Size: 10, Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		"cell":  {Font: &excelize.Font{Family: font, Size: 10}, Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		"total": {Font: &excelize.Font{Family: font, Size: 10, Bold: true}, Border: border, Alignment: &excelize.Alignment{Vertical: "center"}},
		"plain": {Font: &excelize.Font{Family: font, Size: 10}},
	}
	percentFormat := "0.0%"
	styles["percent"] = &excelize.Style{Font: styles["cell"].Font, Border: border, Alignment: styles["cell"].Alignment, CustomNumFmt: &percentFormat}
	styles["percentTotal"] = &excelize.Style{Font: styles["total"].Font, Border: border, Alignment: styles["total"].Alignment, CustomNumFmt: &percentFormat}
	ids := map[string]int{}
	for name, st := range styles {
		id, err := f.NewStyle(st)
		if err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		ids[name] = id
	}
	// Page setup before the rows: set afterwards, excelize would read the whole
	// streamed sheet back into memory to add it (840 MB for a 20 000-case register).
	orientation := "portrait"
	if t.landscape {
		orientation = "landscape"
	}
	// A4, one page wide and as many pages long as it takes: Excel honours fitToWidth
	// only with the sheet's fitToPage set, and a fitToHeight of 0 keeps a long
	// register from being squeezed onto one page.
	size, wide, tall, fitPage := 9, 1, 0, true
	if err := f.SetSheetProps(sheetName, &excelize.SheetPropsOptions{FitToPage: &fitPage}); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := f.SetPageLayout(sheetName, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	ncol := t.columns()
	for c := 1; c <= ncol; c++ {
		width := t.colWidth
		if c-1 < len(t.widths) {
			width = t.widths[c-1]
		} else if c == 1 && t.firstCol > 0 {
			width = t.firstCol
		}
		if width == 0 {
			width = 10
		}
		if err := sw.SetColWidth(c, c, width); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	cellName := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	// The title and header stay in view while the rows scroll (set before any row).
	frozen := 2 + len(t.header)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: frozen, TopLeftCell: cellName(1, frozen+1), ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	row := 1
	set := func(values []any, style int, opts ...excelize.RowOpts) error {
		cells := make([]any, len(values))
		for i, v := range values {
			cells[i] = excelize.Cell{StyleID: style, Value: v}
			if p, ok := v.(percentCell); ok {
				// A number a spreadsheet can sort and sum, shown as a percent.
				st := ids["percent"]
				if style == ids["total"] {
					st = ids["percentTotal"]
				}
				cells[i] = excelize.Cell{StyleID: st, Value: float64(p)}
			}
		}
		err := sw.SetRow(cellName(1, row), cells, opts...)
		row++
		return err
	}
	blank := make([]any, ncol)
	titleRow := append([]any{t.title}, blank[1:]...)
	if err := set(titleRow, ids["title"], excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := sw.MergeCell(cellName(1, 1), cellName(ncol, 1)); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := set(append([]any{t.subtitle}, blank[1:]...), ids["subtitle"]); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := sw.MergeCell(cellName(1, 2), cellName(ncol, 2)); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	headTop := row
	for _, h := range t.header {
		vals := make([]any, len(h))
		for i, v := range h {
			vals[i] = v
		}
		if err := set(vals, ids["header"], excelize.RowOpts{Height: 24}); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	for _, m := range t.merges {
		if err := sw.MergeCell(cellName(m.c0+1, headTop+m.r0), cellName(m.c1+1, headTop+m.r1)); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	headBottom := row - 1
	for i, r := range t.rows {
		style := ids["cell"]
		if t.totalRow && i == len(t.rows)-1 {
			style = ids["total"]
		}
		var opts []excelize.RowOpts
		if t.tallRows {
			opts = append(opts, excelize.RowOpts{Height: 28})
		}
		if err := set(r, style, opts...); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	row++
	for _, n := range append(t.notes, t.signature...) {
		if err := set([]any{n}, ids["plain"], excelize.RowOpts{Height: 22}); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if t.repeatTitle {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheetName,
			RefersTo: fmt.Sprintf("%s!$%d:$%d", sheetName, headTop, headBottom)}); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return nil
}
