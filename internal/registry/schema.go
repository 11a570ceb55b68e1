// Package registry keeps the S&T registries (科技主体库): enterprises with
// their qualifications (国家高新技术企业, 科技型中小企业 and configurable
// others), technology contracts, innovation platforms, S&T projects, talent
// teams and science commissioners, and computes indicators from them.
//
// Each registry is described by a Kind: its fields with their Chinese
// headers, types and rules. One description drives validation, the .xlsx
// template, import and export, CSV, the web forms and lists, so the Excel
// columns and the forms cannot drift apart. A row is a Record whose Values
// hold each field in canonical text (dates YYYY-MM-DD, money integer yuan).
package registry

import (
	"slices"
	"strconv"
	"strings"
)

// FieldType says how a field is parsed, checked and stored.
type FieldType int

const (
	Text    FieldType = iota
	USCC              // 统一社会信用代码, GB 32100-2015
	Enum              // one of Choices, or of the configurable list named by Options
	Date              // YYYY-MM-DD
	Money             // integer yuan; the header says 元 or 万元
	Int               // a whole number (a year, a count)
	UnitRef           // an org unit, by name or code
	List              // several of the configurable list named by Options, joined by 、
)

var fieldTypeNames = [...]string{Text: "text", USCC: "uscc", Enum: "enum", Date: "date", Money: "money", Int: "int", UnitRef: "unit", List: "list"}

// String names the type, for the templates: text, uscc, enum, date,
// money, int, unit, list.
func (t FieldType) String() string {
	if t < 0 || int(t) >= len(fieldTypeNames) {
		return "FieldType(" + strconv.Itoa(int(t)) + ")"
	}
	return fieldTypeNames[t]
}

// Field is one column of a registry.
type Field struct {
	Key      string // column and Values key
	Label    string // Chinese header, without the money unit
	Type     FieldType
	Required bool
	// Choices are the fixed values of an Enum; Options names a
	// configurable list (Options) instead.
	Choices []string
	Options string
	MaxLen  int
	// Virtual fields are not columns of the record's table: the
	// enterprise's qualification columns.
	Virtual bool
	// Natural marks the field(s) that identify a record on import: rows
	// with the same natural key merge.
	Natural bool
	// List shows the field in the list page; Search makes it searchable.
	List, Search bool
	Help         string
}

// Kind is one registry.
type Kind struct {
	Name   string // URL and CLI name: enterprises, contracts, …
	Title  string // 企业, 技术合同, …
	Table  string
	Entity string // audit entity and history entity: enterprise, contract, …
	Fields []Field
	// DateField is the date the list's date range filters on.
	DateField string
	// Sorts are the fields a list may sort by (besides the default, newest first).
	Sorts []string
}

// Field returns the field with key, or nil.
func (k *Kind) Field(key string) *Field {
	for i := range k.Fields {
		if k.Fields[i].Key == key {
			return &k.Fields[i]
		}
	}
	return nil
}

// Stored returns the fields that are columns of the kind's table, in order.
func (k *Kind) Stored() []Field {
	var out []Field
	for _, f := range k.Fields {
		if !f.Virtual && f.Type != UnitRef {
			out = append(out, f)
		}
	}
	return out
}

// Naturals returns the keys of the natural-key fields.
func (k *Kind) Naturals() []string {
	var out []string
	for _, f := range k.Fields {
		if f.Natural {
			out = append(out, f.Key)
		}
	}
	return out
}

// Enums returns the fields a list can filter by a value (enumerations).
func (k *Kind) Enums() []Field {
	var out []Field
	for _, f := range k.Fields {
		if f.Type == Enum && !f.Virtual {
			out = append(out, f)
		}
	}
	return out
}

// Header returns a field's header as the template writes it: the label,
// with the money unit for money, and * for required fields.
func (f *Field) Header() string {
	h := f.Label
	if f.Type == Money {
		h += "(元)"
	}
	if f.Required {
		h += "*"
	}
	return h
}

// Contract types (技术合同认定登记).
var ContractTypes = []string{"技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"}

// Platform levels; "省级以上" counts 国家 and 省 (the store's queries).
var PlatformLevels = []string{"国家", "省", "市"}

// Project statuses.
var ProjectStatuses = []string{"申报", "立项", "在研", "结题", "终止"}

// Qualification kinds stored for enterprises; other qualifications use
// their name from the "qualification" list (瞪羚企业, 专精特新, …).
const (
	HTE  = "hte"  // 国家高新技术企业: certificate, valid three years
	TSME = "tsme" // 科技型中小企业: registered (入库) per year
)

// The registries.
var (
	Enterprises = &Kind{Name: "enterprises", Title: "企业", Table: "reg_enterprises", Entity: "enterprise",
		Sorts: []string{"name", "uscc", "unit"},
		Fields: []Field{
			{Key: "uscc", Label: "统一社会信用代码", Type: USCC, Required: true, Natural: true, List: true, Search: true,
				Help: "18位,按 GB 32100-2015 校验;请将该列设置为文本格式"},
			{Key: "name", Label: "企业名称", Type: Text, Required: true, MaxLen: 100, List: true, Search: true},
			{Key: "unit", Label: "所属单位", Type: UnitRef, Required: true, List: true, Help: "县(市、区)或园区名称,或其行政区划代码"},
			{Key: "industry", Label: "所属行业", Type: Enum, Options: "industry", List: true},
			{Key: "address", Label: "地址", Type: Text, MaxLen: 200},
			{Key: "contact", Label: "联系人", Type: Text, MaxLen: 40},
			{Key: "phone", Label: "联系电话", Type: Text, MaxLen: 40},
			{Key: "hte_no", Label: "高企证书编号", Type: Text, MaxLen: 40, Virtual: true, List: true, Search: true},
			{Key: "hte_issued", Label: "高企发证日期", Type: Date, Virtual: true, Help: "证书有效期三年"},
			{Key: "hte_revoked", Label: "高企撤销日期", Type: Date, Virtual: true, Help: "资格被撤销时填写"},
			{Key: "tsme_no", Label: "科小入库登记编号", Type: Text, MaxLen: 40, Virtual: true},
			{Key: "tsme_year", Label: "科小入库年度", Type: Int, Virtual: true, List: true},
			{Key: "others", Label: "其他资质", Type: List, Options: "qualification", Virtual: true, List: true,
				Help: "多个用顿号分隔,如 瞪羚企业、专精特新"},
		}}
	Contracts = &Kind{Name: "contracts", Title: "技术合同", Table: "reg_contracts", Entity: "contract",
		DateField: "registered_on", Sorts: []string{"registered_on", "contract_value", "tech_value", "reg_no"},
		Fields: []Field{
			{Key: "reg_no", Label: "登记编号", Type: Text, Required: true, Natural: true, MaxLen: 40, List: true, Search: true},
			{Key: "name", Label: "合同名称", Type: Text, Required: true, MaxLen: 200, List: true, Search: true},
			{Key: "type", Label: "合同类型", Type: Enum, Required: true, Choices: ContractTypes, List: true},
			{Key: "seller", Label: "卖方", Type: Text, Required: true, MaxLen: 100, List: true, Search: true},
			{Key: "seller_uscc", Label: "卖方统一社会信用代码", Type: USCC},
			{Key: "unit", Label: "卖方所属单位", Type: UnitRef, Required: true, List: true},
			{Key: "buyer", Label: "买方", Type: Text, Required: true, MaxLen: 100, Search: true},
			{Key: "buyer_region", Label: "买方所在地区", Type: Text, MaxLen: 60},
			{Key: "contract_value", Label: "合同成交额", Type: Money, Required: true, List: true},
			{Key: "tech_value", Label: "技术交易额", Type: Money, Required: true, List: true, Help: "不超过合同成交额"},
			{Key: "signed_on", Label: "签订日期", Type: Date},
			{Key: "registered_on", Label: "登记日期", Type: Date, Required: true, List: true},
		}}
	Platforms = &Kind{Name: "platforms", Title: "创新平台", Table: "reg_platforms", Entity: "platform",
		DateField: "approved_on", Sorts: []string{"approved_on", "name", "level"},
		Fields: []Field{
			{Key: "name", Label: "平台名称", Type: Text, Required: true, Natural: true, MaxLen: 100, List: true, Search: true},
			{Key: "kind", Label: "平台类型", Type: Enum, Required: true, Options: "platform_kind", List: true},
			{Key: "level", Label: "级别", Type: Enum, Required: true, Choices: PlatformLevels, List: true},
			{Key: "host", Label: "依托单位", Type: Text, Required: true, MaxLen: 100, List: true, Search: true},
			{Key: "host_uscc", Label: "依托单位统一社会信用代码", Type: USCC},
			{Key: "unit", Label: "所属单位", Type: UnitRef, Required: true, List: true},
			{Key: "approved_on", Label: "认定(批准)日期", Type: Date, Required: true, List: true},
		}}
	Projects = &Kind{Name: "projects", Title: "科技项目", Table: "reg_projects", Entity: "project",
		DateField: "start_on", Sorts: []string{"start_on", "budget", "name"},
		Fields: []Field{
			{Key: "code", Label: "项目编号", Type: Text, Required: true, Natural: true, MaxLen: 40, List: true, Search: true},
			{Key: "name", Label: "项目名称", Type: Text, Required: true, MaxLen: 200, List: true, Search: true},
			{Key: "category", Label: "项目类别", Type: Enum, Required: true, Options: "project_category", List: true},
			{Key: "owner", Label: "承担单位", Type: Text, Required: true, MaxLen: 100, List: true, Search: true},
			{Key: "unit", Label: "所属单位", Type: UnitRef, Required: true, List: true},
			{Key: "budget", Label: "财政资金", Type: Money, List: true},
			{Key: "start_on", Label: "开始日期", Type: Date, Required: true, List: true},
			{Key: "end_on", Label: "结束日期", Type: Date},
			{Key: "status", Label: "状态", Type: Enum, Required: true, Choices: ProjectStatuses, List: true},
		}}
	Teams = &Kind{Name: "teams", Title: "人才团队", Table: "reg_teams", Entity: "team",
		Sorts: []string{"year", "name"},
		Fields: []Field{
			{Key: "name", Label: "团队名称", Type: Text, Required: true, Natural: true, MaxLen: 100, List: true, Search: true},
			{Key: "leader", Label: "带头人", Type: Text, Required: true, MaxLen: 40, List: true, Search: true},
			{Key: "host", Label: "依托单位", Type: Text, Required: true, MaxLen: 100, List: true, Search: true},
			{Key: "unit", Label: "所属单位", Type: UnitRef, Required: true, List: true},
			{Key: "field", Label: "专业领域", Type: Text, MaxLen: 60},
			{Key: "members", Label: "团队人数", Type: Int},
			{Key: "year", Label: "引进年度", Type: Int, Required: true, List: true},
		}}
	Commissioners = &Kind{Name: "commissioners", Title: "科技特派员", Table: "reg_commissioners", Entity: "commissioner",
		Sorts: []string{"year", "name"},
		Fields: []Field{
			{Key: "name", Label: "姓名", Type: Text, Required: true, Natural: true, MaxLen: 40, List: true, Search: true},
			{Key: "employer", Label: "派出单位", Type: Text, Required: true, Natural: true, MaxLen: 100, List: true, Search: true},
			{Key: "unit", Label: "服务单位(县区)", Type: UnitRef, Required: true, List: true},
			{Key: "served", Label: "服务对象", Type: Text, MaxLen: 100, Search: true},
			{Key: "expertise", Label: "专业特长", Type: Text, MaxLen: 60, List: true},
			{Key: "year", Label: "选派年度", Type: Int, Required: true, List: true},
		}}
)

// Kinds lists every registry in menu order.
var Kinds = []*Kind{Enterprises, Contracts, Platforms, Projects, Teams, Commissioners}

// KindByName returns the registry named name, or nil.
func KindByName(name string) *Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Options are the configurable lists by name: industry (the plan's key
// industries), qualification (other enterprise qualifications),
// platform_kind and project_category. They live in the database
// (reg_options) and can be changed by bureau staff.
type Options map[string][]string

// DefaultOptions are the lists a new database starts with (also seeded by
// migration 0007).
var DefaultOptions = Options{
	"industry":         {"锂电", "电子信息", "能源化工", "装备制造", "食品", "生物医药", "新材料", "现代农业", "其他"},
	"qualification":    {"瞪羚企业", "专精特新", "创新型中小企业", "技术先进型服务企业"},
	"platform_kind":    {"重点实验室", "工程技术研究中心", "企业技术中心", "新型研发机构", "孵化器", "众创空间", "国际科技合作基地", "科普基地", "农业科技园区", "院士(专家)工作站"},
	"project_category": {"重大科技专项", "揭榜挂帅", "重点研发", "成果转化", "软科学", "其他"},
}

// OptionLists names the configurable lists with their Chinese titles.
var OptionLists = []struct{ Name, Title string }{
	{"industry", "行业"}, {"qualification", "其他资质"}, {"platform_kind", "平台类型"}, {"project_category", "项目类别"},
}

// ChoicesOf returns the values an Enum or List field accepts.
func (o Options) ChoicesOf(f *Field) []string {
	if f.Options != "" {
		if v, ok := o[f.Options]; ok {
			return v
		}
		return DefaultOptions[f.Options]
	}
	return f.Choices
}

// splitList splits a List cell on 、 , ; and spaces, dropping empties and
// duplicates.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("、,,;; \u3000\n", r)
	})
	var out []string
	for _, p := range parts {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
