// Package roster reads the district's list of certificate holders to survey (底册): XLSX or
// CSV files exported from the national web system, in UTF-8 or GBK/GB18030, with the
// column names people actually use. It validates each row and reports bad rows by the
// file's own row numbers. It never writes anything: the store imports what it returns.
package roster

import "strconv"

// Row is one certificate holder on the roster, cleaned and validated.
type Row struct {
	// Line is the row number in the file as a spreadsheet shows it (the header is row 1
	// when it is the first row), so a problem can be found in the file.
	Line int

	Name string
	// CertificateNumber is the canonical 20-character number (or the 18-character ID for
	// an old card); IDNumber is the 18-character resident ID. At least one of them is
	// given in the file; the other is derived where it can be.
	CertificateNumber string
	IDNumber          string
	Sex               int // 1 male, 2 female; from the ID when the column is absent
	Category          int // 1 视力 … 7 多重; 0 when not known
	Level             int // 1 … 4; 0 when not known

	Town             string // 所属乡镇（街道）
	Village          string // 所属村（社区）
	VillageCode      string // 统计用区划代码, 12 digits, or ""
	HouseholdAddress string // 户籍地址
	CurrentAddress   string // 现住址
	Phone            string // canonical when valid, else as given
	Guardian         string // 监护人（联系人）
	GuardianPhone    string
}

// Key is what identifies a case across imports: the certificate number, or for a row
// without one the ID number.
func (r Row) Key() string {
	if r.CertificateNumber != "" {
		return r.CertificateNumber
	}
	return r.IDNumber
}

// Prefill returns the row's value for a form question's prefill field (forms/FORMAT.md:
// name, certificate, resident_id, phone, guardian, guardian_phone, village, village_code,
// address, category, level — the last two as option codes), or "" when the row has none. roster_count is not a row's: the caller counts.
func (r Row) Prefill(field string) string {
	switch field {
	case "name":
		return r.Name
	case "certificate":
		if r.CertificateNumber != "" {
			return r.CertificateNumber
		}
		return r.IDNumber
	case "resident_id":
		return r.IDNumber
	case "phone":
		return r.Phone
	case "guardian":
		return r.Guardian
	case "guardian_phone":
		return r.GuardianPhone
	case "village":
		return r.Village
	case "village_code":
		return r.VillageCode
	case "address":
		if r.CurrentAddress != "" {
			return r.CurrentAddress
		}
		return r.HouseholdAddress
	case "category":
		if r.Category > 0 {
			return strconv.Itoa(r.Category)
		}
	case "level":
		if r.Level > 0 {
			return strconv.Itoa(r.Level)
		}
	}
	return ""
}

// Mask hides the birth date and sequence of a certificate or ID number (the middle eight
// characters) where others may see it: on a screen at the door, on a register passed
// round for signatures. 41018819690111022644 becomes 410188********022644.
func Mask(number string) string {
	r := []rune(number)
	if len(r) < 14 {
		return number
	}
	return string(r[:6]) + "********" + string(r[14:])
}
