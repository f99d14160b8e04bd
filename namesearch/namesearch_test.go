package namesearch

import (
	"slices"
	"testing"
)

func TestFinds(t *testing.T) {
	sp := Speller{}
	for _, tc := range []struct {
		name, typed string
		other       []string
		want        bool
	}{
		{"张三", "zhangsan", nil, true},
		{"张三", "zs", nil, true},
		{"张三", "Zhang San", nil, true},
		{"张三", "ＺＳ", nil, true}, // full-width, from an input method
		{"张三", "张", nil, true},
		{"张三", "zx", nil, false},
		{"曾小梅", "zxm", nil, true}, // the surname's own reading
		{"单田芳", "shantianfang", nil, true},
		{"吕小红", "lvxiaohong", nil, true},
		{"吕小红", "luxiaohong", nil, true}, // ü typed u
		{"阿依古丽·买买提", "ayglmmt", nil, true},
		{"王五", "41010219", []string{"41010219420311110X"}, true},
		{"王五", "110x", []string{"41010219420311110X"}, true},
		{"王五", "wu4101", []string{"41010219420311110X"}, false}, // no match spans two texts
		{"", "", nil, true},
	} {
		hay, _ := sp.Haystack(tc.name, tc.other...)
		if got := Match(hay, Query(tc.typed)); got != tc.want {
			t.Errorf("%s typed %q: %v, want %v (haystack %q)", tc.name, tc.typed, got, tc.want, hay)
		}
	}
}

func TestSpellingsAreBounded(t *testing.T) {
	full, initials := Speller{}.Spellings("单长乐解仇区查翟")
	if len(full) > 2*maxSpellings || len(initials) > maxSpellings {
		t.Errorf("%d spellings, %d initials", len(full), len(initials))
	}
	if full, _ := (Speller{}).Spellings("·123"); full != nil {
		t.Errorf("no pinyin, yet %q", full)
	}
	if _, sp := (Speller{}).Haystack("张三"); sp != "zhangsan" {
		t.Errorf("spelling %q", sp)
	}
	if full, _ := (Speller{}).Spellings("曾"); !slices.Contains(full, "zeng") {
		t.Errorf("曾 %q", full)
	}
}
