package demo

import (
	"cmp"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/validate"
)

// rule answers one question of person-2021 plausibly for the person. A rule applies
// only while the question has the type it was written for, so a district's changed form
// falls back to the generic answers instead of getting answers of the wrong kind.
type rule struct {
	typ forms.Type
	fn  func(w *walker, q *forms.Question) (any, bool)
}

func singleRule(fn func(w *walker, q *forms.Question) int) rule {
	return rule{forms.TypeSingle, func(w *walker, q *forms.Question) (any, bool) { return fn(w, q), true }}
}

func multiRule(fn func(w *walker, q *forms.Question) []int) rule {
	return rule{forms.TypeMultiple, func(w *walker, q *forms.Question) (any, bool) { return fn(w, q), true }}
}

// personRules hold what an enumerator would hear at the door, by question id. The shares
// are rough, chosen to look like a district's returns (most people rural, insured in the
// residents' scheme, signed up with a family doctor; few employed among the severely
// disabled), not taken from published tables.
var personRules = map[string]rule{
	"R1": {forms.TypeText, func(w *walker, q *forms.Question) (any, bool) {
		return cmp.Or(w.p.row.Name, personName(w.rng, "", w.p.sex, w.p.birth.Year())), true
	}},
	"R2": {forms.TypeCertificate, func(w *walker, q *forms.Question) (any, bool) {
		s := cmp.Or(w.p.row.CertificateNumber, w.p.row.IDNumber)
		return s, s != ""
	}},
	"R2b": singleRule(func(w *walker, q *forms.Question) int {
		return w.single(q, weighted{w.p.row.Category, 1})
	}),
	"R2c": singleRule(func(w *walker, q *forms.Question) int {
		return w.single(q, weighted{w.p.row.Level, 1})
	}),
	"R2a": singleRule(func(w *walker, q *forms.Question) int {
		if w.p.rural {
			return w.single(q, weighted{1, 90}, weighted{2, 10})
		}
		return w.single(q, weighted{1, 35}, weighted{2, 65})
	}),
	"R3": singleRule(marital),
	"R4": {forms.TypeText, func(w *walker, q *forms.Question) (any, bool) { return w.contact, w.contact != "" }},
	"R4a": {forms.TypeSingle, func(w *walker, q *forms.Question) (any, bool) {
		if w.chance(10) {
			return nil, false
		}
		return w.single(q, weighted{[...]int{1, 3, 2, 4, 5}[w.contRel], 1}), true
	}},
	"R5": {forms.TypePhone, func(w *walker, q *forms.Question) (any, bool) {
		if w.p.phone != "" {
			return w.p.phone, true
		}
		if w.ctx["method"] == MethodPhone {
			return mobileNumber(w.rng), true
		}
		return nil, false
	}},
	"R6": singleRule(func(w *walker, q *forms.Question) int {
		yes := 0.8
		switch {
		case w.p.age >= 60 && w.p.level <= 2:
			yes = 5
		case w.p.level == 1:
			yes = 3
		}
		return w.single(q, weighted{1, yes}, weighted{2, 100 - yes})
	}),
	"R7": singleRule(func(w *walker, q *forms.Question) int {
		if w.p.rural {
			return w.single(q, weighted{1, 80}, weighted{2, 3}, weighted{3, 6}, weighted{4, 3}, weighted{5, 8})
		}
		return w.single(q, weighted{1, 70}, weighted{2, 10}, weighted{3, 14}, weighted{4, 1}, weighted{5, 5})
	}),
	"R7a": singleRule(func(w *walker, q *forms.Question) int {
		if w.p.rural {
			return w.single(q, weighted{1, 95}, weighted{2, 5})
		}
		return w.single(q, weighted{1, 10}, weighted{2, 90})
	}),
	"R8": singleRule(education),
	"R9": singleRule(func(w *walker, q *forms.Question) int {
		yes := [...]float64{0, 8, 18, 40, 52}[w.p.level]
		if w.p.mind() {
			yes *= 0.5
		}
		if w.p.rural {
			yes += 8 // farming counts
		}
		if w.p.age < 18 {
			yes *= 0.2
		}
		return w.single(q, weighted{1, yes}, weighted{2, 100 - yes})
	}),
	"R10": singleRule(func(w *walker, q *forms.Question) int {
		pension := 6.0
		if w.p.age < 45 {
			pension = 0.3 // C5 warns: a pension this young is rare
		}
		return w.single(q, weighted{1, pension}, weighted{2, 2}, weighted{3, 38}, weighted{4, 50}, weighted{5, 6})
	}),
	"R11": multiRule(func(w *walker, q *forms.Question) []int {
		none := 0.55
		if w.p.level <= 2 {
			none = 0.75
		}
		farm := 3.0
		if w.p.rural {
			farm = 20
		}
		return w.multi(q, none, weighted{1, 30}, weighted{2, 15}, weighted{3, farm}, weighted{4, 25}, weighted{5, 10})
	}),
	"R12": multiRule(func(w *walker, q *forms.Question) []int {
		employed, urban := w.code("R9") == 1, w.code("R2a") == 2
		switch {
		case employed && urban:
			return w.pattern(q, []int{55, 1, 2}, []int{30, 1, 2, 3}, []int{7, 1}, []int{3, 2}, []int{5, 4})
		case urban && w.p.age >= 60:
			return w.pattern(q, []int{45, 1, 2}, []int{55, 4})
		case employed:
			return w.pattern(q, []int{85, 4}, []int{10, 1, 2}, []int{5, 1})
		}
		return w.pattern(q, []int{92, 4}, []int{4, 1}, []int{4, 1, 2})
	}),
	"R13": singleRule(func(w *walker, q *forms.Question) int {
		if w.has("R12", 2) {
			return w.single(q, weighted{2, 1}) // C2: not in both medical schemes
		}
		return w.single(q, weighted{1, 97}, weighted{2, 3})
	}),
	"R14": singleRule(func(w *walker, q *forms.Question) int {
		if w.p.level <= 2 {
			return w.single(q, weighted{1, 80}, weighted{2, 20})
		}
		return w.single(q, weighted{1, 50}, weighted{2, 50})
	}),
	"R15": multiRule(func(w *walker, q *forms.Question) []int {
		none := 0.55
		if w.p.level <= 2 {
			none = 0.4
		}
		renovation := 0.0 // C3: rural renovation only for agricultural registration
		if w.code("R2a") == 1 {
			renovation = 6
		}
		return w.multi(q, none, weighted{1, 45}, weighted{2, 8}, weighted{3, 20}, weighted{4, 10}, weighted{5, renovation})
	}),
	"R16": singleRule(func(w *walker, q *forms.Question) int {
		return w.single(q, weighted{4, 65}, weighted{1, 22}, weighted{2, 8}, weighted{3, 5})
	}),
	"R17": multiRule(func(w *walker, q *forms.Question) []int {
		if w.code("R6") == 1 {
			return w.pattern(q, []int{90, 3}, []int{10, 4})
		}
		return w.multi(q, 0.85, weighted{1, 70}, weighted{2, 25}, weighted{3, 5})
	}),
	"R18": multiRule(func(w *walker, q *forms.Question) []int {
		if w.code("R6") == 1 {
			return w.pattern(q, []int{80, 3}, []int{20, 4})
		}
		return w.multi(q, 0.6, weighted{1, 65}, weighted{2, 30}, weighted{3, 5})
	}),
	"R19": singleRule(func(w *walker, q *forms.Question) int {
		yes := 1.0
		switch {
		case w.p.age < 30:
			yes = 6
		case w.p.age < 60 && (w.p.mind() || w.p.level <= 2):
			yes = 35
		case w.p.age < 60:
			yes = 8
		}
		return w.single(q, weighted{1, yes}, weighted{2, 100 - yes})
	}),
	"R19a": singleRule(func(w *walker, q *forms.Question) int {
		if w.p.age+28 < 70 {
			return w.single(q, weighted{1, 80}, weighted{2, 20})
		}
		return w.single(q, weighted{1, 15}, weighted{2, 85})
	}),
	"R19b": singleRule(func(w *walker, q *forms.Question) int {
		return w.single(q, weighted{3, 85}, weighted{4, 15})
	}),
	"R20": singleRule(func(w *walker, q *forms.Question) int {
		return w.single(q, weighted{1, 85}, weighted{2, 15})
	}),
	"R21": multiRule(func(w *walker, q *forms.Question) []int {
		return w.multi(q, 0.45, rehab[w.p.category]...)
	}),
	"R22": multiRule(func(w *walker, q *forms.Question) []int {
		return w.multi(q, 0.35, rehab[w.p.category]...)
	}),
	"R22d": multiRule(func(w *walker, q *forms.Question) []int {
		return w.multi(q, 0, devices...)
	}),
	"R23": singleRule(func(w *walker, q *forms.Question) int {
		yes := 5.0
		if w.p.category == 4 && w.p.level <= 2 {
			yes = 10
		}
		return w.single(q, weighted{1, yes}, weighted{2, 100 - yes})
	}),
	"R24": multiRule(func(w *walker, q *forms.Question) []int {
		return w.multi(q, 0, w.accessibility()...)
	}),
	"R25": multiRule(func(w *walker, q *forms.Question) []int {
		return w.multi(q, 0.65, w.accessibility()...)
	}),
	"R26": singleRule(func(w *walker, q *forms.Question) int {
		yes := 35.0
		switch {
		case w.p.level == 1, w.p.age >= 80:
			yes = 15
		case w.p.age < 18:
			yes = 50
		}
		return w.single(q, weighted{1, yes}, weighted{2, 100 - yes})
	}),
	"R27": multiRule(func(w *walker, q *forms.Question) []int {
		health := 50.0
		if w.p.level <= 2 || w.p.age >= 75 {
			health = 120
		}
		return w.multi(q, 0, weighted{1, health}, weighted{2, 20}, weighted{3, 25}, weighted{4, 8})
	}),
	"HZ1": {forms.TypeText, func(w *walker, q *forms.Question) (any, bool) {
		h := w.household()
		return h.name, h.name != ""
	}},
	"HZ2": {forms.TypeResidentID, func(w *walker, q *forms.Question) (any, bool) {
		h := w.household()
		if h.id == "" || w.chance(8) {
			return nil, false // not at hand, or not given
		}
		if _, err := validate.ParseResidentID(h.id, w.f.ReferenceDate); err != nil {
			return nil, false // a head born after the form's reference date: leave it
		}
		return h.id, true
	}},
}

// marital status by age and sex; a spouse who answers for the person means married, a
// grown child means married once. Nobody is married below the legal age (22 for men, 20
// for women), so C7 stays quiet.
func marital(w *walker, q *forms.Question) int {
	p := w.p
	if w.contRel == relSpouse {
		return w.single(q, weighted{2, 1})
	}
	never := 1.0
	if w.contRel == relChild {
		never = 0
	}
	switch {
	case p.sex == 1 && p.age < 22, p.sex != 1 && p.age < 20:
		return w.single(q, weighted{1, 1})
	case p.age < 30:
		return w.single(q, weighted{1, 65 * never}, weighted{2, 33}, weighted{3, 2})
	case p.age < 60 && p.mind():
		return w.single(q, weighted{1, 45 * never}, weighted{2, 45}, weighted{3, 7}, weighted{4, 3})
	case p.age < 60:
		return w.single(q, weighted{1, 15 * never}, weighted{2, 72}, weighted{3, 7}, weighted{4, 6})
	case p.age < 80:
		return w.single(q, weighted{1, 7 * never}, weighted{2, 70}, weighted{3, 3}, weighted{4, 20})
	}
	return w.single(q, weighted{1, 4 * never}, weighted{2, 40}, weighted{3, 1}, weighted{4, 55})
}

// education by age (what a child of that age can have reached) and generation; people
// with an intellectual or multiple disability went to school less. A rare 11-year-old in
// junior secondary lets C6 fire now and then, as it does in real returns.
func education(w *walker, q *forms.Question) int {
	p := w.p
	slow := p.category == 5 || p.category == 7
	switch {
	case p.age < 6:
		return w.single(q, weighted{1, 1})
	case p.age == 6:
		return w.single(q, weighted{1, 60}, weighted{2, 40})
	case p.age < 12:
		early := 0.0
		if p.age == 11 && !slow {
			early = 1
		}
		return w.single(q, weighted{1, 15}, weighted{2, 85}, weighted{3, early})
	case slow:
		return w.single(q, weighted{1, 55}, weighted{2, 30}, weighted{3, 13}, weighted{4, 2})
	case p.age < 15:
		return w.single(q, weighted{1, 12}, weighted{2, 45}, weighted{3, 43})
	case p.age < 18:
		return w.single(q, weighted{1, 10}, weighted{2, 25}, weighted{3, 45}, weighted{4, 20})
	case p.age < 45:
		return w.single(q, weighted{1, 10}, weighted{2, 20}, weighted{3, 38}, weighted{4, 18}, weighted{5, 8},
			weighted{6, 5}, weighted{7, 1})
	case p.age < 70:
		return w.single(q, weighted{1, 18}, weighted{2, 35}, weighted{3, 33}, weighted{4, 11}, weighted{5, 2}, weighted{6, 1})
	}
	return w.single(q, weighted{1, 45}, weighted{2, 35}, weighted{3, 14}, weighted{4, 5}, weighted{5, 1})
}

// rehab weights the services of R21 and R22 (1 手术 2 药物 3 功能训练 4 辅助器具 5 护理) by
// category: medication for mental disability, devices for sight, hearing and movement,
// training for intellectual and speech.
var rehab = [8][]weighted{
	0: {{1, 5}, {2, 30}, {3, 30}, {4, 25}, {5, 10}},
	1: {{1, 10}, {2, 20}, {3, 10}, {4, 30}, {5, 5}},
	2: {{1, 5}, {2, 10}, {3, 25}, {4, 45}, {5, 2}},
	3: {{1, 3}, {2, 10}, {3, 60}, {4, 10}, {5, 3}},
	4: {{1, 8}, {2, 35}, {3, 30}, {4, 25}, {5, 10}},
	5: {{1, 1}, {2, 20}, {3, 60}, {4, 5}, {5, 15}},
	6: {{1, 1}, {2, 85}, {3, 10}, {5, 10}},
	7: {{1, 5}, {2, 30}, {3, 35}, {4, 20}, {5, 25}},
}

// devices weights R22d; the form offers only the ones of the person's category.
var devices = []weighted{
	{11, 30}, {12, 25}, {13, 10}, {14, 5}, {19, 5},
	{21, 80}, {29, 10},
	{31, 60}, {39, 20},
	{41, 35}, {42, 6}, {43, 8}, {44, 35}, {45, 15}, {46, 10}, {49, 5},
	{51, 60}, {59, 20},
}

// accessibility weights home modifications (R24, R25): ramps, rails and bathrooms for
// everyone, a flashing doorbell for the deaf, tactile paving for the blind.
func (w *walker) accessibility() []weighted {
	bell, tactile := 2.0, 1.0
	switch w.p.category {
	case 2:
		bell = 40
	case 1:
		tactile = 30
	}
	return []weighted{{1, 35}, {2, 35}, {3, 10}, {4, 30}, {5, 5}, {6, 20}, {7, bell}, {8, tactile}, {9, 5}}
}
