// Package namesearch finds a person by what an enumerator types for them: part of the
// name in characters, its pinyin whole or as initials (张三: zhangsan, zs), part of a
// certificate or ID number. The screens and plain mode search with it, so that what
// finds a person on one finds them on the other. It knows text only: it must never
// read the store or draw, and it cleans nothing (callers hand it text fit to show).
package namesearch

import (
	"slices"
	"strings"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"
)

// Speller holds the readings of each character met, the usual one first: names share
// few characters, so 20 000 names need a few thousand dictionary lookups, not sixty
// thousand. One Speller serves one pass over a list; it is not safe for concurrent use.
type Speller map[rune][]string

var heteronymArgs = func() pinyin.Args { a := pinyin.NewArgs(); a.Heteronym = true; return a }()

func (sp Speller) readings(r rune) []string {
	v, ok := sp[r]
	if !ok {
		v = pinyin.SinglePinyin(r, heteronymArgs)
		sp[r] = v
	}
	return v
}

// maxSpellings bounds the pinyin spellings kept per name.
const maxSpellings = 8

// Spellings returns the ways a name is typed in pinyin: whole (zhangsan) and as
// initials (zs), the usual reading first. Many name characters have other readings,
// and a surname often has one of its own that the usual one misses (曾 zeng, not ceng;
// 单 shan; 解 xie; 仇 qiu; 区 ou; 查 zha; 翟 zhai; in a given name 长 chang, 乐 yue), so
// up to four readings of the surname and two of each other character are kept, at most
// maxSpellings in all. ü is typed v or u (吕: lv, lu). Characters with no pinyin are
// left out.
func (sp Speller) Spellings(name string) (full, initials []string) {
	full, initials = []string{""}, []string{""}
	first := true
	for _, r := range name {
		rs := sp.readings(r)
		if len(rs) == 0 {
			continue
		}
		keep := 2
		if first {
			keep, first = 4, false
		}
		rs = rs[:min(len(rs), keep)]
		for len(rs) > 1 && len(full)*len(rs) > maxSpellings {
			rs = rs[:len(rs)-1]
		}
		nf, ni := make([]string, 0, len(full)*len(rs)), make([]string, 0, len(full)*len(rs))
		for i := range full {
			for _, reading := range rs {
				nf = append(nf, full[i]+reading)
				ni = append(ni, initials[i]+reading[:1])
			}
		}
		full, initials = nf, ni
	}
	if full[0] == "" {
		return nil, nil
	}
	for _, f := range full {
		if strings.Contains(f, "v") && len(full) < 2*maxSpellings {
			full = append(full, strings.ReplaceAll(f, "v", "u"))
		}
	}
	return dedupe(full), dedupe(initials)
}

// dedupe removes repeats, keeping the first of each.
func dedupe(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Haystack is the text a query is looked for in, worked out once per person: the
// name, its pinyin spellings and initials, and the other texts (numbers, village),
// lower case, separated by NUL so that no match spans two of them. spelling is the
// name's usual pinyin, for sorting by name ("" when it has none).
func (sp Speller) Haystack(name string, other ...string) (hay, spelling string) {
	full, initials := sp.Spellings(name)
	var b strings.Builder
	n := 2 * len(name)
	for _, s := range full {
		n += len(s) + len(s)/2 + 2
	}
	for _, s := range other {
		n += len(s) + 1
	}
	b.Grow(n)
	b.WriteString(strings.ToLower(name))
	for _, part := range [][]string{full, initials, other} {
		for _, s := range part {
			b.WriteByte(0)
			b.WriteString(strings.ToLower(s))
		}
	}
	if len(full) > 0 {
		spelling = full[0]
	}
	return b.String(), spelling
}

// Query makes what was typed comparable with a haystack: full-width letters and
// digits (a Chinese input method left in full-width mode) become ASCII, letters lower
// case, spaces go (zhang san finds zhangsan).
func Query(q string) string {
	q = strings.ToLower(width.Narrow.String(q))
	if strings.ContainsAny(q, " \u3000") {
		q = strings.NewReplacer(" ", "", "\u3000", "").Replace(q)
	}
	return q
}

// Match reports whether the haystack holds the query (as Query made it); an empty
// query matches everyone.
func Match(hay, query string) bool { return strings.Contains(hay, query) }
