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
	return s.keys.putSealed(tx.Bucket(bucketCards), string(bucketCards), s.cardKey(c), c.String())
}

// cardKey is where a card is kept: a keyed hash of its code and signing key, so the
// file does not say whose cards it keeps.
func (s *Session) cardKey(c bundle.Card) []byte {
	return s.keys.lookup("card", c.Code+"/"+hex.EncodeToString(c.Verify))
}

// moveCards moves the cards a file from before schema 6 keeps under their code and key
// in the clear to their keyed names, and removes the old bucket. It needs the data
// key, so it runs at unlock; until it has, cardsIn reads both buckets.
func (s *Session) moveCards() error {
	return s.update(func(tx *bolt.Tx) error {
		old := tx.Bucket(bucketPlainCards)
		if old == nil {
			return nil
		}
		cards, err := s.cardsOf(tx, bucketPlainCards)
		if err != nil {
			return err
		}
		for _, c := range cards {
			if err := s.keepCard(tx, c); err != nil {
				return err
			}
		}
		return tx.DeleteBucket(bucketPlainCards)
	})
}

// Cards returns the trusted key cards, by user code.
func (s *Session) Cards() ([]bundle.Card, error) {
	var out []bundle.Card
	err := s.db.view(func(tx *bolt.Tx) (err error) {
		out, err = s.cardsIn(tx)
		return err
	})
	return out, err
}

// cardsIn reads the kept key cards, by user code and then signing key: those of
// key_cards, and those of a file from before schema 6 not moved yet.
func (s *Session) cardsIn(tx *bolt.Tx) ([]bundle.Card, error) {
	out, err := s.cardsOf(tx, bucketCards)
	if err != nil {
		return nil, err
	}
	if tx.Bucket(bucketPlainCards) != nil {
		old, err := s.cardsOf(tx, bucketPlainCards)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, c := range out {
			seen[c.Code+"/"+string(c.Verify)] = true
		}
		for _, c := range old {
			if !seen[c.Code+"/"+string(c.Verify)] {
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return bytes.Compare(out[i].Verify, out[j].Verify) < 0
	})
	return out, nil
}

// cardsOf reads the cards of one bucket.
func (s *Session) cardsOf(tx *bolt.Tx, bucket []byte) ([]bundle.Card, error) {
	var out []bundle.Card
	err := tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var line string
		if err := s.keys.decode(string(bucket), k, v, &line); err != nil {
			return err
		}
		c, err := bundle.ParseCard(line)
		if err != nil {
			return fmt.Errorf("%w: key card %x: %v", ErrCorrupt, k, err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
