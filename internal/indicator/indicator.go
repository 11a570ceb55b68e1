package indicator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/plan"
)

// Indicator is a plan's target with what the progress rules need.
type Indicator struct {
	ID      int64  `json:"id"`
	PlanID  int64  `json:"plan_id"`
	TaskID  int64  `json:"task_id,omitempty"` // 0: a headline target of the plan
	Name    string `json:"name"`
	Unit    string `json:"unit"`
	Display string `json:"display,omitempty"`
	Source  string `json:"source,omitempty"`
	Spec
	Aggregation Aggregation `json:"aggregation"`
	// HasBase says whether last year's value is known; Spec.Base is 0 when not.
	HasBase bool  `json:"has_base"`
	Version int64 `json:"version"`
}

// Settings is what staff may change of an indicator: how it accumulates and
// is judged. Only non-nil fields change.
type Settings struct {
	Kind        *Kind
	Base        *float64 // nil keeps; use ClearBase to forget it
	ClearBase   bool
	LagMonths   *int
	Aggregation *Aggregation
}

// Apply validates s and applies it to ind.
func (s Settings) Apply(ind *Indicator) error {
	fields := map[string]string{}
	if s.Kind != nil {
		if !s.Kind.Valid() {
			fields["kind"] = "请选择指标类型（流量、存量或年度计数）"
		} else {
			ind.Kind = *s.Kind
		}
	}
	if s.LagMonths != nil {
		if *s.LagMonths < 0 || *s.LagMonths > 11 {
			fields["lag_months"] = "数据滞后月数须在0至11之间"
		} else {
			ind.LagMonths = *s.LagMonths
		}
	}
	if s.Aggregation != nil {
		switch *s.Aggregation {
		case Sum, Max, Avg:
			ind.Aggregation = *s.Aggregation
		default:
			fields["aggregation"] = "请选择汇总方式（求和、最大值或平均值）"
		}
	}
	switch {
	case s.ClearBase:
		ind.Base, ind.HasBase = 0, false
	case s.Base != nil:
		if err := checkNumber(*s.Base); err != "" {
			fields["base"] = "上年基数" + err
		} else {
			ind.Base, ind.HasBase = *s.Base, true
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("指标设置有误", fields)
	}
	return nil
}

// checkNumber returns why v is not a usable figure, or "".
func checkNumber(v float64) string {
	if v != v || v > 1e15 || v < -1e15 {
		return "须为有效数字"
	}
	return ""
}

// GuessKind proposes how an indicator accumulates from its name and unit, as
// a plan document words it; staff confirm or change it. Money (元) is a flow
// summed over the year; counts of entities that hold a status (企业, 平台,
// 基地 …) are stocks; registrations counted per year (入库, 备案, 登记 of
// entities) are annual counts; increment targets (新增) are judged on growth.
func GuessKind(name, unit string, increment bool) Kind {
	switch {
	case unit == "元":
		return Flow
	case unit == "%":
		return Stock
	case increment:
		return Stock
	case containsAny(name, "入库", "备案", "认定登记", "评价"):
		return Annual
	case containsAny(name, "企业", "平台", "机构", "基地", "园区", "中心", "实验室", "团队", "人才"):
		return Stock
	}
	return Flow
}

// GuessLag proposes how many months an indicator's data trail the calendar:
// statistics of spending, revenue and output are published after the month
// they describe.
func GuessLag(name string) int {
	switch {
	case containsAny(name, "研发投入", "研发经费", "研究与试验发展", "R&D"):
		return 3
	case containsAny(name, "营业收入", "产值", "增加值", "利润"):
		return 1
	}
	return 0
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Period is a reporting month.
type Period struct {
	Year, Month int
}

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	bad := apperr.WithFields("报告期有误", map[string]string{"period": "报告期须为“年-月”格式，如 2023-06"})
	if len(s) != 7 || s[4] != '-' {
		return Period{}, bad
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || y < 2000 || y > 2100 || m < 1 || m > 12 {
		return Period{}, bad
	}
	return Period{Year: y, Month: m}, nil
}

func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, p.Month) }

// Before reports whether p is an earlier month than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

// Sources of a value.
const (
	SourceReport   = "report"   // a unit's monthly report, approved by the bureau
	SourceRegistry = "registry" // computed from the registries
	SourceManual   = "manual"   // typed by bureau staff
	SourceDemo     = "demo"     // synthetic demo data
)

// Value is an indicator's year-to-date figure for a unit at the end of a
// month: the sum so far for a flow or an annual count, the level for a stock.
type Value struct {
	IndicatorID int64   `json:"indicator_id"`
	UnitID      int64   `json:"unit_id"`
	Period      Period  `json:"-"`
	Value       float64 `json:"value"`
	Source      string  `json:"source"`
	SourceRef   string  `json:"source_ref,omitempty"` // report id, registry query, …
	EnteredBy   string  `json:"entered_by,omitempty"` // username
	AsOf        string  `json:"as_of"`                // YYYY-MM-DD the figure describes
	Version     int64   `json:"version"`
}

// Validate checks a value typed by a person.
func (v *Value) Validate() error {
	fields := map[string]string{}
	if msg := checkNumber(v.Value); msg != "" {
		fields["value"] = "完成值" + msg
	}
	switch v.Source {
	case SourceReport, SourceRegistry, SourceManual, SourceDemo:
	default:
		fields["source"] = "数据来源无效"
	}
	if v.Period.Month < 1 || v.Period.Month > 12 {
		fields["period"] = "报告期无效"
	}
	if len(fields) > 0 {
		return apperr.WithFields("完成值有误", fields)
	}
	return nil
}

// Allocation is a unit's share of an indicator's city target (目标分解).
type Allocation struct {
	IndicatorID int64    `json:"indicator_id"`
	UnitID      int64    `json:"unit_id"`
	Target      float64  `json:"target"`
	Base        *float64 `json:"base,omitempty"`
	Version     int64    `json:"version"`
}

// Validate checks an allocation typed by a person.
func (a *Allocation) Validate() error {
	fields := map[string]string{}
	if msg := checkNumber(a.Target); msg != "" || a.Target < 0 {
		fields["target"] = "分解目标须为不小于0的数字"
	}
	if a.Base != nil {
		if msg := checkNumber(*a.Base); msg != "" {
			fields["base"] = "上年基数" + msg
		}
	}
	if a.UnitID == 0 {
		fields["unit_id"] = "请选择单位"
	}
	if len(fields) > 0 {
		return apperr.WithFields("目标分解有误", fields)
	}
	return nil
}

// FromTarget makes an indicator of a parsed target with guessed settings.
func FromTarget(t plan.Target) Indicator {
	cmp := t.Comparator
	if cmp == "" {
		cmp = plan.AtLeast
	}
	return Indicator{ID: t.ID, Name: t.Name, Unit: t.Unit, Display: t.Display, Source: t.Source,
		Spec: Spec{Kind: GuessKind(t.Name, t.Unit, t.Increment), Comparator: cmp, Target: t.Value,
			Increment: t.Increment, LagMonths: GuessLag(t.Name)}, Aggregation: Sum}
}

// Provenance says where v came from.
func (v Value) Provenance() Provenance { return provenanceOf(v) }

// DefaultPeriod is the month a dashboard opens on: the latest month with
// data, else the last month the plan's year has completed (January while it
// has not started, December once it is over).
func DefaultPeriod(year int, latest Period, hasLatest bool, now time.Time) Period {
	if hasLatest && latest.Year == year {
		return latest
	}
	switch {
	case now.Year() > year:
		return Period{Year: year, Month: 12}
	case now.Year() < year:
		return Period{Year: year, Month: 1}
	}
	m := int(now.Month()) - 1
	if m < 1 {
		m = 1
	}
	return Period{Year: year, Month: m}
}
