package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/forms/validate"
)

// MaxFileSize bounds a roster file: a district's 20 000 rows are a few MB.
const MaxFileSize = 100 << 20

// Problem is one row (or cell) that could not be imported, by the file's own row number.
type Problem struct {
	Line   int
	Column string // the header of the column at fault, or ""
	Msg    string // in Chinese, for the district officer who fixes the file
}

func (p Problem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("第 %d 行 %s：%s", p.Line, p.Column, p.Msg)
	}
	return fmt.Sprintf("第 %d 行：%s", p.Line, p.Msg)
}

// Result is what a roster file holds: good rows in file order, and what was wrong.
type Result struct {
	Rows       []Row
	Problems   []Problem
	Duplicates []Problem // later rows with a number seen before; skipped
	Encoding   string    // "UTF-8", "UTF-8 with BOM", "UTF-16", "GB18030", "XLSX"
}

// Fatal errors: nothing of the file can be imported.
var (
	ErrNotRoster = errors.New("not a roster")
	ErrEncoding  = errors.New("the file's text encoding could not be recognised")
)

// field names the Row fields a column fills.
type field int

const (
	fName field = iota
	fCert
	fID
	fSex
	fCategory
	fLevel
	fTown
	fVillage
	fVillageCode
	fHouseholdAddress
	fCurrentAddress
	fPhone
	fGuardian
	fGuardianPhone
	numFields
)

// headers are the column names people use, after normalising (no spaces, half-width
// parentheses): the national export's and the usual variants.
var headers = map[string]field{
	"姓名": fName, "残疾人姓名": fName,
	"残疾人证号": fCert, "残疾证号": fCert, "证号": fCert, "残疾人证号码": fCert,
	"公民身份号码": fID, "身份证号": fID, "身份证号码": fID, "公民身份证号码": fID,
	"性别": fSex, "残疾类别": fCategory, "类别": fCategory, "残疾等级": fLevel, "等级": fLevel,
	"所属乡镇(街道)": fTown, "乡镇/街道": fTown, "乡镇(街道)": fTown, "乡镇": fTown, "街道": fTown,
	"所属村(社区)": fVillage, "村/社区": fVillage, "村(社区)": fVillage, "社区": fVillage, "村": fVillage, "村居": fVillage,
	"统计用区划代码": fVillageCode, "区划代码": fVillageCode,
	"户籍地址": fHouseholdAddress, "户口所在地": fHouseholdAddress,
	"现住址": fCurrentAddress, "现居住地址": fCurrentAddress, "居住地址": fCurrentAddress,
	"联系电话": fPhone, "电话": fPhone, "手机": fPhone, "手机号码": fPhone,
	"监护人(联系人)": fGuardian, "监护人": fGuardian, "联系人": fGuardian,
	"监护人联系电话": fGuardianPhone, "联系人电话": fGuardianPhone, "监护人电话": fGuardianPhone, "监护人(联系人)电话": fGuardianPhone,
}

var fieldNames = [numFields]string{"姓名", "残疾人证号", "公民身份号码", "性别", "残疾类别", "残疾等级", "所属乡镇（街道）",
	"所属村（社区）", "统计用区划代码", "户籍地址", "现住址", "联系电话", "监护人（联系人）", "监护人联系电话"}

var headerNormalizer = strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "", "*", "", "＊", "")

// headerScanRows is how far down a header row is looked for: national exports put a
// title and a date above it.
const headerScanRows = 10

// ParseFile reads a roster from an .xlsx or .csv (or .txt) file. ref is the survey's
// reference date, against which birth dates are checked.
func ParseFile(path string, ref time.Time) (Result, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	if fi.Size() > MaxFileSize {
		return Result{}, fmt.Errorf("roster %s is %d MB; at most %d MB", path, fi.Size()>>20, MaxFileSize>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("read roster: %w", err)
	}
	defer f.Close()
	format := "csv"
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		format = "xlsx"
	case ".xls":
		return Result{}, fmt.Errorf("roster %s: old .xls files cannot be read; open it in Excel or WPS and save as .xlsx", path)
	}
	return Parse(f, format, ref)
}

// Parse reads a roster in format "xlsx" or "csv".
func Parse(r io.Reader, format string, ref time.Time) (Result, error) {
	p := &parser{ref: ref, seen: map[string]int{}}
	var err error
	switch format {
	case "xlsx":
		err = p.xlsx(r)
	case "csv":
		err = p.csv(r)
	default:
		err = fmt.Errorf("unknown roster format %q", format)
	}
	if err != nil {
		return Result{}, err
	}
	if p.cols == nil {
		return Result{}, fmt.Errorf("%w: the file is empty", ErrNotRoster)
	}
	return p.res, nil
}

type parser struct {
	ref  time.Time
	res  Result
	cols []field // by column index; -1 for columns we do not read
	hdr  []string
	seen map[string]int // Key → first row
	scan int            // rows looked at while searching the header
	// firstRows keeps the first rows' cells for the error naming the headers found.
	firstRows [][]string
}

func (p *parser) csv(r io.Reader) error {
	br := bufio.NewReaderSize(io.LimitReader(r, MaxFileSize+1), 64<<10)
	head, _ := br.Peek(64 << 10)
	var text io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		p.res.Encoding = "UTF-8 with BOM"
		br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")):
		p.res.Encoding = "UTF-16"
		text = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case utf8.Valid(trimPartialRune(head)):
		p.res.Encoding = "UTF-8"
	default:
		p.res.Encoding = "GB18030"
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(text)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	if p.res.Encoding == "UTF-16" && !bytes.Contains(head, []byte(",\x00")) {
		cr.Comma = '\t' // Excel's "Unicode text" export is tab-separated
	}
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
				p.res.Problems = append(p.res.Problems, Problem{Line: pe.Line, Msg: "无法读取：" + pe.Err.Error()})
				continue
			}
			return fmt.Errorf("read roster: %w", err)
		}
		if strings.Contains(strings.Join(rec, ""), "\ufffd") && p.cols == nil {
			return fmt.Errorf("%w (tried %s); save it as UTF-8 CSV or .xlsx", ErrEncoding, p.res.Encoding)
		}
		if err := p.row(line, rec); err != nil {
			return err
		}
	}
	return p.finishHeader()
}

// trimPartialRune drops a rune cut off by the peek window, so a valid file is not taken
// for GB18030 because its 64 KB sample ends mid-character.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

func (p *parser) xlsx(r io.Reader) error {
	p.res.Encoding = "XLSX"
	f, err := excelize.OpenReader(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("read roster: not a readable .xlsx file: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fmt.Errorf("%w: the workbook has no sheets", ErrNotRoster)
	}
	// The first sheet that has the header; a workbook often has a cover or notes sheet.
	var lastErr error
	for _, sheet := range sheets {
		p.cols, p.firstRows, p.scan = nil, nil, 0
		err := p.sheet(f, sheet)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNotRoster) {
			return err
		}
		lastErr = err
	}
	return lastErr
}

func (p *parser) sheet(f *excelize.File, sheet string) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("read roster sheet %s: %w", sheet, err)
	}
	defer rows.Close()
	line := 0
	for rows.Next() {
		line++
		// Raw values: a number Excel shows as 41010219550302100000 is stored as
		// 4.101021955030212E+19, which is how a lost-digits cell is recognised.
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("read roster sheet %s row %d: %w", sheet, line, err)
		}
		p.markNumbers(f, sheet, line, cells)
		if err := p.row(line, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("read roster sheet %s: %w", sheet, err)
	}
	return p.finishHeader()
}

// markNumbers rewrites a certificate or ID cell that Excel stored as a number into the
// scientific form it really holds, so the row is refused with the right advice: a
// float keeps 15–17 digits, so an ID typed into a General-format cell has lost its end.
// Only cells that look like that are checked (GetCellType reads the whole sheet once).
func (p *parser) markNumbers(f *excelize.File, sheet string, line int, cells []string) {
	for i, c := range cells {
		if i >= len(p.cols) || (p.cols[i] != fCert && p.cols[i] != fID) || !lostDigitsRE.MatchString(c) {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, line)
		if err != nil {
			continue
		}
		if t, err := f.GetCellType(sheet, cell); err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset) {
			if x, err := strconv.ParseFloat(c, 64); err == nil {
				cells[i] = strconv.FormatFloat(x, 'E', -1, 64)
			}
		}
	}
}

// finishHeader turns "no header found" into the fatal error naming what was seen.
func (p *parser) finishHeader() error {
	if p.cols != nil || len(p.firstRows) == 0 {
		return nil
	}
	var seen []string
	for _, r := range p.firstRows {
		for _, c := range r {
			if c = cleantext.Line(c); c != "" && len(seen) < 20 {
				seen = append(seen, c)
			}
		}
	}
	return fmt.Errorf("%w: no header row with 姓名, 残疾人证号 or 公民身份号码, and 所属村（社区） in the first %d rows (found: %s)",
		ErrNotRoster, headerScanRows, strings.Join(seen, ", "))
}

// row handles one row: the header while it is not found yet, else a person.
func (p *parser) row(line int, cells []string) error {
	if p.cols == nil {
		if p.scan >= headerScanRows {
			return p.finishHeader()
		}
		p.scan++
		p.firstRows = append(p.firstRows, cells)
		return p.header(cells)
	}
	empty := true
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	p.person(line, cells)
	return nil
}

// header recognises a header row; a row that is not one is left for the next.
func (p *parser) header(cells []string) error {
	cols := make([]field, len(cells))
	var found [numFields]bool
	for i, c := range cells {
		cols[i] = -1
		if f, ok := headers[headerNormalizer.Replace(cleantext.Line(c))]; ok && !found[f] {
			cols[i] = f
			found[f] = true
		}
	}
	if !found[fName] && !found[fCert] && !found[fID] {
		return nil // a title row
	}
	var missing []string
	if !found[fName] {
		missing = append(missing, "姓名")
	}
	if !found[fCert] && !found[fID] {
		missing = append(missing, "残疾人证号 or 公民身份号码")
	}
	if !found[fVillage] {
		missing = append(missing, "所属村（社区）")
	}
	if len(missing) > 0 {
		var have []string
		for _, c := range cells {
			if c = cleantext.Line(c); c != "" {
				have = append(have, c)
			}
		}
		return fmt.Errorf("%w: required columns missing: %s (the header has: %s)", ErrNotRoster, strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	p.cols = cols
	p.hdr = cells
	p.firstRows = nil
	return nil
}

var (
	villageCodeRE = regexp.MustCompile(`^[0-9]{12}$`)
	sciNumberRE   = regexp.MustCompile(`^[0-9](\.[0-9]+)?[Ee]\+?[0-9]+$`)
	lostDigitsRE  = regexp.MustCompile(`^[0-9]{15,}0{3}$`)
	categoryWords = map[string]int{"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
	levelWords    = map[string]int{"一级": 1, "二级": 2, "三级": 3, "四级": 4, "一": 1, "二": 2, "三": 3, "四": 4}
)

// person validates one data row into a Row, or records why it cannot be imported.
func (p *parser) person(line int, cells []string) {
	var v [numFields]string
	for i, c := range cells {
		if i < len(p.cols) && p.cols[i] >= 0 {
			v[p.cols[i]] = cleantext.Line(c)
		}
	}
	bad := func(f field, msg string) {
		p.res.Problems = append(p.res.Problems, Problem{Line: line, Column: fieldNames[f], Msg: msg})
	}
	r := Row{Line: line, Name: v[fName], Town: v[fTown], Village: v[fVillage], HouseholdAddress: v[fHouseholdAddress],
		CurrentAddress: v[fCurrentAddress], Guardian: v[fGuardian]}
	switch {
	case r.Name == "":
		bad(fName, "姓名为空")
		return
	case r.Village == "":
		bad(fVillage, "所属村（社区）为空")
		return
	case v[fCert] == "" && v[fID] == "":
		bad(fCert, "残疾人证号和公民身份号码都为空")
		return
	}
	for _, f := range []field{fCert, fID} {
		if sciNumberRE.MatchString(v[f]) {
			bad(f, "号码被 Excel 存成了数字（"+v[f]+"），末尾几位已丢失；请把这一列设为“文本”格式后重新导出")
			return
		}
	}
	if v[fCert] != "" {
		c, err := validate.ParseCertificate(v[fCert], p.ref)
		if err != nil {
			bad(fCert, zh(err))
			return
		}
		r.CertificateNumber, r.IDNumber, r.Sex = c.Number, c.ID.Number, c.ID.Sex
		r.Category, r.Level = c.Category, c.Level
	}
	if v[fID] != "" {
		id, err := validate.ParseResidentID(v[fID], p.ref)
		if err != nil {
			bad(fID, zh(err))
			return
		}
		if r.IDNumber != "" && r.IDNumber != id.Number {
			bad(fID, "与残疾人证号的前18位不一致")
			return
		}
		r.IDNumber, r.Sex = id.Number, id.Sex
	}
	if s := v[fSex]; s != "" {
		sex := map[string]int{"男": 1, "女": 2, "1": 1, "2": 2}[s]
		if sex == 0 {
			bad(fSex, fmt.Sprintf("性别“%s”应为 男 或 女", s))
			return
		}
		if sex != r.Sex {
			bad(fSex, "与身份号码第17位表示的性别不一致")
			return
		}
	}
	for _, cl := range []struct {
		f     field
		words map[string]int
		max   int
		got   *int
	}{{fCategory, categoryWords, 7, &r.Category}, {fLevel, levelWords, 4, &r.Level}} {
		s := strings.TrimSuffix(strings.TrimSuffix(v[cl.f], "残疾"), "类")
		if s == "" {
			continue
		}
		n, ok := cl.words[s]
		if !ok {
			n, _ = strconv.Atoi(strings.TrimSuffix(s, "级"))
		}
		if n < 1 || n > cl.max {
			bad(cl.f, fmt.Sprintf("“%s”不是有效的%s", v[cl.f], fieldNames[cl.f]))
			return
		}
		if *cl.got != 0 && *cl.got != n {
			bad(cl.f, "与残疾人证号中的"+fieldNames[cl.f]+"不一致")
			return
		}
		*cl.got = n
	}
	if c := v[fVillageCode]; c != "" {
		if !villageCodeRE.MatchString(c) {
			bad(fVillageCode, "统计用区划代码应为12位数字")
			return
		}
		r.VillageCode = c
	}
	// A wrong phone is no reason to leave a person off the roster: it is kept as given
	// (cleaned), and the enumerator confirms the number at the door.
	r.Phone = phone(v[fPhone])
	r.GuardianPhone = phone(v[fGuardianPhone])
	if first, dup := p.seen[r.Key()]; dup {
		p.res.Duplicates = append(p.res.Duplicates, Problem{Line: line, Column: fieldNames[fCert], Msg: fmt.Sprintf("与第 %d 行重复", first)})
		return
	}
	p.seen[r.Key()] = line
	p.res.Rows = append(p.res.Rows, r)
}

func phone(s string) string {
	if s == "" {
		return ""
	}
	if canon, err := validate.ParsePhone(s); err == nil {
		return canon
	}
	return s
}

func zh(err error) string {
	var ve *validate.Error
	if errors.As(err, &ve) {
		return ve.Message("zh")
	}
	return err.Error()
}
