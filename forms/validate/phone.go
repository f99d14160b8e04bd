package validate

// ParsePhone checks a mainland China phone number and returns it in canonical
// form: a mobile number as its 11 digits ("13812345678"), a landline number as
// "0AREA-NUMBER" ("010-12345678", "0371-65123456").
//
// Accepted spellings: spaces, hyphens and brackets anywhere between digits
// ("138 1234 5678", "(0371) 6512-3456"); a country code +86, 0086, or a bare
// 86 in front of a mobile number; a trunk 0 in front of a mobile number
// ("013812345678", as dialled from a landline in another city).
//
// The area code is not taken from where the separators are but from the
// numbering plan: 010 and 020–029 (but not the reserved 026) have two digits
// after the 0, every other area code three. So "0371-6512-3456" and
// "037165123456" give the same result. Local numbers have 7 or 8 digits and
// do not start with 0 (that is a trunk 0 typed twice). A leading 1 is let
// through although subscriber numbers are not expected to have one: refusing
// it catches no typo the length check misses, and a refused real number
// would block the interview.
//
// Extensions ("-123", "转123") are refused with PhoneExtension. With '-' both
// a group separator and an extension mark, "010-1234-5678" could not be told
// from a 4-digit number with an extension; and callers, the store and the
// upload get one shape of number, never two. The message asks the enumerator
// to put the extension in the note, where a person reads it.
func ParsePhone(s string) (string, error) {
	n, e := normalize(KindPhone, s)
	if e != nil {
		return "", e
	}
	var buf [maxInput]byte
	d := buf[:0]
	plus, ext := false, false
	// lastGroup is where the last run of digits began in d, to tell an
	// extension written "0371-65123456-123" from a plain typo.
	lastGroup, inGroup := 0, false
	for i, r := range n {
		switch {
		case r >= '0' && r <= '9':
			if !inGroup {
				lastGroup, inGroup = len(d), true
			}
			d = append(d, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')':
			inGroup = false
		case r == '转':
			ext, inGroup = true, false
		default:
			return "", &Error{Kind: KindPhone, Reason: BadCharacter}
		}
	}
	if len(d) == 0 {
		return "", &Error{Kind: KindPhone, Reason: BadCharacter}
	}
	if ext {
		return "", &Error{Kind: KindPhone, Reason: PhoneExtension}
	}

	international := false
	switch {
	case plus:
		if !hasPrefix(d, "86") {
			return "", &Error{Kind: KindPhone, Reason: BadCountryCode}
		}
		d, lastGroup, international = d[2:], lastGroup-2, true
	case hasPrefix(d, "0086"):
		d, lastGroup, international = d[4:], lastGroup-4, true
	case hasPrefix(d, "00"):
		return "", &Error{Kind: KindPhone, Reason: BadCountryCode}
	case len(d) == 13 && hasPrefix(d, "861"):
		// Without '+' or 00, 86 is read as a country code only in front of
		// a whole mobile number, where nothing else could be meant.
		d, lastGroup = d[2:], lastGroup-2
	}
	if len(d) == 0 {
		return "", &Error{Kind: KindPhone, Reason: BadLandline}
	}

	// t is the number without its trunk 0. After a country code the 0 is
	// normally left out; a mobile number never has one but may be dialled
	// with one.
	t, trunk := d, 0
	if d[0] == '0' {
		t, trunk = d[1:], 1
	} else if !international {
		if d[0] == '1' {
			return mobile(d)
		}
		if len(d) == 7 || len(d) == 8 {
			return "", &Error{Kind: KindPhone, Reason: MissingAreaCode}
		}
		return "", &Error{Kind: KindPhone, Reason: BadLandline}
	}
	if len(t) == 0 {
		return "", &Error{Kind: KindPhone, Reason: BadLandline}
	}
	area := 0
	switch {
	case t[0] == '1':
		if len(t) < 2 || t[1] != '0' {
			// No area code starts 01 except 010, so this is a mobile
			// number with a trunk 0 (or after +86).
			return mobile(t)
		}
		area = 2
	case t[0] == '2':
		if len(t) < 2 || t[1] == '6' {
			return "", &Error{Kind: KindPhone, Reason: BadLandline}
		}
		area = 2
	case t[0] >= '3' && t[0] <= '9':
		area = 3
	default: // "+86 0 0…": a trunk 0 typed twice
		return "", &Error{Kind: KindPhone, Reason: BadLandline}
	}
	local := t[min(area, len(t)):]
	if len(local) > 8 {
		extLen := len(d) - lastGroup
		if rest := len(local) - extLen; lastGroup > trunk+area && (rest == 7 || rest == 8) {
			return "", &Error{Kind: KindPhone, Reason: PhoneExtension}
		}
	}
	if len(local) < 7 || len(local) > 8 || local[0] == '0' {
		return "", &Error{Kind: KindPhone, Reason: BadLandline}
	}
	out := make([]byte, 0, 1+area+1+len(local))
	out = append(out, '0')
	out = append(out, t[:area]...)
	out = append(out, '-')
	out = append(out, local...)
	return string(out), nil
}

func mobile(d []byte) (string, error) {
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return "", &Error{Kind: KindPhone, Reason: BadMobile}
	}
	return string(d), nil
}

func hasPrefix(d []byte, p string) bool {
	return len(d) >= len(p) && string(d[:len(p)]) == p
}
