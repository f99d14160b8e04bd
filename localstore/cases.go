package localstore

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/roster"
)

// Case is one certificate holder to survey: a roster row and where the survey stands.
type Case struct {
	// ID is a keyed hash of the certificate number: stable across imports, and useless
	// to anyone without the data key.
	ID  string     `json:"id"`
	Seq uint64     `json:"seq"` // roster order
	Row roster.Row `json:"row"`
	// Status is the status of the case's person-form record, "" before it is started.
	Status  Status `json:"status,omitempty"`
	Outcome int    `json:"outcome,omitempty"`
	// Withdrawn is the district's reason when it withdrew the case's person-form
	// record (a duplicate interview: another record of the person stands); "" else.
	Withdrawn  string    `json:"withdrawn,omitempty"`
	ImportedAt time.Time `json:"imported_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Source     string    `json:"source"` // the roster file it last came from
}

// ImportReport says what an import did.
type ImportReport struct {
	Added     int
	Unchanged int
	Updated   []CaseChange
}

// CaseChange is one case whose roster data changed on re-import.
type CaseChange struct {
	Line   int
	Name   string
	Fields []string // the roster columns that changed
}

// ImportRoster adds or updates cases from roster rows in one transaction: all or nothing.
// A case already present (same certificate number) gets the new roster data; its records
// are not touched.
func (s *Session) ImportRoster(rows []roster.Row, source string) (ImportReport, error) {
	var rep ImportReport
	now := s.db.opts.Now()
	err := s.db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCases)
		seq := b.Sequence()
		for _, r := range rows {
			key := s.keys.lookup("case", r.Key())
			var c Case
			found, err := s.keys.getSealed(b, string(bucketCases), key, &c)
			if err != nil {
				return err
			}
			if found {
				fields := changedFields(c.Row, r)
				if len(fields) == 0 {
					rep.Unchanged++
					continue
				}
				rep.Updated = append(rep.Updated, CaseChange{Line: r.Line, Name: r.Name, Fields: fields})
				c.Row, c.UpdatedAt, c.Source = r, now, source
			} else {
				seq++
				c = Case{ID: hex.EncodeToString(key), Seq: seq, Row: r, ImportedAt: now, UpdatedAt: now, Source: source}
				rep.Added++
			}
			if err := s.keys.putSealed(b, string(bucketCases), key, &c); err != nil {
				return err
			}
		}
		return b.SetSequence(seq)
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("import roster: %w", err)
	}
	return rep, nil
}

// changedFields names the roster columns that differ, ignoring the file row number.
func changedFields(old, new roster.Row) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("姓名", old.Name != new.Name)
	add("公民身份号码", old.IDNumber != new.IDNumber)
	add("性别", old.Sex != new.Sex)
	add("残疾类别", old.Category != new.Category)
	add("残疾等级", old.Level != new.Level)
	add("所属乡镇（街道）", old.Town != new.Town)
	add("所属村（社区）", old.Village != new.Village)
	add("统计用区划代码", old.VillageCode != new.VillageCode)
	add("户籍地址", old.HouseholdAddress != new.HouseholdAddress)
	add("现住址", old.CurrentAddress != new.CurrentAddress)
	add("联系电话", old.Phone != new.Phone)
	add("监护人（联系人）", old.Guardian != new.Guardian)
	add("监护人联系电话", old.GuardianPhone != new.GuardianPhone)
	return out
}

// CaseFilter narrows Cases; zero fields match everything.
type CaseFilter struct {
	Village string
	Status  Status // "new" matches cases not started
}

// StatusNew is the filter value for cases with no record yet.
const StatusNew Status = "new"

// Cases returns the cases in roster order.
func (s *Session) Cases(f CaseFilter) ([]Case, error) {
	var out []Case
	err := s.db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			var c Case
			if err := s.keys.decode(string(bucketCases), k, v, &c); err != nil {
				return err
			}
			if f.Village != "" && c.Row.Village != f.Village {
				return nil
			}
			switch {
			case f.Status == "":
			case f.Status == StatusNew && c.Status != "":
				return nil
			case f.Status != StatusNew && c.Status != f.Status:
				return nil
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	slices.SortFunc(out, func(a, b Case) int { return int(a.Seq) - int(b.Seq) })
	return out, nil
}

// Case returns one case by id.
func (s *Session) Case(id string) (Case, error) {
	var c Case
	key, err := hex.DecodeString(id)
	if err != nil {
		return c, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	err = s.db.view(func(tx *bolt.Tx) error {
		found, err := s.keys.getSealed(tx.Bucket(bucketCases), string(bucketCases), key, &c)
		if err == nil && !found {
			err = fmt.Errorf("case %s: %w", shortID(id), ErrNotFound)
		}
		return err
	})
	return c, err
}

// CaseByNumber finds a case by certificate or ID number, through the keyed hash.
func (s *Session) CaseByNumber(number string) (Case, error) {
	return s.Case(hex.EncodeToString(s.keys.lookup("case", strings.ToUpper(strings.TrimSpace(number)))))
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
