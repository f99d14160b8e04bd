package demo

import (
	"reflect"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/roster"
)

// contextOf is what the program knows of a case before the form: derived here
// independently of the package, from the certificate as the validators read it.
func contextOf(tb testing.TB, r roster.Row, iv Interview) forms.Context {
	tb.Helper()
	c := forms.Context{"method": iv.Method, "outcome": iv.Outcome}
	cert, err := validate.ParseCertificate(r.CertificateNumber, DefaultReference)
	if err != nil {
		tb.Fatalf("line %d: %v", r.Line, err)
	}
	c["age"], c["sex"] = cert.ID.AgeAt(DefaultReference), cert.ID.Sex
	c["category"], c["level"] = r.Category, r.Level
	return c
}

func TestAnswerCompletesTheForm(t *testing.T) {
	f := formstest.Person2021(t)
	d := Generate(Options{Seed: 11, Cases: 500})
	rng := NewRand(12)
	interviewed, legacy := 0, 0
	for _, r := range d.Rows {
		iv := Answer(f, r, rng, DefaultReference)
		if iv.Outcome != OutcomeInterviewed {
			if iv.Answers != nil || iv.Note == "" || iv.Signer != "" {
				t.Errorf("line %d: outcome %d with answers %v, note %q, signer %q", r.Line, iv.Outcome, iv.Answers, iv.Note, iv.Signer)
			}
			continue
		}
		interviewed++
		res := f.Evaluate(iv.Answers, contextOf(t, r, iv))
		if !res.Complete || res.HasErrors() || len(res.Cleared) > 0 {
			t.Errorf("line %d: complete %v, missing %v, findings %v, cleared %v\nanswers %v",
				r.Line, res.Complete, res.Missing, res.Findings, res.Cleared, iv.Answers)
		}
		if iv.Answers["R1"] != r.Name || iv.Answers["R2"] != r.CertificateNumber {
			t.Errorf("line %d: R1 %v R2 %v, roster %s %s", r.Line, iv.Answers["R1"], iv.Answers["R2"], r.Name, r.CertificateNumber)
		}
		if p, err := validate.ParsePhone(r.Phone); err == nil && iv.Answers["R5"] != p {
			t.Errorf("line %d: R5 %v, roster phone %s", r.Line, iv.Answers["R5"], r.Phone)
		}
		if len(r.CertificateNumber) == 18 {
			legacy++
			if iv.Answers["R2b"] != r.Category || iv.Answers["R2c"] != r.Level {
				t.Errorf("line %d: old card, R2b %v R2c %v, roster %d/%d", r.Line, iv.Answers["R2b"], iv.Answers["R2c"], r.Category, r.Level)
			}
		}
		if hz2, ok := iv.Answers["HZ2"].(string); ok && iv.Answers["HZ1"] == r.Name && hz2 != r.IDNumber {
			t.Errorf("line %d: the person heads the household but HZ2 is %s, not %s", r.Line, hz2, r.IDNumber)
		}
		switch {
		case iv.Signer == "":
			t.Errorf("line %d: nobody signs", r.Line)
		case iv.Proxy && (iv.Signer == r.Name || !slices.Contains([]string{"父母", "配偶", "子女", "其他亲属"}, iv.ProxyRelation)):
			t.Errorf("line %d: proxy %s (%s) for %s", r.Line, iv.Signer, iv.ProxyRelation, r.Name)
		case !iv.Proxy && (iv.Signer != r.Name || iv.ProxyRelation != ""):
			t.Errorf("line %d: %s signs for %s without being a proxy", r.Line, iv.Signer, r.Name)
		}
	}
	if interviewed < 450 || legacy == 0 {
		t.Errorf("%d of 500 interviewed, %d with old cards: the test saw too little", interviewed, legacy)
	}
}

// TestAnswerShares checks the work plan's targets and how often the rarer things happen
// over 2 000 cases.
func TestAnswerShares(t *testing.T) {
	f := formstest.Person2021(t)
	d := Generate(Options{Seed: 5, Cases: 2000})
	rng := NewRand(6)
	var home, interviewed, proxies, warned int
	outcomes := map[int]int{}
	relations := map[string]int{}
	asked := map[string]int{}
	for _, r := range d.Rows {
		iv := Answer(f, r, rng, DefaultReference)
		outcomes[iv.Outcome]++
		if iv.Method == MethodHomeVisit {
			home++
		}
		if iv.Outcome != OutcomeInterviewed {
			continue
		}
		interviewed++
		if iv.Proxy {
			proxies++
			relations[iv.ProxyRelation]++
		}
		for id := range iv.Answers {
			asked[id]++
		}
		res := f.Evaluate(iv.Answers, contextOf(t, r, iv))
		if len(res.Findings) > 0 {
			warned++
		}
	}
	n := float64(len(d.Rows))
	if share := float64(home) / n; share < 0.96 {
		t.Errorf("home visits %.1f %%, the work plan wants at least 96 %%", 100*share)
	}
	if share := float64(proxies) / float64(interviewed); share < 0.12 || share > 0.30 {
		t.Errorf("proxies sign for %.1f %% of interviews, want about one in five", 100*share)
	}
	if len(relations) < 4 {
		t.Errorf("proxy relations %v: want parents, spouses, children and other relatives", relations)
	}
	if share := float64(warned) / float64(interviewed); share > 0.03 {
		t.Errorf("%.1f %% of interviews carry a warning: too many for real data", 100*share)
	}
	for o := OutcomeDeceased; o <= OutcomeMovedOut; o++ {
		if outcomes[o] == 0 {
			t.Errorf("no case with outcome %d in 2 000: %v", o, outcomes)
		}
	}
	if share := float64(outcomes[OutcomeInterviewed]) / n; share < 0.9 || share > 0.99 {
		t.Errorf("%.1f %% interviewed", 100*share)
	}
	// Every branch of the form is walked somewhere in a district of 2 000.
	for _, q := range f.Questions() {
		if asked[q.ID] == 0 {
			t.Errorf("question %s never answered in %d interviews", q.ID, interviewed)
		}
	}
}

func TestAnswerIsDeterministic(t *testing.T) {
	f := formstest.Person2021(t)
	d := Generate(Options{Seed: 3, Cases: 60})
	run := func() []Interview {
		rng := NewRand(99)
		var out []Interview
		for _, r := range d.Rows {
			out = append(out, Answer(f, r, rng, DefaultReference))
		}
		return out
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same rng state gave different interviews")
	}
	rng := NewRand(100)
	differ := 0
	for i, r := range d.Rows {
		if !reflect.DeepEqual(Answer(f, r, rng, DefaultReference), a[i]) {
			differ++
		}
	}
	if differ < len(d.Rows)/2 {
		t.Errorf("another stream changed only %d of %d interviews", differ, len(d.Rows))
	}
}

// TestFixRemovesErrors starts from answers that break the form's error checks, as a
// careless enumerator might leave them, and lets the walker repair them.
func TestFixRemovesErrors(t *testing.T) {
	f := formstest.Person2021(t)
	d := Generate(Options{Seed: 8, Cases: 200})
	var r roster.Row
	for _, row := range d.Rows {
		if id, _ := validate.ParseResidentID(row.IDNumber, DefaultReference); id.AgeAt(DefaultReference) >= 30 &&
			id.AgeAt(DefaultReference) < 60 && len(row.CertificateNumber) == 20 {
			r = row
			break
		}
	}
	bad := []struct {
		name    string
		answers forms.Answers
		check   string
	}{
		{"C2 both medical schemes", forms.Answers{"R12": []int{1, 2}, "R13": 1}, "C2"},
		{"C3 renovation in town", forms.Answers{"R2a": 2, "R15": []int{1, 5}}, "C3"},
		{"C4 none with others", forms.Answers{"R21": []int{2, 6}}, "C4"},
		{"C9 head's ID", forms.Answers{"HZ2": "410188197013011235"}, "C9"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := newProfile(r, DefaultReference)
			w := &walker{f: f, rng: NewRand(1), p: p, ref: DefaultReference, ctx: p.context(1, 1),
				a: forms.Answers{}, skipped: map[string]bool{}, avoid: map[string][]int{}}
			w.chooseSigner(&Interview{})
			for k, v := range tt.answers {
				w.a[k] = v
			}
			res := w.walk()
			if !hasCheck(res, tt.check) {
				t.Fatalf("the bad answers do not raise %s: %v", tt.check, res.Findings)
			}
			res = w.fix(res)
			if !res.Complete || res.HasErrors() {
				t.Fatalf("after fix: missing %v findings %v", res.Missing, res.Findings)
			}
		})
	}
}

func hasCheck(res forms.Result, id string) bool {
	return slices.ContainsFunc(res.Findings, func(fd forms.Finding) bool { return fd.Check == id })
}

// TestSafeChoices is the last resort of fix: the choice that cannot be wrong.
func TestSafeChoices(t *testing.T) {
	f := formstest.Person2021(t)
	r := Generate(Options{Seed: 8, Cases: 1}).Rows[0]
	p := newProfile(r, DefaultReference)
	w := &walker{f: f, rng: NewRand(1), p: p, ref: DefaultReference, ctx: p.context(1, 1),
		a:       forms.Answers{"R2": r.CertificateNumber, "R12": []int{2}, "R13": 1, "R15": []int{1, 6}, "HZ2": "123"},
		skipped: map[string]bool{}, avoid: map[string][]int{}}
	w.safe(f.Question("R13"))
	w.safe(f.Question("R15"))
	w.safe(f.Question("HZ2"))
	if w.a["R13"] != 2 {
		t.Errorf("R13 = %v, want 2: the only code C2 allows with R12 = [2]", w.a["R13"])
	}
	if !reflect.DeepEqual(w.a["R15"], []int{6}) {
		t.Errorf("R15 = %v, want [6] (none)", w.a["R15"])
	}
	if _, ok := w.a["HZ2"]; ok || !w.skipped["HZ2"] {
		t.Errorf("HZ2 = %v: an optional answer that fails is left blank", w.a["HZ2"])
	}
}

// TestAnswerOtherForm answers a form this package has no rules for (the community form)
// by question type alone: it must still end complete and without errors.
func TestAnswerOtherForm(t *testing.T) {
	f, err := forms.Builtin("community-2021")
	if err != nil {
		t.Fatal(err)
	}
	d := Generate(Options{Seed: 4, Cases: 30})
	rng := NewRand(4)
	done := 0
	for _, r := range d.Rows {
		iv := Answer(f, r, rng, DefaultReference)
		if iv.Outcome != OutcomeInterviewed {
			continue
		}
		done++
		res := f.Evaluate(iv.Answers, forms.Context{"method": iv.Method, "outcome": iv.Outcome})
		if !res.Complete || res.HasErrors() {
			t.Errorf("line %d: missing %v findings %v answers %v", r.Line, res.Missing, res.Findings, iv.Answers)
		}
	}
	if done == 0 {
		t.Fatal("no interview")
	}
}
