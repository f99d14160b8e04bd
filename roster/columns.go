package roster

import (
	"strings"
	"unicode/utf8"

	"github.com/doorstep-survey/doorstep/cleantext"
)

// field is a Row field a column fills.
type field int8

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

	fNone field = -1
)

// standardNames are the national form's column names, used when the file's own
// header cannot be (a column that is missing).
var standardNames = [numFields]string{
	"姓名", "残疾人证号", "公民身份号码", "性别", "残疾类别", "残疾等级", "所属乡镇（街道）",
	"所属村（社区）", "统计用区划代码", "户籍地址", "现住址", "联系电话", "监护人（联系人）", "监护人联系电话",
}

// headerNames are the column names people use, normalised by normHeader: the
// national export's and the usual variants.
var headerNames = map[string]field{
	"姓名": fName, "残疾人姓名": fName,

	"残疾人证号": fCert, "残疾证号": fCert, "证号": fCert, "残疾人证号码": fCert, "残疾证号码": fCert,
	"残疾人证编号": fCert,

	"公民身份号码": fID, "身份证号": fID, "身份证号码": fID, "公民身份证号码": fID, "公民身份证号": fID,
	"身份证": fID,

	"性别":   fSex,
	"残疾类别": fCategory, "类别": fCategory, "残疾类型": fCategory,
	"残疾等级": fLevel, "等级": fLevel, "残疾级别": fLevel,

	"所属乡镇(街道)": fTown, "乡镇/街道": fTown, "乡镇(街道)": fTown, "乡镇": fTown, "街道": fTown,
	"乡镇街道": fTown, "所属乡镇": fTown, "所属街道": fTown, "所属乡镇/街道": fTown,

	"所属村(社区)": fVillage, "村/社区": fVillage, "村(社区)": fVillage, "社区": fVillage, "村": fVillage,
	"村居": fVillage, "村社区": fVillage, "所属村": fVillage, "所属社区": fVillage, "村(居)": fVillage,
	"所属村/社区": fVillage, "所属村(居)": fVillage,

	"统计用区划代码": fVillageCode, "区划代码": fVillageCode,
	"户籍地址": fHouseholdAddress, "户口所在地": fHouseholdAddress, "户籍所在地": fHouseholdAddress,
	"现住址": fCurrentAddress, "现居住地址": fCurrentAddress, "居住地址": fCurrentAddress, "现居住地": fCurrentAddress,
	"联系电话": fPhone, "电话": fPhone, "手机": fPhone, "手机号码": fPhone, "手机号": fPhone, "联系方式": fPhone,

	"监护人(联系人)": fGuardian, "监护人": fGuardian, "联系人": fGuardian, "监护人姓名": fGuardian,
	"联系人姓名": fGuardian, "监护人(联系人)姓名": fGuardian,

	"监护人联系电话": fGuardianPhone, "联系人电话": fGuardianPhone, "监护人电话": fGuardianPhone,
	"监护人(联系人)电话": fGuardianPhone, "监护人(联系人)联系电话": fGuardianPhone,
	"联系人联系电话": fGuardianPhone, "监护人手机": fGuardianPhone,
}

// headerFolder and headerMarks fold what varies between spellings of one header: full-width
// and half-width brackets and slashes, spaces anywhere (a header cell often wraps
// onto two lines), the asterisk that marks a required column, a trailing colon.
var (
	headerFolder = strings.NewReplacer(
		"（", "(", "）", ")", "／", "/", "、", "/", " ", "", "*", "", "＊", "", ":", "", "：", "")
	headerMarks = strings.NewReplacer("(必填)", "", "(选填)", "")
)

func normHeader(cell string) string {
	return headerMarks.Replace(headerFolder.Replace(cleantext.Line(cell)))
}

// headerScanRows is how many non-empty rows are searched for the header: national
// exports put a title and the export date above it.
const headerScanRows = 10

// maxFound bounds the cells listed in a HeaderError.
const maxFound = 30

// header is a recognised header row.
type header struct {
	line  int
	cols  []field           // by column index; fNone for columns not read
	names [numFields]string // the file's own header text per field, for Problem.Column
	has   [numFields]bool
}

// matchHeader maps a row's cells to fields. The first column of a field wins.
func matchHeader(line int, cells []string) *header {
	h := &header{line: line, cols: make([]field, len(cells))}
	for i, c := range cells {
		h.cols[i] = fNone
		f, ok := headerNames[normHeader(c)]
		if !ok || h.has[f] {
			continue
		}
		h.cols[i], h.has[f] = f, true
		h.names[f] = cleantext.Line(c)
	}
	for f := range h.names {
		if h.names[f] == "" {
			h.names[f] = standardNames[f]
		}
	}
	return h
}

// isHeader is the test for the header row: a name and a number to know the person by.
func (h *header) isHeader() bool { return h.has[fName] && (h.has[fCert] || h.has[fID]) }

func (h *header) score() int {
	n := 0
	for _, ok := range h.has {
		if ok {
			n++
		}
	}
	return n
}

// missing lists the required columns h lacks, by their standard names.
func (h *header) missing() []string {
	var m []string
	if !h.has[fName] {
		m = append(m, "姓名")
	}
	if !h.has[fCert] && !h.has[fID] {
		m = append(m, "残疾人证号 or 公民身份号码 (身份证号)")
	}
	if !h.has[fVillage] {
		m = append(m, "所属村（社区） (or 村/社区, 村（社区）, 社区, 村)")
	}
	return m
}

// headerSearch looks for the header among a sheet's first rows and remembers the
// most header-like row for the error when there is none.
type headerSearch struct {
	scanned   int
	best      *header
	bestCells []string
	bestLen   int // non-empty cells of best
}

// add looks at one non-blank row; it returns the header when the row is one.
func (s *headerSearch) add(line int, cells []string) *header {
	s.scanned++
	h := matchHeader(line, cells)
	if h.isHeader() {
		return h
	}
	n := nonBlank(cells)
	if s.best == nil || h.score() > s.best.score() || (h.score() == s.best.score() && n > s.bestLen) {
		s.best, s.bestLen = h, n
		s.bestCells = append([]string(nil), cells...)
	}
	return nil
}

func (s *headerSearch) done() bool { return s.scanned >= headerScanRows }

// errorFor is the fatal error for a header h that lacks a required column, or for
// no header at all when h is nil.
func (s *headerSearch) errorFor(h *header, cells []string, sheet string) *HeaderError {
	if h == nil {
		h, cells = s.best, s.bestCells
	}
	if h == nil {
		return &HeaderError{Sheet: sheet, Missing: (&header{}).missing()}
	}
	var found []string
	for _, c := range cells {
		if c = cleantext.Line(c); c != "" && len(found) < maxFound {
			found = append(found, truncate(c, 20))
		}
	}
	return &HeaderError{Sheet: sheet, Line: h.line, Missing: h.missing(), Found: found}
}

func nonBlank(cells []string) int {
	n := 0
	for _, c := range cells {
		if cleantext.Line(c) != "" {
			n++
		}
	}
	return n
}

// truncate shortens s to at most n runes, marking the cut, so that one huge cell
// cannot flood a message.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n {
			break
		}
		k++
	}
	return s[:i] + "…"
}
