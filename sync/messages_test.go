package sync

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorSaysItOnce: a refusal wrapped again, as enrolment does, says the server's
// reason once; the Chinese words carry no English from the server.
func TestErrorSaysItOnce(t *testing.T) {
	refused := syncErr(Permanent, "登记码不对、已用过或已过期", "The enrolment code is wrong, used or expired", errors.New("the enrolment code is wrong, used or expired"))
	refused.code = "bad_code"
	if got := refused.Error(); strings.Count(strings.ToLower(got), "expired") != 1 {
		t.Errorf("said twice: %q", got)
	}
	for _, code := range []string{"bad_code", "forbidden", "too_large", "offset", "", "whatever"} {
		zh, en := refusal(code)
		if zh == "" || en == "" || strings.ContainsAny(zh, "abdefghijklmnpqrstuvwxyz") && code != "whatever" {
			t.Errorf("%q: %q / %q", code, zh, en)
		}
	}
}

// TestServerWords: what the server says is shown without its file paths or control
// characters, and a full disk is said in words and tried again later.
func TestServerWords(t *testing.T) {
	for in, bad := range map[string]string{
		"write /var/lib/doorstep-server/attachments/ab12.part: no space left on device": "/var/lib",
		`open C:\doorstep\data\x.db: access denied`:                                     `C:\doorstep`,
		"photo ab12 \x1b]52;c;aGk=\x07 has not been uploaded":                           "\x1b",
	} {
		if got := serverWords(in); strings.Contains(got, bad) {
			t.Errorf("serverWords(%q) = %q", in, got)
		}
	}
	if got := serverWords("photo abcdef01 has not been uploaded"); got != "photo abcdef01 has not been uploaded" {
		t.Errorf("plain words changed: %q", got)
	}
}
