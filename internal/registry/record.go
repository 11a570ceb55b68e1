package registry

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/text"
)

// Record is one row of a registry. Values holds every field of its Kind in
// canonical text: dates YYYY-MM-DD, money integer yuan, the unit's name
// under "unit". An enterprise's Values include its current
// qualifications (hte_no, tsme_year, others, …); Quals holds them all,
// with their history.
type Record struct {
	ID        int64             `json:"id"`
	Kind      string            `json:"kind"`
	UnitID    int64             `json:"unit_id"`
	Values    map[string]string `json:"values"`
	Quals     []Qualification   `json:"qualifications,omitempty"`
	Version   int64             `json:"version"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	// Present names the fields the input had (an imported file's
	// columns); a merge keeps the other fields of an existing record as
	// they are. Nil means every field.
	Present map[string]bool `json:"-"`
}

// Has reports whether the input had field key.
func (r *Record) Has(key string) bool { return r.Present == nil || r.Present[key] }

// V returns a value ("" when unset).
func (r *Record) V(key string) string { return r.Values[key] }

// Int returns a money or integer value (0 when unset).
func (r *Record) Int(key string) int64 {
	n, _ := strconv.ParseInt(r.Values[key], 10, 64)
	return n
}

// Key returns the record's natural key: the natural fields' values joined.
func (k *Kind) Key(values map[string]string) string {
	var parts []string
	for _, n := range k.Naturals() {
		parts = append(parts, values[n])
	}
	return strings.Join(parts, "\x1f")
}

// Qualification is an enterprise's qualification: a 国家高新技术企业
// certificate (Kind HTE: number, issue date, valid three years, maybe
// revoked), a 科技型中小企业 registration (Kind TSME: number, year), or
// another qualification by name (瞪羚企业, 专精特新). Old ones are kept:
// they are the enterprise's history.
type Qualification struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Number    string `json:"number,omitempty"`
	Year      int    `json:"year,omitempty"`
	IssuedOn  string `json:"issued_on,omitempty"`
	ExpiresOn string `json:"expires_on,omitempty"`
	RevokedOn string `json:"revoked_on,omitempty"`
}

// HTEValidYears is how long a high-tech enterprise certificate is valid.
const HTEValidYears = 3

// HTEExpiry returns the last day a certificate issued on issued
// (YYYY-MM-DD) is valid: three years less a day.
func HTEExpiry(issued string) string {
	t, err := time.Parse(time.DateOnly, issued)
	if err != nil {
		return ""
	}
	return t.AddDate(HTEValidYears, 0, -1).Format(time.DateOnly)
}

// Env is what parsing a row needs besides the row: the units (to resolve
// names), the scope of the user (a reporter may only write its own units'
// records), the configurable lists and the scale of each money column.
type Env struct {
	Units   []org.Unit
	Scope   auth.Scope
	Options Options
	// Scales maps a money field to the scale its column is in; Yuan when
	// missing.
	Scales map[string]MoneyScale
}

// UnitByRef finds a unit by name, code or division code.
func (e *Env) UnitByRef(ref string) (org.Unit, bool) {
	ref = strings.TrimSpace(ref)
	for _, u := range e.Units {
		if u.Name == ref || u.Code == ref || (u.DivisionCode != "" && u.DivisionCode == ref) {
			return u, true
		}
	}
	return org.Unit{}, false
}

// numericCell matches what Excel keeps of a long digit string typed into a
// number cell: 9.15109E+17, 915109000000000000, 9.15109000000000E+17.
var numericCell = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([eE]\+?[0-9]+)?$`)

// MsgTextFormat is the message for a USCC that Excel turned into a number.
const MsgTextFormat = "统一社会信用代码被 Excel 存成了数字,后几位已丢失:请将该列设置为文本格式后重新填写"

// Parse checks raw input (field key → text as typed or read from a cell)
// against the kind's rules and returns the record in canonical form, or
// the messages by field key. Fields missing from raw are empty.
func (k *Kind) Parse(raw map[string]string, env *Env) (Record, map[string]string) {
	rec := Record{Kind: k.Name, Values: map[string]string{}}
	errs := map[string]string{}
	for i := range k.Fields {
		f := &k.Fields[i]
		s := strings.TrimSpace(raw[f.Key])
		if s == "" {
			if f.Required {
				errs[f.Key] = "请填写" + f.Label
			}
			rec.Values[f.Key] = ""
			continue
		}
		v, err := k.parseField(f, s, env, &rec)
		if err != nil {
			errs[f.Key] = err.Error()
			continue
		}
		rec.Values[f.Key] = v
	}
	k.crossCheck(&rec, errs)
	return rec, errs
}

func (k *Kind) parseField(f *Field, s string, env *Env, rec *Record) (string, error) {
	switch f.Type {
	case Text:
		if numericCell.MatchString(s) && strings.ContainsAny(s, "eE") {
			// A long number (a registration number) in a number cell.
			return "", fmt.Errorf("%s被 Excel 存成了数字(%s),后几位已丢失:请将该列设置为文本格式后重新填写", f.Label, s)
		}
		// Line breaks in a cell (Alt+Enter) fold to spaces; what is left
		// follows the project's one rule for single-line text (issue 7).
		s = strings.Join(strings.Fields(s), " ")
		if msg := text.Line(f.Label, s); msg != "" {
			return "", errors.New(msg)
		}
		if f.MaxLen > 0 && len([]rune(s)) > f.MaxLen {
			return "", fmt.Errorf("%s不能超过%d个字", f.Label, f.MaxLen)
		}
		return s, nil
	case USCC:
		u := NormalizeUSCC(s)
		if err := CheckUSCC(u); err != nil {
			if numericCell.MatchString(u) && (strings.ContainsAny(u, ".eE") || len(u) != 18 || strings.HasSuffix(u, "000")) {
				return "", fmt.Errorf("%s", MsgTextFormat)
			}
			return "", err
		}
		return u, nil
	case Enum:
		choices := env.Options.ChoicesOf(f)
		if !slices.Contains(choices, s) {
			return "", fmt.Errorf("%s须为以下之一:%s", f.Label, strings.Join(choices, "、"))
		}
		return s, nil
	case List:
		choices := env.Options.ChoicesOf(f)
		items := splitList(s)
		for _, it := range items {
			if !slices.Contains(choices, it) {
				return "", fmt.Errorf("“%s”不在%s列表中(可选:%s)", it, f.Label, strings.Join(choices, "、"))
			}
		}
		sort.Strings(items)
		return strings.Join(items, "、"), nil
	case Date:
		d, err := ParseDate(s)
		if err != nil {
			return "", fmt.Errorf("%s:%v", f.Label, err)
		}
		return d, nil
	case Money:
		scale := Yuan
		if sc, ok := env.Scales[f.Key]; ok {
			scale = sc
		}
		n, err := ParseMoney(s, scale)
		if err != nil {
			return "", fmt.Errorf("%s:%v", f.Label, err)
		}
		return strconv.FormatInt(n, 10), nil
	case Int:
		n, err := ParseInt(s)
		if err != nil {
			return "", fmt.Errorf("%s%v", f.Label, err)
		}
		if f.Key == "year" || strings.HasSuffix(f.Key, "_year") {
			if n < 1949 || n > 2100 {
				return "", fmt.Errorf("%s须为四位年份", f.Label)
			}
		} else if n < 0 || n > 1e9 {
			return "", fmt.Errorf("%s须为非负整数", f.Label)
		}
		return strconv.FormatInt(n, 10), nil
	case UnitRef:
		u, ok := env.UnitByRef(s)
		if !ok {
			return "", fmt.Errorf("未找到单位“%s”", s)
		}
		if !env.Scope.Has(u.ID) {
			return "", fmt.Errorf("只能填报本单位及下级单位的记录,“%s”不在范围内", s)
		}
		rec.UnitID = u.ID
		return u.Name, nil
	}
	return s, nil
}

// crossCheck applies the rules that involve two fields.
func (k *Kind) crossCheck(rec *Record, errs map[string]string) {
	v := rec.Values
	ok := func(keys ...string) bool {
		for _, key := range keys {
			if _, bad := errs[key]; bad {
				return false
			}
		}
		return true
	}
	switch k.Name {
	case Enterprises.Name:
		if ok("hte_no", "hte_issued") {
			switch {
			case v["hte_no"] != "" && v["hte_issued"] == "":
				errs["hte_issued"] = "填写了高企证书编号,请同时填写发证日期"
			case v["hte_no"] == "" && v["hte_issued"] != "":
				errs["hte_no"] = "填写了高企发证日期,请同时填写证书编号"
			}
		}
		if ok("hte_revoked", "hte_issued") && v["hte_revoked"] != "" {
			if v["hte_issued"] == "" {
				errs["hte_revoked"] = "没有高企证书,不能填写撤销日期"
			} else if v["hte_revoked"] < v["hte_issued"] {
				errs["hte_revoked"] = "撤销日期不能早于发证日期"
			}
		}
		if ok("tsme_no", "tsme_year") {
			switch {
			case v["tsme_no"] != "" && v["tsme_year"] == "":
				errs["tsme_year"] = "填写了科小入库登记编号,请同时填写入库年度"
			case v["tsme_no"] == "" && v["tsme_year"] != "":
				errs["tsme_no"] = "填写了科小入库年度,请同时填写登记编号"
			}
		}
	case Contracts.Name:
		if ok("contract_value", "tech_value") && v["contract_value"] != "" && v["tech_value"] != "" {
			c, _ := strconv.ParseInt(v["contract_value"], 10, 64)
			t, _ := strconv.ParseInt(v["tech_value"], 10, 64)
			if t > c {
				errs["tech_value"] = "技术交易额不能大于合同成交额"
			}
		}
		if ok("signed_on", "registered_on") && v["signed_on"] != "" && v["registered_on"] != "" && v["registered_on"] < v["signed_on"] {
			errs["registered_on"] = "登记日期不能早于签订日期"
		}
	case Projects.Name:
		if ok("start_on", "end_on") && v["end_on"] != "" && v["start_on"] != "" && v["end_on"] < v["start_on"] {
			errs["end_on"] = "结束日期不能早于开始日期"
		}
	}
}

// Change is one field changed by a version.
type Change struct {
	Field  string `json:"field"`
	Label  string `json:"label"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Diff lists the fields whose values differ between before and after, in
// field order. A nil before (a new record) lists every non-empty field.
func (k *Kind) Diff(before, after map[string]string) []Change {
	var out []Change
	for _, f := range k.Fields {
		b, a := before[f.Key], after[f.Key]
		if a != b {
			out = append(out, Change{Field: f.Key, Label: f.Label, Before: b, After: a})
		}
	}
	return out
}

// Version is one entry of a record's history: who changed what, when.
type Version struct {
	Version   int64     `json:"version"`
	Action    string    `json:"action"` // created or updated
	ActorName string    `json:"actor"`
	At        time.Time `json:"at"`
	Changes   []Change  `json:"changes"`
}

// Filter selects records for a list or an export. Zero fields do not
// filter.
type Filter struct {
	Query  string            // part of a searchable field
	UnitID int64             // this unit and those below it
	Eq     map[string]string // enumeration field → value
	// Qual filters enterprises by qualification: HTE (a certificate valid
	// on QualOn, today when empty), TSME (registered in any year), or the
	// name of another qualification.
	Qual   string
	QualOn string
	From   string // DateField on or after (YYYY-MM-DD)
	To     string // DateField on or before
	Sort   string // a field of Kind.Sorts; "" newest first
	Desc   bool
	Limit  int // 50 when 0; at most MaxList
	Offset int
}

// List sizes.
const (
	DefaultLimit = 50
	MaxList      = 100000
)

// PageLimit returns the effective limit.
func (f Filter) PageLimit() int {
	switch {
	case f.Limit <= 0:
		return DefaultLimit
	case f.Limit > MaxList:
		return MaxList
	}
	return f.Limit
}
