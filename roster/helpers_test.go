package roster

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var ref = time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)

// idWithCheck appends the GB 11643 check character to 17 digits.
func idWithCheck(first17 string) string {
	if len(first17) != 17 {
		panic("idWithCheck wants 17 digits: " + first17)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// idEnding finds a valid ID starting with the 14 digits prefix and ending with
// suffix: the 15th digit is varied until the check character fits.
func idEnding(prefix14, suffix string) string {
	for d := '0'; d <= '9'; d++ {
		id := idWithCheck(prefix14 + string(d) + suffix[:2])
		if id[15:] == suffix {
			return id
		}
	}
	panic("no ID " + prefix14 + "?" + suffix)
}

var (
	idA = idWithCheck("41010219800101123") // male (17th digit odd)
	idB = idWithCheck("41010219550302124") // female
	idC = idWithCheck("41010220100715135") // male
	idD = idWithCheck("41010219721231002") // female
	// idZeros ends in 000, as an ID typed into a number cell does after Excel
	// rounds it to 15 digits, but it is a real, valid number.
	idZeros = idEnding("41010219661003", "000")
)

const stdHeader = "姓名,残疾人证号,公民身份号码,性别,残疾类别,残疾等级,所属乡镇（街道）,所属村（社区）,联系电话"

func lines(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func parseCSVBytes(t testing.TB, data []byte) Result {
	t.Helper()
	res, err := Parse(bytes.NewReader(data), "csv", ref)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return res
}

// writeXLSX writes one sheet per entry of sheets, in order, to a temp file.
func writeXLSX(t testing.TB, path string, sheets []sheetData) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range sh.rows {
			if r == nil {
				continue // leaves an empty row
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := sw.SetRow(cell, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

type sheetData struct {
	name string
	rows [][]any
}

func tempPath(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }

// syntheticCert is the i-th of up to 23 520 distinct valid certificate numbers.
func syntheticCert(i int) string {
	id := idWithCheck(fmt.Sprintf("410102%04d%02d%02d%03d", 1940+i%70, 1+i/70%12, 1+i/840%28, i%1000))
	return id + string(rune('1'+i%7)) + string(rune('1'+i%4))
}

func problemsString(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}
