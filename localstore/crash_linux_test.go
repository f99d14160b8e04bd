//go:build linux

package localstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The fault tests run this test binary again as a child that saves answers in a loop,
// reporting each save that returned; the parent kills it or limits its file size.
func init() { children["save-loop"] = childSaveLoop }

// childSaveLoop saves answer Q<i> = i until it fails, printing "saved i" after each
// save returns, and the error when one fails.
func childSaveLoop() int {
	dir, recordID := os.Getenv("DOORSTEP_DIR"), os.Getenv("DOORSTEP_RECORD")
	if limit := os.Getenv("DOORSTEP_FSIZE"); limit != "" {
		n, _ := strconv.ParseUint(limit, 10, 64)
		// Without this the kernel kills the process at the limit instead of failing the write.
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Println("setrlimit:", err)
			return 3
		}
	}
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	s, err := db.Unlock("E001", "enum-pass1")
	if err != nil {
		fmt.Println("unlock:", err)
		return 3
	}
	big := strings.Repeat("长", 2000)
	for i := 1; i < 100000; i++ {
		v, _ := json.Marshal(fmt.Sprintf("%d %s", i, big))
		if _, err := s.SaveAnswers(recordID, AnswerChange{Question: fmt.Sprintf("Q%d", i), Value: v}); err != nil {
			fmt.Println("error:", err)
			return 0
		}
		fmt.Println("saved", i)
	}
	return 0
}

func prepareChildStore(t *testing.T) (dir, recordID string) {
	t.Helper()
	dir = t.TempDir()
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(enumerator, "enum-pass1"); err != nil {
		t.Fatal(err)
	}
	cases := importTest(t, s)
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return dir, r.ID
}

func startChild(t *testing.T, dir, recordID string, extraEnv ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=save-loop", "DOORSTEP_DIR="+dir, "DOORSTEP_RECORD="+recordID)
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// checkSaved reopens the store and checks answers Q1…Qn are all there and the chain holds.
func checkSaved(t *testing.T, dir, recordID string, n int) {
	t.Helper()
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("file inconsistent: %v", err)
	}
	s, err := db.Unlock("E001", "enum-pass1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Record(recordID)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, ok := r.Answers[fmt.Sprintf("Q%d", i)]; !ok {
			t.Fatalf("save %d returned but is lost (record has %d answers)", i, len(r.Answers))
		}
	}
	if problems, err := s.Verify(); err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
}

// TestKilledMidSaveLosesNothing: SIGKILL during a loop of saves; every save that returned
// is in the file after reopening, and the file is consistent.
func TestKilledMidSaveLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for round := range 3 {
		dir, recordID := prepareChildStore(t)
		cmd, lines := startChild(t, dir, recordID)
		saved := 0
		killAt := 20 + round*37
		for lines.Scan() {
			line := lines.Text()
			if n, ok := strings.CutPrefix(line, "saved "); ok {
				saved, _ = strconv.Atoi(n)
			} else {
				t.Fatalf("child: %s", line)
			}
			if saved == killAt {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		_ = cmd.Wait()
		if saved < killAt {
			t.Fatalf("child stopped after %d saves", saved)
		}
		checkSaved(t, dir, recordID, saved)
	}
}

// TestDiskFullIsClearAndKeepsTheLastGoodState: with the file size limited (as a full disk
// does), a save fails with a clear error and every earlier save survives.
func TestDiskFullIsClearAndKeepsTheLastGoodState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir, recordID := prepareChildStore(t)
	fi, err := os.Stat(dir + "/" + FileName)
	if err != nil {
		t.Fatal(err)
	}
	cmd, lines := startChild(t, dir, recordID, fmt.Sprintf("DOORSTEP_FSIZE=%d", fi.Size()+256<<10))
	saved := 0
	var failure string
	deadline := time.Now().Add(2 * time.Minute)
	for lines.Scan() && time.Now().Before(deadline) {
		line := lines.Text()
		if n, ok := strings.CutPrefix(line, "saved "); ok {
			saved, _ = strconv.Atoi(n)
			continue
		}
		failure = line
		break
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Fatalf("child died: %v (after %d saves, %q)", err, saved, failure)
	}
	if saved == 0 || !strings.Contains(failure, "disk is full") {
		t.Fatalf("after %d saves: %q, want a disk-full error", saved, failure)
	}
	checkSaved(t, dir, recordID, saved)
}
