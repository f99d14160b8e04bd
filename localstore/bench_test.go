package localstore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkSaveAnswer compares the durable save of one answer with its audit entry to one
// raw fsync of a small file on the same disk; the target is at most 3×.
func BenchmarkSaveAnswer(b *testing.B) {
	dir := b.TempDir()
	b.Run("raw-fsync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(dir, "raw"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 512)
		for b.Loop() {
			if _, err := f.WriteAt(buf, 0); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("save-answer", func(b *testing.B) {
		// Answers as an interview gives them: about a hundred to a record, then the
		// next case — a chain of thousands of entries on one record is not a survey.
		_, s := setupTest(b)
		if _, err := s.ImportRoster(syntheticRows(2000), "bench"); err != nil {
			b.Fatal(err)
		}
		cases, _ := s.Cases(CaseFilter{})
		var r *Record
		i := 0
		for b.Loop() {
			if i%100 == 0 {
				var err error
				b.StopTimer()
				if r, err = s.StartRecord(cases[(i/100)%len(cases)].ID, "person-2021", "2021.1"); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			i++
			v := json.RawMessage(strconv.Itoa(i%4 + 1))
			if _, err := s.SaveAnswers(r.ID, AnswerChange{Question: fmt.Sprintf("R%d", i%40), Section: "basic", Value: v}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUnlock measures one unlock with the real argon2id cost (target < 1 s with
// GOMAXPROCS=1, a low-end laptop's share), and with the parameters used before, which
// old files still carry until their next unlock.
func BenchmarkUnlock(b *testing.B) {
	for _, c := range []struct {
		name string
		kdf  KDFParams
	}{{"default", DefaultKDF}, {"before-128MiB-t5", KDFParams{Time: 5, MemoryKiB: 128 * 1024, Threads: 2}}} {
		b.Run(c.name, func(b *testing.B) {
			db, err := Open(b.TempDir(), Options{KDF: c.kdf})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Setup(leader, "leader-pass"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := db.Unlock("L001", "leader-pass"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
