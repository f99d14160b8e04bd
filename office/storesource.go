package office

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/store"
)

// StoreSource is the Source of a server store, bbolt or PostgreSQL. It reads the log
// through the laptops' own Pull, as a user of every village whom nothing was pushed by.
type StoreSource struct {
	Store       store.Store
	Attachments *attachments.Dir
}

// officeReader pulls everything: all villages, a leader's view, and a code no laptop
// pushes with.
var officeReader = protocol.User{Code: "\x00office", Role: "leader", Villages: []string{"*"}}

// timeout bounds each call to the store: a page never hangs on a stuck database.
const timeout = 30 * time.Second

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), timeout)
}

// Changes implements Source.
func (s StoreSource) Changes(cursor uint64, limit int) (Changes, error) {
	c, cancel := ctx()
	defer cancel()
	resp, err := s.Store.Pull(c, officeReader, cursor, limit)
	if err != nil {
		return Changes{}, err
	}
	out := Changes{Epoch: resp.Epoch, Cursor: resp.Cursor, More: resp.More}
	// Within a page the roster comes first: a record finds its case, and a case that
	// came after its record is matched to it anyway (index.putRow).
	for i := range resp.Roster {
		out.Items = append(out.Items, Change{Roster: &resp.Roster[i]})
	}
	for i := range resp.Revisions {
		out.Items = append(out.Items, Change{Revision: &resp.Revisions[i]})
	}
	for i := range resp.Withdrawn {
		out.Items = append(out.Items, Change{Withdrawn: &resp.Withdrawn[i]})
	}
	return out, nil
}

// Revision implements Source: the person's records are read through the store's index
// of subjects, and the one asked for is kept.
func (s StoreSource) Revision(ref RecordRef) (record.Revision, error) {
	if ref.Subject == "" {
		return record.Revision{}, fmt.Errorf("record %s: %w", ref.ID, store.ErrNotFound)
	}
	c, cancel := ctx()
	defer cancel()
	var out *record.Revision
	err := s.Store.Export(c, store.RecordFilter{Subject: ref.Subject}, func(st store.StoredRevision) error {
		if st.Revision.Record.ID == ref.ID {
			rev := st.Revision
			out = &rev
		}
		return nil
	})
	if err != nil {
		return record.Revision{}, err
	}
	if out == nil {
		return record.Revision{}, fmt.Errorf("record %s: %w", ref.ID, store.ErrNotFound)
	}
	return *out, nil
}

// PutOffice implements Source: the revision goes through the same checks as a laptop's.
func (s StoreSource) PutOffice(officeUser string, rev record.Revision, cs protocol.Case) error {
	c, cancel := ctx()
	defer cancel()
	u := protocol.User{Code: officeUser, Name: officeUser, Role: "leader", Villages: []string{"*"}}
	items := []protocol.PushItem{{Revision: rev, Case: cs}}
	res, err := s.Store.PutBatch(c, store.Caller{User: u, Device: "office console"}, server.Arrivals(items, s.Attachments))
	if err != nil {
		return err
	}
	if len(res) != 1 || res[0].Result != protocol.Stored {
		return fmt.Errorf("the server did not store the decision: %+v", res)
	}
	return nil
}

// ImportRoster implements Source.
func (s StoreSource) ImportRoster(rows []roster.Row, by, file string) (store.RosterImport, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.ImportRoster(c, rows, store.RosterImport{At: time.Now().UTC(), By: by, File: file})
}

// AddEnrolment implements Source.
func (s StoreSource) AddEnrolment(u protocol.User) (string, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.AddEnrolment(c, u)
}

// Revoke implements Source.
func (s StoreSource) Revoke(user string) (int, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.Revoke(c, user)
}

// Users implements Source.
func (s StoreSource) Users() ([]store.UserRow, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.Users(c)
}

// Duplicates implements Source.
func (s StoreSource) Duplicates() ([]store.DuplicateGroup, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.Duplicates(c, true)
}

// ResolveDuplicate implements Source.
func (s StoreSource) ResolveDuplicate(r store.Resolution) error {
	c, cancel := ctx()
	defer cancel()
	_, err := s.Store.ResolveDuplicate(c, r)
	return err
}

// Held implements Source.
func (s StoreSource) Held(f store.ReviewFilter) (store.ReviewPage, error) {
	c, cancel := ctx()
	defer cancel()
	return s.Store.Review(c, f)
}

// DecideHeld implements Source.
func (s StoreSource) DecideHeld(d store.ReviewDecision) error {
	c, cancel := ctx()
	defer cancel()
	_, err := s.Store.DecideReview(c, d)
	return err
}

// Photo implements Source.
func (s StoreSource) Photo(hash string) (io.ReadCloser, error) {
	if s.Attachments == nil {
		return nil, errors.New("no photo folder")
	}
	return s.Attachments.Open(hash)
}
