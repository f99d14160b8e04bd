package tui

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

// TestEveryReasonCodeIsSaid: every code a server of this version can send has a
// sentence in both languages here, and both name the same particulars — so no refusal
// reaches a person as the server's English.
func TestEveryReasonCodeIsSaid(t *testing.T) {
	for _, code := range protocol.ReasonCodes {
		t.Run(code, func(t *testing.T) {
			s, ok := text["reason."+code]
			if !ok || s[0] == "" || s[1] == "" {
				t.Fatalf("no sentence for %q in both languages: %q", code, s)
			}
			if argsNamed(s[0]) != argsNamed(s[1]) || strings.Count(s[0], "%") != strings.Count(s[1], "%") {
				t.Errorf("zh and en name other particulars: %q / %q", s[0], s[1])
			}
			args := []string{"甲", "乙", "丙", "丁"}
			for _, lang := range []string{"zh", "en"} {
				got := Refusal{RecordID: "0123456789", Code: code, Args: args, Server: "SERVER WORDS"}.Text(lang)
				if strings.Contains(got, "%!") || strings.Contains(got, "SERVER WORDS") || !strings.Contains(got, "01234567") {
					t.Errorf("%s: %q", lang, got)
				}
			}
		})
	}
}

func TestRefusalText(t *testing.T) {
	tests := []struct {
		name string
		r    Refusal
		lang string
		want string
	}{
		{"known code", Refusal{RecordID: "abcdef0123", Code: protocol.ReasonRosterVillage, Args: []string{"王庄村", "新华社区"}},
			"zh", "服务器拒绝了记录 abcdef01：区县底册上此人属于 王庄村，记录写的是 新华社区"},
		{"held", Refusal{RecordID: "abcdef0123", Code: protocol.ReasonPhotoMissing, Args: []string{"12345678"}, Held: true},
			"en", "The server has not taken record abcdef01 yet; it is sent again next time: photo 12345678 has not been uploaded yet"},
		{"kept for review", Refusal{RecordID: "abcdef0123", Code: protocol.ReasonReview, Server: "held for the district's review", Review: true},
			"zh", "记录 abcdef01 已送达：此人不在区县底册上，记录由区县审核后归档"},
		{"unknown code: the server's words, cleaned", Refusal{RecordID: "abcdef0123", Code: "quota", Server: "over quota \x1b]52;c;aGk=\x07now"},
			"en", "The server refused record abcdef01: the server says: over quota now"},
		{"no code (an older server)", Refusal{RecordID: "abcdef0123", Server: "something"},
			"zh", "服务器拒绝了记录 abcdef01：服务器说：something"},
		{"a known code without its particulars", Refusal{RecordID: "abcdef0123", Code: protocol.ReasonWrongVillage, Server: "V is not one of E's villages"},
			"en", "The server refused record abcdef01: the server says: V is not one of E's villages"},
		{"particulars cleaned", Refusal{RecordID: "abcdef0123", Code: protocol.ReasonFieldTooLong, Args: []string{"name\x1b[31m"}},
			"en", "The server refused record abcdef01: the record's name is too long for the server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Text(tt.lang); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
