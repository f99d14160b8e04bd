package boltstore_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/boltstore"
)

// TestReleaseMapped: a read that walks a whole file leaves it resident in the process
// (bbolt's map); ReleaseMapped gives it back, and what the read holds still reads the
// same.
func TestReleaseMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "walk.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n, size = 8000, 4000 // 32 MB, a value a page
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range n {
			if err := b.Put([]byte(strconv.Itoa(1_000_000+i)), bytes.Repeat([]byte{byte(i)}, size)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		var first []byte
		sum := 0
		tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error {
			if first == nil {
				first = v // a slice of the map, past the release below
			}
			sum += int(v[size-1])
			return nil
		})
		walked := mappedKB(t, path)
		if walked < n*size/1024/2 {
			t.Fatalf("after the walk %d kB of the file resident: the test reads nothing", walked)
		}
		if !boltstore.ReleaseMapped(tx) {
			t.Fatal("nothing released")
		}
		if left := mappedKB(t, path); left > walked/10 {
			t.Fatalf("%d kB resident after the walk, %d kB after ReleaseMapped", walked, left)
		}
		if !bytes.Equal(first, bytes.Repeat([]byte{0}, size)) {
			t.Fatal("a value read before the release reads otherwise after it")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if boltstore.ReleaseMapped(tx) {
			t.Error("released under a write transaction, which may replace the map")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mappedKB is how much of the file at path is resident in this process's maps
// (/proc/self/smaps).
func mappedKB(t *testing.T, path string) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, kb := false, 0
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = strings.HasSuffix(line, path)
			continue
		}
		if in && fields[0] == "Rss:" {
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	return kb
}
