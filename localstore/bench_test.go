package localstore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
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
			cpu0, _ := processCPU()
			for b.Loop() {
				if _, err := db.Unlock("L001", "leader-pass"); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkSignAtTheDoor is what the signature screen does when the enumerator presses
// enter: the passphrase checked again (an unlock) and both signatures saved, each durably
// (target < 1 s with GOMAXPROCS=1).
func BenchmarkSignAtTheDoor(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportRoster(testRows(), "roster.xlsx"); err != nil {
		b.Fatal(err)
	}
	cases, err := s.Cases(CaseFilter{})
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		b.Fatal(err)
	}
	for _, step := range []func() (*Record, error){
		func() (*Record, error) { return s.SetCaseHeader(r.ID, 1, 1, "") },
		func() (*Record, error) {
			return s.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`2`)})
		},
		func() (*Record, error) { return s.MarkReadBack(r.ID) },
	} {
		if _, err := step(); err != nil {
			b.Fatal(err)
		}
	}
	cpu0, _ := processCPU()
	for b.Loop() {
		if _, err := db.Unlock("L001", "leader-pass"); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Sign(r.ID, Signature{Role: SignerProxy, Name: "张大山", Relation: "子女"}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Sign(r.ID, Signature{Role: SignerEnumerator, Name: "王组长"}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU adds the process's CPU time per operation since cpu0 (cpu-ms/op) where the
// system tells it.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu1, ok := processCPU(); ok && b.N > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}
