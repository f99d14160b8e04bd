package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// A district that changed forms between years reports both: each record is checked with
// the form it was completed on, and counted alike.
func TestReportMixesFormYears(t *testing.T) {
	f21 := formstest.Person2021(t)
	f22, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(f21, f22)
	if err != nil {
		t.Fatal(err)
	}
	done := time.Date(2022, 10, 12, 10, 0, 0, 0, time.Local)
	rec := func(id string, f *forms.Form, answers string) *localstore.Record {
		var a map[string]json.RawMessage
		if err := json.Unmarshal([]byte(answers), &a); err != nil {
			t.Fatal(err)
		}
		return &localstore.Record{ID: id, CaseID: id, FormID: f.ID, FormVersion: f.Version, Enumerator: "E001",
			Method: 1, Outcome: 1, Status: localstore.StatusCompleted, CompletedAt: done, Answers: a}
	}
	// 丧偶 is 4 in 2021 and 5 in 2022: read with the other year's form, either would be
	// "not an option".
	r21 := rec("c21", f21, `{"R3": 4, "R20": 1}`)
	r22 := rec("c22", f22, `{"R3": 5, "R0": 1}`)
	in := Input{Forms: reg, AsOf: done, Unit: "城关镇残联", Users: map[string]string{"E001": "李晓梅"}, Cases: []Case{
		{Row: roster.Row{Name: "甲", Village: "王庄村", CertificateNumber: "41010219510312246X12", Category: 1, Level: 2}, Record: r21},
		{Row: roster.Row{Name: "乙", Village: "王庄村", CertificateNumber: "41010219610312246X12", Category: 1, Level: 2}, Record: r22},
	}}
	var b strings.Builder
	if err := Write(Validation, CSV, in, &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"format", "not an option", "没有"} {
		if strings.Contains(out, bad) {
			t.Errorf("a record read with the wrong year's form (%q):\n%s", bad, out)
		}
	}
	lines := strings.Split(out, "\n")
	has := func(name, q string) bool {
		for _, l := range lines {
			if strings.Contains(l, ","+name+",") && strings.Contains(l, ","+q+",") {
				return true
			}
		}
		return false
	}
	if !has("乙", "R1") || has("乙", "R0") || !has("甲", "R1") || has("甲", "R0") {
		t.Errorf("each record's missing answers are its own form's:\n%s", out)
	}

	b.Reset()
	if err := Write(Stats, CSV, in, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "合计,2,2,2,") {
		t.Errorf("both years' records are counted (合计, roster 2, surveyed 2, home visits 2):\n%s", b.String())
	}
}
