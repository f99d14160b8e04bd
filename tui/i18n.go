package tui

import "charm.land/bubbles/v2/key"

// text holds every string of the screens in both languages, by key, so a translation is
// reviewed in one place.
var text = map[string][2]string{
	"app":        {"Doorstep 持证残疾人基本状况调查", "Doorstep — survey of persons with disabilities"},
	"toosmall":   {"窗口太小了。请把窗口放大到至少 %d×%d（现在是 %d×%d）。", "The window is too small. Please make it at least %d×%d (it is %d×%d now)."},
	"err":        {"出错了：", "Error: "},
	"err.title":  {"出错了", "Something went wrong"},
	"err.cases":  {"无法读取个案。数据文件可能损坏，请联系区县技术人员。", "The cases could not be read. The data file may be damaged: call the district's IT officer."},
	"loading":    {"正在读取…", "Loading…"},
	"saving":     {"正在保存…", "Saving…"},
	"queued":     {"待上报", "queued"},
	"locked":     {"已锁定", "locked"},
	"open":       {"已解锁", "unlocked"},
	"villages.n": {"等%[1]d个村", " and %[2]d more"},
	"handbook":   {"指标解释", "Handbook"},
	"nomatch":    {"没有找到", "Nothing found"},

	// Key help
	"key.quit":     {"退出", "quit"},
	"key.lang":     {"English", "中文"},
	"key.lock":     {"锁屏", "lock"},
	"key.handbook": {"指标解释", "handbook"},
	"key.back":     {"返回", "back"},
	"key.move":     {"移动", "move"},
	"key.open":     {"打开", "open"},
	"key.next":     {"下一项", "next"},
	"key.choose":   {"选择", "choose"},
	"key.clear":    {"清除", "clear"},
	"key.village":  {"村", "village"},
	"key.status":   {"状态", "status"},
	"key.sort":     {"排序", "sort"},
	"key.start":    {"开始调查", "start"},
	"key.ok":       {"确定", "ok"},
	"key.close":    {"关闭", "close"},
	"key.unlock":   {"解锁", "unlock"},
	"key.user":     {"选用户", "user"},

	// Unlock and setup
	"unlock":       {"解锁", "Unlock"},
	"unlockhint":   {"输入用户代码和口令", "Enter your user code and passphrase"},
	"idlelocked":   {"已有 %d 分钟没有操作，屏幕已锁定。解锁后回到刚才的页面。", "Locked after %d idle minutes. Unlock to return to where you were."},
	"user":         {"用户代码", "User code"},
	"passphrase":   {"口令", "Passphrase"},
	"unlocking":    {"正在解锁…", "Unlocking…"},
	"wrongpass":    {"用户代码或口令不对", "Wrong user code or passphrase"},
	"toomany":      {"口令错误次数过多，请稍后再试", "Too many wrong passphrases; try again later"},
	"toomany.wait": {"口令错误次数过多，请 %d 秒后再试", "Too many wrong passphrases; try again in %d s"},
	"known":        {"本机用户", "Users on this laptop"},
	"setup":        {"首次使用：创建第一个用户", "First use: create the first user"},
	"setuphint":    {"这台电脑还没有用户。先创建第一个用户（通常是组长），以后由组长添加其他用户。", "This laptop has no user yet. Create the first one (usually the team leader), who can then add the others."},
	"name":         {"姓名", "Name"},
	"role":         {"角色", "Role"},
	"enumerator":   {"调查员", "Enumerator"},
	"leader":       {"组长", "Team leader"},
	"again":        {"再输入一次口令", "Passphrase again"},
	"need.name":    {"请填写姓名", "Enter a name"},
	"need.code":    {"用户代码只能用字母、数字、- 和 _，最多 32 位，如 E001", "A user code is letters, digits, - and _, at most 32, e.g. E001"},
	"need.pass":    {"口令至少要 %d 个字符", "The passphrase needs at least %d characters"},
	"passmismatch": {"两次输入的口令不一致", "The two passphrases differ"},
	"creating":     {"正在创建…", "Creating…"},

	// Today
	"today":        {"今日工作", "Today"},
	"search":       {"搜索", "Search"},
	"searchhint":   {"输入姓名、拼音或首字母（如 zs）、证号或身份证号", "Type a name, its pinyin or initials (e.g. zs), a certificate or ID number"},
	"notmine":      {"你负责的村不在底册中，显示全部个案", "None of your villages is on the roster: showing every case"},
	"allvillages":  {"全部村", "All villages"},
	"allstatus":    {"全部状态", "any status"},
	"nocases":      {"没有符合条件的个案", "No cases match"},
	"persons.n":    {"共 %d 人", "%d persons"},
	"shown.n":      {"%d 人", "%d shown"},
	"sort.roster":  {"按底册顺序", "roster order"},
	"sort.name":    {"按姓名", "by name"},
	"sort.status":  {"按状态", "by status"},
	"kind":         {"类别等级", "Category, level"},
	"st.new":       {"未开始", "not started"},
	"st.draft":     {"填写中", "in progress"},
	"st.read_back": {"已宣读", "read back"},
	"st.signed":    {"已签字", "signed"},
	"st.completed": {"已完成", "completed"},
	"st.submitted": {"已上报", "submitted"},
	"st.approved":  {"已审核", "approved"},
	"st.returned":  {"已退回", "returned"},

	// A case
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
	"male":          {"男", "male"},
	"female":        {"女", "female"},

	// Starting a case
	"start":        {"开始调查", "Start"},
	"method":       {"调查方式", "Collection method"},
	"outcome":      {"个案结果", "Case outcome"},
	"note":         {"情况说明", "Note"},
	"noteHint":     {"写明情况与告知人，如：2021年6月病故，家属告知", "say what happened and who said so"},
	"needNote":     {"未能正常调查的个案须写明情况说明", "A case without an interview needs a note"},
	"startHint":    {"按 enter 保存调查方式和结果，个案记为“填写中”", "enter saves the method and outcome; the case is then in progress"},
	"completeHint": {"按 enter 保存并完成此个案，上报区县核销", "enter saves and completes the case, reported to the district"},
	"isLocked":     {"此个案已完成，只有组长退回后才能修改", "This case is completed; only a team leader's return reopens it"},
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

// both returns the string for key in both languages, for text kept and shown later
// (a dialog stays open while the language is switched).
func both(k string) [2]string {
	t, ok := text[k]
	if !ok {
		return [2]string{k, k}
	}
	return t
}

// tr returns the string for key in lang; a missing key shows as itself, so it is seen.
func tr(lang, k string) string {
	t, ok := text[k]
	if !ok {
		return k
	}
	return t[langIndex(lang)]
}

// localize returns the enabled bindings that have help, with their descriptions (text
// keys) in lang.
func localize(lang string, bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		h := b.Help()
		if h.Key == "" || !b.Enabled() {
			continue
		}
		out = append(out, key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(h.Key, tr(lang, h.Desc))))
	}
	return out
}

// Collection methods and case outcomes, by their official codes.
var (
	methods = []choice{{1, "入户", "home visit"}, {2, "电话", "telephone"}, {3, "窗口服务", "service window"},
		{4, "智能化残疾人证系统归集", "smart-certificate system"}}
	outcomes = []choice{{1, "正常调查", "interviewed"}, {2, "死亡", "deceased"}, {3, "空挂户", "registered, nobody lives there"},
		{4, "查无此人", "person not found"}, {5, "拒访", "refused"}, {6, "迁出", "moved out of the district"}, {9, "其他", "other"}}
)

type choice struct {
	code   int
	zh, en string
}

func (c choice) label(lang string) string {
	if lang == "en" {
		return c.en
	}
	return c.zh
}
