package report

import (
	"fmt"
	"sort"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
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
		if r == nil || r.Outcome != localstore.OutcomeInterviewed || r.Status == localstore.StatusDraft && len(r.Answers) == 0 {
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
	type counts struct {
		roster, surveyed, notVisited int
		method, outcome              map[int]int
		category, level              map[int]int
	}
	newCounts := func() *counts {
		return &counts{method: map[int]int{}, outcome: map[int]int{}, category: map[int]int{}, level: map[int]int{}}
	}
	var villages []string
	by := map[string]*counts{}
	total := newCounts()
	for _, c := range in.cases() {
		v := c.Row.Village
		if by[v] == nil {
			by[v] = newCounts()
			villages = append(villages, v)
		}
		for _, k := range []*counts{by[v], total} {
			k.roster++
			if !in.finished(c) {
				k.notVisited++
				continue
			}
			k.surveyed++
			k.method[c.Record.Method]++
			k.outcome[c.Record.Outcome]++
			k.category[c.Row.Category]++
			k.level[c.Row.Level]++
		}
	}
	header1 := []string{"村（社区）", "底册人数", "已调查"}
	header2 := []string{"", "", ""}
	for i, m := range methodOrder {
		header1 = append(header1, pick(i == 0, "调查方式", ""))
		header2 = append(header2, methodNames[m])
	}
	header1 = append(header1, "入户率")
	header2 = append(header2, "")
	for i, o := range outcomeOrder {
		header1 = append(header1, pick(i == 0, "调查结果", ""))
		header2 = append(header2, outcomeNames[o])
	}
	for c := 1; c <= 7; c++ {
		header1 = append(header1, pick(c == 1, "残疾类别（已调查）", ""))
		header2 = append(header2, categoryName[c])
	}
	for l := 1; l <= 4; l++ {
		header1 = append(header1, pick(l == 1, "残疾等级（已调查）", ""))
		header2 = append(header2, levelName[l])
	}
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
	col := 0
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
		col++
	}
	row := func(name string, k *counts) []any {
		r := []any{name, k.roster, k.surveyed}
		for _, m := range methodOrder {
			r = append(r, k.method[m])
		}
		if k.surveyed > 0 {
			r = append(r, percent(float64(k.method[1])/float64(k.surveyed)))
		} else {
			r = append(r, "—")
		}
		for _, o := range outcomeOrder {
			r = append(r, k.outcome[o])
		}
		for c := 1; c <= 7; c++ {
			r = append(r, k.category[c])
		}
		for l := 1; l <= 4; l++ {
			r = append(r, k.level[l])
		}
		return append(r, k.notVisited)
	}
	for _, v := range villages {
		t.rows = append(t.rows, row(v, by[v]))
		if k := by[v]; k.surveyed > 0 && float64(k.method[1])/float64(k.surveyed) < homeVisitTarget {
			t.notes = append(t.notes, fmt.Sprintf("%s 入户率 %s，低于 96%% 的要求。", v, percent(float64(k.method[1])/float64(k.surveyed))))
		}
	}
	t.rows = append(t.rows, row("合计", total))
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
	for i, c := range in.cases() {
		number := c.Row.Key()
		if !in.Unmasked {
			number = roster.Mask(number)
		}
		row := []any{i + 1, c.Row.Name, number, c.Row.Village, "", "", "", "", "", ""}
		if r := c.Record; r != nil && in.finished(c) {
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

// cancellationTable is the list the district cancels certificates from: deaths, empty
// households and persons not found, with the enumerator's note. Full numbers: the
// district needs them, and the list does not go round the village.
func cancellationTable(in Input) *table {
	t := &table{
		title:    "死亡、空挂户、查无此人名单（核销）",
		subtitle: subtitle(in),
		header:   [][]string{{"序号", "村（社区）", "姓名", "残疾人证号", "调查结果", "情况说明", "调查日期", "调查员"}},
		widths:   []float64{6, 14, 10, 24, 10, 40, 12, 10},
	}
	n := 0
	for _, c := range in.cases() {
		r := c.Record
		if r == nil || !in.finished(c) || r.Outcome < 2 || r.Outcome > 4 {
			continue
		}
		n++
		t.rows = append(t.rows, []any{n, c.Row.Village, c.Row.Name, c.Row.Key(), outcomeNames[r.Outcome], r.OutcomeNote,
			r.CompletedAt.In(in.AsOf.Location()).Format("2006-01-02"), in.userName(r.Enumerator)})
	}
	return t
}

// allowanceTable counts each enumerator's finished cases, for the allowance paid per
// person surveyed.
func allowanceTable(in Input) *table {
	type row struct {
		code                                    string
		finished, interviews, homeVisits, other int
		villages                                map[string]bool
	}
	by := map[string]*row{}
	for _, c := range in.cases() {
		if !in.finished(c) {
			continue
		}
		r := c.Record
		e := by[r.Enumerator]
		if e == nil {
			e = &row{code: r.Enumerator, villages: map[string]bool{}}
			by[r.Enumerator] = e
		}
		e.finished++
		e.villages[c.Row.Village] = true
		if r.Outcome == localstore.OutcomeInterviewed {
			e.interviews++
			if r.Method == 1 {
				e.homeVisits++
			}
		} else {
			e.other++
		}
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
	var tot row
	for i, code := range codes {
		e := by[code]
		var vs []string
		for v := range e.villages {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		t.rows = append(t.rows, []any{i + 1, in.userName(code), code, e.finished, e.interviews, e.homeVisits, e.other, joinVillages(vs)})
		tot.finished += e.finished
		tot.interviews += e.interviews
		tot.homeVisits += e.homeVisits
		tot.other += e.other
	}
	t.rows = append(t.rows, []any{"合计", "", "", tot.finished, tot.interviews, tot.homeVisits, tot.other, ""})
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

func statusName(s localstore.Status) string {
	return map[localstore.Status]string{
		localstore.StatusDraft: "填写中", localstore.StatusReadBack: "已宣读", localstore.StatusSigned: "已签字",
		localstore.StatusCompleted: "已完成", localstore.StatusSubmitted: "已上报", localstore.StatusApproved: "已审核",
		localstore.StatusReturned: "已退回",
	}[s]
}

func percent(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
