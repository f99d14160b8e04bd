package tui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// caseEntry is a case prepared for the list: cleaned for the screen, and a search text
// computed once so that a keystroke is one substring test per case.
type caseEntry struct {
	c       localstore.Case
	status  localstore.Status // as the list says it: statusWithdrawn for a withdrawn case
	name    string            // cleaned
	village string            // cleaned
	number  string            // the certificate (or ID) number, masked in the middle
	// haystack is the lower-case name, its pinyin spellings and initials, and the
	// certificate and ID numbers, separated by NUL so that no match spans two of them.
	haystack string
	// spelling is the name's usual pinyin, for sorting by name.
	spelling string
}

// caseIndex is the day's cases, prepared once when they are loaded (off the update
// loop): a keystroke then costs one pass of substring tests, with no pinyin to work out
// and nothing to sort.
type caseIndex struct {
	entries  []caseEntry // roster order
	orders   [numSorts][]int32
	villages []string // in roster order
	// counts are the cases by status, per village and for all ("").
	counts map[string]map[localstore.Status]int
	// notMine is set when the user has villages but none of them is on the roster, so
	// every case is shown rather than none.
	notMine bool
}

type sortOrder int

const (
	sortRoster sortOrder = iota
	sortName
	sortStatus
	numSorts
)

var sortKeys = [numSorts]string{"sort.roster", "sort.name", "sort.status"}

// statusOrder is the order statuses are counted and filtered in.
var statusOrder = []localstore.Status{"", localstore.StatusDraft, localstore.StatusReturned, localstore.StatusReadBack,
	localstore.StatusSigned, localstore.StatusCompleted, localstore.StatusSubmitted, localstore.StatusApproved, statusWithdrawn}

// statusWithdrawn is how the list says a case whose record the district withdrew (a
// duplicate interview: another record of the person stands), whatever the record's
// status: it is counted apart, as no count of the surveyed takes it.
const statusWithdrawn localstore.Status = "withdrawn"

// listStatus is a case's status as the list says it.
func listStatus(c localstore.Case) localstore.Status {
	if c.Withdrawn != "" {
		return statusWithdrawn
	}
	return c.Status
}

// statusRank sorts work still to do first: returned, then in progress, then not
// started, then done.
func statusRank(s localstore.Status) int {
	switch s {
	case localstore.StatusReturned:
		return 0
	case localstore.StatusDraft:
		return 1
	case localstore.StatusReadBack:
		return 2
	case localstore.StatusSigned:
		return 3
	case "":
		return 4
	case localstore.StatusCompleted:
		return 5
	case localstore.StatusSubmitted:
		return 6
	case statusWithdrawn:
		return 8
	}
	return 7
}

// buildIndex prepares cases for the list: only the user's villages when the user has
// any. Entries of prev whose roster row is unchanged are reused, so a reload after a
// case was started costs no pinyin.
func buildIndex(cases []localstore.Case, myVillages []string, prev *caseIndex) *caseIndex {
	ix := &caseIndex{counts: map[string]map[localstore.Status]int{"": {}}}
	if len(myVillages) > 0 {
		mine := make([]localstore.Case, 0, len(cases))
		for _, c := range cases {
			if slices.Contains(myVillages, clean(c.Row.Village)) || (c.Row.VillageCode != "" && slices.Contains(myVillages, c.Row.VillageCode)) {
				mine = append(mine, c)
			}
		}
		if len(mine) > 0 {
			cases = mine
		} else {
			ix.notMine = len(cases) > 0
		}
	}
	var before map[string]*caseEntry
	if prev != nil {
		before = make(map[string]*caseEntry, len(prev.entries))
		for i := range prev.entries {
			before[prev.entries[i].c.ID] = &prev.entries[i]
		}
	}
	pc := pinyinCache{}
	ix.entries = make([]caseEntry, len(cases))
	for i, c := range cases {
		e := &ix.entries[i]
		if old := before[c.ID]; old != nil && old.c.Row == c.Row {
			*e = *old
			e.c = c
		} else {
			*e = newEntry(c, pc)
		}
		if ix.counts[e.village] == nil {
			ix.counts[e.village] = map[localstore.Status]int{}
			ix.villages = append(ix.villages, e.village)
		}
		e.status = listStatus(c)
		ix.counts[e.village][e.status]++
		ix.counts[""][e.status]++
	}
	n := len(ix.entries)
	for o := range ix.orders {
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		ix.orders[o] = order
	}
	slices.SortStableFunc(ix.orders[sortName], func(a, b int32) int {
		ea, eb := &ix.entries[a], &ix.entries[b]
		return cmp.Or(strings.Compare(ea.spelling, eb.spelling), strings.Compare(ea.name, eb.name))
	})
	slices.SortStableFunc(ix.orders[sortStatus], func(a, b int32) int {
		return cmp.Compare(statusRank(ix.entries[a].status), statusRank(ix.entries[b].status))
	})
	// A record the leader returned is work to do first, in every order.
	if ix.counts[""][localstore.StatusReturned] > 0 {
		for o := range ix.orders {
			slices.SortStableFunc(ix.orders[o], func(a, b int32) int {
				ra, rb := ix.entries[a].status == localstore.StatusReturned, ix.entries[b].status == localstore.StatusReturned
				switch {
				case ra && !rb:
					return -1
				case rb && !ra:
					return 1
				}
				return 0
			})
		}
	}
	return ix
}

func newEntry(c localstore.Case, pc pinyinCache) caseEntry {
	name := clean(c.Row.Name)
	full, initials := pc.spellings(name)
	var hay strings.Builder
	hay.Grow(2*len(name) + 12*len(full) + 46)
	hay.WriteString(strings.ToLower(name))
	for _, part := range [][]string{full, initials, {strings.ToLower(c.Row.CertificateNumber), strings.ToLower(c.Row.IDNumber)}} {
		for _, s := range part {
			hay.WriteByte(0)
			hay.WriteString(s)
		}
	}
	spelling := ""
	if len(full) > 0 {
		spelling = full[0]
	}
	return caseEntry{
		c: c, name: name, village: clean(c.Row.Village), number: roster.Mask(clean(c.Row.Key())),
		haystack: hay.String(), spelling: spelling,
	}
}

// pinyinCache holds the readings of each character met, the usual one first: names
// share few characters, so 20 000 names need a few thousand dictionary lookups, not
// sixty thousand. One cache serves one buildIndex.
type pinyinCache map[rune][]string

var heteronymArgs = func() pinyin.Args { a := pinyin.NewArgs(); a.Heteronym = true; return a }()

func (pc pinyinCache) readings(r rune) []string {
	v, ok := pc[r]
	if !ok {
		v = pinyin.SinglePinyin(r, heteronymArgs)
		pc[r] = v
	}
	return v
}

// maxSpellings bounds the pinyin spellings kept per name.
const maxSpellings = 8

// spellings returns the ways a name is typed in pinyin: whole (zhangsan) and as
// initials (zs), the usual reading first. Many name characters have other readings,
// and a surname often has one of its own that the usual one misses (曾 zeng, not ceng;
// 单 shan; 解 xie; 仇 qiu; 区 ou; 查 zha; 翟 zhai; in a given name 长 chang, 乐 yue), so
// up to four readings of the surname and two of each other character are kept, at most
// maxSpellings in all. ü is typed v or u (吕: lv, lu). Characters with no pinyin are
// left out.
func (pc pinyinCache) spellings(name string) (full, initials []string) {
	full, initials = []string{""}, []string{""}
	first := true
	for _, r := range name {
		rs := pc.readings(r)
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

// normalizeQuery makes what was typed comparable with the haystack: full-width letters
// and digits (a Chinese input method left in full-width mode) become ASCII, letters
// lower case, spaces go (zhang san finds zhangsan).
func normalizeQuery(q string) string {
	q = strings.ToLower(width.Narrow.String(q))
	if strings.ContainsAny(q, " \u3000") {
		q = strings.NewReplacer(" ", "", "\u3000", "").Replace(q)
	}
	return q
}

// filter appends to dst the entries that match, in the sort order.
func (ix *caseIndex) filter(dst []int32, query, village string, status *localstore.Status, order sortOrder) []int32 {
	for _, i := range ix.orders[order] {
		e := &ix.entries[i]
		if village != "" && e.village != village {
			continue
		}
		if status != nil && e.status != *status {
			continue
		}
		if query != "" && !strings.Contains(e.haystack, query) {
			continue
		}
		dst = append(dst, i)
	}
	return dst
}
