package roster

import (
	"strings"
	"testing"
)

// TestOverlongCellRefused: every field has a length cap; a row with a cell over it (a
// 10 MB address, a note pasted into the village) is refused by its row number and
// column, the other rows imported.
func TestOverlongCellRefused(t *testing.T) {
	header := "姓名,残疾人证号,公民身份号码,残疾类别,残疾等级,所属乡镇(街道),所属村(社区),现住址,监护人(联系人)"
	row := func(id, village, address, guardian string) string {
		return "张三," + id + "11," + id + ",视力残疾,一级,青石镇," + village + "," + address + "," + guardian
	}
	tests := []struct {
		name, village, address, guardian, column string
	}{
		{"a 10 MB address", "柳树沟村", strings.Repeat("路", 10<<20/3), "刘大山", "现住址"},
		{"an address of 201 characters", "柳树沟村", strings.Repeat("路", 201), "刘大山", "现住址"},
		{"a village of 51 characters", strings.Repeat("村", 51), "建设路1号", "刘大山", "所属村(社区)"},
		{"a guardian of 51 characters", "柳树沟村", "建设路1号", strings.Repeat("刘", 51), "监护人(联系人)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, lines(header, row(idA, "柳树沟村", "建设路1号", "刘大山"), row(idB, tt.village, tt.address, tt.guardian)))
			if len(res.Rows) != 1 || res.Rows[0].Line != 2 {
				t.Fatalf("rows %+v", res.Rows)
			}
			if len(res.Problems) != 1 || res.Problems[0].Line != 3 || res.Problems[0].Column != tt.column ||
				!strings.Contains(res.Problems[0].Msg, "超过") {
				t.Fatalf("problems %v", res.Problems)
			}
		})
	}
	// At the cap, the row is taken.
	res := parseCSVBytes(t, lines(header, row(idB, strings.Repeat("村", 50), strings.Repeat("路", 200), "刘大山")))
	if len(res.Rows) != 1 || len(res.Problems) != 0 {
		t.Fatalf("at the caps: rows %d problems %v", len(res.Rows), res.Problems)
	}
}
