// Package demo makes synthetic but realistic survey data for the demo, tests and
// benchmarks: a district of villages, its roster of certificate holders (底册), and
// interviews answered the way an enumerator would answer them.
//
// Never real people: names are drawn from common-name lists, and every identity number is
// built on RegionCode, a district code under a real province (河南 41, 郑州 4101) that has
// never been assigned, so no generated number can be a real person's. The numbers are
// nevertheless complete and valid — GB 11643 check character, real birth dates, category
// and level digits — so they pass every validator the program has.
//
// Everything is deterministic: the same Options (or the same *rand.Rand state) give the
// same data on every machine. The package must never read the clock, the environment or
// any file, and nothing but tests, benchmarks and the demo command should import it.
package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/roster"
)

// RegionCode is the six-digit administrative code of the demo district: under 郑州市
// (4101) of 河南省, where the county codes in use are 410102–410185; 88 has never been
// given to a county, so an ID number starting 410188 belongs to nobody.
const RegionCode = "410188"

// areaCode is the landline area code that goes with RegionCode (郑州).
const areaCode = "0371"

// The 15th–16th digits of an ID number are the registering police station. Roster people
// get stations 01–59 and the other people the interviews mention (heads of household)
// 60–99, so an invented head can never carry the number of someone on the roster.
const (
	rosterStations = 59
	otherStation   = 60
)

// DefaultReference is the 2021 survey's reference date: status and ages as of 30 September.
var DefaultReference = time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)

// Options says what district to make.
type Options struct {
	Seed      int64
	Cases     int       // roster size (default 300)
	Villages  int       // default 6; at most MaxVillages
	Reference time.Time // the survey's reference date (2021-09-30 if zero)
}

// District is a synthetic district's share of the survey: its villages and its roster.
type District struct {
	// Town is the first town, where a demo's team starts; every village and row names its
	// own town, and Towns lists them all.
	Town     string
	Towns    []string
	Villages []Village
	// Rows is the roster in roster order: by village, then by address (组 and house
	// number, or building and flat), the order an enumerator walks a village in. Line is
	// the row's number in such a roster file, the header being row 1.
	Rows []roster.Row
}

// MaxVillages is the most villages a district gets: about what the largest counties
// have, and what the statistical codes of a dozen towns can number.
const MaxVillages = 600

// villagesPerTown keeps each town within the 200 codes its villages may have.
const villagesPerTown = 60

// Village is one village (村) or urban community (社区) with its statistical code.
type Village struct {
	Town, Name string
	// Code is the 12-digit 统计用区划代码: RegionCode, the town's three digits (镇 are
	// 100–199) and the village's three (居委会/社区 001–199, 村委会 200–399).
	Code string
	Type int // 1 村, 2 社区
}

// Village types.
const (
	TypeVillage   = 1 // 村
	TypeCommunity = 2 // 社区
)

// NewRand returns the generator Generate uses for a seed, for callers that want to answer
// interviews with a stream of their own (Answer takes any *rand.Rand).
func NewRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x646f6f7273746570)) // "doorstep"
}

func (o Options) withDefaults() Options {
	if o.Cases <= 0 {
		o.Cases = 300
	}
	if o.Villages <= 0 {
		o.Villages = 6
	}
	o.Villages = min(o.Villages, MaxVillages)
	if o.Reference.IsZero() {
		o.Reference = DefaultReference
	}
	y, m, d := o.Reference.Date()
	o.Reference = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return o
}

// Generate makes a district from the options. Ages are at o.Reference; nobody is born
// after it, and nobody is more than 100 years old at it.
func Generate(o Options) District {
	o = o.withDefaults()
	g := &generator{rng: NewRand(o.Seed), ref: o.Reference, used: make(map[string]bool, o.Cases)}
	d := District{}
	d.Towns, d.Villages = g.villages(o.Villages)
	d.Town = d.Towns[0]
	places := make([]*place, len(d.Villages))
	for i, v := range d.Villages {
		places[i] = &place{Village: v, groups: 6 + g.rng.IntN(10), buildings: 3 + g.rng.IntN(12), used: map[[2]int]bool{}}
	}

	// Villages differ in size: weights from 0.6 to 1.4, the remainder to the first ones.
	weights := make([]float64, len(places))
	total := 0.0
	for i := range weights {
		weights[i] = 0.6 + 0.8*g.rng.Float64()
		total += weights[i]
	}
	sizes := make([]int, len(places))
	left := o.Cases
	for i := range sizes {
		sizes[i] = int(float64(o.Cases) * weights[i] / total)
		left -= sizes[i]
	}
	for i := 0; left > 0; i = (i + 1) % len(sizes) {
		sizes[i]++
		left--
	}

	for i, p := range places {
		// Certificate holders are a few per cent of a village: leave room for the others.
		p.houses = max(80, 3*sizes[i]/p.groups)
		p.buildings = max(p.buildings, sizes[i]/12)
	}

	d.Rows = make([]roster.Row, 0, o.Cases)
	for i, p := range places {
		rows := make([]sortedRow, 0, sizes[i])
		for range sizes[i] {
			var prev *sortedRow
			if len(rows) > 0 {
				prev = &rows[len(rows)-1]
			}
			rows = append(rows, g.person(p, places, prev))
		}
		slices.SortStableFunc(rows, func(a, b sortedRow) int {
			return cmp.Or(cmp.Compare(a.key[0], b.key[0]), cmp.Compare(a.key[1], b.key[1]),
				cmp.Compare(a.key[2], b.key[2]))
		})
		for _, r := range rows {
			r.row.Line = len(d.Rows) + 2
			d.Rows = append(d.Rows, r.row)
		}
	}
	return d
}

type generator struct {
	rng  *rand.Rand
	ref  time.Time
	used map[string]bool // first 17 digits of every roster ID given out
}

type place struct {
	Village
	groups    int // 村民小组 of a village
	houses    int // house numbers in a 组
	buildings int // residential buildings of a community
	used      map[[2]int]bool
}

// sortedRow is a row with the key that puts it in roster order within its village.
type sortedRow struct {
	row     roster.Row
	key     [3]int
	surname string
}

func (g *generator) villages(n int) ([]string, []Village) {
	towns := max(2, (n+villagesPerTown-1)/villagesPerTown)
	if n < 2 {
		towns = 1
	}
	picked := map[string]bool{}
	var names []string
	for len(names) < towns {
		t := townNames[g.rng.IntN(len(townNames))]
		if !picked[t] {
			picked[t] = true
			names = append(names, t)
		}
	}
	vs := make([]Village, 0, n)
	townCode := 100
	perTown := (n + towns - 1) / towns
	for _, town := range names {
		townCode += 1 + g.rng.IntN(4)
		count := min(perTown, n-len(vs))
		villageCode, communityCode := 200, 0
		for i := range count {
			// A town's seat is usually an urban community; the rest are villages.
			community := i == 0 && count >= 2 && g.rng.IntN(10) < 6
			var name string
			for try := 0; ; try++ {
				name = villageName(g.rng, community)
				if try >= 50 {
					// Only a district of hundreds of villages runs out of names.
					suffix := "村"
					if community {
						suffix = "社区"
					}
					name = fmt.Sprintf("%s%d%s", strings.TrimSuffix(name, suffix), len(vs)+1, suffix)
				}
				if !picked[name] {
					picked[name] = true
					break
				}
			}
			v := Village{Town: town, Name: name, Type: TypeVillage}
			if community {
				communityCode += 1 + g.rng.IntN(3)
				v.Type, v.Code = TypeCommunity, fmt.Sprintf("%s%03d%03d", RegionCode, townCode, communityCode)
			} else {
				villageCode += 1 + g.rng.IntN(3)
				v.Code = fmt.Sprintf("%s%03d%03d", RegionCode, townCode, villageCode)
			}
			vs = append(vs, v)
		}
	}
	return names, vs
}

// ageBands spread ages like certificate holders: about 10 % children, 45 % of working
// age, 45 % aged 60 or over, thinning out towards 100. Weights are per cent of rows.
var ageBands = []struct{ lo, hi, w int }{
	{0, 2, 1}, {3, 17, 9},
	{18, 29, 8}, {30, 44, 14}, {45, 59, 23},
	{60, 69, 20}, {70, 79, 16}, {80, 89, 7}, {90, 100, 2},
}

func (g *generator) age() int {
	x := g.rng.IntN(100)
	for _, b := range ageBands {
		if x < b.w {
			// ID numbers start in 1900: a reference date before 2001 shortens the oldest band.
			return min(b.lo+g.rng.IntN(b.hi-b.lo+1), g.ref.Year()-1901)
		}
		x -= b.w
	}
	return 50
}

// birthFor picks a birth date at which someone is exactly age at ref.
func birthFor(rng *rand.Rand, ref time.Time, age int) time.Time {
	latest := ref.AddDate(-age, 0, 0)
	earliest := ref.AddDate(-age-1, 0, 1)
	days := int(latest.Sub(earliest).Hours()/24 + 0.5)
	return earliest.AddDate(0, 0, rng.IntN(days+1))
}

// Categories: 1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重, weighted like the national
// population of certificate holders (肢体 about half); children are more often
// intellectual, multiple or hearing, and rarely physical.
var (
	adultCategories = []weighted{{4, 52}, {6, 11}, {5, 9}, {1, 10}, {2, 9}, {7, 6.5}, {3, 2.5}}
	childCategories = []weighted{{5, 28}, {4, 20}, {2, 14}, {3, 8}, {7, 16}, {1, 6}, {6, 8}}
	levelsDefault   = []weighted{{1, 14}, {2, 28}, {3, 28}, {4, 30}}
	levelsMind      = []weighted{{1, 15}, {2, 35}, {3, 35}, {4, 15}}
	levelsMultiple  = []weighted{{1, 35}, {2, 35}, {3, 20}, {4, 10}}
)

func (g *generator) category(age int) int {
	if age < 18 {
		return pickWeighted(g.rng, childCategories)
	}
	return pickWeighted(g.rng, adultCategories)
}

func levelFor(rng *rand.Rand, age, category int) int {
	switch {
	case category == 7:
		return pickWeighted(rng, levelsMultiple)
	case category == 5 || category == 6 || age < 18:
		return pickWeighted(rng, levelsMind)
	}
	return pickWeighted(rng, levelsDefault)
}

// rosterID gives out a resident ID unused so far for the birth date and sex.
// It returns the birth date it used, which differs from birth only when that day ran out
// of numbers.
func (g *generator) rosterID(birth time.Time, sex int) (string, time.Time) {
	for {
		first17 := idDigits(RegionCode, birth, 1+g.rng.IntN(rosterStations), sexDigit(g.rng, sex))
		if !g.used[first17] {
			g.used[first17] = true
			return withCheck(first17), birth
		}
		// 295 numbers a day and sex: when they run out, another day of the same year of
		// age has room.
		birth = birthFor(g.rng, g.ref, validate.AgeAt(birth, g.ref))
	}
}

// otherID makes an ID number for someone who is not on the roster (a head of household).
func otherID(rng *rand.Rand, birth time.Time, sex int) string {
	first17 := idDigits(RegionCode, birth, otherStation+rng.IntN(100-otherStation), sexDigit(rng, sex))
	return withCheck(first17)
}

func idDigits(region string, birth time.Time, station, last int) string {
	return fmt.Sprintf("%s%04d%02d%02d%02d%d", region, birth.Year(), int(birth.Month()), birth.Day(), station, last)
}

// sexDigit is the 17th digit: odd for men, even for women.
func sexDigit(rng *rand.Rand, sex int) int {
	d := 2 * rng.IntN(5)
	if sex == 1 {
		d++
	}
	return d
}

// withCheck completes 17 generated digits into an ID number; they are always 17 digits.
func withCheck(first17 string) string {
	id, _ := validate.CompleteID(first17)
	return id
}

// mobilePrefixes are the long-established mobile number blocks (13x, 15x, 18x).
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
}

func mobileNumber(rng *rand.Rand) string {
	return mobilePrefixes[rng.IntN(len(mobilePrefixes))] + fmt.Sprintf("%08d", rng.IntN(100_000_000))
}

// rosterPhone is what the roster lists: mostly a mobile, some landlines, some nothing
// (more often for the very old), and now and then a number with a digit missing, as
// typed into the web system years ago.
func rosterPhone(rng *rand.Rand, age int) string {
	empty := 10
	if age >= 80 {
		empty = 35
	}
	switch x := rng.IntN(100); {
	case x < empty:
		return ""
	case x < empty+5:
		return areaCode + "-6" + fmt.Sprintf("%07d", rng.IntN(10_000_000))
	case x < empty+6:
		return mobileNumber(rng)[:10]
	}
	return mobileNumber(rng)
}

// person makes one roster row in village p. One in twenty shares the household of the
// row made just before (two certificate holders in one family).
func (g *generator) person(p *place, all []*place, prev *sortedRow) sortedRow {
	rng := g.rng
	age := g.age()
	sex := 1
	maleShare := 57
	if age >= 60 {
		maleShare = 50
	}
	if rng.IntN(100) >= maleShare {
		sex = 2
	}
	birth := birthFor(rng, g.ref, age)
	category := g.category(age)
	level := levelFor(rng, age, category)
	id, birth := g.rosterID(birth, sex)

	var out sortedRow
	if prev != nil && rng.IntN(20) == 0 {
		out.key, out.surname = prev.key, prev.surname
		out.row.HouseholdAddress = prev.row.HouseholdAddress
	} else {
		out.surname = randomSurname(rng)
		out.row.HouseholdAddress, out.key = address(rng, p)
	}
	out.key[2] = len(g.used) // keeps household members in the order they were made
	name := personName(rng, out.surname, sex, birth.Year())

	cert := id + strconv.Itoa(category) + strconv.Itoa(level)
	if rng.IntN(100) < 3 {
		cert = id // an old card: the roster still lists its category and level
	}
	r := &out.row
	r.Name, r.CertificateNumber, r.IDNumber = name, cert, id
	r.Sex, r.Category, r.Level = sex, category, level
	r.Town, r.Village, r.VillageCode = p.Town, p.Name, p.Code
	r.CurrentAddress = r.HouseholdAddress
	if rng.IntN(10) == 0 {
		other := all[rng.IntN(len(all))]
		r.CurrentAddress, _ = anyAddress(rng, other)
	}
	r.Phone = rosterPhone(rng, age)

	guardian := 8
	switch {
	case age < 18:
		guardian = 100
	case category == 5 || category == 6:
		guardian = 75
	case age >= 80:
		guardian = 50
	case level == 1:
		guardian = 40
	}
	if rng.IntN(100) < guardian {
		rel := relationFor(age, category)
		r.Guardian, _, _ = relativeName(rng, rel, name, sex, birth.Year(), g.ref.Year())
		if rng.IntN(100) < 92 {
			r.GuardianPhone = mobileNumber(rng)
		}
	}
	return out
}

// address is a household address in the village not given out before (unless the
// village is full), and the key that orders it.
func address(rng *rand.Rand, p *place) (string, [3]int) {
	var s string
	var key [3]int
	for range 50 {
		s, key = anyAddress(rng, p)
		k := [2]int{key[0], key[1]}
		if !p.used[k] {
			p.used[k] = true
			break
		}
	}
	return s, key
}

func anyAddress(rng *rand.Rand, p *place) (string, [3]int) {
	if p.Type == TypeCommunity {
		if rng.IntN(10) < 6 {
			b, u, floor, flat := 1+rng.IntN(p.buildings), 1+rng.IntN(3), 1+rng.IntN(6), 1+rng.IntN(2)
			return fmt.Sprintf("%s%s%d号楼%d单元%d0%d", p.Town, p.Name, b, u, floor, flat),
				[3]int{b, u*1000 + floor*10 + flat}
		}
		s, n := rng.IntN(len(streets)), 1+rng.IntN(120)
		return fmt.Sprintf("%s%s%s%d号", p.Town, p.Name, streets[s], n), [3]int{1000 + s, n}
	}
	grp, n := 1+rng.IntN(p.groups), 1+rng.IntN(p.houses)
	return fmt.Sprintf("%s%s%d组%d号", p.Town, p.Name, grp, n), [3]int{grp, n}
}

// relation is how someone who speaks or signs for a respondent is related to them.
type relation int

const (
	relSelf relation = iota
	relParent
	relSpouse
	relChild
	relOther
)

// String is the label an enumerator writes next to a proxy signature.
func (r relation) String() string {
	return [...]string{"本人", "父母", "配偶", "子女", "其他亲属"}[r]
}

// relationFor is who looks after a person of the age and category: parents for the
// young and for adults with an intellectual or mental disability, siblings when those
// parents are gone, grown children for the old, otherwise a spouse. Roster guardians and
// interview proxies both follow it, so the two agree.
func relationFor(age, category int) relation {
	mind := category == 5 || category == 6
	switch {
	case age < 30, mind && age < 45:
		return relParent
	case mind && age < 65:
		return relOther
	case age >= 65:
		return relChild
	}
	return relSpouse
}

// relativeName invents a relative of a person: returns the name, sex and birth year.
// Children take their father's surname; wives keep their own.
func relativeName(rng *rand.Rand, rel relation, name string, sex, birthYear, refYear int) (string, int, int) {
	surname, _, ok := cutSurname(name)
	if !ok {
		surname = randomSurname(rng)
	}
	var s, year int
	family := "" // "" picks a random surname
	switch rel {
	case relParent:
		year = birthYear - 22 - rng.IntN(14)
		s = 1
		if rng.IntN(10) < 3 {
			s = 2
		} else {
			family = surname
		}
	case relSpouse:
		year = birthYear + 2 - rng.IntN(8)
		s = 3 - sex
	case relChild:
		year = birthYear + 22 + rng.IntN(14)
		s = 1 + rng.IntN(2)
		if sex == 1 {
			family = surname
		}
	default: // a brother or sister
		year = birthYear - 8 + rng.IntN(17)
		s = 1 + rng.IntN(2)
		family = surname
	}
	year = max(1901, min(year, refYear-18))
	relative := personName(rng, family, s, year)
	for try := 0; relative == name && try < 20; try++ {
		relative = personName(rng, family, s, year) // a son is not named after his father
	}
	return relative, s, year
}
