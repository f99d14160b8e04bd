package boltstore

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/seal"
)

// codec is how the file keeps personal data: sealed under the server's data key
// (server/seal), with the certificate and ID numbers that index it replaced by blind
// indexes. Without a sealer (a store opened without a key, which doorstep-server never
// does; and schema 1's migration, which writes the plain layout the sealing step then
// seals) values are plain and numbers are themselves.
type codec struct{ s *seal.Sealer }

// blind is what stands for a subject (certificate or ID number) in a key; "" stays "".
func (c codec) blind(subject string) string {
	if c.s == nil || subject == "" {
		return subject
	}
	return c.s.Blind("subject", subject)
}

// person is store.PersonKey with the subject blinded.
func (c codec) person(subject, formID string) string {
	if subject == "" {
		return ""
	}
	return c.blind(subject) + "\x00" + formID
}

func (c codec) seal(bucket, key, plain []byte) []byte {
	if c.s == nil {
		return plain
	}
	return c.s.Seal(string(bucket), key, plain)
}

func (c codec) open(bucket, key, v []byte) ([]byte, error) {
	if c.s == nil || v == nil {
		return v, nil
	}
	return c.s.Open(string(bucket), key, v)
}

// get reads the JSON value at key of bucket into v; false when there is none.
func (c codec) get(tx *bolt.Tx, bucket, key []byte, v any) (bool, error) {
	data, err := c.open(bucket, key, tx.Bucket(bucket).Get(key))
	if err != nil || data == nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

// decode opens the value v at key of bucket and reads its JSON into x.
func (c codec) decode(bucket, key, v []byte, x any) error {
	data, err := c.open(bucket, key, v)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, x)
}

// put writes v as JSON at key of bucket.
func (c codec) put(b *bolt.Bucket, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, c.seal(bucket, key, data))
}
