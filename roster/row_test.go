package roster

import "testing"

func TestPrefill(t *testing.T) {
	full := Row{Name: "张三", CertificateNumber: "41010219800101001X42", IDNumber: "41010219800101001X",
		Phone: "13800000001", Guardian: "张大", GuardianPhone: "13900000002", Village: "王庄村",
		VillageCode: "410102001001", HouseholdAddress: "王庄村一组1号", CurrentAddress: "城关镇幸福路3号"}
	old := Row{IDNumber: "41010219800101001X", HouseholdAddress: "王庄村一组1号"}
	tests := []struct {
		row   Row
		field string
		want  string
	}{
		{full, "name", "张三"},
		{full, "certificate", "41010219800101001X42"},
		{old, "certificate", "41010219800101001X"}, // an old card: the ID is the number
		{full, "resident_id", "41010219800101001X"},
		{full, "phone", "13800000001"},
		{full, "guardian", "张大"},
		{full, "guardian_phone", "13900000002"},
		{full, "village", "王庄村"},
		{full, "village_code", "410102001001"},
		{full, "address", "城关镇幸福路3号"},
		{old, "address", "王庄村一组1号"}, // no current address: where they are registered
		{Row{Category: 4, Level: 2}, "category", "4"},
		{Row{Category: 4, Level: 2}, "level", "2"},
		{old, "category", ""}, // not known: asked, not prefilled
		{full, "roster_count", ""},
		{full, "nonsense", ""},
	}
	for _, tt := range tests {
		if got := tt.row.Prefill(tt.field); got != tt.want {
			t.Errorf("Prefill(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"41018819690111022644": "410188********022644",
		"41018819690111022X":   "410188********022X",
		"1234567890123":        "1234567890123", // too short to hide anything useful
		"":                     "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
