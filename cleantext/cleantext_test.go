package cleantext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张三"},
		{"  张  三 ", "张 三"},
		{"\x1b[2J\x1b[31m张三\x1b[0m", "张三"},
		{"\x1b]0;title\x07李四", "李四"},
		{"\x1b]8;;http://x\x1b\\王五\x1b]8;;\x1b\\", "王五"},
		{"王\u202e五六", "王五六"},
		{"\u2066赵\u2069六", "赵六"},
		{"\u009b31m赵六", "赵六"},
		{"\u009d0;x\u009c钱七", "钱七"},
		{"孙\x00八\x07", "孙八"},
		{"周\t九\r\n", "周 九"},
		{"吴\u3000十", "吴 十"},
		{"郑\u200b十一\ufeff", "郑十一"},
		{"bad\xff\xfebytes", "badbytes"},
		{"\x1bc重置", "重置"},
		{"\x1b(B陈", "陈"},
		{"\x1b[", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"张三", "\x1b[31m李四", "\x1b]0;t\x07", "\u009b1m", "a\u202eb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("Line(%q) = %q keeps %U", s, out, r)
			}
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Line(%q) = %q: spaces not collapsed", s, out)
		}
		if again := Line(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
	})
}
