package office

import (
	"fmt"
	"slices"
	"sort"
	gosync "sync"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// Town is a town or street (乡镇/街道). Roster files name it in a column; where a file
// has none, the first nine digits of the village's 12-digit statistical code are the
// township's code, and the town is known by that code.
type Town struct {
	Name string
	Code string // 9 digits, or ""
}

// townOf is the row's town.
func townOf(r roster.Row) Town {
	code := ""
	if len(r.VillageCode) == 12 {
		code = r.VillageCode[:9]
	}
	name := r.Town
	switch {
	case name != "":
	case code != "":
		name = "乡镇 " + code
	default:
		name = "（未填乡镇）"
	}
	return Town{Name: name, Code: code}
}

// caseRow is one roster case and its person-form record, if the district has one.
type caseRow struct {
	row  roster.Row
	town Town
	rec  *recRow
}

// recRow is what the pages need of a record's latest revision, kept small: the full
// revision is read from the Source only when one record is opened or a report needs
// its answers.
type recRow struct {
	id, subject, formID, formVersion string
	village                          string // a village form's village
	enumerator                       string
	status                           record.Status
	method, outcome                  int
	outcomeNote                      string
	completed                        time.Time
	errors, warnings                 int // errors and missing answers; warnings confirmed with a note
	head                             string
	seq                              uint64
	photos                           []record.Attachment
	// slim is the record without answers or audit chain, for the reports that count
	// and list; the signatures that held on the full record are kept, rebound to it.
	slim *record.Record
}

// done is a record the enumerator has completed (and the leader may have approved).
func (r *recRow) done() bool { return r.status.Locked() }

// index is the console's view of the server's data, brought up to date from the
// Source's log before each page.
type index struct {
	src   Source
	forms *forms.Registry

	mu      gosync.RWMutex
	epoch   string
	cursor  uint64
	cases   map[string]*caseRow // by subject (Row.Key())
	order   []*caseRow          // roster order
	records map[string]*recRow  // by record id
	// orphans are person records whose case is not on the server's roster.
	orphans map[string]*recRow
	// duplicates are the record ids of subjects with more than one person record.
	duplicates map[string][]string
	withdrawn  map[string]bool // record ids the district withdrew
	personForm string
}

func newIndex(src Source, personForm string, reg *forms.Registry) *index {
	ix := &index{src: src, forms: reg, personForm: personForm}
	ix.reset("")
	return ix
}

func (ix *index) reset(epoch string) {
	ix.epoch, ix.cursor = epoch, 0
	ix.cases = map[string]*caseRow{}
	ix.order = nil
	ix.records = map[string]*recRow{}
	ix.orphans = map[string]*recRow{}
	ix.duplicates = map[string][]string{}
	ix.withdrawn = map[string]bool{}
}

// refresh reads what the server stored since the index last looked.
func (ix *index) refresh() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for {
		ch, err := ix.src.Changes(ix.cursor, 1000)
		if err != nil {
			return fmt.Errorf("read the server's log: %w", err)
		}
		if ch.Epoch != ix.epoch {
			if ix.epoch != "" || ix.cursor != 0 {
				ix.reset(ch.Epoch)
				continue
			}
			ix.epoch = ch.Epoch
		}
		for _, c := range ch.Items {
			switch {
			case c.Roster != nil:
				ix.putRow(*c.Roster)
			case c.Revision != nil:
				ix.putRevision(c.Seq, c.Revision)
			case c.Withdrawn != nil:
				ix.withdraw(*c.Withdrawn)
			}
		}
		ix.cursor = ch.Cursor
		if !ch.More {
			return nil
		}
	}
}

func (ix *index) putRow(r roster.Row) {
	k := r.Key()
	c := ix.cases[k]
	if c == nil {
		c = &caseRow{}
		ix.cases[k] = c
		ix.order = append(ix.order, c)
		if rec := ix.orphans[k]; rec != nil {
			c.rec = rec
			delete(ix.orphans, k)
		}
	}
	c.row, c.town = r, townOf(r)
}

func (ix *index) putRevision(seq uint64, rev *record.Revision) {
	r := &rev.Record
	rr := &recRow{id: r.ID, subject: r.Subject, formID: r.FormID, formVersion: r.FormVersion, village: r.Village,
		enumerator: r.Enumerator, status: r.Status, method: r.Method, outcome: r.Outcome, outcomeNote: r.OutcomeNote,
		completed: r.CompletedAt, head: r.AuditHead, seq: seq, photos: r.Photos}
	if r.Village == "" && r.Outcome == survey.OutcomeInterviewed {
		var about survey.About
		if c := ix.cases[r.Subject]; c != nil {
			about.Row = c.row
		}
		if rd, err := survey.Read(ix.forms, r, about); err != nil {
			rr.errors++ // a form this server lacks, or answers that do not decode: a person must look
		} else {
			rr.errors, rr.warnings = rd.Flags()
		}
	}
	slim := *r
	slim.Answers, slim.Notes, slim.Receipts = nil, nil, nil
	slim.Signatures = nil
	// The signatures that hold on the full record (record.SignedBy's rule, the latest
	// of each role whose content hash is the record's), with the full record hashed once.
	full, hash := r.ContentHash(), slim.ContentHash()
	seen := map[record.SignerRole]bool{}
	for i := len(r.Signatures) - 1; i >= 0; i-- {
		sig := r.Signatures[i]
		if sig.ContentHash != full || seen[sig.Role] {
			continue
		}
		seen[sig.Role] = true
		sig.Strokes, sig.ContentHash = nil, hash
		slim.Signatures = append(slim.Signatures, sig)
	}
	slices.Reverse(slim.Signatures) // in the order they were made, as RespondentSignature reads them
	rr.slim = &slim
	ix.records[r.ID] = rr
	if r.Subject == "" {
		return // a village's form: not a case
	}
	if r.FormID != ix.personForm {
		return
	}
	c := ix.cases[r.Subject]
	if c == nil {
		ix.orphans[r.Subject] = rr
		return
	}
	if c.rec != nil && c.rec.id != r.ID && !ix.withdrawn[c.rec.id] {
		// A second record of one person (two laptops interviewed them): the first
		// stands for the case until the district chooses.
		ix.duplicates[r.Subject] = appendOnce(ix.duplicates[r.Subject], c.rec.id, r.ID)
		return
	}
	c.rec = rr
}

// withdraw takes a record the district withdrew off its case: the other record of the
// person stands for it (a duplicate interview resolved).
func (ix *index) withdraw(w protocol.Withdrawal) {
	ix.withdrawn[w.RecordID] = true
	c := ix.cases[w.Subject]
	if c == nil {
		return
	}
	if kept := ix.records[w.Kept]; kept != nil && (c.rec == nil || c.rec.id == w.RecordID) {
		c.rec = kept
	}
}

func appendOnce(list []string, ids ...string) []string {
	for _, id := range ids {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

// scope is the cases an account sees, optionally narrowed to a town and village, in
// roster order. The caller holds mu for reading.
func (ix *index) scope(a Account, town, village string) []*caseRow {
	out := make([]*caseRow, 0, len(ix.order))
	for _, c := range ix.order {
		if !a.MayTown(c.town) || town != "" && c.town.Name != town || village != "" && c.row.Village != village {
			continue
		}
		out = append(out, c)
	}
	return out
}

// towns are the towns the account sees, by name.
func (ix *index) towns(a Account) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range ix.order {
		if a.MayTown(c.town) && !seen[c.town.Name] {
			seen[c.town.Name] = true
			out = append(out, c.town.Name)
		}
	}
	sort.Strings(out)
	return out
}

// villages of a town the account sees, in roster order.
func (ix *index) villages(a Account, town string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range ix.order {
		if a.MayTown(c.town) && (town == "" || c.town.Name == town) && !seen[c.row.Village] {
			seen[c.row.Village] = true
			out = append(out, c.row.Village)
		}
	}
	return out
}

// caseOfRecord finds the case of a record the account may see; nil otherwise.
func (ix *index) caseOfRecord(a Account, id string) *caseRow {
	rr := ix.records[id]
	if rr == nil || rr.subject == "" {
		return nil
	}
	c := ix.cases[rr.subject]
	if c == nil || c.rec != rr || !a.MayTown(c.town) {
		return nil
	}
	return c
}
