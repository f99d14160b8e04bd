package validate

import "time"

// ResidentID is a resident identity number (居民身份证号码, GB 11643-1999)
// that passed every check, with what can be read from it.
type ResidentID struct {
	Number    string    // canonical 18 characters, upper-case X
	Region    string    // 6-digit administrative code at the time of issue
	BirthDate time.Time // UTC midnight
	Sex       int       // 1 male (odd sequence), 2 female (even)
}

const (
	idLen   = 18
	certLen = 20
)

// AgeAt is the person's age in full years on t's calendar date.
func (id ResidentID) AgeAt(t time.Time) int { return AgeAt(id.BirthDate, t) }

// AgeAt is the number of full years from birth to at, each read as a calendar
// date in its own location: a birth date from an ID is a date, not an
// instant, and "today" is the enumerator's today, not UTC's. Someone born on
// 29 February turns a year older on 1 March in common years. The result is
// negative when at is before birth.
func AgeAt(birth, at time.Time) int {
	by, bm, bd := birth.Date()
	ay, am, ad := at.Date()
	age := ay - by
	if am < bm || (am == bm && ad < bd) {
		age--
	}
	return age
}

// ParseResidentID checks an 18-character resident ID number: 17 digits and a
// check character (ISO 7064 MOD 11-2), a province that exists, and a birth
// date that is a real day from 1900-01-01 to ref's calendar date.
//
// Only the province is checked, not the full 6-digit region: GB/T 2260 has
// renamed and merged counties every year since 1980 and old numbers keep
// their old codes, so a county table would refuse real people.
// The 15-digit numbers of the first-generation card stopped being valid in
// 2013 and are refused.
func ParseResidentID(s string, ref time.Time) (ResidentID, error) {
	n, e := normalize(KindResidentID, s)
	if e != nil {
		return ResidentID{}, e
	}
	if e := checkChars(KindResidentID, n); e != nil {
		return ResidentID{}, e
	}
	if len(n) != idLen {
		return ResidentID{}, &Error{Kind: KindResidentID, Reason: BadLength}
	}
	id, e := parseID(KindResidentID, n, ref)
	if e != nil {
		return ResidentID{}, e
	}
	return id, nil
}

// checkChars refuses anything but digits, and an X in the check position.
// It runs before the length check so that letters or Chinese characters get
// the more useful message.
func checkChars(kind, n string) *Error {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if isDigit(c) || (i == idLen-1 && (c == 'X' || c == 'x')) {
			continue
		}
		return &Error{Kind: kind, Reason: BadCharacter}
	}
	return nil
}

// parseID checks the 18 characters n, which checkChars has passed. Errors name
// kind, because a certificate number's ID part is reported as the certificate.
// The structural checks come before the check character: "the birth date is
// wrong" tells the enumerator where the typo is, "the check character is
// wrong" does not.
func parseID(kind, n string, ref time.Time) (ResidentID, *Error) {
	if !provinces[atoi(n[:2])] {
		return ResidentID{}, &Error{Kind: kind, Reason: BadRegion}
	}
	y, m, d := atoi(n[6:10]), atoi(n[10:12]), atoi(n[12:14])
	if !validDate(y, m, d) {
		return ResidentID{}, &Error{Kind: kind, Reason: BadBirthDate}
	}
	if y < 1900 {
		return ResidentID{}, &Error{Kind: kind, Reason: EarlyBirthDate}
	}
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	ry, rm, rd := ref.Date()
	if birth.After(time.Date(ry, rm, rd, 0, 0, 0, 0, time.UTC)) {
		return ResidentID{}, &Error{Kind: kind, Reason: FutureBirthDate}
	}
	want := checkChar(n[:idLen-1])
	got := n[idLen-1]
	if got == 'x' {
		got = 'X'
		n = n[:idLen-1] + "X"
	}
	if got != want {
		return ResidentID{}, &Error{Kind: kind, Reason: BadCheckDigit, Want: string(rune(want))}
	}
	sex := 2
	if (n[16]-'0')%2 == 1 {
		sex = 1
	}
	return ResidentID{Number: n, Region: n[:6], BirthDate: birth, Sex: sex}, nil
}

var checkWeights = [idLen - 1]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChar is the GB 11643 check character of 17 digits.
func checkChar(digits string) byte {
	sum := 0
	for i, w := range checkWeights {
		sum += int(digits[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// provinces holds the province-level codes of GB/T 2260. It is a table rather
// than ranges because the ranges have holes: there is no 16, 47 or 55, and a
// typo into one of them should be caught.
var provinces = [100]bool{
	11: true, // 北京
	12: true, // 天津
	13: true, // 河北
	14: true, // 山西
	15: true, // 内蒙古
	21: true, // 辽宁
	22: true, // 吉林
	23: true, // 黑龙江
	31: true, // 上海
	32: true, // 江苏
	33: true, // 浙江
	34: true, // 安徽
	35: true, // 福建
	36: true, // 江西
	37: true, // 山东
	41: true, // 河南
	42: true, // 湖北
	43: true, // 湖南
	44: true, // 广东
	45: true, // 广西
	46: true, // 海南
	50: true, // 重庆
	51: true, // 四川
	52: true, // 贵州
	53: true, // 云南
	54: true, // 西藏
	61: true, // 陕西
	62: true, // 甘肃
	63: true, // 青海
	64: true, // 宁夏
	65: true, // 新疆
	71: true, // 台湾
	81: true, // 香港
	82: true, // 澳门
}

// CompleteID appends the check character to the first 17 digits of an ID number: for
// generating valid synthetic numbers (the demo district, tests), never for "fixing" a
// number typed at the door.
func CompleteID(first17 string) (string, error) {
	if len(first17) != idLen-1 || !allDigits(first17) {
		return "", &Error{Kind: KindResidentID, Reason: BadLength}
	}
	return first17 + string(checkChar(first17)), nil
}
