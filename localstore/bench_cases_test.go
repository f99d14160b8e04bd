package localstore

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/roster"
)

// syntheticRows makes n roster rows with valid, distinct numbers.
func syntheticRows(n int) []roster.Row {
	rows := make([]roster.Row, n)
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("秀英建国明华丽军平芳伟红梅德兰桂")
	for i := range rows {
		id := idWithCheck(fmt.Sprintf("410102%s%03d", fmt.Sprintf("19%02d%02d%02d", 30+i%70, 1+i%12, 1+i%28), i%1000))
		// Distinct sequence per row beyond 1000: vary the region's last digits.
		id = idWithCheck(fmt.Sprintf("4101%02d", i/1000%100) + id[6:17])
		rows[i] = roster.Row{
			Line: i + 2, Name: string(surnames[i%len(surnames)]) + string(given[i%len(given)]) + string(given[(i/7)%len(given)]),
			CertificateNumber: id + strconv.Itoa(1+i%7) + strconv.Itoa(1+i%4), IDNumber: id,
			Sex: 1, Category: 1 + i%7, Level: 1 + i%4, Town: "青石镇", Village: fmt.Sprintf("第%d村", i%6+1),
			HouseholdAddress: fmt.Sprintf("青石镇第%d村%d组%d号", i%6+1, i%9+1, i%50+1), Phone: fmt.Sprintf("138%08d", i),
		}
	}
	return rows
}

// fillStore imports n cases and writes completed records for the first k of them, in
// one transaction per thousand so setup does not pay an fsync per record.
func fillStore(tb testing.TB, s *Session, n, k int) {
	tb.Helper()
	if _, err := s.ImportRoster(syntheticRows(n), "bench"); err != nil {
		tb.Fatal(err)
	}
	cases, err := s.Cases(CaseFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	answers := map[string]json.RawMessage{}
	for i := range 30 {
		answers[fmt.Sprintf("R%d", i+1)] = json.RawMessage(strconv.Itoa(1 + i%4))
	}
	for start := 0; start < k; start += 1000 {
		err := s.db.bolt.Update(func(tx *bolt.Tx) error {
			for _, c := range cases[start:min(start+1000, k)] {
				r := &Record{ID: fmt.Sprintf("%032x", c.Seq), CaseID: c.ID, FormID: "person-2021", FormVersion: "2021.1",
					Method: 1, Outcome: 1, Answers: answers, Status: StatusCompleted, Enumerator: "E001"}
				if _, err := tx.Bucket(bucketAudit).CreateBucket([]byte(r.ID)); err != nil {
					return err
				}
				for q, v := range answers {
					if err := s.appendAudit(tx, r, AuditEntry{Action: ActionAnswer, Question: q, New: v}); err != nil {
						return err
					}
				}
				if err := tx.Bucket(bucketRecordIndex).Put(s.recordKey(c.ID, r.FormID), []byte(r.ID)); err != nil {
					return err
				}
				if err := s.saveRecord(tx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkOpenAndListCases20000 is the target "open the store and show the case list,
// 20 000 cases (5 000 completed)": under 300 ms after the key derivation (the test KDF is
// cheap, so what is measured is the rest).
func BenchmarkOpenAndListCases20000(b *testing.B) {
	dir := b.TempDir()
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		b.Fatal(err)
	}
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		b.Fatal(err)
	}
	fillStore(b, s, 20000, 5000)
	db.Close()
	fi, _ := os.Stat(dir + "/" + FileName)
	b.ReportMetric(float64(fi.Size())/(1<<20), "MB-file")
	b.ResetTimer()
	for b.Loop() {
		db, err := Open(dir, Options{KDF: testKDF})
		if err != nil {
			b.Fatal(err)
		}
		s, err := db.Unlock("L001", "leader-pass")
		if err != nil {
			b.Fatal(err)
		}
		cases, err := s.Cases(CaseFilter{})
		if err != nil || len(cases) != 20000 {
			b.Fatalf("%d cases, %v", len(cases), err)
		}
		db.Close()
	}
}

// TestMemoryWith20000Cases reports the resident memory of a fresh process that opens a
// store of 20 000 cases and loads the case list (target < 80 MB). It is a measurement,
// printed with -v; it fails only far beyond the target.
func TestMemoryWith20000Cases(t *testing.T) {
	if testing.Short() || raceEnabled || readRSS() == 0 {
		t.Skip("builds a 20 000-case store; needs /proc and no race detector")
	}
	dir := t.TempDir()
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 20000, 5000)
	db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=load-cases", "DOORSTEP_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	var cases int
	var heap, rss float64
	if _, err := fmt.Sscanf(string(out), "%d %f %f", &cases, &heap, &rss); err != nil || cases != 20000 {
		t.Fatalf("child said %q: %v", out, err)
	}
	t.Logf("%d cases loaded: heap in use %.1f MB, RSS %.1f MB", cases, heap, rss)
	if rss > 160 {
		t.Errorf("RSS %.0f MB, twice the 80 MB target", rss)
	}
}

func childLoadCases() int {
	db, err := Open(os.Getenv("DOORSTEP_DIR"), Options{KDF: testKDF})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer db.Close()
	s, err := db.Unlock("L001", "leader-pass")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	cases, err := s.Cases(CaseFilter{})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println(len(cases), float64(ms.HeapInuse)/(1<<20), readRSS())
	runtime.KeepAlive(cases)
	return 0
}

// readRSS is VmRSS from /proc in MB, or 0 where there is none.
func readRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkImportRoster20000 is the store's part of "import 20 000 roster rows" (target
// with XLSX parsing: under 5 s; roster.BenchmarkParse20000 has the parsing).
func BenchmarkImportRoster20000(b *testing.B) {
	rows := syntheticRows(20000)
	for b.Loop() {
		b.StopTimer()
		db, err := Open(b.TempDir(), Options{KDF: testKDF})
		if err != nil {
			b.Fatal(err)
		}
		s, err := db.Setup(leader, "leader-pass")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if rep, err := s.ImportRoster(rows, "bench"); err != nil || rep.Added != 20000 {
			b.Fatal(rep, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
