package localstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/doorstep-survey/doorstep/bundle"
)

// BundleKind is the kind of bundle that hands records over.
const BundleKind = "records"

// ErrNoCards is a hand-over with nobody to hand to.
var ErrNoCards = errors.New("no team member's key card is kept here: add them with `doorstep keys add`")

// handoverPayload is what a bundle of records carries.
type handoverPayload struct {
	Revisions []Revision `json:"revisions"`
}

// settled statuses are those a record is handed over in: its writer is done with it
// for now (completed or later, or returned by a leader).
func settled(st Status) bool {
	return st.Locked() || st == StatusReturned
}

// ExportBundle writes a bundle of the records this user has news of — every settled
// record whose last change is theirs: an enumerator's completed interviews, a leader's
// approvals and returns — sealed to every trusted card (the team and the district) and
// signed with this user's keys. It returns how many records it holds.
func (s *Session) ExportBundle(w io.Writer) (int, error) {
	keys, err := s.BundleKeys()
	if err != nil {
		return 0, err
	}
	cards, err := s.Cards()
	if err != nil {
		return 0, err
	}
	local, err := s.db.localSigningKeys()
	if err != nil {
		return 0, err
	}
	// Not to the users of this laptop: they have the records already.
	var to []bundle.Card
	for _, c := range cards {
		if !local[string(c.Verify)] {
			to = append(to, c)
		}
	}
	if len(to) == 0 {
		return 0, ErrNoCards
	}
	records, err := s.Records()
	if err != nil {
		return 0, err
	}
	var p handoverPayload
	for _, r := range records {
		if !settled(r.Status) {
			continue
		}
		rev, err := s.Revision(r.ID)
		if err != nil {
			return 0, err
		}
		if last := rev.Audit[len(rev.Audit)-1]; last.User != s.user.Code {
			continue
		}
		p.Revisions = append(p.Revisions, rev)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("export bundle: %w", err)
	}
	if err := bundle.Seal(w, BundleKind, data, keys, to, s.db.opts.Now()); err != nil {
		return 0, err
	}
	return len(p.Revisions), nil
}

// Received is one record of an imported bundle and what became of it.
type ReceivedItem struct {
	RecordID string        `json:"record_id"`
	Revision uint64        `json:"revision"`
	Subject  string        `json:"subject,omitempty"`
	Village  string        `json:"village,omitempty"`
	Result   ReceiveResult `json:"result"`
	Reason   string        `json:"reason,omitempty"`
}

// BundleInfo says who sent an imported bundle and when.
type BundleInfo struct {
	From    bundle.Card
	Created time.Time
}

// ImportBundle opens a bundle addressed to this user, from a trusted sender, and
// receives each of its records under the same rules as the district server: each
// revision once, stale ones acknowledged, tampered or conflicting ones rejected with a
// reason. A record rejected does not stop the others.
func (s *Session) ImportBundle(r io.Reader) (BundleInfo, []ReceivedItem, error) {
	keys, err := s.BundleKeys()
	if err != nil {
		return BundleInfo{}, nil, err
	}
	cards, err := s.Cards()
	if err != nil {
		return BundleInfo{}, nil, err
	}
	opened, err := bundle.Open(r, keys, cards)
	if err != nil {
		return BundleInfo{}, nil, err
	}
	info := BundleInfo{From: opened.From, Created: opened.Created}
	if opened.Kind != BundleKind {
		return info, nil, fmt.Errorf("import bundle: a bundle of %q, not of records", opened.Kind)
	}
	var p handoverPayload
	if err := json.Unmarshal(opened.Payload, &p); err != nil {
		return info, nil, fmt.Errorf("import bundle: %w", err)
	}
	var out []ReceivedItem
	for _, rev := range p.Revisions {
		if len(rev.Audit) == 0 {
			out = append(out, ReceivedItem{RecordID: rev.Record.ID, Result: Rejected, Reason: "no audit chain"})
			continue
		}
		res, reason, err := s.receive(rev, true)
		if err != nil {
			return info, out, err
		}
		out = append(out, ReceivedItem{RecordID: rev.Record.ID, Revision: rev.Record.Revision, Subject: rev.Record.Subject,
			Village: rev.Record.Village, Result: res, Reason: reason})
	}
	return info, out, nil
}
