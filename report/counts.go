package report

import (
	"time"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/survey"
)

// The counts every report gives are defined here, once: the statistics table, the
// register, the cancellation list and the allowance sheet all count through Surveyed and
// Counts, so that no two of them can disagree on a case (the allowance sheet once left a
// 空挂户 found on a home visit out of its 入户 column while the statistics table counted
// it). Whether a record has errors is the form engine's business, not a count's: nothing
// here evaluates answers.

// Unknown is the column key of a category or level the roster does not give (不详):
// counted, so that the categories of the surveyed add up to the surveyed.
const Unknown = 0

// Labels of the case header's codes, as the national form words them (survey holds
// them), and of the certificate's category and level.
var (
	methodNames  = labels(survey.Methods, true)
	outcomeNames = labels(survey.Outcomes, false)
	categoryName = withUnknown(labels(survey.Categories, false))
	levelName    = withUnknown(labels(survey.Levels, false))
)

// withUnknown adds the label of the column of a code the roster does not give.
func withUnknown(names map[int]string) map[int]string {
	names[Unknown] = "不详"
	return names
}

// labels maps codes to their Chinese labels; short takes the column label (系统归集).
func labels(codes []survey.Code, short bool) map[int]string {
	out := make(map[int]string, len(codes))
	for _, c := range codes {
		out[c.Code] = c.Label.ZH
		if short {
			out[c.Code] = c.Short.ZH
		}
	}
	return out
}

// The codes in the order the tables give them, survey's; a category or level not known
// comes last.
var (
	methodOrder   = codes(survey.Methods)
	outcomeOrder  = codes(survey.Outcomes)
	categoryOrder = append(codes(survey.Categories), Unknown)
	levelOrder    = append(codes(survey.Levels), Unknown)
)

func codes(list []survey.Code) []int {
	out := make([]int, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}

// Surveyed is survey.Surveyed, the one definition of a surveyed case.
func Surveyed(r *record.Record, asOf time.Time) bool { return survey.Surveyed(r, asOf) }

// Counts are a group of cases counted the one way every report counts them.
type Counts struct {
	Roster   int         // cases on the roster
	Surveyed int         // of them, surveyed (see Surveyed)
	Method   map[int]int // surveyed, by method code
	Outcome  map[int]int // surveyed, by outcome code
	Category map[int]int // surveyed, by the roster's category (Unknown when it has none)
	Level    map[int]int // surveyed, by the roster's level (Unknown when it has none)
}

// NewCounts is an empty count.
func NewCounts() *Counts {
	return &Counts{Method: map[int]int{}, Outcome: map[int]int{}, Category: map[int]int{}, Level: map[int]int{}}
}

// Add counts one case of the roster as of asOf.
func (k *Counts) Add(c Case, asOf time.Time) {
	k.Roster++
	if !Surveyed(c.Record, asOf) {
		return
	}
	k.Surveyed++
	k.Method[c.Record.Method]++
	k.Outcome[c.Record.Outcome]++
	k.Category[known(c.Row.Category, categoryName)]++
	k.Level[known(c.Row.Level, levelName)]++
}

// known is code when names has it, else Unknown: a code the roster got wrong is as
// good as none, and still counted.
func known(code int, names map[int]string) int {
	if _, ok := names[code]; ok {
		return code
	}
	return Unknown
}

// NotSurveyed are the roster's cases not yet surveyed.
func (k *Counts) NotSurveyed() int { return k.Roster - k.Surveyed }

// HomeVisits are the cases surveyed at the home, whatever the outcome: an empty
// household found at the door was visited.
func (k *Counts) HomeVisits() int { return k.Method[survey.HomeVisit] }

// Interviews are the cases surveyed with the form filled in (正常调查).
func (k *Counts) Interviews() int { return k.Outcome[record.OutcomeInterviewed] }

// OtherOutcomes are the cases surveyed without an interview.
func (k *Counts) OtherOutcomes() int { return k.Surveyed - k.Interviews() }

// HomeVisitRate is the share of surveyed cases visited at home; ok is false with none.
func (k *Counts) HomeVisitRate() (rate float64, ok bool) {
	if k.Surveyed == 0 {
		return 0, false
	}
	return float64(k.HomeVisits()) / float64(k.Surveyed), true
}
