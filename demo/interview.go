package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// Interview is one case as an enumerator would close it.
type Interview struct {
	Method  int           // 1 入户 mostly (≥ 96 % over many cases), else 2 电话, 3 窗口服务, 4 系统归集
	Outcome int           // 1 正常调查 mostly; a few 2 死亡, 3 空挂户, 4 查无此人, 5 拒访, 6 迁出
	Answers forms.Answers // outcome 1: the form answered completely, with no error findings; else nil
	// Note says what happened for an outcome other than 1 ("2021年6月病故，家属告知").
	Note string
	// Signer is who signs for the respondent: the respondent, or a proxy (about one case in
	// five: children, intellectual or mental disability, the very old). Empty when the
	// form was not filled.
	Signer        string
	Proxy         bool
	ProxyRelation string // 父母, 配偶, 子女 or 其他亲属 when Proxy
}

// Case outcomes and collection methods, as the forms' context codes them (survey holds
// the codes; these names are the demo's callers').
const (
	MethodHomeVisit = survey.HomeVisit
	MethodPhone     = survey.MethodPhone
	MethodWindow    = survey.MethodWindow
	MethodSystem    = survey.MethodSystem

	OutcomeInterviewed = survey.OutcomeInterviewed
	OutcomeDeceased    = survey.OutcomeDeceased
	OutcomeEmptyHome   = survey.OutcomeEmptyHome
	OutcomeNotFound    = survey.OutcomeNotFound
	OutcomeRefused     = survey.OutcomeRefused
	OutcomeMovedOut    = survey.OutcomeMovedOut
)

// Answer plays the enumerator at r's door: picks a method and an outcome and, for a
// normal interview, walks f the way the program does — evaluate, answer the first
// relevant question not yet answered, evaluate again, drop answers that no longer apply —
// until nothing is missing, choosing answers that fit the person (age, sex, category,
// level, village or town) and each other. An answer that raises an error finding is
// changed; after a few rounds the safe choice (an exclusive "none", another code, or a
// blank for an optional question) is taken, so the walk always ends. Warnings are left
// as they fall: rare, as in real data.
//
// ref is the survey's reference date (f's when zero). The result depends only on f, r
// and the state of rng.
func Answer(f *forms.Form, r roster.Row, rng *rand.Rand, ref time.Time) Interview {
	if ref.IsZero() {
		ref = f.ReferenceDate
	}
	if ref.IsZero() {
		ref = DefaultReference
	}
	p := newProfile(r, ref)
	iv := Interview{
		Method:  pickWeighted(rng, methods),
		Outcome: pickWeighted(rng, outcomes(p.age)),
	}
	if iv.Method == MethodPhone && p.phone == "" {
		iv.Method = MethodHomeVisit // nobody phones a household without a number
	}
	if iv.Outcome != OutcomeInterviewed {
		iv.Note = note(rng, iv.Outcome, p, ref)
		return iv
	}

	w := &walker{
		f: f, rng: rng, p: p, ref: ref,
		ctx:     p.context(iv.Method, iv.Outcome),
		a:       forms.Answers{},
		skipped: map[string]bool{},
		avoid:   map[string][]int{},
	}
	w.chooseSigner(&iv)
	res := w.walk()
	w.fix(res)
	iv.Answers = w.a
	return iv
}

var methods = []weighted{{MethodHomeVisit, 97.6}, {MethodPhone, 1.4}, {MethodWindow, 0.6}, {MethodSystem, 0.4}}

// outcomes weights non-interviews; deaths come mostly among the old.
func outcomes(age int) []weighted {
	death := 0.6
	switch {
	case age >= 80:
		death = 6
	case age >= 60:
		death = 2.4
	}
	return []weighted{
		{OutcomeInterviewed, 95.5}, {OutcomeDeceased, death}, {OutcomeEmptyHome, 0.6},
		{OutcomeNotFound, 0.4}, {OutcomeRefused, 0.5}, {OutcomeMovedOut, 0.7},
	}
}

var notes = map[int][]string{
	OutcomeDeceased: {"%d年%d月病故，家属告知", "%d年%d月因病去世，{org}证实", "%d年%d月去世，已火化，邻居告知",
		"%d年%d月在医院病故，子女告知"},
	OutcomeEmptyHome: {"户籍在本{place}，常年无人居住，{org}称多年未见本人", "户口挂靠在亲戚家，本人从未在此居住",
		"房屋已拆除，户口未迁，家中无人"},
	OutcomeNotFound: {"按底册地址走访，{org}及邻居均称无此人", "底册地址查无此户，派出所协查未果"},
	OutcomeRefused:  {"本人拒绝接受调查，已说明调查目的，仍不配合", "家属以本人身体不适为由拒访，两次上门均未成功"},
	OutcomeMovedOut: {"%d年%d月随子女迁往外省居住，户口已迁出", "已迁往县城居住，户口迁出本{place}",
		"%d年%d月婚迁外县，户口已迁出"},
}

func note(rng *rand.Rand, outcome int, p *profile, ref time.Time) string {
	list := notes[outcome]
	s := list[rng.IntN(len(list))]
	org, place := "村委会", "村"
	if !p.rural {
		org, place = "社区居委会", "社区"
	}
	s = strings.NewReplacer("{org}", org, "{place}", place).Replace(s)
	if strings.Contains(s, "%d") {
		when := ref.AddDate(0, 0, -rng.IntN(330))
		s = fmt.Sprintf(s, when.Year(), int(when.Month()))
	}
	return s
}

// profile is what the enumerator knows about the person before asking anything.
type profile struct {
	row      roster.Row
	id       string // the 18-character resident ID, "" when the roster's is not valid
	birth    time.Time
	ageKnown bool
	age      int // 40 when not known, so plausibility rules still have something
	sex      int
	category int
	level    int
	rural    bool     // a 村, not a 社区
	rel      relation // who would look after them
	phone    string   // a valid number to reach the household, "" when none
}

func newProfile(r roster.Row, ref time.Time) *profile {
	p := &profile{row: r, age: 40, sex: r.Sex, category: r.Category, level: r.Level}
	number := r.CertificateNumber
	if number == "" {
		number = r.IDNumber
	}
	if c, err := validate.ParseCertificate(number, ref); err == nil {
		p.id, p.birth, p.sex = c.ID.Number, c.ID.BirthDate, c.ID.Sex
		if !c.Legacy {
			p.category, p.level = c.Category, c.Level
		}
	} else if id, err := validate.ParseResidentID(r.IDNumber, ref); err == nil {
		p.id, p.birth, p.sex = id.Number, id.BirthDate, id.Sex
	}
	if p.id != "" {
		p.age, p.ageKnown = validate.AgeAt(p.birth, ref), true
	} else {
		p.birth = ref.AddDate(-p.age, 0, 0)
	}
	p.rural = !strings.HasSuffix(r.Village, "社区")
	if len(r.VillageCode) == 12 && r.VillageCode[9] < '2' {
		p.rural = false // 001–199: a 居民委员会
	}
	p.rel = relationFor(p.age, p.category)
	for _, s := range []string{r.Phone, r.GuardianPhone} {
		if ph, err := validate.ParsePhone(s); err == nil {
			p.phone = ph
			break
		}
	}
	return p
}

func (p *profile) context(method, outcome int) forms.Context {
	c := forms.Context{"method": method, "outcome": outcome}
	if p.ageKnown {
		c["age"] = p.age
	}
	if p.sex != 0 {
		c["sex"] = p.sex
	}
	if p.category != 0 {
		c["category"] = p.category
	}
	if p.level != 0 {
		c["level"] = p.level
	}
	return c
}

func (p *profile) mind() bool { return p.category == 5 || p.category == 6 }

// walker answers one form.
type walker struct {
	f   *forms.Form
	rng *rand.Rand
	p   *profile
	ref time.Time
	ctx forms.Context
	a   forms.Answers

	skipped map[string]bool  // optional questions deliberately left blank
	avoid   map[string][]int // codes that raised an error finding, by question

	proxy   bool
	proxyBy string // the proxy's name
	contact string // R4: the guardian, the proxy, or the person
	contRel relation
	head    *person // head of household, decided when first asked
}

type person struct {
	name string
	id   string
}

// chooseSigner decides before the visit who will answer and sign: children, people
// with a severe intellectual or mental disability and the very old mostly answer through
// a relative.
func (w *walker) chooseSigner(iv *Interview) {
	p := w.p
	var share int
	switch {
	case p.age < 16:
		share = 100
	case p.age < 18:
		share = 70
	case p.mind() && p.level <= 2:
		share = 50
	case p.mind():
		share = 20
	case p.category == 7 && p.level <= 2:
		share = 40
	case p.age >= 85:
		share = 50
	case p.level == 1:
		share = 20
	case p.age >= 75:
		share = 10
	default:
		share = 2
	}
	w.proxy = w.rng.IntN(100) < share
	w.contact, w.contRel = p.row.Name, relSelf
	if p.row.Guardian != "" && p.row.Guardian != p.row.Name {
		w.contact, w.contRel = p.row.Guardian, p.rel
	}
	iv.Signer = p.row.Name
	if !w.proxy {
		return
	}
	w.proxyBy = p.row.Guardian
	if w.contRel == relSelf {
		w.proxyBy, _, _ = relativeName(w.rng, p.rel, p.row.Name, p.sex, p.birth.Year(), w.ref.Year())
		w.contact, w.contRel = w.proxyBy, p.rel
	}
	iv.Proxy, iv.Signer, iv.ProxyRelation = true, w.proxyBy, p.rel.String()
}

// walk answers the first relevant unanswered question until there is none.
func (w *walker) walk() forms.Result {
	limit := 4*len(w.f.Questions()) + 16
	for range limit {
		res := w.f.Evaluate(w.a, w.ctx)
		if len(res.Cleared) > 0 {
			res.Apply(w.a)
			continue
		}
		q := w.next(res)
		if q == nil {
			return res
		}
		if v, ok := w.pick(q); ok {
			w.a[q.ID] = v
		} else {
			w.skipped[q.ID] = true
		}
	}
	return w.f.Evaluate(w.a, w.ctx)
}

func (w *walker) next(res forms.Result) *forms.Question {
	for _, id := range res.Relevant {
		if _, done := w.a[id]; !done && !w.skipped[id] {
			return w.f.Question(id)
		}
	}
	return nil
}

// maxFixRounds bounds how often answers with an error finding are asked again before
// the safe choices are taken.
const maxFixRounds = 4

// fix changes answers that raise error findings, as an enumerator does when the program
// refuses to go on: ask again (never repeating a code that failed), then, if that does not
// help, take the safe choice. It always ends.
func (w *walker) fix(res forms.Result) forms.Result {
	for round := 0; round < maxFixRounds && res.HasErrors(); round++ {
		for _, id := range errorQuestions(res) {
			w.reject(id)
		}
		res = w.walk()
	}
	for round := 0; round < maxFixRounds && res.HasErrors(); round++ {
		for _, id := range errorQuestions(res) {
			w.safe(w.f.Question(id))
		}
		res = w.walk()
	}
	return res
}

func errorQuestions(res forms.Result) []string {
	var ids []string
	for _, fd := range res.Findings {
		if fd.Severity == forms.SeverityError && fd.Question != "" && !slices.Contains(ids, fd.Question) {
			ids = append(ids, fd.Question)
		}
	}
	return ids
}

// reject forgets an answer and remembers its codes so they are not chosen again.
func (w *walker) reject(id string) {
	switch v := w.a[id].(type) {
	case int:
		w.avoid[id] = append(w.avoid[id], v)
	case []int:
		w.avoid[id] = append(w.avoid[id], v...)
	}
	delete(w.a, id)
	delete(w.skipped, id)
}

// safe gives a question an answer that cannot be wrong on its own: the exclusive "none"
// of a multiple choice, the first code that raises no error at a single choice, or no
// answer at all where the question may be left blank.
func (w *walker) safe(q *forms.Question) {
	if q == nil {
		return
	}
	if !q.Required {
		delete(w.a, q.ID)
		w.skipped[q.ID] = true
		return
	}
	switch q.Type {
	case forms.TypeMultiple:
		for _, o := range q.Options {
			if o.Exclusive && slices.Contains(w.offered(q), o.Code) {
				w.a[q.ID] = []int{o.Code}
				return
			}
		}
		fallthrough
	case forms.TypeSingle:
		for _, code := range w.offered(q) {
			var v any = code
			if q.Type == forms.TypeMultiple {
				v = []int{code}
			}
			w.a[q.ID] = v
			if !slices.Contains(errorQuestions(w.f.Evaluate(w.a, w.ctx)), q.ID) {
				return
			}
		}
	}
}

// offered lists the codes q offers now, in form order, as the screen would show them.
func (w *walker) offered(q *forms.Question) []int {
	var out []int
	for _, o := range w.f.Offered(w.a, w.ctx, q.ID) {
		out = append(out, o.Code)
	}
	return out
}

// pick chooses an answer for q; false leaves an optional question blank.
func (w *walker) pick(q *forms.Question) (any, bool) {
	if r, ok := personRules[q.ID]; ok && r.typ == q.Type {
		return r.fn(w, q)
	}
	if v, ok := w.prefill(q); ok {
		return v, true
	}
	return w.generic(q)
}

func (w *walker) prefill(q *forms.Question) (any, bool) {
	r := w.p.row
	var s string
	switch q.Prefill {
	case "name":
		s = r.Name
	case "certificate":
		s = cmp.Or(r.CertificateNumber, r.IDNumber)
	case "resident_id":
		s = cmp.Or(w.p.id, r.IDNumber)
	case "phone":
		s = w.p.phone
	case "guardian":
		s = r.Guardian
	case "guardian_phone":
		s, _ = validate.ParsePhone(r.GuardianPhone)
	case "village":
		s = r.Village
	case "village_code":
		s = r.VillageCode
	case "address":
		s = r.CurrentAddress
	}
	return s, s != ""
}

// generic answers a question this package has no rule for, by its type alone.
func (w *walker) generic(q *forms.Question) (any, bool) {
	rng := w.rng
	if !q.Required && rng.IntN(5) == 0 {
		return nil, false
	}
	switch q.Type {
	case forms.TypeSingle:
		return w.single(q), true
	case forms.TypeMultiple:
		return w.multi(q, 0.4), true
	case forms.TypeInteger, forms.TypeDecimal:
		lo, hi := 0.0, 10.0
		if q.Min != nil {
			lo = *q.Min
		}
		if q.Max != nil {
			hi = *q.Max
		} else if q.Min != nil {
			hi = lo + 10
		}
		if q.Type == forms.TypeInteger {
			return int(lo) + rng.IntN(int(hi-lo)+1), true
		}
		return float64(int((lo+(hi-lo)*rng.Float64())*10)) / 10, true
	case forms.TypeDate:
		// The dates a form asks for without a rule are the visit's: the field period after
		// the reference date.
		return w.ref.AddDate(0, 0, 1+rng.IntN(45)), true
	case forms.TypeText:
		return personName(rng, "", 1+rng.IntN(2), 1940+rng.IntN(60)), true
	case forms.TypePhone:
		return mobileNumber(rng), true
	case forms.TypeResidentID:
		return cmp.Or(w.p.id, otherID(rng, w.p.birth, w.p.sex)), true
	case forms.TypeCertificate:
		return cmp.Or(w.p.row.CertificateNumber, w.p.id), true
	}
	return nil, false
}

// weighted is a code and how often it is chosen, relative to the others of its list.
type weighted struct {
	code int
	w    float64
}

func pickWeighted(rng *rand.Rand, ws []weighted) int {
	total := 0.0
	for _, x := range ws {
		total += x.w
	}
	r := rng.Float64() * total
	for _, x := range ws {
		if r < x.w {
			return x.code
		}
		r -= x.w
	}
	return ws[len(ws)-1].code
}

// candidates are the weighted codes q offers now and has not seen fail; when the
// weights leave nothing, every offered code is equally likely, and only when everything
// failed are failed codes tried again.
func (w *walker) candidates(q *forms.Question, ws []weighted, exclusive bool) []weighted {
	offered := w.offered(q)
	isExclusive := func(code int) bool {
		o := q.Option(code)
		return o != nil && o.Exclusive
	}
	usable := func(code int, avoid bool) bool {
		return slices.Contains(offered, code) && (!avoid || !slices.Contains(w.avoid[q.ID], code)) &&
			isExclusive(code) == exclusive
	}
	var out []weighted
	for _, x := range ws {
		if x.w > 0 && usable(x.code, true) {
			out = append(out, x)
		}
	}
	for _, avoid := range []bool{true, false} {
		if len(out) > 0 {
			break
		}
		for _, code := range offered {
			if usable(code, avoid) {
				out = append(out, weighted{code, 1})
			}
		}
	}
	return out
}

// single picks one code of q, weighted.
func (w *walker) single(q *forms.Question, ws ...weighted) int {
	c := w.candidates(q, ws, false)
	if len(c) == 0 {
		return q.Options[0].Code
	}
	return pickWeighted(w.rng, c)
}

// multi picks the exclusive option ("none") with probability none, else one to three
// other codes, weighted, mostly one.
func (w *walker) multi(q *forms.Question, none float64, ws ...weighted) []int {
	c := w.candidates(q, ws, false)
	ex := w.candidates(q, nil, true)
	if len(ex) > 0 && (len(c) == 0 || w.rng.Float64() < none) {
		return []int{ex[0].code}
	}
	if len(c) == 0 {
		return []int{q.Options[0].Code}
	}
	k := pickWeighted(w.rng, []weighted{{1, 70}, {2, 25}, {3, 5}})
	var out []int
	for range min(k, len(c)) {
		code := pickWeighted(w.rng, c)
		out = append(out, code)
		c = slices.DeleteFunc(c, func(x weighted) bool { return x.code == code })
	}
	slices.Sort(out)
	return out
}

// pattern picks one of several whole answers to a multiple choice, weighted; patterns
// with a code not offered, or one that failed, are left out.
func (w *walker) pattern(q *forms.Question, ps ...[]int) []int {
	offered := w.offered(q)
	var ok [][]int
	var ws []weighted
	for _, p := range ps {
		weight, codes := p[0], p[1:]
		if !slices.ContainsFunc(codes, func(c int) bool {
			return !slices.Contains(offered, c) || slices.Contains(w.avoid[q.ID], c)
		}) {
			ws = append(ws, weighted{len(ok), float64(weight)})
			ok = append(ok, codes)
		}
	}
	if len(ok) == 0 {
		return w.multi(q, 0.5)
	}
	return slices.Clone(ok[pickWeighted(w.rng, ws)])
}

func (w *walker) chance(percent float64) bool { return w.rng.Float64()*100 < percent }

func (w *walker) code(id string) int {
	v, _ := w.a[id].(int)
	return v
}

func (w *walker) has(id string, code int) bool {
	v, _ := w.a[id].([]int)
	return slices.Contains(v, code)
}

// household decides once who heads the person's household: a parent for a child or for
// an adult who lives with them, a grown child for the very old, a husband for some
// married women, otherwise the person.
func (w *walker) household() person {
	if w.head != nil {
		return *w.head
	}
	p := w.p
	self := person{name: p.row.Name, id: p.id}
	head := self
	other := func(rel relation) {
		name, sex, year := relativeName(w.rng, rel, p.row.Name, p.sex, p.birth.Year(), w.ref.Year())
		if w.contRel == rel && w.contact != p.row.Name {
			name = w.contact
			if s := nameSex(name); s != 0 {
				sex = s
			}
		}
		birth := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, w.rng.IntN(365))
		head = person{name: name, id: otherID(w.rng, birth, sex)}
	}
	switch {
	case p.age < 18:
		other(relParent)
	case p.age >= 75 && w.chance(45):
		other(relChild)
	case p.mind() && p.age < 45 && w.chance(80):
		other(relParent)
	case p.sex == 2 && w.code("R3") == 2 && w.chance(55):
		other(relSpouse)
	}
	w.head = &head
	return head
}
