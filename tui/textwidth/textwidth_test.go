package textwidth

import (
	"strings"
	"testing"
)

func TestWidthAndTruncate(t *testing.T) {
	tests := []struct {
		in    string
		w     int
		trunc string
		pad   string
	}{
		{"张三", 4, "张三", "张三"},
		{"张三丰", 4, "张…", "张… "},
		{"张三丰", 5, "张三…", "张三…"},
		{"ab张三", 4, "ab…", "ab… "},
		{"abc", 5, "abc", "abc  "},
		{"婚姻状况：有配偶", 10, "婚姻状况…", "婚姻状况… "},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.w); got != tt.trunc || Width(got) > tt.w {
			t.Errorf("Truncate(%q, %d) = %q (width %d), want %q", tt.in, tt.w, got, Width(got), tt.trunc)
		}
		if got := Pad(tt.in, tt.w); got != tt.pad || Width(got) != tt.w {
			t.Errorf("Pad(%q, %d) = %q (width %d), want %q", tt.in, tt.w, got, Width(got), tt.pad)
		}
	}
	if Width("张三") != 4 || Width("\x1b[31m张\x1b[0m") != 2 {
		t.Error("width of wide characters")
	}
}

func TestWrapChinese(t *testing.T) {
	s := "残疾人本人的姓名，以残疾人证上的姓名为准，已从底册预填。请对照残疾人证或户口簿核实。"
	lines := Wrap(s, 20)
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if Width(l) > 20 {
			t.Errorf("line %q is %d cells", l, Width(l))
		}
	}
	if strings.Join(lines, "") != s {
		t.Errorf("text lost: %q", strings.Join(lines, ""))
	}
}
