package roster

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// benchRows is a realistic 20 000-row roster: every column of the national
// export, a quarter of the phones landlines, a few bad rows.
func benchRows(n int) [][]any {
	rows := [][]any{
		{"2021年青石镇持证残疾人底册"},
		{"序号", "姓名", "残疾人证号", "公民身份号码", "性别", "残疾类别", "残疾等级", "所属乡镇（街道）", "所属村（社区）",
			"统计用区划代码", "户籍地址", "现住址", "联系电话", "监护人（联系人）", "监护人联系电话"},
	}
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈淑珍", "杨明", "赵丽华", "黄伟"}
	for i := range n {
		cert := syntheticCert(i)
		if i%1000 == 999 {
			cert = cert[:17] + "?" + cert[18:] // a few bad rows
		}
		sex := "女"
		if (cert[16]-'0')%2 == 1 {
			sex = "男"
		}
		village := fmt.Sprintf("第%d村", i%40)
		phone := fmt.Sprintf("138%08d", i)
		if i%4 == 0 {
			phone = fmt.Sprintf("0371-6%07d", i)
		}
		rows = append(rows, []any{
			i + 1, names[i%len(names)], cert, cert[:18], sex, categoryWords[cert[18]-'0'], levelWords[cert[19]-'0'],
			"青石镇", village, fmt.Sprintf("410102001%03d", i%40), "河南省郑州市中原区青石镇" + village + fmt.Sprintf("%d组", i%9),
			"河南省郑州市中原区青石镇" + village + fmt.Sprintf("%d号", i), phone, names[(i+3)%len(names)], fmt.Sprintf("139%08d", i),
		})
	}
	return rows
}

func BenchmarkParseXLSX20000(b *testing.B) {
	path := tempPath(b, "roster.xlsx")
	writeXLSX(b, path, []sheetData{{"底册", benchRows(20000)}})
	b.ReportAllocs()
	for b.Loop() {
		res, err := ParseFile(path, ref)
		if err != nil || len(res.Rows) != 19980 {
			b.Fatalf("%v: %d rows, %v", err, len(res.Rows), res.Problems[:min(3, len(res.Problems))])
		}
	}
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
}

func BenchmarkParseCSV20000(b *testing.B) {
	var sb strings.Builder
	for _, r := range benchRows(20000) {
		for i, c := range r {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprint(&sb, c)
		}
		sb.WriteByte('\n')
	}
	path := tempPath(b, "roster.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := ParseFile(path, ref)
		if err != nil || len(res.Rows) != 19980 {
			b.Fatalf("%v: %d rows, %v", err, len(res.Rows), res.Problems[:min(3, len(res.Problems))])
		}
	}
	b.ReportMetric(float64(sb.Len())/1e6, "file-MB")
}
