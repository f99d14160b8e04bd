package demo

import (
	"math/rand/v2"
	"strings"
)

// surnames are the hundred most common Chinese surnames with their approximate share of
// the population in units of 0.01 % (Ministry of Public Security, 2020 household register
// statistics, rounded). The weights only need to make 王, 李, 张 and 刘 as common in a
// demo village as they are in a real one.
var surnames = []struct {
	name string
	w    int
}{
	{"王", 710}, {"李", 700}, {"张", 660}, {"刘", 540}, {"陈", 460}, {"杨", 310}, {"黄", 230},
	{"赵", 220}, {"吴", 200}, {"周", 190}, {"徐", 160}, {"孙", 150}, {"马", 140}, {"朱", 130},
	{"胡", 130}, {"郭", 110}, {"何", 110}, {"高", 100}, {"林", 100}, {"罗", 90}, {"郑", 85},
	{"梁", 80}, {"谢", 70}, {"宋", 65}, {"唐", 60}, {"许", 60}, {"韩", 58}, {"冯", 57},
	{"邓", 56}, {"曹", 55}, {"彭", 54}, {"曾", 53}, {"肖", 52}, {"田", 50}, {"董", 49},
	{"袁", 48}, {"潘", 46}, {"于", 45}, {"蒋", 44}, {"蔡", 43}, {"余", 42}, {"杜", 41},
	{"叶", 40}, {"程", 39}, {"苏", 38}, {"魏", 37}, {"吕", 36}, {"丁", 35}, {"任", 34},
	{"沈", 33}, {"姚", 32}, {"卢", 31}, {"姜", 30}, {"崔", 30}, {"钟", 29}, {"谭", 28},
	{"陆", 27}, {"汪", 26}, {"范", 26}, {"金", 25}, {"石", 25}, {"廖", 24}, {"贾", 24},
	{"夏", 23}, {"韦", 23}, {"付", 22}, {"方", 22}, {"白", 21}, {"邹", 21}, {"孟", 20},
	{"熊", 20}, {"秦", 19}, {"邱", 19}, {"江", 18}, {"尹", 18}, {"薛", 17}, {"闫", 17},
	{"段", 16}, {"雷", 16}, {"侯", 15}, {"龙", 15}, {"史", 15}, {"陶", 14}, {"黎", 14},
	{"贺", 14}, {"顾", 13}, {"毛", 13}, {"郝", 13}, {"龚", 12}, {"邵", 12}, {"万", 12},
	{"钱", 11}, {"严", 11}, {"覃", 11}, {"武", 11}, {"戴", 10}, {"莫", 10}, {"孔", 10},
	{"向", 10}, {"汤", 10},
}

var surnameTotal = func() int {
	n := 0
	for _, s := range surnames {
		n += s.w
	}
	return n
}()

func randomSurname(rng *rand.Rand) string {
	x := rng.IntN(surnameTotal)
	for _, s := range surnames {
		if x < s.w {
			return s.name
		}
		x -= s.w
	}
	return surnames[0].name
}

// Given names are whole names people of each sex and generation are commonly given, not
// characters paired at random: random pairs read oddly to a Chinese eye and now and then
// make a rude homophone. Generations follow the birth year (before 1960, 1960–1989, from
// 1990), so a grandmother is 秀英 and her granddaughter 欣怡, as in a real village.
var givenNames = [2][3][]string{
	{ // male
		{"建国", "国庆", "国华", "国强", "德明", "德福", "德胜", "志刚", "志明", "文华", "永福",
			"永祥", "永刚", "长林", "长山", "长安", "春生", "春林", "玉林", "玉山", "保国", "保山",
			"树林", "树森", "金山", "金海", "明德", "福生", "福林", "满仓", "庆丰", "宝林", "新民",
			"学文", "振华", "振国", "广才", "广田", "跃进", "卫国", "海山", "铁柱", "天成", "有才"},
		{"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "鹏", "刚", "平", "辉", "亮", "峰",
			"建军", "建华", "建伟", "志强", "志勇", "海涛", "海军", "卫东", "红军", "晓东", "晓明",
			"小军", "国栋", "俊峰", "永强", "立新", "立军", "文军", "宏伟", "振宇", "建平", "新华",
			"春雷", "东升", "庆华", "金龙", "云飞", "光明", "红兵", "向阳", "东亮"},
		{"浩然", "子轩", "宇航", "俊杰", "宇轩", "博文", "一鸣", "浩宇", "浩", "宇", "昊", "轩",
			"梓轩", "子豪", "皓轩", "晨阳", "嘉豪", "明轩", "天佑", "思源", "家乐", "雨泽", "鑫",
			"佳豪", "俊熙", "宇辰", "子墨", "奕辰", "铭", "泽宇", "博", "凯", "帅", "航"},
	},
	{ // female
		{"秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "玉珍", "淑珍", "秀珍", "玉英", "兰英",
			"桂芳", "秀芳", "凤兰", "素珍", "淑英", "金花", "银花", "翠兰", "翠英", "春花", "桂花",
			"秀云", "玉梅", "冬梅", "素芳", "桂珍", "玉芝", "淑兰", "凤琴", "秀荣", "玉香"},
		{"丽", "静", "敏", "燕", "艳", "娟", "霞", "芳", "红", "梅", "英", "玲", "萍", "丽娟", "丽华",
			"秀梅", "春梅", "红梅", "海燕", "晓燕", "晓红", "小红", "雪梅", "美玲", "淑华", "建英",
			"丽娜", "春燕", "爱华", "桂香", "玉霞", "红霞", "艳红", "丽萍", "金凤", "海霞"},
		{"欣怡", "雨涵", "梓涵", "诗琪", "子涵", "思雨", "雨欣", "佳怡", "可欣", "梦瑶", "若汐",
			"语桐", "一诺", "婷", "雪", "晶", "悦", "欣", "琳", "佳琪", "雨桐", "紫涵", "思涵",
			"欣妍", "婉婷", "梦琪", "晓雯", "静怡", "诗涵", "艺涵"},
	},
}

// avoidNames are whole names that would make a demo look like a joke: a homophone of
// something rude, or a famous person everyone would remark on.
var avoidNames = map[string]bool{
	"杨伟": true, // 阳痿
	"黎明": true, "韩红": true, "朱军": true, "周杰": true, "胡歌": true, "马云": true, "江涛": true,
	"范伟": true, "黄渤": true, "王菲": true, "刘欢": true, "毛宁": true,
}

// sexOfGiven tells which list a given name comes from, so an interview can know the sex
// of a guardian the roster names without saying it.
var sexOfGiven = func() map[string]int {
	m := map[string]int{}
	for sex := range givenNames {
		for _, era := range givenNames[sex] {
			for _, g := range era {
				if _, dup := m[g]; !dup {
					m[g] = sex + 1
				}
			}
		}
	}
	return m
}()

// nameSex guesses the sex of a name made by this package: 1 male, 2 female, 0 unknown.
func nameSex(name string) int {
	_, rest, ok := cutSurname(name)
	if !ok {
		return 0
	}
	return sexOfGiven[rest]
}

func cutSurname(name string) (surname, given string, ok bool) {
	for _, s := range surnames {
		if g, found := strings.CutPrefix(name, s.name); found && g != "" {
			return s.name, g, true
		}
	}
	return "", "", false
}

func era(birthYear int) int {
	switch {
	case birthYear < 1960:
		return 0
	case birthYear < 1990:
		return 1
	}
	return 2
}

// givenName picks a given name for the sex (1 male, 2 female) and birth year; one in ten
// comes from a neighbouring generation, since naming fashions do not change on a date.
func givenName(rng *rand.Rand, sex, birthYear int) string {
	e := era(birthYear)
	if rng.IntN(10) == 0 {
		if e == 1 && rng.IntN(2) == 0 || e == 0 {
			e++
		} else {
			e--
		}
	}
	list := givenNames[sex-1][e]
	return list[rng.IntN(len(list))]
}

// personName makes a full name with the surname given, or a random one when surname is "".
func personName(rng *rand.Rand, surname string, sex, birthYear int) string {
	fixed := surname != ""
	for range 20 {
		s := surname
		if !fixed {
			s = randomSurname(rng)
		}
		if n := s + givenName(rng, sex, birthYear); !avoidNames[n] {
			return n
		}
	}
	return surname + givenNames[sex-1][1][1]
}

var townNames = []string{
	"青石镇", "柳林镇", "白沙镇", "桥头镇", "新店镇", "马集镇", "龙泉镇", "古城镇", "双庙镇",
	"李寨镇", "黄岗镇", "石佛镇", "大营镇", "清河镇", "杨湖镇", "高桥镇",
}

// Villages are named as on the plains: after the family that founded them (王庄, 李家寨),
// with a direction to tell two apart (东王庄), or after the land (柳树沟, 杨树湾).
var (
	villageSuffixes = []string{"庄", "家庄", "营", "寨", "集", "屯", "楼", "湾", "店", "岗", "洼", "庙"}
	villagePrefixes = []string{"东", "西", "南", "北", "前", "后", "大", "小"}
	landVillages    = []string{
		"柳树沟", "杨树湾", "石桥", "双河", "枣林", "槐树岭", "桃园", "杏花", "黄土岭", "梨园",
		"青龙湾", "白杨", "柿子沟", "三里河", "五里铺", "十里铺", "老庄", "新庄", "河口", "岭头",
		"沙窝", "龙王庙", "桑园", "石门", "七里井", "苇子坑",
	}
	communities = []string{
		"东关", "西关", "南关", "北关", "南街", "北街", "新华", "建设路", "人民路", "文化路", "和平",
		"光明", "幸福", "振兴", "解放路", "中心街",
	}
	streets = []string{"建设路", "人民路", "解放路", "中心街", "文化路", "新华路", "幸福路", "朝阳路"}
)

func villageName(rng *rand.Rand, community bool) string {
	if community {
		return communities[rng.IntN(len(communities))] + "社区"
	}
	// Founding families come from the commonest surnames: a village is 王庄, rarely 覃庄.
	s := surnames[rng.IntN(30)].name
	switch r := rng.IntN(10); {
	case r < 5:
		return s + villageSuffixes[rng.IntN(len(villageSuffixes))] + "村"
	case r < 7:
		return villagePrefixes[rng.IntN(len(villagePrefixes))] + s + []string{"庄", "寨", "营"}[rng.IntN(3)] + "村"
	default:
		return landVillages[rng.IntN(len(landVillages))] + "村"
	}
}
