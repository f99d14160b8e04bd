package validate

import (
	"strings"
	"time"
)

// ParseDate reads a date the way enumerators write one — 2021-09-30,
// 2021/9/30, 2021.09.30, 20210930, 2021年9月30日 — and returns UTC midnight of
// that day. One separator is used throughout; spaces around the parts are
// ignored; the year has four digits. 。 counts as '.', because a Chinese input
// method in Chinese punctuation mode types it for '.'.
//
// Dates from 1900-01-01 to 2099-12-31 are accepted; anything else is a typo
// in a survey whose oldest respondent was born after 1900. Whether a date may
// lie in the future depends on the question and is left to the caller.
func ParseDate(s string) (time.Time, error) {
	n, e := normalize(KindDate, s)
	if e != nil {
		return time.Time{}, e
	}
	y, m, d, ok := splitDate(n)
	if !ok {
		return time.Time{}, &Error{Kind: KindDate, Reason: BadDateFormat}
	}
	if !validDate(y, m, d) {
		return time.Time{}, &Error{Kind: KindDate, Reason: BadDate}
	}
	if y < 1900 || y > 2099 {
		return time.Time{}, &Error{Kind: KindDate, Reason: DateOutOfRange}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

func splitDate(s string) (y, m, d int, ok bool) {
	if ys, rest, found := strings.Cut(s, "年"); found {
		ms, ds, found := strings.Cut(rest, "月")
		if !found {
			return 0, 0, 0, false
		}
		ds = strings.TrimSpace(ds)
		if t, cut := strings.CutSuffix(ds, "日"); cut {
			ds = t
		} else if t, cut := strings.CutSuffix(ds, "号"); cut {
			ds = t // spoken usage, "9月30号"
		}
		return dateParts(ys, ms, ds)
	}
	if len(s) == 8 && allDigits(s) {
		return atoi(s[:4]), atoi(s[4:6]), atoi(s[6:]), true
	}
	s = strings.ReplaceAll(s, "｡", ".") // 。 after width.Narrow
	i := strings.IndexAny(s, "-/.")
	if i < 0 {
		return 0, 0, 0, false
	}
	ms, ds, found := strings.Cut(s[i+1:], s[i:i+1])
	if !found {
		return 0, 0, 0, false
	}
	return dateParts(s[:i], ms, ds)
}

func dateParts(ys, ms, ds string) (y, m, d int, ok bool) {
	ys, ms, ds = strings.TrimSpace(ys), strings.TrimSpace(ms), strings.TrimSpace(ds)
	if len(ys) != 4 || len(ms) < 1 || len(ms) > 2 || len(ds) < 1 || len(ds) > 2 ||
		!allDigits(ys) || !allDigits(ms) || !allDigits(ds) {
		return 0, 0, 0, false
	}
	return atoi(ys), atoi(ms), atoi(ds), true
}
