package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/parse/target"
	"github.com/luoshi/luoshi/internal/text"
)

// TargetRef is one target of a plan with the place that holds it. Targets
// are numbered in one sequence over the plan, the order of Targets, so that
// a review form and its messages can name a target ("第3个目标").
type TargetRef struct {
	*plan.Target
	Index   int // 0-based position in Targets
	Section int // index of the section holding the work item, or -1
	Item    int // index of the work item in its section, or -1
	Key     int // index of the key item, or -1
}

// Headline reports whether the target is one of the plan's headline targets.
func (r TargetRef) Headline() bool { return r.Section < 0 && r.Key < 0 }

// Targets lists every target of p: the headline targets, then those of the
// work items section by section, then those of the key items.
func Targets(p *plan.Plan) []TargetRef {
	var out []TargetRef
	add := func(ts []plan.Target, section, item, key int) {
		for i := range ts {
			out = append(out, TargetRef{Target: &ts[i], Index: len(out), Section: section, Item: item, Key: key})
		}
	}
	add(p.Targets, -1, -1, -1)
	for si := range p.Sections {
		for ii := range p.Sections[si].Items {
			add(p.Sections[si].Items[ii].Targets, si, ii, -1)
		}
	}
	for ki := range p.KeyItems {
		add(p.KeyItems[ki].Targets, -1, -1, ki)
	}
	return out
}

// DropTargets removes the targets whose index (in the order of Targets)
// drop reports: numbers the parser took for targets that are not.
func DropTargets(p *plan.Plan, drop func(index int) bool) {
	i := 0
	keep := func(ts []plan.Target) []plan.Target {
		out := ts[:0]
		for _, t := range ts {
			if !drop(i) {
				out = append(out, t)
			}
			i++
		}
		return out
	}
	p.Targets = keep(p.Targets)
	for si := range p.Sections {
		for ii := range p.Sections[si].Items {
			it := &p.Sections[si].Items[ii]
			it.Targets = keep(it.Targets)
		}
	}
	for ki := range p.KeyItems {
		p.KeyItems[ki].Targets = keep(p.KeyItems[ki].Targets)
	}
}

// Field keys of Validate's errors; a review form names its inputs alike.
func SectionField(si int) string         { return fmt.Sprintf("section.%d.title", si) }
func ItemField(si, ii int) string        { return fmt.Sprintf("item.%d.%d.title", si, ii) }
func KeyField(ki int) string             { return fmt.Sprintf("key.%d.title", ki) }
func MeasureField(ki, mi int) string     { return fmt.Sprintf("key.%d.measure.%d.done", ki, mi) }
func TargetField(i int, f string) string { return fmt.Sprintf("target.%d.%s", i, f) }

// Limits of the edited texts, in characters.
const (
	maxTitle = 200
	maxText  = 100
)

// Validate checks what a reviewer may change: the metadata, the titles and
// the targets. The error is an invalid-input error whose Fields are keyed
// as the review form names its inputs (title, year, target.2.value …), each
// message naming its row in Chinese ("第3个目标:目标值须为不小于0的数字").
func Validate(p *plan.Plan) error {
	f := map[string]string{}
	if t := strings.TrimSpace(p.Title); t == "" {
		f["title"] = "计划名称不能为空"
	} else if utf8.RuneCountInString(t) > maxTitle {
		f["title"] = fmt.Sprintf("计划名称不能超过%d个字", maxTitle)
	} else if msg := text.Line("计划名称", t); msg != "" {
		f["title"] = msg
	}
	if utf8.RuneCountInString(p.Issuer) > maxTitle {
		f["issuer"] = fmt.Sprintf("印发单位不能超过%d个字", maxTitle)
	} else if msg := text.Line("印发单位", p.Issuer); msg != "" {
		f["issuer"] = msg
	}
	if utf8.RuneCountInString(p.DocNo) > maxText {
		f["doc_no"] = fmt.Sprintf("文号不能超过%d个字", maxText)
	} else if msg := text.Line("文号", p.DocNo); msg != "" {
		f["doc_no"] = msg
	}
	if p.Year < 2000 || p.Year > 2100 {
		f["year"] = "年度须为2000至2100之间的整数"
	}
	if p.IssuedOn != "" {
		if _, err := time.Parse(time.DateOnly, p.IssuedOn); err != nil {
			f["issued_on"] = "印发日期须为“年-月-日”格式,如 2023-02-28"
		}
	}
	title := func(key, row, s string) {
		switch s = strings.TrimSpace(s); {
		case s == "":
			f[key] = row + ":标题不能为空"
		case utf8.RuneCountInString(s) > maxTitle:
			f[key] = fmt.Sprintf("%s:标题不能超过%d个字", row, maxTitle)
		case text.Line("", s) != "":
			f[key] = row + ":" + text.Line("标题", s)
		}
	}
	for si, s := range p.Sections {
		title(SectionField(si), fmt.Sprintf("第%d个部分", si+1), s.Title)
		for ii, it := range s.Items {
			title(ItemField(si, ii), fmt.Sprintf("第%d个部分第%d条", si+1, ii+1), it.Title)
		}
	}
	for ki, k := range p.KeyItems {
		title(KeyField(ki), fmt.Sprintf("第%d件重点事项", ki+1), k.Title)
	}
	for _, r := range Targets(p) {
		row := fmt.Sprintf("第%d个目标", r.Index+1)
		if n := strings.TrimSpace(r.Name); n == "" {
			f[TargetField(r.Index, "name")] = row + ":指标名称不能为空"
		} else if utf8.RuneCountInString(n) > maxText {
			f[TargetField(r.Index, "name")] = fmt.Sprintf("%s:指标名称不能超过%d个字", row, maxText)
		} else if msg := text.Line("指标名称", n); msg != "" {
			f[TargetField(r.Index, "name")] = row + ":" + msg
		}
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || r.Value < 0 {
			f[TargetField(r.Index, "value")] = row + ":" + msgValue
		}
		if utf8.RuneCountInString(r.Unit) > 20 {
			f[TargetField(r.Index, "unit")] = row + ":单位不能超过20个字"
		} else if msg := text.Line("单位", r.Unit); msg != "" {
			f[TargetField(r.Index, "unit")] = row + ":" + msg
		}
		if !ValidComparator(r.Comparator) {
			f[TargetField(r.Index, "comparator")] = row + ":要求须为达到、突破、左右或不超过"
		}
	}
	if len(f) > 0 {
		return apperr.WithFields(MsgInvalid, f)
	}
	return nil
}

const msgValue = "目标值须为不小于0的数字"

// MsgValue is the message of a target value that is not a number ≥ 0; row
// is its 0-based index.
func MsgValue(row int) string { return fmt.Sprintf("第%d个目标:%s", row+1, msgValue) }

// Comparators are the comparators a target may have, in menu order.
var Comparators = []plan.Comparator{plan.AtLeast, plan.MoreThan, plan.About, plan.AtMost}

// ValidComparator reports whether c is one of Comparators.
func ValidComparator(c plan.Comparator) bool {
	for _, v := range Comparators {
		if c == v {
			return true
		}
	}
	return false
}

// WrittenValue returns a target's value as a person edits it: the number
// and unit as the document wrote them (15.3, 亿元) when Display says so,
// else the value in its base unit (185, 家).
func WrittenValue(t plan.Target) (number, unit string) {
	if t.Display != "" {
		num, u := splitNumber(t.Display)
		if v, ok := target.ParseNumber(num); ok && u != "" {
			if base, factor := target.Scale(u); base == t.Unit && sameValue(scaled(v, factor), t.Value) {
				return num, u
			}
		}
	}
	return strconv.FormatFloat(t.Value, 'f', -1, 64), t.Unit
}

// SetValue sets a target's value from a number and unit as written (15.3,
// 亿元 → 1530000000 元). Unchanged input keeps the document's Display;
// changed input becomes the new Display. It reports false, changing
// nothing, when number is not a number ≥ 0.
func SetValue(t *plan.Target, number, unit string) bool {
	number, unit = strings.TrimSpace(number), strings.TrimSpace(unit)
	v, ok := target.ParseNumber(number)
	if !ok || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if n, u := WrittenValue(*t); n == number && u == unit {
		return true
	}
	base, factor := target.Scale(unit)
	t.Value, t.Unit, t.Display = scaled(v, factor), base, number+unit
	return true
}

// scaled multiplies by a power of ten in decimal, so that 15.3 亿 is
// exactly 1530000000 and not 1530000000.0000002.
func scaled(v, factor float64) float64 {
	if factor == 1 {
		return v
	}
	exp := math.Round(math.Log10(factor))
	if math.Pow(10, exp) != factor {
		return v * factor
	}
	out, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', -1, 64)+"e"+strconv.Itoa(int(exp)), 64)
	if err != nil {
		return v * factor
	}
	return out
}

func sameValue(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// splitNumber splits "15.3亿元" into "15.3" and "亿元".
func splitNumber(s string) (number, rest string) {
	i := strings.IndexFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.' || r == ',') })
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}
