package tui

import (
	"fmt"
	"strconv"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// casesFor20000 is a 20 000-case roster of synthetic people over 40 villages.
func casesFor20000() []localstore.Case {
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单")
	given := []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅玉兰文志")
	statuses := []localstore.Status{"", "", "", "", localstore.StatusDraft, localstore.StatusCompleted}
	out := make([]localstore.Case, 20000)
	for i := range out {
		name := string(surnames[i%len(surnames)]) + string(given[(i/7)%len(given)])
		if i%3 == 0 {
			name += string(given[(i/11)%len(given)])
		}
		village := fmt.Sprintf("第%d村", i%40+1)
		r := person(name, village, fmt.Sprintf("19%02d%02d%02d", 30+i%60, 1+i%12, 1+i%28), i%1000, 1+i%7, 1+i%4)
		out[i] = localstore.Case{ID: fmt.Sprint(i), Seq: uint64(i + 1), Row: r, Status: statuses[i%len(statuses)]}
	}
	return out
}

func benchToday(b *testing.B) (*Env, *todayScreen) {
	env := &Env{Lang: "zh", Styles: DefaultStyles(true), Keys: DefaultKeyMap(), Now: newClock().Now, Tick: noTick}
	s := newToday(common{env: env, id: 1})
	s.Update(casesMsg{ix: buildIndex(casesFor20000(), nil, nil)})
	return env, s
}

// BenchmarkSearch20000 is the target "search-as-you-type over 20 000 cases" (< 5 ms a
// keystroke): one refilter per query, as each keystroke causes.
func BenchmarkSearch20000(b *testing.B) {
	_, s := benchToday(b)
	queries := []string{"z", "zs", "wang", "4101", "李秀", "zhangxiu", "19800101"}
	i := 0
	for b.Loop() {
		s.search.SetValue(queries[i%len(queries)])
		s.refilter()
		i++
	}
}

// BenchmarkTodayKeystroke is a keystroke into the search box of the list with 20 000
// cases, through the root: Update (each letter or backspace refilters) and View of the
// whole screen — a person typing "zhang", then erasing it.
func BenchmarkTodayKeystroke(b *testing.B) {
	env, s := benchToday(b)
	s.Init() // focuses the search box, as showing the screen does
	m := Model{env: env, width: 80, height: 24, screen: s, now: env.Now()}
	var keys []tea.KeyPressMsg
	for _, r := range "zhang" {
		keys = append(keys, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	for range "zhang" {
		keys = append(keys, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	// The keys must reach the search: a benchmark of keys that do nothing measures
	// nothing.
	all := len(s.shown)
	next, _ := m.Update(keys[0])
	if s.search.Value() != "z" || len(s.shown) == all {
		b.Fatalf("typing z searched nothing: query %q, %d of %d shown", s.search.Value(), len(s.shown), all)
	}
	next, _ = next.(Model).Update(keys[len(keys)-1])
	m = next.(Model)
	i := 0
	for b.Loop() {
		next, _ := m.Update(keys[i%len(keys)])
		m = next.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkPrepare20000 is the work between the store's cases and a usable list: the
// pinyin of 20 000 names, the counts and the three orders.
func BenchmarkPrepare20000(b *testing.B) {
	cases := casesFor20000()
	for b.Loop() {
		buildIndex(cases, nil, nil)
	}
}

// BenchmarkReload20000 is the same after a case changed: the pinyin is reused.
func BenchmarkReload20000(b *testing.B) {
	cases := casesFor20000()
	prev := buildIndex(cases, nil, nil)
	for b.Loop() {
		buildIndex(cases, nil, prev)
	}
}

// BenchmarkFormKeystroke is a keystroke on the form screen through the root, Update and
// View of the whole window: moving over the options of a choice question, and typing
// in a number question (each character is checked by the form engine as it is typed).
func BenchmarkFormKeystroke(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys []tea.KeyPressMsg
		typ  forms.Type
	}{
		{"choice", []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyUp}}, forms.TypeSingle},
		{"text", []tea.KeyPressMsg{{Code: '7', Text: "7"}, {Code: tea.KeyBackspace}}, forms.TypeText},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := fixture(b, newClock(), true)
			m := startInterview(b, env, 80, 24)
			for i := 0; i < 30 && m.screen.(*formScreen).ed.q.Type != bc.typ; i++ {
				if fs := m.screen.(*formScreen); fs.ed.q.Type.IsChoice() {
					m = press(b, m, strconv.Itoa(fs.ed.offered[0].Code))
				} else {
					m = press(b, m, "enter") // prefilled from the roster
				}
			}
			if m.screen.(*formScreen).ed.q.Type != bc.typ {
				b.Fatalf("no %s question reached:\n%s", bc.typ, screenText(m))
			}
			i := 0
			for b.Loop() {
				next, _ := m.Update(bc.keys[i%len(bc.keys)])
				m = next.(Model)
				_ = m.View()
				i++
			}
		})
	}
}
