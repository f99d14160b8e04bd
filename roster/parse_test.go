package roster

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/doorstep-survey/doorstep/forms/validate"
)

var ref = time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)

func idWithCheck(first17 string) string {
	id, err := validate.CompleteID(first17)
	if err != nil {
		panic(err) // a test's own constant is wrong
	}
	return id
}

var (
	idA = idWithCheck("41010219800101123") // male (3 is odd)
	idB = idWithCheck("41010219550302124") // female
	idC = idWithCheck("41010220100715135") // male
)

const header = "姓名,残疾人证号,公民身份号码,性别,残疾类别,残疾等级,所属乡镇(街道),所属村(社区),联系电话\n"

func goodCSV() string {
	return header +
		"张秀英," + idA + "42," + idA + ",男,肢体,二级,青石镇,王庄村,13812345678\n" +
		"刘建国," + idB + "11,,女,视力,一级,青石镇,柳树沟村,\n" +
		"王小明,," + idC + ",,,,青石镇,王庄村,0371-65123456\n"
}

func parseCSV(t *testing.T, data []byte) Result {
	t.Helper()
	res, err := Parse(bytes.NewReader(data), "csv", ref)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestParseCSVEncodings(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(goodCSV()))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(goodCSV()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, enc string
		data      []byte
	}{
		{"utf-8", "UTF-8", []byte(goodCSV())},
		{"utf-8 bom", "UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), goodCSV()...)},
		{"gbk", "GB18030", gbk},
		{"utf-16", "UTF-16", utf16},
		{"crlf", "UTF-8", []byte(strings.ReplaceAll(goodCSV(), "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSV(t, tt.data)
			if res.Encoding != tt.enc || len(res.Rows) != 3 || len(res.Problems) != 0 {
				t.Fatalf("%s: %d rows, problems %v", res.Encoding, len(res.Rows), res.Problems)
			}
			r := res.Rows[0]
			if r.Name != "张秀英" || r.CertificateNumber != idA+"42" || r.Category != 4 || r.Level != 2 || r.Sex != 1 || r.Village != "王庄村" || r.Line != 2 {
				t.Errorf("row %+v", r)
			}
			if c := res.Rows[2]; c.IDNumber != idC || c.CertificateNumber != "" || c.Key() != idC || c.Phone != "0371-65123456" {
				t.Errorf("ID-only row %+v", c)
			}
		})
	}
}

func TestHeaderVariantsAndTitleRows(t *testing.T) {
	data := "2021年持证残疾人底册,,,\n导出日期：2021-10-08,,,\n" +
		"序号, 姓 名 ,残疾证号,村（社区）,乡镇/街道,监护人（联系人）,联系人电话\n" +
		"1,张秀英," + idA + "42,王庄村,青石镇,张大山,13900000000\n"
	res := parseCSV(t, []byte(data))
	if len(res.Rows) != 1 {
		t.Fatalf("rows %v problems %v", res.Rows, res.Problems)
	}
	r := res.Rows[0]
	if r.Line != 4 || r.Town != "青石镇" || r.Guardian != "张大山" || r.GuardianPhone != "13900000000" || r.Village != "王庄村" {
		t.Errorf("row %+v", r)
	}
}

func TestFatalProblems(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"no village column", "姓名,残疾人证号\n张三," + idA + "42\n", []string{"required columns missing: 所属村（社区）", "the header has: 姓名, 残疾人证号"}},
		{"no header at all", "a,b,c\n1,2,3\n", []string{"no header row", "found: a, b, c"}},
		{"empty", "", []string{"the file is empty"}},
		{"binary", "\x00\x01\x02\xff\xfe\x80\x81,\n", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.data), "csv", ref)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRowProblems(t *testing.T) {
	badCheck := idA[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", idA[17])+1)%11])
	tests := []struct {
		name, row, col, want string
	}{
		{"no name", "," + idA + "42,,,,,青石镇,王庄村,", "姓名", "姓名为空"},
		{"no village", "张三," + idA + "42,,,,,青石镇,,", "所属村（社区）", "为空"},
		{"no number", "张三,,,,,,青石镇,王庄村,", "残疾人证号", "都为空"},
		{"bad check digit", "张三," + badCheck + "42,,,,,青石镇,王庄村,", "残疾人证号", "校验"},
		{"category 8", "张三," + idA + "82,,,,,青石镇,王庄村,", "残疾人证号", ""},
		{"ID disagrees", "张三," + idA + "42," + idB + ",,,,青石镇,王庄村,", "公民身份号码", "不一致"},
		{"sex disagrees", "张三," + idA + "42,,女,,,青石镇,王庄村,", "性别", "不一致"},
		{"category disagrees", "张三," + idA + "42,,,视力,,青石镇,王庄村,", "残疾类别", "不一致"},
		{"bad level word", "张三," + idC + ",,,,五级,青石镇,王庄村,", "残疾等级", "不是有效"},
		{"number formatted", "张三,4.10102198001011E+19,,,,,青石镇,王庄村,", "残疾人证号", "文本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSV(t, []byte(header+tt.row+"\n"))
			if len(res.Rows) != 0 || len(res.Problems) != 1 {
				t.Fatalf("rows %v problems %v", res.Rows, res.Problems)
			}
			p := res.Problems[0]
			if p.Line != 2 || p.Column != tt.col || !strings.Contains(p.Msg, tt.want) {
				t.Errorf("problem %+v, want column %s and %q", p, tt.col, tt.want)
			}
		})
	}
}

func TestDuplicatesAndHostileNames(t *testing.T) {
	data := header +
		"\x1b[2J\x1b]0;pwned\x07张\u202e秀英," + idA + "42,,,,,青石镇,王庄村,\n" +
		"张秀英," + idA + "42,,,,,青石镇,王庄村,\n" +
		"\x1b[31m,," + idC + ",,,,青石镇,王庄村,\n"
	res := parseCSV(t, []byte(data))
	if len(res.Rows) != 1 || res.Rows[0].Name != "张秀英" {
		t.Fatalf("rows %+v", res.Rows)
	}
	if len(res.Duplicates) != 1 || res.Duplicates[0].Line != 3 || !strings.Contains(res.Duplicates[0].Msg, "第 2 行") {
		t.Errorf("duplicates %v", res.Duplicates)
	}
	if len(res.Problems) != 1 || res.Problems[0].Line != 4 {
		t.Errorf("a name of only escapes is empty: %v", res.Problems)
	}
}

func TestManyBadRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 5000 {
		fmt.Fprintf(&b, "人%d,123,,,,,青石镇,王庄村,\n", i)
	}
	b.WriteString("张秀英," + idA + "42,,,,,青石镇,王庄村,\n")
	res := parseCSV(t, []byte(b.String()))
	if len(res.Problems) != 5000 || len(res.Rows) != 1 || res.Problems[4999].Line != 5001 {
		t.Errorf("%d problems, %d rows", len(res.Problems), len(res.Rows))
	}
}

func writeXLSX(t testing.TB, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestParseXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.xlsx")
	writeXLSX(t, path, [][]any{
		{"持证残疾人底册"},
		{"姓名", "残疾人证号", "所属乡镇（街道）", "所属村（社区）", "统计用区划代码"},
		{"张秀英", idA + "42", "青石镇", "王庄村", "410102001001"},
		{"刘建国", 41010219550302124411.0, "青石镇", "柳树沟村", ""},
		{"王小明", idC, "青石镇", "王庄村", "12345"},
	})
	res, err := ParseFile(path, ref)
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoding != "XLSX" || len(res.Rows) != 1 || res.Rows[0].VillageCode != "410102001001" || res.Rows[0].Line != 3 {
		t.Fatalf("rows %+v", res.Rows)
	}
	if len(res.Problems) != 2 || !strings.Contains(res.Problems[0].Msg, "文本") || res.Problems[1].Column != "统计用区划代码" {
		t.Errorf("problems %v", res.Problems)
	}
}

func TestParseFileRefusals(t *testing.T) {
	dir := t.TempDir()
	xls := filepath.Join(dir, "old.xls")
	os.WriteFile(xls, []byte("x"), 0o600)
	if _, err := ParseFile(xls, ref); err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("xls: %v", err)
	}
	fake := filepath.Join(dir, "fake.xlsx")
	os.WriteFile(fake, []byte("not a zip"), 0o600)
	if _, err := ParseFile(fake, ref); err == nil || !strings.Contains(err.Error(), "not a readable .xlsx") {
		t.Errorf("fake xlsx: %v", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "none.csv"), ref); err == nil {
		t.Error("missing file")
	}
	var nr error = ErrNotRoster
	if _, err := Parse(strings.NewReader("x,y\n"), "csv", ref); !errors.Is(err, nr) {
		t.Errorf("not a roster: %v", err)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(goodCSV()))
	f.Add([]byte(header + "张三,\"" + idA + "42\",,,,,青石镇,王庄村\n"))
	f.Add([]byte("\xef\xbb\xbf" + header))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data), "csv", ref)
		if err != nil {
			return
		}
		for _, r := range res.Rows {
			if r.Key() == "" || r.Name == "" || r.Village == "" {
				t.Fatalf("row without key, name or village: %+v", r)
			}
		}
	})
}

func BenchmarkParse20000(b *testing.B) {
	dir := b.TempDir()
	rows := [][]any{{"姓名", "残疾人证号", "性别", "所属乡镇(街道)", "所属村(社区)", "联系电话"}}
	var csvBuf strings.Builder
	csvBuf.WriteString("姓名,残疾人证号,性别,所属乡镇(街道),所属村(社区),联系电话\n")
	for i := range 20000 {
		id := idWithCheck(fmt.Sprintf("4101%02d19%02d0101%03d", i/1000%100, 30+i%60, i%1000))
		sex := "女"
		if (i%1000)%2 == 1 {
			sex = "男"
		}
		rows = append(rows, []any{"张秀英", id + "42", sex, "青石镇", fmt.Sprintf("第%d村", i%6), "13812345678"})
		fmt.Fprintf(&csvBuf, "张秀英,%s42,%s,青石镇,第%d村,13812345678\n", id, sex, i%6)
	}
	xlsx := filepath.Join(dir, "r.xlsx")
	writeXLSX(b, xlsx, rows)
	csvPath := filepath.Join(dir, "r.csv")
	os.WriteFile(csvPath, []byte(csvBuf.String()), 0o600)
	for _, p := range []string{xlsx, csvPath} {
		b.Run(filepath.Ext(p)[1:], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := ParseFile(p, ref)
				if err != nil || len(res.Rows) != 20000 {
					b.Fatalf("%d rows, %v, %v", len(res.Rows), err, res.Problems[:min(3, len(res.Problems))])
				}
			}
		})
	}
}

// TestLargeFile: a 50 MB CSV (about 500 000 rows, many repeating a number) is read in
// one pass and every row is accounted for: imported, duplicate or refused.
func TestLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 50 MB file")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header)
	n := 0
	for size := len(header); size < 50<<20; n++ {
		id := idWithCheck(fmt.Sprintf("41%04d19%02d%02d%02d%03d", n/100000, 30+n%60, 1+n%12, 1+n%28, n%1000))
		line := fmt.Sprintf("张秀英%d,%s42,%s,男,肢体,二级,青石镇,第%d村,13812345678\n", n, id, id, n%50)
		if (n%1000)%2 == 0 {
			line = strings.Replace(line, ",男,", ",女,", 1)
		}
		size += len(line)
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := ParseFile(path, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows)+len(res.Duplicates)+len(res.Problems) != n || len(res.Rows) == 0 {
		t.Errorf("%d rows, %d duplicates, %d problems of %d", len(res.Rows), len(res.Duplicates), len(res.Problems), n)
	}
	if len(res.Problems) > 0 {
		t.Errorf("first problem: %v", res.Problems[0])
	}
}
