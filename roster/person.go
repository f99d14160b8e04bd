package roster

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/forms/validate"
)

// maxNameRunes is longer than any real name, transliterated minority names with
// their middle dots included; a longer "name" is a shifted column or a note.
const maxNameRunes = 50

// maxRunes caps each field: longer than any real value, so a longer cell is a shifted
// column, a pasted note or an attack (a 10 MB address once took the screens 930 MB to
// show). A row with a cell over its cap is refused by its row number, before anything
// of it is kept.
var maxRunes = [numFields]int{
	fName: maxNameRunes, fCert: 40, fID: 40, fSex: 10, fCategory: 20, fLevel: 20,
	fTown: 50, fVillage: 50, fVillageCode: 20, fHouseholdAddress: 200, fCurrentAddress: 200,
	fPhone: 40, fGuardian: maxNameRunes, fGuardianPhone: 40,
}

// parser turns data rows into Rows once the header is known. It is shared by the
// CSV and XLSX readers, which feed it cells and the file's row numbers.
type parser struct {
	ref time.Time
	res Result
	hdr *header
	// numberCell reports whether the cell of field f on a line was stored as a
	// number in the workbook; nil for CSV.
	numberCell func(line int, f field) bool
	garbledMsg string            // for text the file's encoding garbled
	seen       map[string]int    // ID number → the row it was first seen on
	interned   map[string]string // towns and villages, which repeat on every row
}

func newParser(ref time.Time) *parser {
	return &parser{ref: ref, seen: map[string]int{}, interned: map[string]string{},
		garbledMsg: "含有无法显示的字符（\ufffd），导出时编码出了错；请按原始资料核对"}
}

func (p *parser) problem(line int, f field, msg string) {
	col := ""
	if f != fNone {
		col = p.hdr.names[f]
	}
	p.res.Problems = append(p.res.Problems, Problem{Line: line, Column: col, Msg: msg})
}

func (p *parser) warn(line int, f field, msg string) {
	p.res.Warnings = append(p.res.Warnings, Problem{Line: line, Column: p.hdr.names[f], Msg: msg})
}

func (p *parser) tooLong(line int, f field) {
	p.problem(line, f, fmt.Sprintf("超过%d个字，可能是列错位了或混入了别的内容；这一行没有导入", maxRunes[f]))
}

// garbled is text the file's encoding did not decode: invalid UTF-8, or the
// replacement character a decoder puts in its place.
func garbled(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError)
}

// person validates one data row into a Row, or records why it is not imported.
func (p *parser) person(line int, cells []string) {
	var raw, v [numFields]string
	for i, c := range cells {
		if i < len(p.hdr.cols) && p.hdr.cols[i] != fNone {
			raw[p.hdr.cols[i]] = c
		}
	}
	for f := range raw {
		// UTF-8 takes at most 4 bytes a character: a cell this long in bytes is over
		// its cap whatever it holds, and is not cleaned (a copy) to find out.
		if len(raw[f]) > 4*maxRunes[f] {
			p.tooLong(line, field(f))
			return
		}
	}
	blank := true
	for f := range v {
		v[f] = cleantext.Line(raw[f])
		blank = blank && v[f] == ""
	}
	// A row with nothing of a person (only a 序号, a note, a template's empty row)
	// is no row; neither is one of column names.
	if blank || headerLike(&v) {
		return
	}
	for f := range v {
		if f != int(fName) && utf8.RuneCountInString(v[f]) > maxRunes[f] {
			p.tooLong(line, field(f))
			return
		}
	}
	for _, f := range []field{fName, fCert, fID, fVillage} {
		if garbled(raw[f]) {
			p.problem(line, f, p.garbledMsg)
			return
		}
	}

	r := Row{Line: line, Name: v[fName]}
	switch {
	case r.Name == "":
		p.problem(line, fName, "姓名为空")
		return
	case utf8.RuneCountInString(r.Name) > maxNameRunes:
		p.problem(line, fName, fmt.Sprintf("姓名超过%d个字，可能是列错位了", maxNameRunes))
		return
	}
	if !p.numbers(line, &v, &r) {
		return
	}
	// The same person (the same ID, whether or not with a certificate) as an
	// earlier imported row: reported as a duplicate before anything else, so
	// the officer deletes the row rather than fixes it.
	if first, dup := p.seen[r.IDNumber]; dup {
		f, msg := fCert, fmt.Sprintf("与第 %d 行重复", first)
		if r.CertificateNumber == "" {
			f = fID
		}
		p.res.Duplicates = append(p.res.Duplicates, Problem{Line: line, Column: p.hdr.names[f], Msg: msg})
		return
	}
	r.Village = p.intern(v[fVillage])
	r.Town = p.intern(v[fTown])
	if r.Village == "" {
		p.problem(line, fVillage, p.hdr.names[fVillage]+"为空")
		return
	}
	if !p.sexCategoryLevel(line, &v, &r) {
		return
	}
	if c := integerText(v[fVillageCode]); c != "" {
		if len(c) != 12 || !allDigits(c) {
			p.problem(line, fVillageCode, p.hdr.names[fVillageCode]+"应为12位数字")
			return
		}
		r.VillageCode = c
	}
	r.HouseholdAddress, r.CurrentAddress, r.Guardian = v[fHouseholdAddress], v[fCurrentAddress], v[fGuardian]
	r.Phone = p.phone(line, fPhone, v[fPhone])
	r.GuardianPhone = p.phone(line, fGuardianPhone, v[fGuardianPhone])
	for _, f := range []field{fTown, fHouseholdAddress, fCurrentAddress, fGuardian} {
		if garbled(raw[f]) {
			p.warn(line, f, "含有无法识别的字符，已照原样导入；请按原始资料核对")
		}
	}

	pack(&r)
	p.seen[r.IDNumber] = line
	p.res.Rows = append(p.res.Rows, r)
}

// headerLike reports a row of nothing but column names: the header repeated on
// every printed page, or the second row of a two-row header under merged cells.
func headerLike(v *[numFields]string) bool {
	if hasDigit(v[fCert]) || hasDigit(v[fID]) {
		return false // the common case, decided without normalising anything
	}
	for _, s := range v {
		if _, ok := headerNames[normHeader(s)]; s != "" && !ok {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// numbers checks the certificate and ID numbers, fills r.CertificateNumber,
// r.IDNumber, r.Sex and what the certificate says of category and level.
func (p *parser) numbers(line int, v *[numFields]string, r *Row) bool {
	cert, id := numberText(v[fCert]), numberText(v[fID])
	if cert == "" && id == "" {
		f, msg := fCert, "残疾人证号和公民身份号码都为空"
		switch {
		case !p.hdr.has[fID]:
			msg = p.hdr.names[fCert] + "为空"
		case !p.hdr.has[fCert]:
			f, msg = fID, p.hdr.names[fID]+"为空"
		}
		p.problem(line, f, msg)
		return false
	}
	for _, f := range []field{fCert, fID} {
		s := cert
		if f == fID {
			s = id
		}
		if s != "" && (looksLikeFloat(s) || p.numberCell != nil && p.numberCell(line, f)) {
			p.problem(line, f, "号码在 Excel 中被存成了数字，末尾几位可能已经丢失；"+
				"请把这一列设为“文本”格式，按证件重新填写号码后再导入")
			return false
		}
	}
	if cert != "" {
		c, err := validate.ParseCertificate(cert, p.ref)
		if err != nil {
			p.problem(line, fCert, zh(err))
			return false
		}
		r.CertificateNumber, r.IDNumber, r.Sex = c.Number, c.ID.Number, c.ID.Sex
		r.Category, r.Level = c.Category, c.Level
	}
	if id != "" {
		pid, err := validate.ParseResidentID(id, p.ref)
		if err != nil {
			p.problem(line, fID, zh(err))
			return false
		}
		if r.IDNumber != "" && r.IDNumber != pid.Number {
			p.problem(line, fID, fmt.Sprintf("与%s的前18位不一致", p.hdr.names[fCert]))
			return false
		}
		r.IDNumber, r.Sex = pid.Number, pid.Sex
	}
	return true
}

// sexCategoryLevel reads the sex, category and level columns where the file has
// them. They must agree with the numbers: a disagreement means the number may be
// someone else's.
func (p *parser) sexCategoryLevel(line int, v *[numFields]string, r *Row) bool {
	if s := v[fSex]; s != "" {
		sex, ok := parseSex(s)
		switch {
		case !ok:
			p.problem(line, fSex, fmt.Sprintf("“%s”应为 男 或 女", truncate(s, 10)))
			return false
		case sex != 0 && sex != r.Sex:
			p.problem(line, fSex, fmt.Sprintf("“%s”与身份证号不符（身份证号第17位表示%s）", truncate(s, 10), sexWords[r.Sex]))
			return false
		}
	}
	for _, c := range []struct {
		f     field
		parse func(string) int
		words []string
		digit int
		got   *int
	}{
		{fCategory, parseCategory, categoryWords, 19, &r.Category},
		{fLevel, parseLevel, levelWords, 20, &r.Level},
	} {
		s := v[c.f]
		if s == "" {
			continue
		}
		n := c.parse(s)
		if n == 0 {
			p.problem(line, c.f, fmt.Sprintf("“%s”应为 %s 之一，或代码 1–%d", truncate(s, 10),
				strings.Join(c.words[1:], "、"), len(c.words)-1))
			return false
		}
		if *c.got != 0 && *c.got != n {
			p.problem(line, c.f, fmt.Sprintf("“%s”与%s第%d位（%s）不一致", truncate(s, 10),
				p.hdr.names[fCert], c.digit, c.words[*c.got]))
			return false
		}
		*c.got = n
	}
	return true
}

// phone returns the canonical number, or the number as given when it does not
// validate: a roster phone is no reason to leave a person out, and the
// enumerator confirms it at the door. The officer is warned.
func (p *parser) phone(line int, f field, s string) string {
	if s == "" {
		return ""
	}
	canon, err := validate.ParsePhone(integerText(s))
	if err != nil {
		p.warn(line, f, zh(err)+"；已按原样导入，请入户时核实")
		return s
	}
	return canon
}

func (p *parser) intern(s string) string {
	if t, ok := p.interned[s]; ok {
		return t
	}
	s = strings.Clone(s)
	p.interned[s] = s
	return s
}

// pack copies a good row's own strings into one allocation, so a kept row does
// not pin the whole record it was read from (with its ignored columns).
func pack(r *Row) {
	fs := [...]*string{&r.Name, &r.CertificateNumber, &r.IDNumber, &r.VillageCode,
		&r.HouseholdAddress, &r.CurrentAddress, &r.Phone, &r.Guardian, &r.GuardianPhone}
	n := 0
	for _, f := range fs {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fs {
		b.WriteString(*f)
	}
	all, at := b.String(), 0
	for _, f := range fs {
		l := len(*f)
		*f = all[at : at+l]
		at += l
	}
}

var (
	sexWords      = []string{"", "男", "女"}
	categoryWords = []string{"", "视力", "听力", "言语", "肢体", "智力", "精神", "多重"}
	levelWords    = []string{"", "一级", "二级", "三级", "四级"}
)

// parseSex reads 男/女 or the GB/T 2261.1 codes 1/2. Unknown (0, 9, 未知) reads as
// 0 with ok, as if the cell were empty: the ID number says the sex.
func parseSex(s string) (sex int, ok bool) {
	switch strings.TrimSuffix(numberText(s), "性") {
	case "男", "1":
		return 1, true
	case "女", "2":
		return 2, true
	case "0", "9", "未知", "未知的", "未说明", "未说明的":
		return 0, true
	}
	return 0, false
}

// parseCategory reads 视力 … 多重 (with or without 残疾 or 类) or the code 1–7; 0 if
// it is neither.
func parseCategory(s string) int {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "残疾"), "类")
	for i, w := range categoryWords[1:] {
		if s == w {
			return i + 1
		}
	}
	return code(s, 7)
}

// parseLevel reads 一级 … 四级 (with or without 残疾), 1级 … 4级 or the code 1–4; 0 if
// it is none of them.
func parseLevel(s string) int {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "残疾"), "级")
	for i, w := range []string{"一", "二", "三", "四"} {
		if s == w {
			return i + 1
		}
	}
	return code(s, 4)
}

// code reads a small positive integer, as a spreadsheet may store it ("2", "02",
// "2.0"); 0 when it is not one in 1..max.
func code(s string, max int) int {
	n, err := strconv.Atoi(integerText(s))
	if err != nil || n < 1 || n > max {
		return 0
	}
	return n
}

// numberText undoes what spreadsheets do to keep a number as text: a leading
// apostrophe, or the ="…" formula of some CSV exports.
func numberText(s string) string {
	if strings.HasPrefix(s, "=\"") && strings.HasSuffix(s, "\"") && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "'"), "‘")
	return strings.TrimSpace(s)
}

// integerText is s without the float form a spreadsheet gives a number cell
// ("2.0", "1.3812345678E+10"), where that form holds the whole integer: up to 15
// digits a float keeps exactly. Anything else is returned as numberText has it.
func integerText(s string) string {
	s = numberText(s)
	if !looksLikeFloat(s) {
		return s
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != math.Trunc(x) || x < 0 || x >= 1e15 {
		return s
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// looksLikeFloat reports a number as a spreadsheet writes a float: 4.10102E+19,
// 4.1010219800101101E+17 or 410102198001011000.0. A certificate or ID number in
// that form has lost its last digits.
func looksLikeFloat(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	if hasExp {
		exp = strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
		if exp == "" || !allDigits(exp) {
			return false
		}
	}
	whole, frac, hasDot := strings.Cut(mant, ".")
	if whole == "" || !allDigits(whole) || (hasDot && !allDigits(frac)) {
		return false
	}
	return hasExp || hasDot
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func zh(err error) string {
	if ve, ok := errors.AsType[*validate.Error](err); ok {
		return ve.Message("zh")
	}
	return err.Error()
}
