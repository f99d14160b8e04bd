package validate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var allKinds = []string{KindResidentID, KindCertificate, KindPhone, KindDate}

func TestEveryReasonHasAMessage(t *testing.T) {
	for r := Empty; r <= DateOutOfRange; r++ {
		if strings.HasPrefix(r.String(), "Reason(") {
			t.Errorf("Reason %d has no name", int(r))
		}
		for _, kind := range allKinds {
			e := &Error{Kind: kind, Reason: r}
			zh, en := e.Message("zh"), e.Message("en")
			// The fallbacks end in 无效 / "is not valid": a reason that
			// reaches them was forgotten in the switch.
			if strings.HasSuffix(zh, "无效") || strings.HasSuffix(en, "is not valid") {
				t.Errorf("%s/%s falls back to the generic message: %q / %q", kind, r, zh, en)
			}
			if zh == en || !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) {
				t.Errorf("%s/%s: zh message %q is not Chinese", kind, r, zh)
			}
			if e.Error() != en {
				t.Errorf("%s/%s: Error() = %q, want the English message %q", kind, r, e.Error(), en)
			}
		}
	}
	// An Error nobody filled in still says something.
	if zero := (&Error{}); zero.Message("zh") == "" || zero.Message("en") == "" || zero.Error() == "" {
		t.Errorf("zero Error has an empty message")
	}
	if got := Reason(0).String(); got != "Reason(0)" {
		t.Errorf("Reason(0).String() = %q", got)
	}
}

func TestMessageLanguage(t *testing.T) {
	e := &Error{Kind: KindCertificate, Reason: BadCategory}
	zh := "残疾人证号第19位（残疾类别）应为1–7"
	for _, lang := range []string{"zh", "zh-CN", "zh-Hans", "zh_CN"} {
		if got := e.Message(lang); got != zh {
			t.Errorf("Message(%q) = %q, want %q", lang, got, zh)
		}
	}
	for _, lang := range []string{"en", "", "zhx", "fr"} {
		if got := e.Message(lang); got == zh {
			t.Errorf("Message(%q) is Chinese", lang)
		}
	}
}

// Want goes into Error() for logs, never into Message(): see Message.
func TestCheckDigitWantIsNotShownToTheEnumerator(t *testing.T) {
	_, err := ParseResidentID(wrongCheck(t, "11010519491231002"), ref)
	e := wantErr(t, err, KindResidentID, BadCheckDigit)
	if e.Want != "X" {
		t.Fatalf("Want = %q, want X", e.Want)
	}
	if !strings.HasSuffix(e.Error(), "(want X)") {
		t.Errorf("Error() = %q, want it to name the expected character", e.Error())
	}
	for _, lang := range []string{"zh", "en"} {
		if m := e.Message(lang); strings.Contains(m, "X") {
			t.Errorf("Message(%q) = %q reveals the check character", lang, m)
		}
	}
}

func TestErrorsAsThroughWrapping(t *testing.T) {
	_, err := ParsePhone("12812345678")
	wrapped := fmt.Errorf("answer R5: %w", err)
	var e *Error
	if !errors.As(wrapped, &e) || e.Reason != BadMobile {
		t.Fatalf("errors.As(%v) = %v", wrapped, e)
	}
}

// Errors never quote the input: a message may go straight to the screen.
func TestErrorsDoNotEchoInput(t *testing.T) {
	const hostile = "\x1b]52;c;cm0gLXJmIH4=\x07"
	_, err1 := ParseResidentID(hostile, ref)
	_, err2 := ParseCertificate(hostile, ref)
	_, err3 := ParsePhone(hostile)
	_, err4 := ParseDate(hostile)
	for _, err := range []error{err1, err2, err3, err4} {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%v is not an *Error", err)
		}
		for _, m := range []string{e.Error(), e.Message("zh"), e.Message("en")} {
			if strings.ContainsAny(m, "\x1b\x07") {
				t.Errorf("message %q contains control characters", m)
			}
		}
	}
}
