package report

import (
	"fmt"
	"sort"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// validationTable is the 校验报告: every started record with an error, a missing item or
// a warning, one row each, with the enumerator's note where a warning was confirmed.
func validationTable(in Input) *table {
	t := &table{
		title:    "持证残疾人基本状况调查 校验报告",
		subtitle: subtitle(in),
		header:   [][]string{{"序号", "村（社区）", "姓名", "残疾人证号", "调查员", "状态", "题号", "题目", "类型", "检查", "问题", "调查员说明"}},
		widths:   []float64{6, 14, 10, 22, 10, 8, 7, 26, 8, 12, 40, 30},
	}
	n := 0
	for _, c := range in.cases() {
		r := c.Record
		if r == nil || r.Withdrawn != nil || r.Outcome != record.OutcomeInterviewed || r.Status == record.StatusDraft && len(r.Answers) == 0 {
			continue
		}
		rd, err := survey.Read(in.Forms, r, survey.About{Row: c.Row})
		if err != nil {
			n++
			t.rows = append(t.rows, []any{n, c.Row.Village, c.Row.Name, roster.Mask(c.Row.Key()), in.userName(r.Enumerator),
				statusName(r.Status), "", "", "错误", "format", err.Error(), ""})
			continue
		}
		res := rd.Result
		add := func(q, kind, check, msg, note string) {
			n++
			label := ""
			if fq := rd.Form.Question(q); fq != nil {
				label = fq.Label.ZH
			}
			t.rows = append(t.rows, []any{n, c.Row.Village, c.Row.Name, roster.Mask(c.Row.Key()), in.userName(r.Enumerator),
				statusName(r.Status), q, label, kind, check, msg, note})
		}
		for _, q := range res.Missing {
			add(q, "漏答", "required", "必答题未回答", "")
		}
		for _, fd := range res.Findings {
			if fd.Severity == forms.SeverityError {
				add(fd.Question, "错误", fd.Check, fd.Message.ZH, "")
			} else {
				add(fd.Question, "提示", fd.Check, fd.Message.ZH, rd.Note(fd))
			}
		}
	}
	if n == 0 {
		t.notes = append(t.notes, "没有发现错误、漏答或提示。")
	}
	return t
}

// statsTable is 调查情况统计表 (attachment 1): per village and in total.
func statsTable(in Input) *table {
	var villages []string
	by := map[string]*Counts{}
	total := NewCounts()
	for _, c := range in.cases() {
		v := c.Row.Village
		if by[v] == nil {
			by[v] = NewCounts()
			villages = append(villages, v)
		}
		by[v].Add(c, in.AsOf)
		total.Add(c, in.AsOf)
	}
	header1 := []string{"村（社区）", "底册人数", "已调查"}
	header2 := []string{"", "", ""}
	group := func(title string, codes []int, names map[int]string) {
		for i, code := range codes {
			header1 = append(header1, pick(i == 0, title, ""))
			header2 = append(header2, names[code])
		}
	}
	group("调查方式", methodOrder, methodNames)
	header1 = append(header1, "入户率")
	header2 = append(header2, "")
	group("调查结果", outcomeOrder, outcomeNames)
	group("残疾类别（已调查）", categoryOrder, categoryName)
	group("残疾等级（已调查）", levelOrder, levelName)
	header1 = append(header1, "未调查")
	header2 = append(header2, "")
	t := &table{
		title:     "持证残疾人基本状况调查情况统计表",
		subtitle:  subtitle(in),
		header:    [][]string{header1, header2},
		landscape: true,
		firstCol:  14,
		colWidth:  7,
		totalRow:  true,
		signature: []string{"分管领导（签字）：", "理事长（签字）：", "填表人：", "填报日期：" + in.AsOf.Format("2006年1月2日")},
	}
	// Merges: the single-row headings down, the groups across.
	for i, h := range header1 {
		if h != "" && header2[i] == "" {
			t.merges = append(t.merges, merge{0, i, 1, i})
		}
		if h != "" && header2[i] != "" {
			end := i + 1
			for end < len(header1) && header1[end] == "" && header2[end] != "" {
				end++
			}
			t.merges = append(t.merges, merge{0, i, 0, end - 1})
		}
	}
	row := func(name string, k *Counts) []any {
		r := []any{name, k.Roster, k.Surveyed}
		for _, m := range methodOrder {
			r = append(r, k.Method[m])
		}
		if rate, ok := k.HomeVisitRate(); ok {
			r = append(r, percentCell(rate))
		} else {
			r = append(r, "—")
		}
		for _, o := range outcomeOrder {
			r = append(r, k.Outcome[o])
		}
		for _, c := range categoryOrder {
			r = append(r, k.Category[c])
		}
		for _, l := range levelOrder {
			r = append(r, k.Level[l])
		}
		return append(r, k.NotSurveyed())
	}
	for _, v := range villages {
		t.rows = append(t.rows, row(v, by[v]))
		if rate, ok := by[v].HomeVisitRate(); ok && rate < survey.HomeVisitTarget {
			t.notes = append(t.notes, fmt.Sprintf("%s 入户率 %s，低于 %s 的要求。", v, percentCell(rate), percentCell(survey.HomeVisitTarget)))
		}
	}
	t.rows = append(t.rows, row("合计", total))
	if total.Category[Unknown] > 0 || total.Level[Unknown] > 0 {
		t.notes = append(t.notes, "“不详”：底册未给出残疾类别或等级的已调查人数。")
	}
	return t
}

// registerTable is the 进度登记表: every case in roster order, ready for the paper
// signatures.
func registerTable(in Input) *table {
	t := &table{
		title:       "持证残疾人基本状况调查进度登记表",
		subtitle:    subtitle(in),
		header:      [][]string{{"序号", "姓名", "残疾人证号", "村（社区）", "调查方式", "调查结果", "调查日期", "调查员", "签字人", "本人（代签人）签字"}},
		widths:      []float64{6, 10, 24, 14, 10, 10, 12, 10, 14, 20},
		repeatTitle: true,
		landscape:   true,
		tallRows:    true,
		signature:   []string{"调查员（签字）：", "组长（签字）：", "日期："},
	}
	if in.Unmasked {
		t.title += "（含完整证号）"
	}
	for i, c := range in.cases() {
		number := c.Row.Key()
		if !in.Unmasked {
			number = roster.Mask(number)
		}
		row := []any{i + 1, c.Row.Name, number, c.Row.Village, "", "", "", "", "", ""}
		if r := c.Record; in.surveyed(c) {
			row[4], row[5] = methodNames[r.Method], outcomeNames[r.Outcome]
			row[6] = r.CompletedAt.In(in.AsOf.Location()).Format("2006-01-02")
			row[7] = in.userName(r.Enumerator)
			if sig, ok := r.RespondentSignature(); ok {
				row[8] = sig.DisplayName()
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// CancellationTitle is the cancellation list's title. It is the one report that holds
// full certificate numbers — the district cancels certificates by them — and says so
// on its face, so nobody passes it round the village as if it were masked.
const CancellationTitle = "死亡、空挂户、查无此人名单（核销，含完整证号，勿外传）"

// cancellationTable is the list the district cancels certificates from: deaths, empty
// households and persons not found, with the enumerator's note.
func cancellationTable(in Input) *table {
	t := &table{
		title:    CancellationTitle,
		subtitle: subtitle(in),
		header:   [][]string{{"序号", "村（社区）", "姓名", "残疾人证号", "调查结果", "情况说明", "调查日期", "调查员"}},
		widths:   []float64{6, 14, 10, 24, 10, 40, 12, 10},
	}
	n := 0
	for _, c := range in.cases() {
		r := c.Record
		if !in.surveyed(c) || !survey.Cancelled(r.Outcome) {
			continue
		}
		n++
		t.rows = append(t.rows, []any{n, c.Row.Village, c.Row.Name, c.Row.Key(), outcomeNames[r.Outcome], r.OutcomeNote,
			r.CompletedAt.In(in.AsOf.Location()).Format("2006-01-02"), in.userName(r.Enumerator)})
	}
	return t
}

// allowanceTable counts each enumerator's surveyed cases, for the allowance paid per
// person surveyed.
func allowanceTable(in Input) *table {
	by := map[string]*Counts{}
	villages := map[string]map[string]bool{}
	total := NewCounts()
	for _, c := range in.cases() {
		if !in.surveyed(c) {
			continue
		}
		code := c.Record.Enumerator
		if by[code] == nil {
			by[code], villages[code] = NewCounts(), map[string]bool{}
		}
		by[code].Add(c, in.AsOf)
		total.Add(c, in.AsOf)
		villages[code][c.Row.Village] = true
	}
	var codes []string
	for k := range by {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	t := &table{
		title:     "调查员工作量统计（劳务补贴）",
		subtitle:  subtitle(in),
		header:    [][]string{{"序号", "调查员", "代码", "完成个案", "其中正常调查", "其中入户", "其他结果", "负责村（社区）"}},
		widths:    []float64{6, 10, 8, 10, 12, 10, 10, 40},
		totalRow:  true,
		signature: []string{"组长（签字）：", "分管领导（签字）：", "日期："},
	}
	for i, code := range codes {
		e := by[code]
		var vs []string
		for v := range villages[code] {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		t.rows = append(t.rows, []any{i + 1, in.userName(code), code, e.Surveyed, e.Interviews(), e.HomeVisits(), e.OtherOutcomes(), joinVillages(vs)})
	}
	t.rows = append(t.rows, []any{"合计", "", "", total.Surveyed, total.Interviews(), total.HomeVisits(), total.OtherOutcomes(), ""})
	t.notes = append(t.notes, "完成个案：截至填报日已完成的个案（含退回修改中的）；其中入户：以入户方式调查的个案，不论调查结果。")
	return t
}

func joinVillages(vs []string) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += "、"
		}
		out += v
	}
	return out
}

func subtitle(in Input) string {
	s := "填报单位：" + in.Unit
	if len(in.Villages) > 0 {
		s += "　范围：" + joinVillages(in.Villages)
	}
	return s + "　截至：" + in.AsOf.Format("2006年1月2日")
}

func statusName(s record.Status) string {
	return map[record.Status]string{
		record.StatusDraft: "填写中", record.StatusReadBack: "已宣读", record.StatusSigned: "已签字",
		record.StatusCompleted: "已完成", record.StatusSubmitted: "已上报", record.StatusApproved: "已审核",
		record.StatusReturned: "已退回",
	}[s]
}

// percentCell is a share written as a percent: a number cell formatted 0.0% in XLSX (so
// a spreadsheet can sort and sum it), "97.5%" in CSV.
type percentCell float64

func (p percentCell) String() string { return fmt.Sprintf("%.1f%%", float64(p)*100) }

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
