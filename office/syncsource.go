package office

import (
	"fmt"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// SyncSource is the Source of today's server store (sync.Store). It reads the log
// through the laptops' own Pull, as a user of every village whom nothing was pushed
// by: one entry at a time, so that each is known by its place in the log and can be
// read again from there.
type SyncSource struct{ Store *dsync.Store }

// officeReader pulls everything: all villages, a leader's view, and a code no laptop
// pushes with.
var officeReader = dsync.User{Code: "\x00office", Role: "leader", Villages: []string{"*"}}

// Changes implements Source.
func (s SyncSource) Changes(cursor uint64, limit int) (Changes, error) {
	out := Changes{Cursor: cursor}
	for len(out.Items) < limit {
		resp, err := s.Store.Pull(officeReader, out.Cursor, 1)
		if err != nil {
			return out, err
		}
		out.Epoch = resp.Epoch
		if resp.Cursor == out.Cursor {
			return out, nil // nothing after it
		}
		out.Cursor = resp.Cursor
		switch {
		case len(resp.Roster) == 1:
			row := resp.Roster[0]
			out.Items = append(out.Items, Change{Seq: resp.Cursor, Roster: &row})
		case len(resp.Revisions) == 1:
			rev := resp.Revisions[0]
			out.Items = append(out.Items, Change{Seq: resp.Cursor, Revision: &rev})
		}
		if !resp.More {
			return out, nil
		}
	}
	out.More = true
	return out, nil
}

// Revision implements Source.
func (s SyncSource) Revision(ref RecordRef) (localstore.Revision, error) {
	recordID, seq := ref.ID, ref.Seq
	if seq == 0 {
		return localstore.Revision{}, fmt.Errorf("record %s: %w", recordID, localstore.ErrNotFound)
	}
	resp, err := s.Store.Pull(officeReader, seq-1, 1)
	if err != nil {
		return localstore.Revision{}, err
	}
	if len(resp.Revisions) != 1 || resp.Revisions[0].Record.ID != recordID {
		return localstore.Revision{}, fmt.Errorf("record %s: %w", recordID, localstore.ErrNotFound)
	}
	return resp.Revisions[0], nil
}

// PutOffice implements Source: the revision goes through the same checks as a laptop's.
func (s SyncSource) PutOffice(officeUser string, rev localstore.Revision, c dsync.Case) error {
	u := dsync.User{Code: officeUser, Name: officeUser, Role: "leader", Villages: []string{"*"}}
	res := s.Store.Put(u, dsync.PushItem{Revision: rev, Case: c})
	if res.Result != dsync.Stored {
		return fmt.Errorf("the server did not store the decision: %s %s", res.Result, res.Reason)
	}
	return nil
}

// ImportRoster implements Source.
func (s SyncSource) ImportRoster(rows []roster.Row) error { return s.Store.ImportRoster(rows) }

// AddEnrolment implements Source.
func (s SyncSource) AddEnrolment(u dsync.User) (string, error) { return s.Store.AddEnrolment(u) }

// Revoke implements Source.
func (s SyncSource) Revoke(user string) (int, error) { return s.Store.Revoke(user) }
