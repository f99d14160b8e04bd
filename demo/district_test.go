package demo

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/doorstep-survey/doorstep/forms/validate"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(Options{Seed: 42, Cases: 400})
	b := Generate(Options{Seed: 42, Cases: 400})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two districts from seed 42 differ")
	}
	c := Generate(Options{Seed: 43, Cases: 400})
	if reflect.DeepEqual(a.Rows, c.Rows) {
		t.Fatal("seeds 42 and 43 give the same roster")
	}
	same := 0
	for i := range a.Rows {
		if a.Rows[i].CertificateNumber == c.Rows[i].CertificateNumber || a.Rows[i].Name == c.Rows[i].Name {
			same++
		}
	}
	if same > len(a.Rows)/10 {
		t.Errorf("seeds 42 and 43 share %d of %d names or numbers at the same place", same, len(a.Rows))
	}
}

func TestGenerateRoster(t *testing.T) {
	ref2023 := time.Date(2023, 9, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		opts     Options
		cases    int
		villages int
		ref      time.Time
	}{
		{"defaults", Options{Seed: 1}, 300, 6, DefaultReference},
		{"large", Options{Seed: 2, Cases: 2000}, 2000, 6, DefaultReference},
		{"one village", Options{Seed: 3, Cases: 40, Villages: 1}, 40, 1, DefaultReference},
		{"nine villages in two towns", Options{Seed: 4, Cases: 500, Villages: 9}, 500, 9, DefaultReference},
		{"a thousand villages is more than a county has", Options{Seed: 7, Cases: 1500, Villages: 1000}, 1500, MaxVillages, DefaultReference},
		{"fewer cases than villages", Options{Seed: 5, Cases: 3, Villages: 6}, 3, 6, DefaultReference},
		{"another survey year", Options{Seed: 6, Cases: 300, Reference: ref2023.Add(15 * time.Hour)}, 300, 6, ref2023},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Generate(tt.opts)
			checkVillages(t, d, tt.villages)
			if len(d.Rows) != tt.cases {
				t.Fatalf("%d rows, want %d", len(d.Rows), tt.cases)
			}
			checkRows(t, d, tt.ref)
		})
	}
}

func checkVillages(t *testing.T, d District, want int) {
	t.Helper()
	if len(d.Villages) != want {
		t.Fatalf("%d villages, want %d", len(d.Villages), want)
	}
	wantTowns := max(2, (want+59)/60)
	if want == 1 {
		wantTowns = 1
	}
	if len(d.Towns) != wantTowns || d.Town != d.Towns[0] {
		t.Errorf("towns %v, town %q", d.Towns, d.Town)
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, v := range d.Villages {
		if len(v.Code) != 12 || strings.Trim(v.Code, "0123456789") != "" || !strings.HasPrefix(v.Code, RegionCode) {
			t.Errorf("village %s: code %q is not 12 digits under %s", v.Name, v.Code, RegionCode)
			continue
		}
		if codes[v.Code] || names[v.Name] {
			t.Errorf("village %s %s given twice", v.Name, v.Code)
		}
		codes[v.Code], names[v.Name] = true, true
		if !slices.Contains(d.Towns, v.Town) || !strings.HasSuffix(v.Town, "镇") {
			t.Errorf("village %s: town %q", v.Name, v.Town)
		}
		if town := v.Code[6:9]; town < "100" || town > "199" {
			t.Errorf("village %s: town code %s is not a 镇's (100–199)", v.Name, town)
		}
		community := v.Code[9:] < "200"
		switch {
		case v.Type == TypeCommunity && (!community || !strings.HasSuffix(v.Name, "社区")),
			v.Type == TypeVillage && (community || !strings.HasSuffix(v.Name, "村")),
			v.Type != TypeCommunity && v.Type != TypeVillage:
			t.Errorf("village %s %s has type %d", v.Name, v.Code, v.Type)
		}
	}
}

func checkRows(t *testing.T, d District, ref time.Time) {
	t.Helper()
	villageAt := map[string]int{}
	for i, v := range d.Villages {
		villageAt[v.Name] = i
	}
	seen := map[string]int{}
	lastVillage := 0
	for i, r := range d.Rows {
		if r.Line != i+2 {
			t.Errorf("row %d: line %d", i, r.Line)
		}
		vi, ok := villageAt[r.Village]
		if !ok {
			t.Fatalf("line %d: village %q not in the district", r.Line, r.Village)
		}
		if v := d.Villages[vi]; r.Town != v.Town || r.VillageCode != v.Code {
			t.Errorf("line %d: %s %s %s, village is %s %s", r.Line, r.Town, r.Village, r.VillageCode, v.Town, v.Code)
		}
		if vi < lastVillage {
			t.Errorf("line %d: village %s after a later one: roster not ordered by village", r.Line, r.Village)
		}
		lastVillage = vi

		id, err := validate.ParseResidentID(r.IDNumber, ref)
		if err != nil {
			t.Errorf("line %d: ID %s: %v", r.Line, r.IDNumber, err)
			continue
		}
		if id.Region != RegionCode || id.Number != r.IDNumber {
			t.Errorf("line %d: ID %s region %s, canonical %s", r.Line, r.IDNumber, id.Region, id.Number)
		}
		cert, err := validate.ParseCertificate(r.CertificateNumber, ref)
		if err != nil {
			t.Errorf("line %d: certificate %s: %v", r.Line, r.CertificateNumber, err)
			continue
		}
		if cert.Number != r.CertificateNumber || !strings.HasPrefix(r.CertificateNumber, r.IDNumber) {
			t.Errorf("line %d: certificate %s does not carry ID %s", r.Line, r.CertificateNumber, r.IDNumber)
		}
		if prev, dup := seen[r.CertificateNumber[:18]]; dup {
			t.Errorf("line %d: ID %s also on line %d", r.Line, r.IDNumber, prev)
		}
		seen[r.CertificateNumber[:18]] = r.Line
		if r.Sex != id.Sex {
			t.Errorf("line %d: sex %d, ID says %d", r.Line, r.Sex, id.Sex)
		}
		if r.Category < 1 || r.Category > 7 || r.Level < 1 || r.Level > 4 {
			t.Errorf("line %d: category %d level %d", r.Line, r.Category, r.Level)
		}
		if !cert.Legacy && (cert.Category != r.Category || cert.Level != r.Level) {
			t.Errorf("line %d: row says %d/%d, certificate %d/%d", r.Line, r.Category, r.Level, cert.Category, cert.Level)
		}
		age := id.AgeAt(ref)
		if age < 0 || age > 100 || id.BirthDate.After(ref) {
			t.Errorf("line %d: born %s, %d at %s", r.Line, id.BirthDate.Format(time.DateOnly), age, ref.Format(time.DateOnly))
		}

		if n := utf8.RuneCountInString(r.Name); n < 2 || n > 4 {
			t.Errorf("line %d: name %q", r.Line, r.Name)
		}
		if _, _, ok := cutSurname(r.Name); !ok || avoidNames[r.Name] {
			t.Errorf("line %d: name %q", r.Line, r.Name)
		}
		if want := r.Town + r.Village; !strings.HasPrefix(r.HouseholdAddress, want) || len(r.HouseholdAddress) <= len(want) {
			t.Errorf("line %d: address %q not in %s", r.Line, r.HouseholdAddress, want)
		}
		if !slices.ContainsFunc(d.Towns, func(town string) bool { return strings.HasPrefix(r.CurrentAddress, town) }) {
			t.Errorf("line %d: current address %q", r.Line, r.CurrentAddress)
		}
		if r.Phone != "" {
			if p, err := validate.ParsePhone(r.Phone); err == nil && p != r.Phone {
				t.Errorf("line %d: phone %q is valid but not canonical (%q)", r.Line, r.Phone, p)
			}
		}
		if age < 18 && r.Guardian == "" {
			t.Errorf("line %d: a child (%d) without a guardian", r.Line, age)
		}
		if r.GuardianPhone != "" {
			if _, err := validate.ParsePhone(r.GuardianPhone); err != nil {
				t.Errorf("line %d: guardian phone %q: %v", r.Line, r.GuardianPhone, err)
			}
		}
	}
}

// TestGenerateLooksLikeCertificateHolders checks the shares over 2 000 rows of several
// seeds, with bounds loose enough for any seed and tight enough to catch a broken table.
func TestGenerateLooksLikeCertificateHolders(t *testing.T) {
	for _, seed := range []int64{1, 7, 2021} {
		d := Generate(Options{Seed: seed, Cases: 2000})
		n := float64(len(d.Rows))
		var children, working, old, male, legacy, noPhone, badPhone, landline, guardians float64
		categories := make([]float64, 8)
		levels := make([]float64, 5)
		surnames := map[string]int{}
		for _, r := range d.Rows {
			id, _ := validate.ParseResidentID(r.IDNumber, DefaultReference)
			switch age := id.AgeAt(DefaultReference); {
			case age < 18:
				children++
			case age < 60:
				working++
			default:
				old++
			}
			if r.Sex == 1 {
				male++
			}
			if len(r.CertificateNumber) == 18 {
				legacy++
			}
			categories[r.Category]++
			levels[r.Level]++
			s, _, _ := cutSurname(r.Name)
			surnames[s]++
			switch _, err := validate.ParsePhone(r.Phone); {
			case r.Phone == "":
				noPhone++
			case err != nil:
				badPhone++
			case strings.HasPrefix(r.Phone, "0"):
				landline++
			}
			if r.Guardian != "" {
				guardians++
			}
		}
		shares := []struct {
			what   string
			got    float64
			lo, hi float64
		}{
			{"under 18", children / n, 0.07, 0.13},
			{"18–59", working / n, 0.40, 0.50},
			{"60 and over", old / n, 0.40, 0.50},
			{"male", male / n, 0.50, 0.62},
			{"legacy 18-character certificates", legacy / n, 0.015, 0.05},
			{"肢体", categories[4] / n, 0.42, 0.58},
			{"言语", categories[3] / n, 0.01, 0.06},
			{"level 1", levels[1] / n, 0.08, 0.25},
			{"no phone", noPhone / n, 0.05, 0.25},
			{"malformed phone", badPhone / n, 0.001, 0.03},
			{"landline", landline / n, 0.02, 0.09},
			{"guardian", guardians / n, 0.15, 0.45},
			{"surname 王", float64(surnames["王"]) / n, 0.06, 0.13},
		}
		for _, s := range shares {
			if s.got < s.lo || s.got > s.hi {
				t.Errorf("seed %d: %s %.1f %%, want %.1f–%.1f %%", seed, s.what, 100*s.got, 100*s.lo, 100*s.hi)
			}
		}
		for c := 1; c <= 7; c++ {
			if c != 4 && categories[c] >= categories[4] {
				t.Errorf("seed %d: category %d (%v) as common as 肢体 (%v)", seed, c, categories[c], categories[4])
			}
			if categories[c] == 0 {
				t.Errorf("seed %d: no one of category %d", seed, c)
			}
		}
		if len(surnames) < 60 {
			t.Errorf("seed %d: only %d surnames in 2 000 people", seed, len(surnames))
		}
	}
}

func TestRelativesAreAdults(t *testing.T) {
	rng := NewRand(9)
	for i := range 2000 {
		rel := relation(1 + i%4)
		year := 1921 + rng.IntN(100)
		name, sex, born := relativeName(rng, rel, "王建国", 1, year, 2021)
		if born > 2021-18 || born < 1901 || (sex != 1 && sex != 2) {
			t.Fatalf("%v of someone born %d: %s, sex %d, born %d", rel, year, name, sex, born)
		}
		if name == "王建国" {
			t.Fatalf("%v of 王建国 has his name", rel)
		}
		if s := nameSex(name); s != sex {
			t.Fatalf("%s: sex %d, name says %d", name, sex, s)
		}
		if (rel == relParent && sex == 1 || rel == relOther) && !strings.HasPrefix(name, "王") {
			t.Errorf("%v %s does not carry the family name", rel, name)
		}
	}
}
