package validate

import (
	"fmt"
	"strings"
)

// Kinds of value, as they appear in Error.Kind. They match the question types
// of the form file format, so a caller can go from a question to its errors.
const (
	KindResidentID  = "resident-id"
	KindCertificate = "certificate-number"
	KindPhone       = "phone"
	KindDate        = "date"
)

// Reason says why a value was refused. The zero Reason is not used, so an
// Error that was never filled in stands out.
type Reason int

const (
	Empty        Reason = iota + 1 // nothing but spaces
	BadLength                      // wrong number of characters, or longer than any valid input
	BadCharacter                   // a character that cannot appear in this kind of value

	BadRegion       // the first two digits are not a GB/T 2260 province-level code
	BadBirthDate    // the birth date in the number is not a calendar date
	EarlyBirthDate  // the birth date is before 1900-01-01
	FutureBirthDate // the birth date is after the reference date
	BadCheckDigit   // the 18th character does not match the other 17
	BadCategory     // certificate digit 19 is not 1–7
	BadLevel        // certificate digit 20 is not 1–4

	BadMobile       // starts like a mobile number but is not 1[3-9] and 9 more digits
	BadLandline     // not an area code followed by a 7–8 digit local number
	MissingAreaCode // a 7–8 digit local number typed without its area code
	PhoneExtension  // an extension was given; see ParsePhone
	BadCountryCode  // an international number other than +86

	BadDateFormat  // not one of the date spellings ParseDate knows
	BadDate        // month or day out of range, such as 2021-02-29
	DateOutOfRange // a real date, but before 1900 or after 2099
)

var reasonNames = [...]string{
	Empty:           "Empty",
	BadLength:       "BadLength",
	BadCharacter:    "BadCharacter",
	BadRegion:       "BadRegion",
	BadBirthDate:    "BadBirthDate",
	EarlyBirthDate:  "EarlyBirthDate",
	FutureBirthDate: "FutureBirthDate",
	BadCheckDigit:   "BadCheckDigit",
	BadCategory:     "BadCategory",
	BadLevel:        "BadLevel",
	BadMobile:       "BadMobile",
	BadLandline:     "BadLandline",
	MissingAreaCode: "MissingAreaCode",
	PhoneExtension:  "PhoneExtension",
	BadCountryCode:  "BadCountryCode",
	BadDateFormat:   "BadDateFormat",
	BadDate:         "BadDate",
	DateOutOfRange:  "DateOutOfRange",
}

func (r Reason) String() string {
	if r > 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Error is why a value was refused. It never holds the input itself.
type Error struct {
	Kind   string // KindResidentID, KindCertificate, KindPhone or KindDate
	Reason Reason
	// Want is the character that would have been right, when there is exactly
	// one: the expected check character for BadCheckDigit.
	Want string
}

// Error is the sentence for logs and developers; it includes Want.
func (e *Error) Error() string {
	msg := e.english()
	if e.Want != "" {
		msg += " (want " + e.Want + ")"
	}
	return msg
}

// Message is the sentence to show the enumerator: Chinese when lang is "zh"
// or a "zh-" tag, English otherwise.
//
// It does not reveal Want. A check character exists to catch a mistyped digit
// anywhere in the number; telling the enumerator which last character would
// pass invites them to change it, and a typo in the first 17 digits then goes
// into the data as a "valid" number of somebody else.
func (e *Error) Message(lang string) string {
	if lang == "zh" || strings.HasPrefix(lang, "zh-") || strings.HasPrefix(lang, "zh_") {
		return e.chinese()
	}
	return e.english()
}

func (e *Error) chinese() string {
	var label string
	switch e.Kind {
	case KindResidentID:
		label = "身份证号"
	case KindCertificate:
		label = "残疾人证号"
	case KindPhone:
		label = "电话号码"
	case KindDate:
		label = "日期"
	default:
		label = "输入"
	}
	switch e.Reason {
	case Empty:
		return "请填写" + label
	case BadLength:
		switch e.Kind {
		case KindResidentID:
			return "身份证号应为18位"
		case KindCertificate:
			return "残疾人证号应为20位（旧证为18位身份证号）"
		}
		return label + "过长"
	case BadCharacter:
		switch e.Kind {
		case KindResidentID:
			return "身份证号只能由数字组成，最后一位可以是X"
		case KindCertificate:
			return "残疾人证号只能由数字组成，第18位可以是X"
		case KindPhone:
			return "电话号码只能包含数字、空格、“-”和括号"
		}
		return label + "含有无效字符"
	case BadRegion:
		return label + "前两位不是有效的省级行政区代码"
	case BadBirthDate:
		return label + "中的出生日期不存在，请核对第7–14位"
	case EarlyBirthDate:
		return label + "中的出生日期早于1900年"
	case FutureBirthDate:
		return label + "中的出生日期晚于调查时点"
	case BadCheckDigit:
		return label + "校验码不符，请对照证件逐位核对"
	case BadCategory:
		return "残疾人证号第19位（残疾类别）应为1–7"
	case BadLevel:
		return "残疾人证号第20位（残疾等级）应为1–4"
	case BadMobile:
		return "手机号应为11位，以13–19开头"
	case BadLandline:
		return "固定电话应为区号加7–8位号码，如 010-12345678"
	case MissingAreaCode:
		return "固定电话须加区号，如 0371-65123456"
	case PhoneExtension:
		return "不能填写分机号，请把分机号写在备注里"
	case BadCountryCode:
		return "只能填写中国大陆的电话号码（+86）"
	case BadDateFormat:
		return "日期格式不对，请按 2021-09-30 填写"
	case BadDate:
		return "日期不存在，请核对月和日"
	case DateOutOfRange:
		return "日期应在1900年至2099年之间"
	}
	return label + "无效"
}

func (e *Error) english() string {
	var label string
	switch e.Kind {
	case KindResidentID:
		label = "resident ID number"
	case KindCertificate:
		label = "disability certificate number"
	case KindPhone:
		label = "phone number"
	case KindDate:
		label = "date"
	default:
		label = "value"
	}
	switch e.Reason {
	case Empty:
		return "the " + label + " is empty"
	case BadLength:
		switch e.Kind {
		case KindResidentID:
			return "a resident ID number has 18 characters"
		case KindCertificate:
			return "a disability certificate number has 20 characters (18 on older cards)"
		}
		return "the " + label + " is too long"
	case BadCharacter:
		switch e.Kind {
		case KindResidentID:
			return "a resident ID number has only digits, and X as the last character"
		case KindCertificate:
			return "a disability certificate number has only digits, and X as the 18th character"
		case KindPhone:
			return "a phone number has only digits, spaces, hyphens and brackets"
		}
		return "the " + label + " has a character it cannot have"
	case BadRegion:
		return "the first two digits of the " + label + " are not a province code"
	case BadBirthDate:
		return "the birth date in the " + label + " (digits 7–14) is not a real date"
	case EarlyBirthDate:
		return "the birth date in the " + label + " is before 1900"
	case FutureBirthDate:
		return "the birth date in the " + label + " is after the reference date"
	case BadCheckDigit:
		return "the check character of the " + label + " does not match; compare every digit with the card"
	case BadCategory:
		return "digit 19 of the certificate number (category) must be 1–7"
	case BadLevel:
		return "digit 20 of the certificate number (level) must be 1–4"
	case BadMobile:
		return "a mobile number has 11 digits and starts with 13–19"
	case BadLandline:
		return "a landline number is an area code and 7–8 digits, such as 010-12345678"
	case MissingAreaCode:
		return "a landline number needs its area code, such as 0371-65123456"
	case PhoneExtension:
		return "extensions are not accepted; put the extension in the note"
	case BadCountryCode:
		return "only mainland China numbers (+86) are accepted"
	case BadDateFormat:
		return "write the date as 2021-09-30"
	case BadDate:
		return "the date does not exist; check month and day"
	case DateOutOfRange:
		return "the date must be between 1900 and 2099"
	}
	return "the " + label + " is not valid"
}
