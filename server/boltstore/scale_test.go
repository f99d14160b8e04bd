package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestSyntheticPasses: a synthetic record is stored like a real one.
func TestSyntheticPasses(t *testing.T) {
	s := storetest.Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	st, err := backend(t)(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := storetest.EnrolKey(st, whole(), s); err != nil {
		t.Fatal(err)
	}
	key := storetest.SigningKey(t, s)
	res, err := st.PutBatch(context.Background(), store.Caller{User: whole()}, server.Arrivals(
		[]protocol.PushItem{storetest.Synthetic(base, 1, "村1", key), storetest.Synthetic(base, 2, "村2", key)}, nil))
	if err != nil || res[0].Result != protocol.Stored || res[1].Result != protocol.Stored {
		t.Fatalf("%+v %v", res, err)
	}
}

func whole() protocol.User {
	return protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
}

// BenchmarkScale is storetest.Scale on a bbolt file; it reports the file's size.
//
//	DOORSTEP_SCALE=1000000 go test -run XXX -bench Scale -benchtime 20x ./server/boltstore/
//
// DOORSTEP_SCALE_IDS=random gives the records random ids, as laptops make them.
func BenchmarkScale(b *testing.B) {
	dir := b.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: seal.New(seal.NewKey())}) // as doorstep-server keeps it
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.Scale(b, st, func() string {
		fi, _ := os.Stat(dir + "/" + boltstore.File)
		return fmt.Sprintf("file %d MB", fi.Size()>>20)
	})
	// The buckets' sizes are read last: walking every page maps the whole file in,
	// which would count in the memory Scale reports.
	st.Close()
	b.Log(bucketSizes(b, dir+"/"+boltstore.File))
}

// bucketSizes is what each bucket of the file at path occupies: its pages (branch,
// leaf and overflow, 4 KB each), the bytes in use on them, and its keys.
func bucketSizes(b *testing.B, path string) string {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var out []string
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			s := bk.Stats()
			pages := s.BranchPageN + s.BranchOverflowN + s.LeafPageN + s.LeafOverflowN
			if pages == 0 {
				return nil
			}
			out = append(out, fmt.Sprintf("%s %d MB (%d%% used, %d keys, depth %d)", name, pages*db.Info().PageSize>>20,
				100*(s.BranchInuse+s.LeafInuse)/(pages*db.Info().PageSize), s.KeyN, s.Depth))
			return nil
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return "buckets: " + strings.Join(out, "; ")
}

// BenchmarkReviewQueue: holding records of persons the roster does not know (counted
// by sender), and a page of the queue.
func BenchmarkReviewQueue(b *testing.B) {
	st, err := boltstore.Open(b.TempDir(), boltstore.Options{Sealer: seal.New(seal.NewKey())})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.ReviewQueue(b, st)
}
