package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
)

// demoInput is a demo district of n cases with k interviews completed through the real
// store, as the command assembles it.
func demoInput(t testing.TB, n, k int) Input {
	t.Helper()
	db := localstoretest.Open(t)
	if _, err := seed.Fill(db, seed.Options{Form: formstest.Person2021(t), Options: demo.Options{Seed: 3, Cases: n, Villages: 3}, Completed: k}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock(seed.Leader.Code, seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := s.Cases(localstore.CaseFilter{})
	records, _ := s.Records()
	users, _ := s.Users()
	f := formstest.Person2021(t)
	reg, _ := forms.NewRegistry(f)
	listed := make([]Listed, len(cases))
	for i, c := range cases {
		listed[i] = Listed{ID: c.ID, Row: c.Row}
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.Code] = u.Name
	}
	in := Assemble(reg, listed, records, names)
	in.Unit, in.AsOf = "马集镇残联", time.Now()
	return in
}

func xlsx(t *testing.T, kind Kind, in Input) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := Write(kind, XLSX, in, &b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cell(t *testing.T, f *excelize.File, name string) string {
	t.Helper()
	v, err := f.GetCellValue(sheetName, name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStatsTable(t *testing.T) {
	in := demoInput(t, 60, 20)
	f := xlsx(t, Stats, in)
	if got := cell(t, f, "A1"); got != "持证残疾人基本状况调查情况统计表" {
		t.Errorf("title %q", got)
	}
	if pl, err := f.GetPageLayout(sheetName); err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 {
		t.Errorf("page layout %+v %v", pl, err)
	}
	if props, err := f.GetSheetProps(sheetName); err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("fit to page not set, so Excel ignores one-page-wide: %+v %v", props, err)
	}
	if pl, _ := f.GetPageLayout(sheetName); pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("fit %+v", pl)
	}
	if panes, err := f.GetPanes(sheetName); err != nil || !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("panes %+v %v", panes, err)
	}
	if got := cell(t, f, "D3"); got != "调查方式" || cell(t, f, "D4") != "入户" || cell(t, f, "B3") != "底册人数" {
		t.Errorf("header: %q %q", got, cell(t, f, "D4"))
	}
	merges, _ := f.GetMergeCells(sheetName)
	want := map[string]bool{"A1:AC1": false, "D3:G3": false, "B3:B4": false} // 29 columns
	for _, m := range merges {
		if _, ok := want[m.GetStartAxis()+":"+m.GetEndAxis()]; ok {
			want[m.GetStartAxis()+":"+m.GetEndAxis()] = true
		}
	}
	for m, found := range want {
		if !found {
			t.Errorf("merge %s missing (have %d merges)", m, len(merges))
		}
	}
	rows, _ := f.GetRows(sheetName)
	// Rows 5… are the villages, then 合计: every count column of the total is the sum
	// of the villages'.
	var villages [][]string
	var total []string
	for _, r := range rows[4:] {
		if len(r) == 0 {
			break
		}
		if r[0] == "合计" {
			total = r
			break
		}
		villages = append(villages, r)
	}
	if len(villages) != 3 || total == nil {
		t.Fatalf("%d village rows, total %v", len(villages), total)
	}
	for col := 1; col < len(total); col++ {
		if col == 7 { // 入户率
			continue
		}
		sum := 0
		for _, v := range villages {
			n, _ := strconv.Atoi(v[col])
			sum += n
		}
		if n, _ := strconv.Atoi(total[col]); n != sum {
			t.Errorf("column %s: total %d, villages add up to %d", rows[3][col]+rows[2][col], n, sum)
		}
	}
	num := func(i int) int { n, _ := strconv.Atoi(total[i]); return n }
	if num(1) != 60 || num(2) != 20 || num(2)+num(len(total)-1) != 60 || num(3)+num(4)+num(5)+num(6) != 20 {
		t.Errorf("total row %v", total)
	}
	if !strings.Contains(strings.Join(rows[len(rows)-4], ""), "分管领导") {
		t.Errorf("no signature lines: %v", rows[len(rows)-4:])
	}
}

func TestRegister(t *testing.T) {
	in := demoInput(t, 30, 5)
	f := xlsx(t, Register, in)
	rows, _ := f.GetRows(sheetName)
	body := rows[3 : 3+30]
	signed := 0
	for i, r := range body {
		if r[0] != strconv.Itoa(i+1) || r[1] != in.Cases[i].Row.Name {
			t.Fatalf("row %d is %v, want case %s in roster order", i+1, r, in.Cases[i].Row.Name)
		}
		if !strings.Contains(r[2], "********") {
			t.Errorf("row %d: number not masked: %s", i+1, r[2])
		}
		if len(r) > 8 && r[8] != "" {
			signed++
			sig, _ := in.Cases[i].Record.RespondentSignature()
			if r[8] != sig.DisplayName() {
				t.Errorf("signer %q, want %q", r[8], sig.DisplayName())
			}
		}
	}
	if signed == 0 {
		t.Error("no signer shown")
	}
	if v := f.GetDefinedName(); len(v) == 0 || !strings.Contains(v[0].RefersTo, "$3:$3") {
		t.Errorf("the header is not repeated on each page: %+v", v)
	}
	in.Unmasked = true
	if got := cell(t, xlsx(t, Register, in), "C4"); got != in.Cases[0].Row.Key() {
		t.Errorf("unmasked %q", got)
	}
}

func TestProxyMarkInRegister(t *testing.T) {
	in := demoInput(t, 40, 40)
	f := xlsx(t, Register, in)
	rows, _ := f.GetRows(sheetName)
	proxies := 0
	for _, r := range rows[3:] {
		if len(r) > 8 && strings.HasSuffix(r[8], localstore.ProxyMark) {
			proxies++
		}
	}
	if proxies == 0 {
		t.Error("no proxy signer marked (代) among 40 interviews")
	}
}

func TestValidationReport(t *testing.T) {
	in := demoInput(t, 20, 10)
	// One record with a missing answer and one with a warning confirmed by a note.
	var rec *localstore.Record
	for _, c := range in.Cases {
		if c.Record != nil && c.Record.Outcome == 1 {
			rec = c.Record
			break
		}
	}
	delete(rec.Answers, "R3")
	rec.Notes = map[string]string{"C5@R10": "本人提前退休，已核实"}
	f := xlsx(t, Validation, in)
	rows, _ := f.GetRows(sheetName)
	found := false
	for _, r := range rows[3:] {
		if len(r) > 10 && r[6] == "R3" && r[8] == "漏答" {
			found = true
		}
	}
	if !found {
		t.Errorf("the missing R3 is not reported:\n%v", rows)
	}
}

func TestCancellationsAndAllowance(t *testing.T) {
	in := demoInput(t, 200, 200)
	f := xlsx(t, Cancellations, in)
	rows, _ := f.GetRows(sheetName)
	want := 0
	for _, c := range in.Cases {
		if r := c.Record; r != nil && r.Outcome >= 2 && r.Outcome <= 4 {
			want++
		}
	}
	if got := len(rows) - 3; got != want || want == 0 {
		t.Errorf("%d on the list, %d deaths, empty and not found", got, want)
	}
	if len(rows) > 3 && strings.Contains(rows[3][3], "*") {
		t.Error("the cancellation list masks numbers the district needs")
	}
	g := xlsx(t, Allowance, in)
	arows, _ := g.GetRows(sheetName)
	total := arows[len(arows)-1]
	for _, r := range arows {
		if len(r) > 0 && r[0] == "合计" {
			total = r
		}
	}
	if total[0] != "合计" || total[3] != "200" {
		t.Errorf("allowance total %v", total)
	}
}

func TestCSV(t *testing.T) {
	in := demoInput(t, 20, 5)
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(kind, CSV, in, &b); err != nil {
				t.Fatal(err)
			}
			data := b.Bytes()
			if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
				t.Fatal("no byte-order mark: Excel on Chinese Windows would read it as GBK")
			}
			r := csv.NewReader(bytes.NewReader(data[3:]))
			r.FieldsPerRecord = -1
			recs, err := r.ReadAll()
			if err != nil || len(recs) < 3 || recs[0][0] == "" || !strings.Contains(recs[1][0], "马集镇残联") {
				t.Fatalf("CSV: %v %v", err, recs)
			}
		})
	}
	if err := Write("nonsense", CSV, in, &bytes.Buffer{}); err == nil {
		t.Error("an unknown report was written")
	}
	if err := Write(Stats, "pdf", in, &bytes.Buffer{}); err == nil {
		t.Error("an unknown format was written")
	}
}

func TestVillagesAndAsOf(t *testing.T) {
	in := demoInput(t, 60, 30)
	village := in.Cases[0].Row.Village
	in.Villages = []string{village}
	var b bytes.Buffer
	Write(Register, CSV, in, &b)
	for _, line := range strings.Split(b.String(), "\n")[3:] {
		f := strings.Split(line, ",")
		if len(f) > 3 && f[3] != village {
			t.Fatalf("another village in the report: %s", line)
		}
	}
	in.Villages = nil
	in.AsOf = time.Date(2000, 1, 1, 0, 0, 0, 0, time.Local) // before anything was done
	f := xlsx(t, Stats, in)
	rows, _ := f.GetRows(sheetName)
	for _, r := range rows {
		if len(r) > 2 && r[0] == "合计" && r[2] != "0" {
			t.Errorf("surveyed before anything was done: %v", r)
		}
	}
}

func BenchmarkStatsAndRegister20000(b *testing.B) {
	in := demoInput(b, 20000, 2000)
	for b.Loop() {
		for _, k := range []Kind{Stats, Register} {
			if err := Write(k, XLSX, in, &bytes.Buffer{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
