package roster

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxUnzipped bounds what a workbook may expand to, so that a small malicious file
// cannot fill the disk with excelize's temporary files.
const maxUnzipped = 1 << 30

// spillAbove is the size of a sheet (or of its shared strings) above which excelize
// reads it through a temporary file in tmpDir rather than memory: its own default,
// lowered by a test to see where the spill goes.
var spillAbove int64 = excelize.StreamChunkSize

// parseXLSX reads the first worksheet that has a roster header, row by row
// (excelize's Rows: a sheet is never held as cells all at once).
func parseXLSX(ra io.ReaderAt, size int64, ref time.Time, tmpDir string) (Result, error) {
	f, err := excelize.OpenReader(io.NewSectionReader(ra, 0, size), excelize.Options{UnzipSizeLimit: maxUnzipped,
		UnzipXMLSizeLimit: spillAbove, TmpDir: tmpDir})
	if err != nil {
		return Result{}, fmt.Errorf("not a readable .xlsx file (%w); open it in Excel or WPS and save it again as .xlsx", err)
	}
	defer f.Close()
	zr, zerr := zip.NewReader(ra, size) // for the cell types; excelize could open it, so can we

	var first *HeaderError
	for _, sheet := range f.GetSheetList() {
		p := newParser(ref)
		p.res.Encoding = "XLSX"
		herr, err := p.sheet(f, sheet, zr, zerr)
		if err != nil {
			return Result{}, err
		}
		if herr == nil {
			return p.res, nil
		}
		if first == nil && herr.Line > 0 {
			first = herr
		}
	}
	if first == nil {
		return Result{}, ErrEmpty
	}
	return Result{}, first
}

// sheet reads one worksheet into p. It returns a HeaderError when the sheet has no
// header row (the next sheet may have one), and an error when the file cannot be
// imported at all.
func (p *parser) sheet(f *excelize.File, sheet string, zr *zip.Reader, zerr error) (*HeaderError, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return &HeaderError{Sheet: sheet}, nil // a chart sheet, or one the workbook lists but lacks
	}
	defer rows.Close()
	var search headerSearch
	line := 0
	for rows.Next() {
		line++ // Next stops at every row number, empty ones included
		// Raw values: a number stays as stored (4.1010219550302102E+19), not as
		// the cell's format would show it.
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("read roster sheet %q row %d: %w", sheet, line, err)
		}
		if p.hdr != nil {
			p.person(line, cells)
			continue
		}
		if nonBlank(cells) == 0 {
			continue
		}
		h := search.add(line, cells)
		if h == nil {
			if search.done() {
				break
			}
			continue
		}
		if !h.has[fVillage] {
			return nil, search.errorFor(h, cells, sheet)
		}
		p.hdr = h
		if zerr == nil {
			p.numberCell = numberCells(zr, sheet, h) // best effort: nil if the sheet cannot be found
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("read roster sheet %q: %w", sheet, err)
	}
	if p.hdr == nil {
		if search.scanned == 0 {
			return &HeaderError{Sheet: sheet}, nil
		}
		return search.errorFor(nil, nil, sheet), nil
	}
	return nil, nil
}

// numberCells finds which certificate and ID cells of a sheet are stored as
// numbers. excelize's row iterator gives values, not types, and a number typed
// into a General-format cell keeps only 15 significant digits: an ID stored as
// 410102198001011000 cannot be told from its text by the value alone. The sheet's
// XML is streamed a second time, looking only at <c> tags.
func numberCells(zr *zip.Reader, sheet string, h *header) func(line int, f field) bool {
	certCol, idCol := 0, 0
	for i, f := range h.cols {
		switch f {
		case fCert:
			certCol = i + 1
		case fID:
			idCol = i + 1
		}
	}
	zf, err := sheetPart(zr, sheet)
	if err != nil {
		return nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	found, err := scanNumberCells(rc, certCol, idCol)
	if err != nil {
		return nil
	}
	return func(line int, f field) bool {
		switch f {
		case fCert:
			return found[line]&1 != 0
		case fID:
			return found[line]&2 != 0
		}
		return false
	}
}

// scanNumberCells returns, by row, bit 1 when the cell in certCol and bit 2 when
// the cell in idCol is a number (no t attribute, or t="n"). Columns count from 1;
// 0 is no column. Empty cells are marked too; the caller only asks about cells
// that have a value.
func scanNumberCells(r io.Reader, certCol, idCol int) (map[int]uint8, error) {
	found := map[int]uint8{}
	br := bufio.NewReaderSize(r, 64<<10)
	var tag []byte
	row, col := 0, 0
	for {
		// Text and closing tags up to the next '<': XML text cannot hold a raw '<'.
		for {
			_, err := br.ReadSlice('<')
			if err == nil {
				break
			}
			if err == io.EOF {
				return found, nil
			}
			if err != bufio.ErrBufferFull {
				return nil, err
			}
		}
		tag = tag[:0]
		for {
			b, err := br.ReadSlice('>')
			tag = append(tag, b...)
			if err == nil {
				break
			}
			if err == io.EOF {
				return found, nil
			}
			if err != bufio.ErrBufferFull {
				return nil, err
			}
			if len(tag) > 1<<20 {
				return nil, errors.New("scan sheet XML: a tag longer than 1 MB")
			}
		}
		name, attrs := tagName(tag[:len(tag)-1])
		switch string(name) {
		case "row":
			row++
			if v := attr(attrs, "r"); v != nil {
				if n := atoi(v); n > 0 {
					row = n
				}
			}
			col = 0
		case "c":
			col++
			if v := attr(attrs, "r"); v != nil {
				if c, r := cellRef(v); c > 0 && r > 0 {
					col, row = c, r
				}
			}
			if t := attr(attrs, "t"); len(t) == 0 || string(t) == "n" {
				switch col {
				case certCol:
					found[row] |= 1
				case idCol:
					found[row] |= 2
				}
			}
		}
	}
}

// tagName splits the inside of a tag into its local name and the attributes.
func tagName(tag []byte) (name, attrs []byte) {
	end := 0
	for end < len(tag) && tag[end] != ' ' && tag[end] != '/' && tag[end] != '\t' && tag[end] != '\r' && tag[end] != '\n' {
		end++
	}
	name, attrs = tag[:end], tag[end:]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, attrs
}

// attr returns the value of the attribute key in attrs, or nil.
func attr(attrs []byte, key string) []byte {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n/")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 || eq+1 >= len(attrs) {
			return nil
		}
		k := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil
		}
		if string(k) == key {
			return rest[1 : 1+end]
		}
		attrs = rest[end+2:]
	}
	return nil
}

// cellRef reads a cell reference such as "AB12" into column 28 and row 12.
func cellRef(ref []byte) (col, row int) {
	i := 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	return col, atoi(ref[i:])
}

func atoi(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return 0
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// sheetPart finds the ZIP member with a worksheet's XML the way a reader of the
// format must: the package relationships name the workbook, the workbook names the
// sheet's relationship id, and the workbook's relationships name the part.
func sheetPart(zr *zip.Reader, sheet string) (*zip.File, error) {
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}
	var rootRels relationships
	if err := readXMLPart(files, "_rels/.rels", &rootRels); err != nil {
		return nil, err
	}
	wbPath := "xl/workbook.xml"
	for _, r := range rootRels.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = resolvePart("", r.Target)
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(files, wbPath, &wb); err != nil {
		return nil, err
	}
	id := ""
	for _, s := range wb.Sheets {
		if strings.EqualFold(s.Name, sheet) {
			for _, a := range s.Attrs {
				if a.Name.Local == "id" {
					id = a.Value
				}
			}
		}
	}
	var wbRels relationships
	if err := readXMLPart(files, path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &wbRels); err != nil {
		return nil, err
	}
	for _, r := range wbRels.Rels {
		if r.ID == id && id != "" {
			if f := files[strings.ToLower(resolvePart(path.Dir(wbPath), r.Target))]; f != nil {
				return f, nil
			}
		}
	}
	return nil, fmt.Errorf("sheet %q: no part in the workbook", sheet)
}

type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// resolvePart turns a relationship target into a ZIP member name.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(dir, target), "/")
}

func readXMLPart(files map[string]*zip.File, name string, v any) error {
	f := files[strings.ToLower(name)]
	if f == nil {
		return fmt.Errorf("no %s in the workbook", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v)
}
