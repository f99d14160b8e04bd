package boltstore_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	gosync "sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestCommitPages (DOORSTEP_PAGES=n): fills a file with n records as Scale does, then
// stores one more batch of 500 and says how many pages of each bucket it wrote.
func TestCommitPages(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("DOORSTEP_PAGES"))
	if n == 0 {
		t.Skip("DOORSTEP_PAGES not set")
	}
	const villages, batch = 300, 500
	s := storetest.Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey())
	open := func() *boltstore.Store {
		st, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	caller := store.Caller{User: whole(), Device: "bench"}
	if err := storetest.EnrolKey(st, caller.User, s); err != nil {
		t.Fatal(err)
	}
	key := storetest.SigningKey(t, s)
	gen := func(i int) []protocol.PushItem {
		push := make([]protocol.PushItem, batch)
		var wg gosync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for j := w; j < len(push); j += runtime.GOMAXPROCS(0) {
					push[j] = storetest.Synthetic(base, i+j, fmt.Sprintf("村%03d", (i+j)%villages), key)
				}
			})
		}
		wg.Wait()
		return push
	}
	put := func(st *boltstore.Store, i int) {
		if _, err := st.PutBatch(context.Background(), caller, server.Arrivals(gen(i), nil)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i += batch {
		put(st, i)
	}
	if path := os.Getenv("DOORSTEP_PAGES_HEAP"); path != "" { // what the heap holds, filled
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	st.Close()
	before := pagesOf(t, dir+"/"+boltstore.File)
	total := map[string]int{}
	const rounds = 4
	for r := range rounds {
		st = open()
		put(st, n+r*batch)
		st.Close()
		after := pagesOf(t, dir+"/"+boltstore.File)
		for name, ps := range after {
			for id, kind := range ps {
				if before[name][id] != kind {
					total[name+"."+kind]++
				}
			}
		}
		before = after
	}
	var names []string
	sum := 0
	for k, v := range total {
		names = append(names, fmt.Sprintf("%s %d", k, v/rounds))
		sum += v / rounds
	}
	sort.Strings(names)
	t.Logf("at %d records, pages a batch of %d writes: %d: %v", n, batch, sum, names)
	db, err := bolt.Open(dir+"/"+boltstore.File, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs := db.Stats()
	t.Logf("free pages %d, pending %d, freelist %d bytes", fs.FreePageN, fs.PendingPageN, fs.FreelistInuse)
	t.Log(bucketSizes2(t, db))
}

func bucketSizes2(t *testing.T, db *bolt.DB) string {
	var out []string
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			s := bk.Stats()
			pages := s.BranchPageN + s.BranchOverflowN + s.LeafPageN + s.LeafOverflowN
			if pages == 0 {
				return nil
			}
			c := bk.Cursor()
			k, _ := c.First()
			out = append(out, fmt.Sprintf("%s %d leaves %d branches (%d%% used, %d keys, depth %d, key %d bytes)", name, s.LeafPageN, s.BranchPageN,
				100*(s.BranchInuse+s.LeafInuse)/(pages*db.Info().PageSize), s.KeyN, s.Depth, len(k)))
			return nil
		})
	})
	return fmt.Sprint(out)
}

// pagesOf is every page of each top-level bucket of the file: id → "branch" or "leaf".
func pagesOf(t *testing.T, path string) map[string]map[uint64]string {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps := db.Info().PageSize
	buf := make([]byte, ps)
	page := func(id uint64) []byte {
		if _, err := f.ReadAt(buf, int64(id)*int64(ps)); err != nil {
			t.Fatal(err)
		}
		return buf
	}
	out := map[string]map[uint64]string{}
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			m := map[uint64]string{}
			var walk func(id uint64)
			walk = func(id uint64) {
				p := page(id)
				flags := binary.LittleEndian.Uint16(p[8:])
				count := int(binary.LittleEndian.Uint16(p[10:]))
				if flags&0x01 == 0 {
					m[id] = "leaf"
					return
				}
				m[id] = "branch"
				children := make([]uint64, count)
				for i := range children {
					children[i] = binary.LittleEndian.Uint64(p[16+16*i+8:])
				}
				for _, c := range children {
					walk(c)
				}
			}
			if root := uint64(b.Root()); root != 0 {
				walk(root)
			}
			out[string(name)] = m
			return nil
		})
	})
	return out
}
