package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffLen is how much of a text file decides its encoding and separator: the
// title and header rows are always within it.
const sniffLen = 64 << 10

// maxCellLines is more line breaks than any real cell has. A cell with more is an
// opening quote never closed, which swallowed the rows after it.
const maxCellLines = 20

// parseCSV reads delimited text in UTF-8 (with or without BOM), UTF-16 with a BOM,
// or GB18030 (which includes GBK and GB2312), one record at a time.
func parseCSV(r io.Reader, ref time.Time) (Result, error) {
	cr := &capReader{r: r, left: MaxFileSize}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(cr, head)
	atEOF := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !atEOF {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	head = head[:n]
	if len(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))) == 0 {
		return Result{}, ErrEmpty
	}
	if kind := sniff(head); kind != "" {
		return Result{}, spreadsheetError(kind)
	}

	p := newParser(ref)
	p.garbledMsg = "含有无法识别的字符，文件的编码可能前后不一致；请另存为 .xlsx 或 UTF-8 的 CSV 后重新导入"
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		p.res.Encoding = "UTF-8 with BOM"
		head = head[3:]
	case bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")):
		p.res.Encoding = "UTF-16"
		enc = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case mostlyUTF8(head, atEOF):
		p.res.Encoding = "UTF-8"
	default:
		p.res.Encoding = "GB18030"
		enc = simplifiedchinese.GB18030
	}
	var text io.Reader = io.MultiReader(bytes.NewReader(head), cr)
	sample := head
	if enc != nil {
		text = transform.NewReader(text, enc.NewDecoder())
		sample, _, _ = transform.Bytes(enc.NewDecoder(), head) // for the separator only; errors do not matter
	}

	rd := csv.NewReader(text)
	rd.Comma = separator(sample)
	rd.LazyQuotes = true
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true

	var search headerSearch
	embedded := 0 // line breaks inside the cells read so far: a spreadsheet shows none of them
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok && p.hdr != nil {
				p.problem(pe.StartLine-embedded, fNone, "这一行无法按 CSV 读取："+pe.Err.Error())
				continue
			}
			return Result{}, fmt.Errorf("read roster: %w", err)
		}
		start, _ := rd.FieldPos(0)
		line := start - embedded
		breaks := 0
		for _, c := range rec {
			if strings.IndexByte(c, '\n') >= 0 {
				breaks += strings.Count(c, "\n")
			}
		}
		embedded += breaks

		if p.hdr == nil {
			if nonBlank(rec) == 0 {
				continue
			}
			if p.res.Encoding == "GB18030" && containsReplacement(rec) {
				return Result{}, encodingError(nil)
			}
			h := search.add(line, rec)
			if h == nil {
				if search.done() {
					break
				}
				continue
			}
			if !h.has[fVillage] {
				return Result{}, search.errorFor(h, rec, "")
			}
			p.hdr = h
			continue
		}
		if breaks > maxCellLines {
			p.problem(line, fNone, fmt.Sprintf("这一行有一个引号（\"）没有配对，其后 %d 行都被读进了同一格，没有导入；请检查这一行的引号", breaks))
			continue
		}
		p.person(line, rec)
	}
	if p.hdr == nil {
		if search.scanned == 0 {
			return Result{}, ErrEmpty
		}
		herr := search.errorFor(nil, nil, "")
		if p.res.Encoding == "GB18030" {
			return Result{}, encodingError(herr)
		}
		return Result{}, herr
	}
	return p.res, nil
}

func encodingError(cause error) error {
	const msg = "%w: it is not UTF-8, and it does not read as GB18030 (GBK) either; " +
		"save it from Excel or WPS as .xlsx or as “CSV UTF-8”"
	if cause == nil {
		return fmt.Errorf(msg, ErrEncoding)
	}
	return fmt.Errorf(msg+" (%w)", ErrEncoding, cause)
}

func containsReplacement(rec []string) bool {
	for _, c := range rec {
		if strings.ContainsRune(c, utf8.RuneError) {
			return true
		}
	}
	return false
}

// mostlyUTF8 decides that a sample is UTF-8 when it is valid, or when its invalid
// bytes are stray among many valid characters: a corrupted cell should be reported
// in its row, not turn the whole file into GB18030 nonsense. GBK text is never
// like that: at best a third of its characters happen to be valid UTF-8 pairs.
// A character cut off by the end of the sample (not the file) does not count.
func mostlyUTF8(b []byte, atEOF bool) bool {
	valid, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(b[i:]) {
				break
			}
			bad++
			i++
			continue
		}
		valid++
		i += size
	}
	return bad == 0 || valid >= 20*bad
}

// separator chooses comma, tab (Excel's "Unicode text" and "Text (tab
// delimited)" exports) or semicolon by which is most common in the first lines.
func separator(sample []byte) rune {
	lines := bytes.SplitN(sample, []byte("\n"), headerScanRows+2)
	if len(lines) > headerScanRows+1 {
		lines = lines[:headerScanRows+1]
	}
	best, most := ',', 0
	for _, sep := range []rune{',', '\t', ';'} {
		n := 0
		for _, l := range lines {
			n += bytes.Count(l, []byte(string(sep)))
		}
		if n > most {
			best, most = sep, n
		}
	}
	return best
}
