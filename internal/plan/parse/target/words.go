package target

import "github.com/luoshi/luoshi/internal/plan"

type wordKind int

const (
	// strong words set the comparator or mark an increment or decrease.
	strong wordKind = iota + 1
	// governing verbs of achievement (实施, 引进, 建成 …) make a number a
	// target but do not change the comparator.
	governing
	// markers (全年, 力争, 确保 …) make a number a target and are stripped
	// from names.
	marker
)

type word struct {
	kind wordKind
	cmp  plan.Comparator
	inc  bool // 新增, 增长: counted over the year's start value
	dec  bool // 下降, 减少: a decrease, stored as a negative change
	// adjacent words are single characters that only count directly before
	// the number (约50家, 超100亿元); elsewhere they are parts of words.
	adjacent bool
	// stretch words introduce a 争取 value next to a base value.
	stretch bool
	// level words (增长到, 降至) state the level to reach, not a change.
	level bool
	// keep words are verbs that also qualify a noun (入库备案国家科技型中小
	// 企业): never stripped from a name.
	keep bool
}

// maxWordLen is the longest entry of words, in runes.
const maxWordLen = 4

var words = map[string]word{}

func init() {
	add := func(w word, list ...string) {
		for _, s := range list {
			words[s] = w
		}
	}
	add(word{kind: strong, cmp: plan.AtLeast},
		"达到", "达", "不少于", "不低于", "不小于", "至少", "保持在", "稳定在", "达成")
	add(word{kind: strong, cmp: plan.AtLeast, level: true},
		"提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "增长到", "增长至",
		"增至", "扩大到", "扩大至", "上升到", "上升至")
	add(word{kind: strong, cmp: plan.MoreThan},
		"突破", "超过", "高于", "多于", "大于", "超")
	add(word{kind: strong, cmp: plan.About},
		"约", "大约", "约为", "接近", "近")
	add(word{kind: strong, cmp: plan.AtMost},
		"控制在", "不超过", "不高于", "不多于", "不大于", "低于", "少于", "小于")
	add(word{kind: strong, cmp: plan.AtMost, level: true},
		"降至", "降到", "下降到", "下降至", "降低到", "降低至", "减少到", "减少至",
		"压减到", "压减至", "压缩到", "压缩至", "缩短到", "缩短至")
	add(word{kind: strong, inc: true},
		"新增", "增长", "增加", "提高", "提升", "新增加",
		"新培育", "新认定", "新建", "新建成", "新引进", "新入库", "新获批", "新签约",
		"新开工", "新登记", "新备案", "新招引", "新设立", "新组建", "新培养", "新引育",
		"新发展", "新评定", "新落地", "新创建", "新创成", "新布局", "新转化")
	add(word{kind: strong, dec: true},
		"下降", "降低", "减少", "压减", "压缩", "缩短")
	add(word{kind: governing},
		"实施", "组织实施", "引进", "开发", "推广", "示范推广", "培育", "培养",
		"建成", "建设", "认定", "打造", "创建", "争创", "创成", "完成", "举办",
		"开展", "实现", "引育", "培训", "选派", "获批", "申报", "签约", "招引",
		"孵化", "育成", "攻克", "制定", "发布", "组建", "布局", "带动", "吸引",
		"集聚", "具备", "建立", "设立", "兑现", "拨付", "落地", "转化", "评选",
		"遴选", "资助", "扶持", "储备", "入选", "形成", "汇聚", "覆盖", "获得",
		"取得", "部署", "立项", "承担", "新建设", "引入", "招商", "签订",
		"推荐", "创办", "举行", "召开", "组织", "安排",
		"投资", "投放", "发放", "提供", "服务于", "帮助", "培植", "挂牌", "授牌")
	add(word{kind: governing, keep: true},
		"入库", "备案", "登记", "评价入库")
	add(word{kind: marker, stretch: true},
		"力争", "争取", "冲刺", "努力")
	add(word{kind: marker},
		"全年", "年内", "今年", "本年", "本年度", "年度", "确保", "目标", "预计",
		"计划", "常年", "当年", "年底前", "年末")
	for _, s := range []string{"达", "超", "约", "近"} {
		w := words[s]
		w.adjacent = true
		words[s] = w
	}
}

// leadWords are stripped from the start of a name besides the entries of
// words: adverbs and verbs of urging that precede a subject.
var leadWords = map[string]bool{
	"全面": true, "进一步": true, "持续": true, "加快": true, "积极": true,
	"大力": true, "推动": true, "促进": true, "使": true, "让": true, "柔性": true,
	"新增": true, "共": true, "再": true, "要": true, "将": true, "力求": true,
	"争取实现": true, "全力": true, "着力": true, "支持": true, "引导": true,
	"鼓励": true, "推进": true, "完成": true, "每年": true, "年均": true,
	// Scope and sums: stripped, but they do not make a number a target
	// (全市共有高新技术企业150家 states a fact).
	"全市": true, "全省": true, "全区": true, "全县": true, "全州": true,
	"其中": true, "累计": true, "共计": true, "总计": true, "合计": true,
	"较上年": true, "比上年": true, "比去年": true, "同比": true,
}

// nounSuffixes after a verb make a noun of it (开发区, 孵化器, 建设者): the
// verb is then not stripped from the start of a name.
var nounSuffixes = "区园器者费率量额性型类站点所员商方"

// trailWords are stripped from the end of a name: 高新技术企业数量 names the
// same indicator as 高新技术企业, the unit already says it is a count.
var trailWords = map[string]bool{
	"数量": true, "总数": true, "同比": true, "比上年": true, "较上年": true,
	"年均": true, "累计": true, "分别": true, "均": true, "共": true, "要": true,
	"将": true, "需": true, "应": true, "再": true, "已": true, "力争": true,
	"争取": true, "确保": true, "预计": true, "计划": true, "全年": true,
	"年内": true, "的": true, "总计": true, "共计": true, "合计": true,
	"要求": true, "稳步": true, "继续": true,
}

// nounStops end a noun read after a number (引进50支高校人才团队服务…): verbs,
// particles and words that describe a value rather than name a thing.
var nounStops = []string{
	"的", "服务", "推动", "促进", "助力", "支撑", "参与", "开展", "用于", "落地",
	"入驻", "实现", "进行", "完成", "达到", "大关", "水平", "目标", "规模", "以上",
	"左右", "以内", "以下", "等", "分别", "同比", "增长", "和", "及", "与", "或",
	"并", "为", "在", "以", "从", "向", "对", "于", "到", "至", "获", "被", "由",
	"其中", "共", "将", "要", "是", "有", "能力", "以来", "之", "提供", "带动",
	"增加", "新增", "突破", "超过", "同时", "参加", "申报", "获得", "入选", "通过",
	"落户", "纳入", "进入", "上市",
}

// sloganTails follow a numeral in names that hold numbers: 八项规定,
// 两个确立, 十件大事, 10个方面. Matched at the unit.
var sloganTails = []string{
	"项规定", "个确立", "个维护", "个务必", "个自信", "个意识", "个全面", "件大事",
	"个方面", "个一百年", "个代表", "个文明", "个统筹", "个坚持", "项基本", "条底线",
	"条红线", "个倍增", "个没有变", "个更加", "位一体", "个必须",
}

// unitWordTails are words that begin with a measure word: after 3, 人才 or
// 所有 is not 人 or 所.
var unitWordTails = []string{
	"所有", "人才", "人民", "人员", "人口", "名单", "名称", "名录", "场景", "台账",
	"家庭", "家园", "条件", "条例", "种业", "种子", "种植", "种质", "种苗", "次年",
	"支持", "支撑", "支部", "位于", "位置", "座谈", "户籍", "批准", "批复", "部门",
	"部署", "门类", "门户", "节能", "节约", "对接", "对外", "组织", "队伍", "期间",
	"间接", "头部", "本地", "本土", "份额", "处置", "处理", "款项", "例行", "台账",
	"亩均", "个体", "个性", "件事", "头雁", "只有", "项目",
}

// durationTails after 个 make a duration, not a count: 3个月, 5个工作日.
var durationTails = []string{"月", "季度", "工作日", "小时", "星期", "半月"}

// qualifiers follow a number and its unit.
var qualifiers = []struct {
	text string
	cmp  plan.Comparator
}{
	{"及以上", plan.AtLeast}, {"以上", plan.AtLeast}, {"左右", plan.About},
	{"上下", plan.About}, {"以内", plan.AtMost}, {"之内", plan.AtMost},
	{"及以下", plan.AtMost}, {"以下", plan.AtMost},
}
