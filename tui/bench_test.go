package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

func rowNamed(name string) roster.Row { return roster.Row{Name: name, Village: "王庄村"} }

// casesFor20000 is a 20 000-case roster as the today screen holds it.
func casesFor20000() []localstore.Case {
	d := demo.Generate(demo.Options{Seed: 1, Cases: 20000, Villages: 40})
	out := make([]localstore.Case, len(d.Rows))
	for i, r := range d.Rows {
		out[i] = localstore.Case{ID: fmt.Sprint(i), Seq: uint64(i + 1), Row: r}
	}
	return out
}

// BenchmarkSearch20000 is the target "search-as-you-type over 20 000 cases" (< 5 ms a
// keystroke): one refilter per query, as each keystroke causes.
func BenchmarkSearch20000(b *testing.B) {
	s := newToday(&Env{Lang: "zh", Styles: DefaultStyles(true), Keys: DefaultKeyMap()})
	s.Update(casesMsg{entries: prepareEntries(casesFor20000())})
	queries := []string{"z", "zs", "wang", "4101", "李秀", "zhangxiu"}
	i := 0
	for b.Loop() {
		s.search.SetValue(queries[i%len(queries)])
		s.refilter()
		i++
	}
}

// BenchmarkTodayKeystroke is the target "Update+View for one keystroke" (< 1 ms) on the
// list screen with 20 000 cases: a typed letter that refilters, and the whole screen.
func BenchmarkTodayKeystroke(b *testing.B) {
	env := &Env{Lang: "zh", Styles: DefaultStyles(true), Keys: DefaultKeyMap(), Now: fixedNow}
	m := Model{env: env, width: 80, height: 24, now: fixedNow()}
	s := newToday(env)
	s.Update(casesMsg{entries: prepareEntries(casesFor20000())})
	m.screen = s
	keys := []tea.KeyPressMsg{{Code: 'w', Text: "w"}, {Code: tea.KeyBackspace}, {Code: tea.KeyDown}, {Code: tea.KeyUp}}
	i := 0
	for b.Loop() {
		next, _ := m.Update(keys[i%len(keys)])
		m = next.(Model)
		_ = m.View()
		i++
	}
}

func BenchmarkPrepareEntries20000(b *testing.B) {
	cases := casesFor20000()
	for b.Loop() {
		prepareEntries(cases)
	}
}
