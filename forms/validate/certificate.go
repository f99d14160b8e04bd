package validate

import "time"

// Certificate is a disability certificate number (残疾人证号) that passed every
// check, with what can be read from it.
type Certificate struct {
	Number   string // canonical: 20 characters, or 18 for a legacy number
	ID       ResidentID
	Category int  // 1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重; 0 for a legacy number
	Level    int  // 1 (most severe) to 4; 0 for a legacy number
	Legacy   bool // only the 18-character ID was given: category and level must be asked
}

// ParseCertificate checks a certificate number: a valid resident ID followed
// by the category digit 1–7 and the level digit 1–4. Older cards carry only
// the 18-character ID; that is accepted with Legacy set. Errors about the ID
// part have Kind KindCertificate, since that is the field the enumerator is in.
func ParseCertificate(s string, ref time.Time) (Certificate, error) {
	n, e := normalize(KindCertificate, s)
	if e != nil {
		return Certificate{}, e
	}
	if e := checkChars(KindCertificate, n); e != nil {
		return Certificate{}, e
	}
	switch len(n) {
	case idLen:
		id, e := parseID(KindCertificate, n, ref)
		if e != nil {
			return Certificate{}, e
		}
		return Certificate{Number: id.Number, ID: id, Legacy: true}, nil
	case certLen:
		id, e := parseID(KindCertificate, n[:idLen], ref)
		if e != nil {
			return Certificate{}, e
		}
		category, level := int(n[18]-'0'), int(n[19]-'0')
		if category < 1 || category > 7 {
			return Certificate{}, &Error{Kind: KindCertificate, Reason: BadCategory}
		}
		if level < 1 || level > 4 {
			return Certificate{}, &Error{Kind: KindCertificate, Reason: BadLevel}
		}
		number := n
		if n[idLen-1] == 'x' {
			number = id.Number + n[idLen:]
		}
		return Certificate{Number: number, ID: id, Category: category, Level: level}, nil
	}
	return Certificate{}, &Error{Kind: KindCertificate, Reason: BadLength}
}
