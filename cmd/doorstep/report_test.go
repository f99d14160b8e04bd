package main

import (
	"encoding/json"
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
			got := must(t, as(dir, "L001"), "report", kind, "--out", out)
			if !strings.HasPrefix(got, "wrote "+out+"\n") {
				t.Errorf("report %s printed %q, want the file it wrote", kind, got)
			}
			if full := strings.Contains(got, "full certificate numbers"); full != (kind == "cancellations") {
				t.Errorf("report %s: says it holds full numbers: %v", kind, full)
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

// TestLeaderReportsOnlyTheirVillages: a leader of one of the district's villages gets
// reports of that village only, and cannot ask for another.
func TestLeaderReportsOnlyTheirVillages(t *testing.T) {
	dir := laptop(t, "20")
	var cases []struct {
		Village string `json:"village"`
	}
	if err := json.Unmarshal([]byte(must(t, as(dir, "L001"), "cases", "list", "--json")), &cases); err != nil {
		t.Fatal(err)
	}
	mine, other := cases[0].Village, cases[len(cases)-1].Village
	if mine == other {
		t.Fatal("the demo laptop has one village")
	}
	code, out, errOut := runIn(t, as(dir, "L001"), "leader2-pass\n", "user", "add", "--code", "L002", "--name", "赵组长",
		"--role", "leader", "--villages", mine)
	if code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	l2 := map[string]string{"DOORSTEP_DATA": dir, "DOORSTEP_USER": "L002", "DOORSTEP_PASSPHRASE": "leader2-pass"}
	outDir := t.TempDir()
	for _, kind := range []string{"register", "stats", "cancellations", "allowance", "validation"} {
		out := filepath.Join(outDir, kind+".csv")
		must(t, l2, "report", kind, "--out", out)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), other) {
			t.Errorf("%s of %s's leader names %s:\n%s", kind, mine, other, data)
		}
		if kind == "register" && !strings.Contains(string(data), mine) {
			t.Errorf("the register does not list %s", mine)
		}
	}
	if code, _, errOut := runIn(t, l2, "", "report", "stats", "--village", other, "--out", filepath.Join(outDir, "x.csv")); code == 0 ||
		!strings.Contains(errOut, "not one of your villages") {
		t.Errorf("a report of another village: exit %d %q", code, errOut)
	}
}
