package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReportCommand(t *testing.T) {
	dir := laptop(t, "8")
	outDir := t.TempDir()
	for _, kind := range []string{"validation", "stats", "register", "cancellations", "allowance"} {
		for _, ext := range []string{"xlsx", "csv"} {
			out := filepath.Join(outDir, kind+"."+ext)
			if got := must(t, as(dir, "L001"), "report", kind, "--out", out); got != "" {
				t.Errorf("report %s printed %q", kind, got)
			}
			fi, err := os.Stat(out)
			if err != nil || fi.Size() == 0 {
				t.Fatalf("%s: %v", out, err)
			}
		}
	}
	f, err := excelize.OpenFile(filepath.Join(outDir, "stats.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Sheet1")
	var total []string
	for _, r := range rows {
		if len(r) > 2 && r[0] == "合计" {
			total = r
		}
	}
	if total == nil || total[1] != "20" || total[2] != "8" {
		t.Errorf("stats total %v", total)
	}
	for _, bad := range [][]string{
		{"report", "nonsense", "--out", "x.xlsx"},
		{"report", "stats"},
		{"report", "stats", "--out", filepath.Join(outDir, "x.pdf")},
		{"report", "stats", "--out", filepath.Join(outDir, "x.xlsx"), "--date", "12/10/2021"},
	} {
		if code, _, errOut := runIn(t, as(dir, "L001"), "", bad...); code != exitUsage || errOut == "" {
			t.Errorf("%s: exit %d %q", strings.Join(bad, " "), code, errOut)
		}
	}
}
