package validate

import (
	"strings"
	"testing"
)

func TestParsePhone(t *testing.T) {
	good := []struct{ in, want string }{
		// mobile: 1[3-9] and 9 more digits
		{"13812345678", "13812345678"},
		{"19912345678", "19912345678"},
		{"14012345678", "14012345678"},
		{"138 1234 5678", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"+8613812345678", "13812345678"},
		{"+86 138 1234 5678", "13812345678"},
		{"+86-13812345678", "13812345678"},
		{"008613812345678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"013812345678", "13812345678"}, // trunk 0, as dialled from a landline
		{"１３８１２３４５６７８", "13812345678"},
		{"＋８６　１３８－１２３４－５６７８", "13812345678"},
		{"  13812345678\u3000", "13812345678"},
		// landline: two-digit area codes 10 and 20–29 but 26
		{"010-12345678", "010-12345678"},
		{"01012345678", "010-12345678"},
		{"010 6512 3456", "010-65123456"},
		{"(010)65123456", "010-65123456"},
		{"（010）65123456", "010-65123456"},
		{"020-8765432", "020-8765432"},
		{"021-65123456", "021-65123456"},
		{"029-88123456", "029-88123456"},
		// three-digit area codes
		{"0371-65123456", "0371-65123456"},
		{"0371 6512 3456", "0371-65123456"},
		{"037165123456", "0371-65123456"},
		{"0371-6512345", "0371-6512345"},
		{"0898-66123456", "0898-66123456"},
		{"０３７１－６５１２３４５６", "0371-65123456"},
		// landline after a country code, with or without the trunk 0
		{"+86 10 6512 3456", "010-65123456"},
		{"+86 371 6512 3456", "0371-65123456"},
		{"+86 0371 6512 3456", "0371-65123456"},
		{"0086 21 65123456", "021-65123456"},
		// Ambiguous: a 7-digit number with extension 8, or an 8-digit number
		// grouped oddly. The digits make a valid number, so it is one.
		{"0371-6512345-8", "0371-65123458"},
	}
	for _, tc := range good {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePhone(tc.in)
			if err != nil {
				t.Fatalf("ParsePhone(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParsePhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	bad := []struct {
		name, in string
		reason   Reason
	}{
		{"empty", "", Empty},
		{"spaces", "   ", Empty},
		{"65 bytes", strings.Repeat("1", 65), BadLength},
		{"10 digits", "1381234567", BadMobile},
		{"12 digits", "138123456789", BadMobile},
		{"prefix 12", "12812345678", BadMobile},
		{"prefix 11", "11812345678", BadMobile},
		{"prefix 10", "10812345678", BadMobile},
		{"+86 and 12 digits", "+86138123456789", BadMobile},
		{"trunk 0 and prefix 12", "012812345678", BadMobile},
		{"local number without area code, 8 digits", "65123456", MissingAreaCode},
		{"local number without area code, 7 digits", "6512345", MissingAreaCode},
		{"too short for anything", "6512", BadLandline},
		{"area code only", "0371", BadLandline},
		{"local number of 6 digits", "0371-651234", BadLandline},
		{"local number of 9 digits", "0371-651234567", BadLandline},
		{"local number starting with 0", "0371-05123456", BadLandline},
		{"area code 026 is reserved", "026-65123456", BadLandline},
		{"area code 01x other than 010 is a mobile", "0118-12345678", BadMobile},
		{"extension with 转", "0371-65123456转123", PhoneExtension},
		{"extension with hyphen", "0371-65123456-123", PhoneExtension},
		{"extension with hyphen, 7-digit number", "0371-6512345-12", PhoneExtension},
		{"extension after mobile", "13812345678转1", PhoneExtension},
		{"foreign country code", "+852 2123 4567", BadCountryCode},
		{"foreign 00 prefix", "00852 2123 4567", BadCountryCode},
		{"plus in the middle", "138+12345678", BadCharacter},
		{"letter", "1381234567a", BadCharacter},
		{"ext", "0371-65123456 ext 12", BadCharacter},
		{"only separators", "---", BadCharacter},
		{"only plus", "+", BadCharacter},
		{"escape sequence", "\x1b]0;x\x0713812345678", BadCharacter},
		{"invalid UTF-8", "138\xff12345678", BadCharacter},
		{"plus without digits after 86", "+86", BadLandline},
		{"two trunk zeros after +86", "+86 00371 65123456", BadLandline},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePhone(tc.in)
			wantErr(t, err, KindPhone, tc.reason)
			if got != "" {
				t.Errorf("refused input returned %q", got)
			}
		})
	}
}
