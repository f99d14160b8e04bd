package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MaxFileSize bounds a roster file. A district's 20 000 rows are a few MB; a file
// larger than this is not a roster, or should be split by town.
const MaxFileSize = 100 << 20

// Problem is one row that was not imported (or, in Result.Warnings, one value to
// check), by the file's own row number.
type Problem struct {
	Line   int
	Column string // the column's header as the file spells it, when one column is at fault
	Msg    string // in Chinese, for the district officer who fixes the file
}

func (p Problem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("第 %d 行 %s：%s", p.Line, p.Column, p.Msg)
	}
	return fmt.Sprintf("第 %d 行：%s", p.Line, p.Msg)
}

// Result is what a roster file holds. Every data row of the file ends up in exactly
// one of Rows, Problems and Duplicates, except blank rows and repeated header rows,
// which are skipped silently.
type Result struct {
	Rows []Row // good rows, in file order
	// Problems are rows that were not imported, one Problem each, with the first
	// reason found.
	Problems []Problem
	// Duplicates are rows whose person (same ID number) appeared on an earlier row;
	// the message names that row. They are not imported.
	Duplicates []Problem
	// Warnings are about rows that were imported as they are but hold something to
	// check: a phone number that does not validate, or characters the file's
	// encoding garbled in an address. A row can have several.
	Warnings []Problem
	Encoding string // "UTF-8", "UTF-8 with BOM", "UTF-16", "GB18030" or "XLSX"
}

// Fatal errors: nothing of the file can be imported. A *HeaderError also matches
// ErrNotRoster.
var (
	ErrNotRoster = errors.New("not a roster")
	ErrEncoding  = errors.New("the file's text encoding could not be recognised")
	ErrEmpty     = errors.New("the roster file is empty")
	ErrTooLarge  = fmt.Errorf("the roster file is larger than %d MB; split it by town", MaxFileSize>>20)
)

// HeaderError is a file without a usable header row: a required column is missing.
type HeaderError struct {
	Sheet   string   // the worksheet looked at, for XLSX
	Line    int      // the row shown in Found; 0 when every row looked at was empty
	Missing []string // standard names of the required columns not found
	Found   []string // the non-empty cells of that row, cleaned, at most maxFound
}

func (e *HeaderError) Error() string {
	var b strings.Builder
	b.WriteString("not a roster: required columns missing: ")
	b.WriteString(strings.Join(e.Missing, ", "))
	if e.Line == 0 {
		b.WriteString(" (no header row found)")
		return b.String()
	}
	b.WriteString(" (")
	if e.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q ", e.Sheet)
	}
	fmt.Fprintf(&b, "row %d has: %s)", e.Line, strings.Join(e.Found, ", "))
	return b.String()
}

func (e *HeaderError) Unwrap() error { return ErrNotRoster }

// ParseFile reads a roster from a file. The content decides the format where it can
// (an .xlsx is a ZIP archive); otherwise the file is read as CSV (.csv, or .txt
// separated by commas or tabs). ref is the survey's reference date, against which
// birth dates in ID numbers are checked. The XLSX reader may spill a large sheet to
// the shared temp folder: a laptop calls ParseFileIn with its data folder's.
func ParseFile(path string, ref time.Time) (Result, error) {
	return ParseFileIn(path, ref, "")
}

// ParseFileIn is ParseFile with tmpDir the folder where the XLSX reader may spill a
// large sheet's names and numbers for a moment (the data folder's scratch folder,
// emptied at every start, never the shared temp folder); "" is the system's.
func ParseFileIn(path string, ref time.Time, tmpDir string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	if fi.Size() > MaxFileSize {
		return Result{}, fmt.Errorf("read roster %s: %w", path, ErrTooLarge)
	}
	var magic [512]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch kind := sniff(magic[:n]); {
	case kind == "xlsx":
		res, err := parseXLSX(f, fi.Size(), ref, tmpDir)
		if err != nil {
			return res, fmt.Errorf("read roster %s: %w", path, err)
		}
		return res, nil
	case kind != "":
		return Result{}, fmt.Errorf("read roster %s: %w", path, spreadsheetError(kind))
	case ext == ".xlsx" || ext == ".xlsm":
		return Result{}, fmt.Errorf("read roster %s: not a readable .xlsx file; open it in Excel or WPS and save it again as .xlsx", path)
	}
	res, err := parseCSV(f, ref)
	if err != nil {
		return res, fmt.Errorf("read roster %s: %w", path, err)
	}
	return res, nil
}

// Parse reads a roster in format "xlsx" or "csv" (any text with commas or tabs).
func Parse(r io.Reader, format string, ref time.Time) (Result, error) {
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case "xlsx", "xlsm":
		b, err := io.ReadAll(&capReader{r: r, left: MaxFileSize})
		if err != nil {
			return Result{}, fmt.Errorf("read roster: %w", err)
		}
		if len(b) == 0 {
			return Result{}, ErrEmpty
		}
		if kind := sniff(b); kind != "xlsx" && kind != "" {
			return Result{}, spreadsheetError(kind)
		}
		return parseXLSX(bytes.NewReader(b), int64(len(b)), ref, "")
	case "csv", "txt":
		return parseCSV(r, ref)
	}
	return Result{}, fmt.Errorf("unknown roster format %q: want xlsx or csv", format)
}

// sniff names the spreadsheet format of a file's first bytes: "xlsx", "ole" (an
// old .xls, or a password-protected workbook), "html", or "" for text.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "xlsx"
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "ole"
	}
	t := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n"))
	for _, p := range []string{"<!doctype", "<html", "<table", "<?xml", "<meta"} {
		if bytes.HasPrefix(t, []byte(p)) {
			return "html"
		}
	}
	return ""
}

func spreadsheetError(kind string) error {
	switch kind {
	case "ole":
		return errors.New("an old Excel .xls file or a password-protected workbook cannot be read; open it in Excel or WPS and save it as .xlsx without a password")
	case "html":
		return errors.New("this file is a web page saved under a spreadsheet name; open it in Excel or WPS and save it as .xlsx")
	}
	return errors.New("this is an .xlsx workbook, not a CSV text file")
}

// capReader fails with ErrTooLarge once more than left bytes have been read.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}
