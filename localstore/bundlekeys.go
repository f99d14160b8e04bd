package localstore

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
)

// BundleKeys returns the unlocked user's own keys: the Ed25519 key that signs their
// audit entries and bundles, and the age identity that opens bundles sent to them.
// They are made with the user and kept wrapped under the user's passphrase.
func (s *Session) BundleKeys() (*bundle.Keys, error) {
	if s.own == nil {
		return nil, fmt.Errorf("bundle keys: %w: user %s has no keys", ErrCorrupt, s.user.Code)
	}
	return s.own, nil
}

// TrustCard keeps a team member's (or the district's) key card: bundles are sealed to
// the cards kept here, only bundles signed by them are opened, and audit entries are
// checked against them. A user has a card for each laptop they have an account on
// (the leader sets up their own account on every laptop of the team), so cards are
// kept by code and signing key; a card with the same key replaces the older (a name
// corrected).
func (s *Session) TrustCard(c bundle.Card) error {
	return s.update(func(tx *bolt.Tx) error { return s.keepCard(tx, c) })
}

func (s *Session) keepCard(tx *bolt.Tx, c bundle.Card) error {
	b := tx.Bucket(bucketCards)
	// Before schema 4 a card was kept under its code alone: it is moved under its key.
	var old string
	found, err := s.keys.getSealed(b, string(bucketCards), []byte(c.Code), &old)
	if err != nil {
		return err
	}
	if found {
		if oc, err := bundle.ParseCard(old); err == nil && !bytes.Equal(oc.Verify, c.Verify) {
			if err := s.keys.putSealed(b, string(bucketCards), cardKey(oc), old); err != nil {
				return err
			}
		}
		if err := b.Delete([]byte(c.Code)); err != nil {
			return err
		}
	}
	return s.keys.putSealed(b, string(bucketCards), cardKey(c), c.String())
}

// cardKey is where a card is kept: its code, then its signing key.
func cardKey(c bundle.Card) []byte {
	return []byte(c.Code + "/" + hex.EncodeToString(c.Verify))
}

// Cards returns the trusted key cards, by user code.
func (s *Session) Cards() ([]bundle.Card, error) {
	var out []bundle.Card
	err := s.db.view(func(tx *bolt.Tx) (err error) {
		out, err = s.cardsIn(tx)
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, err
}

// cardsIn reads the kept key cards, in key order.
func (s *Session) cardsIn(tx *bolt.Tx) ([]bundle.Card, error) {
	var out []bundle.Card
	err := tx.Bucket(bucketCards).ForEach(func(k, v []byte) error {
		var line string
		if err := s.keys.decode(string(bucketCards), k, v, &line); err != nil {
			return err
		}
		c, err := bundle.ParseCard(line)
		if err != nil {
			return fmt.Errorf("%w: key card of %s: %v", ErrCorrupt, k, err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
