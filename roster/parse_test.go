package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestHeaderVariants(t *testing.T) {
	row := "张秀英," + idA + "42,青石镇,王庄村,13812345678"
	tests := []struct {
		name, header string
	}{
		{"national", "姓名,残疾人证号,所属乡镇（街道）,所属村（社区）,联系电话"},
		{"half-width brackets", "姓名,残疾人证号,所属乡镇(街道),所属村(社区),联系电话"},
		{"short names", "姓名,残疾证号,乡镇/街道,村/社区,电话"},
		{"shorter", "姓名,证号,乡镇,村,手机"},
		{"bracketed without 所属", "姓名,残疾人证号,乡镇（街道）,村（社区）,联系电话"},
		{"社区", "姓名,残疾人证号,街道,社区,联系电话"},
		{"spaces, asterisks, line breaks", " 姓 名 ,*残疾人证号,\"所属乡镇\n（街道）\",所属村（社区）＊,联系电话："},
		{"full-width slash", "姓名,残疾证号,乡镇／街道,村／社区,电话"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, lines(tt.header, row))
			if len(res.Rows) != 1 {
				t.Fatalf("rows %+v, problems %v", res.Rows, res.Problems)
			}
			r := res.Rows[0]
			if r.Name != "张秀英" || r.CertificateNumber != idA+"42" || r.Town != "青石镇" || r.Village != "王庄村" || r.Phone != "13812345678" {
				t.Errorf("row %+v", r)
			}
		})
	}
}

func TestIDColumnVariants(t *testing.T) {
	for _, h := range []string{"公民身份号码", "身份证号", "身份证号码"} {
		res := parseCSVBytes(t, lines("姓名,"+h+",村", "王小明,"+idC+",王庄村"))
		if len(res.Rows) != 1 || res.Rows[0].IDNumber != idC || res.Rows[0].Key() != idC || res.Rows[0].Sex != 1 {
			t.Errorf("%s: rows %+v, problems %v", h, res.Rows, res.Problems)
		}
	}
}

func TestAllColumns(t *testing.T) {
	data := lines(
		"序号,姓名,残疾人证号,公民身份号码,性别,残疾类别,残疾等级,所属乡镇(街道),所属村(社区),统计用区划代码,户籍地址,现住址,联系电话,监护人(联系人),监护人联系电话,备注",
		"1,刘建国,"+idB+"11,"+idB+",女,视力残疾,一级,青石镇,柳树沟村,410102001001,青石镇柳树沟村3组,郑州市中原区建设路1号,0371-6512 3456,刘大山,+86 139 0000 0000,无",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 1 || len(res.Warnings) != 0 {
		t.Fatalf("rows %+v problems %v warnings %v", res.Rows, res.Problems, res.Warnings)
	}
	want := Row{Line: 2, Name: "刘建国", CertificateNumber: idB + "11", IDNumber: idB, Sex: 2, Category: 1, Level: 1,
		Town: "青石镇", Village: "柳树沟村", VillageCode: "410102001001", HouseholdAddress: "青石镇柳树沟村3组",
		CurrentAddress: "郑州市中原区建设路1号", Phone: "0371-65123456", Guardian: "刘大山", GuardianPhone: "13900000000"}
	if res.Rows[0] != want {
		t.Errorf("got  %+v\nwant %+v", res.Rows[0], want)
	}
}

func TestHeaderBelowTitleRows(t *testing.T) {
	data := lines(
		"2021年青石镇持证残疾人底册,,,",
		"导出日期：2021-10-08,,,",
		"",
		"序号,姓名,残疾证号,村（社区）,乡镇/街道,监护人（联系人）,联系人电话",
		"1,张秀英,"+idA+"42,王庄村,青石镇,张大山,13900000000",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 1 {
		t.Fatalf("rows %v problems %v", res.Rows, res.Problems)
	}
	r := res.Rows[0]
	if r.Line != 5 || r.Town != "青石镇" || r.Guardian != "张大山" || r.GuardianPhone != "13900000000" || r.Village != "王庄村" {
		t.Errorf("row %+v", r)
	}
}

func goodCSV() string {
	return strings.Join([]string{
		stdHeader,
		"张秀英," + idA + "42," + idA + ",男,肢体,二级,青石镇,王庄村,13812345678",
		"刘建国," + idB + "11,,女,视力,一级,青石镇,柳树沟村,",
		"王小明,," + idC + ",,,,青石镇,王庄村,0371-65123456",
		"\"李\u4dae\",," + idD + ",,,,青石镇,\"王庄村\"",
	}, "\n") + "\n"
}

func TestEncodings(t *testing.T) {
	text := goodCSV()
	enc := func(e interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
		b, err := e.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// GBK lacks 䶮 (CJK extension A); GB18030 has it.
	gbkText := strings.ReplaceAll(text, "\u4dae", "四")
	tabs := strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), "\"", "")
	tests := []struct {
		name, enc string
		data      []byte
		name4     string
	}{
		{"UTF-8", "UTF-8", []byte(text), "李\u4dae"},
		{"UTF-8 with BOM", "UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), text...), "李\u4dae"},
		{"CRLF", "UTF-8", []byte(strings.ReplaceAll(text, "\n", "\r\n")), "李\u4dae"},
		{"GBK", "GB18030", enc(simplifiedchinese.GBK.NewEncoder(), gbkText), "李四"},
		{"GB18030", "GB18030", enc(simplifiedchinese.GB18030.NewEncoder(), text), "李\u4dae"},
		{"UTF-16LE tabs (Excel Unicode text)", "UTF-16", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), tabs), "李\u4dae"},
		{"UTF-16BE commas", "UTF-16", enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), text), "李\u4dae"},
		{"GBK tabs", "GB18030", enc(simplifiedchinese.GBK.NewEncoder(), strings.ReplaceAll(tabs, "\u4dae", "四")), "李四"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, tt.data)
			if res.Encoding != tt.enc || len(res.Rows) != 4 || len(res.Problems) != 0 {
				t.Fatalf("%s: %d rows, problems %v", res.Encoding, len(res.Rows), res.Problems)
			}
			r := res.Rows[0]
			if r.Name != "张秀英" || r.CertificateNumber != idA+"42" || r.Category != 4 || r.Level != 2 || r.Sex != 1 || r.Village != "王庄村" || r.Line != 2 {
				t.Errorf("row %+v", r)
			}
			if c := res.Rows[2]; c.IDNumber != idC || c.CertificateNumber != "" || c.Key() != idC || c.Phone != "0371-65123456" {
				t.Errorf("ID-only row %+v", c)
			}
			if d := res.Rows[3]; d.Name != tt.name4 || d.Line != 5 {
				t.Errorf("row 5 %+v", d)
			}
		})
	}
}

// A UTF-8 file whose first 64 KB end in the middle of a character is still UTF-8.
func TestUTF8SampleEndsMidCharacter(t *testing.T) {
	// The long text is in a column the roster does not keep (every kept field has a cap).
	body := "姓名,残疾人证号,村,备注\n张秀英," + idA + "42,王庄村," + strings.Repeat("路", 30000) + "\n"
	for shift := range 3 { // the sample ends inside a 3-byte character in two of these
		data := []byte(strings.Repeat("x", shift+1) + "\n" + body)
		res := parseCSVBytes(t, data)
		if res.Encoding != "UTF-8" || len(res.Problems) != 0 || len(res.Rows) != 1 {
			t.Errorf("shift %d: %s, %d rows, %v", shift, res.Encoding, len(res.Rows), res.Problems)
		}
	}
}

// A UTF-8 file with a few bad bytes is still UTF-8; the rows with them are
// reported, not silently changed.
func TestStrayInvalidBytes(t *testing.T) {
	var b strings.Builder
	b.WriteString(stdHeader + ",现住址\n")
	for i := range 50 {
		fmt.Fprintf(&b, "人%d,%s,,,,,青石镇,王庄村,,建设路%d号\n", i, syntheticCert(i), i)
	}
	b.WriteString("张\xff三," + idA + "42,,,,,青石镇,王庄村,,建设路\n")
	b.WriteString("李四," + idB + "11,,,,,青石镇,王庄村,,建\xfe设路\n")
	res := parseCSVBytes(t, []byte(b.String()))
	if res.Encoding != "UTF-8" || len(res.Rows) != 51 || len(res.Problems) != 1 || len(res.Warnings) != 1 {
		t.Fatalf("%s: %d rows, problems %v, warnings %v", res.Encoding, len(res.Rows), res.Problems, res.Warnings)
	}
	if p := res.Problems[0]; p.Line != 52 || p.Column != "姓名" || !strings.Contains(p.Msg, "编码") {
		t.Errorf("problem %+v", p)
	}
	if w := res.Warnings[0]; w.Line != 53 || w.Column != "现住址" || res.Rows[50].CurrentAddress != "建设路" {
		t.Errorf("warning %+v, row %+v", w, res.Rows[50])
	}
}

func TestEncodingNotRecognised(t *testing.T) {
	big5, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte("姓名,殘疾人證號,所屬村（社區）\n張秀英," + idA + "42,王莊村\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"Big5", big5},
		{"bytes GB18030 cannot decode", []byte("\x81\x20\x81\x20,\xff\xff\n" + "姓名,残疾人证号,村\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.data), "csv", ref)
			if !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), "GB18030") {
				t.Errorf("err = %v, want ErrEncoding", err)
			}
		})
	}
}

func TestFatal(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		is     error
		wants  []string
		sheetN int
	}{
		{"no village column", "姓名,残疾人证号,乡镇\n张三," + idA + "42,青石镇\n", ErrNotRoster,
			[]string{"required columns missing: 所属村（社区）", "row 1 has: 姓名, 残疾人证号, 乡镇"}, 0},
		{"no number column", "姓名,性别,村\n张三,男,王庄村\n", ErrNotRoster,
			[]string{"残疾人证号 or 公民身份号码", "row 1 has: 姓名, 性别, 村"}, 0},
		{"no header at all", "a,b,c\n1,2,3\n", ErrNotRoster, []string{"姓名", "残疾人证号 or 公民身份号码", "所属村（社区）", "a, b, c"}, 0},
		{"header below row 10", strings.Repeat("标题,,\n", 10) + "姓名,残疾人证号,村\n", ErrNotRoster, []string{"required columns missing: 姓名"}, 0},
		{"the fullest row is named", "底册\n序号,名字,证件号码,村\n1,张三,x,y\n", ErrNotRoster,
			[]string{"required columns missing: 姓名, 残疾人证号 or 公民身份号码 (身份证号) (row 2 has: 序号, 名字, 证件号码, 村)"}, 0},
		{"empty", "", ErrEmpty, nil, 0},
		{"only blank lines", "\n\r\n\n", ErrEmpty, nil, 0},
		{"only commas", ",,,\n,,\n", ErrEmpty, nil, 0},
		{"BOM only", "\xef\xbb\xbf", ErrEmpty, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.data), "csv", ref)
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

func TestHeaderErrorFields(t *testing.T) {
	_, err := Parse(strings.NewReader("标题\n姓名,残疾人证号\n"), "csv", ref)
	var he *HeaderError
	if !errors.As(err, &he) || he.Line != 2 || len(he.Missing) != 1 || !strings.HasPrefix(he.Missing[0], "所属村（社区）") ||
		strings.Join(he.Found, "|") != "姓名|残疾人证号" {
		t.Errorf("%#v", err)
	}
}

func TestTooLarge(t *testing.T) {
	path := tempPath(t, "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: no 100 MB written
		t.Fatal(err)
	}
	f.Close()
	if _, err := ParseFile(path, ref); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseFile: %v", err)
	}
	// A reader is cut off as soon as it passes the limit.
	cr := &capReader{r: strings.NewReader("0123456789"), left: 5}
	if b, err := io.ReadAll(cr); !errors.Is(err, ErrTooLarge) {
		t.Errorf("capReader read %q, %v", b, err)
	}
	cr = &capReader{r: strings.NewReader("01234"), left: 5}
	if b, err := io.ReadAll(cr); err != nil || string(b) != "01234" {
		t.Errorf("capReader at the limit: %q, %v", b, err)
	}
}

func TestRowProblems(t *testing.T) {
	wrongCheck := idA[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", idA[17])+1)%11])
	tests := []struct {
		name, row, col, want string
	}{
		{"no name", "," + idA + "42,,,,,青石镇,王庄村,", "姓名", "姓名为空"},
		{"name of escapes only", "\x1b[31m\x1b[0m," + idA + "42,,,,,青石镇,王庄村,", "姓名", "姓名为空"},
		{"name too long", strings.Repeat("名", 51) + "," + idA + "42,,,,,青石镇,王庄村,", "姓名", "超过50个字"},
		{"no village", "张三," + idA + "42,,,,,青石镇,,", "所属村（社区）", "为空"},
		{"no number", "张三,,,,,,青石镇,王庄村,", "残疾人证号", "都为空"},
		{"wrong check digit", "张三," + wrongCheck + "42,,,,,青石镇,王庄村,", "残疾人证号", "校验码不符"},
		{"wrong length", "张三," + idA + "4,,,,,青石镇,王庄村,", "残疾人证号", "应为20位"},
		{"letters in the ID", "张三,,4101021980010112AB,,,,青石镇,王庄村,", "公民身份号码", "只能由数字组成"},
		{"born after the reference date", "张三,," + idWithCheck("41010220211001123") + ",,,,青石镇,王庄村,", "公民身份号码", "晚于调查时点"},
		{"category digit 8", "张三," + idA + "82,,,,,青石镇,王庄村,", "残疾人证号", "第19位"},
		{"ID disagrees with certificate", "张三," + idA + "42," + idB + ",,,,青石镇,王庄村,", "公民身份号码", "与残疾人证号的前18位不一致"},
		{"sex disagrees", "张三," + idA + "42,,女,,,青石镇,王庄村,", "性别", "第17位表示男"},
		{"sex code disagrees", "张三,," + idB + ",1,,,青石镇,王庄村,", "性别", "第17位表示女"},
		{"sex word unknown", "张三," + idA + "42,,公,,,青石镇,王庄村,", "性别", "应为 男 或 女"},
		{"category disagrees", "张三," + idA + "42,,,视力,,青石镇,王庄村,", "残疾类别", "第19位（肢体）不一致"},
		{"category code disagrees", "张三," + idA + "42,,,1,,青石镇,王庄村,", "残疾类别", "不一致"},
		{"level disagrees", "张三," + idA + "42,,,,一级,青石镇,王庄村,", "残疾等级", "第20位（二级）不一致"},
		{"level word unknown", "张三,," + idD + ",,,五级,青石镇,王庄村,", "残疾等级", "一级、二级、三级、四级"},
		{"category word unknown", "张三,," + idD + ",,聋,,青石镇,王庄村,", "残疾类别", "视力、听力"},
		{"certificate as a float", "张三,4.10102198001011E+19,,,,,青石镇,王庄村,", "残疾人证号", "“文本”格式"},
		{"ID as a float with a dot", "张三,,410102198001011000.0,,,,青石镇,王庄村,", "公民身份号码", "“文本”格式"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, lines(stdHeader, "王小明,,"+idC+",,,,青石镇,王庄村,", tt.row))
			if len(res.Rows) != 1 || len(res.Problems) != 1 {
				t.Fatalf("rows %+v problems %v", res.Rows, res.Problems)
			}
			p := res.Problems[0]
			if p.Line != 3 || p.Column != tt.col || !strings.Contains(p.Msg, tt.want) {
				t.Errorf("problem %+v, want row 3, column %s and %q", p, tt.col, tt.want)
			}
		})
	}
}

func TestWordsAndCodes(t *testing.T) {
	cert := idA + "42" // 肢体, 二级, male
	tests := []struct{ sex, category, level string }{
		{"男", "肢体", "二级"},
		{"男性", "肢体残疾", "二级残疾"},
		{"1", "4", "2"},
		{"1", "04", "2级"},
		{"", "肢体类", "二"},
		{"未知", "", ""},
		{"9", "4.0", "2"},
	}
	for _, tt := range tests {
		res := parseCSVBytes(t, lines(stdHeader, "张三,"+cert+",,"+tt.sex+","+tt.category+","+tt.level+",青石镇,王庄村,"))
		if len(res.Rows) != 1 || res.Rows[0].Sex != 1 || res.Rows[0].Category != 4 || res.Rows[0].Level != 2 {
			t.Errorf("%v: rows %+v problems %v", tt, res.Rows, res.Problems)
		}
	}
	// Without a certificate the columns say category and level.
	res := parseCSVBytes(t, lines(stdHeader, "王小明,,"+idC+",男,多重,四级,青石镇,王庄村,", "刘建国,"+idB+",,女,5,3,青石镇,王庄村,"))
	if len(res.Rows) != 2 || res.Rows[0].Category != 7 || res.Rows[0].Level != 4 || res.Rows[1].Category != 5 || res.Rows[1].Level != 3 ||
		res.Rows[1].CertificateNumber != idB || res.Rows[1].IDNumber != idB {
		t.Errorf("rows %+v problems %v", res.Rows, res.Problems)
	}
}

func TestSpreadsheetRowNumbers(t *testing.T) {
	// A cell with line breaks is still one spreadsheet row, and an empty line is one.
	data := lines(
		stdHeader,
		"张秀英,"+idA+"42,,,,,青石镇,王庄村,",
		"\"刘\n建国\","+idB+"11,,,,,\"青石镇\n东街\",柳树沟村,",
		"",
		"坏号码,123,,,,,青石镇,王庄村,",
		"\"王\r\n\r\n小明\",,"+idC+",,,,青石镇,王庄村,",
		"又一个坏号码,,456,,,,青石镇,王庄村,",
	)
	res := parseCSVBytes(t, data)
	var got []int
	for _, r := range res.Rows {
		got = append(got, r.Line)
	}
	for _, p := range res.Problems {
		got = append(got, -p.Line)
	}
	if fmt.Sprint(got) != "[2 3 6 -5 -7]" {
		t.Errorf("rows then -problems at %v\n%s", got, problemsString(res.Problems))
	}
	if res.Rows[1].Name != "刘 建国" || res.Rows[1].Town != "青石镇 东街" {
		t.Errorf("line breaks in cells: %+v", res.Rows[1])
	}
}

func TestUnclosedQuote(t *testing.T) {
	var b strings.Builder
	b.WriteString(stdHeader + "\n")
	b.WriteString("张秀英," + idA + "42,,,,,青石镇,王庄村,\n")
	b.WriteString("\"刘建国," + idB + "11,,,,,青石镇,王庄村,\n") // the quote never closes
	for i := range 30 {
		fmt.Fprintf(&b, "人%d,%s,,,,,青石镇,王庄村,\n", i, syntheticCert(i))
	}
	res := parseCSVBytes(t, []byte(b.String()))
	if len(res.Rows) != 1 || len(res.Problems) != 1 || res.Problems[0].Line != 3 || !strings.Contains(res.Problems[0].Msg, "引号") {
		t.Errorf("rows %d, problems %v", len(res.Rows), res.Problems)
	}
}

func TestDuplicates(t *testing.T) {
	data := lines(
		stdHeader,
		"张秀英,"+idA+"42,,,,,青石镇,王庄村,",
		"张秀英,"+idA+"42,,,,,青石镇,王庄村,",
		"王小明,,"+idC+",,,,青石镇,王庄村,",
		"张秀英,,"+idA+",,,,青石镇,王庄村,",    // the same person without the certificate
		"王小明,,"+idC+",女,,,青石镇,,",      // a duplicate with problems is reported as a duplicate
		"刘建国,"+idB+"11,,,,,青石镇,,",     // not imported: no village …
		"刘建国,"+idB+"11,,,,,青石镇,柳树沟村,", // … so this one is no duplicate
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 3 || len(res.Problems) != 1 || res.Rows[2].Line != 8 {
		t.Fatalf("rows %+v problems %v", res.Rows, res.Problems)
	}
	want := []Problem{
		{Line: 3, Column: "残疾人证号", Msg: "与第 2 行重复"},
		{Line: 5, Column: "公民身份号码", Msg: "与第 2 行重复"},
		{Line: 6, Column: "公民身份号码", Msg: "与第 4 行重复"},
	}
	if fmt.Sprint(res.Duplicates) != fmt.Sprint(want) {
		t.Errorf("duplicates %v\nwant %v", res.Duplicates, want)
	}
}

func TestHostileText(t *testing.T) {
	data := lines(
		"姓名,残疾人证号,所属乡镇（街道）,所属村（社区）,现住址,监护人",
		"\x1b[2J\x1b]0;pwned\x07张\u202e秀英\u200b,"+idA+"42,\x1b[31m青石镇\x1b[0m,王庄村\u2066,\x9b31m建设路\t1号,\u009b2J刘\x1bc大山",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 1 {
		t.Fatalf("rows %+v problems %v", res.Rows, res.Problems)
	}
	r := res.Rows[0]
	if r.Name != "张秀英" || r.Town != "青石镇" || r.Village != "王庄村" || r.CurrentAddress != "建设路 1号" || r.Guardian != "刘大山" {
		t.Errorf("row %+v", r)
	}
}

func TestPhones(t *testing.T) {
	data := lines(
		"姓名,残疾人证号,村,联系电话,监护人联系电话",
		"张秀英,"+idA+"42,王庄村,138 1234 5678,65123456",
		"刘建国,"+idB+"11,王庄村,'13900000000,1.3812345678E+10",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 2 || len(res.Problems) != 0 {
		t.Fatalf("rows %+v problems %v", res.Rows, res.Problems)
	}
	if r := res.Rows[0]; r.Phone != "13812345678" || r.GuardianPhone != "65123456" {
		t.Errorf("row %+v", r)
	}
	if r := res.Rows[1]; r.Phone != "13900000000" || r.GuardianPhone != "13812345678" {
		t.Errorf("row %+v", r)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Line != 2 || res.Warnings[0].Column != "监护人联系电话" || !strings.Contains(res.Warnings[0].Msg, "区号") {
		t.Errorf("warnings %v", res.Warnings)
	}
}

func TestVillageCode(t *testing.T) {
	data := lines(
		"姓名,残疾人证号,村,统计用区划代码",
		"张秀英,"+idA+"42,王庄村,410102001001",
		"刘建国,"+idB+"11,王庄村,4101020010",
		"王小明,"+idC+",王庄村,4.10102001001E+11",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 2 || res.Rows[0].VillageCode != "410102001001" || res.Rows[1].VillageCode != "410102001001" {
		t.Errorf("rows %+v", res.Rows)
	}
	if len(res.Problems) != 1 || res.Problems[0].Line != 3 || res.Problems[0].Column != "统计用区划代码" {
		t.Errorf("problems %v", res.Problems)
	}
}

func TestSkippedRows(t *testing.T) {
	data := lines(
		stdHeader,
		"张秀英,"+idA+"42,,,,,青石镇,王庄村,",
		",,,,,,,,",
		stdHeader, // the header again, as on every printed page
		"  ,\u3000,,,,,,,",
		"刘建国,"+idB+"11,,,,,青石镇,王庄村,",
	)
	res := parseCSVBytes(t, data)
	if len(res.Rows) != 2 || len(res.Problems) != 0 || res.Rows[1].Line != 6 {
		t.Errorf("rows %+v problems %v", res.Rows, res.Problems)
	}
	// Neither is the second row of a two-row header.
	res = parseCSVBytes(t, lines("姓名,残疾人证号,村,监护人（联系人）,", ",,,姓名,联系电话", "张秀英,"+idA+"42,王庄村,张大山,"))
	if len(res.Rows) != 1 || len(res.Problems) != 0 || res.Rows[0].Guardian != "张大山" {
		t.Errorf("rows %+v problems %v", res.Rows, res.Problems)
	}
	// A template's numbered empty rows are not people.
	res = parseCSVBytes(t, lines("序号,姓名,残疾人证号,村", "1,张秀英,"+idA+"42,王庄村", "2,,,", "3,,,"))
	if len(res.Rows) != 1 || len(res.Problems) != 0 {
		t.Errorf("rows %+v problems %v", res.Rows, res.Problems)
	}
}

func TestManyBadRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(stdHeader + "\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "人%d,123,,,,,青石镇,王庄村,\n", i)
	}
	b.WriteString("张秀英," + idA + "42,,,,,青石镇,王庄村,\n")
	res := parseCSVBytes(t, []byte(b.String()))
	if len(res.Problems) != 5000 || len(res.Rows) != 1 || res.Rows[0].Line != 5002 {
		t.Fatalf("%d problems, %d rows", len(res.Problems), len(res.Rows))
	}
	for i, p := range res.Problems {
		if p.Line != i+2 || p.Column != "残疾人证号" {
			t.Fatalf("problem %d: %+v", i, p)
		}
	}
}

// A wide 50 MB export (many columns the roster does not read) parses without
// keeping the file: the rows hold only their own fields.
func TestLargeWideFile(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB")
	}
	const rows = 20000
	filler := strings.Repeat("备注文字", 220) // ~2.5 KB of an ignored column a row
	var b bytes.Buffer
	b.WriteString(stdHeader + ",备注\n")
	for i := range rows {
		fmt.Fprintf(&b, "张秀英,%s,,,,,青石镇,第%d村,,%s\n", syntheticCert(i), i%6, filler)
	}
	if b.Len() < 50<<20 {
		t.Fatalf("only %d MB", b.Len()>>20)
	}
	path := tempPath(t, "wide.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b = bytes.Buffer{}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := ParseFile(path, ref)
	if err != nil || len(res.Rows) != rows || len(res.Problems) != 0 {
		t.Fatalf("%v, %d rows, %v", err, len(res.Rows), res.Problems[:min(3, len(res.Problems))])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if held > 16<<20 {
		t.Errorf("%d MB held after parsing %d rows", held>>20, rows)
	}
	runtime.KeepAlive(res)
}

func TestParseFileFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsxAsCSV := filepath.Join(dir, "really-xlsx.csv")
	writeXLSX(t, filepath.Join(dir, "r.xlsx"), []sheetData{{"底册", [][]any{{"姓名", "残疾人证号", "村"}, {"张秀英", idA + "42", "王庄村"}}}})
	if err := os.Rename(filepath.Join(dir, "r.xlsx"), xlsxAsCSV); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, enc, errWant string
	}{
		{"semicolons", write("s.csv", []byte("姓名;残疾人证号;村\n张秀英;"+idA+"42;王庄村\n")), "UTF-8", ""},
		{"txt with tabs", write("r.txt", []byte("姓名\t残疾人证号\t村\n张秀英\t"+idA+"42\t王庄村\n")), "UTF-8", ""},
		{"xls that is tab-separated text", write("t.xls", []byte("姓名\t残疾人证号\t村\n张秀英\t"+idA+"42\t王庄村\n")), "UTF-8", ""},
		{"xlsx content under a csv name", xlsxAsCSV, "XLSX", ""},
		{"old xls", write("old.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")), "", "save it as .xlsx"},
		{"html saved as xls", write("web.xls", []byte("<html><table><tr><td>姓名</td></tr></table></html>")), "", "web page"},
		{"xlsx that is not", write("fake.xlsx", []byte("not a zip")), "", "not a readable .xlsx"},
		{"missing file", filepath.Join(dir, "none.csv"), "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseFile(tt.path, ref)
			if tt.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errWant) {
					t.Errorf("err = %v, want %q", err, tt.errWant)
				}
				return
			}
			if err != nil || res.Encoding != tt.enc || len(res.Rows) != 1 {
				t.Errorf("%v, %s, %+v %v", err, res.Encoding, res.Rows, res.Problems)
			}
		})
	}
	if _, err := Parse(strings.NewReader("x"), "ods", ref); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := Parse(bytes.NewReader(mustRead(t, xlsxAsCSV)), "csv", ref); err == nil || !strings.Contains(err.Error(), ".xlsx workbook") {
		t.Errorf("xlsx read as csv: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProblemString(t *testing.T) {
	if s := (Problem{Line: 4, Column: "残疾人证号", Msg: "校验码不符"}).String(); s != "第 4 行 残疾人证号：校验码不符" {
		t.Error(s)
	}
	if s := (Problem{Line: 4, Msg: "x"}).String(); s != "第 4 行：x" {
		t.Error(s)
	}
}
