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
	"today":         {"今日工作", "Today"},
	"search":        {"搜索", "Search"},
	"searchhint":    {"输入姓名、拼音或首字母（如 zs）、证号或身份证号", "Type a name, its pinyin or initials (e.g. zs), a certificate or ID number"},
	"notmine":       {"你负责的村不在底册中，显示全部个案", "None of your villages is on the roster: showing every case"},
	"allvillages":   {"全部村", "All villages"},
	"allstatus":     {"全部状态", "any status"},
	"nocases":       {"没有符合条件的个案", "No cases match"},
	"persons.n":     {"共 %d 人", "%d persons"},
	"shown.n":       {"%d 人", "%d shown"},
	"sort.roster":   {"按底册顺序", "by roster"},
	"sort.name":     {"按姓名", "by name"},
	"sort.status":   {"按状态", "by status"},
	"kind":          {"类别等级", "Category, level"},
	"st.new":        {"未开始", "not started"},
	"st.draft":      {"填写中", "in progress"},
	"st.read_back":  {"已宣读", "read back"},
	"st.signed":     {"已签字", "signed"},
	"st.completed":  {"已完成", "completed"},
	"st.submitted":  {"已上报", "submitted"},
	"st.approved":   {"已审核", "approved"},
	"st.returned":   {"已退回", "returned"},
	"withdrawnwhy":  {"撤销原因", "Why withdrawn"},
	"st.withdrawn":  {"已撤销", "withdrawn"},
	"withdrawn.n":   {"区县撤销的记录 %d 条（不计入统计）：", "%d records the district withdrew (counted nowhere):"},
	"withdrawn.why": {"区县已撤销这条记录，不计入统计：", "The district withdrew this record; it counts nowhere: "},

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
	"startHint":    {"enter 到下一项；在个案结果上按 enter 保存，个案记为“填写中”", "enter goes to the next part; on the outcome it saves, and the case is in progress"},
	"completeHint": {"写好情况说明后按 enter，确认后个案即完成，上报区县核销", "Write the note, then enter: once confirmed, the case is completed and reported to the district"},
	"isLocked":     {"此个案已完成，只有组长退回后才能修改", "This case is completed; only a team leader's return reopens it"},
	// The form
	"interview":               {"调查", "Interview"},
	"key.prevq":               {"上一题", "back"},
	"key.jump":                {"题目列表", "questions"},
	"key.readback":            {"宣读", "read back"},
	"key.pause":               {"暂停", "pause"},
	"key.qhelp":               {"指标解释", "help"},
	"key.toggle":              {"勾选", "tick"},
	"key.goto":                {"转到", "go to"},
	"key.cancel":              {"取消", "cancel"},
	"progress":                {"第 %d 题，共 %d 题", "question %d of %d"},
	"type.single":             {"单选：按选项编号", "One answer: type its number"},
	"type.multiple":           {"多选：按编号或空格勾选，可选多项，enter 继续", "Any number of answers: type a number or press space to tick, enter to go on"},
	"type.integer":            {"整数", "A whole number"},
	"type.decimal":            {"数字，可带小数", "A number"},
	"type.date":               {"日期，如 2021-06-15", "A date, e.g. 2021-06-15"},
	"type.text":               {"文字", "Text"},
	"type.resident-id":        {"18位公民身份号码", "18-character resident ID number"},
	"type.certificate-number": {"20位残疾人证号（旧证18位）", "20-character certificate number (18 on an old card)"},
	"type.phone":              {"手机或固定电话", "A mobile or landline number"},
	"unit":                    {"（单位：%s）", " (in %s)"},
	"optional":                {"；可不填", "; may be left blank"},
	"prefilled":               {"；已从底册预填，请核对", "; prefilled from the roster: check it"},
	"exclusive":               {"（单选项）", " (alone)"},
	"more":                    {"…共 %d 项，↑↓ 查看其他", "…%d options: ↑↓ for the rest"},
	"digits":                  {"已输入 %s…：再输一位，或按 enter", "typed %s…: one more digit, or enter"},
	"required":                {"这一题必须回答", "This question needs an answer"},
	"warnhint":                {"请核实。确属实的，按 enter 写明情况后继续；否则修改答案", "Check it. If it is right, press enter and say why; otherwise change the answer"},
	"confirmwarn":             {"确认提示", "Confirm the warning"},
	"warnnote":                {"情况说明", "Note"},
	"reasontitle":             {"修改已宣读确认的答案", "Change an answer already read back"},
	"reasonbody":              {"这一部分已经向受访者宣读并确认过。请说明为什么修改，说明会记入审计记录。", "The respondent already agreed to this section at read-back. Say why it changes; the reason is kept in the audit trail."},
	"reason":                  {"修改原因", "Reason"},
	"needtext":                {"请填写后再按 enter", "Type something first"},
	"notsaved":                {"没有保存：", "Not saved: "},
	"diskfull":                {"磁盘已满，没有保存。请删除一些旧文件后再按 enter。", "The disk is full: nothing was saved. Free some space, then press enter again."},
	"comment":                 {"组长意见：", "Team leader: "},
	"formend":                 {"问卷末尾", "End of the form"},
	"answered.n":              {"已回答 %d 题（本人适用 %d 题）", "%d answered (%d apply to this person)"},
	"allgood":                 {"没有漏答，没有错误，提示都已确认", "Nothing missing, no errors, every warning confirmed"},
	"toreadback":              {"按 enter 开始宣读：向受访者逐部分读出答案", "Press enter to read the answers back to the respondent, section by section"},
	"missing.n":               {"✗ %d 题漏答", "✗ %d unanswered"},
	"errors.n":                {"✗ %d 个错误", "✗ %d errors"},
	"warns.n":                 {"! %d 个提示待确认", "! %d warnings to confirm"},
	"tofirst":                 {"按 enter 转到第一个问题（%s）；F4 查看全部题目", "Press enter to go to the first one (%s); F4 lists every question"},
	"jumptitle":               {"题目列表（%d 题）  ✓ 已答  · 未答  ✗ 错误  ! 待确认  ✎ 组长意见", "Questions (%d)  ✓ answered  · blank  ✗ error  ! to confirm  ✎ comment"},
	// Read-back
	"readback":    {"宣读", "Read-back"},
	"key.agree":   {"本部分确认无误", "agreed"},
	"key.fix":     {"修改此题", "correct"},
	"key.section": {"上/下一部分", "sections"},
	"notcomplete": {"问卷还有漏答或错误，请先填完。按 enter 回到问卷。", "The form has answers missing or wrong: press enter to finish it first."},
	"agreed":      {"✓ 已确认", "✓ agreed"},
	"rbprogress":  {"第 %d 部分，共 %d 部分 · 已确认 %d", "part %d of %d · %d agreed"},
	"rbhint":      {"逐句读给受访者听。对方确认无误后按 enter；有不对的，用 ↑↓ 选中那一句，按 F4 修改。", "Read each sentence to the respondent. When they agree, press enter; to correct one, select it with ↑↓ and press F4."},
	"rblast":      {"这是最后一个未确认的部分。确认后请受访者签字。", "This is the last part to agree; then the respondent signs."},

	// Signatures
	"signatures":    {"签字", "Signatures"},
	"key.prevfield": {"上一项", "previous"},
	"key.clearpad":  {"清除签名", "clear pad"},
	"signer":        {"签字人", "Who signs"},
	"signername":    {"签字人姓名", "Signer's name"},
	"relation":      {"与本人关系", "Relation"},
	"enumpass":      {"调查员口令", "Your passphrase"},
	"self":          {"本人签字", "the respondent"},
	"proxy":         {"他人代签", "someone for them (proxy)"},
	"proxyname":     {"代签人姓名", "Proxy's name"},
	"shownas":       {"签名显示为：%s", "Shown and printed as: %s"},
	"relationhint":  {"如：配偶、子女、父母、监护人", "e.g. spouse, child, parent, guardian"},
	"padhint":       {"有鼠标或触摸屏的，请在框内签名（没有可跳过）", "With a mouse or touch screen, sign in the box (or skip it)"},
	"signing":       {"正在签字…", "Signing…"},
	"signhint":      {"最后由调查员 %s 输入口令签字，按 enter 确认。签字后修改任何答案，都需要重新宣读和签字。", "Then you, %s, sign by entering your passphrase and pressing enter. Any change after signing needs a new read-back and signatures."},
	"need.signer":   {"请填写签字人姓名", "Enter the signer's name"},
	"need.relation": {"代签须写明与本人的关系", "A proxy's relation to the respondent is needed"},
	"need.enumpass": {"请输入你的口令签字", "Enter your passphrase to sign"},

	// Photo and done
	"photo":         {"照片", "Photo"},
	"key.finish":    {"完成", "finish"},
	"key.today":     {"回到今日工作", "back to today"},
	"key.pick":      {"选择", "choose"},
	"key.updir":     {"上一级", "up"},
	"photohint":     {"选择入户时拍的照片（JPG 或 PNG），会缩小后加密保存", "Choose the photo taken at the visit (JPG or PNG); it is shrunk and stored encrypted"},
	"folder":        {"文件夹：", "Folder: "},
	"photoadded":    {"已保存：%d×%d 缩小为 %d×%d，%d KB", "Stored: %d×%d shrunk to %d×%d, %d KB"},
	"photos.n":      {"已附照片 %d 张", "%d photo(s) attached"},
	"nophoto":       {"还没有附照片。确实没有照片的，再按一次 F6 完成", "No photo attached. If there is none, press F6 again to finish"},
	"notphoto":      {"这不是 JPG 或 PNG 照片，或文件已损坏", "This is not a JPG or PNG photo, or the file is damaged"},
	"photolarge":    {"照片文件太大（超过 40 MB 或像素过多）", "The photo is too large (over 40 MB or too many pixels)"},
	"finishnophoto": {"不是入户调查，可不附照片：按 F6 完成此个案", "Not a home visit: a photo is optional; F6 finishes the case"},
	"finishhint":    {"附好照片后按 F6 完成此个案", "Press F6 to finish the case once the photo is attached"},
	"casedone":      {"%s 的调查已完成，已加入待上报队列", "The interview with %s is completed and queued for the district"},
	"signedby":      {"签字：", "signed by "},
	"queued.n":      {"本机待上报 %d 条", "%d waiting to be sent from this laptop"},
	"backtoday":     {"按 enter 回到今日工作", "Press enter to return to today's cases"},
	// Roster import
	"import":        {"导入底册", "Import the roster"},
	"key.import":    {"导入底册", "roster"},
	"key.otherfile": {"换一个文件", "another file"},
	"importpick":    {"选择区县导出的底册文件（XLSX 或 CSV，UTF-8 或 GBK 均可）", "Choose the roster exported by the district (XLSX, or CSV in UTF-8 or GBK)"},
	"notroster":     {"请选择 .xlsx 或 .csv 文件；旧的 .xls 请先另存为 .xlsx", "Choose an .xlsx or .csv file; save an old .xls as .xlsx first"},
	"readrows":      {"编码 %s：可导入 %d 行；有问题 %d 行、重复 %d 行未导入；提示 %d 条", "%s: %d rows to import; %d with problems and %d duplicates left out; %d warnings"},
	"norows":        {"没有可以导入的行。请按上面的行号修改文件后再试。", "No row can be imported. Fix the file at the rows named above and try again."},
	"importhint":    {"按 enter 导入这 %d 人；重新导入同一底册只会更新有变化的个案，已有的调查记录不受影响", "Press enter to import these %d persons; importing again only updates what changed and never touches interviews"},
	"imported":      {"已导入：新增 %d 人，更新 %d 人，未变 %d 人", "Imported: %d added, %d updated, %d unchanged"},
	"changed":       {"第 %d 行 %s：%s 有变化", "row %d %s: %s changed"},
	"andmore":       {"……另有 %d 人有变化", "…and %d more changed"},
	"noroster":      {"这台电脑还没有底册。按 F7 导入区县导出的底册。", "No roster on this laptop yet. Press F7 to import the district's roster."},
	// The team leader
	"team":          {"组长 · 本组进度", "Team leader · the team's progress"},
	"key.review":    {"审核", "review"},
	"key.cases":     {"个案列表", "cases"},
	"teamsum":       {"今日完成 %s · 入户率 %s（目标 96%%）· 待审核 %s · 有问题或提示 %s", "Done today %s · home visits %s (target 96%%) · to review %s · flagged %s"},
	"th.enum":       {"调查员", "Enum."},
	"th.today":      {"今日", "today"},
	"th.outcomes":   {"今日结果", "today's outcomes"},
	"th.home":       {"入户率", "home"},
	"th.flagged":    {"问题", "flag"},
	"th.waiting":    {"待审", "wait"},
	"andmore.rows":  {"……另有 %d 行", "…%d more rows"},
	"waiting.n":     {"待审核 %d 份", "%d to review"},
	"waitlegend":    {"✗ 有错误或漏答  ! 有已说明的提示  ↺ 退回后重新提交", "✗ errors or missing  ! warnings with notes  ↺ fixed after a return"},
	"waiting.found": {"待审核 %d / %d 份", "%d of %d to review"},
	"nowaiting":     {"没有待审核的记录", "Nothing waits for review"},
	"review":        {"审核", "Review"},
	"key.comment":   {"批注此题", "comment"},
	"key.approve":   {"通过", "approve"},
	"key.return":    {"退回", "return"},
	"reviewinfo":    {"%s · 调查员 %s · %s · %s · %s", "%s · enumerator %s · %s · %s · %s"},
	"reviewhint":    {"逐项查看。F4 对选中的题写批注；F9 审核通过；F8 退回调查员修改。", "Check each item. F4 comments on the selected question; F9 approves; F8 returns it to the enumerator."},
	"commenttitle":  {"批注", "Comment"},
	"comment.label": {"意见", "Comment"},
	"returntitle":   {"退回修改", "Return for correction"},
	"returnbody":    {"写明需要调查员修改或核实的内容。", "Say what the enumerator must correct or check."},
	"comments.n":    {"已写 %d 条批注。按 F8 退回（批注随记录退回）；F4 再写一条", "%d comments written. F8 returns the record with them; F4 adds another"},
	"hascomments":   {"已经写了批注：请按 F8 退回，或按 esc 放弃批注", "There are comments: F8 returns the record with them, or esc drops them"},
	"notreviewable": {"这份记录还没有完成，不能审核", "This record is not completed: it cannot be reviewed yet"},
	"approved":      {"已审核通过", "Approved"},
	"returned":      {"已退回调查员，批注会显示在相应的题目上", "Returned to the enumerator; the comments show at their questions"},
	// The community form
	"key.community":   {"社区登记表", "community"},
	"pickvillage":     {"填写哪个村（社区）的社区登记表？", "The community form of which village?"},
	"villagesign":     {"签字并完成", "Sign and finish"},
	"villagesignbody": {"输入你的口令，以填表人身份签字。完成后社区登记表加入待上报队列。", "Enter your passphrase to sign as the one who filled it in. The form is then queued for the district."},
	"tovillagesign":   {"按 enter 输入口令签字，完成社区登记表", "Press enter to sign with your passphrase and finish the community form"},
	"villagedone":     {"%s 的社区登记表已完成，已加入待上报队列", "The community form of %s is completed and queued for the district"},
	"villageback":     {"按 enter 返回", "Press enter to go back"},
	"err.villages":    {"无法读取各村社区登记表的状态。数据文件可能损坏，请联系区县技术人员。", "The community forms' statuses could not be read. The data file may be damaged: call the district's IT officer."},
	// Users
	"users":        {"本机用户", "Users of this laptop"},
	"key.users":    {"用户", "users"},
	"key.adduser":  {"添加用户", "add a user"},
	"adduser":      {"添加用户", "Add a user"},
	"adduserhint":  {"新用户以后用自己的用户代码和口令在这台电脑上解锁。调查员只能看到和填写所分配村的个案。", "The new user unlocks this laptop with their own code and passphrase. An enumerator sees and fills the cases of the villages given here."},
	"villages":     {"负责村", "Villages"},
	"villageshint": {"用逗号分隔，如：王庄村，李家村；空着表示全部村", "separated by commas, e.g. 王庄村, 李家村; empty for all"},
	// Sync
	"sync":        {"同步", "Sync"},
	"key.sync":    {"同步", "sync"},
	"key.syncnow": {"立即同步", "sync now"},
	"nosync":      {"这台电脑还没有登记到区县服务器，记录保存在本机待上报。请区县技术人员登记：doorstep enroll 服务器地址 登记码。没有信号时可以用U盘交接（doorstep bundle）。", "This laptop is not enrolled with the district server: records wait here, queued. Ask the district's IT officer to enrol it: doorstep enroll URL CODE. With no signal, hand records over on a USB stick (doorstep bundle)."},
	"server":      {"服务器：", "Server: "},
	"syncing":     {"正在同步…（可以继续工作）", "Syncing… (keep working)"},
	"notsynced":   {"本次开机还没有同步", "Not synced since the program started"},
	"syncfailed":  {"%s 同步失败：", "Sync failed at %s:"},
	"lastok":      {"上次成功同步：%s", "Last successful sync: %s"},
	"syncok":      {"%s 同步成功", "Synced at %s"},
	"syncresult":  {"上报 %d 条，重复 %d 条，被拒 %d 条，下载 %d 条；仍待上报 %d 条", "%d sent, %d duplicates, %d refused, %d received; %d still queued"},
	"synchint":    {"有信号时每隔几分钟自动同步；按 enter 立即同步。", "With signal it syncs every few minutes by itself; enter syncs now."},
	"refused.n":   {"服务器拒收的记录 %d 条（不再自动重发，请联系组长或区县）：", "%d records the server refused (not sent again; call the leader or the district):"},
	"bar.syncing": {"同步中", "syncing"},

	// Why the server refused or held a record, by the server's reason code
	// (protocol.Reason*); %[n]s are the particulars it sends (Args), in order.
	"refusal.refused":        {"服务器拒绝了记录 %.8s：", "The server refused record %.8s: "},
	"refusal.held":           {"服务器暂未收下记录 %.8s，下次同步自动重发：", "The server has not taken record %.8s yet; it is sent again next time: "},
	"refusal.review":         {"记录 %.8s 已送达：", "Record %.8s was delivered: "},
	"refusal.unknown":        {"服务器说：", "the server says: "},
	"reason.incomplete":      {"记录没有写明是哪一户、哪个村", "the record does not say whose it is or where"},
	"reason.wrong_village":   {"%[1]s 不是用户 %[2]s 负责的村", "%[1]s is not one of %[2]s's villages"},
	"reason.case_mismatch":   {"记录与随附的个案不一致", "the record does not match the case it was sent with"},
	"reason.not_completed":   {"记录还没有完成（%[1]s），只上报已完成、已退回或已审核的记录", "the record is not completed (%[1]s): only completed, returned or approved records are sent"},
	"reason.no_audit_chain":  {"记录没有附带修改记录（审计链）", "the record came without its audit chain"},
	"reason.audit_chain":     {"记录的修改记录（审计链）对不上，可能被改动过", "the record's audit chain does not check out: it may have been altered"},
	"reason.conflict":        {"这条记录在两台电脑上被改得不一样，请组长核对", "the record was changed differently on two laptops: the leader must check it"},
	"reason.photo_missing":   {"照片 %[1]s 还没有传完", "photo %[1]s has not been uploaded yet"},
	"reason.roster_village":  {"区县底册上此人属于 %[1]s，记录写的是 %[2]s", "the district's roster puts this person in %[1]s, but the record says %[2]s"},
	"reason.forged_author":   {"记录中有一步署名 %[1]s，却是从 %[2]s 的电脑发来的", "a step of the record is signed %[1]s but came from %[2]s's laptop"},
	"reason.leader_only":     {"%[1]s 的审核或退回来自调查员的电脑；只有组长可以审核或退回", "an approval or return by %[1]s came from an enumerator's laptop: only a team leader approves or returns"},
	"reason.no_signing_key":  {"区县没有 %[1]s 的签名密钥（这台电脑登记得早），请用新的登记码重新登记", "the district has no signing key of %[1]s (this laptop was enrolled before signatures): enrol again with a new code"},
	"reason.bad_signature":   {"记录中有一步的签名不是区县登记的本人密钥", "a step of the record is not signed by a key the district enrolled for its author"},
	"reason.field_too_long":  {"记录的 %[1]s 太长，服务器不收", "the record's %[1]s is too long for the server"},
	"reason.unstorable":      {"记录里有服务器数据库存不了的字符", "the record holds a character the district's database cannot keep"},
	"reason.revoked_key":     {"有一步只用 %[1]s 已注销电脑的密钥签名（注销后签的，或由本人发送），不收", "a step is signed only with the key of a revoked laptop of %[1]s (after the revocation, or sent by that user): not taken"},
	"reason.not_in_team":     {"%[1]s 不在组长 %[2]s 的调查组里，组长不能代交、审核或退回其记录", "%[1]s is not in %[2]s's team: a leader carries, approves and returns only the team's records"},
	"reason.no_district_key": {"区县审核意见（%[1]s）无法核验：服务器没有区县密钥，请联系区县技术人员", "the district office's decision (%[1]s) cannot be checked: the server has no district key; call the district's IT officer"},
	"reason.review":          {"此人不在区县底册上，记录由区县审核后归档", "the person is not on the district's roster: the district files the record after its review"},
	"reason.review_full":     {"区县待审核的不在底册人员记录已满（每人最多 %[1]s 条），这条留在本机，等区县审核后自动重发", "the district's queue of persons not on its roster is full for you (at most %[1]s records): this one stays on the laptop and is sent again once the district has reviewed some"},
	"reason.form_unknown":    {"区县服务器没有表单 %[1]s，等区县加上这份表单后自动重发", "the district does not have form %[1]s; it is sent again once the district adds it"},
	"bar.syncfail":           {"同步失败", "sync failed"},
	"receipt":                {"区县已收到（回执 %s，%s）", "the district has it (receipt %s, %s)"},
	"bar.synced":             {"已同步%s", "synced %s"},
	"bar.newform":            {"新表式 %s", "new form %s"},
	"newform":                {"收到新表式 %s，新调查将使用它；已开始的记录仍用原来的表式。", "New form %s received: new interviews will use it; records already started keep their own form."},
	// Reports
	"reports":               {"报表", "Reports"},
	"key.reports":           {"报表", "reports"},
	"key.makereport":        {"生成", "make"},
	"key.format":            {"格式", "format"},
	"format":                {"格式：", "Format: "},
	"making":                {"正在生成…", "Making it…"},
	"report.validation":     {"校验报告：错误、漏答和已说明的提示", "Validation report: errors, missing items, confirmed warnings"},
	"report.stats":          {"调查情况统计表（附件1）：分村合计、入户率", "Statistics table (attachment 1): per village, home-visit rate"},
	"report.register":       {"进度登记表：按底册顺序，供签字（证号隐去中间8位）", "Progress register: roster order, for signatures (numbers masked)"},
	"report.cancellations":  {"核销名单：死亡、空挂户、查无此人（含完整证号）", "Cancellation list: deaths, empty households, not found (full numbers)"},
	"report.allowance":      {"调查员工作量：劳务补贴", "Cases per enumerator, for the allowance"},
	"reports.fullnumbers":   {"注意：核销名单含完整的残疾人证号，区县凭此核销，只报区县，不要外传。", "Note: the cancellation list holds full certificate numbers, which the district cancels by: for the district only, never passed round."},
	"reports.nodir":         {"（没有“文档”文件夹，生成时询问）", "(no Documents folder: asked when you make one)"},
	"reports.askdir":        {"没有找到“文档”文件夹。报表存到哪个文件夹？没有会新建，以后不再问（enter 确定，esc 取消）：", "There is no Documents folder. Which folder should reports go to? It is made if missing and remembered (enter to confirm, esc to cancel):"},
	"reports.dirabs":        {"请输入完整路径，例如 /home/li/报表 或 D:\\报表", "Type a full path, e.g. /home/li/reports or D:\\reports"},
	"reports.remembered":    {"已记住报表文件夹（写入配置文件 reports_dir）", "The reports folder is remembered (reports_dir in the config file)"},
	"reports.notremembered": {"报表文件夹只在本次使用，没能记住：", "The reports folder is used this time only; it could not be remembered: "},

	// The field test (issue 10): returned records, resuming, jumps.
	"key.fixrec":          {"修改", "fix"},
	"key.resume":          {"继续调查", "resume"},
	"key.method":          {"方式", "method"},
	"key.blank":           {"未答", "blank"},
	"key.related":         {"相关题", "related"},
	"returnedhead":        {"组长退回，请按意见修改：", "Returned by the team leader, to fix:"},
	"returned.n":          {"有 %d 份记录被组长退回，已排在最前，请先修改", "Back from the team leader to fix: %d, listed first"},
	"related.n":           {"涉及：%s（F7 转到）", "Reads: %s (F7 goes there)"},
	"derivedage":          {"（按证件号码推算，%d岁）", " (age %d from the ID number)"},
	"validcodes":          {"%s 不是本题的选项，可选：%s", "%s is not an option here; the codes are %s"},
	"wrongpassonly":       {"口令不对", "Wrong passphrase"},
	"key.confirm":         {"确认", "confirm"},
	"confirmapprove":      {"确认审核通过", "Approve this record?"},
	"confirmapprove.body": {"%[1]s 的记录将审核通过并上报区县。", "%[1]s's record will be approved and reported to the district."},
	"confirmreturn":       {"确认退回", "Return this record?"},
	"confirmreturn.body":  {"%s 的记录将带 %d 条意见退回调查员修改。", "%s's record goes back to the enumerator to fix, with %d comment(s)."},
	"comment.record":      {"整份记录", "The whole record"},
	"reason.returned":     {"按组长退回意见修改", "corrected as the leader's return asked"},
	"earlier":             {"↺ 上次退回意见：", "↺ Earlier return: "},
	"corrected":           {"↻ 宣读后更正，原因：", "↻ Changed after read-back, because: "},
	"resubmitted":         {"↺ 曾被退回（第 %d 次），已修改后重新提交；上次的 %d 条意见见各题下方", "↺ Returned before (round %d), fixed and completed again; the %d earlier comments show under their questions"},
	"confirmoutcome":      {"确认个案结果", "Confirm the outcome"},
	"confirmoutcome.body": {"%s：%s（%s）。\n按 enter 确认后个案即完成并上报区县核销，之后只有组长能退回重开。esc 返回修改。",
		"%s: %s (%s).\nenter completes the case and reports it to the district for cancellation; after that only a team leader can reopen it. esc goes back."},
	// The store's failures by kind (errtext.go).
	"err.conflict":    {"这份记录在两台电脑上被改得不一样了，请找组长核对", "The record was changed differently on two laptops: ask the team leader to check it"},
	"err.reason":      {"这一部分已宣读确认，修改须说明原因", "This section was agreed at read-back: say why the answer changes"},
	"err.notallowed":  {"这个用户不能这样做", "This user is not allowed to do that"},
	"err.notready":    {"记录还没到这一步（先宣读、签字）", "The record is not ready for that yet (read back and sign first)"},
	"err.notfound":    {"没有找到这份记录或个案", "The record or case was not found"},
	"err.toolarge":    {"内容太大，没有保存", "Too large: not saved"},
	"err.corrupt":     {"数据文件已损坏，请联系区县技术人员", "The data file is damaged: call the district's IT officer"},
	"err.alreadyopen": {"数据文件已在另一个 Doorstep 窗口中打开", "The data file is already open in another Doorstep window"},
	"err.newer":       {"数据文件是新版 Doorstep 写的，请用新版程序", "The data file was written by a newer Doorstep: use the newer program"},
	"err.userexists":  {"已有这个用户代码", "A user with this code already exists"},
	"err.nocards":     {"本机没有组员的密钥卡，请先添加", "No team member's key card is kept here: add them first"},
	"err.unknown":     {"出现了意外的错误，请联系区县技术人员。技术详情：", "Something unexpected went wrong: call the district's IT officer. Details: "},
	// The form's answers across a change (issue 13: held and restored answers).
	"form.cleared":  {"已清除不再适用的答案：", "Cleared answers that no longer apply: "},
	"form.restored": {"已恢复：", "Restored: "},
	"move.title":    {"移到新表？", "Move to the new form?"},
	"move.body":     {"这份草稿是用 %s 开始的，现在新调查用 %s。按 enter 移到新表（保留能保留的答案，并列出改码和去掉的题），按 esc 继续用原表。", "This draft was started on %s; new interviews now use %s. enter moves it (answers kept where they can be, recoded and dropped ones listed); esc goes on with the form it was started on."},
	"move.done":     {"已移到新表", "Moved to the new form"},
	"move.counts":   {"保留 %d 题，改码 %d 题，去掉 %d 题。", "%d answers kept, %d recoded, %d dropped."},

	// ── Accessibility (issue 14): speech, the respondent's view. ──
	"key.speak":      {"读这句", "speak"},
	"key.speak2":     {"朗读句/部分", "speak line/section"},
	"key.respview":   {"对方看", "respondent"},
	"key.sentence":   {"上一句/下一句", "sentence"},
	"speech.none":    {"这台电脑没有设置朗读。", "Speech is not set up on this computer."},
	"speech.missing": {"朗读不可用（安装方法见前面的说明）。", "Speech is not available (see the note on installing it)."},
	"speech.nosound": {"没有可用的声音设备：请检查扬声器或耳机，以及音量是否静音。", "No sound device to speak on: check the speakers or headphones, and that the sound is not muted."},
	"speaking":       {"正在朗读…（按 esc 或换一句停止）", "Speaking… (esc or another sentence stops it)"},
	"respondent":     {"请您核对", "Please check"},
	"resp.count":     {"第 %d 句，共 %d 句", "%d of %d"},
	"resp.end":       {"以上是全部内容。", "That is everything."},
}

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
