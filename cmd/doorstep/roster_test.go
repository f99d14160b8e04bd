package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRosterImport(t *testing.T) {
	env := leaderEnv(t)
	idA, idB := idWithCheck("41010219800101123"), idWithCheck("41010219550302124")
	header := "姓名,残疾人证号,所属乡镇（街道）,所属村（社区）,联系电话\n"
	file := writeFile(t, "roster.csv", header+
		"张秀英,"+idA+"42,青石镇,王庄村,13812345678\n"+
		"刘建国,"+idB+"11,青石镇,柳树沟村,12345\n"+
		"坏号码,123,青石镇,王庄村,\n"+
		"张秀英,"+idA+"42,青石镇,王庄村,\n")
	code, out, errOut := runIn(t, env, "", "roster", "import", file)
	if code != 0 {
		t.Fatalf("exit %d %q", code, errOut)
	}
	for _, want := range []string{"2 rows read, 2 new", "1 rows not imported", "第 4 行 残疾人证号", "1 rows duplicates skipped", "与第 2 行重复", "1 rows imported with a warning", "第 3 行"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Re-import with a changed phone: one update, named.
	file2 := writeFile(t, "roster2.csv", header+"张秀英,"+idA+"42,青石镇,王庄村,13900000000\n刘建国,"+idB+"11,青石镇,柳树沟村,12345\n")
	code, out, _ = runIn(t, env, "", "roster", "import", file2)
	if code != 0 || !strings.Contains(out, "0 new, 1 updated, 1 unchanged") || !strings.Contains(out, "张秀英: 联系电话") {
		t.Errorf("re-import: %d\n%s", code, out)
	}
	_, out, _ = runIn(t, env, "", "cases", "list", "--json")
	var cases []map[string]any
	if err := json.Unmarshal([]byte(out), &cases); err != nil || len(cases) != 2 || cases[0]["phone"] != "13900000000" {
		t.Errorf("cases %v %v", cases, err)
	}
	// Not a roster: a clear error, nothing imported.
	bad := writeFile(t, "bad.csv", "名字,号码\n张三,1\n")
	if code, _, errOut := runIn(t, env, "", "roster", "import", bad); code == 0 || !strings.Contains(errOut, "not a roster") {
		t.Errorf("bad file: %d %q", code, errOut)
	}
}
