package plainmode

import (
	"strconv"
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
	"github.com/doorstep-survey/doorstep/roster"
)

// match finds a case as the screens' search does: name, pinyin, initials, numbers.
func TestMatchByPinyinAndInitials(t *testing.T) {
	all := []localstore.Case{
		{ID: "1", Row: roster.Row{Name: "张三", CertificateNumber: "41010219800101001X11"}},
		{ID: "2", Row: roster.Row{Name: "张山", IDNumber: "410102198001010020"}},
		{ID: "3", Row: roster.Row{Name: "曾小梅"}},
		{ID: "4", Row: roster.Row{Name: "吕小红"}, Status: localstore.StatusCompleted},
	}
	for _, tc := range []struct{ typed, want string }{
		{"zs", "12"},
		{"zhangsan", "1"},
		{"zhang shan", "2"},
		{"ＺＸＭ", "3"}, // full-width, from an input method
		{"lvxiaohong", "4"},
		{"张", "12"},
		{"001x", "1"},
		{"0020", "2"},
		{"qq", ""},
		{"", "123"}, // not done: the completed one is not listed
	} {
		got := ""
		for _, k := range newFinder().match(all, tc.typed) {
			got += k.ID
		}
		if got != tc.want {
			t.Errorf("%q found %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// A case whose roster row changed (a new roster) is found by its new name.
func TestMatchAfterTheRowChanged(t *testing.T) {
	f := newFinder()
	all := []localstore.Case{{ID: "1", Row: roster.Row{Name: "张三"}}}
	if len(f.match(all, "zs")) != 1 {
		t.Fatal("zs")
	}
	all[0].Row.Name = "李四"
	if len(f.match(all, "zs")) != 0 || len(f.match(all, "ls")) != 1 {
		t.Error("the old name's search text was kept")
	}
}

// BenchmarkMatch20000: a search over 20 000 cases after the first.
func BenchmarkMatch20000(b *testing.B) {
	rows := demo.Generate(demo.Options{Seed: 1, Cases: 20000, Villages: 40}).Rows
	all := make([]localstore.Case, len(rows))
	for i, r := range rows {
		all[i] = localstore.Case{ID: strconv.Itoa(i), Row: r}
	}
	f := newFinder()
	f.match(all, "zs")
	b.ResetTimer()
	for b.Loop() {
		f.match(all, "zhangs")
	}
}

// TestPlainFindsByInitials: a case is opened by its name's pinyin initials.
func TestPlainFindsByInitials(t *testing.T) {
	f := formstest.Person2021(t)
	db, rows := store(t)
	// A name of the roster whose initials no other case's search text holds.
	unique := ""
	for _, row := range rows {
		_, initials := namesearch.Speller{}.Spellings(row.Name)
		if len(initials) == 0 {
			continue
		}
		n := 0
		for _, r := range rows {
			hay, _ := namesearch.Speller{}.Haystack(r.Name, r.CertificateNumber, r.IDNumber)
			if namesearch.Match(hay, initials[0]) {
				n++
			}
		}
		if n == 1 {
			unique = initials[0]
			break
		}
	}
	if unique == "" {
		t.Fatal("every name of the demo roster shares its initials: pick another seed")
	}
	d := start(t, db, f)
	unlock(d, "E001")
	d.until("调查对象共")
	d.send(unique)
	d.until("调查方式。")
	d.send("q")
	d.end()
}
