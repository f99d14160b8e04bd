package localstore

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// putSealed stores v as sealed JSON under key in the bucket at path (for messages and
// associated data, "audit/<id>" for nested buckets).
func (k *keys) putSealed(b *bolt.Bucket, path string, key []byte, v any) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return b.Put(key, k.seal(path, key, plain))
}

// getSealed reads sealed JSON into v; false when the key is absent. A value that does not
// open is damage or tampering, never silently skipped.
func (k *keys) getSealed(b *bolt.Bucket, path string, key []byte, v any) (bool, error) {
	sealed := b.Get(key)
	if sealed == nil {
		return false, nil
	}
	return true, k.decode(path, key, sealed, v)
}

func (k *keys) decode(path string, key, sealed []byte, v any) error {
	plain, err := k.open(path, key, sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%w: %s/%x: %v", ErrCorrupt, path, key, err)
	}
	return nil
}
