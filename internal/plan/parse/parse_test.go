package parse

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/luoshi/luoshi/internal/plan"
)

// seedPath is the one copy of the seed document: the demo's asset.
var seedPath = filepath.Join("..", "..", "demo", "plan.txt")

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if name == "seed.txt" {
		path = seedPath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t testing.TB, name string, data []byte) *plan.Plan {
	t.Helper()
	p, err := Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

// Expected structure, compared field by field.
type (
	wantItem struct {
		no    int
		title string
		units []string
	}
	wantSection struct {
		no    int
		title string
		items []wantItem
	}
	wantMeasure struct {
		text         string
		done         bool
		note         string
		due, dueText string
	}
	wantKey struct {
		no           int
		title        string
		lead, co     []string
		units        []string
		due, dueText string
		measures     []wantMeasure
	}
	wantPlan struct {
		title, issuer, issuedOn, docNo, addressees string
		year                                       int
		themes                                     []string
		preambleStart                              string
		sections                                   []wantSection
		keys                                       []wantKey
		skipKeys                                   bool // checked by the caller
	}
)

func eqStrings(a, b []string) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

func checkPlan(t *testing.T, p *plan.Plan, w wantPlan) {
	t.Helper()
	str := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	str("title", p.Title, w.title)
	str("issuer", p.Issuer, w.issuer)
	str("issued_on", p.IssuedOn, w.issuedOn)
	str("doc_no", p.DocNo, w.docNo)
	str("addressees", p.Addressees, w.addressees)
	if p.Year != w.year {
		t.Errorf("year = %d, want %d", p.Year, w.year)
	}
	if !eqStrings(p.Themes, w.themes) {
		t.Errorf("themes = %q, want %q", p.Themes, w.themes)
	}
	if !strings.HasPrefix(p.Preamble, w.preambleStart) {
		t.Errorf("preamble = %q, want it to start with %q", p.Preamble, w.preambleStart)
	}
	if p.Targets == nil || p.Sections == nil || p.KeyItems == nil {
		t.Errorf("nil slices: targets %v sections %v key items %v", p.Targets == nil, p.Sections == nil, p.KeyItems == nil)
	}
	if len(p.Sections) != len(w.sections) {
		t.Fatalf("%d sections, want %d: %+v", len(p.Sections), len(w.sections), p.Sections)
	}
	for i, ws := range w.sections {
		s := p.Sections[i]
		if s.No != ws.no || s.Title != ws.title {
			t.Errorf("section %d = %d %q, want %d %q", i, s.No, s.Title, ws.no, ws.title)
		}
		if len(s.Items) != len(ws.items) {
			t.Errorf("section %d has %d items, want %d", ws.no, len(s.Items), len(ws.items))
			continue
		}
		for j, wi := range ws.items {
			it := s.Items[j]
			if it.No != wi.no || it.Title != wi.title || it.Kind != plan.KindWorkItem {
				t.Errorf("section %d item %d = %d %q %s, want %d %q", ws.no, j, it.No, it.Title, it.Kind, wi.no, wi.title)
			}
			if !eqStrings(it.Units, wi.units) {
				t.Errorf("item %d units = %q, want %q", wi.no, it.Units, wi.units)
			}
			if !strings.HasPrefix(it.Text, it.Title) || it.Targets == nil {
				t.Errorf("item %d text %q does not start with its title, or nil targets", wi.no, it.Text)
			}
		}
	}
	if w.skipKeys {
		return
	}
	if len(p.KeyItems) != len(w.keys) {
		t.Fatalf("%d key items, want %d", len(p.KeyItems), len(w.keys))
	}
	for i, wk := range w.keys {
		k := p.KeyItems[i]
		if k.No != wk.no || k.Title != wk.title || k.Kind != plan.KindKeyItem {
			t.Errorf("key item %d = %d %q %s, want %d %q", i, k.No, k.Title, k.Kind, wk.no, wk.title)
		}
		if !eqStrings(k.LeadUnits, wk.lead) || !eqStrings(k.CoUnits, wk.co) {
			t.Errorf("key item %d lead %q co %q, want %q %q", wk.no, k.LeadUnits, k.CoUnits, wk.lead, wk.co)
		}
		if !eqStrings(k.Units, wk.units) {
			t.Errorf("key item %d units = %q, want %q", wk.no, k.Units, wk.units)
		}
		if k.Due != wk.due || k.DueText != wk.dueText {
			t.Errorf("key item %d due %q %q, want %q %q", wk.no, k.Due, k.DueText, wk.due, wk.dueText)
		}
		if k.Targets == nil {
			t.Errorf("key item %d: nil targets", wk.no)
		}
		if len(k.Measures) != len(wk.measures) {
			t.Errorf("key item %d has %d measures, want %d: %+v", wk.no, len(k.Measures), len(wk.measures), k.Measures)
			continue
		}
		for j, wm := range wk.measures {
			m := k.Measures[j]
			got := wantMeasure{m.Text, m.Done, m.DoneNote, m.Due, m.DueText}
			if m.No != j+1 || got != wm {
				t.Errorf("key item %d measure %d = %d %+v, want %+v", wk.no, j+1, m.No, got, wm)
			}
		}
	}
}

func TestParseSeed(t *testing.T) {
	data := readFixture(t, "seed.txt")
	p := mustParse(t, "seed.txt", data)

	sum := sha256.Sum256(data)
	if p.ContentHash != hex.EncodeToString(sum[:]) {
		t.Errorf("content hash = %q", p.ContentHash)
	}
	titles := []string{
		"全面融入成渝双城经济圈建设", "加强区域创新平台建设", "加强产业创新平台建设", "加强科技服务平台建设",
		"梯度培育科技企业", "推进产业技术创新", "持续推进科技成果转化", "推进农业科技创新应用",
		"推进社会民生领域科技创新", "加强科学技术普及", "全面落实各项奖补政策", "加强科技人才队伍建设",
		"大力发展科技金融", "积极培育创新文化", "全面深化科技体制改革", "持续加强党的政治建设", "认真落实全面从严治党",
	}
	units := map[int][]string{
		2: {"射洪市", "遂宁高新区"},
		3: {"河东新区"}, // 支持市河东新区…
		4: {"大英县", "射洪市"},
		7: {"遂宁高新区", "遂宁经开区"},
		8: {"蓬溪县", "安居区"}, // not 射洪 of 省农科院(射洪)
	}
	sectionTitles := []string{
		"加速区域创新融入,增强协同创新凝合力", "促进平台载体提档,提升创新发展承载力", "加强优势企业培育,增强产业核心竞争力",
		"加强良种良法推广,强化科技惠民支撑力", "优化创新创造生态,厚植创新驱动影响力", "全面加强党的建设,凝聚科技强市向心力",
	}
	w := wantPlan{
		title:         "2023年全市科技创新工作要点",
		issuer:        "遂宁市科学技术局",
		issuedOn:      "2023-02-28",
		year:          2023,
		addressees:    "各县(市、区)、市直园区科技主管部门,局机关各科(室)、直属事业单位",
		themes:        []string{"全域协同创新", "高新技术产业", "能级创新平台", "科技惠及民生", "创新资源集聚", "现代科技治理"},
		preambleStart: "2023年是全面贯彻落实党的二十大精神的开局之年",
		skipKeys:      true,
	}
	no := 1
	for i, n := range []int{1, 3, 3, 3, 5, 2} {
		s := wantSection{no: i + 1, title: sectionTitles[i]}
		for range n {
			s.items = append(s.items, wantItem{no: no, title: titles[no-1], units: units[no]})
			no++
		}
		w.sections = append(w.sections, s)
	}
	keyTitles := []string{
		"争创国家创新型城市", "争创国家高新区", "建设涪江流域科技创新走廊", "组建川渝锂电及新材料研究院科创技术联盟",
		"深化对外科技交流合作,支持天齐锂业建设“一带一路”联合实验室", "建设遂潼一体化科技创新中心",
		"建设卫星遥感应用示范基地", "建设锂电及新材料产业中试研发平台", "支持射洪市创建国家、省级创新型县(市)",
		"支持蓬溪县、安居区创建省级农业科技园区",
	}
	checkPlan(t, p, w) // sections; key items are checked below
	if !strings.HasSuffix(p.Preamble, "高新技术产业营业收入达到650亿元。") || strings.Contains(p.Preamble, "一、") {
		t.Errorf("preamble = %q", p.Preamble)
	}
	if got := p.Sections[0].Items[0].Text; !strings.HasPrefix(got, "全面融入成渝双城经济圈建设。深入推进成遂") ||
		!strings.HasSuffix(got, "谋划建设遂潼一体化科技创新中心。") {
		t.Errorf("item 1 text = %q", got)
	}
	if got := p.Sections[5].Items[1].Text; strings.Contains(got, "附件") {
		t.Errorf("item 17 runs into the attachment: %q", got)
	}

	counts := []int{2, 4, 3, 3, 3, 3, 3, 3, 3, 3}
	if len(p.KeyItems) != len(keyTitles) {
		t.Fatalf("%d key items, want 10", len(p.KeyItems))
	}
	for i, k := range p.KeyItems {
		if k.No != i+1 || k.Title != keyTitles[i] || k.Kind != plan.KindKeyItem {
			t.Errorf("key item %d = %d %q %s, want %q", i+1, k.No, k.Title, k.Kind, keyTitles[i])
		}
		if len(k.Measures) != counts[i] {
			t.Errorf("key item %d has %d measures, want %d", i+1, len(k.Measures), counts[i])
		}
		for j, m := range k.Measures {
			if m.No != j+1 {
				t.Errorf("key item %d measure %d numbered %d", i+1, j+1, m.No)
			}
			done := i == 8 && j < 2
			if m.Done != done {
				t.Errorf("key item %d measure %d done = %v", i+1, j+1, m.Done)
			}
			if !done && m.DoneNote != "" {
				t.Errorf("key item %d measure %d note %q", i+1, j+1, m.DoneNote)
			}
			if m.Text == "" || strings.ContainsAny(m.Text[len(m.Text)-1:], ";；") {
				t.Errorf("key item %d measure %d text %q", i+1, j+1, m.Text)
			}
		}
	}
	k9 := p.KeyItems[8].Measures
	if k9[0].DoneNote != "已完成" || k9[0].Text != "对照申报要求,积极组织编撰创建方案" {
		t.Errorf("key item 9 measure 1 = %+v", k9[0])
	}
	if k9[1].DoneNote != "2022年12月已完成,顺利通过答辩" || k9[1].Text != "及时向省厅对接汇报,认真准备参加省厅推荐答辩" {
		t.Errorf("key item 9 measure 2 = %+v", k9[1])
	}
	if m := p.KeyItems[1].Measures[1].Text; !strings.HasPrefix(m, "指导遂宁高新区调整优化") {
		t.Errorf("key item 2 measure 2 = %q", m)
	}
	if m := p.KeyItems[0].Measures[0].Text; m != "密切关注科技部在国家创新型城市建设方面的动态信息,加强与科技部、科技厅的沟通汇报" {
		t.Errorf("key item 1 measure 1 = %q", m)
	}
	if u := p.KeyItems[9].Units; !reflect.DeepEqual(u, []string{"蓬溪县", "安居区"}) {
		t.Errorf("key item 10 units = %q", u)
	}
}

// TestParseSeedTargets checks the seed's headline targets end to end. It is
// skipped while target.Extract finds nothing (it is developed separately).
// TestParseSeedTargets checks every target of the seed where it belongs —
// the 5 headline targets in yuan, the items' and the key items' — and that
// nothing else (二十大, 十四五, 科创29条, 八项规定, 10个方面 …) became one.
func TestParseSeedTargets(t *testing.T) {
	p := mustParse(t, "seed.txt", readFixture(t, "seed.txt"))
	type row struct {
		where string
		name  string
		value float64
		unit  string
		cmp   plan.Comparator
		inc   bool
	}
	var got []row
	add := func(where string, ts []plan.Target) {
		for _, tg := range ts {
			got = append(got, row{where, tg.Name, tg.Value, tg.Unit, tg.Comparator, tg.Increment})
			if tg.Source == "" || tg.Display == "" {
				t.Errorf("%s %s: no source or display", where, tg.Name)
			}
		}
	}
	add("plan", p.Targets)
	for _, s := range p.Sections {
		for _, it := range s.Items {
			add(fmt.Sprintf("item %d", it.No), it.Targets)
		}
	}
	for _, k := range p.KeyItems {
		add(fmt.Sprintf("key %d", k.No), k.Targets)
	}
	want := []row{
		{"plan", "国家高新技术企业", 185, "家", ">=", false},
		{"plan", "入库备案国家科技型中小企业", 520, "家", ">=", false},
		{"plan", "全社会研发投入", 1530000000, "元", ">=", false},
		{"plan", "技术合同认定登记额", 1200000000, "元", ">", false},
		{"plan", "高新技术产业营业收入", 65000000000, "元", ">=", false},
		{"item 3", "省级以上创新平台", 2, "个", ">=", true},
		{"item 8", "农业科技项目", 3, "项", ">=", false},
		{"item 8", "新产品", 1, "个", ">=", false},
		{"item 8", "新品种新技术", 5, "项", ">=", false},
		{"item 12", "高校人才团队", 50, "支", "~", false},
		{"key 7", "卫星", 100, "颗", ">=", false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("seed targets:\n got %v\nwant %v", got, want)
	}
	if p.Targets[2].Display != "15.3亿元" || p.Targets[2].Source != "全社会研发投入达到15.3亿元" {
		t.Errorf("money target keeps the document's wording: %+v", p.Targets[2])
	}
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want wantPlan
	}{{
		file: "a_provincial.txt", // provincial notice, numbered straight through, no sections
		want: wantPlan{
			title: "2024年全省科技工作要点", issuer: "澜江省科学技术厅", issuedOn: "2024-01-15", year: 2024,
			docNo: "澜科发〔2024〕3号", addressees: "各市（州）科技局，厅机关各处室、直属各单位",
			preambleStart: "2024年是实现“十四五”规划目标任务的关键一年。",
			sections: []wantSection{{no: 0, title: "", items: []wantItem{
				{1, "强化战略科技力量布局", nil},
				{2, "推进关键核心技术攻关", nil},
				{3, "加速科技成果转化", []string{"云泽市", "清溪县"}},
				{4, "培育壮大创新主体", []string{"白鹭高新区"}},
				{5, "深化科技体制改革", nil},
				{6, "加强科技人才队伍建设", nil},
				{7, "加强党的建设", nil},
			}}},
		},
	}, {
		file: "b_breakdown.txt", // county task breakdown table with deadlines
		want: wantPlan{
			title: "清溪县2024年科技创新重点任务分解表", year: 2024,
			preambleStart: "为确保全年科技工作目标任务落到实处",
			keys: []wantKey{{
				no: 1, title: "创建省级创新型县", lead: []string{"县科技局"}, co: []string{"县发改局", "县财政局"},
				due: "2024-06-30", dueText: "2024年6月底前",
				measures: []wantMeasure{
					{text: "对标评价指标体系，完善创建方案"},
					{text: "组织开展创建工作自评估", done: true, note: "已完成"},
					{text: "按时报送申报材料"},
				},
			}, {
				no: 2, title: "培育高新技术企业", lead: []string{"县科技局"}, co: []string{"县经信局", "县税务局"},
				due: "2024-12-31", dueText: "年底前",
				measures: []wantMeasure{{text: "建立高新技术企业培育库"}, {text: "开展政策宣讲和申报辅导"}, {text: "全年新增高新技术企业5家"}},
			}, {
				no: 3, title: "推进科技特派员服务", lead: []string{"县科技局"}, co: []string{"各乡镇人民政府"},
				dueText:  "每季度末",
				measures: []wantMeasure{{text: "选派科技特派员30名"}, {text: "每季度末报送服务情况", dueText: "每季度末"}},
			}, {
				no: 4, title: "建设县级科普基地", lead: []string{"县科协"}, co: []string{"县教育局", "县文旅局"},
				due: "2024-09-30", dueText: "2024年9月30日",
				measures: []wantMeasure{{text: "新认定县级科普基地2个"}, {text: "9月底前开展科普活动周活动", due: "2024-09-30", dueText: "9月底前"}},
			}, {
				no: 5, title: "争创省级农业科技园区", lead: []string{"县农业农村局"}, co: []string{"县科技局"},
				due: "2024-12-31", dueText: "2024年12月",
				measures: []wantMeasure{{text: "编制园区建设方案"}, {text: "组织申报"}},
			}},
		},
	}, {
		file: "c_targets.txt", // percent, 万亿元 and growth targets; items restart per section
		want: wantPlan{
			title: "云泽市2024年经济科技工作计划", year: 2024,
			preambleStart: "2024年，全市地区生产总值达到1.2万亿元、增长6.5%左右",
			sections: []wantSection{
				{1, "提升创新能力", []wantItem{{1, "加大研发投入", nil}, {2, "壮大高新技术产业", nil}}},
				{2, "扩大开放合作", []wantItem{{1, "深化区域合作", nil}, {2, "推进国际科技合作", nil}}},
				{3, "优化创新生态", []wantItem{{1, "落实科技金融政策", nil}}},
			},
		},
	}, {
		file: "d_stretch.txt", // 争取 stretch values; （一） sections with 1. items; title only in the notice
		want: wantPlan{
			title: "白鹭区2024年科技创新工作要点", issuer: "白鹭区科学技术局", issuedOn: "2024-03-08", year: 2024,
			docNo: "白科发【2024】5号", addressees: "区级各部门，各街道办事处",
			preambleStart: "2024年是全面落实区第三次党代会部署的关键之年。",
			sections: []wantSection{
				{1, "强化企业创新主体地位", []wantItem{{1, "实施高企倍增行动", nil}, {2, "支持企业建设研发机构", nil}}},
				{2, "提升科技成果转化效能", []wantItem{{3, "建设技术转移机构", nil}, {4, "举办成果对接活动", nil}}},
				{3, "加强科技人才引育", []wantItem{{5, "引进高层次人才团队", nil}}},
			},
		},
	}, {
		file: "e_paren.txt", // 一、 sections with （一） items; 1. sub-points stay in the item's text
		want: wantPlan{
			title: "苍梧市科学技术局2024年工作要点", issuer: "苍梧市科学技术局", year: 2024,
			preambleStart: "2024年，市科技局将围绕建设区域科技创新中心",
			sections: []wantSection{
				{1, "聚焦创新平台建设", []wantItem{{1, "建设苍梧实验室", nil}, {2, "提升企业研发中心水平", nil}}},
				{2, "聚焦科技企业培育", []wantItem{{1, "实施科技型中小企业培育工程", nil}, {2, "推动科技企业上市", []string{"龙溪县", "苍梧经开区"}}}},
				{3, "聚焦机关自身建设", []wantItem{{1, "加强作风建设", nil}}},
			},
		},
	}, {
		file: "f_gbk.txt", // GBK bytes, CRLF, an attachment table pasted cell by cell
		want: wantPlan{
			title: "鹤鸣县2024年科技工作要点", issuer: "鹤鸣县科学技术局", issuedOn: "2024-02-20", year: 2024,
			addressees:    "各乡（镇）人民政府，县直有关部门",
			preambleStart: "2024年，全县科技工作以推动高质量发展为主题",
			sections: []wantSection{
				{1, "强化科技创新平台建设", []wantItem{{1, "推进县级工程技术研究中心建设", nil}, {2, "建设星创天地", nil}}},
				{2, "加快科技成果转化", []wantItem{{3, "开展科技成果转化项目", nil}}},
			},
			keys: []wantKey{{
				no: 1, title: "建设县级工程技术研究中心", due: "2024-10-31", dueText: "2024年10月底",
				measures: []wantMeasure{{text: "完成中心建设方案", done: true, note: "已完成"}, {text: "组织专家评审"}, {text: "挂牌运行"}},
			}, {
				no: 2, title: "组织科技成果对接活动", due: "2024-12-31", dueText: "年底前",
				measures: []wantMeasure{{text: "举办对接会2场"}, {text: "签约项目5个"}},
			}},
		},
	}, {
		file: "h_page.html", // a page saved from a government website
		want: wantPlan{
			title: "梅岭市2024年科技创新工作要点", issuer: "梅岭市科学技术局", issuedOn: "2024-03-01", year: 2024,
			docNo: "梅市科〔2024〕12号", addressees: "各区（市）县科技主管部门，局机关各处室",
			preambleStart: "2024年，全市科技工作要聚焦打造“三大高地”",
			sections: []wantSection{
				{1, "强化创新策源能力", []wantItem{{1, "建设梅岭科学城", nil}, {2, "布局重大创新平台", nil}}},
				{2, "提升产业创新水平", []wantItem{{3, "实施关键核心技术攻关", []string{"桃源县", "梅岭高新区"}}, {4, "培育科技型企业", nil}}},
			},
			keys: []wantKey{{
				no: 1, title: "建设梅岭科学城", lead: []string{"市科技局", "梅岭高新区"}, due: "2024-11-30", dueText: "2024年11月底前",
				measures: []wantMeasure{{text: "完成科学城控制性详细规划"}, {text: "引进研发机构5家"}},
			}, {
				no: 2, title: "争创全国重点实验室", lead: []string{"市科技局"}, due: "2024-06-30", dueText: "2024年6月底",
				measures: []wantMeasure{{text: "组织申报材料"}, {text: "迎接现场考察", done: true, note: "已完成"}},
			}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := mustParse(t, tt.file, readFixture(t, tt.file))
			checkPlan(t, p, tt.want)
		})
	}
}

// TestParseHTMLCharset re-encodes the web page as GB2312 pages are served.
func TestParseHTMLCharset(t *testing.T) {
	page := strings.Replace(string(readFixture(t, "h_page.html")), "charset=utf-8", "charset=gb2312", 1)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, "page.htm", []byte(gbk))
	if p.Title != "梅岭市2024年科技创新工作要点" || len(p.Sections) != 2 || len(p.KeyItems) != 2 {
		t.Errorf("GB2312 page: title %q, %d sections, %d key items", p.Title, len(p.Sections), len(p.KeyItems))
	}
}

// docx helpers: a minimal WordprocessingML package.

func docxPara(text string) string {
	return `<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(text) + `</w:t></w:r></w:p>`
}

// docxRuns writes a paragraph split over runs, as Word does.
func docxRuns(parts ...string) string {
	var b strings.Builder
	b.WriteString("<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>")
	for _, p := range parts {
		b.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t>` + html.EscapeString(p) + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// docxListPara is a paragraph numbered by Word (numbering.xml), its number not in the text.
func docxListPara(numID int, text string) string {
	return fmt.Sprintf(`<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr><w:ind w:firstLine="640"/></w:pPr><w:r><w:tab/><w:t>%s</w:t></w:r></w:p>`, numID, html.EscapeString(text))
}

func docxTable(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
	for _, r := range rows {
		b.WriteString("<w:tr>")
		for _, c := range r {
			b.WriteString("<w:tc><w:tcPr><w:tcW w:w=\"2000\"/></w:tcPr>")
			for _, p := range strings.Split(c, "\n") {
				b.WriteString(docxPara(p))
			}
			b.WriteString("</w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	return b.String()
}

const docxNumbering = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`

// buildDocx writes a .docx holding body (WordprocessingML of w:body).
func buildDocx(t testing.TB, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, text string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `<w:sectPr/></w:body></w:document>`},
		{"word/numbering.xml", docxNumbering},
	}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleDocx is a city plan as a Word file: numbered by Word, with a table.
func sampleDocx(t testing.TB) []byte {
	return buildDocx(t, strings.Join([]string{
		docxPara("松山市科学技术局"),
		docxPara("关于印发《松山市2024年科技创新工作要点》的通知"),
		docxPara("各县（区）科技局，局各科室："),
		docxPara("现将《松山市2024年科技创新工作要点》印发给你们，请认真贯彻落实。"),
		docxPara("松山市科学技术局"),
		docxPara("2024年4月2日"),
		docxRuns("松山市2024年", "科技创新工作要点"),
		docxPara("2024年，全市科技工作要加快构建科技创新、成果转化、人才引育“三大体系”，全市高新技术企业达到300家。"),
		docxListPara(1, "夯实创新平台"),
		docxListPara(2, "建设松山实验室。完成实验室一期建设，引进科研团队10个。"),
		docxListPara(2, "推进孵化载体建设。支持竹溪县建设省级科技企业孵化器。"),
		docxListPara(1, "壮大创新主体"),
		docxListPara(2, "培育高新技术企业。开展高新技术企业申报辅导。"),
		docxPara("附件"),
		docxPara("松山市2024年十件大事"),
		docxTable(
			[]string{"序号", "工作事项", "工作举措", "牵头单位", "时间节点"},
			[]string{"1", "建设松山实验室", "1.完成选址；2.启动建设（已完成）", "市科技局", "2024年12月底"},
			[]string{"2", "培育高新技术企业", "1.建立培育库\n2.开展申报辅导", "市科技局、竹溪县", "每季度末"},
		),
	}, ""))
}

func TestParseDocx(t *testing.T) {
	p := mustParse(t, "plan.docx", sampleDocx(t))
	checkPlan(t, p, wantPlan{
		title: "松山市2024年科技创新工作要点", issuer: "松山市科学技术局", issuedOn: "2024-04-02", year: 2024,
		addressees:    "各县（区）科技局，局各科室",
		themes:        []string{"科技创新", "成果转化", "人才引育"},
		preambleStart: "2024年，全市科技工作要加快构建",
		sections: []wantSection{
			{1, "夯实创新平台", []wantItem{{1, "建设松山实验室", nil}, {2, "推进孵化载体建设", []string{"竹溪县"}}}},
			{2, "壮大创新主体", []wantItem{{3, "培育高新技术企业", nil}}},
		},
		keys: []wantKey{{
			no: 1, title: "建设松山实验室", lead: []string{"市科技局"}, due: "2024-12-31", dueText: "2024年12月底",
			measures: []wantMeasure{{text: "完成选址"}, {text: "启动建设", done: true, note: "已完成"}},
		}, {
			no: 2, title: "培育高新技术企业", lead: []string{"市科技局", "竹溪县"}, dueText: "每季度末",
			measures: []wantMeasure{{text: "建立培育库"}, {text: "开展申报辅导"}},
		}},
	})
	// The same bytes named .bin are still recognised as a .docx by content.
	if _, err := Parse("upload.bin", sampleDocx(t)); err != nil {
		t.Errorf("docx by content: %v", err)
	}
}

func TestParseKnownUnits(t *testing.T) {
	data := readFixture(t, "seed.txt")
	p, err := ParseWith("seed.txt", data, Options{KnownUnits: []string{"遂宁市", "射洪市", "遂宁高新区", "遂宁经开区", "大英县", "蓬溪县", "安居区", "河东新区"}})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Sections[3].Items[0].Units // item 8
	if want := []string{"蓬溪县", "安居区"}; !reflect.DeepEqual(got, want) {
		t.Errorf("item 8 units = %q, want %q", got, want)
	}
	got = p.Sections[2].Items[2].Units // item 7
	if want := []string{"遂宁高新区", "遂宁经开区", "遂宁市"}; !reflect.DeepEqual(got, want) {
		t.Errorf("item 7 units = %q, want %q", got, want)
	}
}

func TestParseNotPlan(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 200, 17}, 100)...)
	zipNotDocx := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("hello.txt")
		w.Write([]byte("hi"))
		zw.Close()
		return buf.Bytes()
	}()
	tests := []struct {
		name string
		data []byte
		err  error
		msg  string
	}{
		{"empty.txt", nil, ErrNotPlan, "文件为空"},
		{"blank.txt", []byte(" \r\n\t\n"), ErrNotPlan, "文件为空"},
		{"notes.txt", []byte("今天天气很好。\n我们去公园散步,然后回家吃饭。\n"), ErrNotPlan, "未识别到工作要点的结构"},
		{"title-only.txt", []byte("2024年全市科技工作要点\n今年要继续努力,做好各项工作。\n"), ErrNotPlan, "未识别到编号的条目"},
		{"photo.png", png, ErrNotPlan, "不是文本"},
		{"photo.txt", png, ErrNotPlan, "不是文本"},
		{"scan.pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), ErrFormat, "PDF"},
		{"old.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 100)), ErrFormat, ".doc"},
		{"broken.docx", []byte("this is not a zip"), ErrFormat, ".docx"},
		{"other.docx", zipNotDocx, ErrFormat, ".docx"},
		{"page.html", []byte("<html><body><p>欢迎访问本网站</p></body></html>"), ErrNotPlan, "未识别到工作要点"},
		{"huge.txt", make([]byte, MaxSize+1), ErrTooLarge, "文件过大"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.name, tt.data)
			if p != nil || !errors.Is(err, tt.err) {
				t.Fatalf("Parse = %v, %v; want error %v", p, err, tt.err)
			}
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(pe.Message, tt.msg) {
				t.Errorf("error %v: want a *Error with message containing %q", err, tt.msg)
			}
		})
	}
}

func TestParseHeading(t *testing.T) {
	tests := []struct {
		in    string
		level int
		n     int
		rest  string
	}{
		{"一、加速区域创新融入", levelCN, 1, "加速区域创新融入"},
		{"十二、其他", levelCN, 12, "其他"},
		{"二十、其他", levelCN, 20, "其他"},
		{"（三）加强作风建设", levelParen, 3, "加强作风建设"},
		{"(3)加强", levelParen1, 3, "加强"},
		{"1.全面融入", levelArabic, 1, "全面融入"},
		{"１７．认真落实", levelArabic, 17, "认真落实"},
		{"2、推进", levelArabic, 2, "推进"},
		{"2、9月底前", levelArabic, 2, "9月底前"},
		{"1.5亿元", levelNone, 0, ""},
		{"2023年是", levelNone, 0, ""},
		{"十四五规划", levelNone, 0, ""},
		{"一是加强", levelNone, 0, ""},
		{"(市、区)", levelNone, 0, ""},
	}
	for _, tt := range tests {
		h, ok := parseHeading(tt.in)
		if tt.level == levelNone {
			if ok {
				t.Errorf("parseHeading(%q) = %+v, want none", tt.in, h)
			}
			continue
		}
		if !ok || h.level != tt.level || h.n != tt.n || h.rest != tt.rest {
			t.Errorf("parseHeading(%q) = %+v %v, want %d %d %q", tt.in, h, ok, tt.level, tt.n, tt.rest)
		}
	}
}

func TestFindDue(t *testing.T) {
	tests := []struct {
		in           string
		cell         bool
		due, dueText string
	}{
		{"力争2023年12月底前完成", false, "2023-12-31", "2023年12月底前"},
		{"6月底前完成方案", false, "2024-06-30", "6月底前"},
		{"２０２４年６月底", false, "2024-06-30", "２０２４年６月底"},
		{"每季度末报送", false, "", "每季度末"},
		{"年底前建成投用", false, "2024-12-31", "年底前"},
		{"上半年完成", false, "2024-06-30", "上半年"},
		{"第三季度末", false, "2024-09-30", "第三季度末"},
		{"6月前完成", false, "", "6月前"},
		{"2023年3月召开大会", false, "", ""},
		{"建立长期稳定的合作关系", false, "", ""},
		{"2024年2月29日", false, "2024-02-29", "2024年2月29日"},
		{"2023年2月30日", false, "", "2023年2月30日"},
		{"2024年12月", true, "2024-12-31", "2024年12月"},
		{"2024.6", true, "2024-06-30", "2024.6"},
		{"长期坚持", true, "", "长期坚持"},
		{"3月底前完成方案，11月底前完成验收", true, "2024-11-30", "3月底前完成方案，11月底前完成验收"},
	}
	for _, tt := range tests {
		due, text := findDue(tt.in, 2024, tt.cell)
		if due != tt.due || text != tt.dueText {
			t.Errorf("findDue(%q, %v) = %q %q, want %q %q", tt.in, tt.cell, due, text, tt.due, tt.dueText)
		}
	}
	if due, text := findDue("6月底前", 0, false); due != "" || text != "6月底前" {
		t.Errorf("without a year: %q %q", due, text)
	}
}

func TestSplitMeasures(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"1.甲；2.乙；3.丙。", []string{"甲", "乙", "丙"}},
		{"1.甲；2乙；3.丙", []string{"甲", "乙", "丙"}},
		{"1.组织实施项目；3项以上", []string{"组织实施项目；3项以上"}},
		{"①甲；②乙", []string{"甲", "乙"}},
		{"（1）甲；（2）乙", []string{"甲", "乙"}},
		{"1、甲，新增2个；2、乙", []string{"甲，新增2个", "乙"}},
		{"投入1.5亿元建设", []string{"投入1.5亿元建设"}},
		{"甲\n乙", []string{"甲", "乙"}},
		{"1.甲(已完成)；2.乙(尚未完成)", []string{"甲", "乙(尚未完成)"}},
	}
	for _, tt := range tests {
		ms := splitMeasures(tt.in, 2024)
		var got []string
		for _, m := range ms {
			got = append(got, m.Text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitMeasures(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindUnits(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"支持射洪市创建国家、省级创新型县(市)", []string{"射洪市"}},
		{"支持高新区开展“三招三引”,推动遂宁高新区建成", []string{"遂宁高新区"}},
		{"推进省农科院(射洪)中试熟化基地建设", nil},
		{"推动智慧城市建设,支持有条件的县开展试点", nil},
		{"推动产业园区提档升级", nil},
		{"联合潼南区科技局", nil},
		{"支持蓬溪县、安居区等创建,支持安居区建设", []string{"蓬溪县", "安居区"}},
	}
	for _, tt := range tests {
		if got := findUnits(tt.in, nil); !eqStrings(got, tt.want) {
			t.Errorf("findUnits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextTables(t *testing.T) {
	in := "附件\n| 序号 | 任务 | 措施 |\n|---|---|---|\n| 1 | 甲 | 1.做甲 |\n| 2 | 乙 | 1.做乙 |\n说明文字。"
	bl := textBlocks(in)
	if len(bl) != 3 || bl[0].text != "附件" || len(bl[1].rows) != 3 || bl[2].text != "说明文字。" {
		t.Fatalf("markdown table: %+v", bl)
	}
	if got := bl[1].rows[1]; !reflect.DeepEqual(got, []string{"1", "甲", "1.做甲"}) {
		t.Errorf("row = %q", got)
	}
	tsv := "序号\t任务\t措施\n1\t甲\t做甲\n"
	if bl := textBlocks(tsv); len(bl) != 1 || len(bl[0].rows) != 2 {
		t.Errorf("tab-separated table: %+v", bl)
	}
}

func TestClean(t *testing.T) {
	tests := map[string]string{
		"的通 知":           "的通知",
		"  现将《要点》  印发  ": "现将《要点》印发",
		"遂宁市科学技术局办公室 2023年2月28日印发": "遂宁市科学技术局办公室 2023年2月28日印发",
		"a\u200bb\u3000c": "ab c",
	}
	for in, want := range tests {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse checks that no input panics or hangs, and that a nil error
// comes with a plan.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"seed.txt", "a_provincial.txt", "b_breakdown.txt", "c_targets.txt", "d_stretch.txt", "e_paren.txt", "f_gbk.txt", "h_page.html"} {
		f.Add(name, readFixture(f, name))
	}
	f.Add("plan.docx", sampleDocx(f))
	f.Add("x.txt", []byte("一、\n1.\n（一）\n附件\n|\n| |\n1\n| a\n|"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				panic("HANG\n" + string(buf[:n]))
			}
		}()
		p, err := parse(name, data, Options{}) // no recover: a panic fails the fuzz run
		close(done)
		if err == nil && p == nil {
			t.Fatal("nil plan without an error")
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("error %v is not a *Error with a message", err)
			}
		}
	})
}
