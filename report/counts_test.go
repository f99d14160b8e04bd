package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// randomDistrict is a district in a random state of its survey: cases not started, drafts,
// records completed before and after the report's day, submitted, approved, returned and
// reopened to be fixed, every method and outcome, by three enumerators; some roster rows
// without a category or level (or with a code the roster got wrong).
func randomDistrict(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	d := demo.Generate(demo.Options{Seed: int64(seed), Cases: 20 + rng.IntN(200), Villages: 1 + rng.IntN(5)})
	asOf := time.Date(2021, 10, 20, 15, 0, 0, 0, time.UTC)
	in := Input{Unit: "测试镇残联", AsOf: asOf, Users: map[string]string{"E001": "李晓梅", "E002": "张伟", "E003": "王芳"}}
	statuses := []localstore.Status{localstore.StatusCompleted, localstore.StatusSubmitted, localstore.StatusApproved,
		localstore.StatusReturned, localstore.StatusDraft, localstore.StatusReadBack, localstore.StatusSigned}
	for i, row := range d.Rows {
		switch rng.IntN(8) {
		case 0:
			row.Category = 0
		case 1:
			row.Level = 0
		case 2:
			row.Category, row.Level = 9, 7
		}
		c := Case{Row: row}
		if rng.IntN(4) > 0 {
			r := &localstore.Record{ID: fmt.Sprint("r", i), Enumerator: fmt.Sprintf("E00%d", 1+rng.IntN(3)),
				Method: methodOrder[rng.IntN(len(methodOrder))], Outcome: outcomeOrder[rng.IntN(len(outcomeOrder))],
				Status: statuses[rng.IntN(len(statuses))]}
			// A draft was completed once when it is a returned record reopened.
			if r.Status.Locked() || r.Status == localstore.StatusReturned || rng.IntN(3) == 0 {
				r.CompletedAt = asOf.Add(time.Duration(rng.IntN(20*24)-17*24) * time.Hour)
			}
			c.Record = r
		}
		in.Cases = append(in.Cases, c)
	}
	if len(d.Villages) > 1 && rng.IntN(3) == 0 {
		in.Villages = []string{d.Villages[0].Name, d.Villages[len(d.Villages)-1].Name}
	}
	return in
}

// columns names a table's columns "group/name" (or "name" for one without a group), so
// the two 不详 columns of the statistics table are told apart.
func columns(t *table) map[string]int {
	out := map[string]int{}
	group := ""
	for i, h := range t.header[0] {
		name := h
		if len(t.header) > 1 {
			if h != "" {
				group = h
			}
			if sub := t.header[1][i]; sub != "" {
				name = group + "/" + sub
			}
		}
		out[name] = i
	}
	return out
}

func intCell(t *testing.T, row []any, i int) int {
	t.Helper()
	n, ok := row[i].(int)
	if !ok {
		t.Fatalf("column %d of %v is %T, not a count", i, row, row[i])
	}
	return n
}

// TestReportsAgree makes the reports of random districts and checks that every count
// one report gives is the count the others give.
func TestReportsAgree(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		in := randomDistrict(seed)
		t.Run(fmt.Sprint(seed), func(t *testing.T) { reportsAgree(t, in) })
	}
}

func reportsAgree(t *testing.T, in Input) {
	stats, register, cancel, allowance := statsTable(in), registerTable(in), cancellationTable(in), allowanceTable(in)
	sc, rc, ac := columns(stats), columns(register), columns(allowance)
	total := stats.rows[len(stats.rows)-1]
	villages := stats.rows[:len(stats.rows)-1]
	st := func(name string) int { return intCell(t, total, sc[name]) }

	// The register: one row per case; what it says of each case, counted.
	if got := len(register.rows); got != st("底册人数") || got != len(in.cases()) {
		t.Fatalf("register %d rows, statistics roster %d, cases %d", got, st("底册人数"), len(in.cases()))
	}
	byMethod, byOutcome, byEnumerator := map[string]int{}, map[string]int{}, map[string]int{}
	surveyed := 0
	for _, r := range register.rows {
		m, o := r[rc["调查方式"]].(string), r[rc["调查结果"]].(string)
		if (m == "") != (o == "") {
			t.Errorf("register row with a method but no outcome or the other way: %v", r)
		}
		if m != "" {
			surveyed++
			byMethod[m]++
			byOutcome[o]++
			byEnumerator[r[rc["调查员"]].(string)]++
		}
	}
	if surveyed != st("已调查") {
		t.Errorf("register: %d surveyed, statistics %d", surveyed, st("已调查"))
	}
	for _, m := range methodOrder {
		if byMethod[methodNames[m]] != st("调查方式/"+methodNames[m]) {
			t.Errorf("%s: register %d, statistics %d", methodNames[m], byMethod[methodNames[m]], st("调查方式/"+methodNames[m]))
		}
	}
	for _, o := range outcomeOrder {
		if byOutcome[outcomeNames[o]] != st("调查结果/"+outcomeNames[o]) {
			t.Errorf("%s: register %d, statistics %d", outcomeNames[o], byOutcome[outcomeNames[o]], st("调查结果/"+outcomeNames[o]))
		}
	}

	// The statistics table adds up, across and down.
	sum := func(group string, codes []int, names map[int]string) int {
		n := 0
		for _, c := range codes {
			n += st(group + "/" + names[c])
		}
		return n
	}
	for _, g := range []struct {
		group string
		codes []int
		names map[int]string
	}{{"调查方式", methodOrder, methodNames}, {"调查结果", outcomeOrder, outcomeNames},
		{"残疾类别（已调查）", categoryOrder, categoryName}, {"残疾等级（已调查）", levelOrder, levelName}} {
		if n := sum(g.group, g.codes, g.names); n != st("已调查") {
			t.Errorf("%s add up to %d, surveyed %d", g.group, n, st("已调查"))
		}
	}
	if st("已调查")+st("未调查") != st("底册人数") {
		t.Errorf("surveyed %d + not %d ≠ roster %d", st("已调查"), st("未调查"), st("底册人数"))
	}
	for i := 1; i < len(total); i++ {
		if _, ok := total[i].(int); !ok {
			continue
		}
		n := 0
		for _, v := range villages {
			n += intCell(t, v, i)
		}
		if n != intCell(t, total, i) {
			t.Errorf("column %d: villages add up to %d, total %d", i, n, intCell(t, total, i))
		}
	}
	if st("已调查") > 0 {
		rate, ok := total[sc["入户率"]].(percentCell)
		if want := float64(st("调查方式/入户")) / float64(st("已调查")); !ok || float64(rate) != want {
			t.Errorf("home-visit rate %v, want %v", total[sc["入户率"]], want)
		}
	}

	// The cancellation list: the deaths, empty households and persons not found.
	if n := st("调查结果/死亡") + st("调查结果/空挂户") + st("调查结果/查无此人"); n != len(cancel.rows) {
		t.Errorf("cancellation list %d, statistics %d", len(cancel.rows), n)
	}

	// The allowance sheet, per enumerator and in total.
	at := allowance.rows[len(allowance.rows)-1]
	for name, want := range map[string]int{"完成个案": st("已调查"), "其中正常调查": st("调查结果/正常调查"),
		"其中入户": st("调查方式/入户"), "其他结果": st("已调查") - st("调查结果/正常调查")} {
		if got := intCell(t, at, ac[name]); got != want {
			t.Errorf("allowance %s %d, statistics %d", name, got, want)
		}
	}
	for _, r := range allowance.rows[:len(allowance.rows)-1] {
		if got, want := intCell(t, r, ac["完成个案"]), byEnumerator[r[ac["调查员"]].(string)]; got != want {
			t.Errorf("allowance: %s %d, register %d", r[ac["调查员"]], got, want)
		}
	}
}

// TestHomeVisitCountedOnce is the field test's case: an empty household (空挂户) found
// on a home visit is a home visit on the allowance sheet as in the statistics table.
func TestHomeVisitCountedOnce(t *testing.T) {
	in := randomDistrict(7)
	in.Villages = nil
	for i := range in.Cases {
		in.Cases[i].Record = nil
	}
	done := in.AsOf.Add(-time.Hour)
	in.Cases[0].Record = &localstore.Record{Enumerator: "E001", Method: survey.HomeVisit, Outcome: localstore.OutcomeInterviewed,
		Status: localstore.StatusCompleted, CompletedAt: done}
	in.Cases[1].Record = &localstore.Record{Enumerator: "E001", Method: survey.HomeVisit, Outcome: survey.OutcomeEmptyHome,
		Status: localstore.StatusCompleted, CompletedAt: done, OutcomeNote: "房屋空置多年"}
	a, s := allowanceTable(in), statsTable(in)
	ac, sc := columns(a), columns(s)
	if got := a.rows[0][ac["其中入户"]]; got != 2 {
		t.Errorf("allowance 入户 %v, want 2", got)
	}
	if got := s.rows[len(s.rows)-1][sc["调查方式/入户"]]; got != 2 {
		t.Errorf("statistics 入户 %v, want 2", got)
	}
}

// TestReturnedRecordStillCounts: a record the leader returned, and the same record
// reopened by its enumerator to fix, stay in the register and the statistics by their
// method and outcome.
func TestReturnedRecordStillCounts(t *testing.T) {
	for _, status := range []localstore.Status{localstore.StatusReturned, localstore.StatusDraft, localstore.StatusSigned} {
		t.Run(string(status), func(t *testing.T) {
			in := randomDistrict(3)
			in.Villages = nil
			for i := range in.Cases {
				in.Cases[i].Record = nil
			}
			in.Cases[0].Record = &localstore.Record{Enumerator: "E002", Method: survey.MethodPhone, Outcome: localstore.OutcomeInterviewed,
				Status: status, CompletedAt: in.AsOf.Add(-48 * time.Hour)}
			reg, s := registerTable(in), statsTable(in)
			rc, sc := columns(reg), columns(s)
			if m, o := reg.rows[0][rc["调查方式"]], reg.rows[0][rc["调查结果"]]; m != "电话" || o != "正常调查" {
				t.Errorf("register: method %q outcome %q, want 电话 正常调查", m, o)
			}
			tot := s.rows[len(s.rows)-1]
			if tot[sc["已调查"]] != 1 || tot[sc["调查方式/电话"]] != 1 || tot[sc["调查结果/正常调查"]] != 1 {
				t.Errorf("statistics total %v", tot)
			}
		})
	}
	// A draft never completed is not surveyed.
	r := &localstore.Record{Method: survey.HomeVisit, Outcome: 1, Status: localstore.StatusDraft}
	if Surveyed(r, time.Now()) {
		t.Error("a draft never completed counts as surveyed")
	}
}

// TestUnknownCategoryAndLevel: a roster without category or level still adds up.
func TestUnknownCategoryAndLevel(t *testing.T) {
	in := randomDistrict(11)
	in.Villages = nil
	for i := range in.Cases {
		in.Cases[i].Row.Category, in.Cases[i].Row.Level = 0, 0
		in.Cases[i].Record = &localstore.Record{Enumerator: "E001", Method: survey.HomeVisit, Outcome: 1,
			Status: localstore.StatusCompleted, CompletedAt: in.AsOf.Add(-time.Hour)}
	}
	s := statsTable(in)
	sc := columns(s)
	tot := s.rows[len(s.rows)-1]
	if tot[sc["残疾类别（已调查）/不详"]] != len(in.Cases) || tot[sc["残疾等级（已调查）/不详"]] != len(in.Cases) {
		t.Errorf("不详 columns %v %v, want %d", tot[sc["残疾类别（已调查）/不详"]], tot[sc["残疾等级（已调查）/不详"]], len(in.Cases))
	}
}

// TestCancellationListSaysFullNumbers: the one report with full numbers says so.
func TestCancellationListSaysFullNumbers(t *testing.T) {
	in := randomDistrict(5)
	if tb := cancellationTable(in); !strings.Contains(tb.title, "完整证号") {
		t.Errorf("title %q does not say it holds full numbers", tb.title)
	}
	var b bytes.Buffer
	if err := Write(Cancellations, CSV, in, &b); err != nil || !strings.Contains(b.String(), "含完整证号") {
		t.Errorf("CSV title: %v", err)
	}
}

// TestHomeVisitRateIsAPercentCell: the rate is a number a spreadsheet can sort, shown as
// a percent.
func TestHomeVisitRateIsAPercentCell(t *testing.T) {
	in := demoInput(t, 30, 12)
	f := xlsx(t, Stats, in)
	rows, _ := f.GetRows(sheetName)
	var at string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "合计" {
			at = fmt.Sprintf("H%d", i+1)
		}
	}
	typ, err := f.GetCellType(sheetName, at)
	if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s is of type %v (%v), want a number", at, typ, err)
	}
	raw, _ := f.GetCellValue(sheetName, at, excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue(sheetName, at)
	if !strings.HasSuffix(shown, "%") || strings.HasSuffix(raw, "%") {
		t.Errorf("home-visit rate shown %q, stored %q: want a number formatted as a percent", shown, raw)
	}
}
