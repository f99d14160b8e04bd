package roster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestParseXLSX(t *testing.T) {
	var idDNumber int64
	fmt.Sscan(idD, &idDNumber) // an ID written by a program into a number cell, all digits intact
	certFloat := 0.0
	fmt.Sscan(idB+"11", &certFloat) // a certificate typed into a General cell: 4.1010219550302124E+19
	path := tempPath(t, "roster.xlsx")
	writeXLSX(t, path, []sheetData{{"底册", [][]any{
		{"2021年持证残疾人底册"},
		{"姓名", "残疾人证号", "公民身份号码", "性别", "残疾等级", "所属乡镇（街道）", "所属村（社区）", "统计用区划代码", "联系电话"},
		{"张秀英", idA + "42", idA, "男", "二级", "青石镇", "王庄村", "410102001001", 13812345678},
		{"刘建国", certFloat, "", "", "", "青石镇", "柳树沟村", "", ""},
		{"赵丽", "", idDNumber, "", "", "青石镇", "柳树沟村", "", ""},
		{"钱多多", "", idZeros, 2, 3, "青石镇", "柳树沟村", 410102001002, ""},
		nil,
		{"\ufffd\ufffd", idWithCheck("41010219900101002") + "11", "", "", "", "青石镇", "王庄村", "", ""},
		{"孙八", idC, "", "", "", "青石镇", "王庄村", "12345", ""},
		{"周\u202e九", "", "4.10102197212310E+17", "", "", "青石镇", "王庄村", "", ""},
	}}})
	res, err := ParseFile(path, ref)
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoding != "XLSX" || len(res.Rows) != 2 {
		t.Fatalf("%s rows %+v\n%s", res.Encoding, res.Rows, problemsString(res.Problems))
	}
	if r := res.Rows[0]; r.Line != 3 || r.CertificateNumber != idA+"42" || r.VillageCode != "410102001001" || r.Phone != "13812345678" || r.Level != 2 {
		t.Errorf("row 3 %+v", r)
	}
	// A text ID that ends in 000 is a real ID, not a rounded number.
	if r := res.Rows[1]; r.Line != 6 || r.IDNumber != idZeros || r.Level != 3 || r.VillageCode != "410102001002" || r.Sex != 2 {
		t.Errorf("row 6 %+v", r)
	}
	want := []struct {
		line int
		col  string
		msg  string
	}{
		{4, "残疾人证号", "“文本”格式"},
		{5, "公民身份号码", "“文本”格式"},
		{8, "姓名", "无法显示的字符"},
		{9, "统计用区划代码", "12位"},
		{10, "公民身份号码", "“文本”格式"},
	}
	if len(res.Problems) != len(want) {
		t.Fatalf("problems:\n%s", problemsString(res.Problems))
	}
	for i, w := range want {
		if p := res.Problems[i]; p.Line != w.line || p.Column != w.col || !strings.Contains(p.Msg, w.msg) {
			t.Errorf("problem %d = %v, want row %d %s %q", i, p, w.line, w.col, w.msg)
		}
	}
}

func TestXLSXSheets(t *testing.T) {
	roster := [][]any{{"姓名", "残疾证号", "村"}, {"张秀英", idA + "42", "王庄村"}}
	tests := []struct {
		name    string
		sheets  []sheetData
		rows    int
		line    int
		err     error
		errWant string
	}{
		{"notes sheet first", []sheetData{{"填表说明", [][]any{{"本表由区残联导出"}, {"请勿修改表头"}}}, {"底册", roster}}, 1, 2, nil, ""},
		{"empty sheet first", []sheetData{{"空", nil}, {"底册", roster}}, 1, 2, nil, ""},
		{"no village", []sheetData{{"底册", [][]any{{"标题"}, {"姓名", "残疾人证号"}, {"张秀英", idA + "42"}}}}, 0, 0, ErrNotRoster,
			`所属村（社区） (or 村/社区, 村（社区）, 社区, 村) (sheet "底册" row 2 has: 姓名, 残疾人证号)`},
		{"no header anywhere names the first sheet", []sheetData{{"封面", [][]any{{"a", "b"}}}, {"其他", [][]any{{"c"}}}}, 0, 0, ErrNotRoster, `sheet "封面" row 1 has: a, b`},
		{"empty workbook", []sheetData{{"Sheet1", nil}}, 0, 0, ErrEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t, "r.xlsx")
			writeXLSX(t, path, tt.sheets)
			res, err := ParseFile(path, ref)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.errWant) {
					t.Errorf("err = %v, want %v with %q", err, tt.err, tt.errWant)
				}
				return
			}
			if err != nil || len(res.Rows) != tt.rows || res.Rows[0].Line != tt.line {
				t.Errorf("%v, rows %+v, problems %v", err, res.Rows, res.Problems)
			}
		})
	}
}

func TestParseXLSXFromReader(t *testing.T) {
	path := tempPath(t, "r.xlsx")
	writeXLSX(t, path, []sheetData{{"底册", [][]any{{"姓名", "残疾人证号", "村"}, {"张秀英", idA + "42", "王庄村"}}}})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(bytes.NewReader(b), "xlsx", ref)
	if err != nil || len(res.Rows) != 1 {
		t.Errorf("%v %+v", err, res)
	}
	if _, err := Parse(strings.NewReader("姓名,残疾人证号,村\n"), "xlsx", ref); err == nil || !strings.Contains(err.Error(), "not a readable .xlsx") {
		t.Errorf("text as xlsx: %v", err)
	}
	if _, err := Parse(strings.NewReader(""), "xlsx", ref); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty xlsx: %v", err)
	}
}

func TestScanNumberCells(t *testing.T) {
	// Column B is the certificate, C the ID.
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>4.1010219550302124E+19</v></c><c r="C2" t="inlineStr"><is><t>x</t></is></c></row>
<row r="3"><c r="B3" s="1" t="n"><v>1</v></c><c r='C3' t='n'><v>2</v></c></row>
<row><c t="s"><v>0</v></c><c t="str"><v>a</v></c><c><v>5</v></c></row>
<x:row r="7"><x:c r="B7"><x:v>7</x:v></x:c><x:c r="C7" t="s"/></x:row>
<row r="8"><c r="AB8"><v>1</v></c><c r="C8"/></row>
</sheetData><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>`
	got, err := scanNumberCells(strings.NewReader(sheet), 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]uint8{2: 1, 3: 3, 4: 2, 7: 1, 8: 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
