package textwidth

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
)

func TestWidthTruncatePad(t *testing.T) {
	tests := []struct {
		in    string
		w     int
		trunc string
		right string
		left  string
	}{
		{"张三", 4, "张三", "张三", "张三"},
		{"张三丰", 4, "张…", "张… ", " 张…"},
		{"张三丰", 5, "张三…", "张三…", "张三…"},
		{"ab张三", 4, "ab…", "ab… ", " ab…"},
		{"abc", 5, "abc", "abc  ", "  abc"},
		{"婚姻状况：有配偶", 10, "婚姻状况…", "婚姻状况… ", " 婚姻状况…"},
		{"𠈌三", 4, "𠈌三", "𠈌三", "𠈌三"}, // Extension B: two cells like any other
		{"x", 0, "", "", ""},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.w); got != tt.trunc || Width(got) > tt.w {
			t.Errorf("Truncate(%q, %d) = %q (width %d), want %q", tt.in, tt.w, got, Width(got), tt.trunc)
		}
		if got := PadRight(tt.in, tt.w); got != tt.right || Width(got) != tt.w {
			t.Errorf("PadRight(%q, %d) = %q (width %d), want %q", tt.in, tt.w, got, Width(got), tt.right)
		}
		if got := PadLeft(tt.in, tt.w); got != tt.left || Width(got) != tt.w {
			t.Errorf("PadLeft(%q, %d) = %q (width %d), want %q", tt.in, tt.w, got, Width(got), tt.left)
		}
	}
	if Width("张三") != 4 || Width("\x1b[31m张\x1b[0m") != 2 || Width("ab\n张三丰") != 6 {
		t.Error("width of wide characters")
	}
	if got := Truncate("\x1b[1m张三丰\x1b[0m", 4); Width(got) != 3 || !strings.Contains(got, "\x1b[1m") {
		t.Errorf("styled truncate %q", got)
	}
	if got := Center("张三", 7); got != " 张三  " {
		t.Errorf("Center = %q", got)
	}
	if Width(Rule(9)) != 9 {
		t.Errorf("Rule(9) is %d cells", Width(Rule(9)))
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want []string
	}{
		// Chinese breaks between characters.
		{"残疾人本人的姓名以残疾人证为准", 10, []string{"残疾人本人", "的姓名以残", "疾人证为准"}},
		// Closing punctuation never starts a line: the character before it comes along.
		{"请核实姓名，以证为准", 10, []string{"请核实姓", "名，以证为", "准"}},
		// Opening punctuation never ends a line.
		{"选择一项（单选）即可", 10, []string{"选择一项", "（单选）即", "可"}},
		// Latin words stay whole and break at spaces; a word meets Chinese at a break.
		{"Marital status of the person", 12, []string{"Marital", "status of", "the person"}},
		{"填写2021年9月30日的状况", 10, []string{"填写2021年", "9月30日的", "状况"}},
		// A word longer than the line is cut.
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		// Newlines are kept; an empty paragraph stays an empty line.
		{"一\n\n二", 10, []string{"一", "", "二"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.in, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}

// TestWrapFormText wraps every label and help text of the person form at the widths the
// screens use: no line too wide, nothing lost, no line starting with closing punctuation.
func TestWrapFormText(t *testing.T) {
	f := formstest.Person2021(t)
	for _, q := range f.Questions() {
		for _, lang := range []string{"zh", "en"} {
			for _, s := range []string{q.Label.In(lang), q.Help.In(lang)} {
				for _, w := range []int{36, 76, 116} {
					lines := Wrap(s, w)
					for i, l := range lines {
						if Width(l) > w {
							t.Errorf("%s %s w=%d: line %q is %d cells", q.ID, lang, w, l, Width(l))
						}
						if i > 0 && l != "" && oneOf(noStart, string([]rune(l)[0])) {
							t.Errorf("%s %s w=%d: line starts with punctuation: %q", q.ID, lang, w, l)
						}
					}
					if strings.ReplaceAll(strings.Join(lines, ""), " ", "") != strings.ReplaceAll(s, " ", "") {
						t.Errorf("%s %s w=%d: text lost:\n%q\n%q", q.ID, lang, w, strings.Join(lines, ""), s)
					}
				}
			}
		}
	}
}

// TestFormTextWidthMethodsAgree guards the finding in the package comment: lipgloss
// measures grapheme clusters, the renderer counts wcwidth unless the terminal reports
// mode 2027, and for our text the two agree. A form whose text makes them differ would
// be drawn misaligned on some terminals: this test names the text.
func TestFormTextWidthMethodsAgree(t *testing.T) {
	all, err := forms.BuiltinForms()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		for _, q := range f.Questions() {
			texts := []string{q.Label.ZH, q.Label.EN, q.Help.ZH, q.Help.EN, q.Short.ZH, q.Short.EN, q.Unit.ZH, q.Unit.EN}
			for _, o := range q.Options {
				texts = append(texts, o.Label.ZH, o.Label.EN)
			}
			for _, s := range texts {
				if ansi.StringWidth(s) != ansi.StringWidthWc(s) {
					t.Errorf("%s %s: %q is %d cells as graphemes, %d by wcwidth", f.ID, q.ID, s, ansi.StringWidth(s), ansi.StringWidthWc(s))
				}
			}
		}
	}
}

func BenchmarkWrapHelp(b *testing.B) {
	s := strings.Repeat("残疾人本人的姓名，以残疾人证上的姓名为准（已从底册预填）。", 6)
	for b.Loop() {
		Wrap(s, 76)
	}
}

// TestFieldCursor places the cursor by cells: after two Chinese characters it is at cell
// 4, not 2 (the rune count bubbles' textinput uses), and a long value scrolls so that
// the cursor stays in the field.
func TestFieldCursor(t *testing.T) {
	tests := []struct {
		value      string
		pos, w     int
		before     string
		cursor     int // cell of the cursor in the field
		fieldWidth int
	}{
		{"abc", 3, 10, "abc", 3, 11},
		{"abc", 1, 10, "a", 1, 11},
		{"王芳", 2, 10, "王芳", 4, 11},       // at the end: two cells a character
		{"王芳", 1, 10, "王", 2, 11},        // between them
		{"a王b芳", 3, 10, "a王b", 4, 11},    // mixed
		{"𠈌三", 1, 10, "𠈌", 2, 11},        // Extension B, one rune of two cells
		{"张三丰李四王五", 7, 6, "四王五", 6, 7},   // scrolled: the cursor at the right edge
		{"张三丰李四王五", 7, 5, "王五", 4, 6},    // an odd width drops a whole character
		{"abcdefghij", 2, 5, "ab", 2, 6}, // the cursor near the start: no scroll
		{"张三丰李四王五", 0, 6, "", 0, 7},      // at the start of a long value
		{"abc", 3, 0, "abc", 3, 4},       // no width: as wide as the value
	}
	for _, tt := range tests {
		before, after := Field(tt.value, tt.pos, tt.w)
		if before != tt.before || Width(before) != tt.cursor {
			t.Errorf("Field(%q, %d, %d): before %q (cursor at %d), want %q at %d", tt.value, tt.pos, tt.w, before, Width(before), tt.before, tt.cursor)
		}
		if got := Width(before + after); got != tt.fieldWidth {
			t.Errorf("Field(%q, %d, %d): %d cells wide, want %d", tt.value, tt.pos, tt.w, got, tt.fieldWidth)
		}
		if tt.pos < len([]rune(tt.value)) && !strings.HasPrefix(after, string([]rune(tt.value)[tt.pos])) {
			t.Errorf("Field(%q, %d, %d): the character under the cursor is lost: %q", tt.value, tt.pos, tt.w, after)
		}
	}
}
