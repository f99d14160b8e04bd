package tui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
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
	// haystack is the name, its pinyin spellings and initials, and the certificate and
	// ID numbers (namesearch.Haystack).
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
	sp := namesearch.Speller{}
	ix.entries = make([]caseEntry, len(cases))
	for i, c := range cases {
		e := &ix.entries[i]
		if old := before[c.ID]; old != nil && old.c.Row == c.Row {
			*e = *old
			e.c = c
		} else {
			*e = newEntry(c, sp)
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

func newEntry(c localstore.Case, sp namesearch.Speller) caseEntry {
	name := clean(c.Row.Name)
	hay, spelling := sp.Haystack(name, c.Row.CertificateNumber, c.Row.IDNumber)
	return caseEntry{
		c: c, name: name, village: clean(c.Row.Village), number: roster.Mask(clean(c.Row.Key())),
		haystack: hay, spelling: spelling,
	}
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
		if query != "" && !namesearch.Match(e.haystack, query) {
			continue
		}
		dst = append(dst, i)
	}
	return dst
}
