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
