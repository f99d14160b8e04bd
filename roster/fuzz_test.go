package roster

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/forms/validate"
)

func FuzzParseCSV(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("姓名,残疾人证号,村\n张秀英," + idA + "42,王庄村\n"))
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("姓名\t身份证号\t村\n王小明\t" + idC + "\t王庄村\n"))
	for _, s := range [][]byte{
		[]byte(goodCSV()),
		[]byte("\xef\xbb\xbf" + stdHeader + "\n张三,\"" + idA + "42\",,男,4,2,青石镇,王庄村,138\n"),
		lines("标题", "", "序号,姓名,残疾证号,村（社区）", "1,张秀英,"+idA+"42,王庄村", "2,张秀英,"+idA+"42,王庄村", "3,\"李\n四\","+idB+"11,\"王庄村"),
		lines("姓名,证号,公民身份号码,村", "\x1b[31m张,"+idB+"11,"+idB+",\u202e村", "赵,4.1E+19,,村"),
		gbk,
		utf16,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data), "csv", ref)
		if err != nil {
			return
		}
		seen := map[int]bool{}
		last := 0
		for _, r := range res.Rows {
			if r.Line <= last {
				t.Fatalf("rows out of order: %d after %d", r.Line, last)
			}
			last = r.Line
			seen[r.Line] = true
			if _, err := validate.ParseCertificate(r.Key(), ref); err != nil {
				t.Fatalf("row %d: invalid key %q: %v", r.Line, r.Key(), err)
			}
			if id, err := validate.ParseResidentID(r.IDNumber, ref); err != nil || id.Number != r.IDNumber || id.Sex != r.Sex {
				t.Fatalf("row %d: ID %q sex %d: %v", r.Line, r.IDNumber, r.Sex, err)
			}
			if r.CertificateNumber != "" && r.CertificateNumber[:18] != r.IDNumber {
				t.Fatalf("row %d: certificate %q and ID %q", r.Line, r.CertificateNumber, r.IDNumber)
			}
			if r.Name == "" || r.Village == "" {
				t.Fatalf("row %d without a name or village: %+v", r.Line, r)
			}
			for _, s := range []string{r.Name, r.Town, r.Village, r.HouseholdAddress, r.CurrentAddress, r.Guardian, r.Phone, r.GuardianPhone} {
				if cleantext.Line(s) != s {
					t.Fatalf("row %d: unclean %q", r.Line, s)
				}
			}
		}
		for _, ps := range [][]Problem{res.Problems, res.Duplicates} {
			for _, p := range ps {
				if p.Line < 1 || seen[p.Line] || p.Msg == "" {
					t.Fatalf("problem %+v (line seen before: %v)", p, seen[p.Line])
				}
				seen[p.Line] = true
			}
		}
	})
}
