package localstore

import (
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
)

// BundleKeys returns the unlocked user's keys for bundles, making them the first time.
// They stay in this data file, sealed like everything else.
func (s *Session) BundleKeys() (*bundle.Keys, error) {
	u := s.user
	var k *bundle.Keys
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBundleKeys)
		var secret string
		found, err := s.keys.getSealed(b, string(bucketBundleKeys), []byte(u.Code), &secret)
		if err != nil {
			return err
		}
		if found {
			k, err = bundle.ParseSecret(u.Code, u.Name, string(u.Role), secret)
			return err
		}
		if k, err = bundle.NewKeys(u.Code, u.Name, string(u.Role)); err != nil {
			return err
		}
		return s.keys.putSealed(b, string(bucketBundleKeys), []byte(u.Code), k.Secret())
	})
	if err != nil {
		return nil, fmt.Errorf("bundle keys: %w", err)
	}
	return k, nil
}

// TrustCard keeps a team member's (or the district's) key card: bundles are sealed to
// the cards kept here, and only bundles signed by them are opened. A newer card for
// the same code replaces the older.
func (s *Session) TrustCard(c bundle.Card) error {
	return s.update(func(tx *bolt.Tx) error {
		return s.keys.putSealed(tx.Bucket(bucketCards), string(bucketCards), []byte(c.Code), c.String())
	})
}

// Cards returns the trusted key cards, by user code.
func (s *Session) Cards() ([]bundle.Card, error) {
	var out []bundle.Card
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCards).ForEach(func(k, v []byte) error {
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
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, err
}
