package office

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

func TestNobodySignedInGoesToLogin(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.browser()
	for _, p := range []string{"/office/", "/office/progress", "/office/review", "/office/reports/stats.xlsx"} {
		res := b.get(p)
		if res.code != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/office/login") {
			t.Errorf("GET %s: %d → %q, want a redirect to /office/login", p, res.code, res.header.Get("Location"))
		}
	}
	login := b.get("/office/login")
	for _, want := range []string{`name="user"`, `name="passphrase"`, `type="hidden" name="csrf"`} {
		if !strings.Contains(login.body, want) {
			t.Errorf("the login form lacks %s", want)
		}
	}
	// A POST without a session is refused, not redirected into doing it after login.
	if res := b.post("/office/review/x", url.Values{"action": {"approve"}}); res.code != http.StatusUnauthorized {
		t.Errorf("POST without a session: %d", res.code)
	}
}

func TestLoginSessionCookie(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.signedIn("qu")
	c := b.cookies[sessionCookie]
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict", c)
	}
	if res := b.get("/office/progress"); res.code != 200 {
		t.Fatalf("progress after login: %d", res.code)
	}
	// Sign out: the cookie no longer works, even replayed.
	old := *c
	tok := b.csrf("/office/progress")
	if res := b.post("/office/logout", url.Values{"csrf": {tok}}); res.code != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.code)
	}
	b.cookies[sessionCookie] = &old
	if res := b.get("/office/progress"); res.code != http.StatusSeeOther {
		t.Errorf("a signed-out session's cookie still works: %d", res.code)
	}
}

func TestWrongPassphraseSlowsDown(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.browser()
	for i := range freeTries {
		if res := b.login("qu", "wrong passphrase"); res.code != http.StatusUnauthorized || !strings.Contains(res.body, "用户名或密码错误") {
			t.Fatalf("wrong passphrase %d: %d %.200s", i+1, res.code, res.body)
		}
	}
	// Now even the right one waits: the answer says how long.
	res := b.login("qu", testPass)
	if res.code != http.StatusTooManyRequests || !strings.Contains(res.body, "密码错误次数过多") {
		t.Fatalf("after %d wrong passphrases the right one was let through at once: %d", freeTries, res.code)
	}
	// A user that does not exist is answered the same way, and slows down the same way.
	for range freeTries {
		if res := b.login("nobody", testPass); res.code != http.StatusUnauthorized {
			t.Fatalf("unknown user: %d", res.code)
		}
	}
	if res := b.login("nobody", testPass); res.code != http.StatusTooManyRequests {
		t.Errorf("unknown user is not slowed down: %d", res.code)
	}
	f.clock.advance(loginDelay(freeTries) + time.Second)
	if res := b.login("qu", testPass); res.code != http.StatusSeeOther {
		t.Fatalf("after the wait the right passphrase: %d", res.code)
	}
	if got := audited(t, f, "login-failed"); got < freeTries {
		t.Errorf("%d failed logins in the audit log, want at least %d", got, freeTries)
	}
}

func TestSessionExpiresWhenIdle(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.signedIn("qu")
	f.clock.advance(DefaultIdle - time.Minute)
	if res := b.get("/office/progress"); res.code != 200 {
		t.Fatalf("a session used within the idle time: %d", res.code)
	}
	f.clock.advance(DefaultIdle + time.Second)
	if res := b.get("/office/progress"); res.code != http.StatusSeeOther {
		t.Errorf("an idle session still works: %d", res.code)
	}
}

// recordIn is an interview of the town (or not) that the fixture's laptop synced.
func (f *fixture) recordIn(t *testing.T, inTown bool, status localstore.Status) *localstore.Record {
	t.Helper()
	recs, _ := f.laptop.Records()
	for _, r := range recs {
		c, err := f.laptop.Case(r.CaseID)
		st := r.Status
		if st == localstore.StatusSubmitted {
			st = localstore.StatusCompleted
		}
		if err != nil || st != status || r.Outcome != localstore.OutcomeInterviewed {
			continue
		}
		if (f.townOfVillage(c.Row.Village) == f.town) == inTown {
			return r
		}
	}
	t.Fatalf("no %s record %s the town", status, map[bool]string{true: "in", false: "outside"}[inTown])
	return nil
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 8})
	b := f.signedIn("qu")
	r := f.recordIn(t, true, localstore.StatusCompleted)
	path := "/office/review/" + r.ID
	for name, form := range map[string]url.Values{
		"missing": {"action": {"return"}, "comment": {"x"}},
		"wrong":   {"action": {"return"}, "comment": {"x"}, "csrf": {strings.Repeat("0", 64)}},
		"login's": {"action": {"return"}, "comment": {"x"}, "csrf": {b.cookies[sessionCookie].Value}},
	} {
		if res := b.post(path, form); res.code != http.StatusForbidden {
			t.Errorf("%s CSRF token: %d", name, res.code)
		}
	}
	if rep := f.sync(); rep.Pulled != 0 {
		t.Errorf("a refused return reached the laptop: %+v", rep)
	}
	// The login form's token is checked too.
	nb := f.browser()
	nb.get("/office/login")
	if res := nb.post("/office/login", url.Values{"user": {"qu"}, "passphrase": {testPass}}); res.code != http.StatusForbidden {
		t.Errorf("login without its CSRF token: %d", res.code)
	}
	if got := audited(t, f, "refused"); got != 3 {
		t.Errorf("%d refused posts in the audit log, want 3", got)
	}
}

func TestTownAccountStaysInItsTown(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20})
	b := f.signedIn("zhen")
	other := f.recordIn(t, false, localstore.StatusCompleted)
	mine := f.recordIn(t, true, localstore.StatusCompleted)
	for _, p := range []string{
		"/office/review/" + other.ID,
		"/office/review/no-such-record",
		"/office/progress?town=" + url.QueryEscape(f.otherTown),
		"/office/reports?town=" + url.QueryEscape(f.otherTown),
		"/office/reports/stats.csv?town=" + url.QueryEscape(f.otherTown),
	} {
		if res := b.get(p); res.code != http.StatusNotFound {
			t.Errorf("town account GET %s: %d, want 404", p, res.code)
		}
	}
	tok := b.csrf("/office/review/" + mine.ID)
	if res := b.post("/office/review/"+other.ID, url.Values{"csrf": {tok}, "action": {"return"}, "comment": {"改"}}); res.code != http.StatusNotFound {
		t.Errorf("town account returning another town's record: %d", res.code)
	}
	if res := b.post("/office/cancellations/"+other.ID, url.Values{"csrf": {tok}}); res.code != http.StatusNotFound {
		t.Errorf("town account marking a cancellation: %d", res.code)
	}
	// Lists and reports hold none of the other town's villages.
	var otherVillages []string
	for _, v := range f.district.Villages {
		if v.Town == f.otherTown {
			otherVillages = append(otherVillages, v.Name)
		}
	}
	for _, p := range []string{"/office/progress", "/office/review", "/office/cancellations", "/office/reports/register.csv", "/office/reports/stats.csv"} {
		res := b.get(p)
		if res.code != 200 {
			t.Fatalf("GET %s: %d", p, res.code)
		}
		for _, v := range otherVillages {
			if strings.Contains(res.body, v) {
				t.Errorf("%s shows %s of another town", p, v)
			}
		}
	}
	if res := b.get("/office/review/" + mine.ID); res.code != 200 {
		t.Errorf("town account's own record: %d", res.code)
	}
}

func TestProgressNumbers(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20, approved: 4})
	b := f.signedIn("qu")
	res := b.get("/office/progress")
	for id, want := range map[string]string{"total-roster": "60", "total-done": "20", "total-notstarted": "40", "total-returned": "0"} {
		if got := cell(res.body, id); got != want {
			t.Errorf("%s = %q, want %s", id, got, want)
		}
	}
	if !strings.Contains(res.body, "<svg class=\"chart\"") {
		t.Error("no chart")
	}
	// A column for each of the first four outcomes, then one for the others.
	if !strings.Contains(res.body, `<th scope="col">正常调查</th><th scope="col">死亡</th><th scope="col">空挂户</th><th scope="col">查无此人</th><th scope="col">拒访/迁出/其他</th>`) {
		t.Error("the outcome columns' headings")
	}
	// The town's page: its villages; a village's: its enumerators.
	res = b.get("/office/progress?town=" + url.QueryEscape(f.town))
	for _, v := range f.district.Villages {
		if (v.Town == f.town) != strings.Contains(res.body, v.Name) {
			t.Errorf("town page and village %s of %s", v.Name, v.Town)
		}
	}
	v := f.district.Villages[0]
	res = b.get("/office/progress?town=" + url.QueryEscape(v.Town) + "&village=" + url.QueryEscape(v.Name))
	if res.code != 200 || !strings.Contains(res.body, "E001") {
		t.Errorf("village page: %d, no enumerator row", res.code)
	}
	// Sorting and paging keep working on every column.
	for _, col := range []string{"name", "done", "home", "errors"} {
		if res := b.get("/office/progress?sort=" + col + "&dir=desc&page=9"); res.code != 200 {
			t.Errorf("sort by %s: %d", col, res.code)
		}
	}
}

var cellRE = regexp.MustCompile(`id="([a-z-]+)">([^<]*)<`)

func cell(body, id string) string {
	for _, m := range cellRE.FindAllStringSubmatch(body, -1) {
		if m[1] == id {
			return strings.TrimSpace(m[2])
		}
	}
	return ""
}

func TestTownReturnReachesLaptop(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20, approved: 20})
	b := f.signedIn("zhen")
	r := f.recordIn(t, true, localstore.StatusApproved)
	page := b.get("/office/review/" + r.ID)
	if page.code != 200 || !strings.Contains(page.body, "宣读内容") {
		t.Fatalf("record page: %d", page.code)
	}
	q := firstAnswered(t, r)
	tok := csrfRE.FindStringSubmatch(page.body)[1]
	res := b.post("/office/review/"+r.ID, url.Values{"csrf": {tok}, "action": {"return"}, "question": {q}, "comment": {"请核实婚姻状况"}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("return: %d %.400s", res.code, res.body)
	}
	rep := f.sync()
	if rep.Pulled != 1 {
		t.Fatalf("the laptop pulled %+v, want the return", rep)
	}
	got, err := f.laptop.Record(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := got.Comments[len(got.Comments)-1]
	if got.Status != localstore.StatusReturned || last.Question != q || last.Text != "请核实婚姻状况" || last.By != "office:zhen" {
		t.Errorf("on the laptop: status %s, comment %+v", got.Status, last)
	}
	if problems, _ := f.laptop.Verify(); len(problems) > 0 {
		t.Errorf("the laptop's file does not verify after the return: %v", problems)
	}
	if audited(t, f, "return") != 1 {
		t.Error("the return is not in the audit log")
	}
	// The page now shows it returned, and the progress counts it.
	if res := b.get("/office/progress"); cell(res.body, "total-returned") != "1" {
		t.Errorf("progress shows %q returned", cell(res.body, "total-returned"))
	}

	// Another approved record: the town approves it, which is final for the district.
	r2 := f.recordIn(t, true, localstore.StatusApproved)
	tok = b.csrf("/office/review/" + r2.ID)
	if res := b.post("/office/review/"+r2.ID, url.Values{"csrf": {tok}, "action": {"approve"}}); res.code != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.code)
	}
	if res := b.get("/office/review/" + r2.ID); !strings.Contains(res.body, "街镇已审核通过") {
		t.Error("the record does not show the town's approval")
	}
	if res := b.get("/office/review?status=final"); !strings.Contains(res.body, r2.ID) {
		t.Error("the approved record is not listed as final")
	}
}

func firstAnswered(t *testing.T, r *localstore.Record) string {
	t.Helper()
	for _, q := range personForm.Questions() {
		if _, ok := r.Answers[q.ID]; ok {
			return q.ID
		}
	}
	t.Fatal("the record has no answers")
	return ""
}

func TestTextFromOutsideIsEscaped(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	rows := f.district.Rows
	row := rows[0]
	row.Name = "张三" + evil
	if _, err := f.store.ImportRoster(context.Background(), []roster.Row{row}, store.RosterImport{By: "test"}); err != nil {
		t.Fatal(err)
	}
	b := f.signedIn("qu")
	for _, p := range []string{"/office/review", "/office/progress?town=" + url.QueryEscape(row.Town), "/office/review?q=" + url.QueryEscape(evil)} {
		res := b.get(p)
		if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img src=x") {
			t.Errorf("%s prints text from outside unescaped", p)
		}
	}
	// A comment with markup, through a return, on the record's page.
	r := f.recordIn(t, true, localstore.StatusCompleted)
	tok := b.csrf("/office/review/" + r.ID)
	b.post("/office/review/"+r.ID, url.Values{"csrf": {tok}, "action": {"return"}, "comment": {evil}})
	res := b.get("/office/review/" + r.ID)
	if strings.Contains(res.body, "<script>alert") || !strings.Contains(res.body, "&lt;script&gt;") {
		t.Errorf("the comment is not escaped on the record's page")
	}
	// The language link and the next parameter cannot carry markup either.
	res = b.get(`/office/login?next="><script>alert(1)</script>`)
	if strings.Contains(res.body, "<script>alert") {
		t.Error("the login page reflects next unescaped")
	}
	if res.header.Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy")
	}
}

func upload(t *testing.T, b *browser, name string, data []byte) response {
	t.Helper()
	tok := b.csrf("/office/roster")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", tok)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(data)
	mw.Close()
	return b.do(http.MethodPost, "/office/roster", &buf, mw.FormDataContentType())
}

func TestRosterUploads(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.signedIn("qu")
	count := func() string {
		return regexp.MustCompile(`底册：(\d+)`).FindStringSubmatch(b.get("/office/roster").body)[1]
	}
	before := count()

	big := bytes.Repeat([]byte("姓名,残疾人证号\n"), 50<<20/22)
	if res := upload(t, b, "big.csv", big); res.code != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "文件太大") {
		t.Errorf("50 MB upload: %d %.200s", res.code, res.body)
	}
	for name, data := range map[string][]byte{
		"photo.csv":  {0x89, 'P', 'N', 'G', 0, 0, 0, 0},
		"notes.csv":  []byte("今天天气很好\n我们去调查\n"),
		"fake.xlsx":  []byte("PK\x03\x04 not a zip at all"),
		"page.xlsx":  []byte("<html><body>login</body></html>"),
		"empty.csv":  nil,
		"report.pdf": []byte("%PDF-1.4"),
	} {
		res := upload(t, b, name, data)
		if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, "这个文件不是底册") {
			t.Errorf("%s: %d %.300s", name, res.code, res.body)
		}
	}
	if after := count(); after != before {
		t.Errorf("the roster changed from %s to %s after refused files", before, after)
	}

	// A good file: what changed is said.
	var csv bytes.Buffer
	csv.WriteString("姓名,残疾人证号,所属乡镇（街道）,所属村（社区）\n")
	r0 := f.district.Rows[0]
	csv.WriteString("新名字," + r0.CertificateNumber + "," + r0.Town + "," + r0.Village + "\n")
	res := upload(t, b, "roster.csv", csv.Bytes())
	if res.code != 200 || !strings.Contains(res.body, "变更 1") {
		t.Errorf("a one-row roster: %d %.600s", res.code, regexp.MustCompile(`(?s)<main.*</main>`).FindString(res.body))
	}
	// A town account may not import.
	if res := upload(t, f.signedIn("zhen"), "roster.csv", csv.Bytes()); res.code != http.StatusNotFound {
		t.Errorf("town account imports a roster: %d", res.code)
	}
}

func TestReportsDownload(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20})
	b := f.signedIn("qu")
	for _, k := range []string{"stats", "register", "validation", "cancellations", "allowance"} {
		for _, ext := range []string{"xlsx", "csv"} {
			res := b.get("/office/reports/" + k + "." + ext)
			if res.code != 200 || len(res.body) < 100 {
				t.Errorf("%s.%s: %d, %d bytes", k, ext, res.code, len(res.body))
			}
		}
	}
	res := b.get("/office/reports/stats.xlsx")
	x, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Sheet1")
	var total []string
	signed := 0
	for _, r := range rows {
		if len(r) > 2 && r[0] == "合计" {
			total = r
		}
		if len(r) > 0 && (strings.HasPrefix(r[0], "分管领导") || strings.HasPrefix(r[0], "理事长")) {
			signed++
		}
	}
	if len(total) < 3 || total[1] != "60" || total[2] != "20" {
		t.Errorf("the statistics table's total row %v, want roster 60 and 20 surveyed", total)
	}
	if signed != 2 {
		t.Errorf("%d signature lines, want the two leaders'", signed)
	}
	// A town's statistics count its cases only.
	res = f.signedIn("zhen").get("/office/reports/stats.csv")
	want := 0
	for _, r := range f.district.Rows {
		if r.Town == f.town {
			want++
		}
	}
	if !strings.Contains(res.body, "合计,"+strconv.Itoa(want)+",") {
		t.Errorf("the town's statistics do not total its %d cases: %.300s", want, res.body)
	}
	// The register names who signed each interview, read from the compact records the
	// console keeps (their signatures rebound to them): as many as there are interviews.
	interviews := 0
	recs, _ := f.laptop.Records()
	for _, r := range recs {
		if r.Outcome == localstore.OutcomeInterviewed && r.Status.Locked() {
			interviews++
		}
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.get("/office/reports/register.csv").body, "\ufeff")))
	cr.FieldsPerRecord = -1 // title and signature lines are one cell
	rows2, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	signed = 0
	for _, r := range rows2 {
		if len(r) > 8 && r[0] != "序号" && r[8] != "" {
			signed++
		}
	}
	if signed != interviews || interviews == 0 {
		t.Errorf("the register names %d signers for %d interviews", signed, interviews)
	}
	if res := b.get("/office/reports/secrets.xlsx"); res.code != http.StatusNotFound {
		t.Errorf("unknown report: %d", res.code)
	}
}

func TestNumbersMaskedUnlessAllowedAndAsked(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	full := regexp.MustCompile(`\d{17}[\dX]`) // an ID or certificate number, unmasked
	r := f.recordIn(t, true, localstore.StatusCompleted)
	pages := []string{"/office/review", "/office/review/" + r.ID, "/office/reports/register.csv"}
	for _, user := range []string{"qu", "zhen"} {
		b := f.signedIn(user)
		for _, p := range pages {
			if res := b.get(p); full.MatchString(res.body) {
				t.Errorf("%s sees full numbers on %s without asking", user, p)
			}
		}
		tok := b.csrf("/office/review")
		b.post("/office/numbers", url.Values{"csrf": {tok}, "on": {"1"}, "back": {"/office/review"}})
		for _, p := range pages {
			res := b.get(p)
			if got := full.MatchString(res.body); got != (user == "qu") {
				t.Errorf("%s asked for full numbers on %s: shown %v", user, p, got)
			}
		}
	}
}

func TestCancellations(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 120, completed: 60})
	b := f.signedIn("qu")
	res := b.get("/office/cancellations")
	m := regexp.MustCompile(`action="/office/cancellations/([^"]+)"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Skip("the demo district has no deaths, empty households or persons not found at this size")
	}
	tok := csrfRE.FindStringSubmatch(res.body)[1]
	if res := b.post("/office/cancellations/"+m[1], url.Values{"csrf": {tok}}); res.code != http.StatusSeeOther {
		t.Fatalf("mark sent: %d", res.code)
	}
	if res := b.get("/office/cancellations"); strings.Contains(res.body, `action="/office/cancellations/`+m[1]+`"`) {
		t.Error("the case is still offered for marking")
	}
	// The mark survives a restart: it is replayed from the audit log.
	f.office.Close()
	h, err := New(f.office.o)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, ok := h.journal.sentAt(m[1]); !ok {
		t.Error("the mark is lost after a restart")
	}
}

func TestEnrolmentCode(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.signedIn("qu")
	tok := b.csrf("/office/roster")
	res := b.post("/office/laptops/enrol", url.Values{"csrf": {tok}, "user": {"E009"}, "name": {"赵六"}, "role": {"enumerator"}, "villages": {f.district.Villages[0].Name}})
	if res.code != 200 || !strings.Contains(res.body, `id="enrol-code"`) || !strings.Contains(res.body, `<svg class="qr"`) ||
		!strings.Contains(res.body, "doorstep enroll https://district.example:8443 ") {
		t.Errorf("enrolment: %d %.500s", res.code, res.body)
	}
	keys, err := f.laptop.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	page := b.get("/office/roster").body
	if !strings.Contains(page, keys.Card().Fingerprint()) {
		t.Errorf("the laptops page does not show the laptop's key card fingerprint %s", keys.Card().Fingerprint())
	}
	// The fixture's laptop has synced: the page says when it last pushed.
	if !regexp.MustCompile(`<td class="num lastpush">\d{4}-\d\d-\d\d \d\d:\d\d</td>`).MatchString(page) {
		t.Errorf("the laptops page does not say when the laptop last pushed: %.2000s", page)
	}
	tok = b.csrf("/office/roster")
	if res := b.post("/office/laptops/revoke", url.Values{"csrf": {tok}, "user": {"E001"}}); res.code != 200 || !strings.Contains(res.body, "已吊销 E001 的 1 台电脑") {
		t.Errorf("revoke: %d", res.code)
	}
}

func TestEveryTextHasBothLanguages(t *testing.T) {
	for k, v := range texts {
		if v[0] == "" || v[1] == "" {
			t.Errorf("text %q lacks a language", k)
		}
	}
	f := newFixture(t, fixtureOpts{cases: 40, completed: 6})
	b := f.signedIn("qu")
	keyRE := regexp.MustCompile(`>[a-z]+\.[a-z0-9]+<`)
	for _, p := range []string{"/office/progress", "/office/review", "/office/cancellations", "/office/duplicates", "/office/reports", "/office/roster"} {
		for _, lang := range []string{"zh", "en"} {
			res := b.get(p + "?lang=" + lang)
			if res.code != 200 {
				t.Errorf("%s in %s: %d", p, lang, res.code)
			}
			if m := keyRE.FindString(res.body); m != "" {
				t.Errorf("%s in %s shows a text key %s", p, lang, m)
			}
		}
	}
}

// audited counts the audit log's entries of an action.
func audited(t *testing.T, f *fixture, action string) int {
	t.Helper()
	data, err := readFile(f.dir + "/" + JournalFile)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(data, `"action":"`+action+`"`)
}

// TestDuplicates: a second laptop interviews three persons the first already did; the
// district sees each pair side by side, keeps one, and the person counts once.
func TestDuplicates(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 10})
	b := f.signedIn("qu")
	before := cell(b.get("/office/progress").body, "total-done")

	sy := f.secondLaptop(40, 3)

	page := b.get("/office/duplicates")
	keeps := regexp.MustCompile(`name="keep" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(keeps) != 6 {
		t.Fatalf("%d records offered to keep, want 3 pairs: %.800s", len(keeps), page.body)
	}
	if got := cell(b.get("/office/progress").body, "total-done"); got != before {
		t.Errorf("a person interviewed twice counts twice: %s done, was %s", got, before)
	}
	// A town account sees the pairs of its town only, and cannot choose.
	zb := f.signedIn("zhen")
	tok := zb.csrf("/office/duplicates")
	if res := zb.post("/office/duplicates", url.Values{"csrf": {tok}, "keep": {keeps[0][1]}}); res.code != http.StatusNotFound {
		t.Errorf("a town account resolved a duplicate: %d", res.code)
	}
	tok = csrfRE.FindStringSubmatch(page.body)[1]
	if res := b.post("/office/duplicates", url.Values{"csrf": {tok}, "keep": {keeps[1][1]}, "reason": {"第二次入户信息更完整"}}); res.code != http.StatusSeeOther {
		t.Fatalf("resolve: %d %.300s", res.code, res.body)
	}
	page = b.get("/office/duplicates")
	if !strings.Contains(page.body, "保留记录 "+keeps[1][1]) || !strings.Contains(page.body, "第二次入户信息更完整") {
		t.Error("the resolved pair does not say which record stands")
	}
	if n := len(regexp.MustCompile(`name="keep"`).FindAllString(page.body, -1)); n != 4 {
		t.Errorf("%d records still offered, want the 2 open pairs", n)
	}
	// The withdrawn record reaches the laptop that sent it.
	rep, err := sy.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep1 := f.sync()
	if !strings.Contains(strings.Join(append(rep.Reasons, rep1.Reasons...), " "), "第二次入户信息更完整") {
		t.Errorf("no laptop heard of the withdrawal: %+v %+v", rep, rep1)
	}
	if audited(t, f, "resolve-duplicate") != 1 {
		t.Error("the choice is not in the audit log")
	}
	// A third laptop interviews the same persons: the resolved pair opens again, to be
	// chosen among the three, and says what the district had chosen, as history only.
	f.secondLaptop(40, 3)
	page = b.get("/office/duplicates")
	if n := len(regexp.MustCompile(`name="keep"`).FindAllString(page.body, -1)); n != 9 {
		t.Errorf("%d records offered after a third laptop, want 3 persons of 3 records", n)
	}
	if strings.Contains(page.body, `class="notice">保留记录 `+keeps[1][1]) {
		t.Errorf("the reopened interview reads as decided: %.1500s", page.body)
	}
	if !strings.Contains(page.body, "此前保留记录 "+keeps[1][1]) {
		t.Errorf("the earlier choice is not shown as history: %.1500s", page.body)
	}
}

func TestTablesSortAndPage(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20})
	b := f.signedIn("qu")
	firstName := regexp.MustCompile(`<tbody>\s*<tr>\s*<th scope="row">(?:<a [^>]*>)?([^<]+)<`)
	for _, p := range []string{"/office/review", "/office/cancellations"} {
		for _, col := range []string{"name", "village", "enumerator", "status", "completed", "errors", "outcome", "sent"} {
			for _, dir := range []string{"", "desc"} {
				if res := b.get(p + "?sort=" + col + "&dir=" + dir + "&page=999"); res.code != 200 {
					t.Errorf("%s sorted by %s %s: %d", p, col, dir, res.code)
				}
			}
		}
	}
	asc := firstName.FindStringSubmatch(b.get("/office/review?sort=name").body)
	desc := firstName.FindStringSubmatch(b.get("/office/review?sort=name&dir=desc").body)
	if asc == nil || desc == nil || asc[1] == desc[1] {
		t.Errorf("sorting by name both ways gives the same first row: %v %v", asc, desc)
	}
	// Filtering by village lists that village's records only.
	v := f.district.Villages[1]
	res := b.get("/office/review?town=" + url.QueryEscape(v.Town) + "&village=" + url.QueryEscape(v.Name))
	for _, o := range f.district.Villages {
		if o.Name != v.Name && strings.Contains(res.body, "· "+o.Name+"</td>") {
			t.Errorf("the list filtered by %s shows %s", v.Name, o.Name)
		}
	}
}

// TestCancellationWithPhoto: an enumerator records a death with a note and a photo; the
// district sees it on the cancellation list with its photo, which only accounts of its
// town may open, and marks it as sent for cancellation.
func TestCancellationWithPhoto(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 4})
	cases, err := f.laptop.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var c localstore.Case
	for _, x := range cases {
		if _, err := f.laptop.RecordFor(x.ID, personForm.ID); err != nil && f.townOfVillage(x.Row.Village) == f.town {
			c = x
			break
		}
	}
	r, err := f.laptop.StartRecord(c.ID, personForm.ID, personForm.Version)
	if err != nil {
		t.Fatal(err)
	}
	note := `邻居说本人已于今年三月去世 <b>见死亡证明</b>`
	if _, err := f.laptop.SetCaseHeader(r.ID, 1, 2, note); err != nil {
		t.Fatal(err)
	}
	path, err := demo.WritePhoto(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	jpg, _ := os.ReadFile(path)
	if _, err := f.laptop.AddPhoto(r.ID, jpg, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.laptop.Complete(r.ID); err != nil {
		t.Fatal(err)
	}
	f.sync()
	r, _ = f.laptop.Record(r.ID)
	hash := r.Photos[0].Hash

	b := f.signedIn("qu")
	list := b.get("/office/cancellations")
	link := "/office/photo/" + r.ID + "/" + hash
	if !strings.Contains(list.body, c.Row.Name) || !strings.Contains(list.body, link) || !strings.Contains(list.body, "&lt;b&gt;见死亡证明") {
		t.Fatalf("the cancellation list lacks the death, its photo or its escaped note")
	}
	res := b.get(link)
	if res.code != 200 || res.header.Get("Content-Type") != "image/jpeg" || len(res.body) != r.Photos[0].Size {
		t.Errorf("the photo: %d %s, %d bytes of %d", res.code, res.header.Get("Content-Type"), len(res.body), r.Photos[0].Size)
	}
	other := f.recordIn(t, false, localstore.StatusCompleted)
	for _, p := range []string{
		"/office/photo/" + r.ID + "/" + strings.Repeat("0", 64), // not this record's photo
		"/office/photo/" + other.ID + "/" + hash,                // another record
		"/office/photo/" + r.ID + "/..%2F..%2Foffice-accounts.json",
		"/office/photo/" + r.ID + "/../../office-accounts.json", // cleaned by the mux into a redirect out of /office/
	} {
		if res := b.get(p); res.code != http.StatusNotFound && res.code != http.StatusTemporaryRedirect || strings.Contains(res.body, `"hash"`) {
			t.Errorf("GET %s: %d", p, res.code)
		}
	}
	// The town's account sees it; after the district marks it, it shows as sent.
	if res := f.signedIn("zhen").get(link); res.code != 200 {
		t.Errorf("the town's account opens the photo: %d", res.code)
	}
	tok := csrfRE.FindStringSubmatch(list.body)[1]
	if res := b.post("/office/cancellations/"+r.ID, url.Values{"csrf": {tok}}); res.code != http.StatusSeeOther {
		t.Fatalf("mark sent: %d", res.code)
	}
	if strings.Contains(b.get("/office/cancellations").body, `action="/office/cancellations/`+r.ID+`"`) {
		t.Error("the death is still offered for marking")
	}
}
