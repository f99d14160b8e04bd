package cleantext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean", "张三", "张三"},
		{"clean ascii", "Zhang San 3", "Zhang San 3"},
		{"empty", "", ""},
		{"spaces collapsed and trimmed", "  张  三 ", "张 三"},
		{"ideographic and no-break spaces", "吴\u3000\u3000十\u00a0一", "吴 十 一"},
		{"tab and line breaks", "周\t九\r\n路\u2028口\u0085", "周 九 路 口"},
		{"clear screen and colour", "\x1b[2J\x1b[31m张三\x1b[0m", "张三"},
		{"private CSI", "\x1b[?25l\x1b[?1049h张三", "张三"},
		{"OSC title with BEL", "\x1b]0;title\x07李四", "李四"},
		{"OSC hyperlink with ST", "\x1b]8;;http://x\x1b\\王五\x1b]8;;\x1b\\", "王五"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\陈", "陈"},
		{"APC and PM", "\x1b_Gf=100\x1b\\\x1b^pm\x07陈", "陈"},
		{"two-byte ESC", "\x1bc\x1b7重置\x1b8", "重置"},
		{"charset designation", "\x1b(B陈\x1b#8", "陈"},
		{"bidi override", "王\u202e五六", "王五六"},
		{"bidi isolates", "\u2066赵\u2069六\u200f", "赵六"},
		{"8-bit CSI as U+009B", "\u009b31m赵六", "赵六"},
		{"8-bit CSI as a raw byte", "\x9b31m赵六", "赵六"},
		{"8-bit OSC as U+009D", "\u009d0;x\u009c钱七", "钱七"},
		{"8-bit OSC as raw bytes", "\x9d0;x\x9c钱七", "钱七"},
		{"C0 and DEL", "孙\x00八\x07\x7f", "孙八"},
		{"zero-width and BOM", "郑\u200b十\u200d一\ufeff", "郑十一"},
		{"soft hyphen and tags", "冯\u00ad\U000E0041九", "冯九"},
		{"Hangul filler", "\u3164\u3164", ""},
		{"invalid bytes", "bad\xff\xfe字节", "bad字节"},
		{"broken UTF-8 before a C1 byte keeps text", "国\xe5\x9b31m", "国31m"},
		{"CSI cut off by Chinese keeps the Chinese", "\x1b[张三", "张三"},
		{"unterminated CSI", "\x1b[", ""},
		{"unterminated OSC swallows the rest", "李\x1b]0;evil", "李"},
		{"lone ESC", "\x1b", ""},
		{"ESC before Chinese", "\x1b张", "张"},
		{"only escapes", "\x1b[31m\x1b[0m", ""},
		{"variation selector kept (rare name characters)", "\u845b\U000E0100", "\u845b\U000E0100"},
		{"private use kept (rare characters in old GBK data)", "张\ue000", "张\ue000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.in)
			if got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Line(got); again != got {
				t.Errorf("Line(Line(%q)) = %q, want %q", tt.in, again, got)
			}
		})
	}
}

func TestLineCleanInputDoesNotAllocate(t *testing.T) {
	s := "张秀英 河南省郑州市金水区 Room 3"
	if n := testing.AllocsPerRun(100, func() { _ = Line(s) }); n != 0 {
		t.Errorf("%v allocations for a clean string", n)
	}
}

// unsafeRune is what must never reach a terminal.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		(r >= 0x200b && r <= 0x200f) || r == 0xfeff || unicode.Is(unicode.Cf, r) ||
		r == 0x2028 || r == 0x2029 || (r != ' ' && unicode.Is(unicode.Zs, r))
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{
		"张三", "\x1b[2J\x1b[31m张三", "\x1b]0;title\x07李四", "王\u202e五", "\x9b31m赵六",
		"\u009b1m", "\xff\xfe", "a\u3000 b", "\x1bP\x1b\\", "\xc2", "\xe5\x9b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Line(%q) = %q: invalid UTF-8", s, out)
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("Line(%q) = %q keeps byte %#x", s, out, c)
			}
		}
		for _, r := range out {
			if unsafeRune(r) {
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

func BenchmarkLine(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"clean", "张秀英 河南省郑州市金水区文化路街道"},
		{"dirty", "\x1b[31m张\u3000秀英\u202e  河南省郑州市金水区\t文化路街道 "},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Line(bc.s)
			}
		})
	}
}
