package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// text holds every string of the screens in both languages, by key, so a translation is
// reviewed in one place.
var text = map[string][2]string{
	"app":           {"Doorstep 持证残疾人基本状况调查", "Doorstep — survey of certified persons with disabilities"},
	"unlock":        {"解锁", "Unlock"},
	"user":          {"用户代码", "User code"},
	"passphrase":    {"口令", "Passphrase"},
	"unlocking":     {"正在解锁…", "Unlocking…"},
	"wrongpass":     {"用户代码或口令不对", "Wrong user code or passphrase"},
	"toomany":       {"口令错误次数过多，请稍后再试", "Too many wrong passphrases; try again later"},
	"known":         {"本机用户", "Users on this laptop"},
	"setup":         {"首次使用：创建第一个用户", "First use: create the first user"},
	"name":          {"姓名", "Name"},
	"role":          {"角色", "Role"},
	"enumerator":    {"调查员", "Enumerator"},
	"leader":        {"组长", "Team leader"},
	"again":         {"再输入一次口令", "Passphrase again"},
	"passmismatch":  {"两次输入的口令不一致", "The two passphrases differ"},
	"creating":      {"正在创建…", "Creating…"},
	"today":         {"今日工作", "Today"},
	"search":        {"搜索", "Search"},
	"searchhint":    {"姓名、拼音首字母（如 zs）、证号", "name, pinyin initials (e.g. zs), number"},
	"allvillages":   {"全部村", "all villages"},
	"allstatus":     {"全部状态", "all statuses"},
	"loading":       {"正在读取…", "Loading…"},
	"nocases":       {"没有符合条件的个案", "No cases match"},
	"persons":       {"人", "persons"},
	"sort.roster":   {"按底册顺序", "roster order"},
	"sort.name":     {"按姓名", "by name"},
	"sort.status":   {"按状态", "by status"},
	"case":          {"个案", "Case"},
	"cert":          {"残疾人证号", "Certificate number"},
	"idnum":         {"公民身份号码", "ID number"},
	"sex":           {"性别", "Sex"},
	"category":      {"残疾类别", "Category"},
	"level":         {"残疾等级", "Level"},
	"town":          {"乡镇（街道）", "Town"},
	"village":       {"村（社区）", "Village"},
	"villagecode":   {"区划代码", "Area code"},
	"address":       {"户籍地址", "Registered address"},
	"current":       {"现住址", "Current address"},
	"phone":         {"联系电话", "Phone"},
	"guardian":      {"监护人（联系人）", "Guardian (contact)"},
	"guardianphone": {"监护人电话", "Guardian's phone"},
	"status":        {"状态", "Status"},
	"queued":        {"待上报", "queued"},
	"locked":        {"已锁定", "locked"},
	"open":          {"已解锁", "unlocked"},
	"toosmall":      {"窗口太小，请放大到至少 80×24", "Window too small: make it at least 80×24"},
	"st.new":        {"未开始", "not started"},
	"st.draft":      {"填写中", "in progress"},
	"st.read_back":  {"已宣读", "read back"},
	"st.signed":     {"已签字", "signed"},
	"st.completed":  {"已完成", "completed"},
	"st.submitted":  {"已上报", "submitted"},
	"st.approved":   {"已审核", "approved"},
	"st.returned":   {"已退回", "returned"},
	"male":          {"男", "male"},
	"female":        {"女", "female"},
	"villages.n":    {"等%d个村", " and %d more"},
	"nouser":        {"（无）", "(none)"},
	"err":           {"出错了：", "Error: "},
	"handbook":      {"指标解释", "Handbook"},
	"nomatch":       {"没有找到", "Nothing found"},
	"start":         {"开始调查", "Start"},
	"method":        {"调查方式", "Collection method"},
	"outcome":       {"个案结果", "Case outcome"},
	"note":          {"情况说明", "Note"},
	"noteHint":      {"写明情况与告知人，如：2021年6月病故，家属告知", "say what happened and who said so"},
	"needNote":      {"未能正常调查的个案须写明情况说明", "A case without an interview needs a note"},
	"saving":        {"正在保存…", "Saving…"},
	"startHint":     {"按 enter 保存调查方式和结果，个案记为“填写中”", "enter saves the method and outcome; the case is then in progress"},
	"completeHint":  {"按 enter 保存并完成此个案，上报区县核销", "enter saves and completes the case, reported to the district"},
	"isLocked":      {"此个案已完成，只有组长退回后才能修改", "This case is completed; only a team leader's return reopens it"},
}

var categoryNames = [8][2]string{{"", ""}, {"视力", "visual"}, {"听力", "hearing"}, {"言语", "speech"}, {"肢体", "physical"}, {"智力", "intellectual"}, {"精神", "mental"}, {"多重", "multiple"}}
var levelNames = [5][2]string{{"", ""}, {"一级", "level 1"}, {"二级", "level 2"}, {"三级", "level 3"}, {"四级", "level 4"}}

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// colon is the label separator: full-width in Chinese text, ": " in English.
func colon(lang string) string {
	if lang == "en" {
		return ": "
	}
	return "："
}

// tr returns the string for key in lang; a missing key shows as itself, so it is seen.
func tr(lang, k string) string {
	t, ok := text[k]
	if !ok {
		return k
	}
	return t[langIndex(lang)]
}

// localize returns the bindings with their help text in lang: descriptions are written
// "中文|English".
func localize(lang string, bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		h := b.Help()
		if h.Key == "" || !b.Enabled() {
			continue
		}
		zh, en, _ := strings.Cut(h.Desc, "|")
		desc := zh
		if lang == "en" && en != "" {
			desc = en
		}
		out = append(out, key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(h.Key, desc)))
	}
	return out
}
