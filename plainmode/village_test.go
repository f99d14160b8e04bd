package plainmode

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
)

// withCommunity is plain mode's options with the built-in person and community forms.
func withCommunity(t *testing.T, db *localstore.DB) (Options, *forms.Form) {
	t.Helper()
	pf := formstest.Person2021(t)
	cf, err := forms.Builtin("community-2021")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(pf, cf)
	if err != nil {
		t.Fatal(err)
	}
	return Options{DB: db, PersonForm: pf, CommunityForm: cf, Forms: reg}, cf
}

// answerUntil answers the form's questions as they are asked — what is there kept, the
// first option of a choice, a plausible value otherwise, a warning confirmed — until a
// line holds end, or a question with the id stop is asked (left unanswered).
func answerUntil(d *driver, f *forms.Form, stop, end string) string {
	d.t.Helper()
	for {
		l := d.next()
		switch {
		case strings.Contains(l, end):
			return l
		case strings.HasPrefix(l, "提示："):
			d.until("请输入说明确认")
			d.send("已核实")
			continue
		case strings.HasPrefix(l, "错误：") || strings.HasPrefix(l, "这题必答"):
			d.t.Fatalf("the form stopped: %q\n%s", l, d.tail())
		}
		m := question.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if m[3] == stop {
			return l
		}
		q := f.Question(m[3])
		switch {
		case strings.Contains(l, "现在的答案"):
			d.send("")
		case q.Type.IsChoice():
			d.send(strconv.Itoa(q.Options[0].Code))
		case q.Type == forms.TypeText:
			d.send("村委会王主任")
		case q.Type == forms.TypeDate:
			d.send("2021-10-12")
		case q.Type == forms.TypePhone:
			d.send("13800138000")
		default:
			d.send("2")
		}
	}
}

// TestPlainCommunityForm: the leader (3 at the start) and an enumerator (v at the case
// list) each open their village's community form, prefilled from the roster; pause it
// at S5 and find it there again; hear it read back and correct S12 by its sentence's
// number; a wrong passphrase signs nothing; the right one signs it as its filler's and
// completes it, queued — the record the screens write: the village's, no case, no
// read-back, the filler's signature only. A village named with escape sequences on the
// roster is said cleaned.
func TestPlainCommunityForm(t *testing.T) {
	for _, tt := range []struct {
		name, user, open, signer string
		// village is the roster's name of the village ("" keeps the demo roster's); one
		// the form's text cannot take is asked, not prefilled, as on the screens.
		village string
		s1      string // what S1 holds at the end ("" the village)
	}{
		{name: "leader", user: "L001", open: "3", signer: "王组长"},
		{name: "enumerator", user: "E001", open: "v", signer: "李调查"},
		{name: "hostile village name", user: "E001", open: "v", signer: "李调查", village: "王庄\x1b[2J\x1b]0;x\x07村", s1: "王庄村"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, rows := store(t)
			village := rows[0].Village
			if tt.village != "" {
				village = tt.village
				for i := range rows {
					rows[i].Village = tt.village
				}
				leader, err := db.Unlock("L001", pass)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := leader.ImportRoster(rows, "roster2.xlsx"); err != nil {
					t.Fatal(err)
				}
			}
			o, cf := withCommunity(t, db)
			sess, err := db.Unlock(tt.user, pass)
			if err != nil {
				t.Fatal(err)
			}
			holders, _ := sess.Cases(localstore.CaseFilter{Village: village})
			queued, _ := db.OutboxLen()
			said := c(village)

			d := startWith(t, o)
			unlock(d, tt.user)
			d.send(tt.open)
			d.until("每个村（社区）一份")
			d.until("1 " + said + "，未开始。")
			d.send("1")
			d.until("打开：社区登记表")
			s1 := village
			if l := answerUntil(d, cf, "S1", "逐句读出"); tt.s1 == "" && !strings.Contains(l, "现在的答案："+said) {
				t.Fatalf("S1 is not prefilled with the village: %q", l)
			} else if tt.s1 != "" {
				if strings.Contains(l, "现在的答案") {
					t.Fatalf("S1 is prefilled with a name it cannot hold: %q", l)
				}
				s1 = tt.s1
			}
			d.send(tt.s1)
			answerUntil(d, cf, "S5", "逐句读出")
			d.send("q")
			d.until("已暂停")
			d.until("输入编号打开")
			d.send("")
			d.send("q")
			d.end()

			rec, err := sess.VillageRecord(village, cf.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != localstore.StatusDraft || rec.Answers["S4"] == nil || rec.Answers["S5"] != nil {
				t.Fatalf("paused: %s, answers %s", rec.Status, rec.Answers)
			}

			d = startWith(t, o)
			unlock(d, tt.user)
			d.send(tt.open)
			d.until("1 " + said + "，调查中。")
			d.send("1")
			if l := d.until("题，共"); !strings.Contains(l, "，S5。") {
				t.Errorf("the form resumes at %q, not S5", l)
			}
			d.send("r")
			answerUntil(d, cf, "", "逐句读出")
			n := ""
			for {
				l := d.next()
				if strings.HasPrefix(l, "无误请输入 y") {
					break
				}
				if strings.Contains(l, "填表人：") {
					n, _, _ = strings.Cut(l, ".")
				}
			}
			if n == "" {
				t.Fatalf("S12 is not read back:\n%s", d.tail())
			}
			d.send(n)
			if l := d.until("题，共"); !strings.Contains(l, "，S12。") {
				t.Fatalf("sentence %s opens %q, not S12", n, l)
			}
			d.send("王主任")
			d.until("填表人：王主任")
			d.until("无误请输入 y")
			d.send("y")
			d.until("请输入你的口令签名并完成")
			d.send("wrong-pass")
			d.until("口令不对")
			d.send(pass)
			d.until("的社区登记表已完成，填表人 " + tt.signer + " 已签名")
			d.until("输入编号打开")
			d.send("1")
			d.until("已完成，不能再改")
			d.send("")
			d.send("q")
			d.end()

			rec, err = sess.VillageRecord(village, cf.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != localstore.StatusCompleted || rec.CaseID != "" || rec.Village != village || rec.FormVersion != cf.Version ||
				string(rec.Answers["S1"]) != strconv.Quote(s1) || string(rec.Answers["S3"]) != strconv.Itoa(len(holders)) ||
				string(rec.Answers["S12"]) != `"王主任"` || len(rec.Confirmed) != 0 || rec.Method != 0 || rec.Outcome != 0 {
				t.Errorf("record %s of %q (case %q), form %s, confirmed %v, answers %s", rec.Status, rec.Village, rec.CaseID, rec.FormVersion, rec.Confirmed, rec.Answers)
			}
			if len(rec.Signatures) != 1 || rec.Signatures[0].Role != localstore.SignerEnumerator || rec.Signatures[0].Name != tt.signer ||
				rec.Signatures[0].ContentHash != rec.ContentHash() {
				t.Errorf("signatures %+v", rec.Signatures)
			}
			audit, err := sess.Audit(rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range audit {
				if !slices.Contains(actions, e.Action) {
					actions = append(actions, e.Action)
				}
			}
			// As the screens write it: no method or outcome, no read-back, the filler's
			// signature, then completed.
			if want := []string{localstore.ActionCreate, localstore.ActionAnswer, localstore.ActionSign, localstore.ActionStatus}; !slices.Equal(actions, want) {
				t.Errorf("audit actions %q, want %q", actions, want)
			}
			if last := audit[len(audit)-1]; last.Action != localstore.ActionStatus || string(last.New) != `"completed"` {
				t.Errorf("the last audit entry %+v", last)
			}
			if n, _ := db.OutboxLen(); n != queued+1 {
				t.Errorf("queued %d, want %d", n, queued+1)
			}
		})
	}
}

// The move's audit entry says what was kept, recoded and dropped.
func movedSummary(t *testing.T, audit []localstore.AuditEntry) (form string, moved struct {
	Kept    []string
	Recoded []struct{ From, To string }
	Dropped []struct{ Question string }
}, reason string) {
	t.Helper()
	for _, e := range audit {
		if e.Action != localstore.ActionForm {
			continue
		}
		var v struct {
			Form  string
			Moved json.RawMessage
		}
		if err := json.Unmarshal(e.New, &v); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(v.Moved, &moved); err != nil {
			t.Fatal(err)
		}
		return v.Form, moved, e.Reason
	}
	return "", moved, ""
}

// TestPlainMovesADraftToNextYear: a 2021 draft (R3 widowed, 4; R20 answered) is opened
// once the laptop starts new interviews on person-2022: the move is offered with what it
// keeps, recodes (R3 4 → 5) and drops (R20), one line each. Just enter keeps the old form
// (offered again at the next opening); y moves it, with the audit entry the screens write.
func TestPlainMovesADraftToNextYear(t *testing.T) {
	old := formstest.Person2021(t)
	next, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		answers []string // to the offer, one opening each
		want    *forms.Form
	}{
		{"declined", []string{""}, old},
		{"moved", []string{"y"}, next},
		{"declined, then moved at the next opening", []string{"", "是"}, next},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, rows := store(t)
			row := rows[0]
			for _, r := range rows {
				iv := demo.Answer(old, r, rand.New(rand.NewPCG(1, 7)), time.Time{})
				if _, ok := iv.Answers["R3"]; ok && iv.Outcome == localstore.OutcomeInterviewed {
					row = r
					break
				}
			}
			// The draft, on 2021's form.
			d := start(t, db, old)
			unlock(d, "E001")
			d.send(row.Name)
			d.until("调查方式。")
			d.send("1")
			d.until("调查结果。")
			d.send("1")
			d.until("题，共")
			for _, a := range []struct{ q, v string }{{"R3", "4"}, {"R20", "1"}} {
				d.send("j " + a.q)
				d.until("，" + a.q + "。")
				d.send(a.v)
				for l := d.next(); question.FindStringSubmatch(l) == nil; l = d.next() {
					if strings.HasPrefix(l, "提示：") {
						d.until("请输入说明确认")
						d.send("已核实")
					}
				}
			}
			d.send("q")
			d.until("已暂停")
			d.send("q")
			d.end()

			// The laptop now starts new interviews on 2022's form.
			reg, err := forms.NewRegistry(old, next)
			if err != nil {
				t.Fatal(err)
			}
			d = startWith(t, Options{DB: db, PersonForm: next, Forms: reg})
			unlock(d, "E001")
			for _, a := range tt.answers {
				d.until("调查对象共")
				d.send(row.Name)
				d.until("这份草稿是用 person-2021 2021.1 开始的，现在新调查用 person-2022 2022.1。")
				d.until("移到新表会保留")
				d.until("改码 R3：4 丧偶 改为 5 丧偶。")
				d.until("去掉 R20：1 是，")
				d.until("输入 y 移到新表；直接回车继续用原表。")
				d.send(a)
				if isYes(a) {
					d.until("已移到新表 person-2022 2022.1。")
				} else {
					d.until("不移，继续用 person-2021 2021.1。")
				}
				l := d.until("题，共")
				m := question.FindStringSubmatch(l)
				if m == nil || tt.want.Question(m[3]) == nil {
					t.Errorf("the form goes on with %q, not a question of %s", l, tt.want.ID)
				}
				d.send("q")
				d.until("已暂停")
			}
			d.until("调查对象共")
			d.send("q")
			d.end()

			sess, err := db.Unlock("E001", pass)
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := sess.Records()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			rec := recs[0]
			audit, err := sess.Audit(rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			form, moved, reason := movedSummary(t, audit)
			if tt.want == old {
				if rec.FormID != old.ID || string(rec.Answers["R3"]) != "4" || string(rec.Answers["R20"]) != "1" || form != "" {
					t.Errorf("declined, the draft is %s %s with %s (moved to %q)", rec.FormID, rec.FormVersion, rec.Answers, form)
				}
				return
			}
			if rec.FormID != next.ID || rec.FormVersion != next.Version || rec.Status != localstore.StatusDraft ||
				string(rec.Answers["R3"]) != "5" || rec.Answers["R20"] != nil {
				t.Errorf("moved, the draft is %s %s %s with %s", rec.FormID, rec.FormVersion, rec.Status, rec.Answers)
			}
			if form != "person-2022 2022.1" || reason != steps.MoveReason || !slices.ContainsFunc(moved.Recoded, func(r struct{ From, To string }) bool { return r.To == "R3" }) ||
				!slices.ContainsFunc(moved.Dropped, func(d struct{ Question string }) bool { return d.Question == "R20" }) || len(moved.Kept) == 0 {
				t.Errorf("the move's audit entry: form %q, reason %q, %+v", form, reason, moved)
			}
			if got, _ := sess.RecordFor(rec.CaseID, next.ID); got == nil || got.ID != rec.ID {
				t.Errorf("the case's record is not found under %s", next.ID)
			}
		})
	}
}

// TestPlainMovesAVillageDraft: a village's draft of 2021's community form, opened once
// the laptop fills 2022's, is offered the move with S2 recoded and S4 dropped; moved, it
// is the village's record of the new form, the roster's count kept, and it goes on where
// it was paused (the move's own answers are not the filler's).
func TestPlainMovesAVillageDraft(t *testing.T) {
	db, rows := store(t)
	o, cf := withCommunity(t, db)
	d := startWith(t, o)
	unlock(d, "L001")
	d.send("3")
	d.until("输入编号打开")
	d.send("1")
	answerUntil(d, cf, "S5", "逐句读出")
	d.send("q")
	d.until("已暂停")
	d.send("")
	d.send("q")
	d.end()

	next := formstest.Community2022(t)
	reg, err := forms.NewRegistry(o.PersonForm, cf, next)
	if err != nil {
		t.Fatal(err)
	}
	o.CommunityForm, o.Forms = next, reg
	d = startWith(t, o)
	unlock(d, "L001")
	d.send("3")
	d.until("1 " + rows[0].Village + "，调查中。")
	d.send("1")
	d.until("这份草稿是用 community-2021 2021.1 开始的，现在新调查用 community-2022 2022.1。")
	d.until("改码 S2：1 村 改为 2 社区。")
	d.until("去掉 S4：")
	d.until("输入 y 移到新表")
	d.send("y")
	d.until("已移到新表 community-2022 2022.1。")
	if l := d.until("题，共"); !strings.Contains(l, "，S5。") {
		t.Errorf("the moved draft goes on at %q, not S5 where it was paused", l)
	}
	d.send("q")
	d.until("已暂停")
	d.send("")
	d.send("q")
	d.end()

	sess, _ := db.Unlock("L001", pass)
	rec, err := sess.VillageRecord(rows[0].Village, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	holders, _ := sess.Cases(localstore.CaseFilter{Village: rows[0].Village})
	if rec.FormVersion != next.Version || string(rec.Answers["S2"]) != "2" || rec.Answers["S4"] != nil ||
		string(rec.Answers["S3"]) != strconv.Itoa(len(holders)) {
		t.Errorf("moved: %s %s, answers %s", rec.FormID, rec.FormVersion, rec.Answers)
	}
	audit, _ := sess.Audit(rec.ID)
	if form, _, reason := movedSummary(t, audit); form != "community-2022 2022.1" || reason != steps.MoveReason {
		t.Errorf("the move's audit entry: %q %q", form, reason)
	}
}

// TestPlainReviewsLastYearsForm: a record completed on person-2021 before the laptop
// started new interviews on person-2022 still waits for the leader, who comments on R20
// (a question of its form, dropped from the new one) and returns it.
func TestPlainReviewsLastYearsForm(t *testing.T) {
	db, rows := store(t)
	old := formstest.Person2021(t)
	next, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := db.Unlock("E001", pass)
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := sess.Cases(localstore.CaseFilter{})
	r, err := sess.StartRecord(cases[0].ID, old.ID, old.Version)
	if err == nil {
		r, err = sess.SetCaseHeader(r.ID, 1, 2, "2021年6月病故，家属告知")
	}
	if err == nil {
		_, err = sess.Complete(r.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(old, next)
	if err != nil {
		t.Fatal(err)
	}
	d := startWith(t, Options{DB: db, PersonForm: next, Forms: reg})
	unlock(d, "L001")
	d.until("组长：1 份记录待审核")
	d.send("1")
	d.until("1 " + rows[0].Name)
	d.send("1")
	d.until("输入 a 通过")
	d.send("R20 请核实")
	d.until("已记下对 R20 的意见")
	d.until("输入 a 通过")
	d.send("x")
	d.until("已退回：")
	d.send("q")
	d.end()
	got, err := sess.RecordFor(cases[0].ID, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != localstore.StatusReturned || len(got.Comments) != 1 || got.Comments[0].Question != "R20" || got.FormID != old.ID {
		t.Errorf("returned: %s on %s, comments %+v", got.Status, got.FormID, got.Comments)
	}
}
