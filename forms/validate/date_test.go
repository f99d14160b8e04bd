package validate

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want time.Time
	}{
		{"2021-09-30", ref},
		{"2021-9-30", ref},
		{"2021/9/30", ref},
		{"2021/09/30", ref},
		{"20210930", ref},
		{"2021.09.30", ref},
		{"2021.9.30", ref},
		{"2021。9。30", ref},
		{"2021年9月30日", ref},
		{"2021年09月30日", ref},
		{"2021年9月30", ref},
		{"2021年9月30号", ref},
		{"2021 年 9 月 30 日", ref},
		{"2021 - 09 - 30", ref},
		{"  2021-09-30\n", ref},
		{"２０２１－０９－３０", ref},
		{"２０２１年９月３０日", ref},
		{"1900-01-01", day(1900, 1, 1)},
		{"2099-12-31", day(2099, 12, 31)},
		{"2024-02-29", day(2024, 2, 29)},
		{"2000-02-29", day(2000, 2, 29)},
		{"2021-02-28", day(2021, 2, 28)},
		{"2021-12-31", day(2021, 12, 31)},
	}
	for _, tc := range good {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tc.in, err)
			}
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}

	bad := []struct {
		name, in string
		reason   Reason
	}{
		{"empty", "", Empty},
		{"65 bytes", strings.Repeat("2", 65), BadLength},
		{"29 Feb of a common year", "2021-02-29", BadDate},
		{"29 Feb 1900", "1900-02-29", BadDate},
		{"30 Feb", "2021-02-30", BadDate},
		{"20210230", "20210230", BadDate},
		{"31 Sep", "2021-09-31", BadDate},
		{"month 0", "2021-00-10", BadDate},
		{"month 13", "2021-13-01", BadDate},
		{"day 0", "2021-09-00", BadDate},
		{"day 32 in 年月日", "2021年1月32日", BadDate},
		{"1899-12-31", "1899-12-31", DateOutOfRange},
		{"18991231", "18991231", DateOutOfRange},
		{"2100-01-01", "2100-01-01", DateOutOfRange},
		{"two-digit year", "21-09-30", BadDateFormat},
		{"day first", "30/09/2021", BadDateFormat},
		{"mixed separators", "2021-09/30", BadDateFormat},
		{"two parts", "2021-09", BadDateFormat},
		{"four parts", "2021-09-30-1", BadDateFormat},
		{"three-digit month", "2021-009-30", BadDateFormat},
		{"seven digits", "2021930", BadDateFormat},
		{"nine digits", "202109301", BadDateFormat},
		{"time attached", "2021-09-30T00:00:00Z", BadDateFormat},
		{"年 without 月", "2021年9", BadDateFormat},
		{"Chinese numerals", "二〇二一年九月三十日", BadDateFormat},
		{"inner space in a number", "20 21-09-30", BadDateFormat},
		{"sign", "+2021-09-30", BadDateFormat},
		{"escape sequence", "\x1b[1m2021-09-30", BadDateFormat},
		{"invalid UTF-8", "2021-09-3\xff", BadDateFormat},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			wantErr(t, err, KindDate, tc.reason)
			if !got.IsZero() {
				t.Errorf("refused input returned %v", got)
			}
		})
	}
}
